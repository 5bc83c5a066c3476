package patch

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/telesra/telesra/templates/datafile"

	cvss31 "github.com/pandatix/go-cvss/31"

	"github.com/telesra/telesra/checks"
)

var importDay = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "feeds", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func importFixture(t *testing.T, dir, name string, o ImportOptions) *ImportResult {
	t.Helper()
	o.Now = importDay
	res, err := ImportFeed(dir, filepath.Join("testdata", "feeds", name), readFixture(t, name), o)
	if err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	return res
}

func loadDir(t *testing.T, dir string) *KB {
	t.Helper()
	kb, err := LoadKB(dir)
	if err != nil {
		t.Fatal(err)
	}
	return kb
}

func vulnOf(t *testing.T, kb *KB, banner, id string) *VulnMatch {
	t.Helper()
	for _, r := range Assess(kb, ParseSSH(banner), importDay) {
		for _, v := range r.Vulns {
			if v.ID == id {
				return &v
			}
		}
	}
	return nil
}

// TestImportKEVChangesVerdicts: importing a KEV catalog marks the CVEs it lists as known
// exploited, so a version match becomes patch.kev instead of patch.cve.
func TestImportKEVChangesVerdicts(t *testing.T) {
	dir := t.TempDir()
	banner := "SSH-2.0-OpenSSH_8.5p1"
	if v := vulnOf(t, loadDir(t, dir), banner, "CVE-2024-6387"); v == nil || v.KEV != nil {
		t.Fatalf("before the import regreSSHion is a plain CVE match: %+v", v)
	}
	res := importFixture(t, dir, "kev-fixture.json", ImportOptions{Write: writeKB})
	if res.Kind != FeedKEV || res.Entries != 3 || filepath.Base(res.Path) != "kev.yaml" {
		t.Errorf("result %+v", res)
	}
	fi, err := os.Stat(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", res.Path, fi.Mode().Perm())
	}
	kb := loadDir(t, dir)
	v := vulnOf(t, kb, banner, "CVE-2024-6387")
	// Known exploited now, and still potential: distributions patch OpenSSH in place, so a
	// version-only match does not prove it.
	if v == nil || v.KEV == nil || date(v.KEV.Due) != "2026-12-11" || v.Confidence != checks.Potential {
		t.Fatalf("after the import regreSSHion is known exploited (potential on a version-only match): %+v", v)
	}
	// The import's values replace the snapshot's for CVEs both list.
	if k, _ := kb.KEV("CVE-2021-41773"); k.Ransomware != "Known" {
		t.Errorf("CVE-2021-41773 ransomware %q, want the imported value", k.Ransomware)
	}
	// Embedded entries the import does not list remain.
	if _, ok := kb.KEV("CVE-2014-0160"); !ok {
		t.Error("embedded KEV entries must survive an import")
	}
	var found bool
	for _, s := range kb.Sources() {
		if s.Origin == OriginImported && s.Date == "2026-11-20" && strings.Contains(s.Name, "2026.11.20") && s.ImportedAt != "" {
			found = true
		}
	}
	if !found {
		t.Errorf("the imported catalog's date and version are not among the sources: %+v", kb.Sources())
	}
}

// TestImportBadFeedsLeaveKBUntouched: malformed, truncated or inconsistent downloads give an error
// naming the file and position, and the copy already imported stays byte for byte.
func TestImportBadFeedsLeaveKBUntouched(t *testing.T) {
	dir := t.TempDir()
	res := importFixture(t, dir, "kev-fixture.json", ImportOptions{Write: writeKB})
	before, err := os.ReadFile(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	good := readFixture(t, "kev-fixture.json")
	tests := []struct {
		name string
		data []byte
		kind FeedKind
		want string // in the error
		line bool   // the error carries a line number
	}{
		{"truncated", good[:len(good)/2], "", "truncated", true},
		{"truncated at end", good[:len(good)-3], "", "truncated", true},
		{"garbage", []byte("<html><body>Access denied</body></html>"), "", "invalid character", true},
		{"empty", []byte("  \n"), "", "empty", true},
		{"not a feed", []byte(`{"hello": "world"}`), "", "not a CISA KEV catalog", true},
		{"count mismatch", bytes.Replace(good, []byte(`"count": 3`), []byte(`"count": 1400`), 1), "", "count says 1400", true},
		{"bad CVE", bytes.Replace(good, []byte(`"CVE-2024-6387"`), []byte(`"CVE-24-6387"`), 1), "", "CVE-24-6387", true},
		{"bad date", bytes.Replace(good, []byte(`"2026-12-11"`), []byte(`"next week"`), 1), "", "dueDate", true},
		{"duplicate", bytes.Replace(good, []byte(`"CVE-2024-3400"`), []byte(`"CVE-2024-6387"`), 1), "", "listed twice", true},
		{"kev forced on endoflife data", readFixture(t, "endoflife-nginx.json"), FeedKEV, "", false},
		{"unknown endoflife product", []byte(`[{"cycle": "1", "releaseDate": "2020-01-01", "eol": false}]`), "", "not one telesra fingerprints", true},
		{"endoflife bad date", bytes.Replace(readFixture(t, "endoflife-nginx.json"), []byte(`"2026-04-14"`), []byte(`"soon"`), 1), FeedEndOfLife, "want a date", false},
		{"osv nothing known", []byte(`[{"id": "GHSA-xxxx", "modified": "2026-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"}}]}]`), "", "none of the 1 OSV records", true},
		{"osv bad fixed", bytes.Replace(readFixture(t, "osv-ubuntu-openssh.json"), []byte(`"1:8.9p1-3ubuntu0.5"}`), []byte(`"1:8.9p1 3ubuntu0.5"}`), 1), "", "fixed version", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := "downloads/feed.json"
			if tt.kind == FeedEndOfLife {
				name = "downloads/nginx.json" // endoflife.date v0 exports are named after the product
			}
			_, err := ImportFeed(dir, name, tt.data, ImportOptions{Write: writeKB, Kind: tt.kind, Now: importDay})
			if err == nil {
				t.Fatal("import succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), name) {
				t.Errorf("error %q should name %s and say %q", err, name, tt.want)
			}
			var fe *datafile.FileError
			if tt.line && (!errors.As(err, &fe) || fe.Line == 0) {
				t.Errorf("error %q carries no line number", err)
			}
			after, err := os.ReadFile(res.Path)
			if err != nil || !bytes.Equal(before, after) {
				t.Errorf("the existing knowledge base changed (%v)", err)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("the directory holds %d entries after a failed import, want only kev.yaml", len(entries))
			}
		})
	}
}

// TestImportEndOfLife: an endoflife.date export refreshes a product's cycles, keeping what only the
// embedded knowledge base knows (distribution package lists, version bounds).
func TestImportEndOfLife(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	nginx128 := func(kb *KB) Report { return Assess(kb, ParseProductHeader(SrcServer, "nginx/1.28.0"), now)[0] }
	res := importFixture(t, dir, "endoflife-nginx.json", ImportOptions{Write: writeKB})
	if filepath.Base(res.Path) != "eol-nginx.yaml" {
		t.Errorf("path %s", res.Path)
	}
	kb := loadDir(t, dir)
	r := nginx128(kb)
	if r.EOL == nil || r.EOL.EOL != "2026-04-14" || r.EOL.Confidence != checks.Confirmed {
		t.Fatalf("after: nginx 1.28 ended 2026-04-14 per the import, got %+v", r.EOL)
	}
	if !strings.Contains(r.EOL.Upgrade, "nginx 1.31") {
		t.Errorf("remediation should name 1.31: %q", r.EOL.Upgrade)
	}
	// Cycles the export omits (1.16) stay as the snapshot has them.
	if c := kb.Product("nginx").CycleFor("1.16.1"); c == nil || date(c.EOL) != "2020-04-20" {
		t.Errorf("1.16 lost: %+v", c)
	}

	// v1 exports carry the product name themselves.
	res = importFixture(t, dir, "endoflife-php-v1.json", ImportOptions{Write: writeKB})
	if filepath.Base(res.Path) != "eol-php.yaml" {
		t.Errorf("path %s", res.Path)
	}
	kb = loadDir(t, dir)
	if c := kb.Product("php").Release("8.1"); date(c.EOL) != "2025-12-31" || c.Latest != "8.1.33" {
		t.Errorf("php 8.1 after v1 import: eol %s latest %s", date(c.EOL), c.Latest)
	}
	// A v0 export needs the product from its name or --product.
	data := readFixture(t, "endoflife-nginx.json")
	if _, err := ImportFeed(dir, "downloads/export.json", data, ImportOptions{Write: writeKB, Now: importDay}); err == nil || !strings.Contains(err.Error(), "--product") {
		t.Errorf("a v0 export named export.json must ask for --product, got %v", err)
	}
	if _, err := ImportFeed(dir, "downloads/export.json", data, ImportOptions{Write: writeKB, Product: "nginx", Now: importDay}); err != nil {
		t.Errorf("with --product nginx: %v", err)
	}
}

// TestImportEndOfLifeDebianLTS: for Debian, endoflife.date's extended support is the free LTS,
// so it becomes the end of support and the security end is kept apart.
func TestImportEndOfLifeDebianLTS(t *testing.T) {
	dir := t.TempDir()
	data := []byte(`[{"cycle": "12", "codename": "Bookworm", "releaseDate": "2023-06-10", "eol": "2026-06-10", "extendedSupport": "2028-06-30", "latest": "12.12"},
	  {"cycle": "11", "codename": "Bullseye", "releaseDate": "2021-08-14", "eol": "2024-08-14", "extendedSupport": "2026-08-31", "latest": "11.11"}]`)
	if _, err := ImportFeed(dir, "debian.json", data, ImportOptions{Write: writeKB, Now: importDay}); err != nil {
		t.Fatal(err)
	}
	kb := loadDir(t, dir)
	c := kb.Product("debian").Release("12")
	if date(c.Security) != "2026-06-10" || date(c.EOL) != "2028-06-30" || c.Extended.IsZero() == false {
		t.Errorf("debian 12: security %s eol %s extended %s", date(c.Security), date(c.EOL), date(c.Extended))
	}
	if len(c.Ships["openssh"]) == 0 {
		t.Error("the import must keep the embedded list of packages Debian 12 ships")
	}
}

// TestImportOSV: distribution fixes from OSV records let a package version be compared; records
// and packages telesra cannot judge are skipped and counted.
func TestImportOSV(t *testing.T) {
	dir := t.TempDir()
	const banner = "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6"
	if v := vulnOf(t, loadDir(t, dir), banner, "CVE-2023-48795"); v == nil || v.Confidence != checks.Potential {
		t.Fatalf("before: Terrapin on Ubuntu 22.04 is potential (no fixed version known): %+v", v)
	}
	res := importFixture(t, dir, "osv-ubuntu-openssh.json", ImportOptions{Write: writeKB})
	if res.Kind != FeedOSV || res.Skipped != 2 {
		t.Errorf("result %+v, want 2 skipped (no fix for 16.04, Alpine unknown)", res)
	}
	kb := loadDir(t, dir)
	if v := vulnOf(t, kb, banner, "CVE-2023-48795"); v != nil {
		t.Errorf("after: 3ubuntu0.6 is newer than the imported fix 3ubuntu0.5, got %+v", v)
	}
	v := vulnOf(t, kb, "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.4", "CVE-2023-48795")
	if v == nil || !strings.Contains(v.Fix, "1:8.9p1-3ubuntu0.5") {
		t.Errorf("an older package must be matched and told the fixed package: %+v", v)
	}
	// The record's CVSS vector gives the score; the embedded title and ranges stay.
	vu := kb.Vuln("CVE-2023-48795")
	if vu.CVSS != 5.9 || len(vu.Affected) == 0 || len(vu.Distros) < 2 {
		t.Errorf("merged vulnerability: %+v", vu)
	}
	// A second OSV import adds to the first.
	second := []byte(`{"id": "DEBIAN-CVE-2024-6387", "modified": "2026-10-01T00:00:00Z", "summary": "regreSSHion",
	  "affected": [{"package": {"ecosystem": "Debian:11", "name": "openssh"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:8.4p1-5+deb11u9"}]}]}]}`)
	if _, err := ImportFeed(dir, "debian-osv.json", second, ImportOptions{Write: writeKB, Now: importDay}); err != nil {
		t.Fatal(err)
	}
	kb = loadDir(t, dir)
	if fix := kb.Vuln("CVE-2024-6387").distroFix("debian", "11"); fix == nil || fix.Fixed != "1:8.4p1-5+deb11u9" {
		t.Errorf("second import: %+v", fix)
	}
	if fix := kb.Vuln("CVE-2023-48795").distroFix("ubuntu", "22.04"); fix == nil {
		t.Error("the first OSV import was lost")
	}
}

// TestCorruptUserCopyIsAnError: a hand-edited copy that no longer validates stops the load with
// its file and line rather than silently judging with half a knowledge base.
func TestCorruptUserCopyIsAnError(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "kev.yaml"), []byte("snapshot:\n  name: x\n  date: 2026-13-01\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadKB(dir)
	var fe datafile.FileErrors
	if !errors.As(err, &fe) || fe[0].Line != 3 {
		t.Fatalf("want a file error at line 3, got %v", err)
	}
}

// TestEmbeddedCVSSVectors keeps the snapshot's scores honest: a recorded vector must give the
// recorded score.
func TestEmbeddedCVSSVectors(t *testing.T) {
	kb := embeddedKB(t)
	for _, p := range kb.Products() {
		for _, v := range kb.Vulns(p.ID) {
			if v.Vector == "" {
				continue
			}
			c, err := cvss31.ParseVector(v.Vector)
			if err != nil {
				t.Errorf("%s: %v", v.ID, err)
				continue
			}
			if c.BaseScore() != v.CVSS {
				t.Errorf("%s: vector scores %.1f, recorded %.1f", v.ID, c.BaseScore(), v.CVSS)
			}
		}
	}
}

// TestKnowledgeBaseInfo is what reports print as the knowledge-base dates.
func TestKnowledgeBaseInfo(t *testing.T) {
	dir := t.TempDir()
	srcs, err := KnowledgeBaseInfo(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range srcs {
		if s.Origin != OriginEmbedded || s.Date == "" || s.Name == "" || len(s.URLs) == 0 || s.Entries == 0 {
			t.Errorf("embedded source %+v lacks a date, name, sources or entries", s)
		}
	}
	importFixture(t, dir, "kev-fixture.json", ImportOptions{Write: writeKB})
	srcs, _ = KnowledgeBaseInfo(dir)
	last := srcs[len(srcs)-1]
	if last.Origin != OriginImported || last.Date != "2026-11-20" || !strings.HasSuffix(last.ImportedFrom, "kev-fixture.json") {
		t.Errorf("imported source %+v", last)
	}
}

func FuzzImportFeed(f *testing.F) {
	for _, n := range []string{"kev-fixture.json", "endoflife-nginx.json", "endoflife-php-v1.json", "osv-ubuntu-openssh.json"} {
		b := readFixture(f, n)
		f.Add(b)
		f.Add(b[:len(b)/3])
	}
	f.Add([]byte(`[{"cycle": 1, "eol": true}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		res, err := ImportFeed(dir, "nginx.json", data, ImportOptions{Write: writeKB, Now: importDay})
		entries, _ := os.ReadDir(dir)
		if err != nil {
			if len(entries) != 0 {
				t.Fatalf("a failed import wrote %d files", len(entries))
			}
			return
		}
		// Whatever was accepted must load.
		if _, err := LoadKB(dir); err != nil {
			t.Fatalf("accepted feed (%s) does not load: %v", res.Path, err)
		}
	})
}

// writeKB stands in for the workspace's atomic writer, which is tested where it lives.
func writeKB(path string, data []byte) error { return os.WriteFile(path, data, 0o600) }
