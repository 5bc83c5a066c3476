package report

import (
	"fmt"
	"strings"
)

// compliance is section 3: how much of each group of safeguards is in place, from the
// questionnaire, with readiness for the proposed rule.
func (p *pdfWriter) compliance() {
	p.section("3. Compliance by safeguard", false)
	sc := p.r.Scores
	p.para("How much of each group of HIPAA Security Rule safeguards is in place, from the questionnaire. A citation counts fully " +
		"when every question behind it is answered \"implemented\", half when partly met; unanswered and \"don't know\" count as not met. " +
		"Citations that do not apply are left out.")
	f := p.f
	l, _, _, _ := f.GetMargins()
	labelW, barW := 46.0, p.width()-46-42
	f.Ln(3)
	for _, g := range sc.Safeguards {
		y := f.GetY()
		p.font("", 10)
		p.colour(ink)
		f.SetXY(l, y)
		f.CellFormat(labelW, 8, capitalise(g.Safeguard), "", 0, "L", false, 0, "")
		p.fill(barTrack)
		f.Rect(l+labelW, y+1.5, barW, 5, "F")
		txt := "not applicable"
		if g.Applicable() > 0 {
			pct := g.Compliance()
			c := barBad
			switch {
			case pct >= 80:
				c = barGood
			case pct >= 50:
				c = barMiddle
			}
			p.fill(c)
			if pct > 0 {
				f.Rect(l+labelW, y+1.5, barW*pct/100, 5, "F")
			}
			txt = fmt.Sprintf("%s  (%d of %d met)", percent(pct), g.Implemented, g.Applicable())
		}
		p.font("", 9)
		f.SetXY(l+labelW+barW+3, y)
		f.CellFormat(40, 8, txt, "", 0, "L", false, 0, "")
		f.SetY(y + 10)
	}
	f.Ln(3)
	p.para(fmt.Sprintf("Overall: %s of %d applicable citations met; %d implemented, %d partly, %d not implemented, %d unknown or unanswered.",
		percent(sc.Overall.Compliance()), sc.Overall.Applicable(), sc.Overall.Implemented, sc.Overall.Partial, sc.Overall.Gap, sc.Overall.Unknown))
	if sc.Readiness != nil {
		p.para(fmt.Sprintf("Readiness for the proposed Security Rule (HHS NPRM, 90 FR 898, not final): %d of %d readiness questions implemented. "+
			"These are scored apart and do not count against the rule in force.", sc.Readiness.Implemented, sc.Readiness.Applicable()))
	}
	p.statusTable()
}

// kindWords names a citation's kind for the status table.
var kindWords = map[string]string{"standard": "Standard", "required": "Required", "addressable": "Addressable"}

// statusTable is the status of every standard and implementation specification of 45 CFR
// 164.308-164.316, with what each status rests on.
func (p *pdfWriter) statusTable() {
	r := p.r
	p.newPage(false)
	p.sub("Status by standard and implementation specification", true)
	p.para("Every standard and implementation specification of the Security Rule (45 CFR 164.308-164.316), with its status: " +
		"met, partly met, not met, decision recorded (Addressable, not implemented, the reason written down), unknown, or " +
		"contradicted (answered in place, but the scan found open risks against it). Only questions that the paragraph itself " +
		"demands decide a status; best-practice, supporting and proposed-rule questions are reported but never scored here. " +
		"Questions are numbered as in Appendix A.")
	var rows [][]string
	for _, s := range r.CitationStatuses() {
		var qs []string
		for _, id := range s.Questions {
			qs = append(qs, r.questionNumber(id))
		}
		rows = append(rows, []string{s.Citation.Citation, s.Citation.Name, kindWords[s.Citation.Kind], string(s.Status),
			strings.Join(qs, ", "), strings.Join(s.Checks, ", "), strings.Join(s.Risks, ", ")})
	}
	p.table([]column{{title: "Citation", w: 28, mono: true}, {title: "Standard or specification", w: 33}, {title: "Kind", w: 16},
		{title: "Status", w: 16}, {title: "Questions", w: 16}, {title: "Scan checks", w: 26}, {title: "Open risks", w: 22}}, rows, 7)
}
