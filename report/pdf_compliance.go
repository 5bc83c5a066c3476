package report

import (
	"fmt"
	"strings"

	"github.com/telesra/telesra/questionnaire"
)

// statusWords is the status of each safeguard in counts, for section 3 and the summary.
func statusWords(c questionnaire.StatusCounts) string {
	if c.Applicable() == 0 {
		return "not applicable"
	}
	return c.String()
}

// compliance is section 3: the status of each standard and implementation specification, counted
// per group of safeguards, the decisions on Addressable specifications, and readiness for the
// proposed rule.
func (p *pdfWriter) compliance() {
	p.section("3. Status by safeguard", false)
	sc := p.r.Scores
	p.para("The status of each HIPAA Security Rule standard and implementation specification, from the questionnaire and the scan: " +
		"met, partly met, not met, decision recorded (an Addressable specification with an equivalent alternative measure or a documented " +
		"reason it is not reasonable and appropriate), unknown (open or \"don't know\"), or contradicted (the scan disproves an answer behind it). " +
		"Nothing is averaged: a specification counts once, with its status. Best-practice and proposed-rule questions never count here.")
	var rows [][]string
	for _, g := range sc.Safeguards {
		c := g.Statuses
		cell := func(s questionnaire.SpecStatus) string { return fmt.Sprint(c.Count(s)) }
		rows = append(rows, []string{capitalise(g.Safeguard), cell(questionnaire.StatusMet), cell(questionnaire.StatusPartly),
			cell(questionnaire.StatusNotMet), cell(questionnaire.StatusDecision), cell(questionnaire.StatusUnknown),
			cell(questionnaire.StatusContradicted), cell(questionnaire.StatusNotApplicable), fmt.Sprint(c.DecisionsMissing)})
	}
	o := sc.Overall.Statuses
	rows = append(rows, []string{"All", fmt.Sprint(o.Count(questionnaire.StatusMet)), fmt.Sprint(o.Count(questionnaire.StatusPartly)),
		fmt.Sprint(o.Count(questionnaire.StatusNotMet)), fmt.Sprint(o.Count(questionnaire.StatusDecision)), fmt.Sprint(o.Count(questionnaire.StatusUnknown)),
		fmt.Sprint(o.Count(questionnaire.StatusContradicted)), fmt.Sprint(o.Count(questionnaire.StatusNotApplicable)), fmt.Sprint(o.DecisionsMissing)})
	p.table([]column{{title: "Safeguards", w: 30}, {title: "Met", w: 10}, {title: "Partly met", w: 12}, {title: "Not met", w: 10},
		{title: "Decision recorded", w: 14}, {title: "Unknown", w: 12}, {title: "Contradicted", w: 16}, {title: "Not applicable", w: 14},
		{title: "Decision missing", w: 14}}, rows, 8.5)
	p.para(fmt.Sprintf("Overall: %s, of %d standards and implementation specifications.", statusWords(o), o.Total()))
	if sc.Readiness != nil {
		p.para(fmt.Sprintf("Readiness for the proposed Security Rule (HHS NPRM, 90 FR 898, not final): %d of %d readiness questions implemented. "+
			"These are scored apart and do not count against the rule in force.", sc.Readiness.Implemented, sc.Readiness.Applicable()))
	}
	p.decisions()
	p.statusTable()
}

// decisions prints every decision on an Addressable specification (who, when, what, the
// measure or the reason) and the ones missing.
func (p *pdfWriter) decisions() {
	r := p.r
	p.sub("Decisions on Addressable specifications", true)
	p.para("For each Addressable implementation specification the practice must decide whether it is reasonable and appropriate, and " +
		"implement it, implement an equivalent alternative measure, or document why neither is (45 CFR 164.306(d)(3)). A specification " +
		"implemented as specified needs no more than the answers that show it.")
	ds := r.Decisions()
	if len(ds) == 0 {
		p.para("No decision is recorded.")
	}
	for _, cs := range ds {
		d := cs.Decision
		p.need(16)
		p.font("B", 9)
		l, _, _, _ := p.f.GetMargins()
		p.f.SetX(l)
		p.f.MultiCell(p.width(), 4.4, cleanText(fmt.Sprintf("%s %s: %s", cs.Citation.Citation, cs.Citation.Name, d.Decision.Label())), "", "L", false)
		p.font("", 9)
		if d.Measure != "" {
			p.kvBlockAt(0, "Measure", d.Measure)
		}
		if d.Reason != "" {
			p.kvBlockAt(0, "Reason", d.Reason)
		}
		p.kvBlockAt(0, "Decided", fmt.Sprintf("by %s (%s) on %s; status: %s", d.By, d.Role, d.Date, cs.Status))
		p.f.Ln(1.5)
	}
	if miss := r.MissingDecisions(); len(miss) > 0 {
		var names []string
		for _, cs := range miss {
			names = append(names, cs.Citation.Citation+" "+cs.Citation.Name)
		}
		p.para(fmt.Sprintf("Decision missing (%d): %s. Each is not implemented as written and has no recorded decision: record one "+
			"in answers.yaml (decisions:) or in telesra assess.", len(miss), strings.Join(names, "; ")))
	}
}

// kindWords names a citation's kind for the status table.
var kindWords = map[string]string{"standard": "Standard", "required": "Required", "addressable": "Addressable"}

// statusTable is the status of every standard and implementation specification of 45 CFR
// 164.308-164.316, with what each status rests on.
func (p *pdfWriter) statusTable() {
	r := p.r
	p.newPage(false)
	p.sub("Status by standard and implementation specification", true)
	p.para("Every standard and implementation specification of the Security Rule (45 CFR 164.308-164.316), with its status and, " +
		"for an Addressable specification, the decision recorded or missing. Only questions that the paragraph itself " +
		"demands decide a status; best-practice, supporting and proposed-rule questions are reported but never scored here. " +
		"Questions are numbered as in Appendix A.")
	var rows [][]string
	for _, s := range r.CitationStatuses() {
		var qs []string
		for _, id := range s.Questions {
			qs = append(qs, r.questionNumber(id))
		}
		decision := ""
		switch {
		case s.Decision != nil:
			decision = s.Decision.Decision.Label()
		case s.DecisionMissing:
			decision = "decision missing"
		}
		rows = append(rows, []string{s.Citation.Citation, s.Citation.Name, kindWords[s.Citation.Kind], string(s.Status), decision,
			strings.Join(qs, ", "), strings.Join(s.Checks, ", "), strings.Join(s.Risks, ", ")})
	}
	p.table([]column{{title: "Citation", w: 28, mono: true}, {title: "Standard or specification", w: 26}, {title: "Kind", w: 17},
		{title: "Status", w: 15}, {title: "Decision", w: 16}, {title: "Questions", w: 13}, {title: "Scan checks", w: 23}, {title: "Open risks", w: 20}}, rows, 7)
}
