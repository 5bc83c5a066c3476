package workspace

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// InputKind is a kind of file telesra reads, with the most it will read of one. Every file a
// user hands telesra, inside a workspace or on the command line, is read by ReadInput under its
// kind, so /dev/zero or a pipe that never ends is refused at the limit with a message naming
// the file, instead of the process growing until Go's out-of-memory exit (which is 2, the code
// of bad input, and says nothing).
type InputKind struct {
	// Name says what the file is, in messages ("targets" for a targets file).
	Name string
	// Limit is the largest file accepted, in bytes. Each is far above what a real file of the
	// kind holds (docs/files.md gives the reasoning) and small enough to read into memory.
	Limit int64
	// Pipe accepts a pipe (a FIFO, /dev/stdin, a shell's <(...)) as well as a regular file: for
	// files named on the command line. A workspace's own files must be regular files: opening a
	// FIFO with no writer would hang.
	Pipe bool
}

// The kinds of input file and their limits; docs/files.md is the documented table.
var (
	AssessmentInput   = InputKind{Name: "assessment", Limit: 1 << 20}
	ScanInput         = InputKind{Name: "scan result", Limit: 256 << 20}
	AnswersInput      = InputKind{Name: "answers", Limit: 8 << 20}
	AnswersFileInput  = InputKind{Name: "answers", Limit: 8 << 20, Pipe: true} // answers import FILE
	AssetsInput       = InputKind{Name: "assets", Limit: 4 << 20}
	PlanInput         = InputKind{Name: "remediation plan", Limit: 8 << 20}
	ApprovalsInput    = InputKind{Name: "approvals", Limit: 1 << 20}
	SuppressionsInput = InputKind{Name: "suppressions", Limit: 4 << 20, Pipe: true}
	TargetsInput      = InputKind{Name: "targets", Limit: 4 << 20, Pipe: true}
	CAInput           = InputKind{Name: "CA", Limit: 4 << 20, Pipe: true}
	FeedInput         = InputKind{Name: "feed", Limit: 64 << 20, Pipe: true}
)

// ReadInput reads a file of the given kind whole, refusing before reading it a directory, a
// device, a socket, a pipe where the kind wants a regular file, and a file larger than the
// kind's limit; a pipe is read up to the limit and refused past it. A missing file is an error
// that wraps fs.ErrNotExist. Every refusal is an InputError (exit 2) naming the file.
func ReadInput(path string, kind InputKind) ([]byte, error) {
	if kind.Limit <= 0 {
		return nil, fmt.Errorf("internal error: read %s: no input kind", path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, openError(path, kind, err)
	}
	if err := kind.admit(path, fi); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, openError(path, kind, err)
	}
	defer f.Close()
	// The path may name something else by now (a file swapped for a device): judge what was
	// opened.
	if fi, err = f.Stat(); err != nil {
		return nil, fmt.Errorf("read %s file %s: %w", kind.Name, path, err)
	}
	if err := kind.admit(path, fi); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if fi.Mode().IsRegular() {
		buf.Grow(int(fi.Size()) + 512) // admit bounded the size
	}
	if _, err := buf.ReadFrom(io.LimitReader(f, kind.Limit+1)); err != nil {
		return nil, fmt.Errorf("read %s file %s: %w", kind.Name, path, err)
	}
	if int64(buf.Len()) > kind.Limit {
		return nil, kind.tooLarge(path)
	}
	return buf.Bytes(), nil
}

// readOptional reads a workspace file that may be absent: a missing file is (nil, nil).
func readOptional(path string, kind InputKind) ([]byte, error) {
	data, err := ReadInput(path, kind)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return data, err
}

// admit refuses what cannot be a file of the kind, from its metadata alone.
func (k InputKind) admit(path string, fi fs.FileInfo) error {
	m := fi.Mode()
	switch {
	case m.IsRegular():
		if fi.Size() > k.Limit {
			return k.tooLarge(path)
		}
		return nil
	case m&fs.ModeNamedPipe != 0 && k.Pipe:
		return nil
	}
	return inputErrorf("%s: %s, not a regular file: telesra reads %s files of at most %s", path, describeMode(m), k.Name, size(k.Limit))
}

func (k InputKind) tooLarge(path string) error {
	return inputErrorf("%s: larger than %s, the limit for %s files: not read", path, size(k.Limit), k.Name)
}

// openError keeps fs.ErrNotExist visible to callers for which a missing file is normal, and
// makes a missing or unreadable file bad input rather than a failure of telesra.
func openError(path string, k InputKind, err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		return &InputError{Err: fmt.Errorf("read %s file: %w", k.Name, err)}
	}
	return fmt.Errorf("read %s file: %w", k.Name, err)
}

// describeMode names a kind of file for a message.
func describeMode(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeNamedPipe != 0:
		return "a pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "a special file"
}

// size prints a limit in the unit it was chosen in.
func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	if n >= 1<<10 && n%(1<<10) == 0 {
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
