package main

import (
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/telesra/telesra/cmd/telesra/workspace"
	"github.com/telesra/telesra/questionnaire"
)

// initWorkspace makes a workspace with scanning authorised and the given scope targets.
func initWorkspace(t *testing.T, targets ...string) string {
	t.Helper()
	ws := filepath.Join(t.TempDir(), "ws")
	args := []string{"init", ws, "--org", "Concurrency Clinic", "--assessor", "Test",
		"--authorised-by", "Test owner", "--authorised-on", "2026-01-01"}
	for _, tg := range targets {
		args = append(args, "--target", tg)
	}
	if out, err := exec.Command(binary, args...).CombinedOutput(); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	return ws
}

// TestTwoAssessSessionsKeepEveryAnswer: two people run telesra assess on one workspace at the
// same time, each answering a question of a different section, each save landing after the
// other's. Both answers must be in answers.yaml, and both sessions end normally.
func TestTwoAssessSessionsKeepEveryAnswer(t *testing.T) {
	bank := questionnaire.DefaultBank()
	gov, _ := bank.Section("gov")
	second := gov.Questions[0].ID
	for trial := range 3 {
		ws := initWorkspace(t)
		a, ttyA := startAssess(t, ws)
		b, ttyB := startAssess(t, ws)
		// A answers the first question of the first section; then B, which read answers.yaml
		// before A saved, answers the first question of the second section.
		if _, err := ttyA.Write([]byte("\r1")); err != nil {
			t.Fatal(err)
		}
		waitAnswer(t, ws, "about.office", questionnaire.Yes)
		if _, err := ttyB.Write([]byte("j\r1")); err != nil {
			t.Fatal(err)
		}
		waitAnswer(t, ws, second, gov.Questions[0].Options[0].Status)
		// And A again, whose view of the file predates B's save.
		if _, err := ttyA.Write([]byte("2")); err != nil {
			t.Fatal(err)
		}
		waitAnswer(t, ws, "about.servers", questionnaire.No)
		for _, p := range []struct {
			cmd *exec.Cmd
			tty interface{ Write([]byte) (int, error) }
		}{{a, ttyA}, {b, ttyB}} {
			if _, err := p.tty.Write([]byte("q")); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- p.cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("trial %d: assess exited with %v", trial, err)
				}
			case <-time.After(15 * time.Second):
				t.Fatalf("trial %d: assess did not exit 15s after q", trial)
			}
		}
		got, err := workspace.At(ws).LoadAnswers(bank)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"about.office", "about.servers", second} {
			if got.Get(id).Status == "" {
				t.Errorf("trial %d: the answer to %s was lost", trial, id)
			}
		}
	}
}
