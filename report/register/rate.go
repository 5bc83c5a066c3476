package register

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/questionnaire/level"
	"github.com/telesra/telesra/templates/hipaa"
)

// The rating half of the register: what the scoring rules' conditions read about a risk
// (facts), whether a condition holds, and how the rules move a level and explain it.

// facts are what the rules' conditions read about one group.
type facts struct {
	checks     []string
	severity   checks.Severity
	hasSev     bool
	potential  bool // every finding potential
	source     string
	answers    []questionnaire.Status
	controlsOn bool
	// requirement is what the gaps' questions require under the rule in force: "required" when
	// one of them evidences a standard or a Required specification, "addressable" when they
	// evidence only Addressable ones, "none" otherwise (best practice, supporting questions, or
	// no gap at all).
	requirement string
}

// facts reads a group for the rules. A contradicted answer counts as not implemented: it
// neither mitigates nor, answered partial, lowers the likelihood.
func (g *group) facts(a *questionnaire.Answers, reg *Register) facts {
	f := facts{potential: len(g.findings) > 0}
	for _, fd := range g.findings {
		f.checks = append(f.checks, fd.Check)
		if !f.hasSev || fd.Severity > f.severity {
			f.severity, f.hasSev = fd.Severity, true
		}
		if fd.Confidence != checks.Potential {
			f.potential = false
		}
	}
	switch {
	case len(g.findings) > 0 && len(g.gaps) > 0:
		f.source = SourceBoth
	case len(g.findings) > 0:
		f.source = SourceScan
	default:
		f.source = SourceQuestionnaire
	}
	f.requirement = RequirementNone
	for _, gap := range g.gaps {
		st := gap.Status
		if _, bad := reg.Contradiction(gap.Question.ID); bad {
			st = questionnaire.NotImplemented
		}
		f.answers = append(f.answers, st)
		if !gap.Question.Scored() {
			continue
		}
		for _, c := range gap.Citations {
			// A standard cited beside one of its own specifications is cited for that
			// specification: the specification says what is required.
			if c.Kind == "standard" && slices.ContainsFunc(gap.Citations, func(s hipaa.Citation) bool { return s.Kind != "standard" && s.Standard == c.Citation }) {
				continue
			}
			switch {
			case c.Kind == "standard" || c.Kind == "required":
				f.requirement = RequirementRequired
			case c.Kind == "addressable" && f.requirement == RequirementNone:
				f.requirement = RequirementAddressable
			}
		}
	}
	if g.weakness != nil && a != nil {
		for _, q := range g.weakness.Controls {
			if _, bad := reg.Contradiction(q); bad {
				continue
			}
			if a.Get(q).Status == questionnaire.Implemented {
				f.controlsOn = true
			}
		}
	}
	return f
}

func (c Condition) holds(f facts, a Asset) bool {
	if len(c.Checks) > 0 && !slices.ContainsFunc(f.checks, func(id string) bool { return matchAny(c.Checks, id) }) {
		return false
	}
	if len(c.Severity) > 0 && (!f.hasSev || !slices.Contains(c.Severity, f.severity)) {
		return false
	}
	if c.Confidence == string(checks.Potential) && !f.potential {
		return false
	}
	if c.Confidence == string(checks.Confirmed) && (f.potential || len(f.checks) == 0) {
		return false
	}
	if c.Exposure != "" && c.Exposure != a.Exposure {
		return false
	}
	if c.EPHI != "" && c.EPHI != a.HasEPHI {
		return false
	}
	if len(c.EPHIHeld) > 0 && !slices.Contains(c.EPHIHeld, cmp.Or(a.EPHIHeld, "unknown")) {
		return false
	}
	if len(c.CriticalityHigh) > 0 && !slices.ContainsFunc(c.CriticalityHigh, func(d string) bool { return a.Criticality.Of(d) == "high" }) {
		return false
	}
	if c.Source != "" && c.Source != f.source {
		return false
	}
	if len(c.Answer) > 0 && !slices.ContainsFunc(f.answers, func(s questionnaire.Status) bool { return slices.Contains(c.Answer, s) }) {
		return false
	}
	if c.Controls != "" && !f.controlsOn {
		return false
	}
	if len(c.Requirement) > 0 && !slices.Contains(c.Requirement, f.requirement) {
		return false
	}
	return true
}

// What a gap's questions require, as the scoring rules' "requirement" condition reads it.
const (
	RequirementRequired    = "required"
	RequirementAddressable = "addressable"
	RequirementNone        = "none"
)

// rate applies rules to a starting level and explains the result.
func rate(start Level, startRule, startReason string, rules []*Rule, f facts, a Asset) Rating {
	r := Rating{Level: start, Rules: []string{startRule}}
	reasons := []string{fmt.Sprintf("%s: %s", start, startReason)}
	for _, rule := range rules {
		if !rule.When.holds(f, a) {
			continue
		}
		before := r.Level
		switch {
		case rule.Set != 0:
			r.Level = rule.Set
		case rule.Cap != 0:
			r.Level = min(r.Level, rule.Cap)
		case rule.Raise > 0:
			r.Level = min(r.Level+Level(rule.Raise), level.VeryHigh)
		case rule.Lower > 0:
			r.Level = max(r.Level-Level(rule.Lower), level.VeryLow)
		}
		r.Rules = append(r.Rules, rule.ID)
		step := RatingStep{Rule: rule.ID}
		switch {
		case rule.Set != 0:
			step.Effect = "=" + r.Level.String()
		case r.Level > before:
			step.Effect = fmt.Sprintf("+%d", r.Level-before)
		case r.Level < before:
			step.Effect = fmt.Sprintf("-%d", before-r.Level)
		}
		r.Steps = append(r.Steps, step)
		if r.Level != before {
			reasons = append(reasons, fmt.Sprintf("%s because %s (%s)", r.Level, rule.Reason, rule.ID))
		} else {
			reasons = append(reasons, fmt.Sprintf("%s (%s)", rule.Reason, rule.ID))
		}
	}
	r.Reason = strings.Join(reasons, "; then ")
	return r
}
