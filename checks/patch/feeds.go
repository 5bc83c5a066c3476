package patch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/telesra/telesra/templates/datafile"
)

// FeedKind is a feed format `telesra feeds import` understands.
type FeedKind string

const (
	FeedKEV       FeedKind = "kev"       // CISA's known_exploited_vulnerabilities.json
	FeedEndOfLife FeedKind = "endoflife" // an endoflife.date API export (v0 list or v1 product)
	FeedOSV       FeedKind = "osv"       // OSV records: one, a list, or an osv.dev {"vulns": [...]} answer
)

// FeedKinds lists the accepted kinds, for help and errors.
var FeedKinds = []FeedKind{FeedKEV, FeedEndOfLife, FeedOSV}

// ImportOptions tune an import.
type ImportOptions struct {
	Kind    FeedKind  // "" detects it from the content
	Product string    // endoflife.date product name for v0 exports ("" from the file name)
	Now     time.Time // recorded as imported_at
	// Write stores the knowledge-base copy: the caller's one atomic 0600 writer (telesra's
	// workspace package), so this package never writes a file its own way.
	Write func(path string, data []byte) error
}

// ImportResult says what an import changed.
type ImportResult struct {
	Kind    FeedKind `json:"kind"`
	Path    string   `json:"path"`    // the knowledge-base copy written
	Entries int      `json:"entries"` // entries kept
	Skipped int      `json:"skipped"` // entries that name nothing telesra can judge
	Summary string   `json:"summary"`
}

// kevSchema encodes CISA's published schema of the KEV catalog.
const kevSchema = "kev-catalog.schema.json"

// maxFeedBytes bounds a feed: CISA's catalog is about 1.5 MB, an endoflife.date product a few KB.
const maxFeedBytes = 64 << 20

// feedError is bad input in a feed, as a FileError so the CLI exits 2 and names file:line.
func feedError(file string, line, col int, format string, args ...any) error {
	return &datafile.FileError{File: file, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// ImportFeed validates a downloaded feed and writes it, converted, into the knowledge-base
// directory dir. Nothing is written unless the whole feed is valid and the knowledge base it
// yields loads: a malformed or truncated download leaves the existing copy untouched.
func ImportFeed(dir, file string, data []byte, o ImportOptions) (*ImportResult, error) {
	if dir == "" {
		return nil, errors.New("feeds import: no knowledge-base directory")
	}
	if len(data) > maxFeedBytes {
		return nil, feedError(file, 0, 0, "larger than %d MiB: not a feed", maxFeedBytes>>20)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, feedError(file, 1, 0, "file is empty")
	}
	var top any
	_, page := frontMatter(data)
	if page {
		if o.Kind != "" && o.Kind != FeedEndOfLife {
			return nil, feedError(file, 1, 1, "an endoflife.date product page, not a %s feed", o.Kind)
		}
		top = map[string]any{}
	} else if err := json.Unmarshal(data, &top); err != nil {
		return nil, jsonError(file, data, err)
	}
	kind := o.Kind
	if page {
		kind = FeedEndOfLife
	}
	if kind == "" {
		kind = detectFeed(top)
		if kind == "" {
			return nil, feedError(file, 1, 1, "not a CISA KEV catalog, an endoflife.date export or OSV records")
		}
	}
	// A YAML tree of the same JSON gives line numbers for errors inside records.
	root, _ := datafile.ParseYAML(file, yamlSafeJSON(data))
	pos := func(path ...string) (int, int) {
		if root == nil {
			return 0, 0
		}
		n := root
		if len(path) > 0 {
			if n = datafile.Locate(root, path...); n == nil {
				return 0, 0
			}
		}
		return n.Line, n.Column
	}
	base, err := LoadKB("")
	if err != nil {
		return nil, err
	}
	imported := o.Now.UTC().Format(time.RFC3339)
	abs := file
	if !strings.Contains(file, "://") {
		abs, _ = filepath.Abs(file)
	}
	var (
		doc  kbDoc
		name string
		res  = &ImportResult{Kind: kind}
	)
	switch kind {
	case FeedKEV:
		// CISA's published schema first: a catalog that does not follow it is not CISA's.
		if root == nil {
			return nil, feedError(file, 0, 0, "not a JSON document")
		}
		if err := datafile.ValidateNode(file, root, kevSchema); err != nil {
			return nil, firstFileError(err)
		}
		doc, err = convertKEV(file, data, pos)
		name = "kev.yaml"
	case FeedEndOfLife:
		var product *Product
		doc, product, err = convertEndOfLife(base, file, data, o.Product, pos)
		if product != nil {
			name = "eol-" + product.ID + ".yaml"
		}
	case FeedOSV:
		doc, res.Skipped, err = convertOSV(base, file, top, pos)
		name = "osv.yaml"
		if err == nil {
			doc, err = mergeOSV(filepath.Join(dir, name), doc)
		}
	default:
		return nil, fmt.Errorf("feeds import: unknown kind %q (want %s)", kind, joinKinds())
	}
	if err != nil {
		return nil, err
	}
	doc.Snapshot.ImportedFrom, doc.Snapshot.ImportedAt = abs, imported
	out, err := marshalKB(doc)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, name)

	// The knowledge base as it will be after the import must load, or nothing is written.
	files, err := embeddedFiles()
	if err != nil {
		return nil, err
	}
	existing, err := userFiles(dir)
	if err != nil {
		return nil, err
	}
	for _, f := range existing {
		if f.name != path {
			files = append(files, f)
		}
	}
	kb, err := buildKB(append(files, kbFile{name: path, origin: OriginImported, data: out}))
	if err != nil {
		return nil, fmt.Errorf("feeds import: %s would not load: %w", file, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("feeds import: %w", err)
	}
	if o.Write == nil {
		return nil, errors.New("feeds import: no writer given")
	}
	if err := o.Write(path, out); err != nil {
		return nil, fmt.Errorf("feeds import: %w", err)
	}
	res.Path = path
	for _, s := range kb.Sources() {
		if s.File == path {
			res.Entries = s.Entries
		}
	}
	res.Summary = fmt.Sprintf("%s (%s): %d entries", doc.Snapshot.Name, doc.Snapshot.Date, res.Entries)
	if res.Skipped > 0 {
		res.Summary += fmt.Sprintf(", %d skipped (no product or release telesra knows)", res.Skipped)
	}
	return res, nil
}

func joinKinds() string {
	var s []string
	for _, k := range FeedKinds {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}

// jsonError turns a JSON syntax error into file:line:column; a download cut short says so.
func jsonError(file string, data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	off := int64(-1)
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 {
		return feedError(file, 0, 0, "not JSON: %v", err)
	}
	line, col := 1, 1
	for _, b := range data[:min(int(off), len(data))] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	msg := err.Error()
	if strings.Contains(msg, "unexpected end of JSON input") {
		msg = "the file ends in the middle of the JSON document (truncated download?)"
	}
	return feedError(file, line, col, "%s", msg)
}

// detectFeed recognises a feed by its shape.
func detectFeed(top any) FeedKind {
	switch v := top.(type) {
	case map[string]any:
		if _, ok := v["vulnerabilities"]; ok {
			if _, ok := v["catalogVersion"]; ok {
				return FeedKEV
			}
		}
		if r, ok := v["result"].(map[string]any); ok {
			if _, ok := r["releases"]; ok {
				return FeedEndOfLife
			}
		}
		if _, ok := v["vulns"]; ok {
			return FeedOSV
		}
		if _, ok := v["id"]; ok {
			if _, ok := v["affected"]; ok {
				return FeedOSV
			}
			if _, ok := v["modified"]; ok {
				return FeedOSV
			}
		}
	case []any:
		if len(v) == 0 {
			return ""
		}
		if first, ok := v[0].(map[string]any); ok {
			if _, ok := first["cycle"]; ok {
				return FeedEndOfLife
			}
			if _, ok := first["id"]; ok {
				return FeedOSV
			}
		}
	}
	return ""
}

var (
	cveRE  = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,}$`)
	cveAny = regexp.MustCompile(`CVE-[0-9]{4}-[0-9]{4,}`)
)

// --- CISA KEV ---

type kevCatalog struct {
	Title           string     `json:"title"`
	CatalogVersion  string     `json:"catalogVersion"`
	DateReleased    string     `json:"dateReleased"`
	Count           *int       `json:"count"`
	Vulnerabilities []kevEntry `json:"vulnerabilities"`
}

type kevEntry struct {
	CveID                      string `json:"cveID"`
	VendorProject              string `json:"vendorProject"`
	Product                    string `json:"product"`
	VulnerabilityName          string `json:"vulnerabilityName"`
	DateAdded                  string `json:"dateAdded"`
	DueDate                    string `json:"dueDate"`
	KnownRansomwareCampaignUse string `json:"knownRansomwareCampaignUse"`
}

func convertKEV(file string, data []byte, pos func(...string) (int, int)) (kbDoc, error) {
	var c kevCatalog
	if err := json.Unmarshal(data, &c); err != nil {
		return kbDoc{}, jsonError(file, data, err)
	}
	l, col := pos()
	switch {
	case c.CatalogVersion == "":
		return kbDoc{}, feedError(file, l, col, "catalogVersion is missing: not a CISA KEV catalog")
	case len(c.Vulnerabilities) == 0:
		return kbDoc{}, feedError(file, l, col, "the catalog has no vulnerabilities")
	case c.Count != nil && *c.Count != len(c.Vulnerabilities):
		l, col = pos("count")
		return kbDoc{}, feedError(file, l, col, "count says %d entries but the file has %d (truncated or edited download?)", *c.Count, len(c.Vulnerabilities))
	}
	released, err := feedDate(c.DateReleased)
	if err != nil {
		l, col = pos("dateReleased")
		return kbDoc{}, feedError(file, l, col, "dateReleased %q: %v", c.DateReleased, err)
	}
	doc := kbDoc{Snapshot: snapshotDoc{
		Name:    "CISA Known Exploited Vulnerabilities catalog " + c.CatalogVersion,
		Date:    released,
		Sources: []string{"https://www.cisa.gov/known-exploited-vulnerabilities-catalog"},
	}}
	seen := map[string]int{}
	for i, e := range c.Vulnerabilities {
		at := func(field string) (int, int) { return pos("vulnerabilities", strconv.Itoa(i), field) }
		if !cveRE.MatchString(e.CveID) {
			l, col := at("cveID")
			return kbDoc{}, feedError(file, l, col, "vulnerabilities[%d].cveID %q is not a CVE ID", i, e.CveID)
		}
		if j, dup := seen[e.CveID]; dup {
			l, col := at("cveID")
			return kbDoc{}, feedError(file, l, col, "%s listed twice (entries %d and %d)", e.CveID, j, i)
		}
		seen[e.CveID] = i
		added, err := feedDate(e.DateAdded)
		if err != nil {
			l, col := at("dateAdded")
			return kbDoc{}, feedError(file, l, col, "%s dateAdded %q: %v", e.CveID, e.DateAdded, err)
		}
		due := ""
		if e.DueDate != "" {
			if due, err = feedDate(e.DueDate); err != nil {
				l, col := at("dueDate")
				return kbDoc{}, feedError(file, l, col, "%s dueDate %q: %v", e.CveID, e.DueDate, err)
			}
		}
		doc.KEV = append(doc.KEV, kevDoc{CVE: e.CveID, Vendor: e.VendorProject, Product: e.Product, Name: e.VulnerabilityName,
			DateAdded: added, Due: due, Ransomware: e.KnownRansomwareCampaignUse})
	}
	return doc, nil
}

// feedDate reads the dates feeds use ("2024-07-01", "2024-07-01T15:00:59.6015Z") as YYYY-MM-DD.
func feedDate(s string) (string, error) {
	if len(s) >= 10 {
		if t, err := time.Parse(time.DateOnly, s[:10]); err == nil && (len(s) == 10 || s[10] == 'T' || s[10] == ' ') {
			return t.Format(time.DateOnly), nil
		}
	}
	return "", errors.New("want a date like 2024-07-01")
}

// firstFileError keeps the first of a schema's errors (with how many followed) so the caller
// gets one file:line to fix, as for every other bad feed.
func firstFileError(err error) error {
	var fes datafile.FileErrors
	if !errors.As(err, &fes) || len(fes) == 0 {
		return err
	}
	first := *fes[0]
	if len(fes) > 1 {
		first.Msg += fmt.Sprintf(" (and %d more errors)", len(fes)-1)
	}
	return &first
}

// yamlSafeJSON rewrites JSON's escaped solidus (`\/`, which CISA's catalog uses in every URL) as
// "/": YAML has no such escape, and the YAML tree only serves line numbers. Lines do not move.
func yamlSafeJSON(data []byte) []byte {
	if !bytes.Contains(data, []byte(`\/`)) {
		return data
	}
	out := make([]byte, 0, len(data))
	for i := 0; i < len(data); i++ {
		if data[i] == '\\' && i+1 < len(data) {
			if data[i+1] != '/' {
				out = append(out, data[i])
			}
			out = append(out, data[i+1])
			i++
			continue
		}
		out = append(out, data[i])
	}
	return out
}
