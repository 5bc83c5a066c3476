package tui

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/telesra/telesra/questionnaire"
)

// memStore records every snapshot it is asked to save.
type memStore struct {
	mu    sync.Mutex
	saves []*questionnaire.Answers
	fail  error
}

func (s *memStore) Save(a *questionnaire.Answers) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	s.saves = append(s.saves, a)
	return nil
}

func (s *memStore) last() *questionnaire.Answers {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.saves) == 0 {
		return nil
	}
	return s.saves[len(s.saves)-1]
}

func (s *memStore) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.saves)
}

var fixedNow = func() time.Time { return time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC) }

func newModel(t *testing.T, a *questionnaire.Answers) (*Model, *memStore) {
	t.Helper()
	if a == nil {
		a = questionnaire.NewAnswers()
	}
	st := &memStore{}
	m := New(Options{Bank: questionnaire.DefaultBank(), Answers: a, Store: st, Now: fixedNow,
		Title: "Riverside Family Telehealth", File: "/ws/answers.yaml"})
	return m, st
}

// keyMsg turns "enter", "left", "f" ... into the key press bubbletea would deliver.
func keyMsg(k string) tea.KeyPressMsg {
	special := map[string]rune{"enter": tea.KeyEnter, "esc": tea.KeyEscape, "left": tea.KeyLeft, "right": tea.KeyRight,
		"up": tea.KeyUp, "down": tea.KeyDown, "pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp, "tab": tea.KeyTab}
	if c, ok := special[k]; ok {
		return tea.KeyPressMsg{Code: c}
	}
	if k == "ctrl+c" {
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// press sends keys to the model and runs the commands they return the way the bubbletea
// runtime would, feeding saves back; it reports whether the model asked to quit.
func press(t *testing.T, m *Model, keys ...string) (quit bool) {
	t.Helper()
	for _, k := range keys {
		_, cmd := m.Update(keyMsg(k))
		if run(t, m, cmd) {
			quit = true
		}
	}
	return quit
}

func run(t *testing.T, m *Model, cmd tea.Cmd) (quit bool) {
	t.Helper()
	for i := 0; cmd != nil && i < 10; i++ {
		// Commands that do not answer at once (the editor's cursor blink) are timers, not saves.
		done := make(chan tea.Msg, 1)
		go func(cmd tea.Cmd) { done <- cmd() }(cmd)
		var msg tea.Msg
		select {
		case msg = <-done:
		case <-time.After(100 * time.Millisecond):
			return false
		}
		switch msg := msg.(type) {
		case tea.QuitMsg:
			return true
		case savedMsg:
			_, cmd = m.Update(msg)
		default:
			return false
		}
	}
	return false
}

func screenText(m *Model) string { return ansi.Strip(m.Render()) }

func TestFreshQuestionnaireStartsOnOverviewAndSavesEachAnswer(t *testing.T) {
	m, st := newModel(t, nil)
	if m.screen != overviewScreen || !strings.Contains(screenText(m), "1 About your practice") {
		t.Fatalf("fresh start:\n%s", screenText(m))
	}
	press(t, m, "enter") // answer section 1
	if m.current == nil || m.current.ID != "about.office" {
		t.Fatalf("enter on section 1 opened %v", m.current)
	}
	press(t, m, "1") // Yes
	if st.count() != 1 || st.last().Get("about.office").Status != questionnaire.Yes {
		t.Fatalf("after answering: %d saves, last %+v", st.count(), st.last())
	}
	if m.current.ID != "about.servers" {
		t.Errorf("did not move on: at %s", m.current.ID)
	}
	press(t, m, "down", "enter") // No, with the arrow keys
	if got := st.last().Get("about.servers"); got.Status != questionnaire.No || got.Updated != "2026-11-20" {
		t.Errorf("about.servers saved as %+v", got)
	}
	// Back to the previous question: its answer is shown and can be changed.
	press(t, m, "left")
	if m.current.ID != "about.servers" || !strings.Contains(screenText(m), "2 (•) No") {
		t.Errorf("back:\n%s", screenText(m))
	}
	press(t, m, "1")
	if st.last().Get("about.servers").Status != questionnaire.Yes {
		t.Errorf("changed answer not saved: %+v", st.last().Get("about.servers"))
	}
	if st.last().Get("about.office").Status != questionnaire.Yes {
		t.Error("an earlier answer went missing from a later save")
	}
}

func TestDontKnowFlagsAndReviewListsIt(t *testing.T) {
	m, st := newModel(t, nil)
	press(t, m, "enter", "3") // about.office: don't know (third of yes/no/unknown)
	if a := st.last().Get("about.office"); a.Status != questionnaire.Unknown || !a.Flagged {
		t.Errorf(`"don't know" saved as %+v`, a)
	}
	press(t, m, "f") // flag about.servers without answering it
	if a := st.last().Get("about.servers"); !a.Flagged || a.Status != "" {
		t.Errorf("flag saved as %+v", a)
	}
	press(t, m, "r")
	text := screenText(m)
	if m.screen != reviewScreen || !strings.Contains(text, "! Don't know") || !strings.Contains(text, "! Unanswered") {
		t.Fatalf("review:\n%s", text)
	}
	press(t, m, "down", "enter")
	if m.current.ID != "about.servers" {
		t.Errorf("review opened %s", m.current.ID)
	}
	press(t, m, "esc")
	if m.screen != reviewScreen {
		t.Errorf("esc from a question opened from review went to %v", m.screen)
	}
}

func TestNotApplicableNeedsAReason(t *testing.T) {
	m, st := newModel(t, nil)
	m.open(mustQuestion(t, "vendor.government"), overviewScreen)
	press(t, m, "4", "enter")
	if st.count() != 0 || m.edit != editReason || !strings.Contains(m.status, "Say why") {
		t.Fatalf("not applicable accepted without a reason (saves %d, edit %v, status %q)", st.count(), m.edit, m.status)
	}
	press(t, m, "N", "o")
	m.editor.InsertString(" government agency works for us")
	press(t, m, "enter")
	a := st.last().Get("vendor.government")
	if a.Status != questionnaire.NotApplicable || a.Notes != "No government agency works for us" {
		t.Errorf("saved %+v", a)
	}
	// esc leaves an editor without changing anything.
	m.open(mustQuestion(t, "vendor.government"), overviewScreen)
	before := st.count()
	press(t, m, "n", "x", "esc")
	if st.count() != before || m.answers.Get("vendor.government").Notes != "No government agency works for us" {
		t.Error("a cancelled edit changed the notes")
	}
}

func TestNotesAndEvidence(t *testing.T) {
	m, st := newModel(t, nil)
	m.open(mustQuestion(t, "tech.mfa-remote"), overviewScreen)
	press(t, m, "e")
	m.editor.SetValue("it/mfa-report.pdf\n\nhttps://intranet.example/mfa ")
	press(t, m, "enter")
	if ev := st.last().Get("tech.mfa-remote").Evidence; strings.Join(ev, "|") != "it/mfa-report.pdf|https://intranet.example/mfa" {
		t.Errorf("evidence %q", ev)
	}
	press(t, m, "n")
	m.editor.SetValue("Email has no MFA yet")
	press(t, m, "enter")
	if n := st.last().Get("tech.mfa-remote").Notes; n != "Email has no MFA yet" {
		t.Errorf("notes %q", n)
	}
	if !strings.Contains(screenText(m), "Notes: Email has no MFA yet") {
		t.Errorf("notes not shown:\n%s", screenText(m))
	}
}

func TestResumesAtFirstOpenQuestion(t *testing.T) {
	a := questionnaire.NewAnswers()
	for _, id := range []string{"about.office", "about.servers", "about.remote-work"} {
		a.SetStatus(id, questionnaire.Yes, "2026-11-19")
	}
	m, _ := newModel(t, a)
	if m.screen != questionScreen || m.current.ID != "about.personal-devices" {
		t.Fatalf("resumed at %v on screen %v", m.current, m.screen)
	}
	if !strings.Contains(m.status, "Resumed") {
		t.Errorf("status %q", m.status)
	}
}

func TestReconfirmShowsWhatChanged(t *testing.T) {
	last := questionnaire.NewAnswers()
	last.ByID["about.office"] = questionnaire.Answer{Status: questionnaire.Yes, Updated: "2025-11-20"}
	last.ByID["gov.security-official"] = questionnaire.Answer{Status: questionnaire.Partial, Updated: "2025-11-20"}
	m, st := newModel(t, questionnaire.CarryForward(last))
	m.open(mustQuestion(t, "gov.security-official"), overviewScreen)
	if !strings.Contains(screenText(m), "Last assessment: Partial (2025-11-20)") {
		t.Errorf("carried-forward answer not shown:\n%s", screenText(m))
	}
	press(t, m, "1")
	if !strings.Contains(m.status, "Changed since the last assessment: Partial → Implemented") {
		t.Errorf("status %q", m.status)
	}
	a := st.last().Get("gov.security-official")
	if a.Reconfirm || a.Status != questionnaire.Implemented || a.Previous.Status != questionnaire.Partial {
		t.Errorf("saved %+v", a)
	}
}

func TestSavesNeverOverlapAndQuitWaits(t *testing.T) {
	m, st := newModel(t, nil)
	m.open(mustQuestion(t, "about.office"), overviewScreen)
	_, first := m.Update(keyMsg("1")) // save 1 in flight
	if first == nil {
		t.Fatal("no save command")
	}
	_, second := m.Update(keyMsg("2")) // answered during the save: queued
	if second != nil {
		t.Fatal("a second save started while the first was in flight")
	}
	_, quit := m.Update(keyMsg("q"))
	if quit != nil {
		t.Fatal("quit did not wait for the pending saves")
	}
	msg := first()
	_, next := m.Update(msg) // first done: the queued save runs
	if next == nil {
		t.Fatal("the queued change was not saved")
	}
	_, final := m.Update(next())
	if final == nil {
		t.Fatal("no quit after the last save")
	}
	if _, ok := final().(tea.QuitMsg); !ok {
		t.Error("the model did not quit after saving")
	}
	if got := st.last(); got.Get("about.servers").Status != questionnaire.No || got.Get("about.office").Status != questionnaire.Yes {
		t.Errorf("last save %+v", got.ByID)
	}
}

func TestSaveFailureIsShown(t *testing.T) {
	m, st := newModel(t, nil)
	st.fail = errors.New("disk full")
	m.open(mustQuestion(t, "about.office"), overviewScreen)
	press(t, m, "1")
	if m.SaveErr() == nil || !strings.Contains(screenText(m), "NOT SAVED: disk full") {
		t.Errorf("save failure not shown:\n%s", screenText(m))
	}
}

// Every screen fills the terminal exactly and never overflows its width, at 80x24 and after
// resizing; the keys of the screen are always on its last lines.
func TestScreensFitTheTerminal(t *testing.T) {
	a := questionnaire.SampleAnswers()
	m, _ := newModel(t, a)
	for _, size := range [][2]int{{80, 24}, {120, 40}, {60, 16}, {40, 10}} {
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		steps := []func(){
			func() { m.screen, m.allKeys = overviewScreen, false },
			func() { m.showSection("tech") },
			func() { m.screen, m.listCursor = reviewScreen, 0 },
			func() { m.open(mustQuestion(t, "tech.firewall"), overviewScreen) },
			func() { m.helpPanel = true },
			func() { m.helpPanel = false; m.startEdit(editNotes, strings.Repeat("long note ", 40)) },
			func() { m.edit = editNone; m.allKeys = true },
		}
		for i, step := range steps {
			step()
			lines := strings.Split(screenText(m), "\n")
			if size[0] >= minWidth && size[1] >= minHeight && len(lines) != size[1] {
				t.Errorf("%dx%d step %d: %d lines", size[0], size[1], i, len(lines))
			}
			for _, l := range lines {
				if w := ansi.StringWidth(l); w > size[0] {
					t.Errorf("%dx%d step %d: line of %d columns: %q", size[0], size[1], i, w, l)
				}
			}
			if size[0] >= minWidth && size[1] >= minHeight && !strings.Contains(strings.Join(lines[len(lines)-2:], " "), "quit") {
				t.Errorf("%dx%d step %d: no key help on the last line: %q", size[0], size[1], i, lines[len(lines)-1])
			}
		}
		m.allKeys = false
	}
}

func TestCtrlCQuitsFromAnEditor(t *testing.T) {
	m, _ := newModel(t, nil)
	m.open(mustQuestion(t, "about.office"), overviewScreen)
	press(t, m, "n")
	if !press(t, m, "ctrl+c") {
		t.Error("ctrl+c in the notes editor did not quit")
	}
}

func mustQuestion(t *testing.T, id string) *questionnaire.Question {
	t.Helper()
	q, ok := questionnaire.DefaultBank().Question(id)
	if !ok {
		t.Fatalf("no question %s", id)
	}
	return q
}

// TestOverviewKeysAndStaleStatus: o opens the overview even from a question opened from the
// review list (esc goes back to that list); c goes back to the question the user was on, u to
// the first open one; a status message does not outlive the next key press.
func TestOverviewKeysAndStaleStatus(t *testing.T) {
	m, _ := newModel(t, nil)
	press(t, m, "enter", "1", "2", "right", "right") // answer two, skip two: on question 5
	here := m.current
	press(t, m, "r", "enter")
	if m.current.ID != "about.remote-work" {
		t.Fatalf("review's first entry is %s", m.current.ID)
	}
	press(t, m, "esc")
	if m.screen != reviewScreen {
		t.Errorf("esc from a question opened from review went to %v", m.screen)
	}
	press(t, m, "enter", "o")
	if m.screen != overviewScreen {
		t.Errorf("o from a question opened from review went to %v, want the overview", m.screen)
	}
	press(t, m, "enter") // back to the section's first open question…
	press(t, m, "right", "right")
	here = m.current
	press(t, m, "o", "c")
	if m.screen != questionScreen || m.current != here {
		t.Errorf("c opened %v, want where the user left off (%s)", m.current.ID, here.ID)
	}
	press(t, m, "o", "u")
	if m.current.ID != "about.remote-work" {
		t.Errorf("u opened %s, want the first open question", m.current.ID)
	}
	press(t, m, "3") // Don't know: flagged
	if !strings.Contains(m.status, "Flagged") {
		t.Fatalf("status after don't know: %q", m.status)
	}
	press(t, m, "right")
	if m.status != "" {
		t.Errorf("after skipping, the status still says %q", m.status)
	}
}

// TestQuitRemembersWhereTheUserWas: quitting saves the question on screen, and the next
// session opens there rather than at the first open question.
func TestQuitRemembersWhereTheUserWas(t *testing.T) {
	m, st := newModel(t, nil)
	press(t, m, "enter", "1", "right", "right")
	here := m.current.ID
	if !press(t, m, "q") {
		t.Fatal("q did not quit")
	}
	saved := st.last()
	if saved == nil || saved.ResumeAt != here {
		t.Fatalf("quit saved position %v, want %s", saved, here)
	}
	m2, _ := newModel(t, saved.Clone())
	if m2.screen != questionScreen || m2.current.ID != here {
		t.Errorf("resumed on %v, want %s", m2.current, here)
	}
}

// TestWaitingForIT: w marks a question as handed to IT (saved, listed in review with "w"), and
// answering it clears the mark.
func TestWaitingForIT(t *testing.T) {
	m, st := newModel(t, nil)
	m.open(mustQuestion(t, "tech.mfa-remote"), overviewScreen)
	press(t, m, "w")
	if got := st.last().Get("tech.mfa-remote").WaitingFor; got != questionnaire.IT {
		t.Fatalf("w saved waiting_for %q", got)
	}
	if !strings.Contains(screenText(m), "Waiting for IT support") {
		t.Errorf("question screen:\n%s", screenText(m))
	}
	if !slices.Contains(m.reviewQuestions(), m.current) || mark(m.answers.Get("tech.mfa-remote")) != "w" {
		t.Errorf("review does not list it as waiting")
	}
	m.open(mustQuestion(t, "tech.mfa-remote"), overviewScreen)
	press(t, m, "1")
	if a := st.last().Get("tech.mfa-remote"); a.WaitingFor != "" || a.Status != questionnaire.Implemented {
		t.Errorf("after answering: %+v", a)
	}
}

// TestNotApplicableRefusedOnRequiredSpecification: choosing "not applicable" for a Required
// specification the Rule applies to every practice shows why and saves nothing.
func TestNotApplicableRefusedOnRequiredSpecification(t *testing.T) {
	m, st := newModel(t, nil)
	m.open(mustQuestion(t, "tech.unique-ids"), overviewScreen)
	press(t, m, "4")
	if st.count() != 0 || m.edit == editReason || !strings.Contains(m.status, "164.312(a)(2)(i)") || !strings.Contains(m.status, "refused") {
		t.Fatalf("not applicable on a Required specification: saves %d, edit %v, status %q", st.count(), m.edit, m.status)
	}
}
