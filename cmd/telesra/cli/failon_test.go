package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/telesra/telesra/checks"
)

// TestFailOnIgnoresPotential: nginx/1.22.1 over HTTP/1.1 (Debian 12's package version) yields
// only potential patch findings, none critical; `--fail-on high` and even `--fail-on medium` pass
// the pipeline, and `--fail-on-potential` lets them count.
func TestFailOnIgnoresPotential(t *testing.T) {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Server", "nginx/1.22.1")
		w.Write([]byte("<html><title>Clinic</title></html>"))
	}))
	t.Cleanup(s.Close)
	target := strings.TrimPrefix(s.URL, "http://")
	kbDir := t.TempDir() // the embedded knowledge base only

	r := run(t, nil, "scan", target, "--checks", "patch", "--kb-dir", kbDir, "-f", "json", "--fail-on", "high")
	if r.code != 0 {
		t.Fatalf("--fail-on high: exit %d, want 0 (%s)", r.code, r.stderr)
	}
	var res checks.Result
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatal(err)
	}
	potential := 0
	for _, f := range res.Findings {
		if f.Severity == checks.Critical || strings.Contains(f.Title, "CVE-2023-44487") {
			t.Errorf("%s at %s", f.Title, f.Severity)
		}
		if f.Confidence == checks.Potential && f.Severity >= checks.Medium {
			potential++
		}
	}
	if potential == 0 {
		t.Fatalf("want potential medium findings to test --fail-on with; got %+v", res.Findings)
	}
	if r := run(t, nil, "scan", target, "--checks", "patch", "--kb-dir", kbDir, "-f", "json", "--fail-on", "medium", "-q"); r.code != 0 {
		t.Errorf("--fail-on medium with only potential findings: exit %d, want 0", r.code)
	}
	if r := run(t, nil, "scan", target, "--checks", "patch", "--kb-dir", kbDir, "-f", "json", "--fail-on", "medium", "--fail-on-potential", "-q"); r.code != ExitFindings {
		t.Errorf("--fail-on medium --fail-on-potential: exit %d, want %d", r.code, ExitFindings)
	}
}

// TestScanShowsKnowledgeBaseAge: the scan table's footer, scan.json's patch verdicts and stderr
// say how old the patch knowledge base is, and warn when a source is past 30 days.
func TestScanShowsKnowledgeBaseAge(t *testing.T) {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Server", "nginx/1.28.3")
	}))
	t.Cleanup(s.Close)
	target := strings.TrimPrefix(s.URL, "http://")
	kbDir := t.TempDir()

	r := run(t, nil, "scan", target, "--checks", "patch", "--kb-dir", kbDir, "-f", "table")
	// fixedNow is 2026-11-22: the embedded KEV entries are of 2025-08-25, 454 days before.
	if !strings.Contains(r.stdout, "Data: patch knowledge base:") || !strings.Contains(r.stdout, "2025-08-25 (454 days)") ||
		!strings.Contains(r.stdout, "older than 30 days") {
		t.Errorf("table footer:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "warning: patch knowledge base older than 30 days") {
		t.Errorf("stderr: %s", r.stderr)
	}
	r = run(t, nil, "scan", target, "--checks", "patch", "--kb-dir", kbDir, "-f", "json")
	var doc struct {
		Endpoints []struct {
			Verdicts map[string]struct {
				Data struct {
					Sources []struct {
						Name    string `json:"name"`
						Date    string `json:"date"`
						AgeDays int    `json:"age_days"`
					} `json:"knowledge_base_sources"`
					Stale string `json:"stale"`
				} `json:"data"`
			} `json:"verdicts"`
		} `json:"endpoints"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || len(doc.Endpoints) != 1 {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	v := doc.Endpoints[0].Verdicts["patch"].Data
	found := false
	for _, s := range v.Sources {
		if strings.HasPrefix(s.Name, "CISA Known Exploited") && s.Date == "2025-08-25" && s.AgeDays == 454 {
			found = true
		}
	}
	if !found || v.Stale == "" {
		t.Errorf("scan.json patch verdict: %+v", v)
	}
}
