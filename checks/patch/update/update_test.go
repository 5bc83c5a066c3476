package update_test

import (
	"bytes"
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/telesra/telesra/checks/checkstest"
	"github.com/telesra/telesra/checks/patch"
	"github.com/telesra/telesra/checks/patch/update"
)

var now = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)

func writeKB(path string, data []byte) error { return os.WriteFile(path, data, 0o600) }

// mirror serves the real snapshots (../shared/data, laid out as the feeds' repositories) over
// HTTPS on 127.0.0.1 and returns its URL, a PEM file of its certificate, and the paths asked for.
func mirror(t *testing.T) (string, string, func() []string) {
	t.Helper()
	data := checkstest.SharedData(t)
	var mu sync.Mutex
	var asked []string
	files := http.FileServer(http.Dir(data))
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.Path)
		mu.Unlock()
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "mirror.pem")
	pemData := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, pemData, 0o600); err != nil {
		t.Fatal(err)
	}
	return srv.URL, ca, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), asked...) }
}

// TestUpdateFromHTTPSMirror: `feeds update --mirror URL --ca-file PEM` downloads the KEV catalog
// and every mapped endoflife.date product over HTTPS, verifies and installs them, and says what
// changed; later scans know nginx 1.31 and the whole catalog.
func TestUpdateFromHTTPSMirror(t *testing.T) {
	url, ca, asked := mirror(t)
	dir := t.TempDir()
	res, err := update.Run(context.Background(), dir, update.Options{Mirror: url, CAFile: ca, Now: now, Write: writeKB})
	if err != nil {
		t.Fatal(err)
	}
	products, err := patch.EndOfLifeProducts()
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 1+len(products) || len(res.Skipped) != 0 {
		t.Fatalf("changes %d (want KEV + %d products), skipped %v", len(res.Changes), len(products), res.Skipped)
	}
	kev := res.Changes[0]
	if kev.Source != "kev" || kev.EntriesAfter != 1404 || kev.DateAfter != "2025-08-25" || kev.DateBefore != "" {
		t.Errorf("KEV change %+v", kev)
	}
	for _, p := range asked() {
		if !strings.HasPrefix(p, "/kev/") && !strings.HasPrefix(p, "/endoflife/products/") {
			t.Errorf("asked the mirror for %s", p)
		}
	}
	if n := len(asked()); n > 1+2*len(products) {
		t.Errorf("%d requests for %d documents", n, 1+len(products))
	}
	for _, c := range res.Changes {
		if fi, err := os.Stat(c.Path); err != nil || fi.Mode().Perm() != 0o600 || filepath.Dir(c.Path) != dir {
			t.Errorf("%s: %v %v", c.Path, fi, err)
		}
	}
	kb, err := patch.LoadKB(dir)
	if err != nil {
		t.Fatal(err)
	}
	if k, ok := kb.KEV("CVE-2025-48384"); !ok || k.Ransomware != "Unknown" {
		t.Errorf("a 2025 catalog entry is missing: %+v", k)
	}
	if c := kb.Product("nginx").Release("1.31"); c == nil || c.Latest != "1.31.4" {
		t.Errorf("nginx 1.31 after update: %+v", c)
	}

	// Again: same dates, nothing goes backwards, the report shows before and after.
	res, err = update.Run(context.Background(), dir, update.Options{Mirror: url, CAFile: ca, Now: now, Write: writeKB})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Changes[0]; c.DateBefore != "2025-08-25" || c.EntriesBefore != 1404 {
		t.Errorf("second update %+v", c)
	}
}

// TestUpdateRefusals: an untrusted mirror, plain HTTP, an oversized document and a catalog older
// than the installed one are refused, and nothing installed changes.
func TestUpdateRefusals(t *testing.T) {
	url, ca, _ := mirror(t)
	dir := t.TempDir()
	if _, err := update.Run(context.Background(), dir, update.Options{Mirror: url, CAFile: ca, Now: now, Write: writeKB}); err != nil {
		t.Fatal(err)
	}
	snapshot := func() map[string][]byte {
		out := map[string][]byte{}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
			out[e.Name()] = b
		}
		return out
	}
	before := snapshot()

	// An older catalog in an air-gapped directory.
	old := t.TempDir()
	real, err := os.ReadFile(filepath.Join(checkstest.SharedData(t, "kev"), "known_exploited_vulnerabilities.json"))
	if err != nil {
		t.Fatal(err)
	}
	older := bytes.Replace(real, []byte(`"dateReleased": "2025-08-25T`), []byte(`"dateReleased": "2025-01-02T`), 1)
	if err := os.MkdirAll(filepath.Join(old, "kev"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(old, "kev", "known_exploited_vulnerabilities.json"), older, 0o600); err != nil {
		t.Fatal(err)
	}

	for name, o := range map[string]update.Options{
		"untrusted mirror": {Mirror: url},
		"plain http":       {Mirror: strings.Replace(url, "https://", "http://", 1), CAFile: ca},
		"oversized":        {Mirror: url, CAFile: ca, MaxBytes: 4096},
		"older catalog":    {FromDir: old},
	} {
		o.Now, o.Write = now, writeKB
		res, err := update.Run(context.Background(), dir, o)
		if err == nil {
			t.Errorf("%s: accepted (%+v)", name, res)
			continue
		}
		t.Logf("%s: %v", name, err)
		after := snapshot()
		for f, b := range before {
			if !bytes.Equal(after[f], b) {
				t.Errorf("%s: %s changed", name, f)
			}
		}
		if len(after) != len(before) {
			t.Errorf("%s: %d files, want %d", name, len(after), len(before))
		}
	}
}

// TestUpdateFromDir: an air-gapped site points --from-dir at a copy of the feeds' repositories.
func TestUpdateFromDir(t *testing.T) {
	dir := t.TempDir()
	res, err := update.Run(context.Background(), dir, update.Options{FromDir: checkstest.SharedData(t), Now: now, Write: writeKB,
		Products: []string{"nginx", "debian", "no-such-product"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 3 || len(res.Skipped) != 1 || !strings.Contains(res.Skipped[0], "no-such-product") {
		t.Errorf("changes %+v skipped %v", res.Changes, res.Skipped)
	}
}
