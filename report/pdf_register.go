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
		len(reg.Risks))+overrideIntro(reg), "", "L", false)
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
		if k.PotentialOnly {
			threat += "\nPotential only: every finding is inferred from a version, not observed"
		}
		likelihood, impact := registerRatingCells(k)
		cites := citationLabels(k)
		if len(k.DecisionsMissing) > 0 {
			// Missing decisions are gaps (164.306(d)(3)): said where the citations are.
			cites = append(cites, "No decision recorded: "+strings.Join(k.DecisionsMissing, ", "))
		}
		rows[i] = []string{k.ID, assetCell(k), threat, strings.Join(p.controlSentences(k), "\n"),
			likelihood, impact, registerLevelCell(k), strings.Join(cites, "\n"),
			strings.Join(p.evidenceWords(k), "\n"), k.Remediation, owner}
	}
	cols := []column{
		{title: "ID", w: 17, mono: true}, {title: "Asset", w: 22}, {title: "Threat and vulnerability", w: 37}, {title: "Existing controls", w: 23},
		{title: "Likelihood and rules", w: 25}, {title: "Impact and rules", w: 19},
		{title: "Risk level", w: 14, level: func(i int) register.Level { return reg.Risks[i].Level }},
		{title: "HIPAA", w: 23}, {title: "Evidence", w: 25}, {title: "Remediation", w: 29}, {title: "Owner, due, status", w: 20},
	}
	p.table(cols, rows, 6.8)
}

// exposureNote says what an asset holds and where it can be reached, under its name.
func exposureNote(a register.Asset) string {
	if a.Kind == "" || a.Kind == register.KindPractice {
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

// controlSentences are a risk's existing controls in sentences: what the practice says is in
// place, with the question's number, rather than the question's ID.
func (p *pdfWriter) controlSentences(k *register.Risk) []string {
	var out []string
	for _, c := range k.Controls {
		s := fmt.Sprintf("The practice answers %s to \"%s\" (question %s)", strings.ToLower(c.Status.Short()),
			strings.TrimSuffix(c.Text, "?")+"?", p.r.questionNumber(c.Question))
		if c.Notes != "" {
			s += ": " + c.Notes
		}
		s += "."
		if c.Verified != nil {
			s += " Verified by scan: " + c.Verified.Summary() + "."
		}
		out = append(out, s)
	}
	// A contradicted answer is printed beside the controls, as what it is: not a control. The
	// findings behind it are named in the Evidence column (their IDs in the JSON register).
	for _, c := range k.Contradicted {
		out = append(out, fmt.Sprintf("Not a control: question %s (%s) is contradicted by the scan: %s.",
			p.r.questionNumber(c.Question), strings.ToLower(c.Status.Short()), strings.Join(c.Reasons, "; ")))
	}
	return out
}

// evidenceWords names what a risk rests on: each finding by its title and target, each answer by
// its question's number. The IDs are in the JSON register and Appendix A.
func (p *pdfWriter) evidenceWords(k *register.Risk) []string {
	byID := p.r.findingsByID()
	var out []string
	for _, id := range k.Findings {
		if f, ok := byID[id]; ok {
			out = append(out, "Scan: "+f.Title+" on "+f.Target)
		} else {
			out = append(out, "Scan finding "+id)
		}
	}
	for _, id := range k.Answers {
		a := p.r.Answers.Get(id)
		out = append(out, fmt.Sprintf("Answer to question %s: %s", p.r.questionNumber(id), strings.ToLower(nonEmpty(a.Status.Short(), "unanswered"))))
	}
	return out
}
