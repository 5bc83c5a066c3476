package patch

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/telesra/telesra/templates/datafile"

	"go.yaml.in/yaml/v3"
)

// kbSchema validates every knowledge-base file, embedded or imported.
const kbSchema = "kb.schema.json"

// KB is the offline knowledge base: life cycles of products and distribution releases, the
// versions distributions ship, vulnerability ranges and CISA KEV entries. It is read-only once
// loaded.
type KB struct {
	sources  []Source
	products map[string]*Product
	order    []*Product
	aliases  map[string]*Product
	vulns    map[string]*Vuln
	byProd   map[string][]*Vuln
	kev      map[string]KEV
}

// Source is one file of the knowledge base, for the report's "knowledge-base dates".
type Source struct {
	Name         string   `json:"name"`
	Date         string   `json:"date"` // the day the data reflects
	Origin       string   `json:"origin"`
	File         string   `json:"file"`
	URLs         []string `json:"urls,omitempty"`
	Notes        string   `json:"notes,omitempty"`
	ImportedFrom string   `json:"imported_from,omitempty"`
	ImportedAt   string   `json:"imported_at,omitempty"`
	Entries      int      `json:"entries"`
}

// Origins of knowledge-base files.
const (
	OriginEmbedded = "embedded"
	OriginImported = "imported"
)

// Product is a product or distribution with its release cycles.
type Product struct {
	ID           string
	Name         string
	Vendor       string
	Distribution bool
	Versioning   Ecosystem
	Aliases      []string
	Bundled      string // the platform it only ships with (IIS: windows-server)
	EndOfLife    string // endoflife.date name
	FreeExtended bool
	Backports    bool // distributions patch it without changing the upstream version
	Epochs       map[string]int
	Announces    []string // products whose banners always carry the package version
	Packages     map[string]string
	HideVersion  string
	Upgrade      string
	Note         string
	Cycles       []*Cycle
}

// Cycle is one release cycle (a branch, a distribution release).
type Cycle struct {
	Cycle        string
	Codename     string
	Versions     string // version prefix; default Cycle
	Min, Max     string
	Released     time.Time
	Security     time.Time // end of regular security support before a free extension
	EOL          time.Time // end of the last free security support; zero: not announced
	Extended     time.Time // end of paid extended support
	ExtendedName string
	Latest       string
	Note         string
	Ships        map[string][]string
	key          string // cycleKey(Cycle), cached

	// EndOfLifeName is the cycle's name at endoflife.date when it differs ("2008-sp2").
	EndOfLifeName string
	// Unchecked says which facts were not checked against a published source; AsOf and Source
	// date facts newer than the snapshot the fact test compares with.
	Unchecked, AsOf, Source string
}

// Vuln is a vulnerability with the upstream versions it affects and distribution fixes.
type Vuln struct {
	ID         string
	Product    string
	Title      string
	CVSS       float64
	Vector     string
	Published  time.Time
	Condition  string
	Platform   string
	Requires   string // a protocol a probe can see (http2)
	Affected   []Range
	Distros    []DistroFix
	References []string
}

// Range is an OSV-style affected range of upstream versions.
type Range struct {
	Introduced   string `json:"introduced" yaml:"introduced"`
	Fixed        string `json:"fixed,omitempty" yaml:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty" yaml:"last_affected,omitempty"`
}

// DistroFix says how a distribution release handled a vulnerability.
type DistroFix struct {
	Distro   string `json:"distro" yaml:"distro"`
	Release  string `json:"release" yaml:"release"`
	Fixed    string `json:"fixed,omitempty" yaml:"fixed,omitempty"`
	Status   string `json:"status,omitempty" yaml:"status,omitempty"` // "fixed" (default when Fixed is set) or "not-affected"
	Advisory string `json:"advisory,omitempty" yaml:"advisory,omitempty"`
}

// KEV is a CISA Known Exploited Vulnerabilities entry.
type KEV struct {
	CVE        string    `json:"cve"`
	Vendor     string    `json:"vendor,omitempty"`
	Product    string    `json:"product,omitempty"`
	Name       string    `json:"name,omitempty"`
	DateAdded  time.Time `json:"date_added"`
	Due        time.Time `json:"due,omitzero"`
	Ransomware string    `json:"ransomware,omitempty"`
}

// LoadKB reads the embedded knowledge base and, on top of it, the imported copies in dir ("" for
// none). A bad file is an error naming file:line: a scan must not run on a knowledge base it
// cannot read.
func LoadKB(dir string) (*KB, error) {
	files, err := embeddedFiles()
	if err != nil {
		return nil, err
	}
	user, err := userFiles(dir)
	if err != nil {
		return nil, err
	}
	return buildKB(append(files, user...))
}

func buildKB(files []kbFile) (*KB, error) {
	kb := &KB{
		products: map[string]*Product{},
		aliases:  map[string]*Product{},
		vulns:    map[string]*Vuln{},
		byProd:   map[string][]*Vuln{},
		kev:      map[string]KEV{},
	}
	for _, f := range files {
		if err := kb.add(f); err != nil {
			return nil, err
		}
	}
	for _, v := range kb.vulns {
		kb.byProd[v.Product] = append(kb.byProd[v.Product], v)
	}
	for _, vs := range kb.byProd {
		sort.Slice(vs, func(i, j int) bool { return vs[i].ID < vs[j].ID })
	}
	return kb, nil
}

// add decodes, validates and merges one file.
func (kb *KB) add(f kbFile) error {
	var (
		root *yaml.Node
		doc  kbDoc
		err  error
	)
	if f.parsed != nil {
		root, doc = f.parsed.root, f.parsed.doc
	} else if root, doc, err = decodeKBFile(f); err != nil {
		return err
	} else if f.origin == OriginImported {
		parsedCache.put(f.data, &parsedFile{root: root, doc: doc})
	}
	at := func(msg string, path ...string) error { return datafile.At(f.name, root, msg, path...) }
	entries := 0
	for i, pd := range doc.Products {
		if err := kb.mergeProduct(pd, func(msg string, path ...string) error {
			return at(msg, append([]string{"products", strconv.Itoa(i)}, path...)...)
		}); err != nil {
			return err
		}
		entries += max(1, len(pd.Cycles))
	}
	for i, vd := range doc.Vulnerabilities {
		if err := kb.mergeVuln(vd, func(msg string, path ...string) error {
			return at(msg, append([]string{"vulnerabilities", strconv.Itoa(i)}, path...)...)
		}); err != nil {
			return err
		}
		entries++
	}
	for _, kd := range doc.KEV {
		k := KEV{CVE: kd.CVE, Vendor: kd.Vendor, Product: kd.Product, Name: kd.Name, Ransomware: kd.Ransomware,
			DateAdded: day(kd.DateAdded), Due: day(kd.Due)}
		kb.kev[k.CVE] = k
		entries++
	}
	kb.sources = append(kb.sources, Source{
		Name: doc.Snapshot.Name, Date: doc.Snapshot.Date, Origin: f.origin, File: f.name, URLs: doc.Snapshot.Sources,
		Notes: doc.Snapshot.Notes, ImportedFrom: doc.Snapshot.ImportedFrom, ImportedAt: doc.Snapshot.ImportedAt, Entries: entries,
	})
	return nil
}

// day parses a schema-validated YYYY-MM-DD ("" gives the zero time).
func day(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

func (kb *KB) mergeProduct(pd productDoc, at func(string, ...string) error) error {
	p := kb.products[pd.ID]
	if p == nil {
		p = &Product{ID: pd.ID, Versioning: Upstream}
		kb.products[pd.ID] = p
		kb.order = append(kb.order, p)
	}
	// Later files refine earlier ones: a field they set wins, cycles merge by name.
	set := setIfSet[string]
	set(&p.Name, pd.Name)
	set(&p.Vendor, pd.Vendor)
	set(&p.Bundled, pd.Bundled)
	set(&p.EndOfLife, pd.EndOfLife)
	set(&p.HideVersion, pd.HideVersion)
	set(&p.Upgrade, pd.Upgrade)
	set(&p.Note, pd.Note)
	if pd.Kind != "" {
		p.Distribution = pd.Kind == "distribution"
	}
	if pd.Versioning != "" {
		p.Versioning = Ecosystem(pd.Versioning)
	}
	p.FreeExtended = p.FreeExtended || pd.FreeExtended
	p.Backports = p.Backports || pd.Backports
	if len(pd.Epochs) > 0 {
		p.Epochs = pd.Epochs
	}
	if len(pd.Packages) > 0 {
		p.Packages = pd.Packages
	}
	if len(pd.Announces) > 0 {
		p.Announces = pd.Announces
	}
	for _, a := range append([]string{pd.ID}, pd.Aliases...) {
		a = strings.ToLower(a)
		if other, ok := kb.aliases[a]; ok && other != p {
			return at(fmt.Sprintf("alias %q already names product %q", a, other.ID), "aliases")
		}
		kb.aliases[a] = p
		if !containsFold(p.Aliases, a) {
			p.Aliases = append(p.Aliases, a)
		}
	}
	for j, cd := range pd.Cycles {
		c, err := kb.cycle(p, cd, func(msg, field string) error { return at(msg, "cycles", strconv.Itoa(j), field) })
		if err != nil {
			return err
		}
		if old := p.findCycle(c.Cycle); old != nil {
			old.update(c)
		} else {
			p.Cycles = append(p.Cycles, c)
		}
	}
	return nil
}

func (kb *KB) cycle(p *Product, cd cycleDoc, at func(msg, field string) error) (*Cycle, error) {
	c := &Cycle{
		Cycle: cd.Cycle, Codename: cd.Codename, Versions: cd.Versions, Min: cd.Min, Max: cd.Max,
		Released: day(cd.Released), Security: day(cd.Security), EOL: day(cd.EOL), Extended: day(cd.Extended),
		ExtendedName: cd.ExtendedName, Latest: cd.Latest, Note: cd.Note, Ships: cd.Ships,
		EndOfLifeName: cd.EndOfLife, Unchecked: cd.Unchecked, AsOf: cd.AsOf, Source: cd.Source,
		key: cycleKey(cd.Cycle),
	}
	eco := p.Versioning
	if p.Distribution {
		eco = Upstream // a distribution's cycle bounds, if any, are release numbers
	}
	for field, v := range map[string]string{"min": c.Min, "max": c.Max, "latest": c.Latest} {
		if v == "" {
			continue
		}
		if _, err := ParseVersion(eco, v); err != nil {
			return nil, at(err.Error(), field)
		}
	}
	if !c.EOL.IsZero() && !c.Extended.IsZero() && c.Extended.Before(c.EOL) {
		return nil, at("extended support ends before security support", "extended")
	}
	for prod, vs := range c.Ships {
		sp := kb.products[prod]
		if sp == nil {
			return nil, at(fmt.Sprintf("ships unknown product %q (define it in products first)", prod), "ships")
		}
		for _, v := range vs {
			if _, err := ParseVersion(sp.Versioning, v); err != nil {
				return nil, at(err.Error(), "ships")
			}
		}
	}
	return c, nil
}

// setIfSet overwrites *dst with v unless v is the zero value: a later knowledge-base file refines
// the fields it sets and leaves the others alone.
func setIfSet[T comparable](dst *T, v T) {
	var zero T
	if v != zero {
		*dst = v
	}
}

func (c *Cycle) update(n *Cycle) {
	setT, setS := setIfSet[time.Time], setIfSet[string]
	setT(&c.Released, n.Released)
	setT(&c.Security, n.Security)
	setT(&c.EOL, n.EOL)
	setT(&c.Extended, n.Extended)
	setS(&c.Codename, n.Codename)
	setS(&c.ExtendedName, n.ExtendedName)
	setS(&c.Latest, n.Latest)
	setS(&c.Note, n.Note)
	setS(&c.EndOfLifeName, n.EndOfLifeName)
	setS(&c.AsOf, n.AsOf)
	setS(&c.Source, n.Source)
	// An import from a published feed checks what it sets: its dates replace unchecked ones.
	c.Unchecked = n.Unchecked
	if len(n.Ships) > 0 {
		c.Ships = n.Ships
	}
}

func (kb *KB) mergeVuln(vd vulnDoc, at func(string, ...string) error) error {
	p := kb.products[vd.Product]
	if p == nil {
		return at(fmt.Sprintf("unknown product %q", vd.Product), "product")
	}
	for i, r := range vd.Affected {
		for field, v := range map[string]string{"introduced": r.Introduced, "fixed": r.Fixed, "last_affected": r.LastAffected} {
			if v == "" || v == "0" && field == "introduced" {
				continue
			}
			if _, err := ParseVersion(p.Versioning, v); err != nil {
				return at(err.Error(), "affected", strconv.Itoa(i), field)
			}
		}
	}
	for i, d := range vd.Distros {
		dp := kb.products[d.Distro]
		if dp == nil || !dp.Distribution {
			return at(fmt.Sprintf("unknown distribution %q", d.Distro), "distros", strconv.Itoa(i), "distro")
		}
		if dp.findCycle(d.Release) == nil {
			return at(fmt.Sprintf("%s has no release %q in the knowledge base", dp.Name, d.Release), "distros", strconv.Itoa(i), "release")
		}
		if d.Fixed != "" {
			if _, err := ParseVersion(dp.Versioning, d.Fixed); err != nil {
				return at(err.Error(), "distros", strconv.Itoa(i), "fixed")
			}
		} else if d.Status != "not-affected" {
			return at("a distribution entry needs fixed or status: not-affected", "distros", strconv.Itoa(i))
		}
	}
	v := kb.vulns[vd.ID]
	if v == nil {
		v = &Vuln{ID: vd.ID}
		kb.vulns[vd.ID] = v
	} else if v.Product != vd.Product {
		return at(fmt.Sprintf("%s is already recorded for product %q", vd.ID, v.Product), "product")
	}
	v.Product = vd.Product
	if vd.Title != "" {
		v.Title = vd.Title
	}
	if vd.CVSS > 0 {
		v.CVSS, v.Vector = vd.CVSS, vd.Vector
	}
	if vd.Published != "" {
		v.Published = day(vd.Published)
	}
	if vd.Condition != "" {
		v.Condition = vd.Condition
	}
	if vd.Platform != "" {
		v.Platform = vd.Platform
	}
	if vd.Requires != "" {
		v.Requires = vd.Requires
	}
	if len(vd.Affected) > 0 {
		v.Affected = vd.Affected
	}
	for _, d := range vd.Distros {
		replaced := false
		for i, old := range v.Distros {
			if old.Distro == d.Distro && old.Release == d.Release {
				v.Distros[i], replaced = d, true
			}
		}
		if !replaced {
			v.Distros = append(v.Distros, d)
		}
	}
	for _, r := range vd.References {
		if !containsFold(v.References, r) {
			v.References = append(v.References, r)
		}
	}
	return nil
}

func containsFold(ss []string, s string) bool {
	for _, x := range ss {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// Sources lists the files the knowledge base was built from, embedded first.
func (kb *KB) Sources() []Source { return kb.sources }

// Product returns a product or distribution by ID.
func (kb *KB) Product(id string) *Product { return kb.products[id] }

// Lookup finds a product by ID or by a name banners use (case-insensitive).
func (kb *KB) Lookup(name string) *Product {
	return kb.aliases[strings.ToLower(strings.TrimSpace(name))]
}

// Vulns returns the vulnerabilities recorded for a product, by ID.
func (kb *KB) Vulns(product string) []*Vuln { return kb.byProd[product] }

// Vuln returns a vulnerability by ID.
func (kb *KB) Vuln(id string) *Vuln { return kb.vulns[id] }

// KEV returns the CISA KEV entry of a CVE.
func (kb *KB) KEV(cve string) (KEV, bool) {
	k, ok := kb.kev[cve]
	return k, ok
}

// Distributions returns every distribution and platform in file order.
func (kb *KB) Distributions() []*Product {
	var out []*Product
	for _, p := range kb.order {
		if p.Distribution {
			out = append(out, p)
		}
	}
	return out
}

// Products returns every product in file order.
func (kb *KB) Products() []*Product { return kb.order }

// Snapshot is the newest date of the embedded files and the newest of the imported ones: what a
// report prints as the knowledge base's age.
func (kb *KB) Snapshot() (embedded, imported string) {
	for _, s := range kb.sources {
		if s.Origin == OriginEmbedded && s.Date > embedded {
			embedded = s.Date
		}
		if s.Origin == OriginImported && s.Date > imported {
			imported = s.Date
		}
	}
	return embedded, imported
}

func (p *Product) findCycle(name string) *Cycle {
	k := cycleKey(name)
	for _, c := range p.Cycles {
		ck := c.key // set when the cycle is built: merging compares every cycle with every other
		if ck == "" {
			ck = cycleKey(c.Cycle)
		}
		if ck == k {
			return c
		}
	}
	return nil
}

// cycleKey compares cycle names as vendors and endoflife.date write them: "2012 R2" and
// "2012-r2", "11" and "11.0" are one cycle.
func cycleKey(s string) string {
	s = strings.ToLower(strings.NewReplacer(" ", "", "-", "", "_", "").Replace(s))
	return strings.TrimSuffix(s, ".0")
}

// Release returns a distribution's release by name ("12", "22.04").
func (p *Product) Release(name string) *Cycle { return p.findCycle(name) }

// CycleFor returns the release cycle a version belongs to: the cycle whose version prefix matches
// it on a component boundary ("1.2" does not match "1.22.1") within its min/max bounds, the
// longest such prefix winning.
func (p *Product) CycleFor(version string) *Cycle {
	v, err := ParseVersion(p.Versioning, version)
	if err != nil {
		return nil
	}
	var best *Cycle
	bestLen := -1
	for _, c := range p.Cycles {
		prefix := c.Versions
		if prefix == "" {
			prefix = c.Cycle
		}
		if !versionHasPrefix(version, prefix) {
			continue
		}
		if c.Min != "" && v.Compare(MustVersion(p.Versioning, c.Min)) < 0 {
			continue
		}
		if c.Max != "" && v.Compare(MustVersion(p.Versioning, c.Max)) >= 0 {
			continue
		}
		l := len(prefix)
		if c.Min != "" || c.Max != "" {
			l++ // a bounded cycle is more specific than its unbounded sibling
		}
		if l > bestLen {
			best, bestLen = c, l
		}
	}
	return best
}

// versionHasPrefix reports whether version starts with prefix at a component boundary: the next
// character is not a digit ("1.22" matches "1.22.1" and "1.0.2" matches "1.0.2k"; "1.2" does not
// match "1.22").
func versionHasPrefix(version, prefix string) bool {
	version = strings.TrimPrefix(strings.ToLower(version), "v")
	prefix = strings.ToLower(prefix)
	if !strings.HasPrefix(version, prefix) {
		return false
	}
	rest := version[len(prefix):]
	return rest == "" || rest[0] < '0' || rest[0] > '9'
}

// Support is where a release stands in its life cycle on a given day.
type Support string

const (
	Supported    Support = "supported"     // regular security support
	LTS          Support = "lts"           // past regular support, in a free extension (Debian LTS)
	ExtendedPaid Support = "extended"      // past free support; paid extended support still runs
	EndOfLife    Support = "end-of-life"   // no security support of any kind
	NotAnnounced Support = "not-announced" // the snapshot records no end date
	Unknown      Support = "unknown"
)

// Status is the cycle's support on day now.
func (c *Cycle) Status(now time.Time) Support {
	switch {
	case c.EOL.IsZero():
		return NotAnnounced
	case now.Before(c.EOL) && !c.Security.IsZero() && !now.Before(c.Security):
		return LTS
	case now.Before(c.EOL):
		return Supported
	case !c.Extended.IsZero() && now.Before(c.Extended):
		return ExtendedPaid
	}
	return EndOfLife
}

// SupportedCycles returns the cycles still supported on day now (newest last), as remediation
// names them.
func (p *Product) SupportedCycles(now time.Time) []*Cycle {
	var out []*Cycle
	for _, c := range p.Cycles {
		if !c.Released.IsZero() && c.Released.After(now) {
			continue
		}
		if s := c.Status(now); s == Supported || s == LTS || s == NotAnnounced && !c.Released.IsZero() {
			out = append(out, c)
		}
	}
	return out
}
