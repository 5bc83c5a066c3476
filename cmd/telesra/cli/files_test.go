package cli

import (
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"github.com/telesra/telesra/questionnaire"
)

// exportArgs exports the first section of an empty workspace: a small deterministic document.
func exportArgs(ws string, extra ...string) []string {
	return append([]string{"answers", "export", "-w", ws, "--section", questionnaire.DefaultBank().SectionIDs()[0]}, extra...)
}

// privateTerminal is a character device whose output the test reads: a pseudo-terminal of the
// test's own, in raw mode.
func privateTerminal(t *testing.T) (path string, received func(n int) string) {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Fatalf("open a pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { master.Close(); slave.Close() })
	if _, err := term.MakeRaw(int(slave.Fd())); err != nil { // no \n to \r\n translation
		t.Fatal(err)
	}
	path = slave.Name()
	got := make(chan []byte, 1)
	want := make(chan int, 1)
	go func() {
		n := <-want
		buf := make([]byte, 0, n)
		chunk := make([]byte, 4096)
		for len(buf) < n {
			k, err := master.Read(chunk)
			buf = append(buf, chunk[:k]...)
			if err != nil {
				break
			}
		}
		got <- buf
	}()
	return path, func(n int) string {
		want <- n
		select {
		case b := <-got:
			return string(b)
		case <-time.After(10 * time.Second):
			return "(nothing within 10 s)"
		}
	}
}

// fifoReader makes a named pipe and reads everything written to it, until the writer closes.
func fifoReader(t *testing.T) (path string, received func() string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "fifo")
	if err := unix.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte, 1)
	go func() {
		f, err := os.Open(path) // blocks until the writer opens
		if err != nil {
			got <- nil
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- b
	}()
	return path, func() string {
		select {
		case b := <-got:
			return string(b)
		case <-time.After(10 * time.Second):
			// Release the reader if nothing ever opened the pipe for writing.
			if f, err := os.OpenFile(path, os.O_WRONLY|unix.O_NONBLOCK, 0); err == nil {
				f.Close()
			}
			return "(nothing within 10 s)"
		}
	}
}

// TestOutputStreamsToDevicesAndPipes: -o naming a character device or a FIFO writes the content
// into it, and it is still a device or a FIFO afterwards (renaming a regular file over it, as
// root, once turned /dev/null into a 0600 regular file).
func TestOutputStreamsToDevicesAndPipes(t *testing.T) {
	ws := makeWorkspace(t, []string{"127.0.0.1"}, nil)
	want := run(t, nil, exportArgs(ws)...)
	if want.code != 0 || want.stdout == "" {
		t.Fatalf("answers export to stdout: exit %d\n%s", want.code, want.stderr)
	}

	tty, received := privateTerminal(t)
	if r := run(t, nil, exportArgs(ws, "-o", tty)...); r.code != 0 {
		t.Errorf("-o a character device: exit %d\n%s", r.code, r.stderr)
	}
	if got := received(len(want.stdout)); got != want.stdout {
		t.Errorf("the device received %d bytes, want the %d of the export", len(got), len(want.stdout))
	}
	if fi, err := os.Stat(tty); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Errorf("%s is no longer a character device: %v %v", tty, fi.Mode(), err)
	}

	// A null device: as root a node made in a temporary directory, so nothing in /dev is at
	// stake; otherwise /dev/null itself, which an unprivileged rename could not replace anyway.
	null := "/dev/null"
	if os.Geteuid() == 0 {
		null = filepath.Join(t.TempDir(), "null")
		if err := unix.Mknod(null, unix.S_IFCHR|0o600, int(unix.Mkdev(1, 3))); err != nil {
			t.Fatalf("mknod: %v", err)
		}
	}
	if r := run(t, nil, exportArgs(ws, "-o", null)...); r.code != 0 {
		t.Errorf("-o %s: exit %d\n%s", null, r.code, r.stderr)
	}
	if fi, err := os.Stat(null); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Errorf("%s is no longer a character device: %v %v", null, fi.Mode(), err)
	}

	fifo, read := fifoReader(t)
	if r := run(t, nil, exportArgs(ws, "-o", fifo)...); r.code != 0 {
		t.Errorf("-o a FIFO: exit %d\n%s", r.code, r.stderr)
	}
	if got := read(); got != want.stdout {
		t.Errorf("the FIFO received %d bytes, want the %d of the export", len(got), len(want.stdout))
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("%s is no longer a FIFO: %v %v", fifo, fi.Mode(), err)
	}

	if r := run(t, nil, exportArgs(ws, "-o", "-")...); r.code != 0 || r.stdout != want.stdout {
		t.Errorf("-o -: exit %d, %d bytes on stdout, want the export\n%s", r.code, len(r.stdout), r.stderr)
	}
	if _, err := os.Stat("-"); err == nil {
		t.Error(`-o - wrote a file named "-"`)
	}

	// scan -o FIFO streams the result too.
	target := portal(t)
	fifo, read = fifoReader(t)
	if r := run(t, nil, "scan", target, "--checks", "transport", "-f", "json", "-o", fifo); r.code != 0 {
		t.Errorf("scan -o a FIFO: exit %d\n%s", r.code, r.stderr)
	}
	if got := read(); !strings.Contains(got, "transport.cleartext_http") {
		t.Errorf("the FIFO received no scan result: %.200q", got)
	}
}

// TestOutputRefusesLinksAndOthersFiles: -o naming a symbolic link (to a file or to nothing) or
// another user's file is refused with exit 2 before anything is sent, and what was there is
// left exactly as it was.
func TestOutputRefusesLinksAndOthersFiles(t *testing.T) {
	ws := makeWorkspace(t, []string{"127.0.0.1"}, nil)
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim.txt")
	writeFile(t, victim, "keep me\n")
	link := filepath.Join(dir, "link.yaml")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(dir, "dangling.yaml")
	if err := os.Symlink(filepath.Join(dir, "nothing-here"), dangling); err != nil {
		t.Fatal(err)
	}
	check := func(name string, r runResult) {
		t.Helper()
		if r.code != ExitUsage || !strings.Contains(r.stderr, "symbolic link") {
			t.Errorf("%s: exit %d, want 2 and a message about the link\n%s", name, r.code, r.stderr)
		}
		if data, _ := os.ReadFile(victim); string(data) != "keep me\n" {
			t.Errorf("%s: the link's target was changed: %q", name, data)
		}
		for _, l := range []string{link, dangling} {
			if fi, err := os.Lstat(l); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
				t.Errorf("%s: %s is no longer a symbolic link", name, l)
			}
		}
		if _, err := os.Lstat(filepath.Join(dir, "nothing-here")); err == nil {
			t.Errorf("%s: a file was created through the dangling link", name)
		}
	}
	check("answers export -o link", run(t, nil, exportArgs(ws, "-o", link, "--force")...))
	check("answers export -o dangling link", run(t, nil, exportArgs(ws, "-o", dangling, "--force")...))
	addr, seen := countingListener(t)
	check("scan -o link", run(t, nil, "scan", addr, "--checks", "transport", "-o", link))
	check("scan -o json=dangling link", run(t, nil, "scan", addr, "--checks", "transport", "-o", "json="+dangling))
	if n := seen.Load(); n != 0 {
		t.Errorf("a scan whose output was refused still connected %d time(s)", n)
	}

	if os.Geteuid() != 0 {
		t.Log("not root: another user's file cannot be made, so that case is not run")
		return
	}
	theirs := filepath.Join(dir, "theirs.yaml")
	writeFile(t, theirs, "someone else's\n")
	if err := os.Chown(theirs, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, exportArgs(ws, "-o", theirs, "--force")...)
	if r.code != ExitUsage || !strings.Contains(r.stderr, "belongs to another user") {
		t.Errorf("-o another user's file: exit %d\n%s", r.code, r.stderr)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(theirs, &st); err != nil || st.Uid != 65534 {
		t.Errorf("another user's file was replaced: uid %d %v", st.Uid, err)
	}
	if data, _ := os.ReadFile(theirs); string(data) != "someone else's\n" {
		t.Errorf("another user's file was changed: %q", data)
	}
}

// mode0600 asserts that each path is a regular file with mode 0600.
func mode0600(t *testing.T, what string, paths ...string) {
	t.Helper()
	for _, p := range paths {
		fi, err := os.Lstat(p)
		if err != nil {
			t.Errorf("%s: %v", what, err)
			continue
		}
		if !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %s is %v, want a 0600 regular file", what, p, fi.Mode())
		}
	}
}

// loosen makes each path 0644, as an editor, a copy or a restore from backup may leave it.
func loosen(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if err := os.Chmod(p, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRewritesAre0600: every file telesra rewrites ends 0600 over an existing 0644 one
// (scan.json, answers.yaml through answers import and init --from, remediation.yaml through
// risks set, reports, -o files), and the directories it creates are 0700.
func TestRewritesAre0600(t *testing.T) {
	target := portal(t)

	t.Run("scan.json and scan -o", func(t *testing.T) {
		ws := makeWorkspace(t, []string{target}, nil)
		scanJSON := filepath.Join(ws, "scan.json")
		out := filepath.Join(t.TempDir(), "r.sarif")
		writeFile(t, scanJSON, "{}")
		writeFile(t, out, "old")
		loosen(t, scanJSON, out)
		if r := run(t, nil, "scan", "-w", ws, "--checks", "transport", "-o", "sarif="+out); r.code != 0 {
			t.Fatalf("scan: exit %d\n%s", r.code, r.stderr)
		}
		mode0600(t, "scan", scanJSON, out)
	})

	t.Run("answers import and answers export -o", func(t *testing.T) {
		ws := reportWorkspace(t)
		sec := questionnaire.DefaultBank().SectionIDs()[0]
		export := filepath.Join(t.TempDir(), "export.yaml")
		if r := run(t, nil, "answers", "export", "-w", ws, "--section", sec, "-o", export); r.code != 0 {
			t.Fatalf("export: exit %d\n%s", r.code, r.stderr)
		}
		loosen(t, export)
		if r := run(t, nil, "answers", "export", "-w", ws, "--section", sec, "-o", export, "--force"); r.code != 0 {
			t.Fatalf("export --force: exit %d\n%s", r.code, r.stderr)
		}
		mode0600(t, "answers export -o", export)
		// An import that adds answers rewrites answers.yaml.
		ids := questionnaire.DefaultBank().SectionIDs()
		// answers import changes a workspace (it takes the workspace's lock), so it needs one.
		target := makeWorkspace(t, []string{"127.0.0.1"}, nil)
		for i, sec := range ids[:2] {
			part := filepath.Join(t.TempDir(), "part.yaml")
			if r := run(t, nil, "answers", "export", "-w", ws, "--section", sec, "-o", part); r.code != 0 {
				t.Fatalf("export %s: exit %d\n%s", sec, r.code, r.stderr)
			}
			if r := run(t, nil, "answers", "import", "-w", target, part); r.code != 0 {
				t.Fatalf("import %s: exit %d\n%s", sec, r.code, r.stderr)
			}
			if i == 0 {
				loosen(t, filepath.Join(target, "answers.yaml"))
			}
		}
		mode0600(t, "answers import", filepath.Join(target, "answers.yaml"), filepath.Join(target, "answers.yaml.bak"))
	})

	t.Run("init --from", func(t *testing.T) {
		last := reportWorkspace(t)
		next := filepath.Join(t.TempDir(), "a", "b")
		if err := os.MkdirAll(next, 0o700); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(last, "answers.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(next, "answers.yaml"), string(data))
		writeFile(t, filepath.Join(next, "assessment.yaml"), "")
		loosen(t, filepath.Join(next, "answers.yaml"), filepath.Join(next, "assessment.yaml"))
		if r := run(t, nil, "init", next, "--from", last, "--force"); r.code != 0 {
			t.Fatalf("init --from: exit %d\n%s", r.code, r.stderr)
		}
		mode0600(t, "init --from", filepath.Join(next, "answers.yaml"), filepath.Join(next, "assessment.yaml"))
		created := filepath.Join(t.TempDir(), "x", "y")
		if r := run(t, nil, "init", created, "--org", "O", "--assessor", "A"); r.code != 0 {
			t.Fatalf("init: exit %d\n%s", r.code, r.stderr)
		}
		for _, d := range []string{created, filepath.Dir(created)} {
			if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o700 {
				t.Errorf("init created %s with mode %v, want 0700", d, fi.Mode().Perm())
			}
		}
	})

	t.Run("risks set and report", func(t *testing.T) {
		ws := reportWorkspace(t)
		var risks []struct{ ID string }
		if err := json.Unmarshal([]byte(run(t, nil, "risks", "list", "-w", ws, "-f", "json").stdout), &risks); err != nil || len(risks) == 0 {
			t.Fatalf("risks list: %v", err)
		}
		id := risks[0].ID
		plan := filepath.Join(ws, "remediation.yaml")
		if r := run(t, nil, "risks", "set", id, "-w", ws, "--owner", "Maria Lopez"); r.code != 0 {
			t.Fatalf("risks set: exit %d\n%s", r.code, r.stderr)
		}
		loosen(t, plan)
		if r := run(t, nil, "risks", "set", id, "-w", ws, "--owner", "Sam Ortiz"); r.code != 0 {
			t.Fatalf("risks set again: exit %d\n%s", r.code, r.stderr)
		}
		mode0600(t, "risks set", plan, plan+".bak")

		out := filepath.Join(t.TempDir(), "new", "reports")
		if r := run(t, nil, "report", "-w", ws, "-o", out, "-f", "csv,md"); r.code != 0 {
			t.Fatalf("report: exit %d\n%s", r.code, r.stderr)
		}
		if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("report created %s with mode %v, want 0700", out, fi.Mode().Perm())
		}
		files := []string{filepath.Join(out, "risk-register.csv"), filepath.Join(out, "risk-summary.md")}
		loosen(t, files...)
		if r := run(t, nil, "report", "-w", ws, "-o", out, "-f", "csv,md"); r.code != 0 {
			t.Fatalf("report again: exit %d\n%s", r.code, r.stderr)
		}
		mode0600(t, "report", files...)
	})
}
