package tui

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

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
	right := fmt.Sprintf("%d/%d answered · %s", o.Answered, o.Questions, metShort(o.Statuses))
	gap := m.width - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap < 1 {
		left = ansi.Truncate(left, max(10, m.width-ansi.StringWidth(right)-1), "…")
		gap = max(1, m.width-ansi.StringWidth(left)-ansi.StringWidth(right))
	}
	return []string{bold.Render(left) + strings.Repeat(" ", gap) + right, strings.Repeat("─", m.width)}
}

// metShort is how many of the applicable standards and specifications are met, for the header:
// a count, never a percentage that would average a gap away.
func metShort(c questionnaire.StatusCounts) string {
	if c.Applicable() == 0 {
		return "HIPAA n/a"
	}
	return fmt.Sprintf("%d/%d specs met", c.Count(questionnaire.StatusMet), c.Applicable())
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
	case m.edit == editDecision && m.decide.step == stepKind:
		return [][]key.Binding{{shown("1-3", "choose"), shown("esc", "decide later")}, {k.ForceQuit}}
	case m.edit == editDecision:
		return [][]key.Binding{{k.EditorSave, shown("esc", "decide later")}, {k.ForceQuit}}
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

// allKeysBody lists every key in two columns, each key with its whole description: at 80
// columns bubbles/help's three-column view cut the descriptions short.
func (m *Model) allKeysBody() []string {
	k := m.keys
	all := []key.Binding{k.Up, k.Down, k.Choose, k.Number, k.Prev, k.Next, k.NextOpen, k.Notes, k.Evidence, k.Flag,
		k.Waiting, k.HelpPanel, k.ScrollUp, k.ScrollDown, k.Overview, k.Return, k.Questions, k.Continue, k.Review, k.Quit, k.ForceQuit}
	colW := m.width / 2
	half := (len(all) + 1) / 2
	entry := func(b key.Binding) string {
		h := b.Help()
		return ansi.Truncate(fmt.Sprintf("  %-9s %s", h.Key, h.Desc), colW-1, "…")
	}
	lines := []string{heading.Render("All keys"), ""}
	for i := range half {
		row := entry(all[i])
		if j := i + half; j < len(all) {
			row += strings.Repeat(" ", max(1, colW-ansi.StringWidth(row))) + entry(all[j])
		}
		lines = append(lines, row)
	}
	lines = append(lines, "")
	lines = append(lines, wrapLines("Answers are saved the moment you choose them; notes and evidence when you press enter. "+
		"Choosing \"Don't know\" flags the question for later. \"Not applicable\" asks why.", m.width-2)...)
	return lines
}

func (m *Model) overviewBody() []string {
	w := m.width
	// At 80 columns the longest section title fits whole; wider terminals give it more room.
	nameW := max(20, min(44, w-46))
	lines := []string{faint.Render(fmt.Sprintf("  %-*s %-8s %5s %-10s %7s %4s %4s", nameW, "Section", "Key", "Done", "Progress", "Left", "Flag", "Gap"))}
	var left time.Duration
	for i, s := range m.scores.Sections {
		marker := "  "
		name := fmt.Sprintf("%d %s", i+1, s.Section.Title)
		d := questionnaire.Remaining(m.askedIn(s.Section.ID), m.answers)
		left += d
		row := fmt.Sprintf("%-*s %-8s %5s %s %7s %4s %4s", nameW, ansi.Truncate(name, nameW, "…"), s.Section.ID,
			fmt.Sprintf("%d/%d", s.Answered, s.Questions), bar(s.Answered, s.Questions, 5), questionnaire.Minutes(d),
			blankZero(s.Flagged), blankZero(s.Gaps))
		if i == m.secCursor {
			marker = "> "
			row = cursor.Render(row)
		}
		lines = append(lines, marker+row)
	}
	lines = append(lines, "")
	if left > 0 {
		lines = append(lines, wrapLines(fmt.Sprintf("About %s of questions left (%s a yes/no fact, %s a safeguard).",
			strings.TrimPrefix(questionnaire.Minutes(left), "~"), "20 s", "45 s"), w-2)...)
	}
	lines = append(lines, wrapLines("By who answers: "+m.audienceProgress(), w-2)...)
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
	lines = append(lines, summary)
	lines = append(lines, wrapLines("HIPAA standards and specifications: "+o.Statuses.String(), w-2)...)
	if r := m.scores.Readiness; r != nil {
		lines = append(lines, fmt.Sprintf("Proposed-rule readiness: %d/%d implemented (scored apart from the rule in force)", r.Implemented, r.Applicable()))
	}
	return lines
}

// audienceProgress is how far each audience has got ("IT support 5/38"), so a practice manager
// sees what is waiting on someone else.
func (m *Model) audienceProgress() string {
	var parts []string
	for _, au := range questionnaire.Audiences {
		done, total := 0, 0
		for _, q := range m.asked {
			if slices.Contains(q.Audience, au) {
				total++
				if m.answers.Get(q.ID).Answered() {
					done++
				}
			}
		}
		if total > 0 {
			parts = append(parts, fmt.Sprintf("%s %d/%d", au.Label(), done, total))
		}
	}
	return strings.Join(parts, " · ")
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
	case a.WaitingFor != "" && !a.Answered():
		return "w"
	case a.Answered():
		return "✓"
	}
	return "·"
}

// listBody is the section and review lists: each question in full (wrapped, never cut), with
// its section key, scrolled so the selected question is in view.
func (m *Model) listBody(title string, qs []*questionnaire.Question, height int) []string {
	lines := []string{heading.Render(title), faint.Render("✓ answered  ! flagged  ↻ to re-confirm  w waiting for IT/vendor  · open"), ""}
	if len(qs) == 0 {
		return append(lines, "Nothing here: every question is answered and nothing is flagged.")
	}
	const statusW = 16
	indent := strings.Repeat(" ", 2+2+statusW+1)
	textW := m.width - len(indent) - 1
	entries := make([][]string, len(qs))
	for i, q := range qs {
		a := m.answers.Get(q.ID)
		text := q.Text
		if m.screen == reviewScreen {
			text += " [" + q.Section + "]" // the review spans sections
		}
		wrapped := wrapLines(text, textW)
		for j, l := range wrapped {
			if j == 0 {
				row := fmt.Sprintf("%s %-*s %s", mark(a), statusW, a.Status.Short(), l)
				marker := "  "
				if i == m.listCursor {
					marker, row = "> ", cursor.Render(row)
				}
				wrapped[j] = marker + row
			} else {
				wrapped[j] = indent + l
			}
		}
		entries[i] = wrapped
	}
	rows := height - len(lines)
	first := 0
	for used := func() int {
		n := 0
		for _, e := range entries[first : m.listCursor+1] {
			n += len(e)
		}
		return n
	}; first < m.listCursor && used() > rows-1; { // a line is kept for "… more below"
		first++
	}
	if first > 0 {
		lines[len(lines)-1] = faint.Render(fmt.Sprintf("  … %d above", first))
	}
	for i := first; i < len(entries); i++ {
		last := i == len(entries)-1
		if len(lines)+len(entries[i]) > height || (!last && len(lines)+len(entries[i]) > height-1) {
			lines = append(lines, faint.Render(fmt.Sprintf("  … %d more below", len(entries)-i)))
			break
		}
		lines = append(lines, entries[i]...)
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
	title := fmt.Sprintf("%s (%s) · question %d of %d", m.sectionTitle(q.Section), q.Section, pos, len(sectionQs))
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
	if a.WaitingFor != "" {
		lines = append(lines, warn.Render("Waiting for "+a.WaitingFor.Label())+faint.Render(" (w: no longer waiting)"))
	} else {
		lines = append(lines, faint.Render("Best answered by: "+strings.Join(who, ", ")+" (w: hand to "+waitingFor(q).Label()+")"))
	}
	if a.Reconfirm && a.Previous != nil {
		lines = append(lines, warn.Render(fmt.Sprintf("Last assessment: %s%s. Choose an answer to confirm or change it.",
			a.Previous.Status.Short(), onDate(a.Previous.Date))))
	} else if a.Previous != nil && a.Previous.Status != a.Status && a.Status != "" {
		lines = append(lines, fmt.Sprintf("Changed since the last assessment: %s → %s.", a.Previous.Status.Short(), a.Status.Short()))
	}
	if mk, ok := m.marks.For(q.ID, a); ok {
		style := faint
		if mk.State == questionnaire.MarkContradicted {
			style = warn
		}
		for _, l := range wrapLines(mk.Label(), w) {
			lines = append(lines, style.Render(l))
		}
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
	if m.edit == editDecision {
		return append(lines, m.decisionLines(w)...)
	}
	if m.edit != editNone {
		label := map[editKind]string{editNotes: "Notes", editEvidence: "Evidence (paths or links, one per line)",
			editReason: "Why does this not apply? (required for \"Not applicable\")"}[m.edit]
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
