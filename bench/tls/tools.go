package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
	tlscheck "github.com/telesra/telesra/checks/tls"
)

// toolRun is one tool's run over a set of endpoints.
type toolRun struct {
	Tool      string  `json:"tool"`
	Endpoints int     `json:"endpoints"`
	Seconds   float64 `json:"seconds"`
	MaxRSSKB  int64   `json:"max_rss_kb"`
	Error     string  `json:"error,omitempty"`
	Command   string  `json:"command"`
}

// run times one command (prefixed, e.g. by `ip netns exec NS`) and reads its peak RSS.
func run(name string, n int, timeout time.Duration, prefix []string, argv ...string) toolRun {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	full := append(append([]string{}, prefix...), argv...)
	cmd := exec.CommandContext(ctx, full[0], full[1:]...)
	cmd.Stdout, cmd.Stderr = nil, nil
	logf, err := os.Create(filepath.Join(outDir, strings.ReplaceAll(name, " ", "_")+".log"))
	if err == nil {
		defer logf.Close()
		cmd.Stdout, cmd.Stderr = logf, logf
	}
	start := time.Now()
	err = cmd.Run()
	r := toolRun{Tool: name, Endpoints: n, Seconds: time.Since(start).Seconds(), Command: shorten(strings.Join(full, " "), 300)}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.MaxRSSKB = ru.Maxrss
		}
	}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		r.Error = fmt.Sprintf("stopped after %v", timeout)
	case errors.As(err, &ee) && strings.HasPrefix(name, "testssl") && ee.ExitCode() > 0:
		// testssl's exit code counts the problems it found; the run itself is fine.
	case err != nil:
		r.Error = err.Error()
	}
	return r
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func targetsOf(eps []endpoint) []string {
	var out []string
	for _, e := range eps {
		out = append(out, e.Target)
	}
	return out
}

// runTelesra runs the CLI on the TLS family only: with the flags a user runs (none), or with
// fast set, with the loopback-tuned flags (every varied endpoint shares 127.0.0.1, so 64
// connections per address) that earlier benchmarks reported.
func runTelesra(bin, caFile string, prefix []string, eps []endpoint, name string, fast bool) toolRun {
	out := filepath.Join(outDir, strings.ReplaceAll(name, " ", "_")+".json")
	args := []string{bin, "scan", "--checks", "tls", "-f", "json", "-o", out, "--ca-file", caFile}
	if fast {
		args = append(args, "--rate", "0", "--workers", "16", "--host-conns", "64", "--timeout", "5s")
	}
	return run(name, len(eps), 10*time.Minute, prefix, append(args, targetsOf(eps)...)...)
}

func runNmap(name string, prefix []string, host string, eps []endpoint) toolRun {
	var ports []string
	for _, e := range eps {
		ports = append(ports, strconv.Itoa(e.Port))
	}
	return run(name, len(eps), 30*time.Minute, prefix, "nmap", "-Pn", "-n", "-sT", "-p", strings.Join(ports, ","),
		"--script", "ssl-enum-ciphers,ssl-cert", host)
}

func runSSLScan(name string, prefix []string, host string, eps []endpoint) toolRun {
	f := filepath.Join(outDir, strings.ReplaceAll(name, " ", "_")+"-targets.txt")
	var lines []string
	for _, e := range eps {
		lines = append(lines, fmt.Sprintf("%s:%d", host, e.Port))
	}
	_ = os.WriteFile(f, []byte(strings.Join(lines, "\n")+"\n"), 0o600)
	return run(name, len(eps), 30*time.Minute, prefix, "sslscan", "--no-colour", "--targets="+f)
}

func runTestssl(name string, prefix []string, host string, eps []endpoint, timeout time.Duration) toolRun {
	f := filepath.Join(outDir, strings.ReplaceAll(name, " ", "_")+"-targets.txt")
	var lines []string
	for _, e := range eps {
		lines = append(lines, fmt.Sprintf("%s:%d", host, e.Port))
	}
	_ = os.WriteFile(f, []byte(strings.Join(lines, "\n")+"\n"), 0o600)
	return run(name, len(eps), timeout, prefix, "testssl", "--quiet", "--color", "0", "--warnings", "off", "--parallel", "--file", f)
}

// handshakes is one endpoint's connection count against the budget.
type handshakes struct {
	Endpoint  string `json:"endpoint"`
	Dials     int64  `json:"dials"`     // every connection the scan opened, detection and HSTS included
	Accepted  int    `json:"accepted"`  // accepted cipher suites (SSLv2 cipher kinds included)
	Protocols int    `json:"protocols"` // protocol versions offered
	Budget    int    `json:"budget"`    // accepted + protocols + 10
	Grade     string `json:"grade"`
	Error     string `json:"error,omitempty"`
}

// caOptions trusts the bench's CA, read as the command line reads --ca-file.
func caOptions(caFile string) tlscheck.Options {
	ca, err := os.ReadFile(caFile)
	if err != nil {
		panic(err)
	}
	return tlscheck.Options{CAFile: caFile, CA: ca}
}

// countHandshakes scans each endpoint alone in-process and reads the runner's dial counter.
func countHandshakes(caFile string, eps []endpoint) []handshakes {
	fam, err := tlscheck.Family(caOptions(caFile))
	if err != nil {
		panic(err)
	}
	var out []handshakes
	for _, e := range eps {
		h := handshakes{Endpoint: e.Name}
		t, err := checks.ParseTarget(e.Target)
		if err != nil {
			panic(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		scope, err := checks.NewScope(ctx, []checks.Target{t}, nil, checks.ScopeOptions{Resolver: checkstest.LoopbackResolver{}})
		if err != nil {
			panic(err)
		}
		r := checks.NewRunner(scope, checks.Options{Checks: fam.Checks, Families: []*checks.Family{fam}, Workers: 1, HostConns: 64,
			IOTimeout: 5 * time.Second, Resolver: checkstest.LoopbackResolver{}})
		res, err := r.Run(ctx, []checks.Target{t})
		cancel()
		if err != nil {
			h.Error = err.Error()
			out = append(out, h)
			continue
		}
		h.Dials = r.Dialer().Dials()
		for _, ep := range res.Endpoints {
			v, ok := ep.Verdicts["tls"].Data.(*tlscheck.Verdict)
			if !ok {
				h.Error = ep.Verdicts["tls"].Line
				continue
			}
			h.Grade = v.Grade
			for _, p := range v.Report.Protocols {
				if p.Offered {
					h.Protocols++
				}
				h.Accepted += len(p.Suites) + len(p.SSLv2)
			}
		}
		h.Budget = h.Accepted + h.Protocols + 10
		out = append(out, h)
	}
	return out
}

func writeJSON(name string, v any) {
	b, _ := json.MarshalIndent(v, "", "  ")
	_ = os.WriteFile(filepath.Join(outDir, name), b, 0o600)
}

// scaleDials scans the scale endpoints in-process at once and returns the connections opened.
func scaleDials(caFile string, eps []endpoint) int64 {
	fam, err := tlscheck.Family(caOptions(caFile))
	if err != nil {
		panic(err)
	}
	var ts []checks.Target
	for _, e := range eps {
		t, err := checks.ParseTarget(e.Target)
		if err != nil {
			panic(err)
		}
		ts = append(ts, t)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	scope, err := checks.NewScope(ctx, ts, nil, checks.ScopeOptions{Resolver: checkstest.LoopbackResolver{}})
	if err != nil {
		panic(err)
	}
	r := checks.NewRunner(scope, checks.Options{Checks: fam.Checks, Families: []*checks.Family{fam}, Workers: 16, HostConns: 64,
		Resolver: checkstest.LoopbackResolver{}})
	if _, err := r.Run(ctx, ts); err != nil {
		panic(err)
	}
	return r.Dialer().Dials()
}
