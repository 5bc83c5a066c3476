package patch

// OSV records (osv.dev) with the fixed package versions of Debian, Ubuntu and the RHEL family,
// converted into the knowledge base's distribution fixes.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/telesra/telesra/templates/datafile"

	cvss30 "github.com/pandatix/go-cvss/30"
	cvss31 "github.com/pandatix/go-cvss/31"
	cvss40 "github.com/pandatix/go-cvss/40"
	"go.yaml.in/yaml/v3"
)

// osvRecord is the part of an OSV record the import reads.
type osvRecord struct {
	ID       string   `json:"id"`
	Modified string   `json:"modified"`
	Aliases  []string `json:"aliases"`
	Upstream []string `json:"upstream"`
	Summary  string   `json:"summary"`
	Details  string   `json:"details"`
	Severity []struct {
		Type  string `json:"type"`
		Score string `json:"score"`
	} `json:"severity"`
	Affected []struct {
		Package struct {
			Ecosystem string `json:"ecosystem"`
			Name      string `json:"name"`
		} `json:"package"`
		Ranges []struct {
			Type   string              `json:"type"`
			Events []map[string]string `json:"events"`
		} `json:"ranges"`
	} `json:"affected"`
	References []struct {
		URL string `json:"url"`
	} `json:"references"`
}

func convertOSV(kb *KB, file string, top any, pos func(...string) (int, int)) (kbDoc, int, error) {
	var raw []any
	prefix := []string{}
	switch v := top.(type) {
	case []any:
		raw = v
	case map[string]any:
		if list, ok := v["vulns"].([]any); ok {
			raw, prefix = list, []string{"vulns"}
		} else {
			raw = []any{v}
			prefix = nil
		}
	}
	if len(raw) == 0 {
		l, c := pos()
		return kbDoc{}, 0, feedError(file, l, c, "no OSV records")
	}
	byID := map[string]*vulnDoc{}
	var order []string
	skipped := 0
	latest := ""
	for i, r := range raw {
		at := func(field ...string) (int, int) {
			p := append([]string{}, prefix...)
			if prefix != nil || len(raw) > 1 {
				p = append(p, strconv.Itoa(i))
			}
			return pos(append(p, field...)...)
		}
		b, _ := json.Marshal(r)
		var rec osvRecord
		if err := json.Unmarshal(b, &rec); err != nil {
			l, c := at()
			return kbDoc{}, 0, feedError(file, l, c, "record %d: %v", i, err)
		}
		if rec.ID == "" {
			l, c := at()
			return kbDoc{}, 0, feedError(file, l, c, "record %d has no id", i)
		}
		if rec.Modified != "" {
			d, err := feedDate(rec.Modified)
			if err != nil {
				l, c := at("modified")
				return kbDoc{}, 0, feedError(file, l, c, "%s modified %q: %v", rec.ID, rec.Modified, err)
			}
			latest = max(latest, d)
		}
		id := osvCVE(rec)
		cvss, vector := osvCVSS(rec)
		for j, a := range rec.Affected {
			d, release := osvDistro(kb, a.Package.Ecosystem)
			if d == nil {
				skipped++
				continue
			}
			product := d.Packages[a.Package.Name]
			if product == "" {
				if p := kb.Product(a.Package.Name); p != nil && !p.Distribution {
					product = p.ID
				}
			}
			if product == "" || kb.Product(product) == nil {
				skipped++
				continue
			}
			fixed := ""
			for _, rg := range a.Ranges {
				if rg.Type != "ECOSYSTEM" {
					continue
				}
				for _, ev := range rg.Events {
					if f := ev["fixed"]; f != "" {
						fixed = f
					}
				}
			}
			if fixed == "" {
				skipped++ // no fix yet: nothing a package version can be compared with
				continue
			}
			if _, err := ParseVersion(d.Versioning, fixed); err != nil {
				l, c := at("affected", strconv.Itoa(j))
				return kbDoc{}, 0, feedError(file, l, c, "%s: fixed version %q: %v", rec.ID, fixed, err)
			}
			vd := byID[id]
			if vd == nil {
				if existing := kb.Vuln(id); existing != nil && existing.Product != product {
					skipped++
					continue
				}
				vd = &vulnDoc{ID: id, Product: product, Title: osvTitle(rec), CVSS: cvss, Vector: vector}
				for _, ref := range rec.References {
					if strings.HasPrefix(ref.URL, "https://") && len(vd.References) < 5 {
						vd.References = append(vd.References, ref.URL)
					}
				}
				byID[id] = vd
				order = append(order, id)
			} else if vd.Product != product {
				skipped++
				continue
			}
			vd.Distros = append(vd.Distros, DistroFix{Distro: d.ID, Release: release, Fixed: fixed, Status: "fixed", Advisory: osvAdvisory(rec)})
		}
	}
	if len(order) == 0 {
		l, c := pos()
		return kbDoc{}, skipped, feedError(file, l, c, "none of the %d OSV records names a distribution package telesra knows "+
			"(Debian, Ubuntu, RHEL-family releases in the knowledge base, packages such as openssh, nginx, apache2/httpd, openssl, php)", len(raw))
	}
	if latest == "" {
		latest = time.Now().UTC().Format(time.DateOnly)
	}
	doc := kbDoc{Snapshot: snapshotDoc{Name: "OSV records (distribution fixes)", Date: latest, Sources: []string{"https://osv.dev"}}}
	for _, id := range order {
		doc.Vulnerabilities = append(doc.Vulnerabilities, *byID[id])
	}
	return doc, skipped, nil
}

// osvCVE names a record by its CVE when it has one: DSA-, USN- and DEBIAN-CVE- records describe
// the same flaw the knowledge base knows by CVE.
func osvCVE(r osvRecord) string {
	if cveRE.MatchString(r.ID) {
		return r.ID
	}
	for _, a := range append(append([]string{}, r.Upstream...), r.Aliases...) {
		if cveRE.MatchString(a) {
			return a
		}
	}
	if m := cveAny.FindString(r.ID); m != "" {
		return m
	}
	return r.ID
}

func osvAdvisory(r osvRecord) string {
	if !cveRE.MatchString(r.ID) {
		return r.ID
	}
	for _, a := range r.Aliases {
		if strings.HasPrefix(a, "DSA-") || strings.HasPrefix(a, "USN-") || strings.HasPrefix(a, "RHSA-") || strings.HasPrefix(a, "DLA-") {
			return a
		}
	}
	return ""
}

func osvTitle(r osvRecord) string {
	t := strings.TrimSpace(r.Summary)
	if t == "" {
		t = strings.TrimSpace(r.Details)
		if i := strings.IndexAny(t, "\r\n"); i >= 0 {
			t = t[:i]
		}
	}
	if t == "" {
		t = r.ID
	}
	if len(t) > 160 {
		t = t[:160] + "…"
	}
	return t
}

// osvCVSS computes the base score of the record's CVSS vector, newest version first.
func osvCVSS(r osvRecord) (float64, string) {
	for _, s := range r.Severity {
		switch {
		case strings.HasPrefix(s.Score, "CVSS:3.1/"):
			if v, err := cvss31.ParseVector(s.Score); err == nil {
				return v.BaseScore(), s.Score
			}
		case strings.HasPrefix(s.Score, "CVSS:3.0/"):
			if v, err := cvss30.ParseVector(s.Score); err == nil {
				return v.BaseScore(), s.Score
			}
		}
	}
	for _, s := range r.Severity {
		if strings.HasPrefix(s.Score, "CVSS:4.0/") {
			if v, err := cvss40.ParseVector(s.Score); err == nil {
				return v.Score(), s.Score
			}
		}
	}
	return 0, ""
}

var releaseNumRE = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// osvDistro maps an OSV ecosystem ("Debian:12", "Ubuntu:22.04:LTS", "Ubuntu:Pro:18.04:LTS",
// "AlmaLinux:9", "Rocky Linux:9", "Red Hat:enterprise_linux:9::appstream") to a distribution
// release the knowledge base knows.
func osvDistro(kb *KB, eco string) (*Product, string) {
	parts := strings.Split(eco, ":")
	d := kb.Lookup(parts[0])
	if d == nil || !d.Distribution {
		return nil, ""
	}
	for _, p := range parts[1:] {
		if releaseNumRE.MatchString(p) && d.Release(p) != nil {
			return d, d.Release(p).Cycle
		}
	}
	return nil, ""
}

// mergeOSV adds previously imported OSV fixes that this import does not replace: OSV imports
// accumulate (one file per advisory is common), KEV and endoflife imports replace.
func mergeOSV(path string, doc kbDoc) (kbDoc, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return doc, nil
	} else if err != nil {
		return kbDoc{}, fmt.Errorf("feeds import: %w", err)
	}
	var old kbDoc
	if err := yaml.Unmarshal(data, &old); err != nil {
		return kbDoc{}, &datafile.FileError{File: path, Msg: "existing OSV copy is unreadable: " + err.Error()}
	}
	byID := map[string]int{}
	for i, v := range doc.Vulnerabilities {
		byID[v.ID] = i
	}
	for _, v := range old.Vulnerabilities {
		i, ok := byID[v.ID]
		if !ok {
			doc.Vulnerabilities = append(doc.Vulnerabilities, v)
			continue
		}
		cur := &doc.Vulnerabilities[i]
		for _, od := range v.Distros {
			found := false
			for _, nd := range cur.Distros {
				if nd.Distro == od.Distro && nd.Release == od.Release {
					found = true
				}
			}
			if !found {
				cur.Distros = append(cur.Distros, od)
			}
		}
	}
	doc.Snapshot.Date = max(doc.Snapshot.Date, old.Snapshot.Date)
	return doc, nil
}
