package lineproto_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
	"github.com/telesra/telesra/checks/lineproto"
)

// ioTimeout is the per-step timeout of every test session; bound is how long any one case may
// take, hostile or not.
const (
	ioTimeout = 300 * time.Millisecond
	bound     = 3 * time.Second
)

// conv is one scripted server connection: it writes to the client and reads its lines, and
// records them for the test.
type conv struct {
	c   net.Conn
	r   *bufio.Reader
	got *[]string
	mu  *sync.Mutex
}

func (v conv) say(s string) { _, _ = v.c.Write([]byte(s)) }

func (v conv) read() string {
	l, err := v.r.ReadString('\n')
	if err != nil {
		return ""
	}
	l = strings.TrimRight(l, "\r\n")
	v.mu.Lock()
	*v.got = append(*v.got, l)
	v.mu.Unlock()
	return l
}

// server runs script on every connection to a fresh loopback port; lines returns what clients
// sent so far.
func server(t *testing.T, script func(v conv)) (addr string, lines func() []string) {
	t.Helper()
	var mu sync.Mutex
	var got []string
	addr = checkstest.ServeTCP(t, 10*time.Second, func(c net.Conn) {
		script(conv{c: c, r: bufio.NewReader(c), got: &got, mu: &mu})
	})
	return addr, func() []string { mu.Lock(); defer mu.Unlock(); return slices.Clone(got) }
}

// session dials addr and starts a session with the test's I/O timeout.
func session(t *testing.T, ctx context.Context, addr string) *lineproto.Session {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	env := &checks.Env{IOTimeout: ioTimeout}
	return lineproto.New(ctx, c, env.Deadline)
}

func serverTLS(t *testing.T) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

// within fails the test when a case took longer than bound.
func within(t *testing.T, start time.Time) {
	t.Helper()
	if d := time.Since(start); d > bound {
		t.Errorf("took %v, want at most %v", d, bound)
	}
}

// wantReason fails unless err is classified as want.
func wantReason(t *testing.T, err error, want checks.Reason) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", want)
	}
	var pe *checks.ProbeError
	if !errors.As(err, &pe) {
		t.Errorf("error %v is not a *checks.ProbeError", err)
	}
	if got := checks.Classify(err); got != want {
		t.Errorf("error %q classified %s, want %s", err, got, want)
	}
}

// TestStartTLS negotiates the upgrade with a server of each dialect, then completes a real TLS
// handshake on the same connection.
func TestStartTLS(t *testing.T) {
	cfg := serverTLS(t)
	cases := []struct {
		dialect lineproto.Dialect
		script  func(v conv) bool // true: upgrade
		sent    []string
	}{
		{lineproto.SMTP, func(v conv) bool {
			v.say("220-mail.practice.test ESMTP\r\n220 second greeting line\r\n")
			v.read()
			v.say("250-mail.practice.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 SIZE 10240000\r\n")
			if v.read() != "STARTTLS" {
				return false
			}
			v.say("220 2.0.0 Ready to start TLS\r\n")
			return true
		}, []string{"EHLO [127.0.0.1]", "STARTTLS"}},
		{lineproto.IMAP, func(v conv) bool {
			v.say("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n")
			if v.read() != "t1 STARTTLS" {
				return false
			}
			v.say("t1 OK Begin TLS negotiation now\r\n")
			return true
		}, []string{"t1 STARTTLS"}},
		{lineproto.POP3, func(v conv) bool {
			v.say("+OK POP3 ready\r\n")
			if v.read() != "STLS" {
				return false
			}
			v.say("+OK Begin TLS\r\n")
			return true
		}, []string{"STLS"}},
		{lineproto.FTP, func(v conv) bool {
			v.say("220-Welcome\r\n  to the practice FTP server\r\n220 ready\r\n")
			if v.read() != "AUTH TLS" {
				return false
			}
			v.say("234 AUTH TLS OK\r\n")
			return true
		}, []string{"AUTH TLS"}},
	}
	for _, tc := range cases {
		t.Run(string(tc.dialect), func(t *testing.T) {
			addr, sent := server(t, func(v conv) {
				if tc.script(v) && v.r.Buffered() == 0 {
					tc := tls.Server(v.c, cfg)
					if tc.Handshake() == nil {
						_, _ = tc.Write([]byte("secret\n"))
					}
				}
			})
			start := time.Now()
			s := session(t, context.Background(), addr)
			if err := s.StartTLS(tc.dialect); err != nil {
				t.Fatalf("StartTLS: %v", err)
			}
			tc2 := tls.Client(s.Conn(), &tls.Config{InsecureSkipVerify: true})
			if err := tc2.Handshake(); err != nil {
				t.Fatalf("TLS handshake after STARTTLS: %v", err)
			}
			buf := make([]byte, 7)
			if _, err := tc2.Read(buf); err != nil || string(buf) != "secret\n" {
				t.Errorf("read over TLS: %q %v", buf, err)
			}
			within(t, start)
			if got := sent(); !slices.Equal(got, tc.sent) {
				t.Errorf("client sent %q, want %q", got, tc.sent)
			}
		})
	}
}

// TestNoSTARTTLS: a server that declines the upgrade, in its own protocol, is ErrNoSTARTTLS
// (tls-failure), told apart from every other failure.
func TestNoSTARTTLS(t *testing.T) {
	cases := []struct {
		name    string
		dialect lineproto.Dialect
		script  func(v conv)
	}{
		{"SMTP without STARTTLS in EHLO", lineproto.SMTP, func(v conv) {
			v.say("220 mail ESMTP\r\n")
			v.read()
			v.say("250-mail\r\n250-AUTH PLAIN LOGIN\r\n250 SIZE 1000\r\n")
			v.read()
		}},
		{"SMTP STARTTLS greeting only", lineproto.SMTP, func(v conv) {
			v.say("220 mail ESMTP STARTTLS\r\n") // the word in the greeting is no offer
			v.read()
			v.say("250 mail\r\n")
			v.read()
		}},
		{"SMTP HELO only", lineproto.SMTP, func(v conv) {
			v.say("220 mail SMTP\r\n")
			v.read()
			v.say("502 5.5.2 command not recognized\r\n")
			v.read()
		}},
		{"SMTP STARTTLS refused", lineproto.SMTP, func(v conv) {
			v.say("220 mail ESMTP\r\n")
			v.read()
			v.say("250-mail\r\n250 STARTTLS\r\n")
			v.read()
			v.say("454 4.7.0 TLS not available due to local problem\r\n")
			v.read()
		}},
		{"IMAP STARTTLS refused", lineproto.IMAP, func(v conv) {
			v.say("* OK ready\r\n")
			v.read()
			v.say("t1 BAD Unknown command\r\n")
			v.read()
		}},
		{"POP3 STLS refused", lineproto.POP3, func(v conv) {
			v.say("+OK ready\r\n")
			v.read()
			v.say("-ERR Unknown command\r\n")
			v.read()
		}},
		{"FTP AUTH TLS refused", lineproto.FTP, func(v conv) {
			v.say("220 ready\r\n")
			v.read()
			v.say("500 AUTH not understood\r\n")
			v.read()
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr, _ := server(t, tc.script)
			start := time.Now()
			err := session(t, context.Background(), addr).StartTLS(tc.dialect)
			within(t, start)
			wantReason(t, err, checks.ReasonTLSFailure)
			if !errors.Is(err, lineproto.ErrNoSTARTTLS) {
				t.Errorf("error %v is not ErrNoSTARTTLS", err)
			}
		})
	}
}

// TestReplies reads each dialect's multi-line replies.
func TestReplies(t *testing.T) {
	t.Run("SMTP EHLO", func(t *testing.T) {
		addr, _ := server(t, func(v conv) {
			v.say("220 mail ESMTP\r\n")
			v.read()
			v.say("250-mail.test greets [127.0.0.1]\r\n250-AUTH PLAIN LOGIN\r\n250-STARTTLS\r\n250 8BITMIME\r\n")
			v.read()
		})
		s := session(t, context.Background(), addr)
		g, err := s.Greeting(lineproto.SMTP)
		if err != nil || g.String() != "220 mail ESMTP" {
			t.Fatalf("greeting %q %v", g, err)
		}
		rep, err := s.Hello()
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"mail.test greets [127.0.0.1]", "AUTH PLAIN LOGIN", "STARTTLS", "8BITMIME"}
		if rep.Code != 250 || !slices.Equal(rep.Lines, want) {
			t.Errorf("EHLO reply %d %q, want 250 %q", rep.Code, rep.Lines, want)
		}
		if !rep.Offers("starttls") || !rep.Offers("AUTH") || rep.Offers("mail.test") {
			t.Errorf("Offers misreads %q", rep.Lines)
		}
	})
	t.Run("FTP FEAT", func(t *testing.T) {
		addr, _ := server(t, func(v conv) {
			v.say("220 ready\r\n")
			v.read()
			v.say("211-Features:\r\n AUTH TLS\r\n PBSZ\r\n 211 lookalike\r\n211 End\r\n")
			v.read()
		})
		s := session(t, context.Background(), addr)
		if _, err := s.Greeting(lineproto.FTP); err != nil {
			t.Fatal(err)
		}
		rep, err := s.Cmd("FEAT")
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"Features:", " AUTH TLS", " PBSZ", " 211 lookalike", "End"}
		if rep.Code != 211 || !slices.Equal(rep.Lines, want) || !rep.Offers("AUTH") {
			t.Errorf("FEAT reply %d %q, want 211 %q", rep.Code, rep.Lines, want)
		}
	})
	t.Run("IMAP CAPABILITY", func(t *testing.T) {
		addr, sent := server(t, func(v conv) {
			v.say("* OK ready\r\n")
			v.read()
			v.say("* CAPABILITY IMAP4rev1 STARTTLS\r\n* OK [ALERT] hello\r\nt1 OK done\r\n")
			v.read()
			v.say("* BYE\r\nt2 OK bye\r\n")
		})
		s := session(t, context.Background(), addr)
		if _, err := s.Greeting(lineproto.IMAP); err != nil {
			t.Fatal(err)
		}
		untagged, status, err := s.Tagged("CAPABILITY")
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"* CAPABILITY IMAP4rev1 STARTTLS", "* OK [ALERT] hello"}; !slices.Equal(untagged, want) || status != "OK done" || !lineproto.StatusOK(status) {
			t.Errorf("CAPABILITY %q %q", untagged, status)
		}
		s.Quit(lineproto.IMAP)
		if got := sent(); !slices.Equal(got, []string{"t1 CAPABILITY", "t2 LOGOUT"}) {
			t.Errorf("client sent %q", got)
		}
	})
	t.Run("POP3 CAPA", func(t *testing.T) {
		addr, _ := server(t, func(v conv) {
			v.say("+OK ready\r\n")
			v.read()
			v.say("+OK Capability list follows\r\nUSER\r\nSTLS\r\n..stuffed\r\n.\r\n")
			v.read()
		})
		s := session(t, context.Background(), addr)
		if _, err := s.Greeting(lineproto.POP3); err != nil {
			t.Fatal(err)
		}
		if err := s.Send("CAPA"); err != nil {
			t.Fatal(err)
		}
		if l, err := s.Line(); err != nil || !lineproto.StatusOK(l) {
			t.Fatalf("CAPA status %q %v", l, err)
		}
		lines, err := s.DotLines()
		if want := []string{"USER", "STLS", ".stuffed"}; err != nil || !slices.Equal(lines, want) {
			t.Errorf("CAPA listing %q %v, want %q", lines, err, want)
		}
	})
	t.Run("line of exactly MaxLine bytes", func(t *testing.T) {
		addr, _ := server(t, func(v conv) {
			v.say("220 " + strings.Repeat("x", lineproto.MaxLine-4) + "\r\n")
			v.read()
		})
		if _, err := session(t, context.Background(), addr).Greeting(lineproto.SMTP); err != nil {
			t.Errorf("a line at the bound: %v", err)
		}
	})
}

// TestHostile: every way a server can misbehave ends quickly with its exact class.
func TestHostile(t *testing.T) {
	endless := func(greet, line string) func(v conv) {
		return func(v conv) {
			v.say(greet)
			v.read()
			for range 100000 {
				if _, err := v.c.Write([]byte(line)); err != nil {
					return
				}
			}
		}
	}
	cases := []struct {
		name    string
		dialect lineproto.Dialect
		script  func(v conv)
		cancel  bool // cancel the context after 100 ms
		want    checks.Reason
	}{
		{"silence, no greeting", lineproto.SMTP, func(v conv) { v.read() }, false, checks.ReasonTimeout},
		{"silence after EHLO", lineproto.SMTP, func(v conv) {
			v.say("220 mail ESMTP\r\n")
			v.read()
			v.read()
		}, false, checks.ReasonTimeout},
		{"drip-fed greeting", lineproto.SMTP, func(v conv) {
			for _, b := range []byte("220 mail ESMTP ready and waiting\r\n") {
				if _, err := v.c.Write([]byte{b}); err != nil {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
		}, false, checks.ReasonTimeout},
		{"drip-fed reply lines", lineproto.SMTP, func(v conv) {
			v.say("220 mail ESMTP\r\n")
			v.read()
			for range 100 {
				if _, err := v.c.Write([]byte("250-STARTTLS\r\n")); err != nil {
					return
				}
				time.Sleep(100 * time.Millisecond) // each line in time, the reply never
			}
		}, false, checks.ReasonTimeout},
		{"giant greeting line", lineproto.SMTP, func(v conv) {
			v.say("220 ")
			for range 10000 {
				if _, err := v.c.Write([]byte(strings.Repeat("x", 100))); err != nil {
					return
				}
			}
		}, false, checks.ReasonTooLarge},
		{"line one byte over the bound", lineproto.POP3, func(v conv) {
			v.say("+OK " + strings.Repeat("x", lineproto.MaxLine-3) + "\r\n")
			v.read()
		}, false, checks.ReasonTooLarge},
		{"endless EHLO reply", lineproto.SMTP, endless("220 mail ESMTP\r\n", "250-AUTH PLAIN\r\n"), false, checks.ReasonTooLarge},
		{"endless FEAT-like reply", lineproto.FTP, endless("220 ready\r\n", "234-go on\r\n"), false, checks.ReasonTooLarge},
		{"endless IMAP untagged lines", lineproto.IMAP, endless("* OK ready\r\n", "* OK still here\r\n"), false, checks.ReasonTooLarge},
		{"reply over the session's bytes", lineproto.SMTP, endless("220 mail ESMTP\r\n", "250-"+strings.Repeat("A", 1000)+"\r\n"), false, checks.ReasonTooLarge},
		{"reset after EHLO", lineproto.SMTP, func(v conv) {
			v.say("220 mail ESMTP\r\n")
			v.read()
			_ = v.c.(*net.TCPConn).SetLinger(0)
		}, false, checks.ReasonReset},
		{"hang-up before greeting", lineproto.IMAP, func(v conv) {}, false, checks.ReasonReset},
		{"hang-up mid-line", lineproto.POP3, func(v conv) { v.say("+OK rea") }, false, checks.ReasonReset},
		{"another protocol", lineproto.SMTP, func(v conv) { v.say("SSH-2.0-OpenSSH_9.6\r\n"); v.read() }, false, checks.ReasonProtocolMismatch},
		{"IMAP greeting on a POP3 port", lineproto.POP3, func(v conv) { v.say("* OK ready\r\n"); v.read() }, false, checks.ReasonProtocolMismatch},
		{"session refused", lineproto.SMTP, func(v conv) { v.say("554 5.7.1 no service for you\r\n"); v.read() }, false, checks.ReasonRefused},
		{"IMAP BYE", lineproto.IMAP, func(v conv) { v.say("* BYE too many connections\r\n"); v.read() }, false, checks.ReasonRefused},
		{"data before the TLS handshake", lineproto.POP3, func(v conv) {
			v.say("+OK ready\r\n")
			v.read()
			v.say("+OK Begin TLS\r\n-ERR injected\r\n")
			v.read()
		}, false, checks.ReasonProtocolMismatch},
		{"cancelled while waiting", lineproto.SMTP, func(v conv) { v.read() }, true, checks.ReasonCancelled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr, _ := server(t, tc.script)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			s := session(t, ctx, addr)
			if tc.cancel {
				// The scan's Dialer closes the connection when the context ends; so does this test.
				context.AfterFunc(ctx, func() { s.Close() })
				time.AfterFunc(100*time.Millisecond, cancel)
			}
			start := time.Now()
			err := s.StartTLS(tc.dialect)
			t.Logf("%v after %v", err, time.Since(start).Round(time.Millisecond))
			within(t, start)
			wantReason(t, err, tc.want)
			if errors.Is(err, lineproto.ErrNoSTARTTLS) {
				t.Errorf("%v: a failure taken for a refusal of STARTTLS", err)
			}
		})
	}
}

// TestTimeoutIsPerReply: a server slower than the I/O timeout overall but prompt on every reply
// is served.
func TestTimeoutIsPerReply(t *testing.T) {
	addr, _ := server(t, func(v conv) {
		v.say("220 mail ESMTP\r\n")
		for range 4 {
			if v.read() == "" {
				return
			}
			time.Sleep(ioTimeout / 3)
			v.say("250 ok\r\n")
		}
	})
	s := session(t, context.Background(), addr)
	if _, err := s.Greeting(lineproto.SMTP); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		if rep, err := s.Cmd("NOOP"); err != nil || rep.Code != 250 {
			t.Fatalf("NOOP %d: %v %v", i, rep, err)
		}
	}
}
