package patch

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/telesra/telesra/checks/checkstest"
	"github.com/telesra/telesra/templates/datafile"
)

// TestImportRealKEVCatalog: CISA's catalog as published (2025.08.25) imports whole, validated
// against the published schema's requirements, with CISA's facts.
func TestImportRealKEVCatalog(t *testing.T) {
	file := filepath.Join(checkstest.SharedData(t, "kev"), "known_exploited_vulnerabilities.json")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	res, err := ImportFeed(dir, file, data, ImportOptions{Write: writeKB, Now: importDay})
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != FeedKEV || res.Entries != 1404 {
		t.Fatalf("imported %s with %d entries, want kev with 1404", res.Kind, res.Entries)
	}
	if !strings.Contains(res.Summary, "2025.08.25") || !strings.Contains(res.Summary, "2025-08-25") {
		t.Errorf("summary %q should name the catalog version and date", res.Summary)
	}
	kb := loadDir(t, dir)
	for cve, want := range map[string]struct{ added, due, ransomware string }{
		"CVE-2025-48384": {"2025-08-25", "2025-09-15", "Unknown"},
		"CVE-2021-41773": {"2021-11-03", "2021-11-17", "Known"},
		"CVE-2019-10149": {"2022-01-10", "2022-07-10", "Unknown"},
	} {
		k, ok := kb.KEV(cve)
		if !ok || date(k.DateAdded) != want.added || date(k.Due) != want.due || k.Ransomware != want.ransomware {
			t.Errorf("%s after import: %+v, want %+v", cve, k, want)
		}
	}

	// An entry missing a field CISA's schema requires is not CISA's catalog: file:line, nothing written.
	bad := strings.Replace(string(data), `"requiredAction"`, `"requiredActionX"`, 1)
	dir2 := t.TempDir()
	_, err = ImportFeed(dir2, file, []byte(bad), ImportOptions{Write: writeKB, Now: importDay})
	var fe *datafile.FileError
	if !errors.As(err, &fe) || fe.Line == 0 || !strings.Contains(err.Error(), "requiredAction") {
		t.Errorf("a catalog violating the published schema: %v", err)
	}
	if entries, _ := os.ReadDir(dir2); len(entries) != 0 {
		t.Errorf("a rejected catalog wrote %d files", len(entries))
	}
}

// TestImportRealEndOfLifePages: the endoflife.date product pages (front matter) import for every
// product telesra maps, and a page for a product it does not fingerprint is refused by name.
func TestImportRealEndOfLifePages(t *testing.T) {
	dir := checkstest.SharedData(t, "endoflife", "products")
	pages, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 65 {
		t.Fatalf("%d product pages, want the snapshot's 65", len(pages))
	}
	mapped := map[string]bool{}
	for _, p := range embeddedKB(t).Products() {
		if p.EndOfLife != "" {
			mapped[p.EndOfLife] = true
		}
	}
	kbDir := t.TempDir()
	imported := 0
	for _, page := range pages {
		data, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(page), ".md")
		res, err := ImportFeed(kbDir, page, data, ImportOptions{Write: writeKB, Now: importDay})
		switch {
		case mapped[name] && err != nil:
			t.Errorf("%s: %v", name, err)
		case !mapped[name] && (err == nil || !strings.Contains(err.Error(), "not one telesra fingerprints")):
			t.Errorf("%s is not mapped, yet: %v", name, err)
		case err == nil:
			imported++
			if res.Kind != FeedEndOfLife || res.Entries == 0 {
				t.Errorf("%s: %+v", name, res)
			}
		}
	}
	if imported != len(mapped) {
		t.Errorf("imported %d pages, want one per mapped product (%d)", imported, len(mapped))
	}
	kb := loadDir(t, kbDir)
	nginx := kb.Product("nginx")
	if c := nginx.Release("1.31"); c == nil || c.Latest != "1.31.4" || !c.EOL.IsZero() {
		t.Errorf("nginx 1.31: %+v", c)
	}
	if c := nginx.Release("1.28"); c == nil || date(c.EOL) != "2026-04-14" {
		t.Errorf("nginx 1.28: %+v", c)
	}
	if c := kb.Product("debian").Release("12"); c == nil || date(c.Security) != "2026-07-11" || date(c.EOL) != "2028-06-30" {
		t.Errorf("Debian 12: %+v", c)
	}
	if c := kb.Product("exchange").Release("2019"); c == nil || date(c.Extended) != "2026-11-01" {
		t.Errorf("Exchange 2019: %+v", c)
	}
}
