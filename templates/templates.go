// Package templates holds telesra's embedded data (JSON Schemas, the HIPAA citation table, the
// knowledge base, nuclei templates) and the one way every YAML input file is read: parsed,
// checked against its schema, and reported with file:line:column when it is wrong.
package templates

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"
)

//go:embed schemas/*.json hipaa/*.yaml kb/*.yaml risk/*.yaml nuclei
var files embed.FS

// NucleiDir is the directory of the embedded FS holding telesra's nuclei templates (run by the
// web family, which is the only package that imports nuclei).
const NucleiDir = "nuclei"

// FS returns the embedded data files (read-only).
func FS() fs.FS { return files }

// ReadFile returns one embedded file by its path inside templates/.
func ReadFile(name string) ([]byte, error) { return files.ReadFile(name) }

// Citation is one standard or implementation specification of the HIPAA Security Rule.
type Citation struct {
	Citation  string `yaml:"citation" json:"citation"`
	Name      string `yaml:"name" json:"name"`
	Kind      string `yaml:"kind" json:"kind"` // standard, required, addressable
	Safeguard string `yaml:"safeguard" json:"safeguard"`
	Standard  string `yaml:"standard" json:"standard"` // the standard this specification belongs to
}

// Label is the citation with its kind, as printed in reports: "164.312(e)(1) (standard)".
func (c Citation) Label() string {
	switch c.Kind {
	case "required":
		return c.Citation + " (R)"
	case "addressable":
		return c.Citation + " (A)"
	}
	return c.Citation + " (S)"
}

var citations = sync.OnceValues(func() ([]Citation, error) {
	data, err := files.ReadFile("hipaa/citations.yaml")
	if err != nil {
		return nil, err
	}
	var doc struct {
		Citations []Citation `yaml:"citations"`
	}
	if err := DecodeYAML("templates/hipaa/citations.yaml", data, "citations.schema.json", &doc); err != nil {
		return nil, err
	}
	return doc.Citations, nil
})

// Citations returns the Security Rule table in regulation order.
func Citations() []Citation {
	c, err := citations()
	if err != nil {
		// The table is embedded and tested; failing to read it is a build defect.
		panic(fmt.Sprintf("embedded HIPAA citation table: %v", err))
	}
	return c
}

// LookupCitation finds a citation such as "164.312(e)(1)".
func LookupCitation(s string) (Citation, bool) {
	for _, c := range Citations() {
		if c.Citation == s {
			return c, true
		}
	}
	return Citation{}, false
}

// UnknownCitations returns those of cs that are not in the Security Rule table, sorted.
func UnknownCitations(cs []string) []string {
	var out []string
	for _, c := range cs {
		if _, ok := LookupCitation(c); !ok {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// SchemaNames lists the embedded JSON Schemas.
func SchemaNames() []string {
	entries, _ := fs.ReadDir(files, "schemas")
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// SchemaJSON returns the raw text of an embedded schema, for documentation and for tools that
// validate our outputs.
func SchemaJSON(name string) ([]byte, error) {
	if strings.Contains(name, "/") {
		return nil, fmt.Errorf("schema %q: no such schema", name)
	}
	return files.ReadFile("schemas/" + name)
}
