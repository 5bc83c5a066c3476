package checks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// MaxRedirects bounds how many same-origin redirects a check follows.
const MaxRedirects = 5

// MaxBody is the most of a response body a check reads by default.
const MaxBody = 1 << 20

// HTTPClient returns a client for the endpoint's HTTP service: every connection through the
// scan's dialer (scope, rate, per-host limit), TLS without verification (we inspect, we do not
// trust), no cookies kept, no keep-alive (so no idle connection holds a host slot), and at most
// MaxRedirects redirects, all on the endpoint's own origin; a redirect elsewhere is not followed.
func (e *Env) HTTPClient() *http.Client {
	tr := &http.Transport{
		DialContext:            e.Dialer.DialContext,
		TLSClientConfig:        ClientTLSConfig(e.Endpoint.SNI()),
		DisableKeepAlives:      true,
		MaxResponseHeaderBytes: 64 << 10,
		ResponseHeaderTimeout:  e.IOTimeout,
		TLSHandshakeTimeout:    e.IOTimeout,
		Proxy:                  nil, // never through a proxy: the scope is about where packets go
	}
	tr.TLSClientConfig.NextProtos = nil
	origin := e.Origin()
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > MaxRedirects {
				return http.ErrUseLastResponse
			}
			if originOf(req.URL) != origin {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
}

// Origin is scheme://host:port of the endpoint's HTTP service ("" when it is not HTTP).
func (e *Env) Origin() string {
	scheme := e.Service.Scheme()
	if scheme == "" {
		return ""
	}
	return scheme + "://" + e.Endpoint.HostPort()
}

// URL builds an absolute URL on the endpoint's origin for a path ("/login").
func (e *Env) URL(path string) string {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return e.Origin() + path
}

func originOf(u *url.URL) string {
	port := u.Port()
	if port == "" {
		if p, ok := SchemePort(u.Scheme); ok {
			port = fmt.Sprint(p)
		}
	}
	host := u.Hostname()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(host) + ":" + port
}

// Page is a fetched response with a bounded body.
type Page struct {
	URL       string // final URL after redirects
	Status    int
	Header    http.Header
	Body      []byte
	Truncated bool // the body was longer than the limit
	Redirects int
	// RedirectLimit is set when the answer is a redirect on the same origin that was not followed
	// because MaxRedirects were already followed (a loop, or a chain too long to judge).
	RedirectLimit bool
}

// Get fetches a path on the endpoint's origin, reading at most limit bytes of body (MaxBody when
// limit <= 0).
func (e *Env) Get(ctx context.Context, client *http.Client, path string, limit int64) (*Page, error) {
	if limit <= 0 {
		limit = MaxBody
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.URL(path), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil && len(body) == 0 {
		return nil, err
	}
	p := &Page{URL: resp.Request.URL.String(), Status: resp.StatusCode, Header: resp.Header, Body: body}
	if int64(len(body)) > limit {
		p.Body, p.Truncated = body[:limit], true
	}
	for r := resp.Request; r.Response != nil; r = r.Response.Request {
		p.Redirects++
	}
	if p.Status >= 300 && p.Status <= 399 {
		if loc, err := resp.Location(); err == nil && originOf(loc) == originOf(resp.Request.URL) {
			p.RedirectLimit = true
		}
	}
	return p, nil
}
