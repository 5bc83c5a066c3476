package transport

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
)

func target(t *testing.T, s *httptest.Server) string {
	t.Helper()
	return strings.TrimPrefix(s.URL, "http://")
}

func TestCleartextHTTP(t *testing.T) {
	fam := Family()
	login := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			http.Redirect(w, r, "/signin", http.StatusFound)
			return
		}
		fmt.Fprint(w, `<html><title>Portal</title><form method=post action="/session"><input name=u><input type=password name=p></form></html>`)
	}))
	defer login.Close()
	basic := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="Practice Files"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer basic.Close()
	info := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html><title>Opening hours</title><p>Mon-Fri</p></html>`)
	}))
	defer info.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://portal.example.org"+r.URL.Path, http.StatusMovedPermanently)
	}))
	defer redirect.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<form><input type=password></form>`)
	}))
	defer tlsSrv.Close()
	tlsT := strings.TrimPrefix(tlsSrv.URL, "https://")

	res := checkstest.Scan(t, fam.Checks, target(t, login), target(t, basic), target(t, info), target(t, redirect), tlsT)
	bySev := map[string]checks.Finding{}
	for _, f := range res.Findings {
		bySev[f.Target] = f
	}
	if f, ok := bySev[target(t, login)]; !ok || f.Severity != checks.High || f.Evidence["password_forms"] == nil || f.Evidence["title"] != "Portal" {
		t.Errorf("login page (after a same-origin redirect): %+v", f)
	}
	if f, ok := bySev[target(t, basic)]; !ok || f.Severity != checks.High || !strings.Contains(f.Detail, `Basic challenge (realm "Practice Files")`) {
		t.Errorf("basic auth: %+v", f)
	}
	if f, ok := bySev[target(t, info)]; !ok || f.Severity != checks.Medium {
		t.Errorf("plain page: %+v", f)
	}
	if f, ok := bySev[target(t, redirect)]; ok {
		t.Errorf("a redirect to HTTPS is the fix, not a finding: %+v", f)
	}
	if a, _ := checkstest.Attempt(res, "transport.cleartext_http", target(t, redirect)); a.Status != checks.StatusCompleted {
		t.Errorf("redirect attempt = %+v", a)
	}
	if a, _ := checkstest.Attempt(res, "transport.cleartext_http", tlsT); a.Status != checks.StatusNotApplicable {
		t.Errorf("HTTPS endpoint attempt = %+v, want not-applicable", a)
	}
	if len(res.Findings) != 3 {
		t.Errorf("findings = %v", checkstest.FindingsOf(res, ""))
	}
}

// TestCleartextHTTPNginx checks a real nginx: auth_basic over plain HTTP is a high finding, a
// server that redirects to HTTPS is clean.
func TestCleartextHTTPNginx(t *testing.T) {
	dir := t.TempDir()
	// "clinic:<apr1 hash of a random password>": nginx needs a user file; nobody ever logs in.
	if err := os.WriteFile(filepath.Join(dir, "htpasswd"), []byte("clinic:$apr1$x8Y5bM0N$yV0lzxc5z6Y9qZdZl1cOv/\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	authPort, redirPort := checkstest.FreePort(t), checkstest.FreePort(t)
	checkstest.Nginx(t, dir, fmt.Sprintf(`
  server { listen 127.0.0.1:%d; location / { auth_basic "Clinic Intranet"; auth_basic_user_file {{DIR}}/htpasswd; } }
  server { listen 127.0.0.1:%d; return 301 https://intranet.example.org$request_uri; }
`, authPort, redirPort), authPort, redirPort)
	authT, redirT := "127.0.0.1:"+strconv.Itoa(authPort), "127.0.0.1:"+strconv.Itoa(redirPort)
	res := checkstest.Scan(t, Family().Checks, authT, redirT)
	if got := checkstest.FindingsOf(res, authT); len(got) != 1 {
		t.Fatalf("nginx auth_basic: findings %v", got)
	}
	f := res.Findings[0]
	chs, _ := f.Evidence["auth_challenges"].([]checks.Challenge)
	if f.Severity != checks.High || len(chs) != 1 || chs[0].Scheme != "Basic" || chs[0].Realm != "Clinic Intranet" {
		t.Errorf("finding = %+v", f)
	}
	if !strings.Contains(f.Evidence["server"].(string), "nginx") {
		t.Errorf("server evidence = %v", f.Evidence["server"])
	}
	if got := checkstest.FindingsOf(res, redirT); len(got) != 0 {
		t.Errorf("nginx redirecting to HTTPS: findings %v", got)
	}
}
