package checks

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/telesra/telesra/templates/datafile"
)

// Suppression accepts findings, like a .trivyignore entry, but never silently: each one has a
// reason, an approver and an expiry, and an expired one stops suppressing and is reported.
type Suppression struct {
	ID         string `yaml:"id" json:"id,omitempty"`
	Check      string `yaml:"check" json:"check,omitempty"`
	Target     string `yaml:"target" json:"target,omitempty"`
	Reason     string `yaml:"reason" json:"reason"`
	Expires    string `yaml:"expires" json:"expires"`
	ApprovedBy string `yaml:"approved_by" json:"approved_by"`
	Source     Source `yaml:"-" json:"source"`

	expires  time.Time
	targetRE *regexp.Regexp
}

// Suppressions is a loaded suppressions file.
type Suppressions struct {
	File    string
	Entries []*Suppression
}

// ParseSuppressions validates a suppressions document; file names it in errors.
func ParseSuppressions(file string, data []byte) (*Suppressions, error) {
	root, err := datafile.ParseYAML(file, data)
	if err != nil {
		return nil, err
	}
	if err := datafile.ValidateNode(file, root, "ignore.schema.json"); err != nil {
		return nil, err
	}
	var doc struct {
		Suppressions []*Suppression `yaml:"suppressions"`
	}
	if err := root.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	items := datafile.Locate(root, "suppressions")
	for i, s := range doc.Suppressions {
		s.Source = Source{File: file}
		if items != nil && i < len(items.Content) {
			s.Source.Line = items.Content[i].Line
		}
		// The schema checked the date's format; parse it for comparisons.
		s.expires, err = time.Parse(time.DateOnly, s.Expires)
		if err != nil {
			return nil, &datafile.FileError{File: file, Line: s.Source.Line, Field: fmt.Sprintf("suppressions[%d].expires", i), Msg: err.Error()}
		}
		if s.Target != "" {
			s.targetRE = globRE(s.Target)
		}
	}
	return &Suppressions{File: file, Entries: doc.Suppressions}, nil
}

// globRE turns a target pattern ("10.0.0.*:443", "https://portal.example.org/*") into a regexp in
// which * matches any run of characters, slashes included.
func globRE(glob string) *regexp.Regexp {
	q := regexp.QuoteMeta(glob)
	q = strings.ReplaceAll(q, `\*`, `.*`)
	q = strings.ReplaceAll(q, `\?`, `.`)
	return regexp.MustCompile("^" + q + "$")
}

func (s *Suppression) matches(f *Finding) bool {
	if s.ID != "" && s.ID != f.ID {
		return false
	}
	if s.Check != "" {
		if strings.HasSuffix(s.Check, ".*") {
			if !strings.HasPrefix(f.Check, strings.TrimSuffix(s.Check, "*")) {
				return false
			}
		} else if s.Check != f.Check {
			return false
		}
	}
	return s.targetRE == nil || s.targetRE.MatchString(f.Target)
}

// Expired reports whether the suppression has lapsed on the given day (it is valid through its
// expiry date).
func (s *Suppression) Expired(today time.Time) bool {
	y, m, d := today.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return day.After(s.expires)
}

// Apply marks the findings that an unexpired entry accepts and returns how many it suppressed
// and every expired entry (expired entries suppress nothing; they need a new decision).
func (ss *Suppressions) Apply(findings []Finding, today time.Time) (suppressed int, expired []*Suppression) {
	if ss == nil {
		return 0, nil
	}
	for _, s := range ss.Entries {
		if s.Expired(today) {
			expired = append(expired, s)
		}
	}
	for i := range findings {
		f := &findings[i]
		for _, s := range ss.Entries {
			if s.matches(f) && !s.Expired(today) {
				f.Suppression = s
				suppressed++
				break
			}
		}
	}
	return suppressed, expired
}
