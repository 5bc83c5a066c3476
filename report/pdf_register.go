package report

import (
	"fmt"
	"strings"

	"github.com/telesra/telesra/report/register"
)

// registerTable is section 5: the whole register on landscape pages, one row per risk.
func (p *pdfWriter) registerTable() {
	p.section("5. Risk register", true)
	reg := p.r.Register
	p.font("", 8.5)
	p.f.MultiCell(p.width(), 4, fmt.Sprintf("Every risk of the assessment (%d), highest level first. Likelihood and impact follow NIST SP 800-30 Rev. 1 "+
		"and name the scoring rules that set them (section 9); the level of risk is Table I-2 of the same publication. Evidence lists "+
		"the scan findings (section 6) and questionnaire answers (appendix A) behind each risk. (R) Required, (A) Addressable, (S) Standard.",
		len(reg.Risks)), "", "L", false)
	p.f.Ln(2)
	rows := make([][]string, len(reg.Risks))
	for i, k := range reg.Risks {
		threat := "Threat (" + k.ThreatSource + "): " + k.ThreatEvent + "\nVulnerability: " + k.Vulnerability
		if !k.Detected {
			threat = k.Title + "\n(no longer detected)"
		}
		owner := strings.TrimSpace(nonEmpty(k.Owner, "no owner") + "\nDue " + nonEmpty(k.Due, "not set") + "\n" + statusText(k))
		if k.StatusNote != "" {
			owner += "\n" + k.StatusNote
		}
		rows[i] = []string{k.ID, k.Asset.Label() + "\n" + k.Asset.Kind + exposureNote(k.Asset), threat, strings.Join(controlsText(k), "\n"),
			ratingCell(k.Likelihood), ratingCell(k.Impact), levelOrDash(k.Level), strings.Join(citationLabels(k), "\n"),
			strings.Join(append(append([]string{}, k.Findings...), k.Answers...), "\n"), k.Remediation, owner}
	}
	cols := []column{
		{title: "ID", w: 17, mono: true}, {title: "Asset", w: 22}, {title: "Threat and vulnerability", w: 37}, {title: "Existing controls", w: 23},
		{title: "Likelihood and rules", w: 25}, {title: "Impact and rules", w: 19},
		{title: "Risk level", w: 14, level: func(i int) register.Level { return reg.Risks[i].Level }},
		{title: "HIPAA", w: 23}, {title: "Evidence", w: 25, mono: true}, {title: "Remediation", w: 29}, {title: "Owner, due, status", w: 20},
	}
	p.table(cols, rows, 6.8)
}

// exposureNote says what an asset holds and where it can be reached, under its name.
func exposureNote(a register.Asset) string {
	if a.Kind == "" || a.Kind == "practice area" {
		return ""
	}
	s := ", " + a.Exposure
	switch a.HasEPHI {
	case register.EPHIYes:
		s += ", ePHI"
	case register.EPHINo:
		s += ", no ePHI"
	}
	return s
}

// ratingCell is a level with the rules that set it, for the register table.
func ratingCell(r register.Rating) string {
	if r.Level == 0 {
		return "-"
	}
	out := r.Level.String()
	for _, st := range r.Steps {
		if st.Effect == "" {
			out += "\n(" + st.Rule + ")"
		} else {
			out += "\n" + st.Effect + " " + st.Rule
		}
	}
	return out
}
