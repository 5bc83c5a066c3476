package mfa_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
)

// startXrdp runs Debian's xrdp in the foreground on a loopback port of its own, with a
// configuration in the test's temporary directory, and stops it when the test ends.
func startXrdp(t *testing.T, securityLayer string) string {
	t.Helper()
	bin := checkstest.RequireBinary(t, "xrdp")
	dir := t.TempDir()
	port := checkstest.FreePort(t)
	conf := fmt.Sprintf(`[Globals]
ini_version=1
fork=false
port=tcp://127.0.0.1:%d
security_layer=%s
crypt_level=high
certificate=
key_file=
[Logging]
LogFile=%s
LogLevel=INFO
EnableSyslog=false
EnableConsole=false
[Xorg]
name=Xorg
lib=libxup.so
username=ask
password=ask
ip=127.0.0.1
port=-1
code=20
`, port, securityLayer, filepath.Join(dir, "xrdp.log"))
	path := filepath.Join(dir, "xrdp.ini")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--nodaemon", "--config", path)
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start xrdp: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_, _ = cmd.Process.Wait()
	})
	checkstest.WaitForPort(t, port)
	return fmt.Sprintf("127.0.0.1:%d", port)
}

// TestRDPXrdpStandardSecurity: xrdp with security_layer=rdp selects PROTOCOL_RDP whatever the
// request offers (where the specification would refuse a TLS-only request). That is standard
// RDP security without NLA, reported by both checks, never a protocol mismatch.
func TestRDPXrdpStandardSecurity(t *testing.T) {
	addr := startXrdp(t, "rdp")
	target := "rdp://" + addr
	res := scanOne(t, target)
	tgt := target + "/"
	assertFindings(t, res, tgt, "mfa.rdp.no_nla", "mfa.rdp.standard_security")
	assertCompleted(t, res, tgt, "mfa.rdp.")
	for _, f := range res.Findings {
		if f.Confidence != checks.Confirmed || !strings.Contains(fmt.Sprint(f.Evidence), "PROTOCOL_RDP") {
			t.Errorf("%s: %s, evidence %v", f.Check, f.Confidence, f.Evidence)
		}
	}
}
