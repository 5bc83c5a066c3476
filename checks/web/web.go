// Package web is the web exposure family: telesra's own nuclei templates (templates/nuclei, each
// a check web.<template-id> with HIPAA citations), run by nuclei v3 in the web worker, a process
// of its own (cmd/telesra-web, package checks/web/nuclei), against the HTTP endpoints of the
// scan. This package does not link nuclei: nuclei's package initialisers run in the worker
// only, never in telesra.
//
// nuclei is made to behave like part of a HIPAA tool: offline, quiet and contained.
//   - Process: one worker per scan, started by the Worker runner, stopped when the scan ends;
//     it exits when its stdin closes, so it never outlives telesra. Where the kernel allows, it
//     runs in a network namespace of its own with no way out but the gate.
//   - Network: every connection nuclei makes goes through a SOCKS5 gate that stays in telesra
//     (127.0.0.1, or a unix socket in a private directory for a worker in its own namespace;
//     random credentials). The gate dials with the scan's checks.Dialer (scope guard, rate
//     limit, per-host limit) and admits exactly the endpoint being probed. Targets carry their
//     pinned address, so nuclei never resolves a name; interactsh is off; the version check's
//     HTTP client refuses every request; templates are never downloaded.
//   - Files and output: see package checks/web/nuclei (a private run directory, nuclei's logs
//     in memory).
package web

// Family is the family name and the prefix of every check ID.
const Family = "web"
