package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/telesra/telesra/questionnaire"
)

// questionnaireSection is section 7: the questionnaire's scores by section and its gaps.
func (p *pdfWriter) questionnaireSection() {
	p.section("7. Questionnaire results", false)
	r := p.r
	p.para(fmt.Sprintf("The practice answered %d of the %d questions asked (%s). The table counts each section's answers; "+
		"section 3 gives each specification's status. Gaps are the answers \"partly\", \"no\" and \"don't know\": each became a risk in the register, merged with the scan's findings "+
		"where both describe the same weakness.", r.Completion.Answers, r.Completion.Asked, percent(r.Completion.Percent)))
	rows := [][]string{}
	for _, s := range r.Scores.Sections {
		rows = append(rows, []string{s.Section.Title, fmt.Sprintf("%d / %d", s.Answered, s.Questions), strconv.Itoa(s.Implemented),
			strconv.Itoa(s.Partial), strconv.Itoa(s.Gap), strconv.Itoa(s.Unknown), strconv.Itoa(s.NotApplicable)})
	}
	p.table([]column{{title: "Section", w: 40}, {title: "Answered", w: 14}, {title: "Implemented", w: 13}, {title: "Partly", w: 10},
		{title: "Not implemented", w: 14}, {title: "Don't know / open", w: 14}, {title: "N/A", w: 8}}, rows, 8.5)
	gaps := questionnaire.Gaps(r.Bank, r.Answers)
	if len(gaps) == 0 {
		return
	}
	bySection := map[string][]questionnaire.Gap{}
	var order []string
	for _, g := range gaps {
		if _, ok := bySection[g.Section.ID]; !ok {
			order = append(order, g.Section.ID)
		}
		bySection[g.Section.ID] = append(bySection[g.Section.ID], g)
	}
	for _, id := range order {
		gs := bySection[id]
		p.sub("Gaps: "+gs[0].Section.Title, true)
		for _, g := range gs {
			p.need(14)
			l, _, _, _ := p.f.GetMargins()
			p.font("B", 9)
			p.f.SetX(l)
			p.f.MultiCell(p.width(), 4.4, cleanText(g.Question.Text), "", "L", false)
			p.font("", 8)
			p.colour(grey)
			extra := ""
			if g.Profile != "" {
				extra = " · proposed rule (NPRM) readiness, not scored against the rule in force"
			}
			p.f.MultiCell(p.width(), 4, fmt.Sprintf("%s · answer: %s · %s%s", g.Question.ID, g.Status.Short(), strings.Join(g.Question.CitationIDs(), ", "), extra), "", "L", false)
			p.colour(ink)
			if g.Notes != "" {
				p.kvBlockAt(0, "Notes", g.Notes)
			}
			p.f.Ln(1.5)
		}
	}
}
