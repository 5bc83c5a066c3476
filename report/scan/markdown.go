package scan

import (
	"fmt"
	"io"
	"strings"

	"github.com/telesra/telesra/checks"
)

// Markdown writes a summary fit for a CI job page (GitHub's step summary, a GitLab MR note):
// counts, the endpoints with their verdicts, the findings, and what could not be scanned.
type Markdown struct {
	Threshold checks.Severity
}

// maxMarkdownFindings keeps the page readable; the JSON and SARIF outputs hold everything.
const maxMarkdownFindings = 100

func (m Markdown) Write(w io.Writer, r *checks.Result) error {
	var b strings.Builder
	status := "complete"
	if !r.Complete {
		status = "**interrupted: partial results**"
	}
	fmt.Fprintf(&b, "## telesra scan\n\n")
	fmt.Fprintf(&b, "%s %s · %d endpoints (%d scanned, %d unreachable) · scan %s · %s\n\n",
		r.Tool.Name, r.Tool.Version, r.Totals.Endpoints, r.Totals.Scanned, r.Totals.Errors, status, r.FinishedAt.UTC().Format("2006-01-02 15:04 UTC"))
	b.WriteString("| Severity | Findings |\n|---|---:|\n")
	for _, s := range checks.Severities() {
		fmt.Fprintf(&b, "| %s | %d |\n", s, r.Totals.Findings[s.String()])
	}
	if r.Totals.Suppressed > 0 {
		fmt.Fprintf(&b, "| suppressed | %d |\n", r.Totals.Suppressed)
	}
	if n := r.AtOrAbove(m.Threshold); n > 0 {
		fmt.Fprintf(&b, "\n:x: %d finding(s) at or above **%s**.\n", n, m.Threshold)
	} else {
		fmt.Fprintf(&b, "\n:white_check_mark: No finding at or above **%s**.\n", m.Threshold)
	}

	if len(r.Endpoints) > 0 {
		b.WriteString("\n### Endpoints\n\n| Endpoint | Service | Status | Verdicts |\n|---|---|---|---|\n")
		for _, e := range r.Endpoints {
			svc, status := "-", string(e.Status)
			if e.Service != nil {
				svc = e.Service.String()
			}
			if e.Status != checks.StatusCompleted {
				status = fmt.Sprintf("%s (%s)", e.Status, e.Reason)
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", cell(e.Target), svc, status, cell(verdictLine(e)))
		}
	}

	if len(r.Findings) > 0 {
		b.WriteString("\n### Findings\n\n| Severity | Check | Target | Finding | HIPAA |\n|---|---|---|---|---|\n")
		for i, f := range r.Findings {
			if i == maxMarkdownFindings {
				fmt.Fprintf(&b, "\n… and %d more (see the JSON or SARIF output).\n", len(r.Findings)-i)
				break
			}
			sev := f.Severity.String()
			if f.Suppressed() {
				sev = "~~" + sev + "~~ (suppressed)"
			} else if f.Severity >= m.Threshold {
				sev = "**" + sev + "**"
			}
			fmt.Fprintf(&b, "| %s | `%s` | `%s` | %s | %s |\n", sev, f.Check, cell(f.Target), cell(f.Title), strings.Join(f.HIPAA, ", "))
		}
	}
	if errs := errorAttempts(r); len(errs) > 0 {
		b.WriteString("\n### Checks that could not run\n\n")
		for _, line := range errs {
			fmt.Fprintf(&b, "- %s\n", line)
		}
	}
	if len(r.Suppressions.Expired) > 0 {
		b.WriteString("\n### Expired suppressions (no longer applied)\n\n")
		for _, s := range r.Suppressions.Expired {
			fmt.Fprintf(&b, "- %s: %s %s, expired %s (%s)\n", s.Source, s.Check+s.ID, cell(s.Target), s.Expires, cell(s.Reason))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// htmlEscaper neutralises raw HTML: Markdown renderers, GitHub's job summaries among them, pass
// it through, and a server banner is text an attacker chose.
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	s = htmlEscaper.Replace(s)
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "`", "'")
	return s
}

func verdictLine(e checks.EndpointResult) string {
	var parts []string
	for _, k := range sortedKeys(e.Verdicts) {
		parts = append(parts, e.Verdicts[k].Line)
	}
	return strings.Join(parts, "; ")
}

// errorAttempts summarises error attempts by endpoint and reason (one line each, not one per
// check, which would repeat the same refusal thirty times).
func errorAttempts(r *checks.Result) []string {
	type key struct{ target, reason, msg string }
	counts := map[key]int{}
	var order []key
	for _, a := range r.Attempts {
		if a.Status != checks.StatusError {
			continue
		}
		k := key{a.Target, string(a.Reason), a.Error}
		if counts[k] == 0 {
			order = append(order, k)
		}
		counts[k]++
	}
	var out []string
	for _, k := range order {
		out = append(out, fmt.Sprintf("`%s`: %s, %d check(s): %s", cell(k.target), k.reason, counts[k], cell(k.msg)))
	}
	return out
}
