package mfa_test

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
)

// TestOpenSSH scans real sshd instances and asserts the exact finding set of each, and that
// sshd saw no authentication method but "none".
func TestOpenSSH(t *testing.T) {
	cases := []struct {
		name    string
		auth    string
		want    []string
		methods []string
	}{
		{
			name:    "password",
			auth:    "PasswordAuthentication yes\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes",
			want:    []string{"mfa.ssh.password_auth"},
			methods: []string{"password", "publickey"},
		},
		{
			name:    "key only",
			auth:    "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes",
			want:    nil,
			methods: []string{"publickey"},
		},
		{
			name:    "keyboard-interactive only",
			auth:    "PasswordAuthentication no\nKbdInteractiveAuthentication yes\nPubkeyAuthentication no",
			want:    []string{"mfa.ssh.keyboard_interactive"},
			methods: []string{"keyboard-interactive"},
		},
		{
			name:    "key then OTP",
			auth:    "PasswordAuthentication no\nKbdInteractiveAuthentication yes\nPubkeyAuthentication yes\nAuthenticationMethods publickey,keyboard-interactive",
			want:    nil,
			methods: []string{"publickey"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			port, logPath := sshd(t, tc.auth)
			target := fmt.Sprintf("127.0.0.1:%d", port)
			res := scanOne(t, target)
			assertFindings(t, res, target, tc.want...)
			assertCompleted(t, res, target, "mfa.ssh.")
			for _, f := range res.Findings {
				got, _ := f.Evidence["methods"].([]string)
				if !slices.Equal(got, tc.methods) {
					t.Errorf("%s evidence methods = %v, want %v", f.Check, got, tc.methods)
				}
				if !strings.Contains(f.Title, strings.Join(tc.methods, ", ")) {
					t.Errorf("title %q does not name the methods offered", f.Title)
				}
				if f.Check == "mfa.ssh.keyboard_interactive" && (f.Confidence != checks.Potential || !strings.Contains(f.Detail, "OTP")) {
					t.Errorf("keyboard-interactive finding must be potential and mention an OTP prompt: %s %q", f.Confidence, f.Detail)
				}
				if f.Check == "mfa.ssh.password_auth" && f.Confidence != checks.Confirmed {
					t.Errorf("password finding confidence %s", f.Confidence)
				}
				if !slices.Contains(f.HIPAA, "164.312(d)") || !slices.Contains(f.HIPAA, "164.312(a)(1)") {
					t.Errorf("finding cites %v", f.HIPAA)
				}
			}
			// sshd logs each request after the probe has gone; give it a moment.
			deadline := time.Now().Add(5 * time.Second)
			var used []string
			for time.Now().Before(deadline) {
				if used = sshdMethods(t, logPath); len(used) > 0 {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			if len(used) == 0 {
				t.Fatal("sshd logged no authentication request: the probe did not ask")
			}
			for _, m := range used {
				if m != "none" {
					t.Errorf("sshd saw authentication method %q: the probe must only send none", m)
				}
			}
		})
	}
}

// TestSSHNoneAccepted: an x/crypto server that lets anyone in without credentials.
func TestSSHNoneAccepted(t *testing.T) {
	addr, j := goSSH(t, &ssh.ServerConfig{NoClientAuth: true})
	res := scanOne(t, addr)
	assertFindings(t, res, addr, "mfa.ssh.no_auth")
	f := finding(t, res, "mfa.ssh.no_auth")
	if f.Severity != checks.Critical || f.Confidence != checks.Confirmed {
		t.Errorf("no_auth: %s %s", f.Severity, f.Confidence)
	}
	if got := j.all(); !slices.Equal(got, []string{"none"}) {
		t.Errorf("server saw methods %v, want only none", got)
	}
}

// TestSSHServerRecordsNoCredential: a server offering every method records that the probe only
// ever asked with "none".
func TestSSHServerRecordsNoCredential(t *testing.T) {
	var pw, pk, ki int
	cfg := &ssh.ServerConfig{
		PasswordCallback: func(ssh.ConnMetadata, []byte) (*ssh.Permissions, error) {
			pw++
			return nil, fmt.Errorf("no")
		},
		PublicKeyCallback: func(ssh.ConnMetadata, ssh.PublicKey) (*ssh.Permissions, error) {
			pk++
			return nil, fmt.Errorf("no")
		},
		KeyboardInteractiveCallback: func(ssh.ConnMetadata, ssh.KeyboardInteractiveChallenge) (*ssh.Permissions, error) {
			ki++
			return nil, fmt.Errorf("no")
		},
	}
	addr, j := goSSH(t, cfg)
	res := scanOne(t, addr)
	assertFindings(t, res, addr, "mfa.ssh.password_auth")
	if got := finding(t, res, "mfa.ssh.password_auth").Evidence["methods"]; !slices.Equal(got.([]string), []string{"keyboard-interactive", "password", "publickey"}) {
		t.Errorf("methods %v", got)
	}
	if pw+pk+ki != 0 || !slices.Equal(j.all(), []string{"none"}) {
		t.Errorf("server saw password %d, publickey %d, keyboard-interactive %d attempts; log %v", pw, pk, ki, j.all())
	}
}

// TestSSHHostile: servers that misbehave end with an error attempt of a clear reason within the
// budget, never with a finding and never with a pass.
func TestSSHHostile(t *testing.T) {
	cases := []struct {
		name   string
		handle func(c net.Conn)
		reason checks.Reason
	}{
		{"endless banner", func(c net.Conn) {
			c.Write([]byte("SSH-2.0-"))
			chunk := []byte(strings.Repeat("A", 1024))
			for i := 0; i < 10000; i++ { // bounded: 10 MB at most
				if _, err := c.Write(chunk); err != nil {
					return
				}
			}
		}, checks.ReasonProtocolMismatch},
		{"banner without newline", func(c net.Conn) {
			c.Write([]byte("SSH-2.0-OpenSSH_9.6"))
			buf := make([]byte, 4096)
			for {
				if _, err := c.Read(buf); err != nil {
					return
				}
			}
		}, checks.ReasonTimeout},
		{"malformed KEXINIT", func(c net.Conn) {
			c.Write([]byte("SSH-2.0-OpenSSH_9.6\r\n"))
			// A binary packet claiming to be KEXINIT (type 20) whose name-lists run past its end.
			c.Write([]byte{0, 0, 0, 28, 4, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0xff, 0xff, 0xff, 0xff, 'x', 'y', 0, 0, 0, 0})
			buf := make([]byte, 4096)
			for {
				if _, err := c.Read(buf); err != nil {
					return
				}
			}
		}, checks.ReasonProtocolMismatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := serve(t, tc.handle)
			start := time.Now()
			res := checkstest.ScanWith(t, checks.Options{Checks: mfaChecks(), IOTimeout: time.Second, ProbeTimeout: 10 * time.Second}, addr)
			if d := time.Since(start); d > 12*time.Second {
				t.Errorf("scan took %s, past the budget", d)
			}
			assertFindings(t, res, addr)
			for _, id := range []string{"mfa.ssh.password_auth", "mfa.ssh.keyboard_interactive", "mfa.ssh.no_auth"} {
				a, ok := checkstest.Attempt(res, id, addr)
				if !ok {
					t.Fatalf("no attempt of %s (endpoints %+v)", id, res.Endpoints)
				}
				if a.Status != checks.StatusError || a.Reason != tc.reason {
					t.Errorf("%s: %s %s (%s), want error %s", id, a.Status, a.Reason, a.Error, tc.reason)
				}
			}
		})
	}
}
