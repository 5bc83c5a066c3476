package report

import (
	"slices"
	"strings"

	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/templates/hipaa"
)

// SpecStatus is the status of one Security Rule standard or implementation specification.
type SpecStatus string

// The statuses of a standard or specification, from the answers that require it and the scan.
const (
	StatusMet          SpecStatus = "met"
	StatusPartly       SpecStatus = "partly met"
	StatusNotMet       SpecStatus = "not met"
	StatusDecision     SpecStatus = "decision recorded" // Addressable, not implemented, the reason written down
	StatusUnknown      SpecStatus = "unknown"
	StatusContradicted SpecStatus = "contradicted" // answered in place, but the scan found an open risk
	StatusNotApplic    SpecStatus = "not applicable"
)

// CitationStatus is one row of the status table: a standard or implementation specification
// of 45 CFR 164.308-164.316, its status, and what the status rests on.
type CitationStatus struct {
	Citation  hipaa.Citation
	Status    SpecStatus
	Questions []string // the questions that require it (IDs), in bank order
	Checks    []string // the scan checks whose unsuppressed findings cite it (IDs), sorted
	Risks     []string // the open risks that cite it (IDs), register order
	// Basis says in a sentence why the status is what it is.
	Basis string
}

// CitationStatuses is the status of every standard and specification of the Security Rule, in
// regulation order: the table an auditor looks for first. Only questions that cite a paragraph
// as a requirement decide its status (a best practice or a proposed-rule question never does);
// an answer of "implemented" that the scan contradicts is shown as contradicted, never averaged.
func (r *Report) CitationStatuses() []CitationStatus {
	var out []CitationStatus
	for _, cs := range r.Scores.Citations {
		c := cs.Citation
		row := CitationStatus{Citation: c, Questions: cs.Questions}
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
		scanned := false
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
				if len(k.Findings) > 0 {
					scanned = true
				}
			}
		}
		switch cs.Result {
		case questionnaire.ResultImplemented, questionnaire.ResultPartial:
			row.Status, row.Basis = StatusMet, "every answer behind it says implemented"
			if cs.Result == questionnaire.ResultPartial {
				row.Status, row.Basis = StatusPartly, "the answers behind it say partly in place"
			}
			if scanned {
				row.Status, row.Basis = StatusContradicted, "the answers say it is in place, but the scan found open risks against it"
			}
		case questionnaire.ResultGap:
			row.Status, row.Basis = StatusNotMet, "the answers behind it say not implemented"
			if c.Kind == "addressable" && r.decisionsRecorded(cs.Questions) {
				row.Status, row.Basis = StatusDecision, "not implemented, with the practice's reason recorded in the answers"
			}
		case questionnaire.ResultNotApplicable:
			row.Status, row.Basis = StatusNotApplic, "the practice's answers rule it out"
			if len(cs.Questions) == 0 {
				row.Status, row.Basis = StatusUnknown, "no question of the questionnaire requires it"
			}
		default:
			row.Status, row.Basis = StatusUnknown, "unanswered or answered \"don't know\""
		}
		out = append(out, row)
	}
	return out
}

// decisionsRecorded reports whether every question answered "not implemented" among ids carries
// the practice's written reason.
func (r *Report) decisionsRecorded(ids []string) bool {
	any := false
	for _, id := range ids {
		a := r.Answers.Get(id)
		if a.Status != questionnaire.NotImplemented {
			continue
		}
		any = true
		if strings.TrimSpace(a.Notes) == "" {
			return false
		}
	}
	return any
}
