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

	"github.com/telesra/telesra/checks/checkstest"
)

// These tests run the real binary, as a user and a CI job do: the signal handling, the exit
// codes and the README's demo command are only true if they hold here.

// runMainEnv makes the test binary behave as the telesra binary (it runs main's run with the
// command line), so these tests exercise exactly what users run, init order included, without
// linking a second 150 MB binary.
const runMainEnv = "TELESRA_TEST_RUN_MAIN"

// binary is the program the end-to-end tests run: this test binary, which is telesra when
// runMainEnv is set (TestMain sets it for every child it starts).
var binary string

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		os.Exit(run())
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = exe
	// The web worker, built once: telesra finds it through $TELESRA_WEB_WORKER, in this process
	// (runCLI) and in every child.
	dir, err := os.MkdirTemp("", "telesra-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	workerBin = filepath.Join(dir, workerName)
	build := exec.Command("go", "build", "-o", workerBin, "github.com/telesra/telesra/cmd/telesra-web")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	code := 1
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build the web worker:", err)
	} else {
		os.Setenv(workerEnv, workerBin)
		// Children inherit it: exec.Command(binary, ...) is then telesra.
		os.Setenv(runMainEnv, "1")
		code = m.Run()
	}
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// workerBin is the web worker (cmd/telesra-web) TestMain built.
var workerBin string

func command(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(binary, args...)
	// A clean environment: an empty HOME, no colour, as in CI.
	cmd.Env = []string{runMainEnv + "=1", "HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "NO_COLOR=1", workerEnv + "=" + workerBin}
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
	// A tarpit: accepts, never answers.
	tarpit := checkstest.ServeTCP(t, time.Minute, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	out := filepath.Join(t.TempDir(), "partial.json")
	cmd := command(t, "scan", strings.TrimPrefix(fast.URL, "http://"), tarpit, "--checks", "transport", "--timeout", "60s", "-o", out)
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
	var err error
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

// TestFeedsImportPersistsInTheUsersConfig: nuclei's containment repoints XDG_CONFIG_HOME into a
// private run directory; the patch knowledge base must still land in the user's real one and be
// there for the next run.
func TestFeedsImportPersistsInTheUsersConfig(t *testing.T) {
	home := t.TempDir()
	env := []string{runMainEnv + "=1", "HOME=" + home, "PATH=" + os.Getenv("PATH"), "NO_COLOR=1"}
	imp := exec.Command(binary, "feeds", "import", "../../checks/patch/testdata/feeds/kev-fixture.json")
	imp.Env = env
	if out, err := imp.CombinedOutput(); err != nil {
		t.Fatalf("feeds import: %v\n%s", err, out)
	}
	entries, err := os.ReadDir(filepath.Join(home, ".config", "telesra", "kb"))
	if err != nil || len(entries) == 0 {
		t.Fatalf("no knowledge base copy under HOME/.config/telesra/kb: %v", err)
	}
	status := exec.Command(binary, "feeds", "status")
	status.Env = env
	out, err := status.CombinedOutput()
	if err != nil || !strings.Contains(string(out), filepath.Join(home, ".config", "telesra", "kb")) {
		t.Errorf("feeds status does not show the imported copy: %v\n%s", err, out)
	}
}
