package tui

import (
	"bytes"
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/telesra/telesra/questionnaire"
)

func typeText(t *testing.T, m *Model, s string) {
	t.Helper()
	for _, r := range s {
		press(t, m, string(r))
	}
}

// TestDecisionFormAfterNotImplemented: answering an Addressable specification's question "not
// implemented" opens the decision form (within 80 columns); the decision, reason, who and role
// typed are saved with today's date, and the session moves on.
func TestDecisionFormAfterNotImplemented(t *testing.T) {
	m, st := newModel(t, nil)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.open(mustQuestion(t, "site.maintenance"), overviewScreen)
	press(t, m, "3") // Not implemented
	if st.count() != 1 || st.last().Get("site.maintenance").Status != questionnaire.NotImplemented {
		t.Fatalf("the answer was not saved before the decision form: %d saves", st.count())
	}
	screen := screenText(m)
	if m.edit != editDecision || !strings.Contains(screen, "Decision on 164.310(a)(2)(iv) Maintenance records") ||
		!strings.Contains(screen, "3 Not reasonable and appropriate") {
		t.Fatalf("no decision form:\n%s", screen)
	}
	for i, l := range strings.Split(m.Render(), "\n") {
		if w := ansi.StringWidth(l); w > 80 {
			t.Errorf("line %d is %d columns wide: %q", i+1, w, ansi.Strip(l))
		}
	}
	press(t, m, "3")
	typeText(t, m, "cost")
	press(t, m, "enter")
	if !strings.Contains(m.status, "at least three words") {
		t.Errorf("a one-word reason was taken: %q", m.status)
	}
	typeText(t, m, " because the landlord does every repair")
	press(t, m, "enter")
	typeText(t, m, "Maria Lopez")
	press(t, m, "enter")
	typeText(t, m, "Security official")
	press(t, m, "enter")
	d := st.last().Decision("164.310(a)(2)(iv)")
	if d == nil || d.Decision != questionnaire.DecisionNotReasonable || d.Reason != "cost because the landlord does every repair" ||
		d.By != "Maria Lopez" || d.Role != "Security official" || d.Date != fixedNow().Format("2006-01-02") {
		t.Fatalf("decision saved: %+v", d)
	}
	if m.edit != editNone || m.current.ID == "site.maintenance" {
		t.Errorf("did not move on after the decision: edit %v at %s", m.edit, m.current.ID)
	}
	// Esc leaves it for later: the answer stays, no decision is recorded.
	m2, st2 := newModel(t, nil)
	m2.open(mustQuestion(t, "site.maintenance"), overviewScreen)
	press(t, m2, "2", "esc")
	if a := st2.last(); a.Get("site.maintenance").Status != questionnaire.Partial || a.Decision("164.310(a)(2)(iv)") != nil || m2.edit != editNone {
		t.Errorf("esc: %+v, decision %+v", a.Get("site.maintenance"), a.Decision("164.310(a)(2)(iv)"))
	}
	// Implemented asks nothing.
	m3, _ := newModel(t, nil)
	m3.open(mustQuestion(t, "site.maintenance"), overviewScreen)
	press(t, m3, "1")
	if m3.edit == editDecision {
		t.Error("an implemented answer opened the decision form")
	}
}

// TestPromptsAskForDecision: the plain prompts ask for the decision after a partial answer to an
// Addressable specification's question and save it.
func TestPromptsAskForDecision(t *testing.T) {
	a := questionnaire.NewAnswers()
	a.ResumeAt = "site.maintenance"
	st := &memStore{}
	var out bytes.Buffer
	input := "2\n2\nThe landlord's work orders are kept\nWe make no repairs ourselves\nMaria Lopez\nSecurity official\nq\n"
	if err := Prompt(context.Background(), strings.NewReader(input), &out, Options{Bank: questionnaire.DefaultBank(), Answers: a, Store: st, Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	d := st.last().Decision("164.310(a)(2)(iv)")
	if d == nil || d.Decision != questionnaire.DecisionAlternative || d.Measure != "The landlord's work orders are kept" || d.Role != "Security official" {
		t.Fatalf("decision %+v\n%s", d, out.String())
	}
}
