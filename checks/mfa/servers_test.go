package mfa_test

// Test servers on 127.0.0.1: OpenSSH and nginx started by the tests, and small Go responders
// that follow the RFCs of SMTP, IMAP, POP3, FTP, telnet, RFB and RDP negotiation. Every responder
// records what the client sent, so the tests can assert that no credential ever arrives.

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
	"github.com/telesra/telesra/checks/mfa"
)

// journal records what clients sent to a test server.
type journal struct {
	mu    sync.Mutex
	lines []string
}

func (j *journal) add(format string, args ...any) {
	j.mu.Lock()
	j.lines = append(j.lines, fmt.Sprintf(format, args...))
	j.mu.Unlock()
}

func (j *journal) all() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]string(nil), j.lines...)
}

// serve accepts connections on a loopback port and runs handle on each, with a 20 s deadline so
// that no test server outlives a confused client. It returns "127.0.0.1:port".
func serve(t *testing.T, handle func(c net.Conn)) string {
	t.Helper()
	return checkstest.ServeTCP(t, 20*time.Second, handle)
}

// mfaChecks is the family's checks without a recognizer.
func mfaChecks() []*checks.Check { return mfa.Family(mfa.Options{}).Checks }

// scanOne scans one target with the mfa checks and returns the result.
func scanOne(t *testing.T, target string) *checks.Result {
	t.Helper()
	return checkstest.Scan(t, mfaChecks(), target)
}

// assertFindings compares the set of check IDs found on target (keys of several findings of one
// check appear once per finding).
func assertFindings(t *testing.T, res *checks.Result, target string, want ...string) {
	t.Helper()
	got := checkstest.FindingsOf(res, target)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("findings on %s = %v, want %v", target, got, want)
		for _, f := range res.Findings {
			t.Logf("  %s %s %s: %s", f.Check, f.Severity, f.Confidence, f.Title)
		}
		for _, a := range res.Attempts {
			if a.Status == checks.StatusError {
				t.Logf("  attempt %s %s: %s (%s)", a.Check, a.Status, a.Reason, a.Error)
			}
		}
		for _, e := range res.Endpoints {
			t.Logf("  endpoint %s %s %v %s", e.Target, e.Status, e.Service, e.Error)
		}
	}
}

// finding returns the finding of check on target.
func finding(t *testing.T, res *checks.Result, check string) checks.Finding {
	t.Helper()
	for _, f := range res.Findings {
		if f.Check == check {
			return f
		}
	}
	t.Fatalf("no %s finding", check)
	return checks.Finding{}
}

// assertCompleted checks that every applicable mfa attempt on target completed (no silent error
// hiding behind an empty finding list).
func assertCompleted(t *testing.T, res *checks.Result, target string, prefix string) {
	t.Helper()
	n := 0
	for _, a := range res.Attempts {
		if a.Target != target || !strings.HasPrefix(a.Check, prefix) {
			continue
		}
		n++
		if a.Status != checks.StatusCompleted {
			t.Errorf("attempt %s on %s: %s %s (%s)", a.Check, target, a.Status, a.Reason, a.Error)
		}
	}
	if n == 0 {
		t.Errorf("no %s attempt on %s", prefix, target)
	}
}

// selfSigned writes a self-signed certificate for 127.0.0.1/localhost into dir and returns the
// paths and a TLS config serving it.
func selfSigned(t testing.TB, dir string) (certPath, keyPath string, cfg *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}))
	if err != nil {
		t.Fatal(err)
	}
	return certPath, keyPath, &tls.Config{Certificates: []tls.Certificate{pair}}
}

// sshd starts OpenSSH on a free loopback port with the given authentication settings, its own
// host key and a debug log, and returns the port and the log's path. It runs in the foreground
// (-D) and is killed when the test ends.
func sshd(t *testing.T, auth string) (int, string) {
	t.Helper()
	bin := checkstest.RequireBinary(t, "sshd")
	// OpenSSH refuses to start without its privilege separation directory.
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Fatalf("sshd needs /run/sshd: %v", err)
	}
	dir := t.TempDir()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	blk, err := ssh.MarshalPrivateKey(priv, "telesra test host key")
	if err != nil {
		t.Fatal(err)
	}
	hostKey := filepath.Join(dir, "host_ed25519")
	if err := os.WriteFile(hostKey, pem.EncodeToMemory(blk), 0o600); err != nil {
		t.Fatal(err)
	}
	port := checkstest.FreePort(t)
	logPath := filepath.Join(dir, "sshd.log")
	conf := fmt.Sprintf(`Port %d
ListenAddress 127.0.0.1
HostKey %s
PidFile none
UsePAM no
StrictModes no
LogLevel DEBUG1
MaxStartups 50
%s
`, port, hostKey, auth)
	cfgPath := filepath.Join(dir, "sshd_config")
	if err := os.WriteFile(cfgPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-D", "-f", cfgPath, "-E", logPath)
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sshd: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_, _ = cmd.Process.Wait()
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			logs, _ := os.ReadFile(logPath)
			t.Fatalf("sshd did not listen on %d: %s %s", port, out, logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return port, logPath
}

var sshdMethodRE = regexp.MustCompile(`userauth-request for user \S+ service \S+ method (\S+)`)

// sshdMethods returns the authentication methods clients used, from sshd's debug log.
func sshdMethods(t *testing.T, logPath string) []string {
	t.Helper()
	b, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range sshdMethodRE.FindAllStringSubmatch(string(b), -1) {
		out = append(out, m[1])
	}
	return out
}

// goSSH starts an x/crypto SSH server configured by cfg (host key added here) that never opens
// a session; it records every authentication attempt's method.
func goSSH(t *testing.T, cfg *ssh.ServerConfig) (string, *journal) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	cfg.AddHostKey(signer)
	j := &journal{}
	cfg.AuthLogCallback = func(_ ssh.ConnMetadata, method string, _ error) { j.add("%s", method) }
	addr := serve(t, func(c net.Conn) {
		sc, chans, reqs, err := ssh.NewServerConn(c, cfg)
		if err != nil {
			return
		}
		go ssh.DiscardRequests(reqs)
		for nc := range chans {
			_ = nc.Reject(ssh.Prohibited, "test server")
		}
		sc.Close()
	})
	return addr, j
}

// lineServer runs a line-protocol responder: greet is sent first; then each line the client
// sends is recorded and answered by reply (nil: close).
func lineServer(t *testing.T, greet string, reply func(line string, w *bufio.Writer) bool) (string, *journal) {
	t.Helper()
	j := &journal{}
	addr := serve(t, func(c net.Conn) {
		w := bufio.NewWriter(c)
		r := bufio.NewReader(c)
		w.WriteString(greet)
		w.Flush()
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				return
			}
			l = strings.TrimRight(l, "\r\n")
			j.add("%s", l)
			more := reply(l, w)
			w.Flush()
			if !more {
				return
			}
		}
	})
	return addr, j
}

// credentialCommands are the commands that would carry a credential in the line protocols.
var credentialCommands = regexp.MustCompile(`(?i)^(AUTH\b|[a-z0-9]+ (LOGIN|AUTHENTICATE)\b|USER\b|PASS\b|APOP\b)`)

// assertNoCredentials fails if a client sent any credential-bearing command, except the FTP
// anonymous login the mfa.legacy.ftp check is allowed to try.
func assertNoCredentials(t *testing.T, j *journal) {
	t.Helper()
	for _, l := range j.all() {
		if l == "USER anonymous" || l == "PASS telesra@example.invalid" {
			continue
		}
		if credentialCommands.MatchString(l) {
			t.Errorf("a credential command reached the server: %q", l)
		}
	}
}
