package register

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/telesra/telesra/questionnaire/level"
	"github.com/telesra/telesra/templates/datafile"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/templates"
)

// Level is a value on the NIST SP 800-30 five-level scale; the register shares the
// questionnaire's type so a question's default likelihood and impact need no conversion.
type Level = level.Level

// Levels lists the five levels, lowest first.
func Levels() []Level {
	return []Level{level.VeryLow, level.Low, level.Moderate, level.High, level.VeryHigh}
}

// Rules are the scoring rules (templates/risk/scoring.yaml): the risk matrix, the weaknesses
// findings and gaps are grouped into, and the rules that move likelihood and impact.
type Rules struct {
	Version     string
	Matrix      [5][5]Level // [likelihood-1][impact-1]
	MinSeverity checks.Severity
	Weaknesses  []*Weakness
	Fallback    Weakness // ID "" and no checks: used for findings no weakness names
	// DecisionMissing is the row of an Addressable specification answered not applicable
	// without a recorded decision; its texts hold {spec} and {name}.
	DecisionMissing Weakness
	Likelihood      []*Rule
	Impact          []*Rule

	byQuestion map[string]*Weakness
}

// Weakness is one kind of vulnerability, with its threat, default likelihood and impact, and
// the checks and questions that reveal it.
type Weakness struct {
	ID, Title     string
	ThreatSource  string // adversarial, accidental, structural, environmental
	ThreatEvent   string
	Vulnerability string
	Checks        []string // check IDs; a trailing ".*" matches a prefix
	Questions     []string // questions whose gap is this weakness
	Controls      []string // questions whose "implemented" answer mitigates it
	Likelihood    Level
	Impact        Level
	Remediation   string
}

// Rule moves a likelihood or an impact when its condition holds.
type Rule struct {
	ID     string
	When   Condition
	Set    Level // 0: none
	Cap    Level // 0: none; the level is at most this
	Raise  int
	Lower  int
	Reason string
}

// Condition is what a rule requires of a risk; every field set must hold.
type Condition struct {
	Checks     []string
	Severity   []checks.Severity
	Confidence string // confirmed, potential (every finding)
	Exposure   string // internet, internal, device, unknown
	EPHI       string // yes, no, unknown
	// EPHIHeld holds when the asset's ephi_held is one of these ("unknown": not stated).
	EPHIHeld []string
	// CriticalityHigh holds when the asset's care criticality is high in one of these
	// dimensions (confidentiality, integrity, availability).
	CriticalityHigh []string
	Source          string // scan, questionnaire, both
	Answer          []questionnaire.Status
	Controls        string // implemented
	// Requirement holds when what the gaps' questions require is one of these (required,
	// addressable, none).
	Requirement []string
}

// RulesFile is where the embedded rules live, as named in errors.
const RulesFile = "templates/risk/scoring.yaml"

// DefaultRules returns the embedded scoring rules.
var DefaultRules = embedded("risk/scoring.yaml", ParseRules)

// embedded parses an embedded data file of templates/ once per process. The files are tested,
// so failing to read one is a build defect and panics.
func embedded[T any](name string, parse func(file string, data []byte) (T, error)) func() T {
	load := sync.OnceValues(func() (T, error) {
		data, err := templates.ReadFile(name)
		if err != nil {
			var zero T
			return zero, err
		}
		return parse("templates/"+name, data)
	})
	return func() T {
		v, err := load()
		if err != nil {
			panic(fmt.Sprintf("embedded templates/%s: %v", name, err))
		}
		return v
	}
}

type rawRule struct {
	ID   string `yaml:"id"`
	When struct {
		Checks     []string `yaml:"checks"`
		Severity   []string `yaml:"severity"`
		Confidence string   `yaml:"confidence"`
		Exposure   string   `yaml:"exposure"`
		EPHI       string   `yaml:"ephi"`
		EPHIHeld   []string `yaml:"ephi_held"`
		CritHigh   []string `yaml:"criticality_high"`
		Source     string   `yaml:"source"`
		Answer     []string `yaml:"answer"`
		Controls   string   `yaml:"controls"`
		Require    []string `yaml:"requirement"`
	} `yaml:"when"`
	Set    string `yaml:"set"`
	Cap    string `yaml:"cap"`
	Raise  int    `yaml:"raise"`
	Lower  int    `yaml:"lower"`
	Reason string `yaml:"reason"`
}

type rawWeakness struct {
	ID            string   `yaml:"id"`
	Title         string   `yaml:"title"`
	ThreatSource  string   `yaml:"threat_source"`
	ThreatEvent   string   `yaml:"threat_event"`
	Vulnerability string   `yaml:"vulnerability"`
	Checks        []string `yaml:"checks"`
	Questions     []string `yaml:"questions"`
	Controls      []string `yaml:"controls"`
	Likelihood    string   `yaml:"likelihood"`
	Impact        string   `yaml:"impact"`
	Remediation   string   `yaml:"remediation"`
}

type rawRules struct {
	SchemaVersion int                 `yaml:"schema_version"`
	Version       string              `yaml:"version"`
	Matrix        map[string][]string `yaml:"matrix"`
	MinSeverity   string              `yaml:"min_severity"`
	Weaknesses    []rawWeakness       `yaml:"weaknesses"`
	Fallback      rawWeakness         `yaml:"fallback"`
	DecisionGap   rawWeakness         `yaml:"decision_missing"`
	Likelihood    []rawRule           `yaml:"likelihood"`
	Impact        []rawRule           `yaml:"impact"`
}

// ParseRules reads scoring rules (file names them in errors): the schema first, then what a
// schema cannot say (a rule moves a level at most one way, weakness IDs are unique, a question
// belongs to at most one weakness, questions exist in the bank), each with file:line.
func ParseRules(file string, data []byte) (*Rules, error) {
	var raw rawRules
	root, err := datafile.DecodeNode(file, data, "scoring.schema.json", &raw)
	if err != nil {
		return nil, err
	}
	var errs datafile.FileErrors
	at := func(msg string, path ...string) { errs = append(errs, datafile.At(file, root, msg, path...)) }
	lv := func(s string) Level {
		l, _ := level.Parse(s) // the schema allows only the five spellings
		return l
	}
	r := &Rules{Version: raw.Version, byQuestion: map[string]*Weakness{}}
	r.MinSeverity, _ = checks.ParseSeverity(raw.MinSeverity)
	for i, l := range Levels() {
		for j, cell := range raw.Matrix[l.ID()] {
			r.Matrix[i][j] = lv(cell)
		}
	}
	bank := questionnaire.DefaultBank()
	known := func(q string, path ...string) {
		if _, ok := bank.Question(q); !ok {
			at(fmt.Sprintf("no question %q in the question bank", q), path...)
		}
	}
	seen := map[string]bool{}
	for i, w := range raw.Weaknesses {
		idx := fmt.Sprint(i)
		if seen[w.ID] {
			at(fmt.Sprintf("duplicate weakness id %q", w.ID), "weaknesses", idx, "id")
		}
		seen[w.ID] = true
		wk := &Weakness{ID: w.ID, Title: w.Title, ThreatSource: w.ThreatSource, ThreatEvent: w.ThreatEvent,
			Vulnerability: w.Vulnerability, Checks: w.Checks, Questions: w.Questions, Controls: w.Controls,
			Likelihood: lv(w.Likelihood), Impact: lv(w.Impact), Remediation: w.Remediation}
		for j, q := range w.Questions {
			known(q, "weaknesses", idx, "questions", fmt.Sprint(j))
			if prev, dup := r.byQuestion[q]; dup {
				at(fmt.Sprintf("question %q already belongs to weakness %q", q, prev.ID), "weaknesses", idx, "questions", fmt.Sprint(j))
			}
			r.byQuestion[q] = wk
		}
		for j, q := range w.Controls {
			known(q, "weaknesses", idx, "controls", fmt.Sprint(j))
		}
		r.Weaknesses = append(r.Weaknesses, wk)
	}
	f := raw.Fallback
	r.Fallback = Weakness{ThreatSource: f.ThreatSource, ThreatEvent: f.ThreatEvent, Likelihood: lv(f.Likelihood), Impact: lv(f.Impact)}
	dm := raw.DecisionGap
	r.DecisionMissing = Weakness{Title: dm.Title, ThreatSource: dm.ThreatSource, ThreatEvent: dm.ThreatEvent, Vulnerability: dm.Vulnerability,
		Likelihood: lv(dm.Likelihood), Impact: lv(dm.Impact), Remediation: dm.Remediation}
	rules := func(list []rawRule, key string) []*Rule {
		var out []*Rule
		ids := map[string]bool{}
		for i, rr := range list {
			idx := fmt.Sprint(i)
			moves := 0
			for _, set := range []bool{rr.Set != "", rr.Cap != "", rr.Raise != 0, rr.Lower != 0} {
				if set {
					moves++
				}
			}
			if moves > 1 {
				at("a rule sets, caps, raises or lowers the level: give only one of set, cap, raise, lower", key, idx)
			}
			if ids[rr.ID] {
				at(fmt.Sprintf("duplicate rule id %q", rr.ID), key, idx, "id")
			}
			ids[rr.ID] = true
			c := Condition{Checks: rr.When.Checks, Confidence: rr.When.Confidence, Exposure: rr.When.Exposure,
				EPHI: rr.When.EPHI, EPHIHeld: rr.When.EPHIHeld, CriticalityHigh: rr.When.CritHigh, Source: rr.When.Source, Controls: rr.When.Controls,
				Requirement: rr.When.Require}
			for _, s := range rr.When.Severity {
				sev, _ := checks.ParseSeverity(s)
				c.Severity = append(c.Severity, sev)
			}
			for _, s := range rr.When.Answer {
				c.Answer = append(c.Answer, questionnaire.Status(s))
			}
			rule := &Rule{ID: rr.ID, When: c, Raise: rr.Raise, Lower: rr.Lower, Reason: rr.Reason}
			if rr.Set != "" {
				rule.Set = lv(rr.Set)
			}
			if rr.Cap != "" {
				rule.Cap = lv(rr.Cap)
			}
			out = append(out, rule)
		}
		return out
	}
	r.Likelihood = rules(raw.Likelihood, "likelihood")
	r.Impact = rules(raw.Impact, "impact")
	if len(errs) > 0 {
		return nil, errs
	}
	return r, nil
}

// RiskLevel is the level of risk of a likelihood and an impact, read from the rules' matrix
// (Table I-2 of NIST SP 800-30 Rev. 1). It returns 0 when either is not a level.
func (r *Rules) RiskLevel(likelihood, impact Level) Level {
	if likelihood < level.VeryLow || likelihood > level.VeryHigh ||
		impact < level.VeryLow || impact > level.VeryHigh {
		return 0
	}
	return r.Matrix[likelihood-1][impact-1]
}

// WeaknessFor returns the first weakness whose checks name the check ID, or nil.
func (r *Rules) WeaknessFor(check string) *Weakness {
	for _, w := range r.Weaknesses {
		if matchAny(w.Checks, check) {
			return w
		}
	}
	return nil
}

// WeaknessForQuestion returns the weakness a question's gap is, or nil.
func (r *Rules) WeaknessForQuestion(id string) *Weakness { return r.byQuestion[id] }

// matchAny reports whether a check ID matches one of the patterns: "mfa.*" matches every ID
// under mfa., anything else matches exactly.
func matchAny(patterns []string, check string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool {
		if prefix, ok := strings.CutSuffix(p, ".*"); ok {
			return strings.HasPrefix(check, prefix+".")
		}
		return p == check
	})
}
