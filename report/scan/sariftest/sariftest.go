// Package sariftest validates SARIF the way GitHub code scanning will read it, with Microsoft's
// SARIF Multitool and its GitHub rules, for the tests of every package that writes SARIF.
package sariftest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// multitool finds the SARIF Multitool's native binary: $SARIF_MULTITOOL, else the one npm
// installed globally (npm install -g @microsoft/sarif-multitool). Its npm wrapper runs the
// binary through a shell, which splits the "Gh;Sarif" argument, so the test calls it directly.
func multitool(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("SARIF_MULTITOOL"); p != "" {
		return p
	}
	if root, err := exec.Command("npm", "root", "-g").Output(); err == nil {
		ms := filepath.Join(strings.TrimSpace(string(root)), "@microsoft")
		for _, p := range []string{
			filepath.Join(ms, "sarif-multitool-linux", "Sarif.Multitool"),
			filepath.Join(ms, "sarif-multitool", "node_modules", "@microsoft", "sarif-multitool-linux", "Sarif.Multitool"),
		} {
			if st, err := os.Stat(p); err == nil && st.Mode()&0o100 != 0 {
				return p
			}
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("the SARIF Multitool is required (CI=true): npm install -g @microsoft/sarif-multitool@5.7.0 and chmod u+x its Sarif.Multitool (npm does not run its postinstall), or set $SARIF_MULTITOOL")
	}
	t.Skip("the SARIF Multitool is not installed; the test runs in CI")
	return ""
}

// multitoolConfig turns off SARIF2006, the one rule that fetches every URI in the log: tests
// send nothing beyond loopback.
const multitoolConfig = `<?xml version="1.0" encoding="utf-8"?>
<Properties>
  <Properties Key="SARIF2006.UrisMustBeReachable.Options">
    <Property Key="RuleEnabled" Value="Disabled" />
  </Properties>
</Properties>
`

// Multitool runs the SARIF Multitool with GitHub's rules (Gh) and the SARIF rules on data and
// returns the error and warning lines it reports.
func Multitool(t testing.TB, data []byte) []string {
	t.Helper()
	mt := multitool(t)
	dir := t.TempDir()
	in, cfg, out := filepath.Join(dir, "in.sarif"), filepath.Join(dir, "mt.xml"), filepath.Join(dir, "out.sarif")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte(multitoolConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"validate", "--rule-kind", "Gh;Sarif", "--level", "Error;Warning", "-c", cfg, "-o", out, in}
	cmd := exec.Command(mt, args...)
	cmd.Env = append(os.Environ(), "DOTNET_CLI_TELEMETRY_OPTOUT=1")
	text, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sarif-multitool: %v\n%s", err, text)
	}
	var bad []string
	for _, line := range strings.Split(string(text), "\n") {
		if strings.Contains(line, ": error ") || strings.Contains(line, ": warning ") {
			bad = append(bad, line)
		}
	}
	if !strings.Contains(string(text), "1 files scanned") {
		t.Fatalf("sarif-multitool validated nothing:\n%s", text)
	}
	return bad
}
