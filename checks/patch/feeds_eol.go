package patch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/telesra/telesra/templates/datafile"
)

// endoflife.date documents: the v0 API list, the v1 API product document, and the product page
// (Markdown with YAML front matter) the API is generated from.

// eolField is endoflife.date's date-or-boolean field.
type eolField struct {
	date string
	set  bool // true: a boolean true without a date (already ended / yes)
}

func (f *eolField) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch x := v.(type) {
	case nil, bool:
		f.set = x == true
	case string:
		d, err := feedDate(x)
		if err != nil {
			return fmt.Errorf("%q: %w", x, err)
		}
		f.date = d
	default:
		return fmt.Errorf("want a date or a boolean, got %s", b)
	}
	return nil
}

// eolCycleName accepts the cycle as a string or a number (endoflife.date uses both).
type eolCycleName string

func (c *eolCycleName) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch x := v.(type) {
	case string:
		*c = eolCycleName(x)
	case float64:
		*c = eolCycleName(strings.Trim(string(b), `"`))
	default:
		return fmt.Errorf("cycle: want a string or a number, got %s", b)
	}
	return nil
}

type eolV0 struct {
	Cycle           eolCycleName `json:"cycle"`
	Codename        *string      `json:"codename"`
	ReleaseDate     eolField     `json:"releaseDate"`
	Support         eolField     `json:"support"`
	EOL             eolField     `json:"eol"`
	ExtendedSupport eolField     `json:"extendedSupport"`
	Latest          any          `json:"latest"`
	latestDate      string       // the page's latestReleaseDate
}

type eolV1 struct {
	SchemaVersion string `json:"schema_version"`
	GeneratedAt   string `json:"generated_at"`
	Result        struct {
		Name     string `json:"name"`
		Label    string `json:"label"`
		Releases []struct {
			Name        eolCycleName `json:"name"`
			Codename    *string      `json:"codename"`
			ReleaseDate eolField     `json:"releaseDate"`
			EOASFrom    eolField     `json:"eoasFrom"`
			EOLFrom     eolField     `json:"eolFrom"`
			EOESFrom    eolField     `json:"eoesFrom"`
			Latest      *struct {
				Name string `json:"name"`
			} `json:"latest"`
		} `json:"releases"`
	} `json:"result"`
}

func convertEndOfLife(kb *KB, file string, data []byte, product string, pos func(...string) (int, int)) (kbDoc, *Product, error) {
	var cycles []eolV0
	date := ""
	l, col := pos()
	trimmed := bytes.TrimSpace(data)
	if page, ok := frontMatter(data); ok {
		name, cs, err := parseEndOfLifePage(file, page)
		if err != nil {
			return kbDoc{}, nil, err
		}
		cycles = cs
		if product == "" {
			product = name
		}
		// A page carries no generation date; its newest release or latest-release day dates it.
		for _, c := range cs {
			date = max(date, c.ReleaseDate.date, c.latestDate)
		}
	} else if trimmed[0] == '[' {
		if err := json.Unmarshal(data, &cycles); err != nil {
			return kbDoc{}, nil, jsonError(file, data, err)
		}
		if product == "" {
			// The API serves /api/nginx.json; people save it as nginx.json or endoflife-nginx.json.
			product = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
			product = strings.TrimPrefix(strings.TrimPrefix(product, "endoflife-"), "endoflife_")
		}
	} else {
		var v1 eolV1
		if err := json.Unmarshal(data, &v1); err != nil {
			return kbDoc{}, nil, jsonError(file, data, err)
		}
		if product == "" {
			product = v1.Result.Name
		}
		if d, err := feedDate(v1.GeneratedAt); err == nil {
			date = d
		}
		for _, r := range v1.Result.Releases {
			c := eolV0{Cycle: r.Name, Codename: r.Codename, ReleaseDate: r.ReleaseDate, Support: r.EOASFrom, EOL: r.EOLFrom, ExtendedSupport: r.EOESFrom}
			if r.Latest != nil {
				c.Latest = r.Latest.Name
			}
			cycles = append(cycles, c)
		}
	}
	var p *Product
	for _, cand := range kb.Products() {
		if cand.EndOfLife != "" && strings.EqualFold(cand.EndOfLife, product) || cand.ID == strings.ToLower(product) {
			p = cand
		}
	}
	if p == nil {
		var known []string
		for _, cand := range kb.Products() {
			if cand.EndOfLife != "" {
				known = append(known, cand.EndOfLife)
			}
		}
		sort.Strings(known)
		return kbDoc{}, nil, feedError(file, l, col, "endoflife.date product %q is not one telesra fingerprints (give --product; known: %s)",
			product, strings.Join(known, ", "))
	}
	if len(cycles) == 0 {
		return kbDoc{}, nil, feedError(file, l, col, "the export lists no release cycles")
	}
	pd := productDoc{ID: p.ID, Name: p.Name}
	seen := map[string]bool{}
	for i, c := range cycles {
		name := strings.TrimSpace(string(c.Cycle))
		if name == "" {
			l, col := pos(strconv.Itoa(i))
			return kbDoc{}, nil, feedError(file, l, col, "release %d has no cycle name", i)
		}
		if seen[cycleKey(name)] {
			l, col := pos(strconv.Itoa(i))
			return kbDoc{}, nil, feedError(file, l, col, "cycle %q listed twice", name)
		}
		seen[cycleKey(name)] = true
		cd := cycleDoc{Cycle: name, Released: c.ReleaseDate.date}
		if c.Codename != nil {
			cd.Codename = *c.Codename
		}
		if s, ok := c.Latest.(string); ok {
			if _, err := ParseVersion(p.Versioning, s); err == nil && !p.Distribution {
				cd.Latest = s
			}
		}
		// endoflife.date's "eol" is the end of security support; for a product whose extended
		// support is free (Debian LTS) that extension is the real end.
		if p.FreeExtended && c.ExtendedSupport.date != "" {
			cd.Security, cd.EOL = c.EOL.date, c.ExtendedSupport.date
		} else {
			cd.EOL, cd.Extended = c.EOL.date, c.ExtendedSupport.date
		}
		if cd.EOL == "" && c.EOL.set {
			// Ended, date unknown: its release date is the only safe bound (never "supported").
			if cd.Released == "" {
				continue
			}
			cd.EOL, cd.Note = cd.Released, "endoflife.date marks it ended without a date"
		}
		if cd.Extended != "" && cd.EOL != "" && cd.Extended < cd.EOL {
			cd.Extended = ""
		}
		pd.Cycles = append(pd.Cycles, cd)
	}
	// Oldest first, as the embedded files list them.
	sort.SliceStable(pd.Cycles, func(i, j int) bool { return pd.Cycles[i].Released < pd.Cycles[j].Released })
	if date == "" {
		for _, c := range pd.Cycles {
			date = max(date, c.Released)
		}
	}
	if date == "" {
		date = time.Now().UTC().Format(time.DateOnly)
	}
	return kbDoc{
		Snapshot: snapshotDoc{Name: "endoflife.date: " + p.Name, Date: date, Sources: []string{"https://endoflife.date/" + strings.ToLower(product)}},
		Products: []productDoc{pd},
	}, p, nil
}

// frontMatter returns the YAML front matter of an endoflife.date product page ("---" lines
// around it), and false when data is not such a page.
func frontMatter(data []byte) ([]byte, bool) {
	data = bytes.TrimLeft(data, "\ufeff")
	if !bytes.HasPrefix(data, []byte("---\n")) && !bytes.HasPrefix(data, []byte("---\r\n")) {
		return nil, false
	}
	rest := data[bytes.IndexByte(data, '\n')+1:]
	for off := 0; off < len(rest); {
		nl := bytes.IndexByte(rest[off:], '\n')
		line := rest[off:]
		if nl >= 0 {
			line = rest[off : off+nl]
		}
		if string(bytes.TrimRight(line, "\r")) == "---" {
			// Keep the leading "---" line's place so YAML line numbers are the page's.
			return append([]byte("\n"), rest[:off]...), true
		}
		if nl < 0 {
			break
		}
		off += nl + 1
	}
	return nil, false
}

// eolPage is the part of an endoflife.date product page's front matter the import reads.
type eolPage struct {
	Title     string `yaml:"title"`
	Permalink string `yaml:"permalink"`
	Releases  []struct {
		ReleaseCycle      string `yaml:"releaseCycle"`
		Codename          string `yaml:"codename"`
		ReleaseDate       any    `yaml:"releaseDate"`
		EOAS              any    `yaml:"eoas"`
		EOL               any    `yaml:"eol"`
		EOES              any    `yaml:"eoes"`
		Latest            string `yaml:"latest"`
		LatestReleaseDate any    `yaml:"latestReleaseDate"`
	} `yaml:"releases"`
}

// parseEndOfLifePage reads a product page's front matter into the API's cycle shape.
func parseEndOfLifePage(file string, front []byte) (string, []eolV0, error) {
	root, err := datafile.ParseYAML(file, front)
	if err != nil {
		return "", nil, err
	}
	var page eolPage
	if err := root.Decode(&page); err != nil {
		return "", nil, feedError(file, root.Line, root.Column, "front matter: %v", err)
	}
	if len(page.Releases) == 0 {
		return "", nil, feedError(file, 1, 1, "the page's front matter lists no releases: not an endoflife.date product page")
	}
	// The repository names pages by product ID (vmware-esxi.md), which the knowledge base maps;
	// the permalink (/esxi) is only the site's path. A page saved under another name falls back
	// to the permalink.
	name := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	if filepath.Ext(file) != ".md" || strings.Contains(name, "://") {
		name = strings.Trim(page.Permalink, "/")
	}
	var out []eolV0
	for i, r := range page.Releases {
		at := func(field string) error {
			n := datafile.Locate(root, "releases", strconv.Itoa(i), field)
			l, c := 0, 0
			if n != nil {
				l, c = n.Line, n.Column
			}
			return feedError(file, l, c, "releases[%d].%s: want a date or a boolean", i, field)
		}
		c := eolV0{Cycle: eolCycleName(r.ReleaseCycle)}
		if r.Codename != "" {
			cn := r.Codename
			c.Codename = &cn
		}
		for _, f := range []struct {
			field string
			v     any
			dst   *eolField
		}{{"releaseDate", r.ReleaseDate, &c.ReleaseDate}, {"eoas", r.EOAS, &c.Support}, {"eol", r.EOL, &c.EOL}, {"eoes", r.EOES, &c.ExtendedSupport}} {
			ef, ok := pageField(f.v)
			if !ok {
				return "", nil, at(f.field)
			}
			*f.dst = ef
		}
		if r.Latest != "" {
			c.Latest = r.Latest
		}
		if ld, ok := pageField(r.LatestReleaseDate); ok {
			c.latestDate = ld.date
		}
		out = append(out, c)
	}
	return name, out, nil
}

// pageField reads a front-matter date-or-boolean (YAML gives dates as time.Time).
func pageField(v any) (eolField, bool) {
	switch x := v.(type) {
	case nil:
		return eolField{}, true
	case bool:
		return eolField{set: x}, true
	case time.Time:
		return eolField{date: x.Format(time.DateOnly)}, true
	case string:
		d, err := feedDate(x)
		return eolField{date: d}, err == nil
	}
	return eolField{}, false
}
