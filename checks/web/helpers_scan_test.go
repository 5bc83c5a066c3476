package web

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/projectdiscovery/nuclei/v3/pkg/protocols/dns/dnsclientpool"
	"github.com/projectdiscovery/nuclei/v3/pkg/types"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
)

// userTemplate is a valid user template (10 lines of metadata) followed by body, which starts on
// line 11.
func userTemplate(id, body string) string {
	return `id: ` + id + `
info:
  name: Test template ` + id + `
  author: test
  severity: low
  description: A user template of the DSL helper tests.
  remediation: Nothing; this is a test.
  metadata:
    telesra:
      hipaa: ["164.312(a)(1)"]
` + body
}

// helperCase is a user template calling a helper telesra refuses, and where validation must say
// so.
type helperCase struct {
	id, helper string
	line       int
	body       string
}

// networkHelperCases are templates whose helpers reach beyond the declared target, one per class:
// TCP/TLS (jarm), DNS (resolve, spelt with a YAML escape), HTTP to elsewhere (public_ip,
// llm_prompt). foreign is the out-of-scope address jarm is pointed at.
func networkHelperCases(foreign string) []helperCase {
	return []helperCase{
		{id: "jarm-in-matcher", helper: "jarm", line: 17, body: `http:
  - method: GET
    path: ["{{BaseURL}}"]
    matchers:
      - type: dsl
        dsl:
          - 'len(jarm("` + foreign + `")) > 0'
`},
		{id: "jarm-in-variables", helper: "jarm", line: 12, body: `variables:
  fp: '{{jarm("` + foreign + `")}}'
http:
  - method: GET
    path: ["{{BaseURL}}/{{fp}}"]
    matchers:
      - type: status
        status: [200]
`},
		{id: "resolve-escaped", helper: "resolve", line: 12, body: `variables:
  addr: "{{\x72esolve(\"portal.example.invalid\")}}"
http:
  - method: GET
    path: ["{{BaseURL}}/{{addr}}"]
    matchers:
      - type: status
        status: [200]
`},
		{id: "public-ip-in-raw", helper: "public_ip", line: 14, body: `http:
  - raw:
      - |
        GET /?from={{public_ip()}} HTTP/1.1
        Host: {{Hostname}}

    matchers:
      - type: status
        status: [200]
`},
		{id: "llm-in-matcher", helper: "llm_prompt", line: 17, body: `http:
  - method: GET
    path: ["{{BaseURL}}"]
    matchers:
      - type: dsl
        dsl:
          - 'contains(llm_prompt("Is this a login page? " + body), "yes")'
`},
	}
}

// pureHelpers is a user template using only allowed helpers, in every place a refused one is
// looked for; it must validate and find.
const pureHelpers = `variables:
  token: '{{to_lower(base64("Clinic"))}}'
http:
  - method: GET
    path: ["{{BaseURL}}/{{token}}?h={{md5('x')}}"]
    headers:
      X-Check: '{{url_encode("a b")}}'
    matchers:
      - type: dsl
        dsl:
          - 'contains(to_lower(body), "all systems nominal") && len(md5(body)) == 32'
          - 'regex("nominal$", trim_space(body))'
        condition: and
`

// TestTemplatesRefuseOutsideHelpers: templates calling a DSL helper that reaches beyond the
// target (or the machine's own resources) are refused by validation, each with file:line and
// the helper named, however the helper is spelt in the file; the pure helpers pass.
func TestTemplatesRefuseOutsideHelpers(t *testing.T) {
	cases := append(networkHelperCases("127.0.0.5:4443"),
		helperCase{id: "alias-spelling", helper: "publicip", line: 13, body: `http:
  - method: GET
    path: ["{{BaseURL}}/{{publicip()}}"]
`},
		helperCase{id: "binary-scalar", helper: "public_ip", line: 13, body: `http:
  - method: GET
    path: [!!binary e3tCYXNlVVJMfX0ve3twdWJsaWNfaXAoKX19]
`},
		helperCase{id: "sleeps", helper: "wait_for", line: 16, body: `http:
  - method: GET
    path: ["{{BaseURL}}"]
    matchers:
      - type: dsl
        dsl: ['wait_for(600)']
`},
		helperCase{id: "exploit-gadget", helper: "generate_java_gadget", line: 14, body: `http:
  - method: POST
    path: ["{{BaseURL}}"]
    body: '{{generate_java_gadget("dns", "http://collab.example.invalid", "base64")}}'
`},
		helperCase{id: "escaped-interactsh", helper: "interactsh", line: 13, body: `http:
  - method: GET
    path: ["{{BaseURL}}/?cb={{\x69nteractsh-url}}"]
`},
	)
	dir := t.TempDir()
	for _, c := range cases {
		writeTemplate(t, dir, c.id+".yaml", userTemplate(c.id, c.body))
	}
	writeTemplate(t, dir, "pure-helpers.yaml", userTemplate("pure-helpers", pureHelpers))
	rep, err := Validate(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, e := range rep.Invalid {
		msgs = append(msgs, e.Error())
	}
	all := strings.Join(msgs, "\n")
	for _, c := range cases {
		where := fmt.Sprintf("%s.yaml:%d:", filepath.Join(dir, c.id), c.line)
		name := "DSL helper " + c.helper + "()"
		if c.helper == "interactsh" {
			name = "interactsh"
		}
		if !slices.ContainsFunc(msgs, func(m string) bool { return strings.Contains(m, where) && strings.Contains(m, name) }) {
			t.Errorf("%s: no error at %s naming %s:\n%s", c.id, where, name, all)
		}
	}
	var valid []string
	for _, tpl := range rep.Valid {
		valid = append(valid, tpl.ID)
	}
	if !slices.Equal(valid, []string{"pure-helpers"}) {
		t.Errorf("valid templates %v, want only pure-helpers:\n%s", valid, all)
	}
}

// trap stands in for an address outside the scan: it counts every TCP connection or UDP
// datagram it receives.
type trap struct {
	addr  string
	udp   bool
	mu    sync.Mutex
	from  []string // source addresses, in arrival order
	close func()
}

func newTrap(t *testing.T, udp bool) *trap {
	t.Helper()
	tr := &trap{udp: udp}
	if udp {
		pc, err := net.ListenPacket("udp", "127.0.0.5:0")
		if err != nil {
			t.Fatal(err)
		}
		tr.addr, tr.close = pc.LocalAddr().String(), func() { pc.Close() }
		go func() {
			buf := make([]byte, 2048)
			for {
				_, from, err := pc.ReadFrom(buf)
				if err != nil {
					return
				}
				tr.record(from.String())
			}
		}()
	} else {
		ln, err := net.Listen("tcp", "127.0.0.5:0")
		if err != nil {
			t.Fatal(err)
		}
		tr.addr, tr.close = ln.Addr().String(), func() { ln.Close() }
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				tr.record(c.RemoteAddr().String())
				c.Close()
			}
		}()
	}
	t.Cleanup(tr.close)
	return tr
}

func (tr *trap) record(from string) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.from = append(tr.from, from)
}

// received returns how many connections (datagrams) arrived before now. It sends one of its own
// and waits (at most 5 s) for the trap to see it: everything sent earlier has been seen by then.
func (tr *trap) received(t *testing.T) int {
	t.Helper()
	network := "tcp"
	if tr.udp {
		network = "udp"
	}
	c, err := net.Dial(network, tr.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if tr.udp {
		_, _ = c.Write([]byte("sentinel"))
	}
	mine := c.LocalAddr().String()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		tr.mu.Lock()
		if i := slices.Index(tr.from, mine); i >= 0 {
			tr.mu.Unlock()
			return i
		}
		tr.mu.Unlock()
	}
	t.Fatalf("the trap at %s did not see the test's own connection", tr.addr)
	return 0
}

// clinicStatus is the loopback target of the helper scans.
func clinicStatus(t *testing.T) string {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "all systems nominal")
	}), false)
	return srv.URL + "/"
}

// scanHelperTemplates scans a loopback target with the user templates of cases plus the pure one
// and checks what a user relies on: the refused templates never ran and each was reported with
// file:line and its helper; the pure one ran and found.
func scanHelperTemplates(t *testing.T, cases []helperCase) {
	t.Helper()
	dir := t.TempDir()
	for _, c := range cases {
		writeTemplate(t, dir, c.id+".yaml", userTemplate(c.id, c.body))
	}
	writeTemplate(t, dir, "pure-helpers.yaml", userTemplate("pure-helpers", pureHelpers))
	target := clinicStatus(t)
	var mu sync.Mutex
	var notices []string
	res, _ := scanWeb(t, Options{TemplatesDir: dir, Notice: func(s string) {
		mu.Lock()
		defer mu.Unlock()
		notices = append(notices, s)
	}}, checks.Options{}, target)
	for _, c := range cases {
		if a, ran := checkstest.Attempt(res, "web."+c.id, target); ran {
			t.Errorf("%s ran (%s %s %s); it must be refused before the scan", c.id, a.Status, a.Reason, a.Error)
		}
		where := fmt.Sprintf("%s.yaml:%d:", c.id, c.line)
		if !slices.ContainsFunc(notices, func(n string) bool {
			return strings.Contains(n, where) && strings.Contains(n, "DSL helper "+c.helper+"()")
		}) {
			t.Errorf("no notice names %s and %s():\n%s", where, c.helper, strings.Join(notices, "\n"))
		}
	}
	if !slices.Contains(checkstest.FindingsOf(res, target), "web.pure-helpers") {
		a, _ := checkstest.Attempt(res, "web.pure-helpers", target)
		t.Errorf("the template with pure helpers did not find (%s %s %s)", a.Status, a.Reason, a.Error)
	}
}

// TestTCPHelperContactsNothing: a --templates scan whose user templates call jarm() on an
// out-of-scope loopback address, in a matcher and in variables: the address sees no connection.
func TestTCPHelperContactsNothing(t *testing.T) {
	// jarm dials through a proxy named in these variables, if any: there must be none.
	for _, v := range []string{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"} {
		t.Setenv(v, "")
	}
	foreign := newTrap(t, false)
	var cases []helperCase
	for _, c := range networkHelperCases(foreign.addr) {
		if c.helper == "jarm" {
			cases = append(cases, c)
		}
	}
	scanHelperTemplates(t, cases)
	if n := foreign.received(t); n != 0 {
		t.Errorf("the out-of-scope address %s received %d connections", foreign.addr, n)
	}
}

// childEnv names the variable that makes TestOutsideHelpersChild run: it holds the DNS trap's
// address.
const childEnv = "TELESRA_TEST_HELPER_CHILD_DNS"

// TestOutsideHelpersContactNothing: a --templates scan whose user templates call resolve()
// (spelt with a YAML escape), public_ip() and llm_prompt() with OPENAI_API_KEY set. The scan runs
// in a child process whose DNS resolver and HTTPS proxy are loopback traps (those helpers read
// their settings when the process starts), so nothing can leave the machine; the traps see
// nothing.
func TestOutsideHelpersContactNothing(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		t.Skip("the child runs TestOutsideHelpersChild")
	}
	proxy, dns := newTrap(t, false), newTrap(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestOutsideHelpersChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(),
		childEnv+"="+dns.addr,
		"HTTPS_PROXY=http://"+proxy.addr, "https_proxy=http://"+proxy.addr,
		"HTTP_PROXY=http://"+proxy.addr, "http_proxy=http://"+proxy.addr,
		"NO_PROXY=", "no_proxy=",
		"OPENAI_API_KEY=sk-telesra-test-dummy",
	)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestOutsideHelpersChild") {
		t.Errorf("child scan: %v\n%s", err, out)
	}
	if n := proxy.received(t); n != 0 {
		t.Errorf("the HTTPS proxy trap received %d connections (public_ip or llm_prompt reached for the internet)", n)
	}
	if n := dns.received(t); n != 0 {
		t.Errorf("the DNS trap received %d queries (resolve() ran)", n)
	}
}

// TestOutsideHelpersChild is the child of TestOutsideHelpersContactNothing.
func TestOutsideHelpersChild(t *testing.T) {
	dnsAddr := os.Getenv(childEnv)
	if dnsAddr == "" {
		t.Skip("run by TestOutsideHelpersContactNothing")
	}
	// Safety first: make sure everything these helpers could send lands on the traps.
	proxy := os.Getenv("HTTPS_PROXY")
	for _, u := range []string{"https://checkip.amazonaws.com/", "https://api.openai.com/v1/chat/completions"} {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		got, err := http.DefaultTransport.(*http.Transport).Proxy(req)
		if err != nil || got == nil || "http://"+got.Host != proxy {
			t.Fatalf("%s would not go through the trap %s (proxy %v, %v): refusing to run", u, proxy, got, err)
		}
	}
	if err := dnsclientpool.Init(&types.Options{InternalResolversList: []string{dnsAddr}}); err != nil {
		t.Fatal(err)
	}
	client, err := dnsclientpool.Get(&types.Options{}, &dnsclientpool.Configuration{})
	if err != nil || client == nil {
		t.Fatalf("nuclei's DNS client: %v", err)
	}
	if got := dnsResolvers(client); !slices.Equal(got, []string{dnsAddr}) {
		t.Fatalf("nuclei's DNS client asks %v, not only the trap %s: refusing to run", got, dnsAddr)
	}
	var cases []helperCase
	for _, c := range networkHelperCases("127.0.0.5:4443") {
		if c.helper != "jarm" {
			cases = append(cases, c)
		}
	}
	scanHelperTemplates(t, cases)
}

// dnsResolvers returns the host:port of each resolver a nuclei DNS client asks (its fields are
// unexported; the tests must know before they let a template near it).
func dnsResolvers(client any) []string {
	var out []string
	rs := reflect.ValueOf(client).Elem().FieldByName("resolvers")
	for i := 0; i < rs.Len(); i++ {
		r := rs.Index(i)
		for r.Kind() == reflect.Interface || r.Kind() == reflect.Pointer {
			r = r.Elem()
		}
		out = append(out, net.JoinHostPort(r.FieldByName("Host").String(), r.FieldByName("Port").String()))
	}
	return out
}

// sinkOutsideTraffic points nuclei's DNS client and the HTTP proxy variables at loopback sinks
// that swallow whatever reaches them (see TestMain). The child of
// TestOutsideHelpersContactNothing sets up its own traps instead.
func sinkOutsideTraffic() (func(), error) {
	if os.Getenv(childEnv) != "" {
		return func() {}, nil
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		pc.Close()
		return nil, err
	}
	go func() {
		buf := make([]byte, 2048)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	stop := func() { pc.Close(); ln.Close() }
	if err := dnsclientpool.Init(&types.Options{InternalResolversList: []string{pc.LocalAddr().String()}}); err != nil {
		stop()
		return nil, err
	}
	client, err := dnsclientpool.Get(&types.Options{}, &dnsclientpool.Configuration{})
	if err != nil || client == nil || !slices.Equal(dnsResolvers(client), []string{pc.LocalAddr().String()}) {
		stop()
		return nil, fmt.Errorf("nuclei's DNS client could not be pointed at %s (%v)", pc.LocalAddr(), err)
	}
	for _, v := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"} {
		os.Setenv(v, "http://"+ln.Addr().String())
	}
	for _, v := range []string{"NO_PROXY", "no_proxy"} {
		os.Setenv(v, "")
	}
	return stop, nil
}
