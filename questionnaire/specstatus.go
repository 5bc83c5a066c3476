package questionnaire

import (
	"fmt"
	"slices"
	"strings"
)

// SpecStatus is the status of one standard or implementation specification of the Security
// Rule: whether it is met, as the answers (and the scan, through ScoreOptions) show. It replaces
// a percentage, which averaged a missing safeguard away against the ones in place.
type SpecStatus string

// The statuses of a standard or specification.
const (
	StatusMet    SpecStatus = "met"
	StatusPartly SpecStatus = "partly met"
	StatusNotMet SpecStatus = "not met"
	// StatusDecision is an Addressable specification not implemented as written, with the
	// practice's decision recorded: an equivalent alternative measure, or not reasonable and
	// appropriate for the documented reason (45 CFR 164.306(d)(3)).
	StatusDecision SpecStatus = "decision recorded"
	// StatusUnknown is a specification whose answers are open or "don't know", or that no
	// question requires.
	StatusUnknown SpecStatus = "unknown"
	// StatusContradicted is a specification one of whose deciding answers the scan disproves.
	StatusContradicted SpecStatus = "contradicted"
	// StatusNotApplicable is a specification the practice's answers rule out.
	StatusNotApplicable SpecStatus = "not applicable"
)

// SpecStatuses lists the statuses in the order counts are printed.
var SpecStatuses = []SpecStatus{StatusMet, StatusPartly, StatusNotMet, StatusDecision, StatusUnknown, StatusContradicted, StatusNotApplicable}

// ScoreOptions is what scoring takes from outside the answers.
type ScoreOptions struct {
	// Contradicted are the question IDs whose answers the scan disproves (the register's
	// contradictions). A specification one of them decides is contradicted, never met.
	Contradicted map[string]bool
}

// StatusCounts counts standards and specifications by status.
type StatusCounts struct {
	ByStatus map[SpecStatus]int
	// DecisionsMissing counts Addressable specifications not implemented as written and
	// without a recorded decision (a gap in the documentation 164.306(d)(3) requires).
	DecisionsMissing int
}

// Count is the number with status s.
func (c StatusCounts) Count(s SpecStatus) int { return c.ByStatus[s] }

// Total is the number of standards and specifications counted.
func (c StatusCounts) Total() int {
	n := 0
	for _, v := range c.ByStatus {
		n += v
	}
	return n
}

// Applicable is the number counted that apply (all but the not-applicable ones).
func (c StatusCounts) Applicable() int { return c.Total() - c.ByStatus[StatusNotApplicable] }

// String is the counts in words, statuses with none left out: "12 met · 3 partly met · 1 not met".
func (c StatusCounts) String() string {
	var parts []string
	for _, s := range SpecStatuses {
		if n := c.ByStatus[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	if c.DecisionsMissing > 0 {
		parts = append(parts, fmt.Sprintf("%d decision(s) missing", c.DecisionsMissing))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " · ")
}

func (c *StatusCounts) add(cs CitationScore) {
	if c.ByStatus == nil {
		c.ByStatus = map[SpecStatus]int{}
	}
	c.ByStatus[cs.Status]++
	if cs.DecisionMissing {
		c.DecisionsMissing++
	}
}

// specStatus decides the status of an implementation specification (or a standard without
// specifications) from the questions that require it.
func specStatus(cs *CitationScore, a *Answers, opt ScoreOptions) {
	addressable := cs.Citation.Kind == "addressable"
	if addressable {
		cs.Decision = a.Decision(cs.Citation.Citation)
	}
	for _, id := range cs.Questions {
		if opt.Contradicted[id] {
			cs.Contradicted = append(cs.Contradicted, id)
		}
	}
	answeredNA := slices.ContainsFunc(cs.Questions, func(id string) bool { return a.Get(id).Status == NotApplicable })
	set := func(s SpecStatus, basis string) { cs.Status, cs.Basis = s, basis }
	switch {
	case len(cs.Contradicted) > 0:
		set(StatusContradicted, "the scan disproves the answer to "+strings.Join(cs.Contradicted, ", "))
		return
	case len(cs.Questions) == 0:
		set(StatusUnknown, "no question of the questionnaire requires it")
		return
	}
	switch cs.Result {
	case ResultImplemented:
		set(StatusMet, "every answer behind it says implemented")
		if addressable {
			cs.Basis += " (implemented as specified)"
		}
		return
	case ResultUnknown:
		set(StatusUnknown, "unanswered or answered \"don't know\"")
		return
	case ResultNotApplicable:
		if !addressable || !answeredNA {
			set(StatusNotApplicable, "the practice's answers rule it out")
			return
		}
	}
	// Partial, not implemented, or an Addressable specification answered not applicable.
	switch {
	case addressable && cs.Decision.Excuses():
		set(StatusDecision, cs.Decision.Decision.Label()+", recorded by "+cs.Decision.By+" on "+cs.Decision.Date)
		return
	case addressable && cs.Decision == nil:
		cs.DecisionMissing = true
	}
	switch cs.Result {
	case ResultPartial:
		set(StatusPartly, "the answers behind it say partly in place")
	case ResultNotApplicable:
		set(StatusNotMet, "answered not applicable without the decision 164.306(d)(3) requires")
	default:
		set(StatusNotMet, "the answers behind it say not implemented")
	}
	if cs.DecisionMissing {
		cs.Basis += "; decision missing"
	} else if addressable {
		cs.Basis += "; decided: implement as specified"
	}
}

// standardStatus combines a standard's own questions with its specifications' statuses: one
// contradicted makes it contradicted; met and recorded decisions make it met; all not met makes
// it not met; anything unknown among met ones makes it unknown; any other mix is partly met.
func standardStatus(cs *CitationScore, own CitationScore, specs []CitationScore) {
	parts := specs
	if len(own.Questions) > 0 {
		parts = append(slices.Clone(specs), own)
	}
	counts := map[SpecStatus]int{}
	n := 0
	for _, p := range parts {
		cs.Contradicted = append(cs.Contradicted, p.Contradicted...)
		if p.Status == StatusNotApplicable || (p.Status == StatusUnknown && len(p.Questions) == 0) {
			continue
		}
		counts[p.Status]++
		n++
	}
	slices.Sort(cs.Contradicted)
	cs.Contradicted = slices.Compact(cs.Contradicted)
	met := counts[StatusMet] + counts[StatusDecision]
	switch {
	case counts[StatusContradicted] > 0:
		cs.Status, cs.Basis = StatusContradicted, "the scan disproves the answer to "+strings.Join(cs.Contradicted, ", ")
	case n == 0 && len(cs.Questions) == 0:
		cs.Status, cs.Basis = StatusUnknown, "no question of the questionnaire requires it"
	case n == 0:
		cs.Status, cs.Basis = StatusNotApplicable, "the practice's answers rule it out"
	case met == n && counts[StatusMet] > 0:
		cs.Status, cs.Basis = StatusMet, "its specifications are met or decided"
	case met == n:
		cs.Status, cs.Basis = StatusDecision, "its specifications are decided"
	case counts[StatusNotMet] == n:
		cs.Status, cs.Basis = StatusNotMet, "the answers behind it say not implemented"
	case met+counts[StatusUnknown] == n:
		cs.Status, cs.Basis = StatusUnknown, "some answers behind it are open or \"don't know\""
	default:
		cs.Status, cs.Basis = StatusPartly, "some of it is in place"
	}
}

// scoreStatuses fills the status of every citation, specifications first, then each standard
// from its own questions and its specifications.
func scoreStatuses(cits []CitationScore, own map[string]CitationScore, a *Answers, opt ScoreOptions) {
	bySpecs := map[string][]CitationScore{}
	for i := range cits {
		c := &cits[i]
		if c.Citation.Kind == "standard" {
			continue
		}
		specStatus(c, a, opt)
		bySpecs[c.Citation.Standard] = append(bySpecs[c.Citation.Standard], *c)
	}
	for i := range cits {
		c := &cits[i]
		if c.Citation.Kind != "standard" {
			continue
		}
		specs := bySpecs[c.Citation.Citation]
		if len(specs) == 0 {
			specStatus(c, a, opt)
			continue
		}
		o := own[c.Citation.Citation]
		specStatus(&o, a, opt)
		standardStatus(c, o, specs)
	}
}
