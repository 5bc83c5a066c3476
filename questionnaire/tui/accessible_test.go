package tui

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/telesra/telesra/questionnaire"
)

func TestPlainPromptsSaveEachAnswerAndStopAtEndOfInput(t *testing.T) {
	st := &memStore{}
	a := questionnaire.NewAnswers()
	var out bytes.Buffer
	// Yes; help then No; flag then don't know; skip; back is the skipped question's neighbour...
	input := "1\nh\n2\nf\n3\nzz\ns\n"
	err := Prompt(context.Background(), strings.NewReader(input), &out, Options{Bank: questionnaire.DefaultBank(), Answers: a, Store: st, Now: fixedNow, File: "ws/answers.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	text := out.String()
	last := st.last()
	if last.Get("about.office").Status != questionnaire.Yes || last.Get("about.servers").Status != questionnaire.No {
		t.Errorf("saved %+v", last.ByID)
	}
	if r := last.Get("about.remote-work"); r.Status != questionnaire.Unknown || !r.Flagged {
		t.Errorf("about.remote-work %+v", r)
	}
	if _, ok := last.ByID["about.personal-devices"]; ok {
		t.Error("a skipped question was answered")
	}
	for _, want := range []string{
		"Question 1 of 119. Section: About your practice.",
		"1. Yes\n2. No\n3. Don't know (flag for later)\n",
		"Why it matters: Equipment that stores",
		"Flagged for later.",
		"Please type a number from 1 to 3, or a command letter.",
		"Each answer is saved to ws/answers.yaml",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "\x1b[") {
		t.Error("plain prompts contain escape sequences")
	}
}

func TestPlainPromptsNotApplicableAsksWhy(t *testing.T) {
	st := &memStore{}
	a := questionnaire.SampleAnswers()
	delete(a.ByID, "vendor.government")
	var out bytes.Buffer
	if err := Prompt(context.Background(), strings.NewReader("4\n\nNo agency acts for us\nq\n"), &out,
		Options{Bank: questionnaire.DefaultBank(), Answers: a, Store: st, Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	if g := st.last().Get("vendor.government"); g.Status != questionnaire.NotApplicable || g.Notes != "No agency acts for us" {
		t.Errorf("saved %+v\n%s", g, out.String())
	}
}
