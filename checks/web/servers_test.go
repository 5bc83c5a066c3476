package web

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"strings"
	"testing"
)

// reply is a canned response.
type reply struct {
	status int
	header []string // "Name: value"
	body   string
}

// site serves canned replies by exact path; anything else is a 404 (or fallback, when set).
type site struct {
	routes   map[string]reply
	fallback *reply
}

func (s site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rep, ok := s.routes[r.URL.Path]
	if !ok {
		if s.fallback == nil {
			http.NotFound(w, r)
			return
		}
		rep = *s.fallback
	}
	for _, h := range rep.header {
		k, v, _ := strings.Cut(h, ":")
		w.Header().Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	}
	if rep.status == 0 {
		rep.status = http.StatusOK
	}
	w.WriteHeader(rep.status)
	fmt.Fprint(w, rep.body)
}

func at(path string, rep reply) site { return site{routes: map[string]reply{path: rep}} }

// spa answers every path with the same HTML page, as single-page applications do: exposure
// templates must not mistake it for the file they look for.
func spa(body string) site { return site{fallback: &reply{body: body}} }

const loginForm = `<!doctype html><html><head><title>Patient portal</title></head><body>
<form method="post" action="/login"><input name="email"><input type="password" name="password"><button>Sign in</button></form>
</body></html>`

const appHTML = `<!doctype html><html><head><title>Riverside Family Telehealth</title></head><body><div id="app"></div>
<p>DB_PASSWORD= is not configured here; ref: refs/heads/main</p></body></html>`

// hardened are the headers of a well-configured portal page.
var hardened = []string{
	"Strict-Transport-Security: max-age=31536000; includeSubDomains",
	"Content-Security-Policy: default-src 'self'; frame-ancestors 'self'",
	"X-Frame-Options: DENY",
	"X-Content-Type-Options: nosniff",
	"Referrer-Policy: strict-origin-when-cross-origin",
	"Set-Cookie: sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax",
}

// without returns hardened minus headers starting with prefix, plus extra.
func without(prefix string, extra ...string) []string {
	return append(strip(prefix), extra...)
}

// strip returns hardened minus headers starting with any of prefixes.
func strip(prefixes ...string) []string {
	var out []string
next:
	for _, h := range hardened {
		for _, p := range prefixes {
			if strings.HasPrefix(strings.ToLower(h), strings.ToLower(p)) {
				continue next
			}
		}
		out = append(out, h)
	}
	return out
}

// serve starts a loopback test server whose own error log (TLS handshakes the service probe
// abandons) stays quiet.
func serve(t testing.TB, h http.Handler, tls bool) *httptest.Server {
	s := httptest.NewUnstartedServer(h)
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	if tls {
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return s
}

// portal is a login page with the given headers.
func portal(header ...string) site { return at("/", reply{header: header, body: loginForm}) }

// traceEcho answers TRACE like a server with TRACE enabled.
type traceEcho struct{}

func (traceEcho) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != "TRACE" {
		fmt.Fprint(w, "ok")
		return
	}
	dump, _ := httputil.DumpRequest(r, false)
	w.Header().Set("Content-Type", "message/http")
	_, _ = w.Write(dump)
}

// corsReflect echoes any Origin with credentials allowed.
type corsReflect struct{ allow string }

func (c corsReflect) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	origin := c.allow
	if origin == "" {
		origin = r.Header.Get("Origin")
	}
	w.Header().Set("Access-Control-Allow-Origin", origin)
	w.Header().Set("Access-Control-Allow-Credentials", "true")
	fmt.Fprint(w, `{"ok":true}`)
}
