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
		"Section: About your practice (about), question 1 of 10.",
		"Best answered by: practice manager.",
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

// TestPlainPromptsRefuseNotApplicableOnRequired: the plain prompts refuse "not applicable"
// for a Required specification, say why, and ask again.
func TestPlainPromptsRefuseNotApplicableOnRequired(t *testing.T) {
	st := &memStore{}
	a := questionnaire.SampleAnswers()
	delete(a.ByID, "tech.unique-ids")
	var out bytes.Buffer
	if err := Prompt(context.Background(), strings.NewReader("4\nq\n"), &out,
		Options{Bank: questionnaire.DefaultBank(), Answers: a, Store: st, Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "164.312(a)(2)(i)") || !strings.Contains(out.String(), "refused") {
		t.Errorf("no refusal shown:\n%s", out.String())
	}
	if last := st.last(); last != nil && last.Get("tech.unique-ids").Status == questionnaire.NotApplicable {
		t.Error("not applicable saved for a Required specification")
	}
}

// TestPlainPromptsAreTheSameQuestionnaire: the plain prompts number questions within their
// section, name the citation and who should answer, go to the next open question after an
// answer (not through answered ones), and resume where the last session left off.
func TestPlainPromptsAreTheSameQuestionnaire(t *testing.T) {
	b := questionnaire.DefaultBank()
	st := &memStore{}
	a := questionnaire.NewAnswers()
	a.SetStatus("about.servers", questionnaire.No, "2026-01-01")
	a.SetStatus("about.remote-work", questionnaire.Yes, "2026-01-01")
	var out bytes.Buffer
	// about.office: yes; the next open question is about.personal-devices (servers and remote
	// work are answered); skip it, then quit on about.email-patients.
	if err := Prompt(context.Background(), strings.NewReader("1\ns\nq\n"), &out, Options{Bank: b, Answers: a, Store: st, Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{
		"Saved: Yes.\n\nSection: About your practice (about), question 4 of 10.",
		"question 5 of 10.\nDoes the practice exchange email with patients",
		"About 1 h",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if got := st.last().ResumeAt; got != "about.email-patients" {
		t.Errorf("quit saved the position %q, want about.email-patients", got)
	}
	out.Reset()
	if err := Prompt(context.Background(), strings.NewReader("q\n"), &out, Options{Bank: b, Answers: st.last().Clone(), Store: st, Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Resuming where you left off.\n\nSection: About your practice (about), question 5 of 10.") {
		t.Errorf("second session:\n%s", out.String())
	}
	out.Reset()
	mfa := questionnaire.NewAnswers()
	mfa.ResumeAt = "tech.mfa-remote"
	if err := Prompt(context.Background(), strings.NewReader("q\n"), &out, Options{Bank: b, Answers: mfa, Store: st, Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "HIPAA 164.312(d) Person or entity authentication (Standard).\nBest answered by: IT support.") {
		t.Errorf("citation and audience:\n%s", out.String())
	}
}
