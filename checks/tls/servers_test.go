package tls

import (
	"bufio"
	"crypto/rand"
	stdtls "crypto/tls"
	"encoding/binary"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	ztls "github.com/zmap/zcrypto/tls"
	"golang.org/x/crypto/cryptobyte"

	"github.com/telesra/telesra/checks/checkstest"
)

// listen opens a loopback listener closed when the test ends.
func listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

func portOf(ln net.Listener) int { return ln.Addr().(*net.TCPAddr).Port }

// freePorts returns n distinct free loopback ports for servers that bind themselves (nginx):
// the listeners stay open until all n are chosen, so no port is handed out twice.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var out []int
	var lns []net.Listener
	for i := 0; i < n; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		out = append(out, portOf(ln))
	}
	for _, ln := range lns {
		ln.Close()
	}
	return out
}

// goServer serves HTTPS with Go's crypto/tls (for the suites Debian's OpenSSL no longer has:
// 3DES, RC4), answering every request with 200 and the given HSTS header.
func goServer(t testing.TB, cfg *stdtls.Config, hsts string) int {
	t.Helper()
	ln := listen(t)
	cfg.NextProtos = []string{"http/1.1"}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if hsts != "" {
				w.Header().Set("Strict-Transport-Security", hsts)
			}
			fmt.Fprintln(w, "ok")
		}),
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0), // every enumeration handshake is an "error" to it
	}
	srv.SetKeepAlivesEnabled(false)
	go func() { _ = srv.Serve(stdtls.NewListener(ln, cfg)) }()
	t.Cleanup(func() { _ = srv.Close() })
	return portOf(ln)
}

// zServer serves with zcrypto's TLS server, which still speaks SSLv3 and export suites.
func zServer(t testing.TB, cfg *ztls.Config) int {
	t.Helper()
	ln := listen(t)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				tc := ztls.Server(c, cfg)
				if tc.Handshake() != nil {
					return
				}
				// Answer only after the request: an early answer is an unsolicited response to Go's client.
				if req, err := http.ReadRequest(bufio.NewReader(tc)); err == nil {
					req.Body.Close()
					_, _ = tc.Write([]byte("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"))
				}
			}()
		}
	}()
	return portOf(ln)
}

// sServer runs `openssl s_server` with args on a free loopback port.
func sServer(t testing.TB, args ...string) int {
	t.Helper()
	bin := checkstest.RequireBinary(t, "openssl")
	port := checkstest.FreePort(t)
	cmd := exec.Command(bin, append([]string{"s_server", "-accept", fmt.Sprintf("127.0.0.1:%d", port), "-www", "-quiet"}, args...)...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = io.Discard, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return port
		}
		if time.Now().After(deadline) {
			t.Fatalf("openssl s_server %v did not start: %s", args, out.String())
		}
		time.Sleep(30 * time.Millisecond)
	}
}

// opensslSuites is the oracle for OpenSSL-based servers: the suites a cipher string enables
// for one protocol version (`openssl ciphers -s`), in OpenSSL's order, keeping those a server
// holding a certificate of the given authentication type (RSA, ECDSA) can negotiate.
func opensslSuites(t testing.TB, version, cipherString string, auth ...string) []uint16 {
	t.Helper()
	bin := checkstest.RequireBinary(t, "openssl")
	args := []string{"ciphers", "-V", "-s", "-" + version}
	if version == "tls1_3" {
		args = append(args, "-ciphersuites", cipherString)
	} else {
		args = append(args, "-ciphersuites", "", cipherString)
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %v: %v: %s", args, err, out)
	}
	var ids []uint16
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		if len(f) < 7 || !strings.HasPrefix(f[0], "0x") {
			continue
		}
		var a, b uint16
		if _, err := fmt.Sscanf(f[0], "0x%X,0x%X", &a, &b); err != nil {
			t.Fatalf("parse %q: %v", l, err)
		}
		id := a<<8 | b
		kx, au := strings.TrimPrefix(f[4], "Kx="), strings.TrimPrefix(f[5], "Au=")
		if version == "tls1_3" {
			if id>>8 == 0x13 {
				ids = append(ids, id)
			}
			continue
		}
		if id>>8 == 0x13 || !slices.Contains(auth, au) || (kx != "RSA" && kx != "DH" && kx != "ECDH") {
			continue
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		t.Fatalf("oracle: no %s suites for %q", version, cipherString)
	}
	return ids
}

// script is a scripted TLS server for behaviours no packaged server has any more: SSL 2.0,
// Heartbleed, TLS compression, missing renegotiation_info, a 1 MB certificate chain. It
// answers ClientHellos correctly up to ServerHelloDone and never completes a handshake.
type script struct {
	versions   []uint16 // accepted versions (at most TLS 1.2)
	suites     []uint16 // in the server's order of preference
	cert       []byte   // DER certificate sent in the flight
	chainBytes int      // pad the Certificate message to this size (hostile)
	compress   bool     // choose DEFLATE when offered
	noReneg    bool     // omit renegotiation_info
	heartbeat  bool     // acknowledge the heartbeat extension
	heartbleed bool     // answer heartbeat requests with as much "memory" as they claim
	sslv2      []uint32 // answer an SSL 2.0 CLIENT-HELLO with these cipher kinds
	maxHello   int      // close, without an alert, on a ClientHello record larger than this
}

func (s *script) serve(t testing.TB) int {
	t.Helper()
	ln := listen(t)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				s.handle(c)
			}()
		}
	}()
	return portOf(ln)
}

func (s *script) handle(c net.Conn) {
	r := bufio.NewReader(c)
	head, err := r.Peek(3)
	if err != nil {
		return
	}
	if head[0]&0x80 != 0 && head[2] == 1 { // SSL 2.0 CLIENT-HELLO
		s.sslv2Hello(c, r)
		return
	}
	var h [5]byte
	if _, err := io.ReadFull(r, h[:]); err != nil || h[0] != recordHandshake {
		return
	}
	body := make([]byte, binary.BigEndian.Uint16(h[3:]))
	if _, err := io.ReadFull(r, body); err != nil {
		return
	}
	if s.maxHello > 0 && len(body) > s.maxHello {
		return // long-handshake intolerance: hang up without a word
	}
	ch, ok := parseClientHelloForTest(body[4:])
	if !ok {
		return
	}
	alert := func(d byte) { _, _ = c.Write([]byte{recordAlert, 3, 1, 0, 2, 2, d}) }
	var v uint16
	for _, sv := range s.versions {
		if sv <= ch.version && sv > v {
			v = sv
		}
	}
	if v == 0 {
		alert(70)
		return
	}
	var suite uint16
	for _, id := range s.suites {
		if slices.Contains(ch.suites, id) {
			suite = id
			break
		}
	}
	if suite == 0 {
		alert(40)
		return
	}
	var b cryptobyte.Builder
	msg := func(typ uint8, f func(*cryptobyte.Builder)) {
		b.AddUint8(typ)
		b.AddUint24LengthPrefixed(f)
	}
	msg(typeServerHello, func(b *cryptobyte.Builder) {
		b.AddUint16(v)
		random := make([]byte, 32)
		_, _ = rand.Read(random)
		b.AddBytes(random)
		b.AddUint8(0)
		b.AddUint16(suite)
		comp := uint8(0)
		if s.compress && slices.Contains(ch.compression, 1) {
			comp = 1
		}
		b.AddUint8(comp)
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			if !s.noReneg && ch.exts[extRenegotiationInfo] {
				b.AddUint16(extRenegotiationInfo)
				b.AddUint16(1)
				b.AddUint8(0)
			}
			if s.heartbeat && ch.exts[extHeartbeat] {
				b.AddUint16(extHeartbeat)
				b.AddUint16(1)
				b.AddUint8(1)
			}
		})
	})
	if s.cert != nil {
		msg(typeCertificate, func(b *cryptobyte.Builder) {
			b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
				b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(s.cert) })
				for n := len(s.cert); n < s.chainBytes; n += 60000 {
					b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(make([]byte, 60000)) })
				}
			})
		})
	}
	msg(typeServerHelloDone, func(*cryptobyte.Builder) {})
	flight, _ := b.Bytes()
	for len(flight) > 0 { // records of at most 16 KiB
		n := min(len(flight), 16384)
		rec := append([]byte{recordHandshake, byte(v >> 8), byte(v), byte(n >> 8), byte(n)}, flight[:n]...)
		if _, err := c.Write(rec); err != nil {
			return
		}
		flight = flight[n:]
	}
	// After the flight: answer heartbeats, or wait for the client to go.
	for {
		var rh [5]byte
		if _, err := io.ReadFull(r, rh[:]); err != nil {
			return
		}
		rb := make([]byte, binary.BigEndian.Uint16(rh[3:]))
		if _, err := io.ReadFull(r, rb); err != nil {
			return
		}
		if rh[0] == recordHeartbeat && s.heartbleed && len(rb) >= 3 && rb[0] == 1 {
			claimed := int(binary.BigEndian.Uint16(rb[1:3]))
			resp := append([]byte{2, byte(claimed >> 8), byte(claimed)}, make([]byte, claimed+16)...)
			_, _ = c.Write(append([]byte{recordHeartbeat, byte(v >> 8), byte(v), byte(len(resp) >> 8), byte(len(resp))}, resp...))
		}
	}
}

func (s *script) sslv2Hello(c net.Conn, r *bufio.Reader) {
	if s.sslv2 == nil {
		return // a TLS-only server: drop the connection
	}
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return
	}
	body := make([]byte, int(h[0]&0x7f)<<8|int(h[1]))
	if _, err := io.ReadFull(r, body); err != nil || len(body) < 9 {
		return
	}
	specLen := int(binary.BigEndian.Uint16(body[3:5]))
	offered := body[9 : 9+specLen]
	var specs []byte
	for i := 0; i+3 <= len(offered); i += 3 {
		code := uint32(offered[i])<<16 | uint32(offered[i+1])<<8 | uint32(offered[i+2])
		if slices.Contains(s.sslv2, code) {
			specs = append(specs, offered[i:i+3]...)
		}
	}
	cert := s.cert
	msg := []byte{4, 0, 1, 0, 2, byte(len(cert) >> 8), byte(len(cert)), byte(len(specs) >> 8), byte(len(specs)), 0, 16}
	msg = append(append(append(msg, cert...), specs...), make([]byte, 16)...)
	_, _ = c.Write(append([]byte{0x80 | byte(len(msg)>>8), byte(len(msg))}, msg...))
	_, _ = io.Copy(io.Discard, r)
}

type testClientHello struct {
	version     uint16
	suites      []uint16
	compression []uint8
	exts        map[uint16]bool
	extData     map[uint16][]byte
}

// parseClientHelloForTest reads a ClientHello body (after the 4-byte handshake header).
func parseClientHelloForTest(b []byte) (*testClientHello, bool) {
	s := cryptobyte.String(b)
	ch := &testClientHello{exts: map[uint16]bool{}, extData: map[uint16][]byte{}}
	var random, sid, suites, comp cryptobyte.String
	if !s.ReadUint16(&ch.version) || !s.ReadBytes((*[]byte)(&random), 32) || !s.ReadUint8LengthPrefixed(&sid) ||
		!s.ReadUint16LengthPrefixed(&suites) || !s.ReadUint8LengthPrefixed(&comp) {
		return nil, false
	}
	for !suites.Empty() {
		var id uint16
		suites.ReadUint16(&id)
		ch.suites = append(ch.suites, id)
	}
	ch.compression = comp
	var exts cryptobyte.String
	if s.ReadUint16LengthPrefixed(&exts) {
		for !exts.Empty() {
			var typ uint16
			var data cryptobyte.String
			if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&data) {
				return nil, false
			}
			ch.exts[typ], ch.extData[typ] = true, data
		}
	}
	return ch, true
}

// hostile servers: each misbehaves in one way on every connection.
func hostile(t testing.TB, kind string) int {
	t.Helper()
	ln := listen(t)
	var mu sync.Mutex
	var open []net.Conn
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range open {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			open = append(open, c)
			mu.Unlock()
			go func() {
				defer c.Close()
				switch kind {
				case "silent": // accepts and never answers
					_, _ = io.Copy(io.Discard, c)
				case "garbage":
					buf := make([]byte, 1024)
					_, _ = c.Read(buf)
					_, _ = c.Write([]byte("\x16\x03\x01\xff\xffthis is not TLS at all, just bytes\r\n"))
					_, _ = io.Copy(io.Discard, c)
				case "reset": // reads the hello, sends half a ServerHello, resets
					buf := make([]byte, 4096)
					_, _ = c.Read(buf)
					_, _ = c.Write([]byte{recordHandshake, 3, 3, 0, 80, typeServerHello, 0, 0, 76, 3, 3})
					if tc, ok := c.(*net.TCPConn); ok {
						_ = tc.SetLinger(0)
					}
				case "drip": // one byte per second
					buf := make([]byte, 4096)
					_, _ = c.Read(buf)
					for _, b := range []byte{recordHandshake, 3, 3, 0, 80, typeServerHello, 0, 0, 76, 3, 3} {
						if _, err := c.Write([]byte{b}); err != nil {
							return
						}
						time.Sleep(time.Second)
					}
				}
			}()
		}
	}()
	return portOf(ln)
}

// writeFile writes a test file.
func writeFile(t testing.TB, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
