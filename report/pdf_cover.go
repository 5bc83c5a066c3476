package report

import (
	"fmt"
	"strings"
)

// cover is the first page: title, organisation, assessor, dates, scope and the overall level.
func (p *pdfWriter) cover() {
	f, r := p.f, p.r
	f.AddPage()
	f.Bookmark("Cover", 0, 0)
	w, h := f.GetPageSize()
	p.fill(navy)
	f.Rect(0, 0, w, 70, "F")
	p.colour(rgb{255, 255, 255})
	p.font("B", 9)
	f.SetXY(pdfMargin, 16)
	f.CellFormat(0, 5, "CONFIDENTIAL", "", 1, "L", false, 0, "")
	p.font("B", 26)
	f.SetXY(pdfMargin, 30)
	f.MultiCell(w-2*pdfMargin, 11, r.Title, "", "L", false)
	p.font("", 13)
	f.SetX(pdfMargin)
	f.MultiCell(w-2*pdfMargin, 6, "HIPAA Security Rule risk analysis, 45 CFR 164.308(a)(1)(ii)(A)", "", "L", false)

	f.SetXY(pdfMargin, 86)
	p.colour(grey)
	p.font("", 10)
	f.CellFormat(0, 5, "Prepared for", "", 1, "L", false, 0, "")
	p.colour(ink)
	p.font("B", 20)
	f.MultiCell(w-2*pdfMargin, 9, cleanText(r.Organisation.Name), "", "L", false)
	if r.Address != "" {
		p.font("", 10)
		f.MultiCell(w-2*pdfMargin, 5, cleanText(r.Address), "", "L", false)
	}
	f.Ln(8)
	rows := [][2]string{
		{"Assessor", strings.TrimSpace(r.Assessor.Name + " " + paren(r.Assessor.Organisation))},
		{"Assessment date", r.AssessmentDate},
		{"Report date", r.Generated.UTC().Format("2006-01-02")},
		{"Scope", scopeLine(r)},
		{"Report status", draftOrFinal(r.Completion)},
		{"Approval", approvalLine(r)},
	}
	for _, kv := range rows {
		p.font("", 10)
		p.colour(grey)
		f.SetX(pdfMargin)
		f.CellFormat(38, 6, kv[0], "", 0, "L", false, 0, "")
		p.colour(ink)
		p.font("B", 10)
		if (kv[0] == "Report status" && r.Completion.Draft) || (kv[0] == "Approval" && len(r.CurrentApprovals()) == 0) {
			p.colour(draftRed)
		}
		f.MultiCell(w-2*pdfMargin-38, 6, cleanText(kv[1]), "", "L", false)
		p.colour(ink)
	}
	if r.Completion.Draft {
		f.Ln(4)
		p.font("", 9)
		p.colour(draftRed)
		f.SetX(pdfMargin)
		f.MultiCell(w-2*pdfMargin, 4.5, "This is a draft: "+strings.Join(r.Completion.Reasons, "; ")+".", "", "L", false)
		p.colour(ink)
	}
	if ws := r.DataWarnings(); len(ws) > 0 {
		f.Ln(3)
		p.font("", 9)
		p.colour(draftRed)
		f.SetX(pdfMargin)
		f.MultiCell(w-2*pdfMargin, 4.5, cleanText("Reference data out of date: "+strings.Join(ws, "; ")+
			". Findings rest on data of that age; refresh the knowledge base and scan again before relying on them."), "", "L", false)
		p.colour(ink)
	}
	// The confidentiality notice, boxed at the foot of the cover.
	y := h - 62
	p.draw(navy)
	f.SetLineWidth(0.4)
	f.Rect(pdfMargin, y, w-2*pdfMargin, 34, "D")
	f.SetXY(pdfMargin+5, y+4)
	p.font("B", 10)
	p.colour(navy)
	f.CellFormat(0, 5, "CONFIDENTIAL", "", 1, "L", false, 0, "")
	f.SetX(pdfMargin + 5)
	p.font("", 8.5)
	p.colour(ink)
	f.MultiCell(w-2*pdfMargin-10, 4.2, "This report describes security weaknesses of "+cleanText(r.Organisation.Name)+
		" and how they could be exploited. Share it only with the people responsible for fixing them and with "+
		"auditors entitled to see it. Keep it with the practice's HIPAA documentation for six years "+
		"(45 CFR 164.316(b)(2)(i)).", "", "L", false)
}

// scopeLine says what the assessment covered, in one line for the cover.
func scopeLine(r *Report) string {
	s := fmt.Sprintf("%d scan target(s)", len(r.Scope.Targets))
	if len(r.Scope.Exclusions) > 0 {
		s += fmt.Sprintf(", %d exclusion(s)", len(r.Scope.Exclusions))
	}
	s += fmt.Sprintf("; questionnaire of %d questions", r.Completion.Asked)
	if n := len(r.Register.Inventory); n > 0 {
		s += fmt.Sprintf("; %d asset(s) in the inventory", n)
	}
	if r.Register.ScopeIncomplete {
		s += "; SCOPE INCOMPLETE (see the executive summary)"
	}
	if r.Scope.Description != "" {
		s = r.Scope.Description + " (" + s + ")"
	}
	return s
}

// approvalLine says who approved the report, or that no one has: an approval of an earlier
// state of the inputs is named, never counted.
func approvalLine(r *Report) string {
	var cur, old []string
	for _, a := range r.Approvals {
		if a.Current {
			cur = append(cur, fmt.Sprintf("%s (%s) on %s", a.By, a.Role, a.Date))
		} else {
			old = append(old, fmt.Sprintf("by %s on %s", a.By, a.Date))
		}
	}
	switch {
	case len(cur) > 0:
		return "Approved by " + strings.Join(cur, "; ")
	case len(old) == 1:
		return "Not approved: the approval " + old[0] + " was of an earlier state of the assessment (its inputs changed since)"
	case len(old) > 1:
		return "Not approved: the approvals " + strings.Join(old, ", ") + " were of earlier states of the assessment (its inputs changed since)"
	}
	return "Not approved: no approval has been recorded and the sign-off (section 10) is not signed"
}
