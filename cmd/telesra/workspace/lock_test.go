package workspace

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/telesra/telesra/questionnaire"
)

// TestConcurrentAssessSessionsLoseNoAnswer: two assess sessions on one workspace save after
// every answer, at the same moments, on different questions. Every answer of both must be in
// answers.yaml at the end, and neither session may be refused.
func TestConcurrentAssessSessionsLoseNoAnswer(t *testing.T) {
	bank := questionnaire.DefaultBank()
	all := bank.All()
	const perSession = 8
	for trial := range 5 {
		ws := newTestWorkspace(t)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		start := make(chan struct{})
		for s := range 2 {
			store, answers, err := ws.OpenAnswers(bank)
			if err != nil {
				t.Fatal(err)
			}
			wg.Go(func() {
				<-start
				for i := range perSession {
					q := all[s*perSession+i]
					answers.SetStatus(q.ID, q.Options[0].Status, "2026-11-22")
					if err := store.Save(answers.Clone()); err != nil {
						errs[s] = fmt.Errorf("session %d, answer %d (%s): %w", s, i, q.ID, err)
						return
					}
				}
			})
		}
		close(start)
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("trial %d: %v", trial, err)
			}
		}
		got, err := ws.LoadAnswers(bank)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range all[:2*perSession] {
			if got.Get(q.ID).Status == "" {
				t.Errorf("trial %d: the answer to %s was lost", trial, q.ID)
			}
		}
	}
}

// TestLockNamesItsHolder: a writer that cannot get the lock is told which process holds it and
// what it runs, and gets the lock once the holder lets go.
func TestLockNamesItsHolder(t *testing.T) {
	ws := newTestWorkspace(t)
	held, err := ws.Lock()
	if err != nil {
		t.Fatal(err)
	}
	_, err = ws.lock(0)
	var busy *BusyError
	if !errors.As(err, &busy) {
		t.Fatalf("second writer: %v, want BusyError", err)
	}
	if msg := err.Error(); !strings.Contains(msg, fmt.Sprintf("pid %d", os.Getpid())) ||
		!strings.Contains(msg, baseName(os.Args[0])) || !strings.Contains(msg, ws.Dir) {
		t.Errorf("message does not name the holder's pid, command and the workspace: %s", msg)
	}
	if err := held.Unlock(); err != nil {
		t.Fatal(err)
	}
	again, err := ws.lock(0)
	if err != nil {
		t.Fatalf("after the holder unlocked: %v", err)
	}
	again.Unlock()
	if fi, err := os.Stat(ws.LockPath()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file: %v %v", err, fi)
	}
	// Not a workspace: the usual message, and no lock file left there.
	dir := t.TempDir()
	if _, err := At(dir).Lock(); err == nil || !strings.Contains(err.Error(), "no assessment workspace here") {
		t.Errorf("lock outside a workspace: %v", err)
	}
	if _, err := os.Stat(At(dir).LockPath()); !errors.Is(err, os.ErrNotExist) {
		t.Error("a lock file was left in a directory that is not a workspace")
	}
}
