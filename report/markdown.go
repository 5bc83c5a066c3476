package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/telesra/telesra/report/register"
)

// mdHTML neutralises raw HTML, which Markdown renderers pass through: names and banners are
// text someone else chose.
var mdHTML = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// mdCell makes text safe inside a Markdown table cell: cleaned, one line, HTML and pipes
// escaped.
func mdCell(s string) string {
	s = mdHTML.Replace(cleanText(s))
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.TrimSpace(s)
}

// WriteMarkdown writes a summary for a ticket, a wiki or an email: the overall level, the
// counts and heat map, the risks that need work with their owners and due dates.
func WriteMarkdown(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: %s\n\n", mdCell(r.Title), mdCell(r.Organisation.Name))
	if r.Completion.Draft {
		fmt.Fprintf(&b, "> **%s.** %s.\n\n", r.Completion.Label(), mdCell(strings.Join(r.Completion.Reasons, "; ")))
	}
	fmt.Fprintf(&b, "Assessor: %s · Assessment date: %s · Generated: %s\n\n", mdCell(r.Assessor.Name), mdCell(r.AssessmentDate), r.Generated.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "Approval: %s.\n\n", mdCell(approvalLine(r)))
	counts := r.Register.Counts()
	open := 0
	for _, n := range counts {
		open += n
	}
	overall := "none"
	if l := r.Register.Overall(); l > 0 {
		overall = l.String()
	}
	fmt.Fprintf(&b, "## Summary\n\nOverall risk: **%s** (the highest level among %d open risks).\n\n", overall, open)
	if n := r.Register.Accepted(); n > 0 {
		fmt.Fprintf(&b, "Accepted risks: %d (not counted as open; in the heat map in brackets, and in the register with who accepted them and why).\n\n", n)
	}
	b.WriteString("| Level | Open risks |\n|---|---:|\n")
	for i := len(register.Levels()) - 1; i >= 0; i-- {
		l := register.Levels()[i]
		fmt.Fprintf(&b, "| %s | %d |\n", l, counts[l])
	}
	fmt.Fprintf(&b, "\nHIPAA Security Rule status of the %d standards and implementation specifications: %s (questionnaire %s complete). Scan: %s, %d findings.\n\n",
		r.Scores.Overall.Statuses.Total(), statusWords(r.Scores.Overall.Statuses), percent(r.Completion.Percent), r.Completion.Scan, len(r.Register.Findings))
	if ws := r.DataWarnings(); len(ws) > 0 {
		fmt.Fprintf(&b, "> **Reference data out of date:** %s. Refresh it with `telesra feeds update` and scan again.\n\n", strings.Join(ws, "; "))
	}

	b.WriteString("## Heat map (open risks)\n\n| Likelihood \\ Impact | Very Low | Low | Moderate | High | Very High |\n|---|---:|---:|---:|---:|---:|\n")
	heat, accepted := r.Register.Heat(), r.Register.HeatAccepted()
	for i := 4; i >= 0; i-- {
		fmt.Fprintf(&b, "| %s |", register.Levels()[i])
		for j := 0; j < 5; j++ {
			if accepted[i][j] > 0 {
				fmt.Fprintf(&b, " %d (+%d accepted) |", heat[i][j], accepted[i][j])
				continue
			}
			fmt.Fprintf(&b, " %d |", heat[i][j])
		}
		b.WriteString("\n")
	}

	b.WriteString("\n## Risks\n\n| ID | Level | Asset | Risk | HIPAA | Owner | Due | Status |\n|---|---|---|---|---|---|---|---|\n")
	for _, k := range r.Register.Risks {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", k.ID, levelOrDash(k.Level)+overrideSuffix(k), mdCell(k.Asset.Label()), mdCell(k.Title),
			mdCell(strings.Join(citationLabels(k), ", ")), mdCell(k.Owner), mdCell(k.Due), mdCell(statusText(k)))
	}
	writeMarkdownOverrides(&b, r.Register)
	if marks := answerMarks(r.Register); len(marks) > 0 {
		// What the scan says of the answers: a contradicted one counts as no control, a verified
		// one rests on checks that ran on the assets named.
		b.WriteString("\n## Answers vs scan\n\n| Question | Answer | Scan | Why | Findings or checks | Assets |\n|---|---|---|---|---|---|\n")
		for _, m := range marks {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", m.Question, m.Answer, m.State, mdCell(m.Why()),
				mdCell(strings.Join(m.Evidence, ", ")), mdCell(strings.Join(m.Assets, ", ")))
		}
	}
	plan := r.planOrder()
	b.WriteString("\n## Remediation plan\n\n")
	if len(plan) == 0 {
		b.WriteString("Nothing to do: every risk is verified or accepted.\n")
	} else {
		b.WriteString("| Due | ID | Level | Owner | Remediation | Status |\n|---|---|---|---|---|---|\n")
		for _, k := range plan {
			due := k.Due
			if due == "" {
				due = "not set"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", due, k.ID, levelOrDash(k.Level), mdCell(k.Owner), mdCell(k.Remediation), mdCell(statusText(k)))
		}
	}
	writeMarkdownStatus(&b, r)
	fmt.Fprintf(&b, "\nScored with NIST SP 800-30 Rev. 1 (Table I-2), telesra scoring rules %s. Every risk's likelihood and impact name the rules that set them (risk-register.json).\n", r.Register.Rules.Version)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeMarkdownOverrides lists the risks an assessor rated, computed and final side by side,
// with who, when and why.
func writeMarkdownOverrides(b *strings.Builder, reg *register.Register) {
	var rated []*register.Risk
	for _, k := range reg.Risks {
		if k.Override != nil {
			rated = append(rated, k)
		}
	}
	if len(rated) == 0 {
		return
	}
	b.WriteString("\n## Assessor overrides\n\nThe assessor's rating is the final one; the rules' rating is kept beside it.\n\n")
	for _, k := range rated {
		fmt.Fprintf(b, "- %s (%s): %s.", k.ID, mdCell(k.Asset.Label()), mdCell(overrideSentence(k)))
		if k.OverrideNote != "" {
			fmt.Fprintf(b, " **Re-confirm:** %s.", mdCell(k.OverrideNote))
		}
		b.WriteString("\n")
	}
}

// writeMarkdownStatus is the status of every standard and implementation specification, with
// the decisions on Addressable ones.
func writeMarkdownStatus(b *strings.Builder, r *Report) {
	b.WriteString("\n## HIPAA Security Rule status\n\n| Citation | Standard or specification | Kind | Status | Decision |\n|---|---|---|---|---|\n")
	for _, s := range r.CitationStatuses() {
		decision := ""
		switch {
		case s.Decision != nil:
			decision = s.Decision.Summary()
		case s.DecisionMissing:
			decision = "decision missing"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", s.Citation.Citation, mdCell(s.Citation.Name), kindWords[s.Citation.Kind], s.Status, mdCell(decision))
	}
}
