package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/telesra/telesra/cmd/telesra/workspace"
	"github.com/telesra/telesra/questionnaire"
)

// The binary is built once for all end-to-end tests by TestMain in main_test.go.

// screen collects what the program draws on the pseudo-terminal.
type screen struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

// waitFor waits (bounded) until the program has drawn text. Keys typed before the program puts
// the terminal in raw mode would be discarded, so tests wait for the first screen.
func (s *screen) waitFor(t *testing.T, text string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s.mu.Lock()
		got := s.buf.String()
		s.mu.Unlock()
		if strings.Contains(got, text) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the screen never showed %q; it showed:\n%q", text, got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startAssess runs `telesra assess` in a pseudo-terminal of 80x24 and waits for its first screen.
func startAssess(t *testing.T, ws string) (*exec.Cmd, *os.File) {
	t.Helper()
	cmd := exec.Command(binary, "assess", "-w", ws)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 80})
	if err != nil {
		t.Fatal(err)
	}
	scr := &screen{}
	go io.Copy(scr, tty) // also keeps a full pty buffer from blocking the program
	t.Cleanup(func() {
		tty.Close()
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	scr.waitFor(t, "telesra assess")
	return cmd, tty
}

// waitAnswer polls answers.yaml (bounded) until question id has status want.
func waitAnswer(t *testing.T, ws, id string, want questionnaire.Status) {
	t.Helper()
	bank := questionnaire.DefaultBank()
	deadline := time.Now().Add(20 * time.Second)
	for {
		a, err := workspace.At(ws).LoadAnswers(bank)
		if err == nil && a.Get(id).Status == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never saved as %s (last read: %v, %v)", id, want, a, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestAssessSurvivesSIGKILL answers questions in the real binary at a terminal, kills it with
// SIGKILL, and checks that every answer given was saved and the next session resumes at the
// first question still open.
func TestAssessSurvivesSIGKILL(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws")
	out, err := exec.Command(binary, "init", ws, "--org", "Kill Test Clinic", "--assessor", "Test",
		"--authorised-by", "Test owner", "--authorised-on", "2026-01-01").CombinedOutput()
	if err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}

	cmd, tty := startAssess(t, ws)
	// Overview -> enter starts section 1; then Yes, No, Yes to the first three questions.
	steps := []struct {
		keys string
		id   string
		want questionnaire.Status
	}{
		{"\r1", "about.office", questionnaire.Yes},
		{"2", "about.servers", questionnaire.No},
		{"1", "about.remote-work", questionnaire.Yes},
	}
	for _, s := range steps {
		if _, err := tty.Write([]byte(s.keys)); err != nil {
			t.Fatal(err)
		}
		waitAnswer(t, ws, s.id, s.want)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	bank := questionnaire.DefaultBank()
	a, err := workspace.At(ws).LoadAnswers(bank)
	if err != nil {
		t.Fatalf("answers.yaml after SIGKILL: %v", err)
	}
	for _, s := range steps {
		if got := a.Get(s.id).Status; got != s.want {
			t.Errorf("after SIGKILL %s = %q, want %s", s.id, got, s.want)
		}
	}
	if fi, err := os.Stat(workspace.At(ws).AnswersPath()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("answers.yaml: %v, mode %v", err, fi.Mode())
	}

	// The next session resumes at the first open question: answering "1" answers it.
	cmd2, tty2 := startAssess(t, ws)
	if _, err := tty2.Write([]byte("1")); err != nil {
		t.Fatal(err)
	}
	waitAnswer(t, ws, "about.personal-devices", questionnaire.Yes)
	if _, err := tty2.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd2.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("assess after q: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("assess did not exit 15s after q")
	}
	a, err = workspace.At(ws).LoadAnswers(bank)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"about.office", "about.servers", "about.remote-work", "about.personal-devices"} {
		if a.Get(id).Status == "" {
			t.Errorf("%s lost", id)
		}
	}
}

// TestAssessRefusesWithoutTerminalOrOnBadAnswers: no terminal, or a hand-edited answers.yaml
// with a typo, and assess does not start (exit 2, file:line), leaving the file as it was.
func TestAssessRefusesWithoutTerminalOrOnBadAnswers(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws")
	if out, err := exec.Command(binary, "init", ws, "--org", "X", "--assessor", "Y",
		"--authorised-by", "Z", "--authorised-on", "2026-01-01").CombinedOutput(); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	out, err := exec.Command(binary, "assess", "-w", ws).CombinedOutput()
	if code := exitCode(err); code != 2 || !contains(out, "stdin is not one") || !contains(out, "answers.yaml") {
		t.Errorf("assess without a terminal: exit %d\n%s", code, out)
	}
	bad := []byte("schema_version: 1\nanswers:\n  about.office:\n    status: yes\n  about.office:\n    status: no\n")
	if err := os.WriteFile(workspace.At(ws).AnswersPath(), bad, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd, tty := startAssessOutput(t, ws)
	got, _ := io.ReadAll(tty)
	err = cmd.Wait()
	if code := exitCode(err); code != 2 || !contains(got, "answers.yaml:5:3") || !contains(got, "duplicate key") {
		t.Errorf("assess on a bad answers file: exit %d\n%s", code, got)
	}
	if now, _ := os.ReadFile(workspace.At(ws).AnswersPath()); string(now) != string(bad) {
		t.Error("the bad answers file was rewritten")
	}
}

func startAssessOutput(t *testing.T, ws string) (*exec.Cmd, io.Reader) {
	t.Helper()
	cmd := exec.Command(binary, "assess", "-w", ws)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 80})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tty.Close() })
	return cmd, &eofOnEIO{tty}
}

// eofOnEIO ends reading when the child closes the terminal (Linux reports EIO, not EOF).
type eofOnEIO struct{ r io.Reader }

func (e *eofOnEIO) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil {
		return n, io.EOF
	}
	return n, nil
}

func contains(b []byte, s string) bool { return strings.Contains(string(b), s) }

// TestAssessResumesWhereLeftOff quits in the middle of a section after skipping two questions,
// and checks that the next session opens on the question the user was on (not the first
// skipped one), that o opens the overview and that c goes back to where the user left off.
func TestAssessResumesWhereLeftOff(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws")
	if out, err := exec.Command(binary, "init", ws, "--org", "Resume Clinic", "--assessor", "Test",
		"--authorised-by", "Test owner", "--authorised-on", "2026-01-01").CombinedOutput(); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	cmd, tty := startAssess(t, ws)
	for _, s := range []struct {
		keys string
		id   string
		want questionnaire.Status
	}{
		{"\r1", "about.office", questionnaire.Yes},
		{"2", "about.servers", questionnaire.No},
		{"1", "about.remote-work", questionnaire.Yes},
	} {
		if _, err := tty.Write([]byte(s.keys)); err != nil {
			t.Fatal(err)
		}
		waitAnswer(t, ws, s.id, s.want)
	}
	// Skip about.personal-devices and about.email-patients (→ twice): the user is on
	// about.texting, question 6 of the section, and quits there.
	if _, err := tty.Write([]byte("\x1b[C")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // two escape sequences in one read would be one key
	if _, err := tty.Write([]byte("\x1b[C")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if _, err := tty.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	waitExit(t, cmd)

	// The next session opens on about.texting: "1" answers it, and the skipped questions stay open.
	cmd2, tty2 := startAssess(t, ws)
	if _, err := tty2.Write([]byte("1")); err != nil {
		t.Fatal(err)
	}
	waitAnswer(t, ws, "about.texting", questionnaire.Yes)
	// Now on about.removable-media. o opens the overview, c comes back to removable-media.
	if _, err := tty2.Write([]byte("o")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if _, err := tty2.Write([]byte("c")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if _, err := tty2.Write([]byte("2")); err != nil {
		t.Fatal(err)
	}
	waitAnswer(t, ws, "about.removable-media", questionnaire.No)
	if _, err := tty2.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	waitExit(t, cmd2)
	a, err := workspace.At(ws).LoadAnswers(questionnaire.DefaultBank())
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"about.personal-devices", "about.email-patients"} {
		if st := a.Get(id).Status; st != "" {
			t.Errorf("skipped %s was answered %q: a session opened on it instead of where the user left off", id, st)
		}
	}
}

func waitExit(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("assess after q: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("assess did not exit 15s after q")
	}
}
