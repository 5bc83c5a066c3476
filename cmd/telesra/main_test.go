package main

import (
	"bytes"
	"encoding/json"
	"errors"
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
)

// These tests run the real binary, as a user and a CI job do: the signal handling, the exit
// codes and the README's demo command are only true if they hold here.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "telesra-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "telesra")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build telesra:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func command(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(binary, args...)
	// A clean environment: an empty HOME, no colour, as in CI.
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "NO_COLOR=1"}
	return cmd
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

func TestDemoBinary(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	cmd := command(t, "demo", dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("telesra demo: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(string(out), "transport.cleartext_http") || !strings.Contains(string(out), "Findings:") {
		t.Errorf("demo table lacks the portal finding:\n%s", out)
	}
	if !strings.Contains(stderr.String(), dir) {
		t.Errorf("demo does not say where the results are:\n%s", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "scan.json")); err != nil {
		t.Error(err)
	}
}

func TestSIGINTWritesPartialResultsAndExits130(t *testing.T) {
	fast := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `<form><input type=password name=p></form>`)
	}))
	defer fast.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // a tarpit: accepts, never answers
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(io.Discard, c); c.Close() }()
		}
	}()
	out := filepath.Join(t.TempDir(), "partial.json")
	cmd := command(t, "scan", strings.TrimPrefix(fast.URL, "http://"), ln.Addr().String(), "--checks", "transport", "--timeout", "60s", "-o", out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	sent := time.Now()
	_ = cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("telesra did not stop within 10s of SIGINT")
	}
	if code := exitCode(err); code != 130 {
		t.Fatalf("exit %d after SIGINT, want 130\n%s", code, stderr.String())
	}
	if el := time.Since(sent); el > time.Second {
		t.Errorf("stopped %v after SIGINT, want under 1s", el)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("no partial results written: %v", err)
	}
	var res struct {
		Complete bool `json:"complete"`
		Findings []struct {
			Check string `json:"check"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(data, &res); err != nil || res.Complete || len(res.Findings) != 1 {
		t.Errorf("partial result: %v complete=%v findings=%v", err, res.Complete, res.Findings)
	}
	if !strings.Contains(stderr.String(), "interrupted; partial results written to") {
		t.Errorf("stderr: %s", stderr.String())
	}
}

func TestExitCodesFromBinary(t *testing.T) {
	cases := []struct {
		args []string
		code int
	}{
		{[]string{"version"}, 0},
		{[]string{"scan", "127.0.0.1:70000"}, 2},
		{[]string{"scan", "--bogus"}, 2},
		{[]string{"nonsense"}, 2},
	}
	for _, c := range cases {
		err := command(t, c.args...).Run()
		if got := exitCode(err); got != c.code {
			t.Errorf("telesra %v: exit %d, want %d", c.args, got, c.code)
		}
	}
}
