package report

// appendixReproduce is Appendix B: the commands that produced this report and that record the
// practice's decisions, kept out of the executive summary, which speaks to the practice owner.
func (p *pdfWriter) appendixReproduce() {
	p.section("Appendix B. How to reproduce", false)
	p.para("The commands that produce and update this report, run in the assessment workspace (DIR). Their output is " +
		"deterministic for the same scan results, answers, remediation plan and knowledge base.")
	rows := [][]string{
		{"Scan the declared scope again", "telesra scan -w DIR"},
		{"Answer or revise the questionnaire", "telesra assess -w DIR"},
		{"Give a risk an owner and a due date", "telesra risks set RISK-ID --owner NAME --due YYYY-MM-DD -w DIR"},
		{"Refresh the knowledge base", "telesra feeds update"},
		{"Write this report set", "telesra report -w DIR"},
		{"Compare two assessments", "telesra diff OLD-DIR NEW-DIR"},
	}
	p.table([]column{{title: "To", w: 40}, {title: "Run", w: 60, mono: true}}, rows, 8)
}
