// Package checkstest helps tests run checks against real servers on loopback: it finds the
// binaries a test needs (failing, not skipping, under CI=true), starts nginx with a given
// configuration, and runs a family through the real runner inside a loopback-only scope.
package checkstest

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/telesra/telesra/checks"
)

// InCI reports whether the tests run in CI (CI=true), where a missing binary is a failure.
func InCI() bool { return os.Getenv("CI") == "true" }

// RequireBinary returns the path of a program the test needs. Locally, a missing program skips
// the test; under CI=true it fails it, because CI installs everything the tests need.
func RequireBinary(t testing.TB, name string, alt ...string) string {
	t.Helper()
	for _, n := range append([]string{name}, alt...) {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
		for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/local/sbin"} {
			p := filepath.Join(dir, n)
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
				return p
			}
		}
	}
	if InCI() {
		t.Fatalf("%s is required (CI=true): .ci/run must install it", name)
	}
	t.Skipf("%s not installed; the test runs in CI", name)
	return ""
}

// FreePort returns a loopback TCP port that was free a moment ago, for servers (nginx, sshd)
// that cannot be handed a listener.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// ServeTCP accepts connections on a fresh 127.0.0.1 port and runs handle on each (closing the
// connection afterwards), with a deadline of perConn so that no test server outlives a confused
// client. Everything stops, and every handler has returned, when the test ends. It returns
// "127.0.0.1:port".
func ServeTCP(t testing.TB, perConn time.Duration, handle func(net.Conn)) string {
	t.Helper()
	return ServeTCPOn(t, "127.0.0.1", perConn, handle)
}

// ServeTCPOn is ServeTCP on a fresh port of host (a loopback address: 127.0.0.5, ::1), for
// tests that tell loopback addresses apart. It returns "host:port".
func ServeTCPOn(t testing.TB, host string, perConn time.Duration, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatalf("listen on %s: %v", host, err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(perConn))
				handle(c)
			}()
		}
	}()
	return ln.Addr().String()
}

// BannerServer serves a server-first greeting line (an SSH identification string, an SMTP
// greeting) followed by CRLF, then reads until the client hangs up (at most 5 s).
func BannerServer(t testing.TB, line string) string {
	t.Helper()
	return ServeTCP(t, 5*time.Second, func(c net.Conn) {
		_, _ = c.Write([]byte(line + "\r\n"))
		_, _ = io.Copy(io.Discard, c)
	})
}

// WaitForPort waits (at most 10 s) until something accepts on 127.0.0.1:port.
func WaitForPort(t testing.TB, port int) {
	t.Helper()
	if err := waitPort(port); err != nil {
		t.Fatal(err)
	}
}

func waitPort(port int) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nothing listens on 127.0.0.1:%d after 10s", port)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Nginx starts nginx in the foreground with http-block configuration text (server blocks) rooted
// in dir (the test's temporary directory, where it may have written certificates and pages:
// {{DIR}} in the text is replaced by it), waits until each of ports accepts, and stops nginx when
// the test ends.
func Nginx(t testing.TB, dir string, httpBlock string, ports ...int) {
	t.Helper()
	bin := RequireBinary(t, "nginx")
	for _, sub := range []string{"logs", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	conf := fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path %[1]s/tmp/body;
  proxy_temp_path %[1]s/tmp/proxy;
  fastcgi_temp_path %[1]s/tmp/fastcgi;
  uwsgi_temp_path %[1]s/tmp/uwsgi;
  scgi_temp_path %[1]s/tmp/scgi;
  default_type text/html;
%[2]s
}
`, dir, strings.ReplaceAll(httpBlock, "{{DIR}}", dir))
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", path, "-p", dir, "-e", filepath.Join(dir, "logs", "error.log"))
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start nginx: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_, _ = cmd.Process.Wait()
	})
	for _, p := range ports {
		if err := waitPort(p); err != nil {
			logs, _ := os.ReadFile(filepath.Join(dir, "logs", "error.log"))
			t.Fatalf("nginx: %v: %s %s", err, out.String(), logs)
		}
	}
}

// LoopbackResolver resolves only "localhost" and names the test maps; it never sends a query.
type LoopbackResolver map[string][]netip.Addr

func (r LoopbackResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := r[host]; ok {
		return a, nil
	}
	if host == "localhost" {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	return nil, &net.DNSError{Err: "no such host (test resolver)", Name: host, IsNotFound: true}
}

// Scan runs checks against targets (all on loopback) through the real runner and returns the
// result. The scope is exactly the targets; the whole scan is bounded by one minute.
func Scan(t testing.TB, cs []*checks.Check, targets ...string) *checks.Result {
	t.Helper()
	return ScanWith(t, checks.Options{Checks: cs}, targets...)
}

// ScanWith is Scan with runner options (timeouts, families with Open hooks).
func ScanWith(t testing.TB, opt checks.Options, targets ...string) *checks.Result {
	t.Helper()
	var ts []checks.Target
	for _, raw := range targets {
		tg, err := checks.ParseTarget(raw)
		if err != nil {
			t.Fatal(err)
		}
		if tg.IsAddr() && !tg.Prefix.Addr().IsLoopback() {
			t.Fatalf("tests only scan loopback: %s", raw)
		}
		ts = append(ts, tg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if opt.Resolver == nil {
		opt.Resolver = LoopbackResolver{}
	}
	scope, err := checks.NewScope(ctx, ts, nil, checks.ScopeOptions{Resolver: opt.Resolver})
	if err != nil {
		t.Fatal(err)
	}
	if opt.IOTimeout == 0 {
		opt.IOTimeout = 3 * time.Second
	}
	if opt.ProbeTimeout == 0 {
		opt.ProbeTimeout = 30 * time.Second
	}
	if opt.TargetTimeout == 0 {
		opt.TargetTimeout = 50 * time.Second
	}
	opt.Tool = checks.Tool{Name: "telesra", Version: "test"}
	res, err := checks.NewRunner(scope, opt).Run(ctx, ts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// FindingsOf returns the check IDs of a result's findings on target, sorted (the result is).
func FindingsOf(r *checks.Result, target string) []string {
	var out []string
	for _, f := range r.Findings {
		if target == "" || f.Target == target {
			out = append(out, f.Check)
		}
	}
	return out
}

// Attempt returns the attempt of check on target.
func Attempt(r *checks.Result, check, target string) (checks.Attempt, bool) {
	for _, a := range r.Attempts {
		if a.Check == check && a.Target == target {
			return a, true
		}
	}
	return checks.Attempt{}, false
}
