package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/telesra/telesra/checks/checkstest"
)

// runDirs lists the telesra-run-* directories in dir.
func runDirs(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "telesra-run-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSIGHUPWritesPartialResultsAndCleansUp: closing the terminal during a scan (SIGHUP) stops
// it like Ctrl-C: exit 130, the partial results written, and no run directory left in TMPDIR.
func TestSIGHUPWritesPartialResultsAndCleansUp(t *testing.T) {
	fast := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `<form><input type=password name=p></form>`)
	}))
	defer fast.Close()
	tarpit := checkstest.ServeTCP(t, time.Minute, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	tmp := t.TempDir()
	out := filepath.Join(t.TempDir(), "partial.json")
	cmd := command(t, "scan", strings.TrimPrefix(fast.URL, "http://"), tarpit, "--checks", "transport", "--timeout", "60s", "-o", out)
	cmd.Env = append(cmd.Env, "TMPDIR="+tmp)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	_ = cmd.Process.Signal(syscall.SIGHUP)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("telesra did not stop within 10s of SIGHUP")
	}
	if code := exitCode(err); code != 130 {
		t.Fatalf("exit %d (%v) after SIGHUP, want 130\n%s", code, err, stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("no partial results written: %v", err)
	}
	var res struct {
		Complete bool              `json:"complete"`
		Findings []json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal(data, &res); err != nil || res.Complete || len(res.Findings) != 1 {
		t.Errorf("partial result: %v complete=%v findings=%d", err, res.Complete, len(res.Findings))
	}
	if left := runDirs(t, tmp); len(left) > 0 {
		t.Errorf("run directories left in TMPDIR after SIGHUP: %v", left)
	}
}

// TestStaleRunDirsAreRemoved: a run directory whose process is gone (killed with SIGKILL) is
// removed when telesra next starts; one whose process is alive is kept.
func TestStaleRunDirsAreRemoved(t *testing.T) {
	tmp := t.TempDir()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	dead := filepath.Join(tmp, fmt.Sprintf("telesra-run-%d-1-0", gone.Process.Pid))
	live := filepath.Join(tmp, fmt.Sprintf("telesra-run-%d-1-0", os.Getpid()))
	for _, d := range []string{dead, live} {
		if err := os.MkdirAll(filepath.Join(d, "config", "nuclei"), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	// Not a run directory: left alone whatever its name's number says.
	other := filepath.Join(tmp, "telesra-run-notes.txt")
	if err := os.WriteFile(other, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := command(t, "version")
	cmd.Env = append(cmd.Env, "TMPDIR="+tmp)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("telesra version: %v\n%s", err, out)
	}
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("the run directory of exited pid %d is still there (%v)", gone.Process.Pid, err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("the run directory of a live process was removed: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("a file that is not a run directory was removed: %v", err)
	}
	if left := runDirs(t, tmp); len(left) != 2 {
		t.Errorf("after telesra version TMPDIR holds %v, want the live run directory and the file", left)
	}
}
