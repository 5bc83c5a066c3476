package register

import (
	"slices"
	"strings"

	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/templates/hipaa"
)

// DecisionMissingRule is where the rating of a row for a missing decision starts (the rules'
// decision_missing), as its rating names it.
const DecisionMissingRule = "decision-missing"

// decisionGapKey is hashed into the ID of the row of a specification without a decision: the
// citation alone, so the row keeps its ID whatever answers or assets change around it.
func decisionGapKey(citation string) string { return "decision:" + citation }

// ScoresFor rates answers against the Security Rule as the register does: with the answers
// the scan contradicts scored contradicted, never met. For the answers the register was built
// from it returns the scores it already made (Scores), which its missing-decision rows rest
// on, so the report's status table and the register never disagree.
func (r *Register) ScoresFor(b *questionnaire.Bank, a *questionnaire.Answers) *questionnaire.Scores {
	if a == r.answers && r.Scores != nil {
		return r.Scores
	}
	opt := questionnaire.ScoreOptions{Contradicted: map[string]bool{}}
	for _, c := range r.Contradictions {
		opt.Contradicted[c.Question] = true
	}
	return questionnaire.ScoreWith(b, a, opt)
}

// addDecisionGaps marks the risks that rest on an answer deciding an Addressable specification
// without a decision (missing decisions are gaps, 164.306(d)(3)), and adds a practice-wide row
// for each such specification no risk rests on: one answered not applicable, which is no gap
// otherwise.
func addDecisionGaps(reg *Register, in Inputs, wide Asset) {
	if reg.Scores == nil {
		return
	}
	for _, cs := range reg.Scores.Citations {
		if !cs.DecisionMissing {
			continue
		}
		cit := cs.Citation.Citation
		marked := false
		for _, k := range reg.Risks {
			if slices.ContainsFunc(k.Answers, func(q string) bool { return slices.Contains(cs.Questions, q) }) {
				k.DecisionsMissing = append(k.DecisionsMissing, cit)
				marked = true
			}
		}
		if marked {
			continue
		}
		k := decisionGap(cs, reg.Rules, in, wide)
		reg.Risks = append(reg.Risks, k)
		reg.byID[k.ID] = k
	}
}

// decisionGap is the row of an Addressable specification answered not applicable without a
// decision, scored from the rules' decision_missing through the same likelihood and impact
// rules as every row.
func decisionGap(cs questionnaire.CitationScore, rules *Rules, in Inputs, wide Asset) *Risk {
	c := cs.Citation
	fill := strings.NewReplacer("{spec}", c.Citation, "{name}", c.Name).Replace
	w := rules.DecisionMissing
	k := &Risk{ID: RiskID(decisionGapKey(c.Citation)), Title: fill(w.Title), Asset: wide, Assets: []Asset{wide},
		ThreatSource: w.ThreatSource, ThreatEvent: fill(w.ThreatEvent), Vulnerability: fill(w.Vulnerability),
		Citations: []hipaa.Citation{c}, Source: SourceQuestionnaire, Remediation: fill(w.Remediation),
		Detected: true, Status: StatusOpen, DecisionsMissing: []string{c.Citation}}
	f := facts{source: SourceQuestionnaire}
	for _, q := range cs.Questions {
		if st := in.Answers.Get(q).Status; st != "" {
			k.Answers = append(k.Answers, q)
			f.answers = append(f.answers, st)
		}
	}
	what := "the rules' default for an Addressable specification answered not applicable without a decision"
	k.Likelihood = rate(w.Likelihood, DecisionMissingRule, what, rules.Likelihood, f, wide)
	k.Impact = rate(w.Impact, DecisionMissingRule, impactWhy(what, wide, "", 1), rules.Impact, f, wide)
	k.Level = rules.RiskLevel(k.Likelihood.Level, k.Impact.Level)
	k.Computed = Computed{Likelihood: k.Likelihood, Impact: k.Impact, Level: k.Level}
	return k
}
