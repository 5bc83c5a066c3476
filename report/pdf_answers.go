package report

import (
	"strings"

	"github.com/telesra/telesra/questionnaire"
)

// appendixAnswers is Appendix A: every question asked, with its answer and notes, by section.
func (p *pdfWriter) appendixAnswers() {
	p.section("Appendix A. Questionnaire answers", false)
	r := p.r
	p.para("Every question asked, with the practice's answer, notes and evidence, as recorded in answers.yaml.")
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
			rows = append(rows, []string{r.questionNumber(q.ID) + "\n" + q.ID, q.Text, a.Status.Short(), notes})
		}
		if len(rows) == 0 {
			continue
		}
		p.sub(sec.Title, true)
		p.table([]column{{title: "No. and ID", w: 27, mono: true}, {title: "Question", w: 50}, {title: "Answer", w: 14}, {title: "Notes and evidence", w: 40}}, rows, 7.5)
	}
}
