package report

import (
	"fmt"
	"strings"

	"github.com/telesra/telesra/report/register"
)

// topRisks is section 4: the ten highest open risks, each as a block never split across
// pages.
func (p *pdfWriter) topRisks() {
	p.section("4. Top risks", false)
	top := p.openRisks(10)
	if len(top) == 0 {
		p.para("No open risk.")
		return
	}
	p.para(fmt.Sprintf("The %d highest open risks, with why they are rated as they are and what to do. Every risk is in the full register (section 5).", len(top)))
	f := p.f
	for _, k := range top {
		p.need(p.topRiskHeight(k) + 4)
		l, _, _, _ := f.GetMargins()
		y := f.GetY()
		p.draw(rule)
		f.SetLineWidth(0.2)
		f.Line(l, y, l+p.width(), y)
		f.SetXY(l, y+2)
		p.badge(k.Level, 22, 5.5)
		f.SetX(f.GetX() + 3)
		p.font("B", 10.5)
		p.f.MultiCell(p.width()-25, 5.5, cleanText(k.Title)+"  ", "", "L", false)
		p.font("", 8.5)
		p.colour(grey)
		f.SetX(l + 25)
		f.MultiCell(p.width()-25, 4.2, k.ID+" · "+cleanText(k.Asset.Label()), "", "L", false)
		p.colour(ink)
		f.Ln(1)
		for _, kv := range p.topRiskKV(k) {
			p.kvBlock(kv[0], kv[1])
		}
		f.Ln(2)
	}
}

// topRiskKV is what a top-risk block lists, in order.
func (p *pdfWriter) topRiskKV(k *register.Risk) [][2]string {
	return [][2]string{{"Threat", threatText(k)}, {"Vulnerability", k.Vulnerability}, {"Likelihood", k.Likelihood.Reason},
		{"Impact", k.Impact.Reason}, {"Existing controls", strings.Join(p.controlSentences(k), " ")},
		{"HIPAA", strings.Join(citationLabels(k), ", ")}, {"Remediation", k.Remediation}}
}

// topRiskHeight measures a top-risk block so that it is never split across pages.
func (p *pdfWriter) topRiskHeight(k *register.Risk) float64 {
	p.font("B", 10.5)
	h := 2 + 5.5*float64(len(p.f.SplitText(cleanText(k.Title)+"  ", p.width()-25)))
	p.font("", 8.5)
	h += 4.2*float64(len(p.f.SplitText(k.ID+" · "+cleanText(k.Asset.Label()), p.width()-25))) + 1
	for _, kv := range p.topRiskKV(k) {
		if strings.TrimSpace(kv[1]) != "" {
			h += 4.2*float64(len(p.f.SplitText(cleanText(kv[1]), p.width()-53))) + 0.5
		}
	}
	return h + 2
}
