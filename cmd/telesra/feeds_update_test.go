package main

import (
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/telesra/telesra/checks/checkstest"
	"github.com/telesra/telesra/cmd/telesra/cli"
)

// TestFeedsUpdateThroughTheCLI: `telesra feeds update --mirror URL --ca-file PEM` against a
// 127.0.0.1 HTTPS mirror of the real feeds installs them; `feeds status` and `version` then print
// every source's date and age, and warn on stderr about sources past 30 days.
func TestFeedsUpdateThroughTheCLI(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	srv := httptest.NewTLSServer(http.FileServer(http.Dir(checkstest.SharedData(t))))
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "mirror.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	kbDir := t.TempDir()

	if code, _, stderr := runCLI(t, "feeds", "update", "--mirror", srv.URL, "--kb-dir", kbDir); code == cli.ExitOK || !strings.Contains(stderr, "certificate") {
		t.Errorf("an untrusted mirror: exit %d: %s", code, stderr)
	}
	code, out, stderr := runCLI(t, "feeds", "update", "--mirror", srv.URL, "--ca-file", ca, "--kb-dir", kbDir)
	if code != cli.ExitOK || !regexp.MustCompile(`(?m)^kev\s+2025-08-25\s+-\s+1404\s+0\s+https://127\.0\.0\.1`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^nginx\s+2026-08-19\s`).MatchString(out) {
		t.Fatalf("update: exit %d\n%s\n%s", code, out, stderr)
	}

	code, out, stderr = runCLI(t, "feeds", "status", "--kb-dir", kbDir)
	if code != cli.ExitOK || !strings.Contains(out, "AGE") || !regexp.MustCompile(`2025-08-25\s+\d+d\s+imported\s+1404`).MatchString(out) {
		t.Errorf("status: exit %d\n%s", code, out)
	}
	if !strings.Contains(stderr, "warning: knowledge base older than 30 days") {
		t.Errorf("status should warn about the old catalog: %s", stderr)
	}

	code, out, _ = runCLI(t, "version")
	if code != cli.ExitOK || !strings.Contains(out, "knowledge base:") ||
		!regexp.MustCompile(`2025-08-25\s+\d+d\s+embedded\s+CISA Known Exploited`).MatchString(out) {
		t.Errorf("version: exit %d\n%s", code, out)
	}
}

// TestFeedsImportRealKEV: `telesra feeds import` of CISA's published catalog reports its 1,404
// entries.
func TestFeedsImportRealKEV(t *testing.T) {
	file := filepath.Join(checkstest.SharedData(t, "kev"), "known_exploited_vulnerabilities.json")
	code, _, stderr := runCLI(t, "feeds", "import", "--kb-dir", t.TempDir(), file)
	if code != cli.ExitOK || !strings.Contains(stderr, "CISA Known Exploited Vulnerabilities catalog 2025.08.25 (2025-08-25): 1404 entries") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}
