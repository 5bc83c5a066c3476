package patch_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
	"github.com/telesra/telesra/checks/patch"
)

// family returns the patch family judging with the embedded knowledge base only (an empty
// directory of imported copies), so a developer's own imports never change test outcomes.
func family(t *testing.T) *checks.Family {
	t.Helper()
	return patch.Family(patch.Options{KBDir: t.TempDir()})
}

// scan runs the patch family through the real runner against loopback targets.
func scan(t *testing.T, fam *checks.Family, now time.Time, targets ...string) *checks.Result {
	t.Helper()
	opt := checks.Options{Checks: fam.Checks, Families: []*checks.Family{fam}}
	if !now.IsZero() {
		opt.Now = func() time.Time { return now }
	}
	return checkstest.ScanWith(t, opt, targets...)
}

// patchVerdict returns the family's verdict of an endpoint.
func patchVerdict(t *testing.T, res *checks.Result, target string) (checks.Verdict, patch.Verdict) {
	t.Helper()
	ep, ok := res.Endpoint(target)
	if !ok {
		t.Fatalf("no endpoint %s in %+v", target, res.Endpoints)
	}
	v, ok := ep.Verdicts["patch"]
	if !ok {
		t.Fatalf("%s: no patch verdict (status %s %s)", target, ep.Status, ep.Error)
	}
	return v, v.Data.(patch.Verdict)
}

// requireCompleted fails unless every patch check completed on target: a failed probe must never
// pass for a clean result.
func requireCompleted(t *testing.T, res *checks.Result, target string) {
	t.Helper()
	for _, id := range []string{patch.CheckEOL, patch.CheckKEV, patch.CheckCVE, patch.CheckDisclosed} {
		a, ok := checkstest.Attempt(res, id, target)
		if !ok || a.Status != checks.StatusCompleted {
			t.Fatalf("%s on %s: %+v", id, target, a)
		}
	}
}

// confirmedFindings lists the confirmed end-of-life and vulnerability findings of a result.
func confirmedFindings(res *checks.Result) []string {
	var out []string
	for _, f := range res.Findings {
		if f.Check != patch.CheckDisclosed && f.Confidence == checks.Confirmed {
			out = append(out, f.Check+": "+f.Title)
		}
	}
	return out
}

// TestRealNginx scans the nginx installed on this machine, started on loopback, with its real
// Server header. A distribution's nginx (Debian's 1.22.1 here) must give no confirmed finding, and
// the verdict must report the version the binary says it is.
func TestRealNginx(t *testing.T) {
	bin := checkstest.RequireBinary(t, "nginx")
	out, err := exec.Command(bin, "-v").CombinedOutput()
	if err != nil {
		t.Fatalf("nginx -v: %v %s", err, out)
	}
	m := regexp.MustCompile(`nginx/(\S+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("nginx -v said %q", out)
	}
	version := string(m[1])
	dir := t.TempDir()
	on, off := checkstest.FreePort(t), checkstest.FreePort(t)
	checkstest.Nginx(t, dir, fmt.Sprintf(`
  server { listen 127.0.0.1:%d; location / { return 200 "clinic\n"; } }
  server { listen 127.0.0.1:%d; server_tokens off; location / { return 200 "clinic\n"; } }`, on, off), on, off)

	fam := family(t)
	withVersion, without := fmt.Sprintf("127.0.0.1:%d", on), fmt.Sprintf("127.0.0.1:%d", off)
	res := scan(t, fam, time.Time{}, withVersion, without)
	requireCompleted(t, res, withVersion)
	requireCompleted(t, res, without)

	v, data := patchVerdict(t, res, withVersion)
	if len(data.Products) != 1 || data.Products[0].Product != "nginx" || data.Products[0].Version != version {
		t.Fatalf("verdict %q: products %+v, want nginx %s", v.Line, data.Products, version)
	}
	if !strings.Contains(v.Line, "nginx "+version) {
		t.Errorf("verdict line %q does not name nginx %s", v.Line, version)
	}
	if c := confirmedFindings(res); len(c) > 0 {
		t.Errorf("a distribution's nginx %s gave confirmed findings: %v (verdict %q)", version, c, v.Line)
	}
	for _, f := range res.Findings {
		if f.Check == patch.CheckKEV || f.Check == patch.CheckCVE {
			if f.Evidence["confidence_reason"] == nil {
				t.Errorf("%s is potential without saying why", f.Title)
			}
		}
	}
	if got := checkstest.FindingsOf(res, withVersion); !contains(got, patch.CheckDisclosed) {
		t.Errorf("nginx %s announces its version: want %s, got %v", version, patch.CheckDisclosed, got)
	}

	// With server_tokens off nothing is announced and nothing is claimed.
	v, data = patchVerdict(t, res, without)
	if got := checkstest.FindingsOf(res, without); len(got) != 0 {
		t.Errorf("server_tokens off: findings %v", got)
	}
	if len(data.Products) != 1 || data.Products[0].Version != "" || !strings.Contains(v.Line, "version not disclosed") {
		t.Errorf("server_tokens off: verdict %q %+v", v.Line, data.Products)
	}
}

// TestRealSSHD starts this machine's OpenSSH sshd on loopback with its own configuration and host
// key. The patched distribution package must give no confirmed finding; the verdict must name the
// package version dpkg has installed when dpkg is there to ask.
func TestRealSSHD(t *testing.T) {
	bin := checkstest.RequireBinary(t, "sshd")
	keygen := checkstest.RequireBinary(t, "ssh-keygen")
	dir := t.TempDir()
	key := filepath.Join(dir, "host_ed25519")
	if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	port := checkstest.FreePort(t)
	conf := filepath.Join(dir, "sshd_config")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(`Port %d
ListenAddress 127.0.0.1
HostKey %s
PidFile %s/sshd.pid
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication no
AuthorizedKeysFile none
LogLevel ERROR
`, port, key, dir)), 0o600); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		// Debian's sshd refuses to start without its privilege separation directory, which the
		// packaged service normally creates at boot.
		_ = os.MkdirAll("/run/sshd", 0o755)
	}
	cmd := exec.Command(bin, "-D", "-e", "-f", conf)
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sshd: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_, _ = cmd.Process.Wait()
	})
	waitOrLogs(t, port, &logs)

	target := fmt.Sprintf("ssh://127.0.0.1:%d", port)
	res := scan(t, family(t), time.Time{}, target)
	target = res.Endpoints[0].Target
	requireCompleted(t, res, target)
	v, data := patchVerdict(t, res, target)
	if len(data.Products) != 1 || data.Products[0].Product != "openssh" {
		t.Fatalf("verdict %q: %+v", v.Line, data.Products)
	}
	r := data.Products[0]
	if c := confirmedFindings(res); len(c) > 0 {
		t.Errorf("this machine's OpenSSH (%s) gave confirmed findings: %v", v.Line, c)
	}
	if dq, err := exec.LookPath("dpkg-query"); err == nil {
		out, err := exec.Command(dq, "-W", "-f", "${Version}", "openssh-server").Output()
		if err == nil && len(out) > 0 {
			if want := strings.TrimSpace(string(out)); r.Package != want {
				t.Errorf("package %q, dpkg says %q (verdict %q)", r.Package, want, v.Line)
			}
			if r.Build != patch.BuildDistribution || r.EOL != nil {
				t.Errorf("the installed package must be judged as a supported distribution package: %+v", r)
			}
		}
	}
	if !strings.Contains(v.Line, "OpenSSH "+r.Version) {
		t.Errorf("verdict %q", v.Line)
	}
}

func waitOrLogs(t *testing.T, port int, logs fmt.Stringer) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("sshd did not listen on %d: %s", port, logs)
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// bannerServer sends line on each connection, then waits for the client to hang up.
func bannerServer(t *testing.T, line string) string { return checkstest.BannerServer(t, line) }

// httpServer serves a page with the given response headers on 127.0.0.1.
func httpServer(t *testing.T, headers map[string]string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		fmt.Fprint(w, "<html><head><title>Clinic</title></head><body>ok</body></html>")
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// TestConfidenceThroughTheRunner: banners on loopback servers, scanned through the real runner on
// a fixed day, give the confidence each build deserves.
func TestConfidenceThroughTheRunner(t *testing.T) {
	day := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	ubuntuOld := "ssh://" + bannerServer(t, "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6")
	redhat := "ssh://" + bannerServer(t, "SSH-2.0-OpenSSH_8.7")
	vendor := "ssh://" + bannerServer(t, "SSH-2.0-OpenSSH_8.5p1")
	exim := "smtp://" + bannerServer(t, "220 mail.example.net ESMTP Exim 4.87 Tue, 04 Jun 2019 08:00:00 +0000")
	oldNginx := "http://" + httpServer(t, map[string]string{"Server": "nginx/1.16.1"})
	iis := "http://" + httpServer(t, map[string]string{"Server": "Microsoft-IIS/8.5", "X-Powered-By": "ASP.NET", "X-AspNet-Version": "4.0.30319"})
	res := scan(t, family(t), day, ubuntuOld, redhat, vendor, exim, oldNginx, iis)

	type want struct {
		target, check, key string
		confidence         checks.Confidence
	}
	find := func(w want) *checks.Finding {
		for i, f := range res.Findings {
			if strings.HasPrefix(f.Target, strings.SplitN(w.target, "://", 2)[0]) && strings.Contains(f.Target, strings.SplitN(w.target, "://", 2)[1]) &&
				f.Check == w.check && strings.Contains(f.Title, w.key) {
				return &res.Findings[i]
			}
		}
		return nil
	}
	for _, w := range []want{
		{ubuntuOld, patch.CheckCVE, "CVE-2024-6387", checks.Confirmed}, // package older than USN-6859-1's
		{redhat, patch.CheckCVE, "CVE-2024-6387", checks.Potential},    // RHEL 9 may have the backport
		{vendor, patch.CheckCVE, "CVE-2024-6387", checks.Potential},    // version only: distributions patch OpenSSH in place
		{exim, patch.CheckKEV, "CVE-2019-10149", checks.Potential},     // likewise Exim
		{oldNginx, patch.CheckEOL, "nginx 1.16", checks.Confirmed},
		{iis, patch.CheckEOL, "Windows Server 2012 R2", checks.Confirmed},
	} {
		f := find(w)
		if f == nil {
			t.Errorf("%s: no %s finding about %s; findings %v", w.target, w.check, w.key, checkstest.FindingsOf(res, ""))
			continue
		}
		if f.Confidence != w.confidence {
			t.Errorf("%s: %s is %s, want %s (%s)", w.target, f.Title, f.Confidence, w.confidence, f.Detail)
		}
		if f.Confidence == checks.Potential && f.Severity > checks.Medium {
			t.Errorf("%s: potential finding at %s, want at most medium", f.Title, f.Severity)
		}
		if len(f.HIPAA) == 0 || f.Remediation == "" {
			t.Errorf("%s: no citation or remediation", f.Title)
		}
	}
	// The IIS 8.5 finding names where to go.
	if f := find(want{iis, patch.CheckEOL, "2012 R2", ""}); f != nil && !strings.Contains(f.Remediation, "Windows Server 2022") {
		t.Errorf("remediation %q should name a supported Windows Server", f.Remediation)
	}
	for _, ep := range res.Endpoints {
		if _, ok := ep.Verdicts["patch"]; !ok {
			t.Errorf("%s: no verdict", ep.Target)
		}
	}
}

// TestHostileServerNeverEchoedRaw: escape sequences and control characters a server sends end up
// escaped in the result document (and so in every report and on the terminal).
func TestHostileServerNeverEchoedRaw(t *testing.T) {
	ssh := "ssh://" + bannerServer(t, "SSH-2.0-OpenSSH_8.5p1 \x1b]0;owned\x07\x1b[2J\x1b[31mEvil\x00")
	web := "http://" + httpServer(t, map[string]string{"Server": "nginx/1.16.1 (\x1b[31mUbuntu)", "X-Powered-By": "PHP/7.2.34\x1b[0m"})
	res := scan(t, family(t), time.Time{}, ssh, web)
	doc, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	// JSON would escape raw control bytes as \u001b; the cleaned text carries a visible "\x1b".
	if strings.Contains(string(doc), `\u001b`) || strings.Contains(string(doc), `\u0007`) || strings.Contains(string(doc), `\u0000`) {
		t.Errorf("raw control characters reached the result document")
	}
	var lines []string
	for _, ep := range res.Endpoints {
		lines = append(lines, ep.Verdicts["patch"].Line)
	}
	for _, f := range res.Findings {
		lines = append(lines, f.Title, f.Detail, f.Remediation)
	}
	for _, l := range lines {
		if strings.ContainsAny(l, "\x1b\x07\x00") {
			t.Errorf("raw control characters in %q", l)
		}
	}
	if len(res.Findings) == 0 {
		t.Error("the hostile servers still announce vulnerable versions; findings expected")
	}
}

// TestProbeFailureIsAnError: an HTTP endpoint that stops answering after detection gives error
// attempts, never a clean "no findings".
func TestProbeFailureIsAnError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// Detection's request gets an answer; every later request gets a 1 MiB header line.
	var mu sync.Mutex
	n := 0
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		first := n == 1
		mu.Unlock()
		if first {
			fmt.Fprint(w, "ok")
			return
		}
		hj, ok := w.(http.Hijacker)
		if !ok {
			return
		}
		c, buf, _ := hj.Hijack()
		defer c.Close()
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nServer: nginx/%s\r\n\r\n", strings.Repeat("1", 1<<20))
		_ = buf.Flush()
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	target := "http://" + ln.Addr().String()
	res := scan(t, family(t), time.Time{}, target)
	tgt := res.Endpoints[0].Target
	for _, id := range []string{patch.CheckEOL, patch.CheckDisclosed} {
		a, ok := checkstest.Attempt(res, id, tgt)
		if !ok || a.Status != checks.StatusError || a.Reason != checks.ReasonTooLarge {
			t.Errorf("%s: attempt %+v, want an error with reason %s", id, a, checks.ReasonTooLarge)
		}
	}
}

// fakeRecognizer stands in for the web family's nuclei recognizer.
type fakeRecognizer struct {
	techs []checks.Technology
	err   error
	calls int
	mu    sync.Mutex
}

func (f *fakeRecognizer) Recognize(_ context.Context, env *checks.Env) ([]checks.Technology, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	return f.techs, f.err
}

// TestRecognizerOption: products the recognizer finds on HTTP endpoints are judged like banners
// (an appliance's version is where FortiOS findings come from); a recognizer failure is recorded
// in the verdict while what the headers said still stands.
func TestRecognizerOption(t *testing.T) {
	day := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	rec := &fakeRecognizer{techs: []checks.Technology{{Product: "FortiOS", Vendor: "Fortinet", Version: "7.2.3", Source: "fortios-detect"}}}
	fam := patch.Family(patch.Options{KBDir: t.TempDir(), Recognizer: rec})
	web := "http://" + httpServer(t, map[string]string{"Server": "xxxxxxxx-xxxxx"})
	ssh := "ssh://" + bannerServer(t, "SSH-2.0-OpenSSH_9.8p1")
	res := scan(t, fam, day, web, ssh)
	var kev []string
	for _, f := range res.Findings {
		if f.Check == patch.CheckKEV {
			kev = append(kev, f.Title+" "+string(f.Confidence))
		}
	}
	if len(kev) != 2 || !strings.Contains(strings.Join(kev, ","), "CVE-2023-27997 (known exploited) in FortiOS (FortiGate) 7.2.3 potential") {
		t.Errorf("FortiOS 7.2.3 KEV findings: %v", kev)
	}
	if rec.calls != 1 {
		t.Errorf("the recognizer ran %d times; it is for HTTP endpoints, once each", rec.calls)
	}

	failing := &fakeRecognizer{err: fmt.Errorf("nuclei: templates failed to load")}
	fam = patch.Family(patch.Options{KBDir: t.TempDir(), Recognizer: failing})
	web = "http://" + httpServer(t, map[string]string{"Server": "nginx/1.16.1"})
	res = scan(t, fam, day, web)
	_, data := patchVerdict(t, res, res.Endpoints[0].Target)
	if !strings.Contains(data.Recognizer, "templates failed") {
		t.Errorf("recognizer error not recorded: %+v", data)
	}
	if !contains(checkstest.FindingsOf(res, ""), patch.CheckEOL) {
		t.Errorf("the Server header's nginx 1.16.1 must still be judged: %v", checkstest.FindingsOf(res, ""))
	}
}
