// Package mfa finds the internet-reachable logins that a password alone opens: SSH, RDP, web
// logins and remote-access portals, mail and the legacy password protocols (telnet, FTP, VNC).
//
// It learns what each service accepts from what the service itself announces (SSH's answer to
// the "none" method, RDP's negotiation response, a 401 challenge, EHLO, CAPABILITY, CAPA, FEAT,
// the VNC security types) and never tries a credential. The one exception is FTP's anonymous
// user, whose whole point is that it needs none.
package mfa

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/telesra/telesra/checks"
)

// Options configure the family.
type Options struct {
	// Recognizer, when set, names the products an HTTP endpoint runs (the web family's nuclei
	// engine). The mfa family's own fingerprints recognise the common remote-access portals
	// without it.
	Recognizer checks.Recognizer
}

// Name is the family's name and the first element of its check IDs.
const Name = "mfa"

// citations are what every check of the family cites: a password alone does not authenticate
// a person (164.312(d)) and leaves access control to one guessable secret (164.312(a)(1)).
var citations = []string{"164.312(d)", "164.312(a)(1)"}

// cleartextCitations add transmission security for checks whose password also crosses the
// network unencrypted.
var cleartextCitations = []string{"164.312(d)", "164.312(a)(1)", "164.312(e)(1)"}

// Family returns the mfa checks.
func Family(o Options) *checks.Family {
	h := newHTTPChecks(o.Recognizer)
	var cs []*checks.Check
	cs = append(cs, sshChecks()...)
	cs = append(cs, rdpChecks()...)
	cs = append(cs, h.checks()...)
	cs = append(cs, mailChecks()...)
	cs = append(cs, legacyChecks()...)
	return &checks.Family{
		Name:  Name,
		Title: "MFA exposure",
		Description: "Logins reachable from the network that a password alone opens (SSH, RDP, web logins and portals, mail, " +
			"telnet, FTP, VNC), learned from what each service announces; no credential is ever tried (FTP's anonymous user aside).",
		Checks: cs,
		Probes: probeInfos,
	}
}

// probeInfos document the family's probes for docs/checks.md.
var probeInfos = []checks.ProbeInfo{
	{ID: sshProbe.ID, Connections: "1",
		Description: "Reads the SSH banner, completes the key exchange and sends one `none` authentication request as user `" + sshUser +
			"`; records the methods the server lists, then disconnects. Never sends a password or key."},
	{ID: rdpProbe.ID, Connections: "2",
		Description: "Two X.224 Connection Requests (MS-RDPBCGR 2.2.1.1) whose RDP_NEG_REQ offers only PROTOCOL_SSL, then only " +
			"standard RDP security; reads each negotiation response or failure and disconnects before any TLS or credentials."},
	{ID: crawlProbe.ID, Connections: fmt.Sprintf("1 per request: at most %d, each following at most %d same-origin redirects", 1+len(loginPaths), checks.MaxRedirects),
		Description: "GETs the endpoint's path and a fixed list of well-known login paths on the same origin, reading at most " +
			fmt.Sprintf("%d KiB of each page; never submits a form.", pageLimit>>10)},
	{ID: productsProbeID, Connections: "0 of its own (the recognizer's, when one is configured)",
		Description: "Matches the crawled pages against the family's fingerprints of remote-access, webmail and EHR portals, and asks " +
			"the configured recognizer (the web family's nuclei templates) what the endpoint runs."},
	{ID: smtpProbe.ID, Connections: "1",
		Description: "Reads the SMTP greeting, sends EHLO and QUIT; records AUTH mechanisms and STARTTLS as offered before TLS."},
	{ID: imapProbe.ID, Connections: "1",
		Description: "Reads the IMAP greeting, sends CAPABILITY and LOGOUT; records LOGINDISABLED, STARTTLS and AUTH= mechanisms."},
	{ID: pop3Probe.ID, Connections: "1",
		Description: "Reads the POP3 greeting, sends CAPA and QUIT; records USER, STLS and SASL."},
	{ID: telnetProbe.ID, Connections: "1",
		Description: "Reads what the telnet server sends for a moment, refusing every option it negotiates; looks for a login prompt. Sends nothing else."},
	{ID: ftpProbe.ID, Connections: "1",
		Description: "Reads the FTP greeting, sends FEAT, then USER anonymous (and PASS with a placeholder address if asked) and QUIT. " +
			"No other user is ever tried."},
	{ID: vncProbe.ID, Connections: "1",
		Description: "Reads the RFB version, answers with the version both speak (3.3, 3.7 or 3.8), reads the security types offered and disconnects without choosing one."},
}

// newCheck fills the fields every mfa check shares.
func newCheck(id, title string, sev checks.Severity, cites []string, services ...string) *checks.Check {
	return &checks.Check{
		ID:       id,
		Family:   Name,
		Title:    title,
		Severity: sev,
		HIPAA:    slices.Clone(cites),
		Applies: func(s checks.Service) bool {
			return s.Is(services...)
		},
	}
}

// confidenceWord is how a finding's detail states its confidence.
func confidenceWord(c checks.Confidence) string {
	if c == checks.Potential {
		return "Potential"
	}
	return "Confirmed"
}

// detail writes a finding's text: the confidence first, so no reader mistakes an inference for an
// observation.
func detail(c checks.Confidence, format string, args ...any) string {
	return confidenceWord(c) + ": " + fmt.Sprintf(format, args...)
}

// joinQuoted lists strings for a detail line.
func joinQuoted(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}

// probeFailed wraps a protocol-level surprise so that the attempt reads as a mismatch with the
// reason, not as a generic error.
func probeFailed(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	switch checks.Classify(err) {
	case checks.ReasonOther, checks.ReasonInternal:
		return checks.Mismatch(what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
