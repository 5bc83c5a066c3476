package checks

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Service names what an endpoint speaks.
const (
	SvcHTTP    = "http"
	SvcSSH     = "ssh"
	SvcSMTP    = "smtp"
	SvcIMAP    = "imap"
	SvcPOP3    = "pop3"
	SvcFTP     = "ftp"
	SvcTelnet  = "telnet"
	SvcRDP     = "rdp"
	SvcVNC     = "vnc"
	SvcTLS     = "tls" // TLS whose payload protocol could not be told
	SvcUnknown = "unknown"
)

// Service is what detection learned about an endpoint.
type Service struct {
	Name   string    `json:"name"`
	TLS    bool      `json:"tls"`              // TLS from the first byte (implicit TLS)
	Banner string    `json:"banner,omitempty"` // first line the server sent, cleaned
	HTTP   *HTTPInfo `json:"http,omitempty"`
	// TLSHandshake is false when the server answered in TLS but our client could not complete a
	// handshake (a server that only speaks SSLv3, say): the TLS family still enumerates it.
	TLSHandshake bool `json:"tls_handshake,omitempty"`
}

// HTTPInfo is the first response to GET on the endpoint's path.
type HTTPInfo struct {
	Status int    `json:"status"`
	Server string `json:"server,omitempty"`
}

// Is reports whether the service is one of names.
func (s Service) Is(names ...string) bool {
	for _, n := range names {
		if s.Name == n {
			return true
		}
	}
	return false
}

// Scheme is the URL scheme of an HTTP service ("http" or "https"), or "".
func (s Service) Scheme() string {
	if s.Name != SvcHTTP {
		return ""
	}
	if s.TLS {
		return "https"
	}
	return "http"
}

func (s Service) String() string {
	if s.TLS && s.Name != SvcTLS {
		return s.Name + "+tls"
	}
	return s.Name
}

// ServiceProbe detects what each endpoint speaks. Every endpoint goes through it first; checks
// say which services they apply to, and Define lists it first on every check.
var ServiceProbe = &Probe[Service]{
	ID: "service",
	Description: "Service detection: connects and tells TLS from plaintext (a ClientHello; the first bytes of the answer), " +
		"then reads the banner or sends one HTTP GET of the endpoint's path; RDP by an X.224 connection request. " +
		"The port or the target's scheme decides what is tried first.",
	Connections: "1-3 per endpoint",
	Run:         detect,
}

type strategy int

const (
	tryTLS strategy = iota
	tryHTTP
	tryBanner
	tryRDP
)

// portHints orders the strategies for well-known ports; other ports start with TLS, whose
// ClientHello also draws the banner of server-first protocols and a 400 from HTTP servers.
var portHints = map[int][]strategy{
	80: {tryHTTP, tryTLS}, 8080: {tryHTTP, tryTLS}, 8000: {tryHTTP, tryTLS}, 8008: {tryHTTP, tryTLS},
	8081: {tryHTTP, tryTLS}, 8888: {tryHTTP, tryTLS}, 3000: {tryHTTP, tryTLS}, 5000: {tryHTTP, tryTLS},
	443: {tryTLS, tryHTTP}, 8443: {tryTLS, tryHTTP}, 4443: {tryTLS, tryHTTP}, 9443: {tryTLS, tryHTTP},
	10443: {tryTLS, tryHTTP}, 465: {tryTLS, tryBanner}, 993: {tryTLS, tryBanner}, 995: {tryTLS, tryBanner},
	990: {tryTLS, tryBanner}, 636: {tryTLS}, 5986: {tryTLS, tryHTTP},
	21: {tryBanner, tryTLS}, 22: {tryBanner, tryTLS}, 23: {tryBanner}, 25: {tryBanner, tryTLS},
	587: {tryBanner, tryTLS}, 110: {tryBanner, tryTLS}, 143: {tryBanner, tryTLS}, 2222: {tryBanner, tryTLS},
	5900: {tryBanner}, 5901: {tryBanner}, 3389: {tryRDP, tryTLS},
}

var schemeHints = map[string][]strategy{
	"http": {tryHTTP}, "https": {tryTLS}, "tls": {tryTLS}, "ldaps": {tryTLS},
	"smtps": {tryTLS}, "imaps": {tryTLS}, "pop3s": {tryTLS}, "ftps": {tryTLS},
	"smtp": {tryBanner}, "submission": {tryBanner}, "imap": {tryBanner}, "pop3": {tryBanner}, "ftp": {tryBanner},
	"ssh": {tryBanner}, "telnet": {tryBanner}, "vnc": {tryBanner}, "rdp": {tryRDP},
}

var errNoAnswer = errors.New("no answer")

// bannerWait is how long a server-first protocol gets to speak before we speak.
const bannerWait = 1500 * time.Millisecond

func detect(ctx context.Context, env *Env) (Service, error) {
	order := schemeHints[env.Endpoint.Scheme]
	if order == nil {
		order = portHints[env.Endpoint.Port]
	}
	if order == nil {
		order = []strategy{tryTLS, tryHTTP, tryRDP}
	}
	var (
		firstErr error
		tried    []string
	)
	for _, s := range order {
		var (
			svc Service
			err error
		)
		switch s {
		case tryTLS:
			svc, err = detectTLS(ctx, env)
			tried = append(tried, "a TLS ClientHello")
		case tryHTTP:
			svc, err = detectHTTP(ctx, env)
			tried = append(tried, "an HTTP GET")
		case tryBanner:
			svc, err = detectBanner(ctx, env)
			tried = append(tried, "a wait for a banner")
		case tryRDP:
			svc, err = detectRDP(ctx, env)
			tried = append(tried, "an RDP connection request")
		}
		if err == nil {
			if svc.Name == SvcHTTP && svc.HTTP == nil && !svc.TLS {
				// The answer showed HTTP without a usable response (it rejected our TLS hello):
				// ask properly. Not for a TLS server our client could not complete a handshake
				// with (SSLv3-only, NULL or anonymous suites): a plaintext GET would only make it
				// hang up, and the endpoint would be lost to the TLS checks.
				return detectHTTP(ctx, env)
			}
			if svc.Name == SvcTLS && env.Endpoint.Scheme == "https" {
				svc.Name = SvcHTTP
			}
			return svc, nil
		}
		if firstErr == nil || errors.Is(firstErr, errNoAnswer) {
			firstErr = err
		}
		if r := Classify(err); r == ReasonRefused || r == ReasonUnreachable || r == ReasonOutOfScope || ctx.Err() != nil {
			break // no other strategy will do better
		}
	}
	if errors.Is(firstErr, errNoAnswer) {
		// Open, but deaf and mute to everything we tried: we cannot tell what it is, so nothing
		// can be judged on it. That is an error, never a clean bill of health.
		return Service{}, &ProbeError{Reason: ReasonTimeout,
			Err: fmt.Errorf("port open but no answer to %s", strings.Join(tried, ", "))}
	}
	return Service{}, firstErr
}

// recorder keeps the first bytes a server sends, so a failed TLS handshake still tells us what
// the server speaks.
type recorder struct {
	net.Conn
	first []byte
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	if room := 512 - len(r.first); room > 0 && n > 0 {
		r.first = append(r.first, p[:min(n, room)]...)
	}
	return n, err
}

// ClientTLSConfig is the permissive client configuration for talking to servers we inspect, not
// trust: every protocol version and cipher suite Go can speak, no verification (the TLS family
// verifies chains separately and reports what it finds).
func ClientTLSConfig(serverName string) *tls.Config {
	var suites []uint16
	for _, s := range tls.CipherSuites() {
		suites = append(suites, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		suites = append(suites, s.ID)
	}
	return &tls.Config{
		ServerName:         serverName,
		InsecureSkipVerify: true, //nolint:gosec // inspection, not trust: chains are verified by the tls family
		MinVersion:         tls.VersionTLS10,
		CipherSuites:       suites,
		NextProtos:         []string{"http/1.1"},
	}
}

// SNI returns the server name to send for an endpoint: its host name, or "" for an address.
func (e Endpoint) SNI() string {
	if e.IsName() {
		return e.Host
	}
	return ""
}

// compactSuites keep a retry ClientHello small: some TLS stacks (old load balancers, printers)
// hang up on hellos over 255 or 512 bytes, and Go's full hello with a post-quantum key share is
// over a kilobyte.
var compactSuites = []uint16{
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_256_CBC_SHA, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
}

func detectTLS(ctx context.Context, env *Env) (Service, error) {
	start := time.Now()
	svc, err := handshakeTLS(ctx, env, ClientTLSConfig(env.Endpoint.SNI()))
	if errors.Is(err, errNoAnswer) && ctx.Err() == nil && time.Since(start) < env.IOTimeout/2 {
		// A quick hang-up after a full hello may be intolerance of large hellos: ask once more,
		// small. (A server that let the hello time out gets no second wait.)
		small := ClientTLSConfig(env.Endpoint.SNI())
		small.CipherSuites, small.CurvePreferences, small.NextProtos = compactSuites, []tls.CurveID{tls.X25519, tls.CurveP256}, nil
		if s2, err2 := handshakeTLS(ctx, env, small); err2 == nil {
			return s2, nil
		}
	}
	return svc, err
}

func handshakeTLS(ctx context.Context, env *Env, cfg *tls.Config) (Service, error) {
	raw, err := env.Dialer.DialContext(ctx, "tcp", env.Endpoint.HostPort())
	if err != nil {
		return Service{}, err
	}
	defer raw.Close()
	rec := &recorder{Conn: raw}
	_ = rec.SetDeadline(env.Deadline(ctx))
	tc := tls.Client(rec, cfg)
	herr := tc.HandshakeContext(ctx)
	if herr != nil {
		if looksTLS(rec.first) {
			// A TLS server that would not complete a handshake with Go's client (SSLv3 only, no
			// common suite): still TLS, and the tls family will enumerate what it does accept.
			return Service{Name: nameForTLSPort(env.Endpoint), TLS: true}, nil
		}
		if len(rec.first) > 0 {
			svc := classifyBanner(rec.first, env.Endpoint.Port)
			if svc.Name != SvcUnknown {
				return svc, nil
			}
			return Service{}, Mismatch("not TLS: unrecognised answer to a ClientHello", herr)
		}
		if Classify(herr) == ReasonReset || Classify(herr) == ReasonTimeout {
			return Service{}, fmt.Errorf("%w: %v", errNoAnswer, herr)
		}
		return Service{}, herr
	}
	svc := Service{Name: SvcTLS, TLS: true, TLSHandshake: true}
	_ = tc.SetDeadline(env.Deadline(ctx))
	wantHTTP := tc.ConnectionState().NegotiatedProtocol == "http/1.1" || env.Endpoint.Scheme == "https" ||
		hasStrategyFirst(env.Endpoint.Port, tryTLS, tryHTTP)
	if !wantHTTP {
		// A server-first protocol inside TLS (SMTPS, IMAPS, POP3S, FTPS) speaks now.
		_ = tc.SetReadDeadline(minTime(time.Now().Add(bannerWait), env.Deadline(ctx)))
		if b := readSome(tc, 1024); len(b) > 0 {
			s := classifyBanner(b, env.Endpoint.Port)
			s.TLS, s.TLSHandshake = true, true
			if s.Name == SvcUnknown {
				s.Name = SvcTLS
			}
			return s, nil
		}
		_ = tc.SetDeadline(env.Deadline(ctx))
	}
	if info, banner, ok := httpExchange(tc, env); ok {
		svc.Name, svc.HTTP, svc.Banner = SvcHTTP, info, banner
	}
	return svc, nil
}

func hasStrategyFirst(port int, first, second strategy) bool {
	h := portHints[port]
	return len(h) > 1 && h[0] == first && h[1] == second
}

func nameForTLSPort(e Endpoint) string {
	if h := portHints[e.Port]; len(h) > 1 && h[1] == tryHTTP || e.Scheme == "https" {
		return SvcHTTP
	}
	switch e.Port {
	case 465:
		return SvcSMTP
	case 993:
		return SvcIMAP
	case 995:
		return SvcPOP3
	case 990:
		return SvcFTP
	}
	return SvcTLS
}

func looksTLS(b []byte) bool {
	return len(b) >= 3 && (b[0] == 0x15 || b[0] == 0x16) && b[1] == 0x03 && b[2] <= 0x04
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func detectHTTP(ctx context.Context, env *Env) (Service, error) {
	c, err := env.Dialer.DialContext(ctx, "tcp", env.Endpoint.HostPort())
	if err != nil {
		return Service{}, err
	}
	defer c.Close()
	_ = c.SetDeadline(env.Deadline(ctx))
	info, banner, ok := httpExchange(c, env)
	if ok {
		return Service{Name: SvcHTTP, HTTP: info, Banner: banner}, nil
	}
	if len(banner) > 0 {
		return Service{}, Mismatch("not HTTP: "+banner, nil)
	}
	return Service{}, errNoAnswer
}

// httpExchange sends one GET and reads the response head. It returns the first line when the
// answer was not HTTP (some servers answer anything with their banner).
func httpExchange(c net.Conn, env *Env) (*HTTPInfo, string, bool) {
	path := env.Endpoint.Path
	if path == "" {
		path = "/"
	}
	host := env.Endpoint.HostPort()
	if _, isTLS := c.(*tls.Conn); isTLS && env.Endpoint.Port == 443 || !isTLS && env.Endpoint.Port == 80 {
		host = strings.TrimSuffix(host, ":"+strconv.Itoa(env.Endpoint.Port))
	}
	req := fmt.Sprintf("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\nConnection: close\r\n\r\n", path, host, UserAgent)
	if _, err := io.WriteString(c, req); err != nil {
		return nil, "", false
	}
	rec := &recorder{Conn: c}
	br := bufio.NewReaderSize(io.LimitReader(rec, 64<<10), 4096)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		if looksTLS(rec.first) {
			return nil, "", false
		}
		return nil, FirstLine(string(rec.first), 200), false
	}
	resp.Body.Close()
	return &HTTPInfo{Status: resp.StatusCode, Server: Clean(resp.Header.Get("Server"), 200)}, "", true
}

// UserAgent identifies telesra's requests honestly in the servers' logs. The CLI sets the
// version.
var UserAgent = "telesra (HIPAA security risk assessment)"

func detectBanner(ctx context.Context, env *Env) (Service, error) {
	c, err := env.Dialer.DialContext(ctx, "tcp", env.Endpoint.HostPort())
	if err != nil {
		return Service{}, err
	}
	defer c.Close()
	_ = c.SetReadDeadline(minTime(time.Now().Add(bannerWait), env.Deadline(ctx)))
	if b := readSome(c, 1024); len(b) > 0 {
		svc := classifyBanner(b, env.Endpoint.Port)
		if svc.Name == SvcUnknown && (env.Endpoint.Port == 23 || env.Endpoint.Scheme == "telnet") {
			// The target said telnet (by port or scheme), and what answered is nothing else we
			// know: trust the declaration, as for a service on its well-known port.
			svc.Name = SvcTelnet
		}
		return svc, nil
	}
	if ctx.Err() != nil {
		return Service{}, ctx.Err()
	}
	// Silent: perhaps a client-first protocol on an unexpected port. Ask in HTTP on the same
	// connection before giving up.
	_ = c.SetDeadline(env.Deadline(ctx))
	if info, banner, ok := httpExchange(c, env); ok {
		return Service{Name: SvcHTTP, HTTP: info}, nil
	} else if banner != "" {
		return Service{Name: SvcUnknown, Banner: banner}, nil
	}
	return Service{}, errNoAnswer
}

// readSome reads what the server sends until the deadline set on c, at most max bytes, stopping
// early at the end of the first line.
func readSome(c net.Conn, max int) []byte {
	buf := make([]byte, 0, max)
	tmp := make([]byte, max)
	for len(buf) < max {
		n, err := c.Read(tmp[:max-len(buf)])
		buf = append(buf, tmp[:n]...)
		if err != nil || bytes.IndexByte(buf, '\n') >= 0 || looksTLS(buf) || len(buf) > 0 && buf[0] == 0xff {
			break
		}
	}
	return buf
}

func classifyBanner(b []byte, port int) Service {
	line := FirstLine(string(b), 200)
	s := Service{Name: SvcUnknown, Banner: line}
	lower := strings.ToLower(string(b))
	switch {
	case looksTLS(b):
		s.Name, s.TLS, s.Banner = SvcTLS, true, ""
	case bytes.HasPrefix(b, []byte("SSH-")):
		s.Name = SvcSSH
	case bytes.HasPrefix(b, []byte("HTTP/")):
		s.Name = SvcHTTP
	case bytes.HasPrefix(b, []byte("* OK")), bytes.HasPrefix(b, []byte("* PREAUTH")):
		s.Name = SvcIMAP
	case bytes.HasPrefix(b, []byte("+OK")):
		s.Name = SvcPOP3
	case bytes.HasPrefix(b, []byte("RFB ")):
		s.Name = SvcVNC
	case b[0] == 0xff: // telnet IAC option negotiation
		s.Name = SvcTelnet
		s.Banner = ""
	case len(b) > 4 && b[0] == 0x03 && b[1] == 0x00:
		s.Name, s.Banner = SvcRDP, ""
	case bytes.HasPrefix(b, []byte("220")) || bytes.HasPrefix(b, []byte("421")):
		switch {
		case strings.Contains(lower, "ftp"):
			s.Name = SvcFTP
		case strings.Contains(lower, "smtp") || strings.Contains(lower, "mail"):
			s.Name = SvcSMTP
		case port == 21 || port == 990:
			s.Name = SvcFTP
		default:
			s.Name = SvcSMTP
		}
	case loginPrompt.Match(bytes.TrimRight(b, " \t\x00")):
		// A console that asks for credentials straight away, without negotiating telnet
		// options (embedded devices, busybox-style daemons): telnet in all but the IAC bytes,
		// and judged as such. SMTP and FTP greetings end in a line break, never at a prompt.
		s.Name = SvcTelnet
		s.Banner = lastLine(string(b), 200)
	case port == 23:
		s.Name = SvcTelnet
	}
	return s
}

// loginPrompt is a server's first words ending at a credentials prompt, with no line break after.
var loginPrompt = regexp.MustCompile(`(?i)(login|username|user name|password)\s*:$`)

// lastLine is the last non-empty line of s, cleaned: where a console puts its prompt.
func lastLine(s string, max int) string {
	lines := strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' })
	if len(lines) == 0 {
		return ""
	}
	return Clean(lines[len(lines)-1], max)
}

// rdpConnectionRequest is an X.224 Connection Request carrying RDP_NEG_REQ for TLS and CredSSP
// (MS-RDPBCGR 2.2.1.1): the cheapest question an RDP server always answers.
var rdpConnectionRequest = []byte{
	0x03, 0x00, 0x00, 0x13, // TPKT, length 19
	0x0e, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, // X.224 CR
	0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00, // RDP_NEG_REQ: PROTOCOL_SSL|PROTOCOL_HYBRID
}

func detectRDP(ctx context.Context, env *Env) (Service, error) {
	c, err := env.Dialer.DialContext(ctx, "tcp", env.Endpoint.HostPort())
	if err != nil {
		return Service{}, err
	}
	defer c.Close()
	_ = c.SetDeadline(env.Deadline(ctx))
	if _, err := c.Write(rdpConnectionRequest); err != nil {
		return Service{}, err
	}
	b := make([]byte, 64)
	n, err := io.ReadAtLeast(c, b, 7)
	if n >= 6 && b[0] == 0x03 && b[1] == 0x00 && b[5] == 0xd0 { // TPKT + X.224 Connection Confirm
		return Service{Name: SvcRDP}, nil
	}
	if n > 0 {
		svc := classifyBanner(b[:n], env.Endpoint.Port)
		if svc.Name != SvcUnknown {
			return svc, nil
		}
		return Service{}, Mismatch("not RDP", nil)
	}
	if err == nil {
		err = errNoAnswer
	}
	if r := Classify(err); r == ReasonReset || r == ReasonTimeout {
		return Service{}, fmt.Errorf("%w: %v", errNoAnswer, err)
	}
	return Service{}, err
}
