package tls

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/telesra/telesra/checks"
)

// HeartbleedResult is the outcome of the CVE-2014-0160 test.
type HeartbleedResult struct {
	Tested     bool   `json:"tested"`
	Vulnerable bool   `json:"vulnerable"`
	Leaked     int    `json:"leaked_bytes,omitempty"` // how many bytes beyond our request came back (never stored)
	Detail     string `json:"detail"`
}

// heartbleedAsk is the payload length the malformed heartbeat claims while carrying none: a
// vulnerable server answers with that many bytes of its memory. 256 bytes proves the flaw
// while reading as little of another process's memory as possible; the bytes are discarded.
const heartbleedAsk = 256

// heartbleedProbe sends one malformed heartbeat request, only to servers that negotiate the
// heartbeat extension, after the server's first flight and before any key exchange.
var heartbleedProbe = &checks.Probe[*HeartbleedResult]{ID: "tls.heartbleed", Run: testHeartbleed,
	Connections: "0-1", Needs: []checks.ProbeRef{enumProbe},
	Description: "Only when the server negotiates the heartbeat extension: one handshake read to ServerHelloDone, then one " +
		"heartbeat request claiming 256 bytes and carrying none; an answer longer than the request is Heartbleed. Nothing is decrypted or stored."}

// testHeartbleed is the heartbleed probe: what a malformed heartbeat request brings back.
func testHeartbleed(ctx context.Context, env *checks.Env) (*HeartbleedResult, error) {
	rep, err := report(ctx, env)
	if err != nil {
		return nil, err
	}
	if !rep.Heartbeat {
		return &HeartbleedResult{Detail: "the server does not negotiate the heartbeat extension (RFC 6520), so Heartbleed cannot reach it"}, nil
	}
	var p *Protocol
	for _, q := range rep.Protocols {
		if q.Offered && q.Version >= versionSSL3 && q.Version <= versionTLS12 {
			p = q
		}
	}
	if p == nil {
		return &HeartbleedResult{Detail: "no protocol below TLS 1.3 to test"}, nil
	}
	var suites []uint16
	for _, s := range p.Suites {
		suites = append(suites, s.ID)
	}
	t := newTarget(env)
	hello, err := clientHello12(p.Version, suites, helloOptions{sni: t.sni})
	if err != nil {
		return nil, err
	}
	c, err := t.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if _, err := c.Write(hello); err != nil {
		return nil, err
	}
	r := newServerReader(c, flightBudget)
	typ, body, err := r.message()
	if err != nil {
		return nil, fmt.Errorf("heartbleed test handshake: %w", err)
	}
	if typ != typeServerHello {
		return nil, checks.Mismatch("heartbleed test: no ServerHello", nil)
	}
	sh, err := parseServerHello(body)
	if err != nil {
		return nil, err
	}
	if _, err := readFlight(r); err != nil {
		return nil, fmt.Errorf("heartbleed test handshake: %w", err)
	}
	// type 1 (request), payload_length heartbleedAsk, and no payload or padding at all.
	req := []byte{recordHeartbeat, byte(sh.Version >> 8), byte(sh.Version), 0, 3, 1, heartbleedAsk >> 8, heartbleedAsk & 0xff}
	if _, err := c.Write(req); err != nil {
		return &HeartbleedResult{Tested: true, Detail: "the server closed the connection on the heartbeat request"}, nil
	}
	// A patched server discards the request silently: wait briefly, not a full I/O timeout.
	_ = c.SetReadDeadline(minTime(time.Now().Add(min(env.IOTimeout, 2*time.Second)), env.Deadline(ctx)))
	for i := 0; i < 4; i++ {
		rt, _, rb, err := r.record()
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) || checks.Classify(err) == checks.ReasonTimeout {
				return &HeartbleedResult{Tested: true, Detail: "the server ignored a heartbeat request claiming more data than it carried, as RFC 6520 requires"}, nil
			}
			return &HeartbleedResult{Tested: true, Detail: "the server closed the connection on the malformed heartbeat request"}, nil
		}
		switch rt {
		case recordHeartbeat:
			if len(rb) > 3 {
				return &HeartbleedResult{Tested: true, Vulnerable: true, Leaked: len(rb) - 3,
					Detail: fmt.Sprintf("a heartbeat request claiming %d bytes and carrying none was answered with %d bytes of server memory", heartbleedAsk, len(rb)-3)}, nil
			}
		case recordAlert:
			return &HeartbleedResult{Tested: true, Detail: "the server rejected the malformed heartbeat request with an alert"}, nil
		}
	}
	return &HeartbleedResult{Tested: true, Detail: "no heartbeat response"}, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// HSTSResult is the Strict-Transport-Security header of an HTTPS service.
type HSTSResult struct {
	URL               string `json:"url"`
	Status            int    `json:"status"`
	Header            string `json:"header,omitempty"`
	Present           bool   `json:"present"`
	Valid             bool   `json:"valid"`
	MaxAge            int64  `json:"max_age"`
	IncludeSubDomains bool   `json:"include_subdomains"`
	Preload           bool   `json:"preload"`
}

// hstsMinAge is 180 days, the SSL Labs threshold for A+.
const hstsMinAge = 180 * 24 * 3600

// isHTTPS: the HSTS checks judge web services reached over TLS.
func isHTTPS(s checks.Service) bool { return s.Name == checks.SvcHTTP && s.TLS }

// hstsProbe fetches the endpoint's page once over HTTPS, without following redirects: the
// header must be on the first response a browser sees.
var hstsProbe = &checks.Probe[*HSTSResult]{ID: "tls.hsts", Run: readHSTS,
	Connections: "1",
	Description: "HTTPS services: one GET of the endpoint's path, redirects not followed, for the Strict-Transport-Security header."}

// readHSTS reads the Strict-Transport-Security header of the endpoint's HTTPS answer.
func readHSTS(ctx context.Context, env *checks.Env) (*HSTSResult, error) {
	if !isHTTPS(env.Service) {
		return nil, checks.ErrNotApplicable
	}
	client := env.HTTPClient()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	page, err := env.Get(ctx, client, env.Endpoint.Path, 16<<10)
	if err != nil {
		return nil, fmt.Errorf("fetch %s over HTTPS: %w", env.URL(env.Endpoint.Path), err)
	}
	res := &HSTSResult{URL: page.URL, Status: page.Status}
	vals := page.Header.Values("Strict-Transport-Security")
	if len(vals) == 0 {
		return res, nil
	}
	// RFC 6797 8.1: only the first header counts.
	res.Present, res.Header = true, checks.Clean(vals[0], 300)
	res.MaxAge, res.IncludeSubDomains, res.Preload, res.Valid = parseHSTS(vals[0])
	return res, nil
}

// parseHSTS reads max-age, includeSubDomains and preload; a header without a usable max-age is
// invalid and browsers ignore it.
func parseHSTS(v string) (maxAge int64, sub, preload, valid bool) {
	maxAge = -1
	for _, d := range strings.Split(v, ";") {
		name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "max-age":
			n, err := strconv.ParseInt(strings.Trim(strings.TrimSpace(val), `"`), 10, 64)
			if err != nil || n < 0 || maxAge >= 0 {
				return 0, false, false, false // malformed or repeated: ignored by browsers
			}
			maxAge = n
		case "includesubdomains":
			sub = true
		case "preload":
			preload = true
		}
	}
	if maxAge < 0 {
		return 0, sub, preload, false
	}
	return maxAge, sub, preload, true
}
