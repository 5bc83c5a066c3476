package patch

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/telesra/telesra/checks/checkstest"
	"github.com/telesra/telesra/templates"
)

// endOfLifeSnapshot is the day of the endoflife.date pages in ../shared/data (its README).
const endOfLifeSnapshot = "2026-08-22"

// TestEmbeddedKEVMatchesCISA: every embedded KEV entry says what CISA's catalog says (CVE,
// vendor, product, name, date added, due date, ransomware use), and every embedded vulnerability
// that CISA lists has its KEV entry, so a version match becomes patch.kev.
func TestEmbeddedKEVMatchesCISA(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(checkstest.SharedData(t, "kev"), "known_exploited_vulnerabilities.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cat kevCatalog
	if err := json.Unmarshal(data, &cat); err != nil {
		t.Fatal(err)
	}
	cisa := map[string]kevEntry{}
	for _, e := range cat.Vulnerabilities {
		cisa[e.CveID] = e
	}
	kb := embeddedKB(t)
	if len(kb.kev) == 0 {
		t.Fatal("no embedded KEV entries")
	}
	for cve, k := range kb.kev {
		e, ok := cisa[cve]
		if !ok {
			t.Errorf("%s: not in CISA's catalog %s", cve, cat.CatalogVersion)
			continue
		}
		for _, d := range []struct{ field, ours, theirs string }{
			{"vendor", k.Vendor, e.VendorProject}, {"product", k.Product, e.Product}, {"name", k.Name, e.VulnerabilityName},
			{"date_added", date(k.DateAdded), e.DateAdded}, {"due", date(k.Due), e.DueDate},
			{"ransomware", k.Ransomware, e.KnownRansomwareCampaignUse},
		} {
			if d.ours != d.theirs {
				t.Errorf("%s %s: embedded %q, CISA %q", cve, d.field, d.ours, d.theirs)
			}
		}
	}
	for id := range kb.vulns {
		if _, listed := cisa[id]; listed {
			if _, ok := kb.KEV(id); !ok {
				t.Errorf("%s is in CISA's catalog but has no embedded KEV entry: its matches would not be patch.kev", id)
			}
		}
	}
}

// TestEmbeddedLifeCyclesMatchEndOfLife: every product mapped to endoflife.date has every release
// the snapshot lists, with its release day, end of life (and, for Debian, the LTS end), paid
// extended support end and latest version. A cycle may differ only when it says it is newer
// (as_of after the snapshot, with a source); a cycle endoflife.date does not list says it was not
// checked.
func TestEmbeddedLifeCyclesMatchEndOfLife(t *testing.T) {
	dir := checkstest.SharedData(t, "endoflife", "products")
	kb := embeddedKB(t)
	mapped := 0
	for _, p := range kb.Products() {
		if p.EndOfLife == "" {
			continue
		}
		mapped++
		data, err := os.ReadFile(filepath.Join(dir, p.EndOfLife+".md"))
		if err != nil {
			t.Errorf("%s maps to endoflife.date %q, which the snapshot does not have: %v", p.ID, p.EndOfLife, err)
			continue
		}
		front, ok := frontMatter(data)
		if !ok {
			t.Fatalf("%s.md has no front matter", p.EndOfLife)
		}
		_, releases, err := parseEndOfLifePage(p.EndOfLife+".md", front)
		if err != nil {
			t.Fatal(err)
		}
		matched := map[*Cycle]bool{}
		for _, r := range releases {
			name := string(r.Cycle)
			c := endOfLifeCycle(p, name)
			if c == nil {
				t.Errorf("%s: endoflife.date release %q is missing", p.ID, name)
				continue
			}
			matched[c] = true
			if c.AsOf > endOfLifeSnapshot && c.Source != "" {
				t.Logf("%s %s: embedded facts as of %s (%s), newer than the snapshot", p.ID, c.Cycle, c.AsOf, c.Source)
				continue
			}
			for _, d := range cycleDiffs(p, c, r) {
				t.Errorf("%s %s: %s", p.ID, c.Cycle, d)
			}
		}
		for _, c := range p.Cycles {
			if !matched[c] && c.Unchecked == "" {
				t.Errorf("%s %s: not in endoflife.date's %s page and not marked unchecked", p.ID, c.Cycle, p.EndOfLife)
			}
		}
	}
	if mapped < 15 {
		t.Errorf("only %d products map to endoflife.date", mapped)
	}
}

// endOfLifeCycle finds the embedded cycle an endoflife.date release name stands for.
func endOfLifeCycle(p *Product, name string) *Cycle {
	for _, c := range p.Cycles {
		if c.EndOfLifeName != "" && cycleKey(c.EndOfLifeName) == cycleKey(name) {
			return c
		}
	}
	for _, c := range p.Cycles {
		if c.EndOfLifeName == "" && cycleKey(c.Cycle) == cycleKey(name) {
			return c
		}
	}
	return nil
}

// cycleDiffs lists where an embedded cycle differs from the endoflife.date release, reading the
// release as the import does.
func cycleDiffs(p *Product, c *Cycle, r eolV0) []string {
	want := struct{ released, security, eol, extended, latest string }{released: r.ReleaseDate.date}
	if p.FreeExtended && r.ExtendedSupport.date != "" {
		want.security, want.eol = r.EOL.date, r.ExtendedSupport.date
	} else {
		want.eol, want.extended = r.EOL.date, r.ExtendedSupport.date
		if want.extended != "" && want.extended <= want.eol {
			want.extended = ""
		}
	}
	if want.eol == "" && r.EOL.set {
		want.eol = want.released // ended without a date: the import's bound
	}
	if s, ok := r.Latest.(string); ok && !p.Distribution {
		if _, err := ParseVersion(p.Versioning, s); err == nil {
			want.latest = s
		}
	}
	var out []string
	check := func(field, ours, theirs string) {
		if ours != theirs {
			out = append(out, fmt.Sprintf("%s: embedded %q, endoflife.date %q", field, ours, theirs))
		}
	}
	check("released", date(c.Released), want.released)
	check("eol", date(c.EOL), want.eol)
	if p.FreeExtended {
		check("security", date(c.Security), want.security)
	}
	// A paid extension endoflife.date does not know (Freexian ELTS) is allowed when marked.
	if !(want.extended == "" && c.Unchecked != "") {
		check("extended", date(c.Extended), want.extended)
	}
	check("latest", c.Latest, want.latest)
	return out
}

// TestKEVSchemaFollowsCISA: the schema feeds import validates a catalog with requires what CISA's
// published schema requires, at the catalog and at each entry.
func TestKEVSchemaFollowsCISA(t *testing.T) {
	published, err := os.ReadFile(filepath.Join(checkstest.SharedData(t, "kev"), "known_exploited_vulnerabilities_schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	ours, err := templates.ReadFile("schemas/" + kevSchema)
	if err != nil {
		t.Fatal(err)
	}
	type schema struct {
		Required []string `json:"required"`
		Defs     map[string]struct {
			Required   []string       `json:"required"`
			Properties map[string]any `json:"properties"`
		} `json:"$defs"`
	}
	var a, b schema
	if err := json.Unmarshal(published, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(ours, &b); err != nil {
		t.Fatal(err)
	}
	sorted := func(s []string) string { s = slices.Clone(s); slices.Sort(s); return strings.Join(s, ",") }
	if sorted(a.Required) != sorted(b.Required) {
		t.Errorf("catalog required: CISA %v, ours %v", a.Required, b.Required)
	}
	av, bv := a.Defs["vulnerability"], b.Defs["vulnerability"]
	if sorted(av.Required) != sorted(bv.Required) {
		t.Errorf("entry required: CISA %v, ours %v", av.Required, bv.Required)
	}
	for f := range av.Properties {
		if _, ok := bv.Properties[f]; !ok {
			t.Errorf("entry field %s of CISA's schema is missing from ours", f)
		}
	}
}
