package mfa_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
	"github.com/telesra/telesra/checks/mfa"
)

// nginxSite is one server block of the nginx test instance, told apart by its host name.
type nginxSite struct {
	name  string
	root  string // directory served (absolute)
	extra string // more directives for the server block
	tls   bool
	port  int // set by nginxSites
}

// host is the site's name in the scan (resolved to 127.0.0.1 by the test resolver).
func (s *nginxSite) host() string {
	var b strings.Builder
	for _, r := range strings.ToLower(s.name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-") + ".test"
}

func (s *nginxSite) target() string {
	scheme := "http"
	if s.tls {
		scheme = "https"
	}
	return fmt.Sprintf("%s://%s:%d", scheme, s.host(), s.port)
}

// siteResolver maps every site's host name to 127.0.0.1.
func siteResolver(sites []*nginxSite) checkstest.LoopbackResolver {
	r := checkstest.LoopbackResolver{}
	for _, s := range sites {
		r[s.host()] = []netip.Addr{netip.MustParseAddr("127.0.0.1")}
	}
	return r
}

// nginxSites starts one nginx with a server block per site, all on two loopback ports (one plain,
// one TLS) told apart by server_name: few ports, so no other process on the machine takes one
// between FreePort and nginx's bind. Every block logs the Authorization header of each request to
// DIR/logs/auth.log, so the tests can assert that no credential ever arrived.
func nginxSites(t *testing.T, sites []*nginxSite) (authLog string) {
	t.Helper()
	checkstest.RequireBinary(t, "nginx")
	dir := t.TempDir()
	cert, key, _ := selfSigned(t, dir)
	if err := os.WriteFile(filepath.Join(dir, "htpasswd"), []byte("staff:{PLAIN}not-a-real-password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	plain, secure := checkstest.FreePort(t), checkstest.FreePort(t)
	var b strings.Builder
	b.WriteString("  log_format creds '$host $request_uri auth=[$http_authorization]';\n")
	b.WriteString("  server_names_hash_bucket_size 128;\n")
	for _, s := range sites {
		listen := fmt.Sprintf("127.0.0.1:%d", plain)
		s.port = plain
		if s.tls {
			s.port = secure
			listen = fmt.Sprintf("127.0.0.1:%d ssl;\n    ssl_certificate %s;\n    ssl_certificate_key %s", secure, cert, key)
		}
		root := s.root
		if root == "" {
			root = dir
		}
		fmt.Fprintf(&b, "  server {\n    listen %s;\n    server_name %s;\n    root %s;\n    access_log {{DIR}}/logs/auth.log creds;\n%s\n  }\n",
			listen, s.host(), root, s.extra)
	}
	var ports []int
	for _, s := range sites {
		if !slices.Contains(ports, s.port) {
			ports = append(ports, s.port)
		}
	}
	checkstest.Nginx(t, dir, b.String(), ports...)
	return filepath.Join(dir, "logs", "auth.log")
}

// assertNoAuthorization fails if any request nginx logged carried an Authorization header.
func assertNoAuthorization(t *testing.T, authLog string) {
	t.Helper()
	b, err := os.ReadFile(authLog)
	if err != nil {
		t.Fatalf("nginx logged nothing: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for _, l := range lines {
		if !strings.HasSuffix(l, "auth=[-]") { // nginx logs an absent header as "-"
			t.Errorf("a request carried credentials: %s", l)
		}
	}
	if len(lines) == 0 {
		t.Error("nginx logged no request")
	}
}

func portalsDir(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", "portals", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHTTPLogins(t *testing.T) {
	type want struct {
		checks   []string
		severity checks.Severity
		product  string
		evidence []string // strings the findings' JSON must contain
	}
	basic := "    location / { auth_basic \"Riverside Staff Portal\"; auth_basic_user_file {{DIR}}/htpasswd; }"
	cases := []struct {
		site *nginxSite
		want want
	}{
		{&nginxSite{name: "basic over http", extra: basic},
			want{checks: []string{"mfa.http.basic_auth"}, severity: checks.High, evidence: []string{`"scheme":"Basic"`, `"realm":"Riverside Staff Portal"`}}},
		{&nginxSite{name: "basic over https", extra: basic, tls: true},
			want{checks: []string{"mfa.http.basic_auth"}, severity: checks.Medium, evidence: []string{`"scheme":"Basic"`, `"realm":"Riverside Staff Portal"`}}},
		{&nginxSite{name: "basic on /admin only", extra: "    location /admin { auth_basic \"Admin\"; auth_basic_user_file {{DIR}}/htpasswd; }"},
			want{checks: []string{"mfa.http.basic_auth"}, severity: checks.High, evidence: []string{`/admin"`, `"realm":"Admin"`}}},
		{&nginxSite{name: "NTLM and Negotiate", extra: "    location / { add_header WWW-Authenticate Negotiate always; add_header WWW-Authenticate NTLM always; return 401; }", tls: true},
			want{checks: []string{"mfa.http.basic_auth"}, severity: checks.Medium, evidence: []string{`"scheme":"Negotiate"`, `"scheme":"NTLM"`}}},
		{&nginxSite{name: "password form", root: "login"},
			want{checks: []string{"mfa.http.password_form"}, severity: checks.Medium, evidence: []string{`"action":"http://password-form.test:`, `"password:password"`}}},
		{&nginxSite{name: "password and one-time code", root: "otp"}, want{}},
		{&nginxSite{name: "home page linking MyChart", root: "mychart-link"}, want{}},
		{&nginxSite{name: "OWA", root: "owa", extra: "    location = /owa/ { return 302 /owa/auth/logon.aspx?url=%2fowa%2f&reason=0; }"},
			want{checks: []string{"mfa.http.remote_access_portal"}, severity: checks.High, product: "Outlook Web App (Exchange)", evidence: []string{`/owa/auth/logon.aspx`}}},
		{&nginxSite{name: "FortiGate", root: "fortigate", tls: true},
			want{checks: []string{"mfa.http.remote_access_portal"}, severity: checks.High, product: "FortiGate SSL-VPN"}},
		{&nginxSite{name: "Citrix", root: "citrix", tls: true},
			want{checks: []string{"mfa.http.remote_access_portal"}, severity: checks.High, product: "Citrix Gateway (NetScaler)"}},
		{&nginxSite{name: "Pulse", root: "pulse", tls: true},
			want{checks: []string{"mfa.http.remote_access_portal"}, severity: checks.High, product: "Ivanti Connect Secure (Pulse Secure)"}},
		{&nginxSite{name: "RD Web", root: "rdweb", tls: true, extra: "    location = /RDWeb/ { return 302 /RDWeb/Pages/en-US/login.aspx; }"},
			want{checks: []string{"mfa.http.remote_access_portal"}, severity: checks.High, product: "RD Web Access (Remote Desktop Services)"}},
		{&nginxSite{name: "ADFS", root: "adfs", tls: true},
			want{checks: []string{"mfa.http.remote_access_portal"}, severity: checks.High, product: "AD FS (Active Directory Federation Services)"}},
		{&nginxSite{name: "GlobalProtect", root: "globalprotect", tls: true},
			want{checks: []string{"mfa.http.remote_access_portal"}, severity: checks.High, product: "GlobalProtect portal"}},
		{&nginxSite{name: "SonicWall", root: "sonicwall", tls: true},
			want{checks: []string{"mfa.http.remote_access_portal"}, severity: checks.High, product: "SonicWall SSL-VPN"}},
		{&nginxSite{name: "OpenEMR", root: "openemr"},
			want{checks: []string{"mfa.http.remote_access_portal"}, severity: checks.High, product: "OpenEMR"}},
	}
	var sites []*nginxSite
	for _, tc := range cases {
		if tc.site.root != "" {
			tc.site.root = portalsDir(t, tc.site.root)
		}
		sites = append(sites, tc.site)
	}
	authLog := nginxSites(t, sites)
	for _, tc := range cases {
		t.Run(tc.site.name, func(t *testing.T) {
			target := tc.site.target()
			res := checkstest.ScanWith(t, checks.Options{Checks: mfaChecks(), Resolver: siteResolver(sites)}, target)
			tgt := target + "/"
			assertFindings(t, res, tgt, tc.want.checks...)
			assertCompleted(t, res, tgt, "mfa.http.")
			for _, f := range res.Findings {
				if f.Severity != tc.want.severity {
					t.Errorf("%s: severity %s, want %s", f.Check, f.Severity, tc.want.severity)
				}
				if !slices.Contains(f.HIPAA, "164.312(d)") || !slices.Contains(f.HIPAA, "164.312(a)(1)") || f.Remediation == "" {
					t.Errorf("%s: HIPAA %v, remediation %q", f.Check, f.HIPAA, f.Remediation)
				}
				if f.Check != "mfa.http.basic_auth" && (f.Confidence != checks.Potential || !strings.Contains(f.Detail, "verify MFA is enforced")) {
					t.Errorf("%s: %s %q: a login whose MFA cannot be seen is potential, and says to verify MFA", f.Check, f.Confidence, f.Detail)
				}
				if tc.want.product != "" && f.Evidence["product"] != tc.want.product {
					t.Errorf("product %v, want %q", f.Evidence["product"], tc.want.product)
				}
				if tc.want.product != "" && !strings.Contains(f.Title, tc.want.product) {
					t.Errorf("title %q does not name %q", f.Title, tc.want.product)
				}
			}
			js := jsonOf(t, res.Findings)
			for _, e := range tc.want.evidence {
				if !strings.Contains(js, e) {
					t.Errorf("findings lack %s: %s", e, js)
				}
			}
		})
	}
	assertNoAuthorization(t, authLog)
}

// fakeRecognizer stands in for the web family's nuclei recognizer.
type fakeRecognizer struct {
	techs []checks.Technology
	err   error
	calls int
}

func (f *fakeRecognizer) Recognize(context.Context, *checks.Env) ([]checks.Technology, error) {
	f.calls++
	return f.techs, f.err
}

func TestHTTPRecognizer(t *testing.T) {
	sites := []*nginxSite{{name: "form", root: portalsDir(t, "login")}}
	nginxSites(t, sites)
	target := sites[0].target()
	cases := []struct {
		name    string
		rec     *fakeRecognizer
		want    []string
		product string
		status  checks.Status
	}{
		{"recognised EHR", &fakeRecognizer{techs: []checks.Technology{
			{Product: "nginx", Category: "web-server", Source: "tech-detect"},
			{Product: "Athena Patient Portal", Vendor: "athenahealth", Category: "patient-portal", Source: "nuclei:athena-portal-panel", Evidence: "title"},
		}}, []string{"mfa.http.remote_access_portal"}, "Athena Patient Portal", checks.StatusCompleted},
		{"web server only", &fakeRecognizer{techs: []checks.Technology{{Product: "nginx", Category: "web-server"}}},
			[]string{"mfa.http.password_form"}, "", checks.StatusCompleted},
		{"recognizer failed", &fakeRecognizer{err: errors.New("nuclei engine not started")},
			[]string{"mfa.http.password_form"}, "", checks.StatusError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := checkstest.ScanWith(t, checks.Options{Checks: mfa.Family(mfa.Options{Recognizer: tc.rec}).Checks, Resolver: siteResolver(sites)}, target)
			assertFindings(t, res, target+"/", tc.want...)
			if tc.product != "" {
				f := finding(t, res, "mfa.http.remote_access_portal")
				if f.Evidence["product"] != tc.product || f.Evidence["source"] != "nuclei:athena-portal-panel" || !strings.Contains(f.Title, tc.product) {
					t.Errorf("portal finding %q evidence %v", f.Title, f.Evidence)
				}
			}
			if tc.rec.calls != 1 {
				t.Errorf("recognizer called %d times, want once per endpoint", tc.rec.calls)
			}
			// With nothing recognised, a failed recognizer leaves the portal check unable to vouch.
			a, _ := checkstest.Attempt(res, "mfa.http.remote_access_portal", target+"/")
			if a.Status != tc.status {
				t.Errorf("portal attempt %s %s (%s), want %s", a.Status, a.Reason, a.Error, tc.status)
			}
		})
	}
}

// TestHTTPHostile: hostile web servers end with a clear attempt status, no false finding, within
// the budget.
func TestHTTPHostile(t *testing.T) {
	big := strings.Repeat("<p>"+strings.Repeat("lorem ipsum ", 80)+"</p>\n", 8000) // ~7.7 MB
	cases := []struct {
		name    string
		handler http.HandlerFunc
		reasons map[string]checks.Reason // check -> reason; absent: completed
	}{
		{"oversized page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			if r.URL.Path != "/" {
				http.NotFound(w, r)
				return
			}
			fmt.Fprint(w, "<html><head><title>Big</title></head><body>"+big+`<form><input type="password" name="p"></form></body></html>`)
		}, map[string]checks.Reason{
			"mfa.http.basic_auth": checks.ReasonTooLarge, "mfa.http.password_form": checks.ReasonTooLarge, "mfa.http.remote_access_portal": checks.ReasonTooLarge,
		}},
		{"redirect loop", func(w http.ResponseWriter, r *http.Request) {
			next := "/a"
			if r.URL.Path == "/a" {
				next = "/b"
			}
			http.Redirect(w, r, next, http.StatusFound)
		}, map[string]checks.Reason{
			"mfa.http.basic_auth": checks.ReasonProtocolMismatch, "mfa.http.password_form": checks.ReasonProtocolMismatch, "mfa.http.remote_access_portal": checks.ReasonProtocolMismatch,
		}},
		{"401 without WWW-Authenticate", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, "<html><body>Unauthorized</body></html>")
		}, map[string]checks.Reason{"mfa.http.basic_auth": checks.ReasonProtocolMismatch}},
		{"login paths that never answer", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/" {
				fmt.Fprint(w, "<html><body>Welcome</body></html>")
				return
			}
			select {
			case <-r.Context().Done():
			case <-time.After(8 * time.Second):
			}
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			t.Cleanup(srv.Close)
			target := srv.URL
			start := time.Now()
			res := checkstest.ScanWith(t, checks.Options{Checks: mfaChecks(), IOTimeout: time.Second, ProbeTimeout: 10 * time.Second}, target)
			if d := time.Since(start); d > 15*time.Second {
				t.Errorf("scan took %s, past the budget", d)
			}
			assertFindings(t, res, target+"/")
			for _, id := range []string{"mfa.http.basic_auth", "mfa.http.password_form", "mfa.http.remote_access_portal"} {
				a, ok := checkstest.Attempt(res, id, target+"/")
				if !ok {
					// Detection itself may give up on a server that never answers: the endpoint is
					// then reported not scanned, which is also a clear status.
					if tc.reasons != nil {
						t.Errorf("no attempt of %s", id)
					}
					continue
				}
				want, isErr := tc.reasons[id]
				if tc.reasons == nil {
					want, isErr = checks.ReasonTimeout, true
				}
				switch {
				case isErr && (a.Status != checks.StatusError || a.Reason != want):
					t.Errorf("%s: %s %s (%s), want error %s", id, a.Status, a.Reason, a.Error, want)
				case !isErr && a.Status != checks.StatusCompleted:
					t.Errorf("%s: %s %s (%s), want completed", id, a.Status, a.Reason, a.Error)
				}
			}
		})
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
