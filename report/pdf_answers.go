package report

import (
	"slices"
	"strings"

	"github.com/telesra/telesra/questionnaire"
)

// appendixAnswers is Appendix A: every question asked, with its answer and notes, by section.
func (p *pdfWriter) appendixAnswers() {
	p.section("Appendix A. Questionnaire answers", false)
	r := p.r
	p.para("Every question asked, with the practice's answer, notes and evidence, as recorded in answers.yaml.")
	p.answerMarks()
	for _, sec := range r.Bank.SectionsFor(r.Answers.Profiles) {
		var rows [][]string
		for _, q := range sec.Questions {
			if r.Bank.Visibility(q, r.Answers) != questionnaire.Asked {
				continue
			}
			a := r.Answers.Get(q.ID)
			notes := a.Notes
			if len(a.Evidence) > 0 {
				notes = strings.TrimSpace(notes + "\nEvidence: " + strings.Join(a.Evidence, ", "))
			}
			answer := a.Status.Short()
			if m, ok := markOf(r.Register, q.ID); ok {
				answer += "\n" + capitalise(m.State)
			}
			rows = append(rows, []string{r.questionNumber(q.ID) + "\n" + q.ID, q.Text, answer, notes})
		}
		if len(rows) == 0 {
			continue
		}
		p.sub(sec.Title, true)
		p.table([]column{{title: "No. and ID", w: 27, mono: true}, {title: "Question", w: 50}, {title: "Answer", w: 14}, {title: "Notes and evidence", w: 40}}, rows, 7.5)
	}
}

// answerMarks lists, before the answers, those the scan contradicts or verifies: a reader of the
// answers sees at once which of them the evidence disproves and which it bears out.
func (p *pdfWriter) answerMarks() {
	marks := answerMarks(p.r.Register)
	if len(marks) == 0 {
		return
	}
	p.sub("Answers the scan contradicts or verifies", true)
	p.para("A contradicted answer counts as no existing control and lowers no likelihood; a verified one rests on checks " +
		"that ran on the assets named and found nothing (templates/risk/reconciliation.yaml, docs/scoring.md).")
	byID := p.r.findingsByID()
	var rows [][]string
	for _, m := range marks {
		what := capitalise(m.Why()) + "."
		if m.State == markContradicted {
			var titles []string
			for _, id := range m.Evidence {
				if f, ok := byID[id]; ok && !slices.Contains(titles, f.Title) {
					titles = append(titles, f.Title)
				}
			}
			what += " Found: " + strings.Join(titles, "; ") + "."
		} else {
			what += " Checks that passed: " + strings.Join(m.Evidence, ", ") + "."
		}
		rows = append(rows, []string{p.r.questionNumber(m.Question) + "\n" + m.Question, m.Answer + "\n" + capitalise(m.State),
			what, strings.Join(m.Assets, "\n")})
	}
	p.table([]column{{title: "No. and ID", w: 27, mono: true}, {title: "Answer and scan", w: 24}, {title: "Why", w: 50},
		{title: "Assets", w: 30}}, rows, 7.5)
}
