package mfa_test

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
)

// telnetServer negotiates options like a Linux telnetd (IAC DO TERMINAL-TYPE, WILL ECHO, WILL
// SUPPRESS-GO-AHEAD), prints a banner and then prompt, and records every byte that is not a
// telnet negotiation: a probe must type nothing.
func telnetServer(t *testing.T, prompt string) (string, *journal) {
	t.Helper()
	j := &journal{}
	addr := serve(t, func(c net.Conn) {
		c.Write([]byte{255, 253, 24, 255, 253, 32, 255, 253, 35, 255, 253, 39})
		time.Sleep(50 * time.Millisecond)
		c.Write([]byte{255, 251, 1, 255, 251, 3})
		c.Write([]byte("\r\nUbuntu 22.04 LTS\r\n" + prompt))
		buf := make([]byte, 1024)
		for {
			n, err := c.Read(buf)
			b := buf[:n]
			for len(b) >= 3 && b[0] == 255 {
				j.add("negotiation % x", b[:3])
				b = b[3:]
			}
			if len(b) > 0 {
				j.add("typed %q", b)
			}
			if err != nil {
				return
			}
		}
	})
	return addr, j
}

func TestTelnet(t *testing.T) {
	cases := []struct {
		name       string
		prompt     string
		confidence checks.Confidence
	}{
		{"login prompt", "clinic-router login: ", checks.Confirmed},
		{"no prompt", "Main menu\r\n1) status\r\n", checks.Potential},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr, j := telnetServer(t, tc.prompt)
			target := "telnet://" + addr
			res := scanOne(t, target)
			assertFindings(t, res, target+"/", "mfa.legacy.telnet")
			assertCompleted(t, res, target+"/", "mfa.legacy.telnet")
			f := finding(t, res, "mfa.legacy.telnet")
			if f.Confidence != tc.confidence {
				t.Errorf("confidence %s, want %s (%s)", f.Confidence, tc.confidence, f.Title)
			}
			for _, l := range j.all() {
				if strings.HasPrefix(l, "typed") {
					t.Errorf("the probe typed into the telnet session: %s", l)
				}
			}
		})
	}
}

// ftpServer follows RFC 959/2389/4217: FEAT lists feats; anonymous decides whether USER
// anonymous logs in; tlsRequired refuses USER before AUTH TLS (as vsftpd's force_*_ssl do).
func ftpServer(t *testing.T, feats []string, anonymous, tlsRequired bool, implicit *tls.Config) (string, *journal) {
	t.Helper()
	j := &journal{}
	addr := serve(t, func(c net.Conn) {
		var conn net.Conn = c
		if implicit != nil {
			tc := tls.Server(c, implicit)
			if tc.Handshake() != nil {
				return
			}
			conn = tc
		}
		r, w := bufio.NewReader(conn), bufio.NewWriter(conn)
		w.WriteString("220 (vsFTPd 3.0.5)\r\n")
		w.Flush()
		user := ""
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				return
			}
			l = strings.TrimRight(l, "\r\n")
			j.add("%s", l)
			cmd, arg, _ := strings.Cut(l, " ")
			switch strings.ToUpper(cmd) {
			case "FEAT":
				w.WriteString("211-Features:\r\n")
				for _, f := range feats {
					w.WriteString(" " + f + "\r\n")
				}
				w.WriteString("211 End\r\n")
			case "USER":
				user = arg
				switch {
				case tlsRequired && implicit == nil:
					w.WriteString("530 Non-anonymous sessions must use encryption.\r\n")
				case strings.EqualFold(arg, "anonymous") && !anonymous:
					w.WriteString("530 This FTP server does not allow anonymous logins.\r\n")
				default:
					w.WriteString("331 Please specify the password.\r\n")
				}
			case "PASS":
				if strings.EqualFold(user, "anonymous") && anonymous {
					w.WriteString("230 Login successful.\r\n")
				} else {
					w.WriteString("530 Login incorrect.\r\n")
				}
			case "QUIT":
				w.WriteString("221 Goodbye.\r\n")
				w.Flush()
				return
			default:
				w.WriteString("500 Unknown command.\r\n")
			}
			w.Flush()
		}
	})
	return addr, j
}

func TestFTP(t *testing.T) {
	_, _, tlsCfg := selfSigned(t, t.TempDir())
	cases := []struct {
		name        string
		feats       []string
		anonymous   bool
		tlsRequired bool
		implicit    bool
		want        map[string]checks.Severity // finding key (title word) -> severity
	}{
		{"cleartext with anonymous", []string{"EPRT", "EPSV", "MDTM", "PASV", "REST STREAM", "SIZE", "TVFS", "UTF8"}, true, false, false,
			map[string]checks.Severity{"cleartext": checks.High, "anonymous": checks.High}},
		{"TLS offered, not required", []string{"AUTH TLS", "PBSZ", "PROT", "EPSV", "PASV", "UTF8"}, false, false, false,
			map[string]checks.Severity{"not seen required": checks.High}},
		{"TLS required", []string{"AUTH TLS", "PBSZ", "PROT", "EPSV", "PASV", "UTF8"}, false, true, false,
			map[string]checks.Severity{"TLS required": checks.Medium}},
		{"implicit FTPS with anonymous", []string{"PBSZ", "PROT", "EPSV", "PASV", "UTF8"}, true, false, true,
			map[string]checks.Severity{"TLS required": checks.Medium, "anonymous": checks.High}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var implicit *tls.Config
			scheme := "ftp://"
			if tc.implicit {
				implicit, scheme = tlsCfg, "ftps://"
			}
			addr, j := ftpServer(t, tc.feats, tc.anonymous, tc.tlsRequired, implicit)
			target := scheme + addr
			res := scanOne(t, target)
			var want []string
			for range tc.want {
				want = append(want, "mfa.legacy.ftp")
			}
			assertFindings(t, res, target+"/", want...)
			assertCompleted(t, res, target+"/", "mfa.legacy.ftp")
			for _, f := range res.Findings {
				matched := false
				for key, sev := range tc.want {
					if strings.Contains(f.Title, key) {
						matched = true
						if f.Severity != sev {
							t.Errorf("%q: severity %s, want %s", f.Title, f.Severity, sev)
						}
					}
				}
				if !matched {
					t.Errorf("unexpected finding %q", f.Title)
				}
			}
			// Only the anonymous user, with its placeholder address, is ever tried.
			assertNoCredentials(t, j)
			for _, l := range j.all() {
				if strings.HasPrefix(strings.ToUpper(l), "USER ") && l != "USER anonymous" {
					t.Errorf("probe tried user %q", l)
				}
			}
		})
	}
}

// vncServer speaks RFB (RFC 6143 7.1.1-7.1.2) at the given version with the given security
// types, and records whether the client chose a type or sent anything past its version.
func vncServer(t *testing.T, version string, types []byte) (string, *journal) {
	t.Helper()
	j := &journal{}
	addr := serve(t, func(c net.Conn) {
		c.Write([]byte(version))
		var v [12]byte
		if _, err := io.ReadFull(c, v[:]); err != nil {
			return
		}
		j.add("version %q", v[:])
		if version == "RFB 003.003\n" {
			c.Write([]byte{0, 0, 0, types[0]})
		} else {
			c.Write(append([]byte{byte(len(types))}, types...))
		}
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		if b, _ := io.ReadAll(io.LimitReader(c, 64)); len(b) > 0 {
			j.add("after types % x", b)
		}
	})
	return addr, j
}

func TestVNC(t *testing.T) {
	cases := []struct {
		name     string
		version  string
		types    []byte
		severity checks.Severity
	}{
		{"no authentication", "RFB 003.008\n", []byte{1}, checks.Critical},
		{"None among others", "RFB 003.008\n", []byte{2, 1}, checks.Critical},
		{"VNC password", "RFB 003.008\n", []byte{2}, checks.High},
		{"RFB 3.3 VNC password", "RFB 003.003\n", []byte{2}, checks.High},
		{"VeNCrypt", "RFB 003.008\n", []byte{19}, checks.Medium},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr, j := vncServer(t, tc.version, tc.types)
			target := "vnc://" + addr
			res := scanOne(t, target)
			assertFindings(t, res, target+"/", "mfa.legacy.vnc")
			assertCompleted(t, res, target+"/", "mfa.legacy.vnc")
			if f := finding(t, res, "mfa.legacy.vnc"); f.Severity != tc.severity {
				t.Errorf("severity %s, want %s (%s)", f.Severity, tc.severity, f.Title)
			}
			for _, l := range j.all() {
				if strings.HasPrefix(l, "after") {
					t.Errorf("probe went past the security types: %s", l)
				}
			}
		})
	}
}

// TestLegacyHostile: a telnet server that never stops talking, and a VNC server that answers
// garbage, end within the budget with a clear status and no false finding.
func TestLegacyHostile(t *testing.T) {
	t.Run("endless telnet negotiation", func(t *testing.T) {
		addr := serve(t, func(c net.Conn) {
			for i := 0; i < 100000; i++ {
				if _, err := c.Write(bytes.Repeat([]byte{255, 253, 24}, 100)); err != nil {
					return
				}
			}
		})
		target := "telnet://" + addr
		res := checkstest.ScanWith(t, checks.Options{Checks: mfaChecks(), IOTimeout: time.Second}, target)
		// A telnet service it is; with no prompt seen, the finding is only potential.
		assertFindings(t, res, target+"/", "mfa.legacy.telnet")
		if f := finding(t, res, "mfa.legacy.telnet"); f.Confidence != checks.Potential {
			t.Errorf("confidence %s", f.Confidence)
		}
	})
	t.Run("VNC garbage", func(t *testing.T) {
		addr := serve(t, func(c net.Conn) { c.Write([]byte("RFB 003.008\n")); io.Copy(io.Discard, c) })
		target := "vnc://" + addr
		res := checkstest.ScanWith(t, checks.Options{Checks: mfaChecks(), IOTimeout: time.Second}, target)
		assertFindings(t, res, target+"/")
		a, _ := checkstest.Attempt(res, "mfa.legacy.vnc", target+"/")
		if a.Status != checks.StatusError || a.Reason != checks.ReasonTimeout {
			t.Errorf("attempt %s %s (%s)", a.Status, a.Reason, a.Error)
		}
	})
	t.Run("VNC refuses", func(t *testing.T) {
		reason := "Too many security failures"
		addr := serve(t, func(c net.Conn) {
			c.Write([]byte("RFB 003.008\n"))
			var v [12]byte
			io.ReadFull(c, v[:])
			c.Write(append([]byte{0, 0, 0, 0, byte(len(reason))}, reason...))
		})
		target := "vnc://" + addr
		res := checkstest.ScanWith(t, checks.Options{Checks: mfaChecks(), IOTimeout: time.Second}, target)
		assertFindings(t, res, target+"/")
		a, _ := checkstest.Attempt(res, "mfa.legacy.vnc", target+"/")
		if a.Status != checks.StatusError || !strings.Contains(a.Error, reason) {
			t.Errorf("attempt %s %s (%s)", a.Status, a.Reason, a.Error)
		}
	})
}
