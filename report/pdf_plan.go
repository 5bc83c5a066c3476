package report

import (
	"github.com/telesra/telesra/report/register"
)

// planSection is section 8: the risks that need work, by due date, with owner and status.
func (p *pdfWriter) planSection() {
	p.section("8. Remediation plan", false)
	plan := p.r.planOrder()
	p.para("The risks that still need work, by due date (undated last, then by level). Owners, due dates and statuses come from " +
		"remediation.yaml in the assessment workspace; set them with telesra risks set. Verified and accepted risks are not listed.")
	if len(plan) == 0 {
		p.para("Nothing to do: every risk is verified or accepted.")
		return
	}
	rows := make([][]string, len(plan))
	for i, k := range plan {
		st := statusText(k)
		if k.StatusNote != "" {
			st += "\n" + k.StatusNote
		}
		rows[i] = []string{nonEmpty(k.Due, "not set"), k.ID, levelOrDash(k.Level), k.Title + "\n" + k.Asset.Label(), k.Remediation, nonEmpty(k.Owner, "-"), st}
	}
	p.table([]column{{title: "Due", w: 14}, {title: "Risk", w: 17, mono: true},
		{title: "Level", w: 15, level: func(i int) register.Level { return plan[i].Level }},
		{title: "Risk and asset", w: 32}, {title: "Remediation", w: 44}, {title: "Owner", w: 16}, {title: "Status", w: 16}}, rows, 7.5)
}
