// Package tui is the questionnaire's terminal screens: a section overview with progress, the
// question screen (options, help panel, notes, evidence, flag), a per-section question list and
// a review of flagged and unanswered questions. The model does no I/O: every change is handed
// to a Store through a command, one save at a time, so a killed process loses at most the
// answer being typed.
package tui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"

	"github.com/telesra/telesra/questionnaire"
)

// Store persists the answers. Save receives a snapshot the model no longer changes.
type Store interface {
	Save(*questionnaire.Answers) error
}

// Options configure a questionnaire session.
type Options struct {
	Bank    *questionnaire.Bank
	Answers *questionnaire.Answers // the model changes these in place
	Store   Store
	Now     func() time.Time
	// Title names the practice in the header.
	Title string
	// File is the answers file, named on screen so people know where their answers go.
	File string
	// Marks are what the workspace's scan says of the answers (contradicted or verified), shown
	// on the question while its answer is the one the scan judged.
	Marks questionnaire.ScanMarks
}

type screen int

const (
	overviewScreen screen = iota
	sectionScreen
	questionScreen
	reviewScreen
)

type editKind int

const (
	editNone editKind = iota
	editNotes
	editEvidence
	editReason // the reason a question does not apply, required before saving not_applicable
	// editDecision is the decision form on an Addressable specification (decision.go).
	editDecision
)

// savedMsg reports the end of one save.
type savedMsg struct{ err error }

// Model is the questionnaire session.
type Model struct {
	bank    *questionnaire.Bank
	answers *questionnaire.Answers
	store   Store
	now     func() time.Time
	title   string
	file    string
	marks   questionnaire.ScanMarks
	keys    keyMap
	help    help.Model

	width, height int
	screen        screen
	back          screen // where the question screen returns to

	asked  []*questionnaire.Question
	scores *questionnaire.Scores

	secCursor   int    // overview: selected section
	listSection string // section screen: which section
	listCursor  int    // section and review screens
	current     *questionnaire.Question
	optCursor   int
	helpPanel   bool
	allKeys     bool
	scroll      int // question screen: first body line shown

	edit   editKind
	editor textarea.Model
	decide *decisionForm // set while edit is editDecision

	saving, dirty, quitting bool
	saveErr                 error
	status                  string
}

// New builds the model. A session resumes where the last one left off (the question it was on
// when it quit), else at the first question still to answer when some answers exist; a fresh
// questionnaire opens on the overview.
func New(o Options) *Model {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	m := &Model{bank: o.Bank, answers: o.Answers, store: o.Store, now: now, title: o.Title, file: o.File, marks: o.Marks,
		keys: newKeyMap(), help: help.New(), width: 80, height: 24}
	m.refresh()
	if q := m.bank.Resume(m.answers); q != nil && q.ID == m.answers.ResumeAt {
		m.open(q, overviewScreen)
		m.status = fmt.Sprintf("Resumed where you left off (%d of %d answered); u: first open question.",
			m.scores.Overall.Answered, m.scores.Overall.Questions)
	} else if q != nil && m.answers.Count() > 0 {
		m.open(q, overviewScreen)
		m.status = fmt.Sprintf("Resumed at the first question still to answer (%d of %d answered).",
			m.scores.Overall.Answered, m.scores.Overall.Questions)
	} else if q == nil && m.answers.Count() > 0 {
		m.status = "Every question is answered. Review any answer, or press q to finish."
	}
	return m
}

// Init implements tea.Model.
func (m *Model) Init() tea.Cmd { return nil }

// Answers returns the answers as they stand.
func (m *Model) Answers() *questionnaire.Answers { return m.answers }

// SaveErr is the last save failure, if the session ended with one.
func (m *Model) SaveErr() error { return m.saveErr }

// Pending reports whether a change has not been saved yet.
func (m *Model) Pending() bool { return m.saving || m.dirty }

func (m *Model) today() string { return m.now().Format(time.DateOnly) }

// refresh recomputes what the answers imply: which questions are asked, and the scores.
func (m *Model) refresh() {
	m.asked = m.bank.Asked(m.answers)
	m.scores = questionnaire.ScoreWith(m.bank, m.answers, m.marks.Options(m.answers))
}

// save hands a snapshot of the answers to the store. Saves run one at a time so that an older
// snapshot can never land after a newer one; a change made during a save is saved right after.
func (m *Model) save() tea.Cmd {
	if m.saving {
		m.dirty = true
		return nil
	}
	m.saving, m.dirty = true, false
	if m.current != nil {
		m.answers.ResumeAt = m.current.ID
	}
	snap, store := m.answers.Clone(), m.store
	return func() tea.Msg { return savedMsg{err: store.Save(snap)} }
}

// Update implements tea.Model.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		if m.edit != editNone {
			m.editor.SetWidth(m.contentWidth() - 2)
		}
		return m, nil
	case savedMsg:
		m.saving = false
		if msg.err != nil {
			m.saveErr = msg.err
			m.status = "NOT SAVED: " + msg.err.Error()
		} else if m.saveErr != nil {
			m.saveErr = nil
			m.status = "Saved."
		}
		if m.dirty && m.saveErr == nil {
			return m, m.save()
		}
		if m.quitting {
			return m, tea.Quit
		}
		return m, nil
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.PasteMsg:
		if m.edit != editNone {
			var cmd tea.Cmd
			m.editor, cmd = m.editor.Update(msg)
			return m, cmd
		}
	}
	return m, nil
}

func (m *Model) quit() (tea.Model, tea.Cmd) {
	m.quitting = true
	if m.current != nil && m.answers.ResumeAt != m.current.ID && m.saveErr == nil {
		m.dirty = true // remember where the user is, so the next session opens there
	}
	if m.saving || (m.dirty && m.saveErr == nil) {
		m.status = "Saving before quitting…"
		if !m.saving {
			return m, m.save()
		}
		return m, nil
	}
	return m, tea.Quit
}

func (m *Model) key(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	if key.Matches(msg, k.ForceQuit) {
		return m.quit()
	}
	if m.saveErr == nil {
		// A message describes the last action; the next key press is a new action.
		m.status = ""
	}
	if m.edit == editDecision {
		return m.decisionKey(msg)
	}
	if m.edit != editNone {
		return m.editKey(msg)
	}
	if m.allKeys {
		m.allKeys = false
		return m, nil
	}
	if key.Matches(msg, k.AllKeys) {
		m.allKeys = true
		return m, nil
	}
	if key.Matches(msg, k.Quit) {
		return m.quit()
	}
	switch m.screen {
	case overviewScreen:
		return m.overviewKey(msg)
	case sectionScreen:
		return m.listKey(msg, m.sectionQuestions())
	case reviewScreen:
		return m.listKey(msg, m.reviewQuestions())
	}
	return m.questionKey(msg)
}

func (m *Model) overviewKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	secs := m.scores.Sections
	switch {
	case key.Matches(msg, k.Up):
		m.secCursor = max(0, m.secCursor-1)
	case key.Matches(msg, k.Down):
		m.secCursor = min(len(secs)-1, m.secCursor+1)
	case key.Matches(msg, k.Choose):
		sec := secs[m.secCursor].Section
		if q := m.firstOpenIn(sec.ID); q != nil {
			m.open(q, overviewScreen)
		} else if qs := m.askedIn(sec.ID); len(qs) > 0 {
			m.open(qs[0], overviewScreen)
		}
	case key.Matches(msg, k.Questions):
		m.showSection(secs[m.secCursor].Section.ID)
	case key.Matches(msg, k.Continue):
		if q := m.askedQuestion(m.resumeID()); q != nil {
			m.open(q, overviewScreen)
		} else if q := m.bank.FirstOpen(m.answers); q != nil {
			m.open(q, overviewScreen)
		} else {
			m.status = "Every question is answered."
		}
	case key.Matches(msg, k.NextOpen):
		if q := m.bank.FirstOpen(m.answers); q != nil {
			m.open(q, overviewScreen)
		} else {
			m.status = "Every question is answered."
		}
	case key.Matches(msg, k.Review):
		m.screen, m.listCursor = reviewScreen, 0
	default:
		if n := int(msg.Code - '1'); len(msg.Text) == 1 && n >= 0 && n < len(secs) {
			m.secCursor = n
		}
	}
	return m, nil
}

func (m *Model) showSection(id string) {
	m.screen, m.listSection, m.listCursor = sectionScreen, id, 0
	for i, q := range m.sectionQuestions() {
		if !m.answers.Get(q.ID).Answered() {
			m.listCursor = i
			break
		}
	}
}

// listKey drives the section list and the review list.
func (m *Model) listKey(msg tea.KeyPressMsg, qs []*questionnaire.Question) (tea.Model, tea.Cmd) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Up):
		m.listCursor = max(0, m.listCursor-1)
	case key.Matches(msg, k.Down):
		m.listCursor = min(len(qs)-1, m.listCursor+1)
	case key.Matches(msg, k.Choose):
		if m.listCursor < len(qs) {
			m.open(qs[m.listCursor], m.screen)
		}
	case key.Matches(msg, k.Back):
		m.screen = overviewScreen
	case key.Matches(msg, k.Review):
		m.screen, m.listCursor = reviewScreen, 0
	}
	return m, nil
}

func (m *Model) questionKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	q := m.current
	switch {
	case key.Matches(msg, k.Up):
		m.optCursor = max(0, m.optCursor-1)
	case key.Matches(msg, k.Down):
		m.optCursor = min(len(q.Options)-1, m.optCursor+1)
	case key.Matches(msg, k.Number):
		n := int(msg.Code - '1')
		if n < len(q.Options) {
			m.optCursor = n
			return m.choose(q.Options[n])
		}
	case key.Matches(msg, k.Choose):
		return m.choose(q.Options[m.optCursor])
	case key.Matches(msg, k.Prev):
		if p := m.neighbour(-1); p != nil {
			m.open(p, m.back)
		} else {
			m.status = "This is the first question."
		}
	case key.Matches(msg, k.Next):
		if n := m.neighbour(+1); n != nil {
			m.open(n, m.back)
		} else {
			m.status = "This is the last question."
		}
	case key.Matches(msg, k.NextOpen):
		if n := m.nextOpen(); n != nil {
			m.open(n, m.back)
		} else {
			m.status = "Every question is answered."
		}
	case key.Matches(msg, k.Flag):
		flagged := !m.answers.Get(q.ID).Flagged
		m.answers.Update(q.ID, m.today(), func(a *questionnaire.Answer) { a.Flagged = flagged })
		m.status = map[bool]string{true: "Flagged for later: find it under r (review).", false: "Flag removed."}[flagged]
		m.refresh()
		return m, m.save()
	case key.Matches(msg, k.Waiting):
		who := waitingFor(q)
		if m.answers.Get(q.ID).WaitingFor != "" {
			who = ""
		}
		m.answers.Update(q.ID, m.today(), func(a *questionnaire.Answer) { a.WaitingFor = who })
		if who == "" {
			m.status = "No longer waiting for someone else."
		} else {
			m.status = fmt.Sprintf("Waiting for %s. Hand over every such question: telesra answers export --audience %s --open", who.Label(), who)
		}
		m.refresh()
		return m, m.save()
	case key.Matches(msg, k.Notes):
		m.startEdit(editNotes, m.answers.Get(q.ID).Notes)
	case key.Matches(msg, k.Evidence):
		m.startEdit(editEvidence, strings.Join(m.answers.Get(q.ID).Evidence, "\n"))
	case key.Matches(msg, k.HelpPanel):
		m.helpPanel = !m.helpPanel
	case key.Matches(msg, k.ScrollDown):
		m.scroll += max(1, m.bodyHeight()/2)
	case key.Matches(msg, k.ScrollUp):
		m.scroll = max(0, m.scroll-max(1, m.bodyHeight()/2))
	case key.Matches(msg, k.Review):
		m.screen, m.listCursor = reviewScreen, 0
	case key.Matches(msg, k.Overview):
		m.screen = overviewScreen
	case key.Matches(msg, k.Return):
		m.screen = m.back
	}
	return m, nil
}

// choose records an option for the current question, saves, and moves on.
func (m *Model) choose(o questionnaire.Option) (tea.Model, tea.Cmd) {
	q := m.current
	if o.Status == questionnaire.NotApplicable {
		// Refused before asking for a reason: a Required specification the Rule applies to every
		// practice cannot be waived, whatever the reason.
		if why := questionnaire.NotApplicableRefusal(q, m.answers); why != "" {
			m.status = why
			return m, nil
		}
		m.startEdit(editReason, m.answers.Get(q.ID).Notes)
		return m, nil
	}
	before := m.answers.Get(q.ID)
	m.answers.SetStatus(q.ID, o.Status, m.today())
	m.status = "Saved: " + o.Status.Short() + "."
	if before.Reconfirm && before.Previous != nil {
		if before.Previous.Status != o.Status {
			m.status = fmt.Sprintf("Changed since the last assessment: %s → %s.", before.Previous.Status.Short(), o.Status.Short())
		} else {
			m.status = "Re-confirmed: same as the last assessment."
		}
	}
	if o.Status == questionnaire.Unknown {
		m.status += " Flagged for later."
	}
	return m, m.afterAnswer(q, o.Status)
}

// advance saves and moves to the next asked question (follow-ups the answer opened come next).
func (m *Model) advance() tea.Cmd {
	m.refresh()
	if n := m.neighbour(+1); n != nil {
		m.open(n, m.back)
	} else {
		m.screen = overviewScreen
		if m.bank.FirstOpen(m.answers) == nil {
			m.status += " That was the last question: every question is answered."
		} else {
			m.status += " End of the questionnaire: press c to continue with what is left, or r to review."
		}
	}
	// Saved after moving on, so the saved position is the question now shown.
	return m.save()
}

func (m *Model) startEdit(kind editKind, value string) {
	m.edit = kind
	m.editor = textarea.New()
	m.editor.ShowLineNumbers = false
	m.editor.Prompt = "│ "
	m.editor.KeyMap.InsertNewline = m.keys.EditorNewline
	m.editor.SetWidth(m.contentWidth() - 2)
	m.editor.SetHeight(4)
	m.editor.CharLimit = 10000
	switch kind {
	case editEvidence:
		m.editor.Placeholder = "One path or link per line, e.g. policies/risk-analysis-2026.pdf"
	case editReason:
		m.editor.Placeholder = "Why does this not apply to your practice?"
	default:
		m.editor.Placeholder = "Anything worth remembering about this answer"
	}
	m.editor.SetValue(value)
	m.editor.Focus()
}

func (m *Model) editKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.Cancel):
		m.edit = editNone
		m.status = "Edit cancelled; nothing changed."
		return m, nil
	case key.Matches(msg, m.keys.EditorSave):
		return m.finishEdit()
	}
	var cmd tea.Cmd
	m.editor, cmd = m.editor.Update(msg)
	return m, cmd
}

func (m *Model) finishEdit() (tea.Model, tea.Cmd) {
	q, text, kind := m.current, strings.TrimSpace(m.editor.Value()), m.edit
	today := m.today()
	switch kind {
	case editDecision:
		return m.finishDecisionStep(text)
	case editReason:
		if text == "" {
			m.status = "Say why this does not apply (HIPAA expects the reason in writing), or press esc."
			return m, nil
		}
		m.edit = editNone
		m.answers.SetStatus(q.ID, questionnaire.NotApplicable, today)
		m.answers.Update(q.ID, today, func(a *questionnaire.Answer) { a.Notes = text })
		m.status = "Saved: Not applicable."
		return m, m.afterAnswer(q, questionnaire.NotApplicable)
	case editEvidence:
		var items []string
		for _, l := range strings.Split(text, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				items = append(items, l)
			}
		}
		m.answers.Update(q.ID, today, func(a *questionnaire.Answer) { a.Evidence = items })
		m.status = fmt.Sprintf("Evidence saved (%d item(s)).", len(items))
	default:
		m.answers.Update(q.ID, today, func(a *questionnaire.Answer) { a.Notes = text })
		m.status = "Notes saved."
	}
	m.edit = editNone
	m.refresh()
	return m, m.save()
}

// open shows a question; back is the screen esc returns to.
func (m *Model) open(q *questionnaire.Question, back screen) {
	m.screen, m.back, m.current, m.scroll, m.edit = questionScreen, back, q, 0, editNone
	m.optCursor = 0
	st := m.answers.Get(q.ID).Status
	for i, o := range q.Options {
		if o.Status == st {
			m.optCursor = i
		}
	}
	for i, s := range m.scores.Sections {
		if s.Section.ID == q.Section {
			m.secCursor = i
		}
	}
}

// neighbour is the asked question before (-1) or after (+1) the current one.
func (m *Model) neighbour(dir int) *questionnaire.Question {
	for i, q := range m.asked {
		if q == m.current {
			if j := i + dir; j >= 0 && j < len(m.asked) {
				return m.asked[j]
			}
			return nil
		}
	}
	return nil
}

// nextOpen is the next unanswered question after the current one, wrapping around.
func (m *Model) nextOpen() *questionnaire.Question {
	start := 0
	for i, q := range m.asked {
		if q == m.current {
			start = i + 1
		}
	}
	for i := range m.asked {
		q := m.asked[(start+i)%len(m.asked)]
		if q != m.current && !m.answers.Get(q.ID).Answered() {
			return q
		}
	}
	return nil
}

// waitingFor is who a practice manager hands a question to: IT support when IT can answer it,
// else the vendor when one can, else IT support.
func waitingFor(q *questionnaire.Question) questionnaire.Audience {
	for _, au := range []questionnaire.Audience{questionnaire.IT, questionnaire.Vendor} {
		if slices.Contains(q.Audience, au) {
			return au
		}
	}
	return questionnaire.IT
}

// resumeID is where the user left off: the question shown last in this session, else the
// question the last session was on.
func (m *Model) resumeID() string {
	if m.current != nil {
		return m.current.ID
	}
	return m.answers.ResumeAt
}

// askedQuestion is the question id if it is asked under the current answers.
func (m *Model) askedQuestion(id string) *questionnaire.Question {
	for _, q := range m.asked {
		if q.ID == id {
			return q
		}
	}
	return nil
}

func (m *Model) askedIn(section string) []*questionnaire.Question {
	var out []*questionnaire.Question
	for _, q := range m.asked {
		if q.Section == section {
			out = append(out, q)
		}
	}
	return out
}

func (m *Model) firstOpenIn(section string) *questionnaire.Question {
	for _, q := range m.askedIn(section) {
		if !m.answers.Get(q.ID).Answered() {
			return q
		}
	}
	return nil
}

func (m *Model) sectionQuestions() []*questionnaire.Question { return m.askedIn(m.listSection) }

// reviewQuestions are the asked questions flagged, unanswered or awaiting re-confirmation.
func (m *Model) reviewQuestions() []*questionnaire.Question {
	var out []*questionnaire.Question
	for _, q := range m.asked {
		if a := m.answers.Get(q.ID); a.Flagged || !a.Answered() {
			out = append(out, q)
		}
	}
	return out
}
