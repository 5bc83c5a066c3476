package patch_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/patch"
)

// today is the day issue 14 was written against: nginx 1.28 and 1.29 had ended by then.
var today = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)

// tlsServer serves headers over TLS on loopback, offering h2 in ALPN only when h2 is set.
func tlsServer(t *testing.T, headers map[string]string, h2 bool) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		fmt.Fprint(w, "<html><head><title>Clinic</title></head><body>ok</body></html>")
	}))
	srv.EnableHTTP2 = h2
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "https://")
}

// findingsAbout returns the findings on target whose title names key.
func findingsAbout(res *checks.Result, target, key string) []checks.Finding {
	var out []checks.Finding
	host := strings.SplitN(target, "://", 2)[1]
	for _, f := range res.Findings {
		if strings.Contains(f.Target, host) && strings.Contains(f.Title, key) {
			out = append(out, f)
		}
	}
	return out
}

// TestNoVerdictBeyondTheEvidence: issue 14's false criticals. nginx/1.22.1 (Debian 12's package
// version) on an endpoint without HTTP/2 gets no Rapid Reset finding and nothing critical; with h2
// in ALPN the flaw is shown, potential and at most medium; PHP 8 on a Linux web server gets no
// Windows-only CVE-2024-4577, PHP behind IIS does.
func TestNoVerdictBeyondTheEvidence(t *testing.T) {
	nginx := map[string]string{"Server": "nginx/1.22.1"}
	plain := "http://" + httpServer(t, nginx)
	tlsNoH2 := "https://" + tlsServer(t, nginx, false)
	tlsH2 := "https://" + tlsServer(t, nginx, true)
	phpLinux := "http://" + httpServer(t, map[string]string{"Server": "nginx/1.22.1", "X-Powered-By": "PHP/8.2.7"})
	phpIIS := "http://" + httpServer(t, map[string]string{"Server": "Microsoft-IIS/10.0", "X-Powered-By": "PHP/8.2.7"})
	res := scan(t, family(t), today, plain, tlsNoH2, tlsH2, phpLinux, phpIIS)

	for _, target := range []string{plain, tlsNoH2, phpLinux} {
		if fs := findingsAbout(res, target, "CVE-2023-44487"); len(fs) > 0 {
			t.Errorf("%s (no HTTP/2): %s", target, fs[0].Title)
		}
		for _, f := range findingsAbout(res, target, "") {
			if f.Severity >= checks.High {
				t.Errorf("%s: %s at %s rests on a version-only match", target, f.Title, f.Severity)
			}
		}
	}
	_, v := patchVerdict(t, res, plain+"/")
	if len(v.Products) == 0 || !hasNotApplicable(v.Products[0], "CVE-2023-44487", "HTTP/2") {
		t.Errorf("the verdict should say why CVE-2023-44487 does not apply: %+v", v.Products)
	}

	fs := findingsAbout(res, tlsH2, "CVE-2023-44487")
	if len(fs) != 1 || fs[0].Check != patch.CheckKEV || fs[0].Confidence != checks.Potential || fs[0].Severity > checks.Medium {
		t.Errorf("h2 offered: want one potential, at most medium, KEV finding; got %+v", fs)
	} else if !strings.Contains(fs[0].Detail, "HTTP/2 offered (h2)") {
		t.Errorf("detail should say HTTP/2 was seen: %s", fs[0].Detail)
	}

	if fs := findingsAbout(res, phpLinux, "CVE-2024-4577"); len(fs) > 0 {
		t.Errorf("PHP on Linux: %s", fs[0].Title)
	}
	if fs := findingsAbout(res, phpIIS, "CVE-2024-4577"); len(fs) != 1 {
		t.Errorf("PHP behind IIS should keep CVE-2024-4577: %v", fs)
	}
}

func hasNotApplicable(r patch.Report, id, reason string) bool {
	for _, na := range r.NotApplicable {
		if na.ID == id && strings.Contains(na.Reason, reason) {
			return true
		}
	}
	return false
}

// TestEndedNginxBranches: nginx 1.28 and 1.29 ended in 2026 (endoflife.date: 2026-04-14 and
// 2026-05-13); a banner of either is end of life today, confirmed, with 1.31 or 1.30 to move to.
func TestEndedNginxBranches(t *testing.T) {
	n128 := "http://" + httpServer(t, map[string]string{"Server": "nginx/1.28.3"})
	n129 := "http://" + httpServer(t, map[string]string{"Server": "nginx/1.29.8"})
	res := scan(t, family(t), today, n128, n129)
	for target, branch := range map[string]string{n128: "nginx 1.28", n129: "nginx 1.29"} {
		fs := findingsAbout(res, target, "End of life: "+branch)
		if len(fs) != 1 || fs[0].Check != patch.CheckEOL || fs[0].Confidence != checks.Confirmed {
			t.Errorf("%s: want a confirmed end of life of %s, got %v", target, branch, fs)
			continue
		}
		if !strings.Contains(fs[0].Remediation, "nginx 1.31") {
			t.Errorf("%s: remediation %q should name nginx 1.31", target, fs[0].Remediation)
		}
	}
}

// TestVersionOnlyEndOfLife: a banner that names no distribution, whose version a supported
// distribution ships (nginx 1.24.0 is Ubuntu 24.04's, 1.26.3 Debian 13's), is a potential end of
// life naming those distributions, at most medium; a banner that names its distribution is judged
// by the distribution's support and says so.
func TestVersionOnlyEndOfLife(t *testing.T) {
	n124 := "http://" + httpServer(t, map[string]string{"Server": "nginx/1.24.0"})
	n126 := "http://" + httpServer(t, map[string]string{"Server": "nginx/1.26.3"})
	deb := "http://" + httpServer(t, map[string]string{"Server": "Apache/2.4.25 (Debian)"})
	res := scan(t, family(t), today, n124, n126, deb)
	for target, distro := range map[string]string{n124: "Ubuntu 24.04 (noble)", n126: "Debian 13 (trixie)"} {
		fs := findingsAbout(res, target, "end of life")
		if len(fs) != 1 || fs[0].Confidence != checks.Potential || fs[0].Severity > checks.Medium || !strings.Contains(fs[0].Detail, distro) {
			t.Errorf("%s: want one potential, at most medium, end of life naming %s; got %+v", target, distro, fs)
		}
	}
	fs := findingsAbout(res, deb, "End of life: Debian 9")
	if len(fs) != 1 || !strings.Contains(fmt.Sprint(fs[0].Evidence["judged_by"]), "distribution support (Debian)") {
		t.Errorf("Apache (Debian) 2.4.25: want an end of life judged by Debian 9's support; got %+v", fs)
	}
}
