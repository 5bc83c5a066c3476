package checks

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"testing"
	"time"
)

// serveTCP runs handle for every connection on a fresh loopback listener until the test ends.
func serveTCP(t *testing.T, handle func(net.Conn)) int {
	t.Helper()
	return serveTCPOn(t, "127.0.0.1", handle)
}

// serveTCPOn is serveTCP on a fresh port of host, a loopback address. (checks' own tests cannot
// use checkstest.ServeTCPOn: checkstest imports checks.)
func serveTCPOn(t *testing.T, host string, handle func(net.Conn)) int {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatalf("listen on %s: %v", host, err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				handle(c)
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

// banner sends a greeting, then drains what the client sends until it hangs up.
func banner(greeting string) func(net.Conn) {
	return func(c net.Conn) {
		_, _ = io.WriteString(c, greeting)
		_, _ = io.Copy(io.Discard, c)
	}
}

// testEnv is an Env for one loopback endpoint with a scope of exactly that endpoint.
func testEnv(t *testing.T, hostport string, scheme string) *Env {
	t.Helper()
	tg, err := ParseTarget(hostport)
	if err != nil {
		t.Fatal(err)
	}
	scope, err := NewScope(context.Background(), []Target{tg}, nil, ScopeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return &Env{
		Endpoint:     Endpoint{Host: tg.Host, Addr: tg.Prefix.Addr(), Port: tg.Port, Scheme: scheme, Path: "/"},
		Dialer:       NewDialer(scope, DialerOptions{ConnectTimeout: time.Second}),
		IOTimeout:    400 * time.Millisecond,
		ProbeTimeout: 10 * time.Second,
		Now:          time.Now,
	}
}

func TestServiceDetection(t *testing.T) {
	httpSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Server", "clinic-portal/2.1")
		fmt.Fprint(w, "<title>hi</title>")
	}))
	defer httpSrv.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "ok") }))
	defer tlsSrv.Close()
	rdp := serveTCP(t, func(c net.Conn) {
		req := make([]byte, 19)
		if _, err := io.ReadFull(c, req); err != nil || req[0] != 3 || req[5] != 0xe0 {
			return
		}
		// X.224 Connection Confirm with RDP_NEG_RSP selecting PROTOCOL_SSL.
		_, _ = c.Write([]byte{3, 0, 0, 19, 14, 0xd0, 0, 0, 0x12, 0x34, 0, 2, 0, 8, 0, 1, 0, 0, 0})
	})
	cases := []struct {
		name   string
		port   int
		want   string
		tls    bool
		banner string
	}{
		{"http", portOf(t, httpSrv.URL), SvcHTTP, false, ""},
		{"https", portOf(t, tlsSrv.URL), SvcHTTP, true, ""},
		{"ssh", serveTCP(t, banner("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")), SvcSSH, false, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3"},
		{"smtp", serveTCP(t, banner("220 mail.clinic.test ESMTP Postfix\r\n")), SvcSMTP, false, "220 mail.clinic.test ESMTP Postfix"},
		{"imap", serveTCP(t, banner("* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot ready.\r\n")), SvcIMAP, false, ""},
		{"pop3", serveTCP(t, banner("+OK Dovecot ready.\r\n")), SvcPOP3, false, ""},
		{"ftp", serveTCP(t, banner("220 (vsFTPd 3.0.3)\r\n")), SvcFTP, false, ""},
		{"vnc", serveTCP(t, banner("RFB 003.008\n")), SvcVNC, false, ""},
		{"telnet", serveTCP(t, banner("\xff\xfd\x18\xff\xfd\x20")), SvcTelnet, false, ""},
		{"telnet without negotiation", serveTCP(t, banner("\r\nclinic-router login: ")), SvcTelnet, false, "clinic-router login: "},
		{"rdp", rdp, SvcRDP, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := testEnv(t, "127.0.0.1:"+strconv.Itoa(c.port), "")
			svc, err := ServiceProbe.Get(context.Background(), env)
			if err != nil {
				t.Fatalf("detect: %v", err)
			}
			if svc.Name != c.want || svc.TLS != c.tls {
				t.Errorf("service = %+v, want %s tls=%v", svc, c.want, c.tls)
			}
			if c.banner != "" && svc.Banner != c.banner {
				t.Errorf("banner = %q, want %q", svc.Banner, c.banner)
			}
		})
	}
	t.Run("http server header", func(t *testing.T) {
		svc, err := ServiceProbe.Get(context.Background(), testEnv(t, "127.0.0.1:"+strconv.Itoa(portOf(t, httpSrv.URL)), "http"))
		if err != nil || svc.HTTP == nil || svc.HTTP.Server != "clinic-portal/2.1" || svc.HTTP.Status != 200 {
			t.Errorf("http info = %+v, %v", svc.HTTP, err)
		}
	})
}

func TestServiceDetectionFailuresAreErrors(t *testing.T) {
	closed := func() int {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		p := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		return p
	}()
	silent := serveTCP(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	garbage := serveTCP(t, banner("\x00\x01\x02garbage that is no protocol\x7f\n"))
	cases := []struct {
		name   string
		port   int
		scheme string
		reason Reason
	}{
		{"refused", closed, "", ReasonRefused},
		{"silent", silent, "", ReasonTimeout},
		{"silent https", silent, "https", ReasonTimeout},
		{"garbage", garbage, "", ReasonProtocolMismatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			_, err := ServiceProbe.Get(context.Background(), testEnv(t, "127.0.0.1:"+strconv.Itoa(c.port), c.scheme))
			if err == nil {
				t.Fatal("detection succeeded on a server that speaks nothing we know")
			}
			if got := Classify(err); got != c.reason {
				t.Errorf("reason = %s (%v), want %s", got, err, c.reason)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v: detection must stay within a few I/O timeouts", d)
			}
		})
	}
}

func portOf(t *testing.T, rawURL string) int {
	t.Helper()
	ap, err := netip.ParseAddrPort(rawURL[len("http://"):])
	if err != nil {
		ap, err = netip.ParseAddrPort(rawURL[len("https://"):])
	}
	if err != nil {
		t.Fatal(err)
	}
	return int(ap.Port())
}
