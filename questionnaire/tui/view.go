package tui

import (
	"fmt"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/telesra/telesra/questionnaire"
)

// Minimum usable terminal; 80x24 is the size the screens are designed for.
const (
	minWidth  = 60
	minHeight = 16
)

// Styles carry meaning only in addition to text markers (">", "[x]", "!"), so the screens read
// the same without colour (NO_COLOR) and to screen readers in --accessible mode.
var (
	bold    = lipgloss.NewStyle().Bold(true)
	faint   = lipgloss.NewStyle().Faint(true)
	cursor  = lipgloss.NewStyle().Bold(true).Reverse(true)
	warn    = lipgloss.NewStyle().Bold(true)
	heading = lipgloss.NewStyle().Bold(true).Underline(true)
)

// View implements tea.Model. It always fills the terminal exactly: header, body, footer.
func (m *Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.WindowTitle = "telesra assess"
	return v
}

// Render is the screen as text (View's content), for tests and captures.
func (m *Model) Render() string {
	if m.width < minWidth || m.height < minHeight {
		msg := fmt.Sprintf("The terminal is %dx%d; the questionnaire needs at least %dx%d. "+
			"Make the window larger, or run telesra assess --accessible for plain prompts. "+
			"Your answers are saved. Press q to quit.", m.width, m.height, minWidth, minHeight)
		return ansi.Hardwrap(ansi.Wordwrap(msg, max(10, m.width), ""), max(10, m.width), false)
	}
	header := m.header()
	footer := m.footer()
	bodyH := m.height - len(header) - len(footer)
	var body []string
	switch {
	case m.allKeys:
		body = m.allKeysBody()
	case m.screen == overviewScreen:
		body = m.overviewBody()
	case m.screen == sectionScreen:
		body = m.listBody(m.sectionTitle(m.listSection), m.sectionQuestions(), bodyH)
	case m.screen == reviewScreen:
		body = m.listBody("Review: flagged, unanswered and to re-confirm", m.reviewQuestions(), bodyH)
	default:
		body = m.questionBody()
		if m.edit == editNone {
			m.scroll = max(0, min(m.scroll, len(body)-bodyH))
			if m.scroll > 0 {
				body = body[m.scroll:]
			}
			if len(body) > bodyH {
				body = append(body[:bodyH-1], faint.Render("  … more below (pgdn)"))
			}
		} else if len(body) > bodyH {
			// While typing, keep the editor (at the bottom of the body) in view.
			body = body[len(body)-bodyH:]
		}
	}
	lines := make([]string, 0, m.height)
	lines = append(lines, header...)
	for i := 0; i < bodyH; i++ {
		if i < len(body) {
			lines = append(lines, ansi.Truncate(body[i], m.width, "…"))
		} else {
			lines = append(lines, "")
		}
	}
	lines = append(lines, footer...)
	return strings.Join(lines, "\n")
}

func (m *Model) contentWidth() int { return min(m.width, 100) }

func (m *Model) bodyHeight() int { return m.height - 2 - 4 }

func (m *Model) header() []string {
	o := m.scores.Overall
	left := "telesra assess"
	if m.title != "" {
		left += " · " + m.title
	}
	right := fmt.Sprintf("%d/%d answered · %s", o.Answered, o.Questions, compliance(o))
	gap := m.width - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap < 1 {
		left = ansi.Truncate(left, max(10, m.width-ansi.StringWidth(right)-1), "…")
		gap = max(1, m.width-ansi.StringWidth(left)-ansi.StringWidth(right))
	}
	return []string{bold.Render(left) + strings.Repeat(" ", gap) + right, strings.Repeat("─", m.width)}
}

// compliance is a tally's compliance for the header and overview.
func compliance(t questionnaire.Tally) string {
	if t.Applicable() == 0 {
		return "compliance n/a"
	}
	return fmt.Sprintf("%.0f%% compliant", t.Compliance())
}

func (m *Model) footer() []string {
	status := m.status
	if status == "" && m.file != "" {
		status = "Every answer is saved to " + filepath.Base(m.file) + " as you go."
	}
	if m.saveErr != nil {
		status = warn.Render(status)
	}
	rows := m.shortHelp()
	out := []string{strings.Repeat("─", m.width), ansi.Truncate(status, m.width, "…")}
	for _, r := range rows {
		out = append(out, ansi.Truncate(m.help.ShortHelpView(r), m.width, "…"))
	}
	return out
}

// shortHelp is the keys of the current screen, in two rows that fit 80 columns.
func (m *Model) shortHelp() [][]key.Binding {
	k := m.keys
	switch {
	case m.edit != editNone:
		return [][]key.Binding{{k.EditorSave, k.EditorNewline, k.Cancel}, {k.ForceQuit}}
	case m.allKeys:
		return [][]key.Binding{{shown("any key", "close")}, {k.ForceQuit}}
	case m.screen == overviewScreen:
		return [][]key.Binding{
			{shown("↑/↓", "section"), shown("enter", "answer section"), k.Questions, k.Continue},
			{shown("u", "first open question"), k.Review, k.AllKeys, k.Quit},
		}
	case m.screen == sectionScreen || m.screen == reviewScreen:
		return [][]key.Binding{
			{shown("↑/↓", "move"), shown("enter", "open"), k.Back},
			{k.AllKeys, k.Quit, k.Review},
		}
	}
	// Shorter labels than the bindings' own, so the question screen's keys fit 80 columns.
	return [][]key.Binding{
		{shown("↑/↓", "choose"), shown("enter/1-5", "answer"), shown("←/→", "prev/next"), shown("u", "next open"), k.HelpPanel},
		{k.AllKeys, k.Quit, k.Notes, k.Evidence, k.Flag, k.Overview, k.Review},
	}
}

// shown is a help entry that only describes keys bound elsewhere.
// It carries its label as a key because bubbles/help hides bindings without keys; shown
// bindings are never matched.
func shown(keys, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(keys), key.WithHelp(keys, desc))
}

func (m *Model) allKeysBody() []string {
	k := m.keys
	m.help.SetWidth(m.width)
	full := m.help.FullHelpView([][]key.Binding{
		{k.Up, k.Down, k.Choose, k.Number, k.Prev, k.Next, k.NextOpen},
		{k.Notes, k.Evidence, k.Flag, k.HelpPanel, k.ScrollUp, k.ScrollDown},
		{k.Overview, k.Questions, k.Continue, k.Review, k.Quit, k.ForceQuit},
	})
	lines := []string{heading.Render("All keys"), ""}
	lines = append(lines, strings.Split(full, "\n")...)
	lines = append(lines, "",
		"Answers are saved the moment you choose them; notes and evidence when you press enter.",
		"Choosing \"Don't know\" flags the question for later. \"Does not apply\" asks why.")
	return lines
}

func (m *Model) overviewBody() []string {
	w := m.width
	nameW := max(20, min(40, w-41))
	lines := []string{faint.Render(fmt.Sprintf("  %-*s %8s   %-15s %4s %4s", nameW, "Section", "Answered", "Progress", "Flag", "Gap"))}
	for i, s := range m.scores.Sections {
		marker := "  "
		name := fmt.Sprintf("%d %s", i+1, s.Section.Title)
		if s.Section.Profile != "" {
			name += " (" + s.Section.Profile + ")"
		}
		row := fmt.Sprintf("%-*s %8s   %s %4s %4s", nameW, ansi.Truncate(name, nameW, "…"),
			fmt.Sprintf("%d/%d", s.Answered, s.Questions), bar(s.Answered, s.Questions, 10), blankZero(s.Flagged), blankZero(s.Gaps))
		if i == m.secCursor {
			marker = "> "
			row = cursor.Render(row)
		}
		lines = append(lines, marker+row)
	}
	o := m.scores.Overall
	flagged, reconfirm := 0, 0
	for _, s := range m.scores.Sections {
		flagged += s.Flagged
		reconfirm += s.Reconfirm
	}
	summary := fmt.Sprintf("Overall: %d of %d answered (%.0f%%) · %d flagged", o.Answered, o.Questions, o.Completeness(), flagged)
	if reconfirm > 0 {
		summary += fmt.Sprintf(" · %d to re-confirm", reconfirm)
	}
	lines = append(lines, "", summary)
	var parts []string
	for _, g := range m.scores.Safeguards {
		if g.Applicable() > 0 {
			parts = append(parts, fmt.Sprintf("%s %.0f%%", g.Safeguard, g.Compliance()))
		}
	}
	comp := "HIPAA " + compliance(o) + " (gaps and unknowns count against): " + strings.Join(parts, " · ")
	lines = append(lines, wrapLines(comp, w-2)...)
	if r := m.scores.Readiness; r != nil {
		lines = append(lines, fmt.Sprintf("Proposed-rule readiness: %s (scored apart from the rule in force)", compliance(*r)))
	}
	return lines
}

func blankZero(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprint(n)
}

// bar draws a progress bar with its percentage.
func bar(done, total, width int) string {
	pct := 100
	if total > 0 {
		pct = 100 * done / total
	}
	full := width * pct / 100
	return strings.Repeat("█", full) + strings.Repeat("░", width-full) + fmt.Sprintf(" %3d%%", pct)
}

func (m *Model) sectionTitle(id string) string {
	if s, ok := m.bank.Section(id); ok {
		return s.Title
	}
	return id
}

// mark is a question's state as one character: answered, flagged, unanswered, to re-confirm.
func mark(a questionnaire.Answer) string {
	switch {
	case a.Flagged:
		return "!"
	case a.Reconfirm:
		return "↻"
	case a.Answered():
		return "✓"
	}
	return "·"
}

func (m *Model) listBody(title string, qs []*questionnaire.Question, height int) []string {
	lines := []string{heading.Render(title) + faint.Render("   ✓ answered  ! flagged  ↻ to re-confirm  · open"), ""}
	if len(qs) == 0 {
		return append(lines, "Nothing here: every question is answered and nothing is flagged.")
	}
	rows := height - len(lines)
	first := 0
	if m.listCursor >= rows {
		first = m.listCursor - rows + 1
	}
	statusW := 16
	for i := first; i < len(qs) && i < first+rows; i++ {
		q := qs[i]
		a := m.answers.Get(q.ID)
		st := a.Status.Short()
		row := fmt.Sprintf("%s %-*s %s", mark(a), statusW, st, q.Text)
		row = ansi.Truncate(row, m.width-2, "…")
		marker := "  "
		if i == m.listCursor {
			marker, row = "> ", cursor.Render(row)
		}
		lines = append(lines, marker+row)
	}
	return lines
}

func (m *Model) questionBody() []string {
	q := m.current
	a := m.answers.Get(q.ID)
	w := m.contentWidth() - 2
	sectionQs := m.askedIn(q.Section)
	pos := 0
	for i, x := range sectionQs {
		if x == q {
			pos = i + 1
		}
	}
	title := fmt.Sprintf("%s · question %d of %d", m.sectionTitle(q.Section), pos, len(sectionQs))
	var tags []string
	if a.Flagged {
		tags = append(tags, "[! flagged]")
	}
	if a.Reconfirm {
		tags = append(tags, "[↻ to re-confirm]")
	}
	lines := []string{faint.Render(title) + "  " + warn.Render(strings.Join(tags, " ")), ""}
	for _, l := range wrapLines(q.Text, w) {
		lines = append(lines, bold.Render(l))
	}
	lines = append(lines, "")
	if m.helpPanel && m.edit == editNone {
		// The help panel takes the place of the details so that it fits 80x24 with the answers.
		lines = append(lines, heading.Render("Help")+faint.Render("  (h to close)"))
		for _, part := range []struct{ label, text string }{
			{"Why it matters", q.Help.Why}, {"What good looks like", q.Help.Good},
			{"Example", q.Help.Example}, {"Evidence to keep", q.Evidence},
		} {
			if part.text != "" {
				lines = append(lines, wrapLines(bold.Render(part.label+": ")+part.text, w)...)
			}
		}
		var opts []string
		for i, o := range q.Options {
			label := o.Status.Short()
			if o.Status == a.Status && a.Status != "" {
				label = "[" + label + "]"
			}
			opts = append(opts, fmt.Sprintf("%d %s", i+1, label))
		}
		return append(append(lines, ""), wrapLines("Answer: "+strings.Join(opts, " · "), w)...)
	}
	var meta []string
	for _, c := range q.Citations {
		meta = append(meta, fmt.Sprintf("%s %s (%s)", c.Citation, c.Name, kindWord(c.Kind)))
	}
	if len(meta) > 0 {
		lines = append(lines, wrapLines("HIPAA "+strings.Join(meta, "; "), w)...)
	}
	var who []string
	for _, au := range q.Audience {
		who = append(who, au.Label())
	}
	lines = append(lines, faint.Render("Best answered by: "+strings.Join(who, ", ")))
	if a.Reconfirm && a.Previous != nil {
		lines = append(lines, warn.Render(fmt.Sprintf("Last assessment: %s%s. Choose an answer to confirm or change it.",
			a.Previous.Status.Short(), onDate(a.Previous.Date))))
	} else if a.Previous != nil && a.Previous.Status != a.Status && a.Status != "" {
		lines = append(lines, fmt.Sprintf("Changed since the last assessment: %s → %s.", a.Previous.Status.Short(), a.Status.Short()))
	}
	lines = append(lines, "")
	for i, o := range q.Options {
		radio := "( )"
		if o.Status == a.Status && a.Status != "" {
			radio = "(•)"
		}
		row := fmt.Sprintf("%d %s %s", i+1, radio, o.Label)
		marker := "  "
		if i == m.optCursor && m.edit == editNone {
			marker, row = "> ", cursor.Render(row)
		}
		lines = append(lines, marker+row)
	}
	lines = append(lines, "")
	notes := a.Notes
	if notes == "" {
		notes = faint.Render("none (n to add)")
	}
	lines = append(lines, wrapLines("Notes: "+strings.ReplaceAll(notes, "\n", " / "), w)...)
	ev := strings.Join(a.Evidence, ", ")
	if ev == "" && q.Evidence != "" {
		ev = faint.Render("none (e to add) · keep: " + q.Evidence)
	}
	if ev != "" {
		lines = append(lines, wrapLines("Evidence: "+ev, w)...)
	}
	if m.edit != editNone {
		label := map[editKind]string{editNotes: "Notes", editEvidence: "Evidence (paths or links, one per line)",
			editReason: "Why does this not apply? (required for \"Does not apply\")"}[m.edit]
		lines = append(lines, "", bold.Render(label))
		lines = append(lines, strings.Split(m.editor.View(), "\n")...)
	}
	return lines
}

func onDate(d string) string {
	if d == "" {
		return ""
	}
	return " (" + d + ")"
}

func kindWord(k string) string {
	switch k {
	case "required":
		return "Required"
	case "addressable":
		return "Addressable"
	}
	return "Standard"
}

// wrapLines wraps text to width columns and splits it into lines.
func wrapLines(text string, width int) []string {
	return strings.Split(ansi.Wordwrap(text, max(20, width), ""), "\n")
}
