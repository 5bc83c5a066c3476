package report

import (
	"fmt"
	"strings"

	"github.com/telesra/telesra/questionnaire/level"
	"github.com/telesra/telesra/report/register"
)

// attestation is what the assessor signs: what was done, on what it rests, and what it is not.
const attestation = "I attest that this risk analysis was performed as described in the methodology, within the scope stated above, " +
	"and that its findings, ratings and status table fairly reflect the scan results and the answers the practice gave as of the " +
	"assessment date. Answers were taken in good faith and checked against the scan where a check covers them; they were not " +
	"otherwise audited. This analysis is the practice's risk analysis under 45 CFR 164.308(a)(1)(ii)(A); it is not a " +
	"certification of compliance."

// signOff is the last numbered section: the scope statement, the assessor, the attestation, the
// management response to every High and Very High risk, and the signature lines.
func (p *pdfWriter) signOff() {
	r := p.r
	p.section("10. Sign-off", false)
	p.sub("Scope", false)
	p.para(scopeStatement(r))
	p.sub("Assessor", false)
	p.kvBlock("Name", nonEmpty(r.Assessor.Name, "not recorded"))
	p.kvBlock("Organisation", nonEmpty(r.Assessor.Organisation, "not recorded"))
	p.kvBlock("Qualifications", nonEmpty(r.Qualifications, "not recorded (assessor.qualifications in assessment.yaml)"))
	p.kvBlock("Independence", nonEmpty(r.Independence, "not recorded (assessor.independence in assessment.yaml)"))
	p.sub("Attestation", false)
	p.para(attestation)

	p.sub("Management response to High and Very High risks", false)
	var rows [][]string
	var levels []register.Level
	for _, k := range r.Register.Risks {
		if !k.Open() || k.Level < level.High {
			continue
		}
		resp := strings.TrimSpace(k.Notes)
		if k.Status != "" && k.Status != register.StatusOpen {
			resp = strings.TrimSpace(k.Status.Label() + ". " + resp)
		}
		rows = append(rows, []string{k.Level.String(), k.Title + " " + where(k.Asset), nonEmpty(k.Owner, "none"), nonEmpty(k.Due, "none"),
			nonEmpty(resp, "No response recorded")})
		levels = append(levels, k.Level)
	}
	if len(rows) == 0 {
		p.para("No High or Very High risk is open.")
	} else {
		p.para("The practice's response to each open High and Very High risk, from its remediation plan (remediation.yaml): " +
			"who owns it, by when, and what the practice will do. A risk without an owner and a due date has no response yet.")
		p.table([]column{{title: "Level", w: 12, level: func(i int) register.Level { return levels[i] }}, {title: "Risk", w: 46},
			{title: "Owner", w: 18}, {title: "Due", w: 14}, {title: "Response", w: 40}}, rows, 7.5)
	}

	// The approval and both signature lines stay on one page, with their heading.
	p.need(75 + 12*float64(len(r.Approvals)))
	p.sub("Approval", false)
	if len(r.CurrentApprovals()) == 0 {
		p.para("This report has not been approved electronically. Sign below, or record the approval (telesra report approve) " +
			"so the next report carries it.")
	}
	for _, a := range r.Approvals {
		p.bullet(approvalText(a))
	}
	for _, who := range []string{"Assessor: " + nonEmpty(r.Assessor.Name, ""), "Practice owner or security official, " + r.Organisation.Name} {
		p.signatureLine(who)
	}
}

// approvalText is one approval in the sign-off, with the digest that binds it to its inputs.
func approvalText(a Approval) string {
	s := fmt.Sprintf("Approved by %s (%s) on %s, inputs sha256 %s.", a.By, a.Role, a.Date, ShortDigest(a.Digest))
	if !a.Current {
		s = fmt.Sprintf("Superseded: the approval by %s (%s) on %s was of inputs sha256 %s, which have changed since; "+
			"it does not approve this report.", a.By, a.Role, a.Date, ShortDigest(a.Digest))
	}
	if st := strings.TrimSpace(a.Statement); st != "" {
		s += " Statement: " + strings.Join(strings.Fields(st), " ")
	}
	return s
}

// signatureLine draws a line to sign on and a line for the date, with who signs beneath.
func (p *pdfWriter) signatureLine(who string) {
	f := p.f
	l, _, _, _ := f.GetMargins()
	f.Ln(12)
	y := f.GetY()
	p.draw(ink)
	f.SetLineWidth(0.3)
	f.Line(l, y, l+100, y)
	f.Line(l+115, y, l+160, y)
	p.font("", 8.5)
	p.colour(grey)
	f.SetXY(l, y+1)
	f.CellFormat(100, 4, cleanText(strings.TrimSuffix(strings.TrimSpace(who), ":")), "", 0, "L", false, 0, "")
	f.SetXY(l+115, y+1)
	f.CellFormat(45, 4, "Date", "", 1, "L", false, 0, "")
	p.colour(ink)
}

// scopeStatement says what the assessment covered and what it did not, in sentences.
func scopeStatement(r *Report) string {
	var b strings.Builder
	if r.Scope.Description != "" {
		b.WriteString(strings.TrimSuffix(strings.TrimSpace(r.Scope.Description), ".") + ". ")
	}
	switch {
	case r.Scan == nil:
		fmt.Fprintf(&b, "No network scan was run: %d target(s) are declared in scope, none was scanned, so this report "+
			"rests on the questionnaire alone. ", len(r.Scope.Targets))
	default:
		fmt.Fprintf(&b, "The scan covered %d network service(s) on the %d declared target(s) (%s). ", len(r.Scan.Endpoints),
			len(r.Scope.Targets), r.Completion.Scan)
	}
	if len(r.Scope.Exclusions) > 0 {
		fmt.Fprintf(&b, "Excluded: %s. ", strings.Join(r.Scope.Exclusions, ", "))
	}
	if len(r.Scope.EPHISystems) > 0 {
		fmt.Fprintf(&b, "Systems holding ePHI named by the practice: %s. ", strings.Join(r.Scope.EPHISystems, ", "))
	}
	fmt.Fprintf(&b, "The questionnaire asked %d questions; %d were answered.", r.Completion.Asked, r.Completion.Answers)
	return b.String()
}
