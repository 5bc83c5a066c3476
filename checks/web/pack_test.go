package web

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
)

// templateCase is one template's pair of servers: one built to trigger it, one with the flaw
// fixed (often the same server with the fix applied).
type templateCase struct {
	id        string
	tls       bool
	bad, good http.Handler
	version   string // the version the technology template must extract from bad
}

var pageHeaders = []string{"Set-Cookie: sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax"}

func templateCases() []templateCase {
	notFound := site{}
	return []templateCase{
		// Security headers, judged on pages that set cookies or show forms.
		{id: "missing-hsts", tls: true, bad: portal(without("strict-transport-security")...), good: portal(hardened...)},
		{id: "missing-csp", bad: portal(without("content-security-policy")...), good: portal(hardened...)},
		{id: "missing-x-frame-options", bad: portal(strip("x-frame-options", "content-security-policy")...),
			good: portal(without("x-frame-options")...)}, // CSP frame-ancestors is an accepted fix
		{id: "missing-x-content-type-options", bad: portal(without("x-content-type-options")...), good: portal(hardened...)},
		{id: "missing-referrer-policy", bad: portal(without("referrer-policy")...), good: portal(hardened...)},
		// Cookies.
		{id: "cookie-without-secure", tls: true, bad: portal(without("set-cookie", "Set-Cookie: sid=abc; HttpOnly; SameSite=Lax")...), good: portal(hardened...)},
		{id: "cookie-without-httponly", bad: portal(without("set-cookie", "Set-Cookie: PHPSESSID=abc; Secure; SameSite=Lax")...),
			good: portal(without("set-cookie", "Set-Cookie: PHPSESSID=abc; Secure; HttpOnly; SameSite=Lax", "Set-Cookie: theme=dark; Secure; SameSite=Lax")...)},
		{id: "cookie-without-samesite", bad: portal(without("set-cookie", "Set-Cookie: sid=abc; Secure; HttpOnly")...), good: portal(hardened...)},
		// Plain HTTP.
		{id: "http-redirect-not-https", bad: at("/", reply{status: 301, header: []string{"Location: http://www.example.invalid/"}}),
			good: at("/", reply{status: 301, header: []string{"Location: https://www.example.invalid/"}})},
		{id: "http-cookie-cleartext", bad: portal(pageHeaders...), good: at("/", reply{status: 308, header: []string{"Location: https://www.example.invalid/"}})},
		// CORS and methods.
		{id: "cors-reflected-origin-credentials", bad: corsReflect{}, good: corsReflect{allow: "https://portal.example.invalid"}},
		{id: "cors-wildcard-credentials", bad: corsReflect{allow: "*"},
			good: at("/", reply{header: []string{"Access-Control-Allow-Origin: *"}, body: "{}"})},
		{id: "http-trace-enabled", bad: traceEcho{}, good: notFound},
		// Listings and exposed files.
		{id: "directory-listing", bad: at("/uploads/", reply{body: `<html><head><title>Index of /uploads/</title></head><body><a href="../">../</a></body></html>`}),
			good: at("/uploads/", reply{status: 403, body: "Forbidden"})},
		{id: "git-repository-exposed", bad: at("/.git/HEAD", reply{header: []string{"Content-Type: text/plain"}, body: "ref: refs/heads/main\n"}), good: spa(appHTML)},
		{id: "svn-repository-exposed", bad: at("/.svn/wc.db", reply{header: []string{"Content-Type: application/octet-stream"}, body: "SQLite format 3\x00\x10\x00"}), good: spa(appHTML)},
		{id: "env-file-exposed", bad: at("/.env", reply{header: []string{"Content-Type: text/plain"}, body: "APP_NAME=portal\nDB_HOST=db\nDB_PASSWORD=hunter2\n"}), good: spa(appHTML)},
		{id: "ds-store-exposed", bad: at("/.DS_Store", reply{header: []string{"Content-Type: application/octet-stream"}, body: "\x00\x00\x00\x01Bud1\x00\x00\x10\x00"}), good: notFound},
		{id: "backup-archive-exposed", bad: at("/backup.zip", reply{header: []string{"Content-Type: application/zip"}, body: "PK\x03\x04\x14\x00\x00\x00"}), good: spa(appHTML)},
		{id: "database-dump-exposed", bad: at("/dump.sql", reply{header: []string{"Content-Type: text/plain"},
			body: "-- MySQL dump 10.13\n\nCREATE TABLE `patients` (`id` int);\nINSERT INTO `patients` VALUES (1);\n"}), good: notFound},
		{id: "config-backup-exposed", bad: at("/wp-config.php.bak", reply{header: []string{"Content-Type: text/plain"}, body: "<?php\ndefine('DB_PASSWORD', 'hunter2');\n"}),
			good: at("/wp-config.php.bak", reply{status: 403, body: "Forbidden"})},
		{id: "htpasswd-exposed", bad: at("/.htpasswd", reply{header: []string{"Content-Type: text/plain"}, body: "admin:$apr1$xyz$0123456789abcdefghijkl\n"}),
			good: at("/.htpasswd", reply{status: 403, body: "Forbidden"})},
		{id: "phpinfo-exposed", bad: at("/info.php", reply{body: "<html><head><title>phpinfo()</title></head><body><h1>PHP Version 8.1.2</h1>... PHP License ...</body></html>"}), good: notFound},
		{id: "apache-server-status", bad: at("/server-status", reply{body: "<h1>Apache Server Status for localhost (via 127.0.0.1)</h1><dl><dt>Server Version: Apache/2.4.57 (Debian)</dt></dl>"}),
			good: at("/server-status", reply{status: 403, body: "Forbidden"})},
		{id: "nginx-stub-status", bad: at("/nginx_status", reply{header: []string{"Content-Type: text/plain"}, body: "Active connections: 1 \nserver accepts handled requests\n 10 10 12 \nReading: 0 Writing: 1 Waiting: 0 \n"}), good: notFound},
		{id: "default-install-page", bad: at("/", reply{body: "<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head><body></body></html>"}), good: spa(appHTML)},
		// Admin consoles.
		{id: "phpmyadmin-exposed", bad: at("/phpmyadmin/", reply{body: `<html><head><title>localhost / phpMyAdmin</title></head><body><input name="pma_username"></body></html>`}), good: notFound},
		{id: "tomcat-manager-exposed", bad: at("/manager/html", reply{status: 401, header: []string{`WWW-Authenticate: Basic realm="Tomcat Manager Application"`}, body: "401 Unauthorized"}), good: notFound},
		{id: "jenkins-exposed", version: "2.426.1", bad: at("/login", reply{header: []string{"X-Jenkins: 2.426.1"}, body: "<title>Sign in [Jenkins]</title>"}), good: at("/login", reply{body: loginForm})},
		{id: "grafana-exposed", version: "10.2.3", bad: at("/login", reply{body: `<title>Grafana</title><script>window.grafanaBootData = {"settings":{"buildInfo":{"version":"10.2.3"}}}</script>`}),
			good: at("/login", reply{body: loginForm})},
		{id: "kibana-exposed", version: "8.11.0", bad: at("/app/kibana", reply{header: []string{"kbn-name: kibana", "kbn-version: 8.11.0"}, body: "<title>Elastic</title>"}), good: notFound},
		{id: "elasticsearch-exposed", version: "7.10.2", bad: at("/", reply{header: []string{"Content-Type: application/json"},
			body: `{"name":"es01","cluster_name":"clinic","version":{"number" : "7.10.2"},"tagline":"You Know, for Search"}`}),
			good: at("/", reply{status: 401, header: []string{`WWW-Authenticate: Basic realm="security" charset="UTF-8"`}, body: `{"error":"security_exception"}`})},
		{id: "mongo-express-exposed", bad: at("/", reply{body: "<html><head><title>Home - Mongo Express</title></head></html>"}), good: spa(appHTML)},
		// EHR and telehealth products.
		{id: "openemr-setup-exposed", bad: at("/setup.php", reply{body: "<html><head><title>OpenEMR Setup Tool</title></head><body>OpenEMR Setup</body></html>"}), good: notFound},
		{id: "openemr-login", version: "7.0.2", bad: at("/interface/login/login.php", reply{body: `<html><title>OpenEMR Login</title><div>OpenEMR v7.0.2</div><input type="password" name="clearPass"></html>`}), good: notFound},
		{id: "openmrs-login", bad: at("/openmrs/login.htm", reply{body: "<html><head><title>OpenMRS - Login</title></head></html>"}), good: notFound},
		{id: "mirth-connect-exposed", version: "4.4.0", bad: at("/webadmin/Index.action", reply{body: "<html><title>Mirth Connect Administrator</title><p>Version 4.4.0</p></html>"}), good: notFound},
		// Patient data handling.
		{id: "phi-cacheable", bad: at("/", reply{body: "<h1>Visit summary</h1><p>Patient: Jane Doe</p><p>Date of Birth: 04/12/1961</p><p>MRN: 00123456</p>"}),
			good: at("/", reply{header: []string{"Cache-Control: no-store, private"}, body: "<h1>Visit summary</h1><p>Patient: Jane Doe</p><p>Date of Birth: 04/12/1961</p><p>MRN: 00123456</p>"})},
		{id: "form-posts-to-http", tls: true, bad: at("/", reply{header: hardened, body: `<form method="post" action="http://portal.example.invalid/login"><input type="password"></form>`}),
			good: at("/", reply{header: hardened, body: `<form method="post" action="https://portal.example.invalid/login"><input type="password"></form>`})},
		{id: "mixed-content-script", tls: true, bad: at("/", reply{header: hardened, body: `<script src="http://cdn.example.invalid/app.js"></script>`}),
			good: at("/", reply{header: hardened, body: `<script src="https://cdn.example.invalid/app.js"></script>`})},
		// Technologies.
		{id: "tech-nginx", version: "1.24.0", bad: at("/", reply{header: []string{"Server: nginx/1.24.0"}, body: "ok"}), good: at("/", reply{header: []string{"Server: Caddy"}, body: "ok"})},
		{id: "tech-apache-httpd", version: "2.4.57", bad: at("/", reply{header: []string{"Server: Apache/2.4.57 (Debian)"}, body: "ok"}), good: at("/", reply{header: []string{"Server: nginx"}, body: "ok"})},
		{id: "tech-iis", version: "10.0", bad: at("/", reply{header: []string{"Server: Microsoft-IIS/10.0"}, body: "ok"}), good: at("/", reply{header: []string{"Server: nginx"}, body: "ok"})},
		{id: "tech-owa", version: "15.2.1258.12", bad: at("/owa/auth/logon.aspx", reply{header: []string{"X-OWA-Version: 15.2.1258.12"}, body: "<title>Outlook</title>"}), good: notFound},
		{id: "tech-citrix-gateway", bad: at("/vpn/index.html", reply{body: "<html><head><title>Citrix Gateway</title></head></html>"}), good: notFound},
		{id: "tech-fortigate-sslvpn", bad: at("/remote/login", reply{body: `<html><script src="/remote/fgt_lang?lang=en"></script></html>`}), good: notFound},
		{id: "tech-pulse-secure", bad: at("/dana-na/auth/url_default/welcome.cgi", reply{body: "<html><head><title>Ivanti Connect Secure</title></head></html>"}), good: notFound},
		{id: "tech-rd-web", bad: at("/RDWeb/Pages/en-US/login.aspx", reply{body: "<html><head><title>RD Web Access</title></head></html>"}), good: notFound},
		{id: "tech-adfs", bad: at("/adfs/ls/IdpInitiatedSignon.aspx", reply{body: `<form action="/adfs/ls/IdpInitiatedSignon.aspx"></form>`}), good: notFound},
		{id: "tech-globalprotect", bad: at("/global-protect/login.esp", reply{body: "<html><head><title>GlobalProtect Portal</title></head></html>"}), good: notFound},
		{id: "tech-sonicwall-sslvpn", bad: at("/sslvpnLogin.html", reply{body: "<html><head><title>SonicWall - Virtual Office</title></head></html>"}), good: notFound},
	}
}

// TestTemplatesMatchAndNoMatch runs the whole pack, through the real runner and one engine,
// against two loopback servers per template: the one built to trigger it must produce its
// finding; the fixed one must complete without it.
func TestTemplatesMatchAndNoMatch(t *testing.T) {
	fam, eng, err := New(withWorker(Options{}))
	if err != nil {
		t.Fatal(err)
	}
	cases := templateCases()
	covered := map[string]bool{}
	type pair struct{ bad, good string }
	targets := map[string]pair{}
	var all []string
	for _, c := range cases {
		if covered[c.id] {
			t.Fatalf("two cases for %s", c.id)
		}
		covered[c.id] = true
		bad, good := serve(t, c.bad, c.tls), serve(t, c.good, c.tls)
		targets[c.id] = pair{bad.URL + "/", good.URL + "/"}
		all = append(all, bad.URL+"/", good.URL+"/")
	}
	for _, tpl := range eng.Templates() {
		if !covered[tpl.ID] {
			t.Errorf("template %s (%s) has no match/no-match case", tpl.ID, tpl.File)
		}
	}
	start := time.Now()
	res := checkstest.ScanWith(t, checks.Options{Checks: fam.Checks, Families: []*checks.Family{fam}, Workers: 16, HostConns: 16}, all...)
	t.Logf("%d templates on %d servers in %v (engine starts: %d)", len(eng.Templates()), len(all), time.Since(start), eng.Starts())
	if eng.Starts() != 1 {
		t.Errorf("engine started %d times, want once per scan", eng.Starts())
	}
	for _, c := range cases {
		check := Family + "." + c.id
		p := targets[c.id]
		if !slices.Contains(checkstest.FindingsOf(res, p.bad), check) {
			a, _ := checkstest.Attempt(res, check, p.bad)
			t.Errorf("%s: no finding on the server built to trigger it (attempt %s %s %s)", check, a.Status, a.Reason, a.Error)
		}
		if slices.Contains(checkstest.FindingsOf(res, p.good), check) {
			t.Errorf("%s: finding on the fixed server", check)
		}
		if a, ok := checkstest.Attempt(res, check, p.good); !ok || a.Status != checks.StatusCompleted {
			t.Errorf("%s on the fixed server: attempt %+v, want completed", check, a)
		}
		if c.version != "" {
			var got []string
			for _, f := range res.Findings {
				if f.Check == check && f.Target == p.bad {
					if x, ok := f.Evidence["extracted"].([]string); ok {
						got = append(got, x...)
					}
				}
			}
			if !slices.Contains(got, c.version) {
				t.Errorf("%s: extracted %v, want version %s", check, got, c.version)
			}
		}
	}
	for _, f := range res.Findings {
		if !strings.HasPrefix(f.Check, Family+".") {
			t.Errorf("finding of another family: %s", f.Check)
		}
	}
}
