package questionnaire

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/telesra/telesra/templates/datafile"
	"github.com/telesra/telesra/templates/hipaa"

	"go.yaml.in/yaml/v3"
)

// DecisionKind is what a practice decided about an Addressable implementation specification
// (45 CFR 164.306(d)(3)): implement it as specified, implement an equivalent alternative
// measure, or neither, because it is not reasonable and appropriate.
type DecisionKind string

// The decisions 164.306(d)(3)(ii) allows.
const (
	DecisionAsSpecified   DecisionKind = "as_specified"
	DecisionAlternative   DecisionKind = "alternative"
	DecisionNotReasonable DecisionKind = "not_reasonable"
)

// DecisionKinds are the decisions in the order offered.
var DecisionKinds = []DecisionKind{DecisionAsSpecified, DecisionAlternative, DecisionNotReasonable}

// Label is the decision in plain words.
func (d DecisionKind) Label() string {
	switch d {
	case DecisionAsSpecified:
		return "Implement as specified"
	case DecisionAlternative:
		return "Equivalent alternative measure"
	case DecisionNotReasonable:
		return "Not reasonable and appropriate"
	}
	return string(d)
}

// MinReasonWords is how many words a written reason needs to say something ("n/a", "fine" or
// "ok, approved" do not): decisions' measures and reasons, and the register's acceptance and
// override reasons, all use it.
const MinReasonWords = 3

// Substantive reports whether text has at least MinReasonWords words.
func Substantive(text string) bool { return len(strings.Fields(text)) >= MinReasonWords }

// Decision is the recorded decision on one Addressable implementation specification: what was
// decided, the alternative measure or the reason, who decided, in what role, and when.
type Decision struct {
	Decision DecisionKind `yaml:"decision"`
	Measure  string       `yaml:"measure,omitempty"` // the equivalent alternative measure (alternative)
	Reason   string       `yaml:"reason,omitempty"`  // why the specification itself is not reasonable and appropriate
	By       string       `yaml:"by"`
	Role     string       `yaml:"role"`
	Date     string       `yaml:"date"` // YYYY-MM-DD
}

// Excuses reports whether the decision stands in for implementing the specification as written:
// an alternative measure or a documented "not reasonable and appropriate". "As specified" is a
// commitment to implement, so a specification not yet in place stays a gap.
func (d *Decision) Excuses() bool {
	return d != nil && (d.Decision == DecisionAlternative || d.Decision == DecisionNotReasonable)
}

// Summary is the decision in one line, for tables and the TUI.
func (d *Decision) Summary() string {
	s := d.Decision.Label()
	switch d.Decision {
	case DecisionAlternative:
		s += ": " + d.Measure
		if d.Reason != "" {
			s += " (" + d.Reason + ")"
		}
	case DecisionNotReasonable:
		s += ": " + d.Reason
	}
	return fmt.Sprintf("%s; %s, %s, %s", s, d.By, d.Role, d.Date)
}

// Problems lists what the decision lacks, in words; none means it is a complete record. The
// field names are those of answers.yaml.
func (d *Decision) Problems() []string {
	var out []string
	words := func(field, s, what string) {
		switch n := len(strings.Fields(s)); {
		case n == 0:
			out = append(out, fmt.Sprintf("%s: %s needs %s", field, d.Decision, what))
		case n < MinReasonWords:
			out = append(out, fmt.Sprintf("%s: %q is not a documented %s: say it in at least %d words", field, s, strings.TrimPrefix(what, "the "), MinReasonWords))
		}
	}
	switch d.Decision {
	case DecisionAlternative:
		words("measure", d.Measure, "the equivalent alternative measure")
		words("reason", d.Reason, "the reason the specification itself is not reasonable and appropriate")
	case DecisionNotReasonable:
		words("reason", d.Reason, "the reason the specification is not reasonable and appropriate")
	case DecisionAsSpecified:
	default:
		out = append(out, fmt.Sprintf("decision: %q is not a decision (want one of as_specified, alternative, not_reasonable)", d.Decision))
	}
	if strings.TrimSpace(d.By) == "" {
		out = append(out, "by: say who decided")
	}
	if strings.TrimSpace(d.Role) == "" {
		out = append(out, "role: say in what role they decided (security official, practice owner)")
	}
	if _, err := time.Parse(time.DateOnly, d.Date); err != nil {
		out = append(out, fmt.Sprintf("date: %q is not a date (YYYY-MM-DD)", d.Date))
	}
	return out
}

// AddressableSpecs lists the Addressable implementation specifications a question requires, in
// its order: those a decision can be recorded for. Questions that only support a paragraph, best
// practice and proposed-rule questions have none.
func AddressableSpecs(q *Question) []hipaa.Citation {
	if !q.Scored() || q.Profile != "" || q.Kind != KindControl {
		return nil
	}
	var out []hipaa.Citation
	for _, c := range q.Citations {
		if c.Kind == "addressable" && !slices.ContainsFunc(out, func(x hipaa.Citation) bool { return x.Citation == c.Citation }) {
			out = append(out, c)
		}
	}
	return out
}

// NeedsDecision reports whether an answer leaves an Addressable specification to be decided:
// anything but "implemented" or "don't know" (which is open work, not a choice).
func NeedsDecision(s Status) bool {
	return s == Partial || s == NotImplemented || s == NotApplicable
}

// SetDecision records (or, with nil, removes) the decision on an Addressable specification.
func (a *Answers) SetDecision(citation string, d *Decision) {
	if d == nil {
		delete(a.Decisions, citation)
		return
	}
	if a.Decisions == nil {
		a.Decisions = map[string]Decision{}
	}
	a.Decisions[citation] = *d
}

// Decision returns the decision recorded on a citation, or nil.
func (a *Answers) Decision(citation string) *Decision {
	d, ok := a.Decisions[citation]
	if !ok {
		return nil
	}
	return &d
}

// parseDecisions checks the decisions: map of answers.yaml: each key an Addressable
// implementation specification of the table, each record complete.
func parseDecisions(file string, list *yaml.Node, raw map[string]Decision, a *Answers) []*datafile.FileError {
	var errs []*datafile.FileError
	for i := 0; i+1 < len(list.Content); i += 2 {
		key, val := list.Content[i], list.Content[i+1]
		cit := key.Value
		field := "decisions." + cit
		c, ok := hipaa.LookupCitation(cit)
		switch {
		case !ok:
			errs = append(errs, nodeError(file, key, field, fmt.Sprintf("%q is not a standard or implementation specification of the Security Rule "+
				"(45 CFR 164.308-164.316): decisions are keyed by an Addressable specification's citation, such as \"164.312(a)(2)(iv)\"", cit)))
			continue
		case c.Kind == "required":
			errs = append(errs, nodeError(file, key, field, fmt.Sprintf("%s (%s) is a Required implementation specification: it must be implemented "+
				"(45 CFR 164.306(d)(2)), so there is nothing to decide; decisions are for Addressable specifications (164.306(d)(3))", cit, c.Name)))
			continue
		case c.Kind != "addressable":
			errs = append(errs, nodeError(file, key, field, fmt.Sprintf("%s (%s) is a standard: decisions are recorded on its Addressable "+
				"implementation specifications (45 CFR 164.306(d)(3))", cit, c.Name)))
			continue
		}
		d := raw[cit]
		for _, p := range d.Problems() {
			f, _, _ := strings.Cut(p, ":")
			n := datafile.Locate(val, f)
			if n == nil {
				n = key
			}
			errs = append(errs, nodeError(file, n, field+"."+f, p))
		}
		a.SetDecision(cit, &d)
		a.lines["decision:"+cit] = key.Line
	}
	return errs
}

// decisionSource is where a decision was read ("answers.yaml:80"), or "" in memory.
func (a *Answers) decisionSource(citation string) string {
	if a.file == "" || a.lines["decision:"+citation] == 0 {
		return a.file
	}
	return fmt.Sprintf("%s:%d", a.file, a.lines["decision:"+citation])
}
