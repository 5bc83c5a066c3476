package scan

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"charm.land/lipgloss/v2"
	"charm.land/lipgloss/v2/table"
	"github.com/charmbracelet/x/ansi"

	"github.com/telesra/telesra/checks"
)

// Table writes the human view for a terminal: one line per endpoint (service and the families'
// verdicts, such as the TLS grade), a table of findings, and the totals.
type Table struct {
	Color bool
	Width int
}

var severityColor = map[checks.Severity]string{
	checks.Critical: "#FF3B30", checks.High: "#FF9500", checks.Medium: "#FFCC00", checks.Low: "#34C759", checks.Info: "#8E8E93",
}

func (t Table) Write(w io.Writer, r *checks.Result) error {
	width := t.Width
	if width <= 0 {
		width = 100
	}
	bold := lipgloss.NewStyle().Bold(true)
	var b strings.Builder

	b.WriteString(bold.Render("Endpoints") + "\n")
	if len(r.Endpoints) == 0 {
		b.WriteString("  none found\n")
	}
	for _, e := range r.Endpoints {
		svc := "-"
		if e.Service != nil {
			svc = e.Service.String()
		}
		line := fmt.Sprintf("  %-28s %-10s", e.Target, svc)
		if e.Status != checks.StatusCompleted {
			line += fmt.Sprintf(" not scanned: %s (%s)", e.Reason, e.Error)
		}
		b.WriteString(ansi.Truncate(strings.TrimRight(line, " "), width, "…") + "\n")
		// One line per family verdict (the TLS grade, the patch level), under its endpoint.
		for _, fam := range sortedKeys(e.Verdicts) {
			b.WriteString(ansi.Truncate(fmt.Sprintf("      %-6s %s", fam, e.Verdicts[fam].Line), width, "…") + "\n")
		}
	}
	b.WriteString("\n")

	if len(r.Findings) > 0 {
		// IDs and targets are things a reader copies: they never wrap. The finding's title takes
		// what width is left, and wraps.
		cols := [3]int{len("SEVERITY"), len("CHECK"), len("TARGET")}
		for _, f := range r.Findings {
			n := len(f.Severity.String())
			if f.Suppressed() {
				n += len(" (suppressed)")
			}
			cols[0] = max(cols[0], n)
			cols[1] = max(cols[1], len(f.Check))
			cols[2] = max(cols[2], len(f.Target))
		}
		const padding = 2 + 1 // one space each side, one border per column
		fixed := (cols[0] + cols[1] + cols[2]) + 4*padding + 1
		title := max(width-fixed, 24)
		tbl := table.New().
			Border(lipgloss.RoundedBorder()).
			Headers("SEVERITY", "CHECK", "TARGET", "FINDING").
			Wrap(true).
			StyleFunc(func(row, col int) lipgloss.Style {
				s := lipgloss.NewStyle().Padding(0, 1)
				if col < 3 {
					s = s.Width(cols[col] + 2)
				} else {
					s = s.Width(title + 2)
				}
				if row == table.HeaderRow {
					return s.Bold(true)
				}
				if col == 0 && row >= 0 && row < len(r.Findings) {
					f := r.Findings[row]
					if !f.Suppressed() {
						return s.Foreground(lipgloss.Color(severityColor[f.Severity])).Bold(f.Severity >= checks.High)
					}
					return s.Faint(true)
				}
				return s
			})
		for _, f := range r.Findings {
			sev := strings.ToUpper(f.Severity.String())
			if f.Suppressed() {
				sev = strings.ToLower(sev) + " (suppressed)"
			}
			title := f.Title
			if f.Confidence == checks.Potential {
				title += " (potential)"
			}
			tbl.Row(sev, f.Check, f.Target, title)
		}
		b.WriteString(tbl.Render() + "\n")
	} else {
		b.WriteString("No findings.\n")
	}

	var counts []string
	for _, s := range checks.Severities() {
		n := r.Totals.Findings[s.String()]
		c := fmt.Sprintf("%d %s", n, s)
		if n > 0 {
			c = lipgloss.NewStyle().Foreground(lipgloss.Color(severityColor[s])).Render(c)
		}
		counts = append(counts, c)
	}
	fmt.Fprintf(&b, "\n%s %s", bold.Render("Findings:"), strings.Join(counts, ", "))
	if r.Totals.Suppressed > 0 {
		fmt.Fprintf(&b, " (%d suppressed)", r.Totals.Suppressed)
	}
	fmt.Fprintf(&b, ". Endpoints: %d scanned, %d not scanned.", r.Totals.Scanned, r.Totals.Errors)
	if !r.Complete {
		b.WriteString(" " + bold.Render("Scan interrupted: results are partial."))
	}
	b.WriteString("\n")
	for _, s := range r.Suppressions.Expired {
		fmt.Fprintf(&b, "Expired suppression %s (expired %s) no longer applies.\n", s.Source, s.Expires)
	}
	for _, line := range r.DataAges() {
		fmt.Fprintf(&b, "%s %s\n", bold.Render("Data:"), line)
	}
	out := b.String()
	if !t.Color {
		out = ansi.Strip(out)
	}
	_, err := io.WriteString(w, out)
	return err
}

func sortedKeys(m map[string]checks.Verdict) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
