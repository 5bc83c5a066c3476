package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/telesra/telesra/questionnaire"
)

// The golden files are the screens as a person sees them at 80x24 (colour stripped). Regenerate
// with `go test ./questionnaire/tui -update` and review the diff.

// demoProgress is the demo practice part-way through: the last two sections not finished.
func demoProgress() *questionnaire.Answers {
	a := questionnaire.SampleAnswers()
	for id := range a.ByID {
		if strings.HasPrefix(id, "tele.") || id == "tech.firewall" || id == "tech.wifi" || id == "tech.unsupported" {
			delete(a.ByID, id)
		}
	}
	return a
}

// TestOverviewScreen is the capture shown in docs/questionnaire.md.
func TestOverviewScreen(t *testing.T) {
	m, _ := newModel(t, demoProgress())
	m.screen = overviewScreen
	golden.RequireEqual(t, screenText(m))
}

func TestQuestionScreenWithHelp(t *testing.T) {
	m, _ := newModel(t, demoProgress())
	m.open(mustQuestion(t, "tele.video-encryption"), overviewScreen)
	press(t, m, "h")
	golden.RequireEqual(t, screenText(m))
}

// waitSaved waits (bounded) until the last saved snapshot satisfies ok. Saves made while one is
// in flight are coalesced into the next, so the number of saves depends on timing; what was
// saved does not.
func waitSaved(t *testing.T, st *memStore, what string, ok func(*questionnaire.Answers) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if a := st.last(); a != nil && ok(a) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10s (%d saves) the store still lacks %s", st.count(), what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func answered(ids ...string) func(*questionnaire.Answers) bool {
	return func(a *questionnaire.Answers) bool {
		for _, id := range ids {
			if a.Get(id).Status == "" {
				return false
			}
		}
		return true
	}
}

func sendKeys(tm *teatest.TestModel, keys ...string) {
	for _, k := range keys {
		tm.Send(keyMsg(k))
	}
}

// TestFlowAnswerBackFlag runs the program: answer two questions, go back, flag one, quit.
func TestFlowAnswerBackFlag(t *testing.T) {
	m, st := newModel(t, nil)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	sendKeys(tm, "enter", "1", "2")
	waitSaved(t, st, "two answers", answered("about.office", "about.servers"))
	sendKeys(tm, "left", "f")
	waitSaved(t, st, "the flag", func(a *questionnaire.Answers) bool { return a.Get("about.servers").Flagged })
	sendKeys(tm, "q")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	a := st.last()
	if a.Get("about.office").Status != questionnaire.Yes || a.Get("about.servers").Status != questionnaire.No || !a.Get("about.servers").Flagged {
		t.Errorf("saved %+v", a.ByID)
	}
	golden.RequireEqual(t, screenText(final))
}

// TestFlowResume quits part-way and starts a new session on what was saved: it opens at the
// first question still to answer.
func TestFlowResume(t *testing.T) {
	m, st := newModel(t, nil)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	sendKeys(tm, "enter", "1", "1", "1")
	waitSaved(t, st, "three answers", func(a *questionnaire.Answers) bool { return len(a.ByID) >= 3 })
	sendKeys(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))

	m2, _ := newModel(t, st.last())
	tm2 := teatest.NewTestModel(t, m2, teatest.WithInitialTermSize(80, 24))
	tm2.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	final := tm2.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if final.current == nil || final.current.ID != "about.personal-devices" {
		t.Fatalf("resumed at %v", final.current)
	}
	golden.RequireEqual(t, screenText(final))
}

// TestScreensAt80x24 renders each screen at the size the questionnaire is designed for and
// checks that nothing is cut off: long titles wrap, long lists scroll, and no line ends in the
// "…" of a truncation. The goldens are the screens as a person sees them.
func TestScreensAt80x24(t *testing.T) {
	for _, c := range []struct {
		name  string
		setup func(m *Model)
	}{
		{"overview", func(m *Model) { m.screen = overviewScreen }},
		{"question", func(m *Model) { m.open(mustQuestion(t, "tech.mfa-remote"), overviewScreen) }},
		{"help", func(m *Model) { m.open(mustQuestion(t, "tele.video-encryption"), overviewScreen); press(t, m, "h") }},
		{"keys", func(m *Model) { m.open(mustQuestion(t, "tele.video-encryption"), overviewScreen); press(t, m, "?") }},
		{"review", func(m *Model) {
			m.screen = overviewScreen
			press(t, m, "r", "down", "down", "down", "down", "down", "down", "down")
		}},
		{"section", func(m *Model) { m.screen = overviewScreen; press(t, m, "8", "l") }},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, _ := newModel(t, demoProgress())
			c.setup(m)
			// Run as a program in an 80x24 terminal, then leave with ctrl+c (which keeps the
			// screen as it was); the status line is cleared so it shows the default message.
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
			tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
			final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
			if final.width != 80 || final.height != 24 {
				t.Fatalf("terminal %dx%d", final.width, final.height)
			}
			final.status = ""
			text := screenText(final)
			for i, l := range strings.Split(text, "\n") {
				if strings.HasSuffix(strings.TrimRight(l, " "), "…") {
					t.Errorf("line %d is cut off: %q", i+1, l)
				}
				if w := ansi.StringWidth(l); w > 80 {
					t.Errorf("line %d is %d columns wide", i+1, w)
				}
			}
			if n := strings.Count(text, "\n") + 1; n != 24 {
				t.Errorf("%d lines, want 24", n)
			}
			golden.RequireEqual(t, text)
		})
	}
}
