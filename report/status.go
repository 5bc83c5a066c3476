package report

import (
	"slices"

	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/templates/hipaa"
)

// CitationStatus is one row of the status table: a standard or implementation specification
// of 45 CFR 164.308-164.316, its status (questionnaire.ScoreWith), and what the status rests on.
type CitationStatus struct {
	questionnaire.CitationScore
	Checks []string // the scan checks whose unsuppressed findings cite it (IDs), sorted
	Risks  []string // the open risks that cite it (IDs), register order
}

// CitationStatuses is the status of every standard and specification of the Security Rule, in
// regulation order: the table an auditor looks for first. Only questions that cite a paragraph
// as a requirement decide its status (a best practice or a proposed-rule question never does);
// an answer the scan contradicts makes it contradicted, never met.
func (r *Report) CitationStatuses() []CitationStatus {
	var out []CitationStatus
	for _, cs := range r.Scores.Citations {
		c := cs.Citation
		row := CitationStatus{CitationScore: cs}
		cites := func(ids []string) bool {
			for _, id := range ids {
				if id == c.Citation {
					return true
				}
				if c.Kind == "standard" {
					if sc, ok := hipaa.LookupCitation(id); ok && sc.Standard == c.Citation {
						return true
					}
				}
			}
			return false
		}
		for _, f := range r.Register.Findings {
			if !f.Suppressed() && cites(f.HIPAA) && !slices.Contains(row.Checks, f.Check) {
				row.Checks = append(row.Checks, f.Check)
			}
		}
		slices.Sort(row.Checks)
		for _, k := range r.Register.Risks {
			var ids []string
			for _, kc := range k.Citations {
				ids = append(ids, kc.Citation)
			}
			if k.Open() && cites(ids) {
				row.Risks = append(row.Risks, k.ID)
			}
		}
		out = append(out, row)
	}
	return out
}

// Decisions are the Addressable specifications with a recorded decision, in regulation order.
func (r *Report) Decisions() []questionnaire.CitationScore {
	var out []questionnaire.CitationScore
	for _, cs := range r.Scores.Citations {
		if cs.Decision != nil {
			out = append(out, cs)
		}
	}
	return out
}

// MissingDecisions are the Addressable specifications not implemented as written that have no
// recorded decision: gaps in the documentation 164.306(d)(3) requires.
func (r *Report) MissingDecisions() []questionnaire.CitationScore {
	var out []questionnaire.CitationScore
	for _, cs := range r.Scores.Citations {
		if cs.DecisionMissing {
			out = append(out, cs)
		}
	}
	return out
}
