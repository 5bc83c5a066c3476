package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/questionnaire/level"
	"github.com/telesra/telesra/report/register"
)

// plainLevel says what a level of risk means to a practice, for the executive summary.
var plainLevel = map[register.Level]string{
	level.VeryHigh: "serious harm to patients' information is likely and could happen at any time; act now",
	level.High:     "serious harm to patients' information is likely; fix these within weeks, not months",
	level.Moderate: "harm is possible; plan the fixes for the coming months",
	level.Low:      "exposure is limited; deal with it in routine maintenance",
	level.VeryLow:  "exposure is negligible",
}

// summary is section 1, the executive summary: the overall level in plain words, the counts,
// the draft notice, and the five risks to act on first.
func (p *pdfWriter) summary() {
	r, reg := p.r, p.r.Register
	p.section("1. Executive summary", false)
	if r.Completion.Draft {
		reasons := slices.Clone(r.Completion.Reasons)
		for i, why := range reasons {
			if why == r.Completion.Scope {
				reasons[i] = scopeDraftReason + " (below)" // the scope notice that follows says why
			}
		}
		p.notice("Draft, "+percent(r.Completion.Percent)+" complete", strings.Join(reasons, "; ")+
			". The findings below are real, but the picture is not yet complete.")
	}
	if r.Register.ScopeIncomplete {
		p.notice("Scope incomplete", scopeIncompleteText(r.Register))
	}
	counts := reg.Counts()
	open := 0
	for _, n := range counts {
		open += n
	}
	overall := reg.Overall()
	p.para(fmt.Sprintf("This report is the HIPAA Security Rule risk analysis of %s, prepared by %s. %s, and rates every risk "+
		"with the method of NIST SP 800-30 Rev. 1: how likely a threat is to exploit a weakness, how much harm that would do to "+
		"patients' information, and the resulting level of risk.",
		r.Organisation.Name, nonEmpty(r.Assessor.Name, "the assessor"), evidenceClause(r)))

	// The overall level, large, with what it means.
	p.need(30)
	y := p.f.GetY() + 2
	l, _, _, _ := p.f.GetMargins()
	p.f.SetXY(l, y)
	p.font("", 10)
	p.colour(grey)
	p.f.CellFormat(40, 5, "Overall risk", "", 2, "L", false, 0, "")
	p.f.SetX(l)
	if overall > 0 {
		p.badgeLarge(overall, 40, 13)
	} else {
		p.font("B", 14)
		p.colour(ink)
		p.f.CellFormat(40, 13, "None open", "", 0, "L", false, 0, "")
	}
	p.f.SetXY(l+46, y+5)
	p.font("", 10)
	p.colour(ink)
	msg := "No open risk remains: every risk found is verified or formally accepted."
	if overall > 0 {
		msg = fmt.Sprintf("The overall level is the highest level among the %d open risks. At this level, %s.", open, plainLevel[overall])
	}
	p.f.MultiCell(p.width()-46, pdfLine, msg, "", "L", false)
	p.f.SetY(max(p.f.GetY(), y+20) + 3)

	// Counts by level.
	p.f.SetX(l)
	cw := p.width() / 5
	for i := 4; i >= 0; i-- {
		lv := register.Levels()[i]
		p.badge(lv, cw-2, 6)
		p.f.SetX(p.f.GetX() + 2)
	}
	p.f.Ln(6)
	p.f.SetX(l)
	p.font("B", 16)
	for i := 4; i >= 0; i-- {
		p.f.CellFormat(cw-2, 9, strconv.Itoa(counts[register.Levels()[i]]), "", 0, "C", false, 0, "")
		p.f.SetX(p.f.GetX() + 2)
	}
	p.f.Ln(12)

	p.sub("What needs attention first", false)
	top := p.openRisks(5)
	if len(top) == 0 {
		p.para("Nothing: no open risk remains.")
	}
	for _, k := range top {
		p.bullet(fmt.Sprintf("%s (%s): %s %s. %s", k.Level, k.ID, k.Title, where(k.Asset), firstSentence(k.Remediation)))
	}
	p.sub("Safeguards in place", false)
	sc := r.Scores
	if sc.Overall.Questions > 0 && sc.Overall.Answered > 0 {
		o := sc.Overall.Statuses
		var worst []string
		for _, g := range sc.Safeguards {
			if n := g.Statuses.Count(questionnaire.StatusNotMet) + g.Statuses.Count(questionnaire.StatusContradicted); n > 0 {
				worst = append(worst, fmt.Sprintf("%s %d", g.Safeguard, n))
			}
		}
		text := fmt.Sprintf("Of the %d HIPAA Security Rule standards and implementation specifications: %s.", o.Total(), statusWords(o))
		if len(worst) > 0 {
			text += " Not met or contradicted, by safeguard: " + strings.Join(worst, ", ") + "."
		}
		if o.DecisionsMissing > 0 {
			text += fmt.Sprintf(" %d Addressable specification(s) lack the decision 45 CFR 164.306(d)(3) requires.", o.DecisionsMissing)
		}
		p.para(text + " Section 3 shows each area and each specification.")
	} else {
		p.para("The questionnaire has not been answered yet, so this report cannot say which safeguards are in place.")
	}
	p.sub("Next steps", false)
	p.bullet("Give every High and Very High risk an owner and a due date, and start with them (Appendix B shows how to record them).")
	p.bullet("Fix, then scan again and update the answers: risks that are no longer detected show as \"fixed, verify\" until someone verifies them.")
	p.bullet("Accept a risk only in writing, with an approver, a reason and an expiry date; review the analysis at least once a year and after any major change.")
}

// evidenceClause says what the analysis rests on, for the summary's first sentence: a report
// without a scan never claims one.
func evidenceClause(r *Report) string {
	q := fmt.Sprintf("a questionnaire on the practice's safeguards (%d of %d questions answered)", r.Completion.Answers, r.Completion.Asked)
	if r.Scan == nil {
		return "It rests on " + q + " alone: no network scan was run, so nothing here was observed on the practice's systems"
	}
	return fmt.Sprintf("It combines an automated, authorised scan of %d network service(s) with %s", len(r.Scan.Endpoints), q)
}

// openRisks returns up to n open risks, highest first (the register's order).
func (p *pdfWriter) openRisks(n int) []*register.Risk {
	var out []*register.Risk
	for _, k := range p.r.Register.Risks {
		if k.Open() {
			out = append(out, k)
			if len(out) == n {
				break
			}
		}
	}
	return out
}

// where says where a risk lies, for a sentence: "on Patient portal (host:443)" or
// "across the practice (Logins, encryption & monitoring)".
func where(a register.Asset) string {
	if a.Kind == register.KindPractice {
		return "across the practice (" + a.Name + ")"
	}
	return "on " + a.Label()
}

// firstSentence cuts a remediation to its first sentence for a summary line. A full stop after
// an abbreviation ("NIST SP 800-52 Rev. 2", "e.g. nginx") does not end a sentence.
func firstSentence(s string) string {
	from := 0
	for {
		i := strings.Index(s[from:], ". ")
		if i < 0 {
			return s
		}
		i += from
		words := strings.Fields(s[:i])
		last := ""
		if len(words) > 0 {
			last = words[len(words)-1]
		}
		if !abbreviation(last) {
			return s[:i+1]
		}
		from = i + 2
	}
}

// abbreviation reports whether a word before a full stop is an abbreviation, not a sentence's end.
func abbreviation(w string) bool {
	switch strings.ToLower(strings.TrimLeft(w, "(")) {
	case "rev", "e.g", "i.e", "etc", "vs", "no", "sp", "st", "dr", "inc", "ltd", "fig", "sec", "cf":
		return true
	}
	return len(w) == 1 && w >= "A" && w <= "Z"
}
