package tls

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/telesra/telesra/checks/checkstest"
)

// startDovecot runs Debian's Dovecot in the foreground with IMAPS on a loopback port of its own:
// a configuration in the test's temporary directory, a self-signed RSA certificate and no DH
// parameters (ssl_dh unset), so a handshake in which it picks a DHE suite ends with a silent
// close ("Diffie-Hellman key exchange requested, but no DH parameters provided").
func startDovecot(t *testing.T) int {
	t.Helper()
	bin := checkstest.RequireBinary(t, "dovecot")
	ossl := checkstest.RequireBinary(t, "openssl")
	dir := t.TempDir()
	if out, err := exec.Command(ossl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", filepath.Join(dir, "key.pem"),
		"-out", filepath.Join(dir, "cert.pem"), "-days", "2", "-subj", "/CN=mail.clinic.test").CombinedOutput(); err != nil {
		t.Fatalf("certificate: %v: %s", err, out)
	}
	port := checkstest.FreePort(t)
	conf := fmt.Sprintf(`protocols = imap
listen = 127.0.0.1
base_dir = %[1]s/run
state_dir = %[1]s/state
instance_name = telesra-test-%[2]d
log_path = %[1]s/dovecot.log
ssl = yes
ssl_cert = <%[1]s/cert.pem
ssl_key = <%[1]s/key.pem
mail_location = maildir:%[1]s/mail
passdb {
  driver = static
  args = password=unused
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=%[1]s/home
}
service imap-login {
  chroot =
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = %[2]d
    ssl = yes
  }
}
service anvil {
  chroot =
}
`, dir, port)
	path := filepath.Join(dir, "dovecot.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-F", "-c", path)
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dovecot: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_, _ = cmd.Process.Wait()
	})
	checkstest.WaitForPort(t, port)
	return port
}

// opensslAccepted is the oracle: the suites `openssl s_client` completes a handshake with, one
// suite at a time, among those OpenSSL enables for the version and an RSA certificate allows.
func opensslAccepted(t *testing.T, port int, version string) []uint16 {
	t.Helper()
	bin := checkstest.RequireBinary(t, "openssl")
	var out []uint16
	all := "ALL:COMPLEMENTOFALL"
	if version == "tls1_3" {
		all = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256"
	}
	for _, id := range opensslSuites(t, version, all, "RSA") {
		name := opensslName(t, id)
		args := []string{"s_client", "-connect", fmt.Sprintf("127.0.0.1:%d", port), "-" + version}
		if version == "tls1_3" {
			args = append(args, "-ciphersuites", name)
		} else {
			args = append(args, "-cipher", name+":@SECLEVEL=0")
		}
		cmd := exec.Command(bin, args...)
		cmd.Stdin = strings.NewReader("")
		b, _ := cmd.CombinedOutput()
		if strings.Contains(string(b), "Cipher is "+name) {
			out = append(out, id)
		}
	}
	return out
}

// opensslName is OpenSSL's name for a suite.
func opensslName(t *testing.T, id uint16) string {
	t.Helper()
	s := LookupSuite(id)
	if s.TLS13 {
		return s.Name
	}
	b, err := exec.Command("openssl", "ciphers", "-stdname", "ALL:COMPLEMENTOFALL:@SECLEVEL=0").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) >= 3 && f[0] == s.Name {
			return f[2]
		}
	}
	t.Fatalf("no OpenSSL name for %s", s.Name)
	return ""
}

// TestEnumSilentCloseOnUnservableSuite: Dovecot without DH parameters hangs up, without an
// alert, when the client's order makes it pick a DHE suite. The enumeration drops what fails and
// carries on, listing exactly the suites openssl s_client completes a handshake with.
func TestEnumSilentCloseOnUnservableSuite(t *testing.T) {
	port := startDovecot(t)
	target := fmt.Sprintf("127.0.0.1:%d", port)
	fam, err := Family(Options{})
	if err != nil {
		t.Fatal(err)
	}
	res := checkstest.Scan(t, fam.Checks, target)
	v := verdictsByTarget(t, res)[target]
	if v == nil || v.Report == nil {
		t.Fatalf("no TLS verdict: %v", errorAttempts(res, target))
	}
	for _, ver := range []struct {
		name string
		v    uint16
	}{{"tls1_2", versionTLS12}, {"tls1_3", versionTLS13}} {
		want := opensslAccepted(t, port, ver.name)
		var got []uint16
		if p := v.Report.Protocol(ver.v); p != nil {
			for _, s := range p.Suites {
				got = append(got, s.ID)
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("%s suites\n telesra:        %v\n openssl s_client: %v", ver.name, names(got), names(want))
		}
	}
	for _, p := range v.Report.Protocols {
		if strings.Contains(p.Note, "large ClientHellos") {
			t.Errorf("%s: %s", p.Name, p.Note)
		}
	}
}
