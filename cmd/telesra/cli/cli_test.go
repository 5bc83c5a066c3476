package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
	"github.com/telesra/telesra/checks/mfa"
	"github.com/telesra/telesra/checks/patch"
	tlscheck "github.com/telesra/telesra/checks/tls"
	"github.com/telesra/telesra/checks/transport"
	"github.com/telesra/telesra/report/scan"
	"github.com/telesra/telesra/report/scan/sariftest"
)

var update = flag.Bool("update", false, "rewrite golden files (docs/checks.md)")

// fixedNow is the clock of every CLI test: reports and authorisation checks are deterministic.
var fixedNow = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

type runResult struct {
	code           int
	stdout, stderr string
}

// run executes the CLI in-process with captured streams and returns the exit code as main would.
func run(t *testing.T, ctx context.Context, args ...string) runResult {
	t.Helper()
	return runWith(t, ctx, nil, args...)
}

// runWith is run with the factory adjusted by adjust (when not nil) before the command runs.
func runWith(t *testing.T, ctx context.Context, adjust func(*Factory), args ...string) runResult {
	t.Helper()
	var out, errOut bytes.Buffer
	f := testFactory(&out, &errOut)
	if adjust != nil {
		adjust(f)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	cmd := NewCmdRoot(f)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	if err != nil {
		fmt.Fprintf(&errOut, "telesra: %v\n", err)
	}
	return runResult{code: ExitCode(err), stdout: out.String(), stderr: errOut.String()}
}

// testFactory is the factory of every in-process CLI test: captured streams, no terminal, the
// fixed clock and the system resolver (tests only ever resolve localhost).
func testFactory(out, errOut *bytes.Buffer) *Factory {
	return &Factory{
		IO: &IOStreams{In: strings.NewReader(""), Out: out, ErrOut: errOut,
			Getenv: func(string) string { return "" }, Width: func() int { return 0 }},
		Now:      func() time.Time { return fixedNow },
		Version:  "test",
		Resolver: net.DefaultResolver,
		Families: testFamilies,
		// What main names for the web worker's engine (checks/web.EngineModule).
		WorkerEngines: map[string]string{"example.org/worker-engine": "v0.0.1"},
	}
}

// testFamilies is every check family but web's: the command line's tests build without nuclei.
// Package main tests the full composition.
func testFamilies(o FamilyOptions) ([]*checks.Family, error) {
	tlsFam, err := tlscheck.Family(tlscheck.Options{CAFile: o.CAFile, CA: o.CA})
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return []*checks.Family{tlsFam, transport.Family(), mfa.Family(mfa.Options{}), patch.Family(patch.Options{KBDir: o.KBDir, Notice: o.Notice})}, nil
}

// portal is a cleartext login page: transport.cleartext_http, high.
func portal(t *testing.T) string {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `<html><title>Portal</title><form method=post action=/login><input type=password name=p></form></html>`)
	}))
	t.Cleanup(s.Close)
	return strings.TrimPrefix(s.URL, "http://")
}

// countingListener accepts connections on loopback and counts them; a scope test asserts that it
// saw none.
func countingListener(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	return checkstest.ServeTCP(t, 5*time.Second, func(net.Conn) { n.Add(1) }), &n
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// workspaceYAML is an assessment.yaml with the given scope lines, authorised.
func workspaceYAML(targets []string, exclusions []string) string {
	var b strings.Builder
	b.WriteString("schema_version: 1\norganisation:\n  name: Test Clinic\nassessor:\n  name: Tester\nassessment_date: \"2026-11-22\"\nscope:\n  targets:\n")
	for _, t := range targets {
		fmt.Fprintf(&b, "    - %q\n", t)
	}
	if len(exclusions) > 0 {
		b.WriteString("  exclusions:\n")
		for _, e := range exclusions {
			fmt.Fprintf(&b, "    - %q\n", e)
		}
	}
	b.WriteString("authorisation:\n  authorised_by: Dr Test\n  authorised_on: \"2026-11-01\"\n")
	return b.String()
}

func makeWorkspace(t *testing.T, targets, exclusions []string) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "assessment.yaml"), workspaceYAML(targets, exclusions))
	return dir
}

func TestScanSARIFAndFailOn(t *testing.T) {
	target := portal(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "r.sarif")
	r := run(t, nil, "scan", target, "-f", "sarif", "-o", out, "-q")
	if r.code != 0 {
		t.Fatalf("scan: exit %d, %s", r.code, r.stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := scan.ValidateSARIFFile("../../../testdata/schemas/sarif-schema-2.1.0.json", data); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Errorf("output mode %v, want 0600", fi.Mode().Perm())
	}
	if !strings.Contains(string(data), `"ruleId": "transport.cleartext_http"`) {
		t.Errorf("SARIF lacks the cleartext finding")
	}
	// One scan, several outputs: FORMAT=FILE, or the format from the extension.
	sarifF, junitF, mdF := filepath.Join(dir, "a.sarif"), filepath.Join(dir, "b.xml"), filepath.Join(dir, "summary.md")
	if r := run(t, nil, "scan", target, "-o", "sarif="+sarifF, "-o", "junit="+junitF, "-o", mdF, "-q"); r.code != 0 || r.stdout != "" {
		t.Fatalf("several outputs: exit %d, stdout %q, %s", r.code, r.stdout, r.stderr)
	}
	for file, want := range map[string]string{sarifF: `"version": "2.1.0"`, junitF: "<testsuites", mdF: "## telesra scan"} {
		if b, err := os.ReadFile(file); err != nil || !strings.Contains(string(b), want) {
			t.Errorf("%s: %v, lacks %q", file, err, want)
		}
	}
	if r := run(t, nil, "scan", target, "-f", "sarif", "-o", out, "--fail-on", "high", "-q"); r.code != ExitFindings {
		t.Errorf("--fail-on high: exit %d, want 1 (%s)", r.code, r.stderr)
	}
	if r := run(t, nil, "scan", target, "--checks", "transport", "-f", "json", "--fail-on", "critical", "-q"); r.code != 0 {
		t.Errorf("--fail-on critical: exit %d, want 0", r.code)
	} else {
		var res checks.Result
		if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || len(res.Findings) != 1 || res.Findings[0].Severity != checks.High {
			t.Errorf("stdout JSON: %v %+v", err, res.Findings)
		}
	}
}

func TestScanRefusesOutOfScopeBeforeAnyPacket(t *testing.T) {
	addr, seen := countingListener(t)
	_, port, _ := net.SplitHostPort(addr)
	cases := []struct {
		name        string
		scope, excl []string
		target      string
		want        string
	}{
		{"outside the scope", []string{"127.0.0.2:" + port}, nil, addr, "not in the declared scope"},
		{"excluded address", []string{"127.0.0.0/24"}, []string{"127.0.0.1"}, addr, `excluded by "127.0.0.1"`},
		{"excluded port", []string{"127.0.0.1"}, []string{addr}, addr, "excluded by"},
		{"name resolving to an excluded address", []string{"localhost", "127.0.0.0/24", "::1"}, []string{"127.0.0.1"}, "localhost:" + port, "resolves to 127.0.0.1"},
		{"undeclared name", []string{"127.0.0.2"}, nil, "portal.example.invalid:" + port, "not declared by name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ws := makeWorkspace(t, c.scope, c.excl)
			r := run(t, nil, "scan", "-w", ws, c.target)
			if r.code != ExitUsage || !strings.Contains(r.stderr, c.want) || !strings.Contains(r.stderr, "refused, out of scope") {
				t.Errorf("exit %d, stderr %q; want 2 and %q", r.code, r.stderr, c.want)
			}
			if _, err := os.Stat(filepath.Join(ws, "scan.json")); err == nil {
				t.Error("a refused scan wrote results")
			}
		})
	}
	time.Sleep(50 * time.Millisecond)
	if n := seen.Load(); n != 0 {
		t.Fatalf("the out-of-scope listener saw %d connection(s)", n)
	}
}

func TestScanBadInput(t *testing.T) {
	target := portal(t)
	dir := t.TempDir()
	badWS := t.TempDir()
	writeFile(t, filepath.Join(badWS, "assessment.yaml"), "schema_version: 1\norganisation:\n  name: X\nassessor:\n  name: Y\nassessment_date: \"2026-11-22\"\nscope:\n  targets:\n    - 10.0.0.5:99999\n")
	unauthWS := t.TempDir()
	writeFile(t, filepath.Join(unauthWS, "assessment.yaml"), strings.SplitN(workspaceYAML([]string{target}, nil), "authorisation:", 2)[0])
	targets := filepath.Join(dir, "targets.txt")
	writeFile(t, targets, "# estate\n"+target+"\n10.0.0.0/33\n")
	ignore := filepath.Join(dir, "ignore.yaml")
	writeFile(t, ignore, "suppressions:\n  - check: transport.cleartext_http\n    reason: x\n")
	closed := func() string {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		a := ln.Addr().String()
		ln.Close()
		return a
	}()
	missingDirOut := filepath.Join(dir, "no-such-dir", "r.json")
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"malformed assessment.yaml", []string{"scan", "-w", badWS}, ExitUsage, "assessment.yaml:9:7: scope.targets[0]: target \"10.0.0.5:99999\": port \"99999\" out of range"},
		{"workspace without authorisation", []string{"scan", "-w", unauthWS}, ExitUsage, "active scanning is not authorised"},
		// Bad input, as for report and risks (it was exit 4 for scan alone before the workspace layer).
		{"missing workspace", []string{"scan", "-w", filepath.Join(dir, "nope")}, ExitUsage, "no assessment workspace here"},
		{"malformed targets file", []string{"scan", "--targets-file", targets}, ExitUsage, "targets.txt:3: target \"10.0.0.0/33\": invalid CIDR"},
		{"unknown check family", []string{"scan", target, "--checks", "quantum"}, ExitUsage, `unknown check or family "quantum"`},
		{"refused target", []string{"scan", closed, "-f", "json"}, ExitNoTarget, "no target could be scanned"},
		{"port out of range", []string{"scan", "127.0.0.1:65536"}, ExitUsage, "out of range (1-65535)"},
		{"invalid CIDR", []string{"scan", "127.0.0.0/40"}, ExitUsage, "invalid CIDR"},
		{"network wider than /20", []string{"scan", "10.0.0.0/16"}, ExitUsage, "--allow-large-scope"},
		{"output in a missing directory", []string{"scan", target, "-o", missingDirOut}, ExitUsage, "does not exist"},
		{"unknown format", []string{"scan", target, "-f", "pdf"}, ExitUsage, "unknown format"},
		{"bad severity", []string{"scan", target, "--fail-on", "severe"}, ExitUsage, "unknown severity"},
		{"malformed suppressions", []string{"scan", target, "--ignore-file", ignore}, ExitUsage, "ignore.yaml:2:5"},
		{"no targets", []string{"scan"}, ExitUsage, "no targets"},
		{"unknown flag", []string{"scan", "--colour"}, ExitUsage, "unknown flag"},
		{"bad ports", []string{"scan", "127.0.0.1", "--ports", "22,80-70"}, ExitUsage, "--ports"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, nil, c.args...)
			if r.code != c.code || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", r.code, r.stderr, c.code, c.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Dir(missingDirOut)); err == nil {
		t.Error("a missing output directory was created")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("a temporary file was left behind: %s", e.Name())
		}
	}
}

func TestScanInterruptedWritesPartialResults(t *testing.T) {
	fast := portal(t)
	tarpit := tarpitListener(t)
	out := filepath.Join(t.TempDir(), "partial.json")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(1500*time.Millisecond, cancel) // Ctrl-C while the tarpit holds the scan
	start := time.Now()
	r := run(t, ctx, "scan", fast, tarpit, "--checks", "transport", "--timeout", "60s", "-o", out, "-q")
	if r.code != ExitInterrupted {
		t.Fatalf("exit %d (%s), want 130", r.code, r.stderr)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("took %v to stop after Ctrl-C at 1.5s", el)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("no partial results: %v", err)
	}
	var res checks.Result
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	if res.Complete || len(res.Findings) != 1 || res.Findings[0].Target != fast {
		t.Errorf("partial result: complete=%v findings=%+v", res.Complete, res.Findings)
	}
	if !strings.Contains(string(data), `"complete": false`) {
		t.Error(`the document does not say "complete": false`)
	}
}

// tarpitListener accepts connections and never answers.
func tarpitListener(t *testing.T) string {
	t.Helper()
	return checkstest.ServeTCP(t, time.Minute, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
}

func TestScanSuppressionsWithExpiry(t *testing.T) {
	target := portal(t)
	dir := t.TempDir()
	valid := filepath.Join(dir, "valid.yaml")
	writeFile(t, valid, "suppressions:\n  - check: transport.cleartext_http\n    target: \"127.0.0.1:*\"\n    reason: intranet kiosk, replaced in December\n    expires: 2026-12-31\n    approved_by: Dr Test\n")
	expired := filepath.Join(dir, "expired.yaml")
	writeFile(t, expired, "suppressions:\n  - check: transport.cleartext_http\n    reason: old exception\n    expires: 2026-11-21\n    approved_by: Dr Test\n")
	r := run(t, nil, "scan", target, "--checks", "transport", "--ignore-file", valid, "--fail-on", "high", "-f", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"suppressed": 1`) {
		t.Errorf("valid suppression: exit %d, %s", r.code, r.stderr)
	}
	r = run(t, nil, "scan", target, "--checks", "transport", "--ignore-file", expired, "--fail-on", "high", "-f", "json")
	if r.code != ExitFindings {
		t.Errorf("expired suppression still suppresses: exit %d", r.code)
	}
	if !strings.Contains(r.stderr, "expired.yaml:2: suppression of transport.cleartext_http expired on 2026-11-21") {
		t.Errorf("expired suppression not reported: %q", r.stderr)
	}
	if !strings.Contains(r.stdout, `"expired": [`) {
		t.Error("the JSON result does not list the expired suppression")
	}
}

func TestScanWorkspaceWritesResults(t *testing.T) {
	target := portal(t)
	ws := makeWorkspace(t, []string{target}, nil)
	r := run(t, nil, "scan", "-w", ws, "-f", "markdown", "-q")
	if r.code != 0 || !strings.Contains(r.stdout, "## telesra scan") {
		t.Fatalf("exit %d, %s", r.code, r.stderr)
	}
	fi, err := os.Stat(filepath.Join(ws, "scan.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("scan.json: %v %v", err, fi)
	}
	data, _ := os.ReadFile(filepath.Join(ws, "scan.json"))
	var res checks.Result
	if err := json.Unmarshal(data, &res); err != nil || len(res.Endpoints) != 1 || res.Endpoints[0].Source.Line != 9 {
		t.Errorf("workspace result: %v %+v", err, res.Endpoints)
	}
}

func TestInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "acme")
	args := []string{"init", dir, "--org", "Acme Telehealth", "--assessor", "J. Smith", "--target", "10.20.0.0/24", "--exclude", "10.20.0.1",
		"--authorised-by", "Dr A. Lee", "--authorised-on", "2026-11-20"}
	if r := run(t, nil, args...); r.code != 0 {
		t.Fatalf("init: exit %d %s", r.code, r.stderr)
	}
	path := filepath.Join(dir, "assessment.yaml")
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("assessment.yaml: %v %v", err, fi)
	}
	before, _ := os.ReadFile(path)
	r := run(t, nil, append(args[:2:2], "--org", "Other", "--assessor", "X")...)
	if r.code != ExitUsage || !strings.Contains(r.stderr, "already exists (use --force") {
		t.Errorf("second init: exit %d %s", r.code, r.stderr)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("init clobbered an existing assessment.yaml")
	}
	if r := run(t, nil, append(args[:2:2], "--org", "Other", "--assessor", "X", "--force")...); r.code != 0 {
		t.Errorf("init --force: exit %d", r.code)
	}
	if r := run(t, nil, "init", t.TempDir(), "--org", "A", "--assessor", "B", "--target", "10.0.0.0/33"); r.code != ExitUsage {
		t.Errorf("init with a bad target: exit %d", r.code)
	}
	if r := run(t, nil, "init", t.TempDir()); r.code != ExitUsage || !strings.Contains(r.stderr, "--org and --assessor are required") {
		t.Errorf("init without org at no terminal: exit %d %s", r.code, r.stderr)
	}
}

func TestDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	r := run(t, nil, "demo", dir)
	if r.code != 0 {
		t.Fatalf("demo: exit %d\n%s", r.code, r.stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "scan.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res checks.Result
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Endpoints {
		if !strings.HasPrefix(e.Address, "127.") {
			t.Errorf("the demo scanned %s", e.Address)
		}
	}
	var portalFinding *checks.Finding
	for i, f := range res.Findings {
		if f.Check == "transport.cleartext_http" && f.Evidence["password_forms"] != nil {
			portalFinding = &res.Findings[i]
		}
	}
	if portalFinding == nil || portalFinding.Severity != checks.High || portalFinding.Evidence["password_forms"] == nil {
		t.Fatalf("demo: the cleartext portal is not a high finding with evidence: %+v", portalFinding)
	}
	if r := run(t, nil, "demo", dir); r.code != ExitUsage {
		t.Errorf("demo into an existing workspace without --force: exit %d", r.code)
	}
	// The demo's scan as GitHub code scanning reads it: no error or warning from the SARIF
	// Multitool's GitHub rules.
	reg, _, err := testFactory(new(bytes.Buffer), new(bytes.Buffer)).Registry(FamilyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var sarif bytes.Buffer
	if err := (scan.SARIF{Registry: reg}).Write(&sarif, &res); err != nil {
		t.Fatal(err)
	}
	if bad := sariftest.Multitool(t, sarif.Bytes()); len(bad) > 0 {
		t.Errorf("the demo's SARIF: %d error(s) or warning(s) from the Multitool:\n%s", len(bad), strings.Join(bad, "\n"))
	}
}

func TestHelpExitCodesAndVersion(t *testing.T) {
	r := run(t, nil, "help", "exit-codes")
	for _, want := range []string{"130", "no target could be scanned", "--fail-on"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("help exit-codes lacks %q", want)
		}
	}
	if r := run(t, nil, "version"); !strings.HasPrefix(r.stdout, "telesra test") {
		t.Errorf("version: %q", r.stdout)
	}
	if r := run(t, nil, "frobnicate"); r.code != ExitUsage {
		t.Errorf("unknown command: exit %d", r.code)
	}
	if r := run(t, nil, "completion", "bash"); r.code != 0 || !strings.Contains(r.stdout, "telesra") {
		t.Errorf("completion bash: exit %d", r.code)
	}
}

func TestScanFlagsParse(t *testing.T) {
	var got *ScanOptions
	f := &Factory{IO: &IOStreams{Out: io.Discard, ErrOut: io.Discard, Getenv: func(string) string { return "" }}, Now: time.Now, Families: testFamilies}
	cmd := NewCmdScan(f, func(o *ScanOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"10.0.0.5:443", "-w", "ws", "--checks", "tls,mfa", "--fail-on", "high", "-f", "sarif", "-o", "r.sarif", "--rate", "50", "--ports", "22,443", "--exclude", "10.0.0.1"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Workspace != "ws" || len(got.Checks) != 2 || got.FailOn != "high" || got.Format != "sarif" || got.Outputs[0] != "r.sarif" ||
		got.Rate != 50 || got.Ports != "22,443" || got.Exclude[0] != "10.0.0.1" || got.Targets[0] != "10.0.0.5:443" {
		t.Errorf("options = %+v", got)
	}
	if p, err := parsePorts("22, 80-82"); err != nil || fmt.Sprint(p) != "[22 80 81 82]" {
		t.Errorf("parsePorts = %v %v", p, err)
	}
}

func TestObserverFollowsTheTerminal(t *testing.T) {
	env := map[string]string{}
	streams := &IOStreams{ErrOut: io.Discard, Getenv: func(k string) string { return env[k] }}
	if _, ok := newObserver(streams).(*checks.LineObserver); !ok {
		t.Error("not a terminal: want plain lines")
	}
	streams.ErrTTY = true
	if _, ok := newObserver(streams).(*barObserver); !ok {
		t.Error("a terminal: want the bar")
	}
	env["TERM"] = "dumb"
	if _, ok := newObserver(streams).(*checks.LineObserver); !ok {
		t.Error("TERM=dumb: want plain lines")
	}
	streams.Quiet = true
	if _, ok := newObserver(streams).(checks.NopObserver); !ok {
		t.Error("--quiet: want nothing")
	}
	delete(env, "TERM")
	streams.OutTTY = true
	if !streams.ColorOut() {
		t.Error("a terminal without NO_COLOR should allow colour")
	}
	env["NO_COLOR"] = "yes"
	if streams.ColorOut() {
		t.Error("NO_COLOR set: no colour")
	}
	delete(env, "NO_COLOR")
	env["CLICOLOR"] = "0"
	if streams.ColorOut() {
		t.Error("CLICOLOR=0: no colour")
	}
}
