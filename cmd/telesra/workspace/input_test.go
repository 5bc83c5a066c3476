package workspace

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestReadInputRefusesWhatIsNotAFileOfTheKind: a directory, a device, a pipe where a workspace
// file is expected and a regular file over the kind's limit are refused before being read,
// each with an InputError naming the file (and the limit); a missing file still reads as
// missing.
func TestReadInputRefusesWhatIsNotAFileOfTheKind(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "answers.yaml")
	if err := os.WriteFile(ok, []byte("answers: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if data, err := ReadInput(ok, AnswersInput); err != nil || string(data) != "answers: {}\n" {
		t.Fatalf("a small regular file: %q %v", data, err)
	}
	huge := filepath.Join(dir, "scan.json")
	if err := os.WriteFile(huge, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, ScanInput.Limit+1); err != nil { // sparse: nothing is written
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "assets.yaml")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		path string
		kind InputKind
		want string
	}{
		{huge, ScanInput, "scan.json: larger than 256 MiB, the limit for scan result files"},
		{dir, AssessmentInput, "a directory, not a regular file: telesra reads assessment files of at most 1 MiB"},
		{"/dev/zero", TargetsInput, "/dev/zero: a character device, not a regular file: telesra reads targets files of at most 4 MiB"},
		// A workspace file that is a pipe is refused, not opened: with no writer, opening it
		// would wait for ever.
		{fifo, AssetsInput, "assets.yaml: a pipe, not a regular file"},
	}
	for _, c := range cases {
		done := make(chan error, 1)
		go func() { _, err := ReadInput(c.path, c.kind); done <- err }()
		select {
		case err := <-done:
			var in *InputError
			if !errors.As(err, &in) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: %v, want an InputError saying %q", c.path, err, c.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: ReadInput still blocked after 10 s", c.path)
		}
	}
	_, err := ReadInput(filepath.Join(dir, "missing.yaml"), AnswersInput)
	var in *InputError
	if !errors.Is(err, fs.ErrNotExist) || !errors.As(err, &in) {
		t.Errorf("a missing file: %v, want an InputError wrapping fs.ErrNotExist", err)
	}
}
