package mfa_test

import (
	"bufio"
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
)

// smtpServer answers like an ESMTP server (RFC 5321, RFC 3207, RFC 4954): pre lists the EHLO
// keywords offered before TLS, post those after STARTTLS (which it really performs).
func smtpServer(t *testing.T, pre, post []string) (string, *journal) {
	t.Helper()
	_, _, tlsCfg := selfSigned(t, t.TempDir())
	j := &journal{}
	addr := serve(t, func(c net.Conn) {
		var conn net.Conn = c
		r, w := bufio.NewReader(conn), bufio.NewWriter(conn)
		w.WriteString("220 mail.riverside.test ESMTP Postfix\r\n")
		w.Flush()
		ext := pre
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				return
			}
			l = strings.TrimRight(l, "\r\n")
			j.add("%s", l)
			cmd := strings.ToUpper(strings.Fields(l + " x")[0])
			switch cmd {
			case "EHLO":
				lines := append([]string{"mail.riverside.test"}, ext...)
				for i, x := range lines {
					sep := "-"
					if i == len(lines)-1 {
						sep = " "
					}
					w.WriteString("250" + sep + x + "\r\n")
				}
			case "HELO":
				w.WriteString("250 mail.riverside.test\r\n")
			case "STARTTLS":
				w.WriteString("220 2.0.0 Ready to start TLS\r\n")
				w.Flush()
				tc := tls.Server(c, tlsCfg)
				if tc.Handshake() != nil {
					return
				}
				conn, ext = tc, post
				r, w = bufio.NewReader(conn), bufio.NewWriter(conn)
				continue
			case "AUTH":
				w.WriteString("535 5.7.8 Authentication credentials invalid\r\n")
			case "QUIT":
				w.WriteString("221 2.0.0 Bye\r\n")
				w.Flush()
				return
			default:
				w.WriteString("502 5.5.2 Error: command not recognized\r\n")
			}
			w.Flush()
		}
	})
	return addr, j
}

func TestSMTP(t *testing.T) {
	cases := []struct {
		name      string
		pre, post []string
		want      []string
		severity  checks.Severity
	}{
		{"AUTH before STARTTLS", []string{"PIPELINING", "STARTTLS", "AUTH PLAIN LOGIN", "8BITMIME"}, []string{"AUTH PLAIN LOGIN"},
			[]string{"mfa.mail.smtp_auth_cleartext"}, checks.High},
		{"AUTH only after STARTTLS", []string{"PIPELINING", "STARTTLS", "8BITMIME"}, []string{"AUTH PLAIN LOGIN"}, nil, 0},
		{"AUTH without any TLS", []string{"PIPELINING", "AUTH=LOGIN"}, nil, []string{"mfa.mail.smtp_auth_cleartext"}, checks.High},
		{"challenge-response only", []string{"STARTTLS", "AUTH CRAM-MD5"}, nil, []string{"mfa.mail.smtp_auth_cleartext"}, checks.Medium},
		{"relay without AUTH", []string{"PIPELINING", "8BITMIME"}, nil, nil, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr, j := smtpServer(t, tc.pre, tc.post)
			target := "smtp://" + addr
			res := scanOne(t, target)
			assertFindings(t, res, target+"/", tc.want...)
			assertCompleted(t, res, target+"/", "mfa.mail.smtp")
			if len(tc.want) > 0 {
				f := finding(t, res, tc.want[0])
				if f.Severity != tc.severity || f.Confidence != checks.Confirmed {
					t.Errorf("severity %s %s, want %s", f.Severity, f.Confidence, tc.severity)
				}
			}
			assertNoCredentials(t, j)
		})
	}
}

func imapServer(t *testing.T, caps string) (string, *journal) {
	t.Helper()
	return lineServer(t, "* OK [CAPABILITY "+caps+"] Dovecot ready.\r\n", func(l string, w *bufio.Writer) bool {
		tag, cmd, _ := strings.Cut(l, " ")
		switch strings.ToUpper(cmd) {
		case "CAPABILITY":
			w.WriteString("* CAPABILITY " + caps + "\r\n" + tag + " OK Pre-login capabilities listed, post-login capabilities have more.\r\n")
		case "LOGOUT":
			w.WriteString("* BYE Logging out\r\n" + tag + " OK Logout completed.\r\n")
			return false
		default:
			w.WriteString(tag + " BAD Error in IMAP command\r\n")
		}
		return true
	})
}

func TestIMAP(t *testing.T) {
	cases := []struct {
		name string
		caps string
		want []string
	}{
		{"LOGINDISABLED before STARTTLS", "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS LOGINDISABLED", nil},
		{"LOGIN allowed", "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN", []string{"mfa.mail.imap_login_cleartext"}},
		{"AUTH=PLAIN despite LOGINDISABLED", "IMAP4rev1 STARTTLS LOGINDISABLED AUTH=PLAIN", []string{"mfa.mail.imap_login_cleartext"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr, j := imapServer(t, tc.caps)
			target := "imap://" + addr
			res := scanOne(t, target)
			assertFindings(t, res, target+"/", tc.want...)
			assertCompleted(t, res, target+"/", "mfa.mail.imap")
			assertNoCredentials(t, j)
		})
	}
}

func pop3Server(t *testing.T, capa []string) (string, *journal) {
	t.Helper()
	return lineServer(t, "+OK Dovecot ready.\r\n", func(l string, w *bufio.Writer) bool {
		switch strings.ToUpper(l) {
		case "CAPA":
			if capa == nil {
				w.WriteString("-ERR Unknown command.\r\n")
				return true
			}
			w.WriteString("+OK\r\n" + strings.Join(capa, "\r\n") + "\r\n.\r\n")
		case "QUIT":
			w.WriteString("+OK Logging out.\r\n")
			return false
		default:
			w.WriteString("-ERR Unknown command.\r\n")
		}
		return true
	})
}

func TestPOP3(t *testing.T) {
	cases := []struct {
		name       string
		capa       []string
		want       []string
		confidence checks.Confidence
	}{
		{"USER before STLS", []string{"CAPA", "TOP", "UIDL", "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE", "STLS", "USER", "SASL PLAIN"},
			[]string{"mfa.mail.pop3_user_cleartext"}, checks.Confirmed},
		{"only STLS before TLS", []string{"CAPA", "TOP", "UIDL", "STLS", "SASL"}, nil, ""},
		{"no CAPA", nil, []string{"mfa.mail.pop3_user_cleartext"}, checks.Potential},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr, j := pop3Server(t, tc.capa)
			target := "pop3://" + addr
			res := scanOne(t, target)
			assertFindings(t, res, target+"/", tc.want...)
			assertCompleted(t, res, target+"/", "mfa.mail.pop3")
			if len(tc.want) > 0 {
				if f := finding(t, res, tc.want[0]); f.Confidence != tc.confidence {
					t.Errorf("confidence %s, want %s", f.Confidence, tc.confidence)
				}
			}
			assertNoCredentials(t, j)
		})
	}
}

// TestMailHostile: an SMTP server whose EHLO reply never ends, and one that sends one endless
// line, end with a clear error, no finding, within the budget.
func TestMailHostile(t *testing.T) {
	cases := []struct {
		name   string
		handle func(c net.Conn)
		reason checks.Reason
	}{
		{"endless EHLO reply", func(c net.Conn) {
			c.Write([]byte("220 mail ESMTP\r\n"))
			r := bufio.NewReader(c)
			if _, err := r.ReadString('\n'); err != nil {
				return
			}
			for i := 0; i < 100000; i++ {
				if _, err := c.Write([]byte("250-AUTH PLAIN\r\n")); err != nil {
					return
				}
			}
		}, checks.ReasonTooLarge},
		{"greeting without end", func(c net.Conn) {
			c.Write([]byte("220 mail ESMTP "))
			for i := 0; i < 10000; i++ {
				if _, err := c.Write([]byte(strings.Repeat("x", 100))); err != nil {
					return
				}
			}
		}, checks.ReasonTooLarge},
		{"silent after greeting", func(c net.Conn) {
			c.Write([]byte("220 mail ESMTP\r\n"))
			io := make([]byte, 512)
			for {
				if _, err := c.Read(io); err != nil {
					return
				}
			}
		}, checks.ReasonTimeout},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := serve(t, tc.handle)
			target := "smtp://" + addr
			start := time.Now()
			res := checkstest.ScanWith(t, checks.Options{Checks: mfaChecks(), IOTimeout: time.Second, ProbeTimeout: 10 * time.Second}, target)
			if d := time.Since(start); d > 12*time.Second {
				t.Errorf("scan took %s", d)
			}
			assertFindings(t, res, target+"/")
			a, _ := checkstest.Attempt(res, "mfa.mail.smtp_auth_cleartext", target+"/")
			if a.Status != checks.StatusError || a.Reason != tc.reason {
				t.Errorf("attempt %s %s (%s), want error %s", a.Status, a.Reason, a.Error, tc.reason)
			}
		})
	}
}
