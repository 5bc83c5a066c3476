package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
)

// scanWeb runs the web family (built with o) against targets through the real runner.
func scanWeb(t *testing.T, o Options, opt checks.Options, targets ...string) (*checks.Result, *Engine) {
	t.Helper()
	fam, eng, err := New(withWorker(o))
	if err != nil {
		t.Fatal(err)
	}
	opt.Checks, opt.Families = fam.Checks, []*checks.Family{fam}
	return checkstest.ScanWith(t, opt, targets...), eng
}

func checkSet(r *checks.Result, target string) []string {
	ids := checkstest.FindingsOf(r, target)
	sort.Strings(ids)
	return slices.Compact(ids)
}

// TestEndToEnd runs the whole pack through the SDK against one loopback portal with several
// flaws and asserts the exact set of findings, that nothing was refused at the gate (nuclei
// asked for nothing but the endpoint) and that nuclei's version check was blocked.
func TestEndToEnd(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "nginx/1.18.0")
		if r.Method == "TRACE" {
			traceEcho{}.ServeHTTP(w, r)
			return
		}
		switch r.URL.Path {
		case "/":
			http.SetCookie(w, &http.Cookie{Name: "sessionid", Value: "abc", Path: "/"})
			fmt.Fprint(w, loginForm)
		case "/.git/HEAD":
			fmt.Fprint(w, "ref: refs/heads/main\n")
		case "/.env":
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprint(w, "APP_ENV=production\nDB_PASSWORD=hunter2\n")
		case "/server-status":
			fmt.Fprint(w, "<h1>Apache Server Status for portal.example</h1>")
		case "/uploads/":
			fmt.Fprint(w, "<html><head><title>Index of /uploads/</title></head></html>")
		default:
			http.NotFound(w, r)
		}
	})
	srv := serve(t, h, false)
	target := srv.URL + "/"
	res, eng := scanWeb(t, Options{}, checks.Options{}, target)

	want := []string{
		"web.apache-server-status",
		"web.cookie-without-httponly",
		"web.cookie-without-samesite",
		"web.directory-listing",
		"web.env-file-exposed",
		"web.git-repository-exposed",
		"web.http-cookie-cleartext",
		"web.http-trace-enabled",
		"web.missing-csp",
		"web.missing-referrer-policy",
		"web.missing-x-content-type-options",
		"web.missing-x-frame-options",
		"web.tech-nginx",
	}
	if got := checkSet(res, target); !slices.Equal(got, want) {
		t.Errorf("findings:\n got %v\nwant %v", got, want)
	}
	if len(res.Findings) != len(want) {
		t.Errorf("%d findings, want one per check (%d)", len(res.Findings), len(want))
	}
	for _, a := range res.Attempts {
		if a.Status != checks.StatusCompleted {
			t.Errorf("attempt %s: %s %s %s", a.Check, a.Status, a.Reason, a.Error)
		}
	}
	if n := eng.Refused(); n != 0 {
		t.Errorf("the gate refused %d connections: nuclei asked for something other than the endpoint", n)
	}
	if eng.BlockedUpdateChecks() == 0 {
		t.Errorf("nuclei's version check was not attempted: the test does not prove it is blocked")
	}
	for _, f := range res.Findings {
		if f.Check == "web.env-file-exposed" {
			if x, _ := f.Evidence["extracted"].([]string); !slices.Contains(x, "DB_PASSWORD") {
				t.Errorf("env finding evidence: %v", f.Evidence)
			}
		}
	}
}

// foreignServer is a listener no scan may ever reach: any connection to it fails the test.
func foreignServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Errorf("a connection reached %s, which is not a target of the scan", ln.Addr())
			c.Close()
		}
	}()
	return ln.Addr().String()
}

// TestOnlyTheEndpointIsContacted: a target that redirects elsewhere, and a user template that
// follows redirects. nuclei asks for the other address; the gate refuses it, the foreign server
// sees no connection, and the template's attempt is an out-of-scope error (never a pass).
func TestOnlyTheEndpointIsContacted(t *testing.T) {
	foreign := foreignServer(t)
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/go" {
			http.Redirect(w, r, "http://"+foreign+"/landing", http.StatusFound)
			return
		}
		fmt.Fprint(w, "ok")
	}), false)
	dir := t.TempDir()
	writeTemplate(t, dir, "follows-redirects.yaml", `id: follows-redirects
info:
  name: Follows redirects anywhere
  author: test
  severity: low
  description: Follows the target's redirects wherever they go.
  remediation: Nothing; this is a test.
  metadata:
    telesra:
      hipaa: ["164.312(a)(1)"]
http:
  - method: GET
    path: ["{{RootURL}}/go"]
    redirects: true
    max-redirects: 3
    matchers:
      - type: status
        status: [200]
`)
	target := srv.URL + "/"
	res, eng := scanWeb(t, Options{TemplatesDir: dir}, checks.Options{}, target)
	a, ok := checkstest.Attempt(res, "web.follows-redirects", target)
	if !ok || a.Status != checks.StatusError || a.Reason != checks.ReasonOutOfScope {
		t.Errorf("attempt of the redirect-following template: %+v, want an out-of-scope error", a)
	}
	if eng.Refused() == 0 {
		t.Errorf("the gate refused nothing")
	}
}

func writeTemplate(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestUserTemplates: --templates DIR adds the user's valid templates as checks; bad ones are
// refused with a message naming the file, and the others still run.
func TestUserTemplates(t *testing.T) {
	dir := t.TempDir()
	writeTemplate(t, dir, "good.yaml", `id: clinic-status-page
info:
  name: Clinic status page public
  author: clinic-it
  severity: low
  description: The internal status page answers from outside.
  remediation: Restrict /clinic-status to the clinic network.
  metadata:
    telesra:
      hipaa: ["164.312(a)(1)"]
http:
  - method: GET
    path: ["{{RootURL}}/clinic-status"]
    matchers:
      - type: word
        words: ["all systems nominal"]
`)
	writeTemplate(t, dir, "code.yaml", `id: run-a-command
info:
  name: Runs a command
  author: someone
  severity: high
  description: Runs a program on the scanning machine.
  remediation: Do not do this.
  metadata:
    telesra:
      hipaa: ["164.312(a)(1)"]
code:
  - engine: [sh]
    source: id
`)
	writeTemplate(t, dir, "upstream.yaml", `id: upstream-template
info:
  name: A community template without telesra's metadata
  author: pd
  severity: info
http:
  - method: GET
    path: ["{{BaseURL}}"]
    matchers:
      - type: status
        status: [200]
`)
	writeTemplate(t, dir, "clash.yaml", strings.Replace(mustRead(t, "../../templates/nuclei/exposures/git-repository-exposed.yaml"), "author: telesra", "author: someone-else", 1))
	writeTemplate(t, dir, "nuclei-rejects.yaml", `id: nuclei-rejects
info:
  name: Unknown matcher type
  author: me
  severity: low
  description: Uses a matcher type nuclei does not know.
  remediation: Use a known matcher type.
  metadata:
    telesra:
      hipaa: ["164.312(a)(1)"]
http:
  - path: ["{{BaseURL}}"]
    matchers:
      - type: telepathy
        words: ["x"]
`)
	var notices []string
	srv := serve(t, at("/clinic-status", reply{body: "all systems nominal"}), false)
	target := srv.URL + "/"
	res, _ := scanWeb(t, Options{TemplatesDir: dir, Notice: func(s string) { notices = append(notices, s) }}, checks.Options{}, target)

	if !slices.Contains(checkstest.FindingsOf(res, target), "web.clinic-status-page") {
		t.Errorf("the valid user template did not run: %v", checkstest.FindingsOf(res, target))
	}
	for _, want := range []string{"code.yaml:11:1: code: protocol code is not allowed", "upstream.yaml:3:3: info: missing properties",
		"clash.yaml", "is one of telesra's own templates", "nuclei-rejects.yaml: nuclei cannot compile this template"} {
		if !slices.ContainsFunc(notices, func(n string) bool { return strings.Contains(n, want) }) {
			t.Errorf("no notice mentions %q:\n%s", want, strings.Join(notices, "\n"))
		}
	}
	for _, n := range notices {
		if !strings.Contains(n, "skipped, the others run") {
			t.Errorf("notice does not say what happens: %s", n)
		}
	}
	if _, ok := checkstest.Attempt(res, "web.run-a-command", target); ok {
		t.Errorf("the refused code template ran")
	}
	if a, _ := checkstest.Attempt(res, "web.nuclei-rejects", target); a.Status != checks.StatusError || a.Reason != checks.ReasonInternal ||
		!strings.Contains(a.Error, "nuclei cannot compile this template: Invalid matcher type: telepathy") {
		t.Errorf("attempt of the template nuclei rejects: %+v", a)
	}
	if a, _ := checkstest.Attempt(res, "web.git-repository-exposed", target); a.Status != checks.StatusCompleted {
		t.Errorf("our own git template: %+v (the clashing user template must not replace it)", a)
	}
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestHugeBody: a target answering every request with a 50 MB body costs the scan at most the
// 1 MiB each response is read to, not 50 MB per template, and stays within the budget.
func TestHugeBody(t *testing.T) {
	const size = 50 << 20
	var sent atomic.Int64
	chunk := []byte(strings.Repeat("A", 64<<10))
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", fmt.Sprint(size))
		for n := 0; n < size; n += len(chunk) {
			m, err := w.Write(chunk)
			sent.Add(int64(m))
			if err != nil {
				return
			}
		}
	}), false)
	start := time.Now()
	res, _ := scanWeb(t, Options{}, checks.Options{ProbeTimeout: 20 * time.Second}, srv.URL+"/")
	took := time.Since(start)
	requests := countRequests(mustPack(t))
	t.Logf("%d requests, %d MiB sent by the server in %v", requests, sent.Load()>>20, took)
	if took > 15*time.Second {
		t.Errorf("scan took %v", took)
	}
	// What the server manages to send per request is what nuclei read (1 MiB) plus what the
	// loopback socket buffers absorb before the connection is closed (several MiB); reading
	// every body to the end would be 50 MB per request.
	if limit := int64(requests) * 16 << 20; sent.Load() > limit {
		t.Errorf("the server sent %d MiB for %d requests: bodies are not bounded", sent.Load()>>20, requests)
	}
	for _, a := range res.Attempts {
		if a.Status == checks.StatusError && a.Reason != checks.ReasonTimeout {
			t.Errorf("attempt %s: %s %s", a.Check, a.Reason, a.Error)
		}
	}
}

func mustPack(t *testing.T) []*Template {
	ts, err := EmbeddedPack()
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// TestRedirectLoop: every path redirects to itself; the pack neither follows it forever nor
// fails, and the plain-HTTP redirect that does not lead to HTTPS is reported.
func TestRedirectLoop(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Path, http.StatusFound)
	}), false)
	target := srv.URL + "/"
	start := time.Now()
	res, _ := scanWeb(t, Options{}, checks.Options{}, target)
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("scan took %v", took)
	}
	for _, a := range res.Attempts {
		if a.Status != checks.StatusCompleted {
			t.Errorf("attempt %s: %s %s %s", a.Check, a.Status, a.Reason, a.Error)
		}
	}
	if got := checkSet(res, target); !slices.Equal(got, []string{"web.http-redirect-not-https"}) {
		t.Errorf("findings %v, want only web.http-redirect-not-https", got)
	}
}

// TestSlowResponses: a target whose every path but / takes 30 s to answer. The probe budget
// ends the run; the templates that could not finish are timeout errors, never passes.
func TestSlowResponses(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			select {
			case <-time.After(30 * time.Second):
			case <-r.Context().Done():
				return
			}
		}
		fmt.Fprint(w, "ok")
	}), false)
	target := srv.URL + "/"
	start := time.Now()
	res, _ := scanWeb(t, Options{}, checks.Options{IOTimeout: time.Second, ProbeTimeout: 3 * time.Second}, target)
	took := time.Since(start)
	if took > 10*time.Second {
		t.Errorf("scan took %v with a 3 s probe budget", took)
	}
	var completed, timedOut int
	for _, a := range res.Attempts {
		switch {
		case a.Status == checks.StatusCompleted:
			completed++
		case a.Status == checks.StatusError && a.Reason == checks.ReasonTimeout:
			timedOut++
		default:
			t.Errorf("attempt %s: %s %s %s", a.Check, a.Status, a.Reason, a.Error)
		}
	}
	a, _ := checkstest.Attempt(res, "web.git-repository-exposed", target)
	if a.Status != checks.StatusError || a.Reason != checks.ReasonTimeout {
		t.Errorf("a template whose path never answered: %+v, want a timeout error", a)
	}
	t.Logf("%v: %d completed, %d timed out", took, completed, timedOut)
}

// consumer is a family like mfa or patch: it receives the Recognizer and reports what it
// recognised.
func consumer(rec checks.Recognizer) *checks.Family {
	c := checks.DefineWith(checks.Check{ID: "rectest.products", Title: "Products", Description: "test", Remediation: "test",
		HIPAA: []string{"164.312(d)"}, Applies: func(s checks.Service) bool { return s.Name == checks.SvcHTTP }},
		nil, func(ctx context.Context, env *checks.Env, c *checks.Check) ([]checks.Finding, error) {
			techs, err := rec.Recognize(ctx, env)
			if err != nil {
				return nil, err
			}
			var out []checks.Finding
			for _, tech := range techs {
				f := c.NewFinding(env, tech.Source)
				f.Title = strings.Join([]string{tech.Category, tech.Vendor, tech.Product, tech.Version}, "|")
				out = append(out, f)
			}
			return out, nil
		})
	return &checks.Family{Name: "rectest", Checks: []*checks.Check{c}}
}

// TestRecognizer: a family bound to the engine gets products and versions through the
// Recognizer API, with the engine running for its scan although no web check is selected.
func TestRecognizer(t *testing.T) {
	webFam, eng, err := New(withWorker(Options{}))
	if err != nil {
		t.Fatal(err)
	}
	fam := consumer(eng)
	eng.Bind(fam)
	owa := serve(t, site{routes: map[string]reply{
		"/":                    {header: []string{"Server: Microsoft-IIS/10.0"}, body: "ok"},
		"/owa/auth/logon.aspx": {header: []string{"X-OWA-Version: 15.2.1258.12"}, body: "<title>Outlook</title>"},
	}}, true)
	plain := serve(t, at("/", reply{body: "hello"}), false)
	res := checkstest.ScanWith(t, checks.Options{Checks: fam.Checks, Families: []*checks.Family{fam, webFam}}, owa.URL+"/", plain.URL+"/")

	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Title)
	}
	sort.Strings(got)
	want := []string{"web-server|Microsoft|Microsoft IIS|10.0", "webmail|Microsoft|Outlook Web App|15.2.1258.12"}
	if !slices.Equal(got, want) {
		t.Errorf("recognised %v, want %v", got, want)
	}
	if a, _ := checkstest.Attempt(res, "rectest.products", plain.URL+"/"); a.Status != checks.StatusCompleted || a.Findings != 0 {
		t.Errorf("plain server: %+v", a)
	}
	if eng.Starts() != 1 {
		t.Errorf("engine started %d times", eng.Starts())
	}
	if _, err := eng.current(); err == nil {
		t.Errorf("the engine still runs after the scan")
	}
}

// TestEmbeddedPack: telesra's own templates pass telesra's rules and nuclei's compiler, there are
// at least 30, and each file is named after its id.
func TestEmbeddedPack(t *testing.T) {
	rep, err := Validate(context.Background(), "", testWorker())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range rep.Invalid {
		t.Errorf("invalid: %v", e)
	}
	if len(rep.Valid) < 30 {
		t.Errorf("%d templates, want at least 30", len(rep.Valid))
	}
	for _, tpl := range rep.Valid {
		if base := strings.TrimSuffix(filepath.Base(tpl.File), ".yaml"); base != tpl.ID {
			t.Errorf("%s: file name does not match id %s", tpl.File, tpl.ID)
		}
		if len(tpl.Requests) == 0 {
			t.Errorf("%s: no request described for the catalog", tpl.File)
		}
	}
}

// TestNamedEndpoint: an endpoint declared by name is reached at the address the scope pinned,
// with the name in the Host header, and nuclei resolves nothing itself (no DNS server knows the
// name: only the scan's resolver maps it).
func TestNamedEndpoint(t *testing.T) {
	var hosts []string
	var mu sync.Mutex
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hosts = append(hosts, r.Host)
		mu.Unlock()
		if r.URL.Path == "/.git/HEAD" {
			fmt.Fprint(w, "ref: refs/heads/main\n")
			return
		}
		http.NotFound(w, r)
	}), false)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	name := "portal.clinic.invalid"
	target := "http://" + name + ":" + port + "/"
	res, eng := scanWeb(t, Options{}, checks.Options{Resolver: checkstest.LoopbackResolver{name: {netip.MustParseAddr("127.0.0.1")}}}, target)
	if !slices.Contains(checkstest.FindingsOf(res, target), "web.git-repository-exposed") {
		t.Errorf("findings on %s: %v", target, checkstest.FindingsOf(res, target))
	}
	mu.Lock()
	defer mu.Unlock()
	for _, h := range hosts {
		if h != name+":"+port {
			t.Errorf("request with Host %q", h)
			break
		}
	}
	if eng.Refused() != 0 {
		t.Errorf("the gate refused %d connections", eng.Refused())
	}
}

// TestMissingWorker: without a web worker the web checks of a scan are error attempts that say
// how to install it (never passes), and the scan itself goes on.
func TestMissingWorker(t *testing.T) {
	srv := serve(t, at("/", reply{body: "ok"}), false)
	target := srv.URL + "/"
	var notices []string
	missing := &Worker{Locate: func() (string, error) { return "", errors.New("telesra-web is neither beside telesra nor on PATH") }}
	res, eng := scanWeb(t, Options{Runner: missing, Notice: func(s string) { notices = append(notices, s) }}, checks.Options{}, target)
	if len(res.Attempts) == 0 {
		t.Fatal("no attempts")
	}
	for _, a := range res.Attempts {
		if a.Status != checks.StatusError || a.Reason != checks.ReasonInternal || !strings.Contains(a.Error, "go install ./cmd/...") {
			t.Errorf("attempt %s: %s %s %q, want an internal error naming how to install the worker", a.Check, a.Status, a.Reason, a.Error)
		}
	}
	if len(notices) != 1 || !strings.Contains(notices[0], "end as errors") {
		t.Errorf("notices: %q", notices)
	}
	if eng.Starts() != 0 {
		t.Errorf("engine starts: %d", eng.Starts())
	}
}
