package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
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

// waitSaves waits (bounded) until the store has n saves.
func waitSaves(t *testing.T, st *memStore, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for st.count() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d saves after 5s, want %d", st.count(), n)
		}
		time.Sleep(10 * time.Millisecond)
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
	waitSaves(t, st, 2)
	sendKeys(tm, "left", "f")
	waitSaves(t, st, 3)
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
	waitSaves(t, st, 3)
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
