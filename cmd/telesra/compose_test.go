package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
	"github.com/telesra/telesra/cmd/telesra/cli"
	"github.com/telesra/telesra/cmd/telesra/workspace"
)

// These tests need every check family, the web family's nuclei engine included, so they live
// with the composition; the command line's own tests (package cli) build without nuclei.

var update = flag.Bool("update", false, "rewrite golden files (docs/checks.md)")

// fixtures of the patch family's feed tests.
const feedFixtures = "../../checks/patch/testdata/feeds"

// runCLI runs the composed program in-process with captured streams, no terminal and the
// loopback resolver, and returns the exit code as main would.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	f := newFactory("test")
	f.IO = &cli.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut,
		Getenv: func(string) string { return "" }, Width: func() int { return 0 }}
	f.Resolver = checkstest.LoopbackResolver{}
	cmd := cli.NewCmdRoot(f)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	if err != nil {
		errOut.WriteString("telesra: " + err.Error() + "\n")
	}
	return cli.ExitCode(err), out.String(), errOut.String()
}

// TestCAFileFlag: --ca-file reaches the TLS family, and a bad file is a usage error (exit 2)
// naming the file and line.
func TestCAFileFlag(t *testing.T) {
	var got *cli.ScanOptions
	cmd := cli.NewCmdScan(newFactory("test"), func(o *cli.ScanOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--ca-file", "internal-ca.pem", "127.0.0.1:443"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Family.CAFile != "internal-ca.pem" {
		t.Errorf("FamilyOptions.CAFile = %q", got.Family.CAFile)
	}
	bad := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(bad, []byte("# clinic CA\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := newFactory("test").Registry(cli.FamilyOptions{CAFile: bad})
	var ue *cli.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "ca.pem:2:") || cli.ExitCode(err) != cli.ExitUsage {
		t.Errorf("bad --ca-file: %v (exit %d), want a usage error naming ca.pem:2", err, cli.ExitCode(err))
	}
}

func TestChecksCatalogMatchesDocs(t *testing.T) {
	code, stdout, stderr := runCLI(t, "checks", "list", "--format", "markdown")
	if code != 0 {
		t.Fatal(stderr)
	}
	path := "../../docs/checks.md"
	if *update {
		if err := os.WriteFile(path, []byte(stdout), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != stdout {
		t.Error("docs/checks.md is out of date: run `go run ./cmd/telesra checks list --format markdown > docs/checks.md`")
	}
	_, table, _ := runCLI(t, "checks", "list")
	if !strings.Contains(table, "transport.cleartext_http") {
		t.Errorf("checks list: %s", table)
	}
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

	code, got, stderr := runCLI(t, "templates", "validate", dir)
	if code != cli.ExitUsage {
		t.Fatalf("exit %d (%s), want %d", code, stderr, cli.ExitUsage)
	}
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
	code, out, stderr := runCLI(t, "templates", "validate")
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s\n%s", code, stderr, out)
	}
	if !strings.Contains(out, " 0 invalid (telesra's embedded pack)") {
		t.Errorf("output: %s", out)
	}
}

// TestTemplatesListWithUserDir lists ours and the user's valid template as checks with their
// citations.
func TestTemplatesListWithUserDir(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "good.yaml"), goodTemplate)
	code, out, errOut := runCLI(t, "templates", "list", "--templates", dir, "--format", "json")
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var entries []cli.TemplateInfo
	if err := json.Unmarshal([]byte(out), &entries); err != nil {
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
	if errOut != "" {
		t.Errorf("stderr: %s", errOut)
	}
}

// TestScanTemplatesFlag: --templates reaches the family options; a missing directory is bad
// input (exit 2) before anything is scanned.
func TestScanTemplatesFlag(t *testing.T) {
	var got *cli.ScanOptions
	cmd := cli.NewCmdScan(newFactory("test"), func(o *cli.ScanOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--templates", "/nonexistent/templates", "127.0.0.1:8443"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Family.TemplatesDir != "/nonexistent/templates" {
		t.Errorf("TemplatesDir %q", got.Family.TemplatesDir)
	}
	_, err := newFactory("test").Families(got.Family)
	if code := cli.ExitCode(err); code != cli.ExitUsage || !strings.Contains(err.Error(), "--templates") {
		t.Errorf("missing templates dir: exit %d (%v)", code, err)
	}
}

// TestDemoWebPortal: the demo's booking portal shows the web family's findings: missing security
// headers, the insecure session cookie and the published .git directory.
func TestDemoWebPortal(t *testing.T) {
	dir := t.TempDir()
	if code, out, stderr := runCLI(t, "-q", "demo", "--force", dir); code != cli.ExitOK {
		t.Fatalf("demo: exit %d: %s\n%s", code, stderr, out)
	}
	data, err := os.ReadFile(workspace.At(dir).ScanPath())
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

func TestFeedsImportFlags(t *testing.T) {
	var got *cli.FeedsImportOptions
	cmd := cli.NewCmdFeedsImport(newFactory("test"), func(o *cli.FeedsImportOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--kind", "endoflife", "--product", "debian", "--kb-dir", "/tmp/kb", "export.json"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.File != "export.json" || got.Kind != "endoflife" || got.Product != "debian" || got.KBDir != "/tmp/kb" {
		t.Errorf("options %+v", got)
	}
	if code, _, stderr := runCLI(t, "feeds", "import"); code != cli.ExitUsage {
		t.Errorf("no FILE: exit %d (%s), want %d", code, stderr, cli.ExitUsage)
	}
	if code, _, stderr := runCLI(t, "feeds", "import", "--kind", "nvd", "x.json"); code != cli.ExitUsage || !strings.Contains(stderr, "--kind") {
		t.Errorf("bad kind: exit %d %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "feeds", "import", filepath.Join(t.TempDir(), "missing.json")); code != cli.ExitUsage || !strings.Contains(stderr, "missing.json") {
		t.Errorf("missing file: exit %d %s", code, stderr)
	}
}

// sshBanner serves an SSH identification string on 127.0.0.1 until the test ends.
func sshBanner(t *testing.T, banner string) string { return checkstest.BannerServer(t, banner) }

// scanChecks scans a target with the patch family through the CLI and returns the checks of its
// findings with their titles.
func scanChecks(t *testing.T, target string) []string {
	t.Helper()
	code, out, stderr := runCLI(t, "-q", "scan", "--checks", "patch", "-f", "json", target)
	if code != cli.ExitOK {
		t.Fatalf("scan: exit %d: %s", code, stderr)
	}
	res, err := checks.DecodeResult([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Check+" "+f.Title)
	}
	return got
}

func hasFinding(got []string, check, cve string) bool {
	for _, g := range got {
		if strings.HasPrefix(g, check+" ") && strings.Contains(g, cve) {
			return true
		}
	}
	return false
}

// TestFeedsImportChangesVerdicts runs `telesra feeds import` on a KEV-format file and shows the
// next scan judging with it: regreSSHion on a vendor OpenSSH build turns from patch.cve into
// patch.kev. A truncated download afterwards is refused (exit 2, file:line) and changes nothing.
func TestFeedsImportChangesVerdicts(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	target := "ssh://" + sshBanner(t, "SSH-2.0-OpenSSH_8.5p1")

	before := scanChecks(t, target)
	if !hasFinding(before, "patch.cve", "CVE-2024-6387") || hasFinding(before, "patch.kev", "CVE-2024-6387") {
		t.Fatalf("before the import: %v", before)
	}

	fixture := filepath.Join(feedFixtures, "kev-fixture.json")
	code, _, stderr := runCLI(t, "feeds", "import", fixture)
	if code != cli.ExitOK || !strings.Contains(stderr, "Imported CISA Known Exploited Vulnerabilities catalog 2026.11.20") {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	kev := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "telesra", "kb", "kev.yaml")
	if fi, err := os.Stat(kev); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s: %v %v", kev, fi, err)
	}

	after := scanChecks(t, target)
	if !hasFinding(after, "patch.kev", "CVE-2024-6387") || hasFinding(after, "patch.cve", "CVE-2024-6387") {
		t.Fatalf("after the import: %v", after)
	}

	code, out, _ := runCLI(t, "feeds", "status")
	if code != cli.ExitOK || !strings.Contains(out, "2026-11-20") || !strings.Contains(out, "imported") || !strings.Contains(out, "embedded") {
		t.Errorf("status: exit %d\n%s", code, out)
	}

	// A truncated download: clear error naming the file and line, knowledge base untouched.
	saved, _ := os.ReadFile(kev)
	data, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "known_exploited_vulnerabilities.json")
	if err := os.WriteFile(cut, data[:len(data)*2/3], 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI(t, "feeds", "import", cut)
	if code != cli.ExitUsage || !strings.Contains(stderr, cut+":") || !strings.Contains(stderr, "truncated") {
		t.Errorf("truncated feed: exit %d: %s", code, stderr)
	}
	if now, _ := os.ReadFile(kev); !bytes.Equal(now, saved) {
		t.Error("a failed import changed the knowledge base")
	}
	if again := scanChecks(t, target); !hasFinding(again, "patch.kev", "CVE-2024-6387") {
		t.Errorf("after the failed import the previous import must still apply: %v", again)
	}
}

// TestScanKBDirFlag: --kb-dir points a scan at another knowledge base (a consultant's shared copy).
func TestScanKBDirFlag(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := t.TempDir()
	if code, _, stderr := runCLI(t, "feeds", "import", "--kb-dir", dir, filepath.Join(feedFixtures, "kev-fixture.json")); code != cli.ExitOK {
		t.Fatalf("import: %s", stderr)
	}
	target := "ssh://" + sshBanner(t, "SSH-2.0-OpenSSH_8.5p1")
	code, out, stderr := runCLI(t, "-q", "scan", "--checks", "patch", "-f", "json", "--kb-dir", dir, target)
	if code != cli.ExitOK {
		t.Fatalf("scan: %s", stderr)
	}
	if !strings.Contains(out, `"check": "patch.kev"`) {
		t.Errorf("--kb-dir was not used:\n%s", out)
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
