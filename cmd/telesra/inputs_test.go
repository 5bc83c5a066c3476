package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/telesra/telesra/cmd/telesra/workspace"
	"golang.org/x/sys/unix"
)

// memoryCeiling is what a telesra process may grow to while refusing an endless input: the
// binary's own footprint (about 160 MB with nuclei linked) plus twice the largest limit read
// here. Before inputs were bounded, /dev/zero grew the process to about 3 GB.
const memoryCeiling = 512 << 20

// runBounded runs telesra and watches it: it is killed if its memory passes memoryCeiling or
// it runs for 60 s, so an unbounded read fails the test instead of exhausting the machine. It
// returns the exit code, stderr and the peak resident set.
func runBounded(t *testing.T, args ...string) (int, string, int64) {
	t.Helper()
	cmd := command(t, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var killed string
	deadline := time.After(60 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if killed != "" {
				t.Fatalf("telesra %s: killed: %s\n%s", strings.Join(args, " "), killed, stderr.String())
			}
			peak := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
			return exitCode(err), stderr.String(), peak
		case <-deadline:
			killed = "still running after 60 s"
			_ = cmd.Process.Kill()
		case <-tick.C:
			if rss := residentSet(cmd.Process.Pid); rss > memoryCeiling && killed == "" {
				killed = "resident set " + strconv.FormatInt(rss>>20, 10) + " MiB, past the ceiling"
				_ = cmd.Process.Kill()
			}
		}
	}
}

// residentSet is a process's VmRSS in bytes (0 once it has gone).
func residentSet(pid int) int64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// endlessFIFO makes a named pipe that a writer feeds with target lines for as long as someone
// reads it (bounded: at most 2 GiB or 60 s).
func endlessFIFO(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "endless")
	if err := unix.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		// Opening blocks until the reader opens; the read-write open in Cleanup releases it if
		// the reader never comes.
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		chunk := bytes.Repeat([]byte("127.0.0.1\n"), 6554)
		start := time.Now()
		for written := 0; written < 2<<30 && time.Since(start) < 60*time.Second && !stop.Load(); written += len(chunk) {
			if _, err := f.Write(chunk); err != nil {
				return // the reader closed it: EPIPE
			}
		}
	}()
	t.Cleanup(func() {
		stop.Store(true)
		if f, err := os.OpenFile(path, os.O_RDWR, 0); err == nil {
			// Unblocks a writer still waiting for a reader, and drains one blocked on a full pipe.
			go func() { _, _ = f.Read(make([]byte, 1<<16)) }()
			<-stopped
			f.Close()
		}
	})
	return path
}

// TestEndlessInputsAreRefusedAtTheirLimit: every file a user hands telesra is read within a
// limit. /dev/zero, where a file is expected, is refused before it is read; a pipe that never
// ends is refused at the limit. Either way the message names the file and the limit, the exit
// is 2 (bad input, not Go's out-of-memory exit, which is also 2), and the process stays small.
func TestEndlessInputsAreRefusedAtTheirLimit(t *testing.T) {
	// answers import needs a workspace (it takes the workspace's lock before reading).
	ws := t.TempDir()
	if _, err := workspace.Create(ws, workspace.Assessment{SchemaVersion: 1, Organisation: workspace.Organisation{Name: "Test Clinic"},
		Assessor: workspace.Assessor{Name: "Tester"}, AssessmentDate: "2026-11-22", Scope: workspace.Scope{Targets: []string{"127.0.0.1"}}}, false); err != nil {
		t.Fatal(err)
	}
	kb := t.TempDir()
	cases := []struct {
		name string
		args func() []string
		want []string
	}{
		{"--ignore-file /dev/zero", func() []string { return []string{"scan", "127.0.0.1:9", "--ignore-file", "/dev/zero"} },
			[]string{"/dev/zero", "character device", "suppressions files of at most 4 MiB"}},
		{"--targets-file /dev/zero", func() []string { return []string{"scan", "--targets-file", "/dev/zero"} },
			[]string{"/dev/zero", "character device", "targets files of at most 4 MiB"}},
		{"--ca-file /dev/zero", func() []string { return []string{"scan", "127.0.0.1:9", "--ca-file", "/dev/zero"} },
			[]string{"--ca-file", "/dev/zero", "character device", "CA files of at most 4 MiB"}},
		{"answers import /dev/zero", func() []string { return []string{"answers", "import", "-w", ws, "/dev/zero"} },
			[]string{"/dev/zero", "character device", "answers files of at most 8 MiB"}},
		{"feeds import /dev/zero", func() []string { return []string{"feeds", "import", "--kb-dir", kb, "/dev/zero"} },
			[]string{"/dev/zero", "character device", "feed files of at most 64 MiB"}},
		{"--targets-file an endless pipe", func() []string { return []string{"scan", "--targets-file", endlessFIFO(t)} },
			[]string{"endless: larger than 4 MiB, the limit for targets files"}},
		{"answers import an endless pipe", func() []string { return []string{"answers", "import", "-w", ws, endlessFIFO(t)} },
			[]string{"endless: larger than 8 MiB, the limit for answers files"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stderr, peak := runBounded(t, c.args()...)
			if code != 2 {
				t.Errorf("exit %d, want 2\n%s", code, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, stderr)
				}
			}
			if peak > memoryCeiling {
				t.Errorf("peak resident set %d MiB, want under %d MiB", peak>>20, memoryCeiling>>20)
			}
		})
	}
	if entries, _ := os.ReadDir(kb); len(entries) != 0 {
		t.Errorf("a refused feed left files in the knowledge base: %v", entries)
	}
}

// TestFeedsImportCopyIs0600: the imported knowledge-base copy ends 0600 over an existing 0644
// one, and the directory feeds import creates is 0700.
func TestFeedsImportCopyIs0600(t *testing.T) {
	kb := filepath.Join(t.TempDir(), "new", "kb")
	if code, _, stderr := runCLI(t, "feeds", "import", "--kb-dir", kb, feedFixtures+"/kev-fixture.json"); code != 0 {
		t.Fatalf("feeds import: exit %d\n%s", code, stderr)
	}
	entries, err := os.ReadDir(kb)
	if err != nil || len(entries) == 0 {
		t.Fatalf("no imported copy in %s: %v", kb, err)
	}
	if fi, err := os.Stat(kb); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("knowledge-base directory: %v %v, want 0700", fi.Mode().Perm(), err)
	}
	for _, e := range entries {
		if err := os.Chmod(filepath.Join(kb, e.Name()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if code, _, stderr := runCLI(t, "feeds", "import", "--kb-dir", kb, feedFixtures+"/kev-fixture.json"); code != 0 {
		t.Fatalf("feeds import again: exit %d\n%s", code, stderr)
	}
	entries, _ = os.ReadDir(kb)
	for _, e := range entries {
		fi, err := os.Stat(filepath.Join(kb, e.Name()))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v %v after a re-import, want 0600", e.Name(), fi.Mode().Perm(), err)
		}
	}
}
