package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
)

// fixtures of the patch family's feed tests.
const feedFixtures = "../../../checks/patch/testdata/feeds"

func TestFeedsImportFlags(t *testing.T) {
	var got *FeedsImportOptions
	f := testFactory(&bytes.Buffer{}, &bytes.Buffer{})
	cmd := NewCmdFeedsImport(f, func(o *FeedsImportOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--kind", "endoflife", "--product", "debian", "--kb-dir", "/tmp/kb", "export.json"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.File != "export.json" || got.Kind != "endoflife" || got.Product != "debian" || got.KBDir != "/tmp/kb" {
		t.Errorf("options %+v", got)
	}
	if code, _, stderr := runArgs(t, "feeds", "import"); code != ExitUsage {
		t.Errorf("no FILE: exit %d (%s), want %d", code, stderr, ExitUsage)
	}
	if code, _, stderr := runArgs(t, "feeds", "import", "--kind", "nvd", "x.json"); code != ExitUsage || !strings.Contains(stderr, "--kind") {
		t.Errorf("bad kind: exit %d %s", code, stderr)
	}
	if code, _, stderr := runArgs(t, "feeds", "import", filepath.Join(t.TempDir(), "missing.json")); code != ExitUsage || !strings.Contains(stderr, "missing.json") {
		t.Errorf("missing file: exit %d %s", code, stderr)
	}
}

// sshBanner serves an SSH identification string on 127.0.0.1 until the test ends.
func sshBanner(t *testing.T, banner string) string { return checkstest.BannerServer(t, banner) }

// scanChecks scans a target with the patch family through the CLI and returns the checks of its
// findings with their titles.
func scanChecks(t *testing.T, target string) []string {
	t.Helper()
	code, out, stderr := runArgs(t, "-q", "scan", "--checks", "patch", "-f", "json", target)
	if code != ExitOK {
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
	code, _, stderr := runArgs(t, "feeds", "import", fixture)
	if code != ExitOK || !strings.Contains(stderr, "Imported CISA Known Exploited Vulnerabilities catalog 2026.11.20") {
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

	code, out, _ := runArgs(t, "feeds", "status")
	if code != ExitOK || !strings.Contains(out, "2026-11-20") || !strings.Contains(out, "imported") || !strings.Contains(out, "embedded") {
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
	code, _, stderr = runArgs(t, "feeds", "import", cut)
	if code != ExitUsage || !strings.Contains(stderr, cut+":") || !strings.Contains(stderr, "truncated") {
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
	if code, _, stderr := runArgs(t, "feeds", "import", "--kb-dir", dir, filepath.Join(feedFixtures, "kev-fixture.json")); code != ExitOK {
		t.Fatalf("import: %s", stderr)
	}
	target := "ssh://" + sshBanner(t, "SSH-2.0-OpenSSH_8.5p1")
	code, out, stderr := runArgs(t, "-q", "scan", "--checks", "patch", "-f", "json", "--kb-dir", dir, target)
	if code != ExitOK {
		t.Fatalf("scan: %s", stderr)
	}
	if !strings.Contains(out, `"check": "patch.kev"`) {
		t.Errorf("--kb-dir was not used:\n%s", out)
	}
}

// runArgs is run for tests that read the three results apart.
func runArgs(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	r := run(t, nil, args...)
	return r.code, r.stdout, r.stderr
}
