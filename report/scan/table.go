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
// verdicts, such as the TLS grade), a table of findings, and the totals. Width is the
// terminal's: lines wrap to it, and below NarrowWidth the findings table folds the check and
// target under the title instead of giving each a column. Width 0 (a file) wraps and cuts
// nothing.
type Table struct {
	Color bool
	Width int
}

// NarrowWidth is the width below which the findings table has two columns.
const NarrowWidth = 100

// wrap folds a line to width with a hanging indent; width 0 leaves it whole.
func wrap(line string, width, indent int) string {
	if width <= 0 || ansi.StringWidth(line) <= width {
		return line + "\n"
	}
	pad := strings.Repeat(" ", indent)
	first := ansi.Wrap(line, width, "")
	lines := strings.Split(first, "\n")
	out := lines[0] + "\n"
	rest := strings.TrimLeft(strings.Join(lines[1:], " "), " ")
	if rest != "" {
		out += pad + strings.ReplaceAll(ansi.Wrap(rest, width-indent, ""), "\n", "\n"+pad) + "\n"
	}
	return out
}

var severityColor = map[checks.Severity]string{
	checks.Critical: "#FF3B30", checks.High: "#FF9500", checks.Medium: "#FFCC00", checks.Low: "#34C759", checks.Info: "#8E8E93",
}

func (t Table) Write(w io.Writer, r *checks.Result) error {
	width := t.Width
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
		b.WriteString(wrap(strings.TrimRight(line, " "), width, 4))
		// One line per family verdict (the TLS grade, the patch level), under its endpoint.
		for _, fam := range sortedKeys(e.Verdicts) {
			b.WriteString(wrap(fmt.Sprintf("      %-6s %s", fam, e.Verdicts[fam].Line), width, 13))
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
		title := 0
		for _, f := range r.Findings {
			title = max(title, ansi.StringWidth(f.Title+" (potential)"))
		}
		if width > 0 {
			title = max(width-fixed, 24)
		}
		narrow := width > 0 && width < NarrowWidth
		if narrow {
			// Severity, then one column: the title, wrapped, over the check and the target, each
			// on a line of its own so that neither is cut.
			title = width - (cols[0] + 2) - 3 - 2
			for _, f := range r.Findings {
				title = max(title, len(f.Check), len(f.Target))
			}
		}
		tbl := table.New().
			Border(lipgloss.RoundedBorder()).
			Headers(headers(narrow)...).
			Wrap(true).
			StyleFunc(func(row, col int) lipgloss.Style {
				s := lipgloss.NewStyle().Padding(0, 1)
				switch {
				case col == 0 || (!narrow && col < 3):
					s = s.Width(cols[col] + 2)
				default:
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
			if narrow {
				tbl.Row(sev, title+"\n"+f.Check+"\n"+f.Target)
			} else {
				tbl.Row(sev, f.Check, f.Target, title)
			}
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
	var total strings.Builder
	fmt.Fprintf(&total, "%s %s", bold.Render("Findings:"), strings.Join(counts, ", "))
	if r.Totals.Suppressed > 0 {
		fmt.Fprintf(&total, " (%d suppressed)", r.Totals.Suppressed)
	}
	fmt.Fprintf(&total, ". Endpoints: %d scanned, %d not scanned.", r.Totals.Scanned, r.Totals.Errors)
	if !r.Complete {
		total.WriteString(" " + bold.Render("Scan interrupted: results are partial."))
	}
	b.WriteString("\n" + wrap(total.String(), width, 0))
	for _, s := range r.Suppressions.Expired {
		b.WriteString(wrap(fmt.Sprintf("Expired suppression %s (expired %s) no longer applies.", s.Source, s.Expires), width, 2))
	}
	for _, line := range r.DataAges() {
		b.WriteString(wrap(fmt.Sprintf("%s %s", bold.Render("Data:"), line), width, 6))
	}
	out := b.String()
	if !t.Color {
		out = ansi.Strip(out)
	}
	_, err := io.WriteString(w, out)
	return err
}

func headers(narrow bool) []string {
	if narrow {
		return []string{"SEVERITY", "FINDING"}
	}
	return []string{"SEVERITY", "CHECK", "TARGET", "FINDING"}
}

func sortedKeys(m map[string]checks.Verdict) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
