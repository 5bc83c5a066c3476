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

func sampleMarks() questionnaire.ScanMarks {
	return questionnaire.ScanMarks{
		"tele.vpn": {Question: "tele.vpn", Status: questionnaire.Implemented, State: questionnaire.MarkContradicted,
			Summary: "the scan reached remote access on an internet-facing asset, outside any VPN (1 finding on Remote access (SSH) (203.0.113.10:22))"},
		"tele.video-encryption": {Question: "tele.video-encryption", Status: questionnaire.Implemented, State: questionnaire.MarkVerified,
			Summary: "participants reach the video platform only over TLS 1.2 or later (13 checks passed on Video visits (https://127.0.0.1:29474/))"},
	}
}

// TestQuestionShowsScanMark: with the workspace's scan marks, the question screen says the
// scan contradicts (or verifies) the answer, with the findings' assets, within 80 columns;
// the mark goes once the answer changes, since the scan judged the answer given.
func TestQuestionShowsScanMark(t *testing.T) {
	a := questionnaire.SampleAnswers()
	a.SetStatus("tele.vpn", questionnaire.Implemented, "2026-11-20")
	a.SetStatus("tele.video-encryption", questionnaire.Implemented, "2026-11-20")
	st := &memStore{}
	m := New(Options{Bank: questionnaire.DefaultBank(), Answers: a, Store: st, Now: fixedNow, Marks: sampleMarks()})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.open(mustQuestion(t, "tele.vpn"), overviewScreen)
	screen := screenText(m)
	flat := strings.Join(strings.Fields(screen), " ")
	if !strings.Contains(flat, "Contradicted by the scan: the scan reached remote access") || !strings.Contains(flat, "203.0.113.10:22") {
		t.Errorf("tele.vpn screen lacks the contradiction:\n%s", screen)
	}
	for _, l := range strings.Split(screen, "\n") {
		if w := ansi.StringWidth(l); w > 80 {
			t.Errorf("line of %d columns: %q", w, l)
		}
	}
	m.open(mustQuestion(t, "tele.video-encryption"), overviewScreen)
	if flat := strings.Join(strings.Fields(screenText(m)), " "); !strings.Contains(flat, "Verified by scan: participants reach the video platform") {
		t.Errorf("tele.video-encryption screen lacks the verification:\n%s", screenText(m))
	}
	m.open(mustQuestion(t, "tele.vpn"), overviewScreen)
	press(t, m, "2") // partly: no longer the answer the scan contradicted
	m.open(mustQuestion(t, "tele.vpn"), overviewScreen)
	if strings.Contains(screenText(m), "Contradicted") {
		t.Errorf("the mark outlived the answer it was for:\n%s", screenText(m))
	}
}

// TestPlainPromptsShowScanMark: the plain prompts print the mark under the current answer.
func TestPlainPromptsShowScanMark(t *testing.T) {
	a := questionnaire.SampleAnswers()
	a.SetStatus("tele.vpn", questionnaire.Implemented, "2026-11-20")
	a.ResumeAt = "tele.vpn"
	delete(a.ByID, "tele.privacy-notice") // one question open, so the session resumes at tele.vpn
	var out bytes.Buffer
	if err := Prompt(context.Background(), strings.NewReader("q\n"), &out,
		Options{Bank: questionnaire.DefaultBank(), Answers: a, Store: &memStore{}, Now: fixedNow, Marks: sampleMarks()}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Current answer: Implemented.\nContradicted by the scan: the scan reached remote access") {
		t.Errorf("plain prompts:\n%s", out.String())
	}
}

// TestOverviewCountsContradictedAnswers: the overview's status counts treat an answer the scan
// contradicts as the report does (contradicted, never met) while it is the answer the scan
// judged, and as answered once it changes.
func TestOverviewCountsContradictedAnswers(t *testing.T) {
	a := questionnaire.SampleAnswers()
	a.SetStatus("tele.vpn", questionnaire.Implemented, "2026-11-20")
	m := New(Options{Bank: questionnaire.DefaultBank(), Answers: a, Store: &memStore{}, Now: fixedNow, Marks: sampleMarks()})
	contradicted := func() int { return m.scores.Overall.Statuses.Count(questionnaire.StatusContradicted) }
	if contradicted() == 0 {
		t.Fatalf("tele.vpn is contradicted, the overview counts %v", m.scores.Overall.Statuses)
	}
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.open(mustQuestion(t, "tele.vpn"), overviewScreen)
	press(t, m, "2") // partly: no longer the answer the scan contradicted
	if n := contradicted(); n != 0 {
		t.Errorf("after the answer changed, %d specifications still counted contradicted", n)
	}
}
