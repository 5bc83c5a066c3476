package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
	"github.com/telesra/telesra/checks/web"
)

// TestMain removes nuclei's private run directory, as main does (the cli links the web family).
func TestMain(m *testing.M) {
	code := m.Run()
	_ = web.RemoveRunDir()
	os.Exit(code)
}

const goodTemplate = `id: clinic-status-page
info:
  name: Clinic status page public
  author: clinic-it
  severity: low
  description: The internal status page answers from outside.
  remediation: Restrict /clinic-status to the clinic network.
  metadata:
    telesra:
      hipaa: ["164.312(a)(1)"]
http:
  - method: GET
    path: ["{{RootURL}}/clinic-status"]
    matchers:
      - type: word
        words: ["all systems nominal"]
`

// TestTemplatesValidate: every bad template is named with file:line and why, the good one
// passes, and the exit code is the bad-input one.
func TestTemplatesValidate(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "good.yaml"), goodTemplate)
	writeFile(t, filepath.Join(dir, "headless.yaml"), strings.Replace(goodTemplate, "http:\n  - method: GET", "headless:\n  - steps: []\nhttp:\n  - method: GET", 1))
	writeFile(t, filepath.Join(dir, "js.yaml"), strings.Replace(strings.Replace(goodTemplate, "id: clinic-status-page", "id: js-probe", 1),
		"http:\n", "javascript:\n  - code: \"1\"\nhttp:\n", 1))
	writeFile(t, filepath.Join(dir, "nocite.yaml"), strings.Replace(strings.Replace(goodTemplate, "id: clinic-status-page", "id: no-cite", 1),
		`      hipaa: ["164.312(a)(1)"]`, `      hipaa: []`, 1))
	writeFile(t, filepath.Join(dir, "syntax.yaml"), "id: broken\ninfo: [\n")

	io, out, _ := testIO("", false)
	err := templatesValidateRun(context.Background(), &TemplatesValidateOptions{IO: io, Dir: dir})
	if code := ExitCode(err); code != ExitUsage {
		t.Fatalf("exit %d (%v), want %d", code, err, ExitUsage)
	}
	got := out.String()
	for _, want := range []string{
		"ok    web.clinic-status-page",
		"FAIL  " + filepath.Join(dir, "headless.yaml") + ":11:1: headless: protocol headless is not allowed",
		"FAIL  " + filepath.Join(dir, "js.yaml") + ":11:1: javascript: protocol javascript is not allowed",
		"FAIL  " + filepath.Join(dir, "nocite.yaml") + ":10:14: info.metadata.telesra.hipaa:",
		"FAIL  " + filepath.Join(dir, "syntax.yaml") + ":2:",
		"1 valid, 4 invalid",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

// TestTemplatesValidateEmbedded: the embedded pack validates clean (what CI relies on).
func TestTemplatesValidateEmbedded(t *testing.T) {
	io, out, _ := testIO("", false)
	if err := templatesValidateRun(context.Background(), &TemplatesValidateOptions{IO: io}); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out.String(), " 0 invalid (telesra's embedded pack)") {
		t.Errorf("output: %s", out)
	}
}

// TestTemplatesListWithUserDir lists ours and the user's valid template as checks with their
// citations.
func TestTemplatesListWithUserDir(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "good.yaml"), goodTemplate)
	io, out, errOut := testIO("", false)
	if err := templatesListRun(&TemplatesListOptions{IO: io, Dir: dir, Format: "json"}); err != nil {
		t.Fatal(err)
	}
	var entries []templateEntry
	if err := json.Unmarshal(out.Bytes(), &entries); err != nil {
		t.Fatal(err)
	}
	var user bool
	for _, e := range entries {
		if !strings.HasPrefix(e.Check, "web.") || len(e.HIPAA) == 0 || len(e.Requests) == 0 {
			t.Errorf("entry %+v", e)
		}
		user = user || e.Check == "web.clinic-status-page" && e.UserSupplied
	}
	if !user || len(entries) < 31 {
		t.Errorf("%d entries, user template listed: %v", len(entries), user)
	}
	if errOut.Len() != 0 {
		t.Errorf("stderr: %s", errOut)
	}
}

// TestScanTemplatesFlag: --templates reaches the family options; a missing directory is bad
// input (exit 2) before anything is scanned.
func TestScanTemplatesFlag(t *testing.T) {
	io, _, _ := testIO("", false)
	f := &Factory{IO: io, Families: Families}
	var got *ScanOptions
	cmd := NewCmdScan(f, func(o *ScanOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--templates", "/nonexistent/templates", "127.0.0.1:8443"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Family.TemplatesDir != "/nonexistent/templates" {
		t.Errorf("TemplatesDir %q", got.Family.TemplatesDir)
	}
	_, err := Families(got.Family)
	if code := ExitCode(err); code != ExitUsage || !strings.Contains(err.Error(), "--templates") {
		t.Errorf("missing templates dir: exit %d (%v)", code, err)
	}
}

// TestDemoWebPortal: the demo's booking portal shows the web family's findings: missing security
// headers, the insecure session cookie and the published .git directory.
func TestDemoWebPortal(t *testing.T) {
	io, out, _ := testIO("", false)
	io.Quiet = true
	f := &Factory{IO: io, Now: time.Now, Version: "test", Resolver: checkstest.LoopbackResolver{}, Families: Families}
	o := &DemoOptions{Dir: t.TempDir(), Scan: ScanOptions{IO: io, Now: f.Now, Tool: f.Tool(), Resolver: f.Resolver, Registry: f.Registry}}
	if err := demoRun(context.Background(), o); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(o.Dir, "scan.json"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := checks.DecodeResult(data)
	if err != nil {
		t.Fatal(err)
	}
	var portal string
	for _, e := range res.Endpoints {
		if strings.HasPrefix(e.Target, "https://") {
			portal = e.Target
		}
	}
	got := checkstest.FindingsOf(res, portal)
	for _, want := range []string{"web.git-repository-exposed", "web.cookie-without-secure", "web.cookie-without-httponly",
		"web.missing-hsts", "web.missing-csp", "web.missing-x-frame-options"} {
		if !slices.Contains(got, want) {
			t.Errorf("demo booking portal %s: no %s (findings %v)", portal, want, got)
		}
	}
}
