package web

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

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
	rep, err := Validate(context.Background(), dir, testWorker())
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
func scanHelperTemplates(t *testing.T, cases []helperCase, runner Runner) {
	t.Helper()
	dir := t.TempDir()
	for _, c := range cases {
		writeTemplate(t, dir, c.id+".yaml", userTemplate(c.id, c.body))
	}
	writeTemplate(t, dir, "pure-helpers.yaml", userTemplate("pure-helpers", pureHelpers))
	target := clinicStatus(t)
	var mu sync.Mutex
	var notices []string
	res, _ := scanWeb(t, Options{TemplatesDir: dir, Runner: runner, Notice: func(s string) {
		mu.Lock()
		defer mu.Unlock()
		notices = append(notices, s)
	}}, checks.Options{}, target)
	for _, c := range cases {
		// A refused template is never run: its attempt is an error saying so, never a pass.
		if a, ok := checkstest.Attempt(res, "web."+c.id, target); !ok || a.Status != checks.StatusError || !strings.Contains(a.Error, "template refused") {
			t.Errorf("%s: attempt %s %s %s; want an error saying the template was refused", c.id, a.Status, a.Reason, a.Error)
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
	foreign := checkstest.NewTrap(t, false)
	var cases []helperCase
	for _, c := range networkHelperCases(foreign.Addr) {
		if c.helper == "jarm" {
			cases = append(cases, c)
		}
	}
	scanHelperTemplates(t, cases, testWorker())
	if n := foreign.Received(t); n != 0 {
		t.Errorf("the out-of-scope address %s received %d connections", foreign.Addr, n)
	}
}

// TestOutsideHelpersContactNothing: a --templates scan whose user templates call public_ip() and
// llm_prompt() (with OPENAI_API_KEY set) while the worker's HTTP(S) proxy is a loopback trap, so
// that a helper telesra failed to refuse would land there, never on the internet: the trap sees
// nothing. resolve() (spelt with a YAML escape) asks public DNS servers directly, so its scan
// runs with the worker in an empty network namespace of its own, as production does: nothing can
// leave, and the template must still be refused and reported.
func TestOutsideHelpersContactNothing(t *testing.T) {
	proxy := checkstest.NewTrap(t, false)
	for _, v := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"} {
		t.Setenv(v, "http://"+proxy.Addr)
	}
	for _, v := range []string{"NO_PROXY", "no_proxy"} {
		t.Setenv(v, "")
	}
	t.Setenv("OPENAI_API_KEY", "sk-telesra-test-dummy")
	var httpCases, dnsCases []helperCase
	for _, c := range networkHelperCases("127.0.0.5:4443") {
		switch c.helper {
		case "public_ip", "llm_prompt":
			httpCases = append(httpCases, c)
		case "resolve":
			dnsCases = append(dnsCases, c)
		}
	}
	scanHelperTemplates(t, httpCases, testWorker())
	if n := proxy.Received(t); n != 0 {
		t.Errorf("the HTTPS proxy trap received %d connections (public_ip or llm_prompt reached for the internet)", n)
	}
	isolated := testWorker()
	isolated.Namespace = true
	scanHelperTemplates(t, dnsCases, isolated)
}
