package patch

import (
	"fmt"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/telesra/telesra/templates/datafile"

	"github.com/telesra/telesra/checks"
)

// corpus is testdata/banners.yaml.
type corpus struct {
	Now   string       `yaml:"now"`
	Cases []corpusCase `yaml:"cases"`
}

type corpusCase struct {
	Banner    string            `yaml:"banner"`
	Server    string            `yaml:"server"`
	PoweredBy string            `yaml:"powered_by"`
	Headers   map[string]string `yaml:"headers"`
	Generator string            `yaml:"generator"`
	SeenOn    string            `yaml:"seen_on"`
	Expect    []expectation     `yaml:"expect"`
}

type expectation struct {
	Product  string   `yaml:"product"`
	Version  string   `yaml:"version"`
	Build    string   `yaml:"build"`
	Distro   string   `yaml:"distro"`
	Releases []string `yaml:"releases"`
	Package  string   `yaml:"package"`
	Support  string   `yaml:"support"`
	EOL      string   `yaml:"eol"`
	Vulns    []string `yaml:"vulns"`
}

func (c corpusCase) name() string {
	for _, s := range []string{c.Banner, c.Server, c.PoweredBy, c.Generator} {
		if s != "" {
			return s
		}
	}
	var keys []string
	for k, v := range c.Headers {
		keys = append(keys, k+": "+v)
	}
	sort.Strings(keys)
	return strings.Join(keys, "; ")
}

// fingerprints parses a case the way the family parses what an endpoint sends.
func (c corpusCase) fingerprints() []Fingerprint {
	switch {
	case strings.HasPrefix(c.Banner, "SSH-"):
		return ParseSSH(c.Banner)
	case c.Banner != "":
		return ParseGreeting(c.Banner)
	}
	h := http.Header{}
	if c.Server != "" {
		h.Set("Server", c.Server)
	}
	if c.PoweredBy != "" {
		h.Set("X-Powered-By", c.PoweredBy)
	}
	for k, v := range c.Headers {
		h.Set(k, v)
	}
	return ParseHTTP(h, c.Generator)
}

func loadCorpus(t *testing.T) (corpus, time.Time) {
	t.Helper()
	data, err := os.ReadFile("testdata/banners.yaml")
	if err != nil {
		t.Fatal(err)
	}
	root, err := datafile.ParseYAML("testdata/banners.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	var c corpus
	if err := root.Decode(&c); err != nil {
		t.Fatal(err)
	}
	now, err := time.Parse(time.DateOnly, c.Now)
	if err != nil {
		t.Fatal(err)
	}
	return c, now
}

func embeddedKB(t testing.TB) *KB {
	t.Helper()
	kb, err := LoadKB("")
	if err != nil {
		t.Fatal(err)
	}
	return kb
}

// TestBannerCorpus judges every real-world banner in testdata/banners.yaml and compares product,
// version, build, distribution, release, package, support, end of life and vulnerabilities with
// what the distributions' and vendors' records say.
func TestBannerCorpus(t *testing.T) {
	c, now := loadCorpus(t)
	kb := embeddedKB(t)
	if len(c.Cases) < 60 {
		t.Fatalf("the corpus has %d banners; the accuracy target needs at least 60", len(c.Cases))
	}
	counts := map[string]int{}
	for _, tc := range c.Cases {
		t.Run(tc.name(), func(t *testing.T) {
			reports := Assess(kb, tc.fingerprints(), now)
			if len(reports) != len(tc.Expect) {
				var got []string
				for _, r := range reports {
					got = append(got, r.Product+" "+r.Version)
				}
				t.Fatalf("%d products %v, want %d", len(reports), got, len(tc.Expect))
			}
			for i, want := range tc.Expect {
				checkReport(t, reports[i], want)
				counts["eol "+orNone(want.EOL)]++
				counts["support "+want.Support]++
				for _, v := range want.Vulns {
					kind := "cve"
					if _, ok := kb.KEV(strings.Fields(v)[0]); ok {
						kind = "kev"
					}
					counts[kind+" "+strings.Fields(v)[1]]++
				}
			}
		})
	}
	var keys []string
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%-24s %d", k, counts[k])
	}
	t.Logf("%d banners", len(c.Cases))
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func checkReport(t *testing.T, r Report, want expectation) {
	t.Helper()
	eq := func(field, got, want string) {
		if want != "" && got != want {
			t.Errorf("%s %s: %s = %q, want %q (%s)", r.Product, r.Version, field, got, want, r.Line())
		}
	}
	eq("product", r.Product, want.Product)
	eq("version", r.Version, want.Version)
	eq("build", string(r.Build), want.Build)
	eq("distro", r.Distro, want.Distro)
	eq("package", r.Package, want.Package)
	eq("support", string(r.Support), want.Support)
	if want.Releases != nil && !slices.Equal(r.Releases, want.Releases) {
		t.Errorf("%s %s: releases %v, want %v", r.Product, r.Version, r.Releases, want.Releases)
	}
	gotEOL := "none"
	if r.EOL != nil {
		gotEOL = string(r.EOL.Confidence)
	}
	eq("eol", gotEOL, orNone(want.EOL))
	var gotV []string
	for _, v := range r.Vulns {
		gotV = append(gotV, fmt.Sprintf("%s %s", v.ID, v.Confidence))
	}
	sort.Strings(gotV)
	wantV := slices.Clone(want.Vulns)
	sort.Strings(wantV)
	if !slices.Equal(gotV, wantV) {
		t.Errorf("%s %s: vulns %v, want %v", r.Product, r.Version, gotV, wantV)
		for _, v := range r.Vulns {
			t.Logf("  %s %s: %s", v.ID, v.Confidence, v.Reason)
		}
	}
	// Whatever the verdict, what came from the server is stored cleaned.
	for _, e := range r.Evidence {
		if e != checks.Clean(e, 0) {
			t.Errorf("evidence %q is not clean", e)
		}
	}
}
