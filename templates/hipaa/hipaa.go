// Package hipaa is the HIPAA Security Rule citation table (45 CFR 164 Subpart C, embedded from
// citations.yaml beside this file): every standard and implementation specification, with its
// kind (standard, required, addressable).
package hipaa

import (
	_ "embed"
	"fmt"
	"sort"
	"sync"

	"github.com/telesra/telesra/templates/datafile"
)

//go:embed citations.yaml
var citationsYAML []byte

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
	var doc struct {
		Citations []Citation `yaml:"citations"`
	}
	if err := datafile.DecodeYAML("templates/hipaa/citations.yaml", citationsYAML, "citations.schema.json", &doc); err != nil {
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
