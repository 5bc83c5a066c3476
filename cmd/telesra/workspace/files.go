package workspace

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/google/renameio/v2"
)

// File names inside a workspace directory. Every other package reaches these files through a
// Layout's methods; only this file spells their names.
const (
	AssessmentFile = "assessment.yaml"
	ScanFile       = "scan.json"
	AnswersFile    = "answers.yaml"
	AssetsFile     = "assets.yaml"
	PlanFile       = "remediation.yaml"
	ApprovalsFile  = "approvals.yaml"
	IgnoreFile     = ".telesra-ignore.yaml"
	ReportsDir     = "reports"
	ScansDir       = "scans"
	LockFile       = ".telesra.lock"
	// BackupSuffix names the copy of a file as it was before telesra last replaced it.
	BackupSuffix = ".bak"
)

// Layout names every file of one workspace directory. It reads nothing: Load reads
// assessment.yaml, and the use cases read the rest.
type Layout struct{ Dir string }

// At is the layout of the workspace in dir.
func At(dir string) Layout { return Layout{Dir: dir} }

// AssessmentPath is DIR/assessment.yaml: who, when, what may be scanned, who authorised it.
func (l Layout) AssessmentPath() string { return filepath.Join(l.Dir, AssessmentFile) }

// ScanPath is DIR/scan.json: the last scan's result document.
func (l Layout) ScanPath() string { return filepath.Join(l.Dir, ScanFile) }

// AnswersPath is DIR/answers.yaml: the questionnaire's answers.
func (l Layout) AnswersPath() string { return filepath.Join(l.Dir, AnswersFile) }

// AssetsPath is DIR/assets.yaml: what each scanned service is to the practice.
func (l Layout) AssetsPath() string { return filepath.Join(l.Dir, AssetsFile) }

// PlanPath is DIR/remediation.yaml: owners, due dates and statuses of the register's risks.
func (l Layout) PlanPath() string { return filepath.Join(l.Dir, PlanFile) }

// ApprovalsPath is DIR/approvals.yaml: the recorded approvals of the assessment, each bound to
// the inputs it approved (see InputsDigest).
func (l Layout) ApprovalsPath() string { return filepath.Join(l.Dir, ApprovalsFile) }

// IgnorePath is DIR/.telesra-ignore.yaml: the workspace's suppressions.
func (l Layout) IgnorePath() string { return filepath.Join(l.Dir, IgnoreFile) }

// ReportsDir is DIR/reports: where `telesra report` writes by default.
func (l Layout) ReportsDir() string { return filepath.Join(l.Dir, ReportsDir) }

// ScansDir is DIR/scans: every scan run's own result, from which scan.json is combined.
func (l Layout) ScansDir() string { return filepath.Join(l.Dir, ScansDir) }

// ScanRunPath is DIR/scans/<UTC start, 20060102T150405Z>-<id>.json: one run's result. The names
// sort in the order the runs started.
func (l Layout) ScanRunPath(started time.Time, id string) string {
	return filepath.Join(l.ScansDir(), started.UTC().Format("20060102T150405Z")+"-"+id+".json")
}

// LockPath is DIR/.telesra.lock: the file every writer of the workspace locks (see Lock).
func (l Layout) LockPath() string { return filepath.Join(l.Dir, LockFile) }

// Files is the workspace's way of reading and writing the files of the domain packages (the
// questionnaire's answers store, the patch knowledge base): they receive it rather than touch
// the disk their own way, so every file telesra reads is bounded by ReadInput under Kind, and
// every file it writes goes through WriteFile.
type Files struct{ Kind InputKind }

// ReadFile reads a file of f's kind whole, within the kind's limit (ReadInput).
func (f Files) ReadFile(path string) ([]byte, error) { return ReadInput(path, f.Kind) }

// WriteFile replaces path atomically with mode 0600.
func (Files) WriteFile(path string, data []byte) error { return WriteFile(path, data, true) }

// WriteFile writes a file atomically with mode 0600 (temporary file in the same directory,
// fsync, rename, fsync of the directory), so a crash leaves either the old file or the new one,
// never half of one. Without force an existing file is left alone and an ExistsError returned.
//
// It is the one place telesra writes a file: every verb and every domain package (through
// Files) comes here.
func WriteFile(path string, data []byte, force bool) error {
	return WriteWith(path, force, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteWith is WriteFile for content produced by a writer function: the file appears only if fn
// succeeds, so a failed render never leaves a partial report behind.
//
// It replaces only a regular file the user running telesra owns: renaming over a symbolic link,
// a device, a pipe or another user's file would replace something that is not telesra's to
// replace (as root, -o /dev/null once turned the system's /dev/null into a regular file). Those
// are refused with an InputError (exit 2) and left as they were.
func WriteWith(path string, force bool, fn func(io.Writer) error) error {
	fi, err := os.Lstat(path)
	switch {
	case err == nil && !force:
		return &ExistsError{Path: path}
	case err == nil:
		if err := replaceable(path, fi); err != nil {
			return err
		}
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("write %s: %w", path, err)
	}
	// renameio does the temporary file, the fsync of file and directory, and the rename. The
	// mode is set with chmod, not left to the umask: 0600 whatever existed and whatever the umask.
	// The temporary file stays beside the destination, never in $TMPDIR: a crash must not leave a
	// copy of assessment data anywhere but where the user put it.
	dir := filepath.Dir(path)
	pf, err := renameio.NewPendingFile(path, renameio.WithStaticPermissions(0o600), renameio.WithTempDir(dir))
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer pf.Cleanup()
	if err := fn(pf); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := pf.CloseAtomicallyReplace(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// syncDir makes a rename in dir durable: renameio syncs the file, not the directory entry.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	// Some file systems cannot sync a directory; the rename is then as durable as they allow.
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}

// replaceable refuses to rename over what is not a regular file of the current user's.
func replaceable(path string, fi fs.FileInfo) error {
	m := fi.Mode()
	switch {
	case m&fs.ModeSymlink != 0:
		return inputErrorf("%s is a symbolic link: not replaced (name the file it points to)", path)
	case !m.IsRegular():
		return inputErrorf("%s is %s: telesra replaces only regular files, so it is left as it is", path, describeMode(m))
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return inputErrorf("%s belongs to another user (uid %d): not replaced", path, st.Uid)
	}
	return nil
}

// WriteOutput writes a file the user named for output (-o FILE). A character device or a pipe,
// or a symbolic link to one (/dev/null, /dev/stdout, a FIFO a reader waits on), receives the
// content as a stream: there is nothing to replace atomically, and --force is not needed. Any
// other path goes through WriteWith: a regular file is replaced atomically, anything else is
// refused. "-" (standard output) is the caller's to handle.
func WriteOutput(path string, force bool, fn func(io.Writer) error) error {
	if !isStream(path) {
		if err := refuseLink(path); err != nil {
			return err
		}
		return WriteWith(path, force, fn)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// Judge what was opened: the path may name a regular file by now, which must not be
	// overwritten in place.
	if fi, err := f.Stat(); err != nil || !streamMode(fi.Mode()) {
		f.Close()
		return inputErrorf("%s changed while it was opened: not written", path)
	}
	if err := fn(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// CheckOutput fails early, before any scanning, when an output file could not be written: a
// symbolic link or special file WriteOutput would refuse, another user's file, a missing or
// unwritable directory. A device or a pipe is fine as it is.
func CheckOutput(path string) error {
	if isStream(path) {
		return nil
	}
	if err := refuseLink(path); err != nil {
		return err
	}
	if fi, err := os.Lstat(path); err == nil {
		if err := replaceable(path, fi); err != nil {
			return err
		}
	}
	return CheckWritableDir(path)
}

// refuseLink refuses an output path that is a symbolic link to anything but a device or a pipe
// (a regular file, nothing): writing through it would write somewhere the user did not name.
func refuseLink(path string) error {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return inputErrorf("%s is a symbolic link to something other than a device or a pipe: not replaced "+
			"(name the file it points to, or - for standard output)", path)
	}
	return nil
}

// isStream reports whether path is, or links to, a character device or a pipe.
func isStream(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && streamMode(fi.Mode())
}

func streamMode(m fs.FileMode) bool {
	return m&fs.ModeCharDevice != 0 || m&fs.ModeNamedPipe != 0
}

// backupAndWrite keeps the previous file as FILE.bak, then replaces FILE atomically.
func backupAndWrite(path string, kind InputKind, data []byte) error {
	old, err := readOptional(path, kind)
	if err != nil {
		return err
	}
	if old != nil {
		if err := WriteFile(path+BackupSuffix, old, true); err != nil {
			return fmt.Errorf("back up %s: %w", filepath.Base(path), err)
		}
	}
	return WriteFile(path, data, true)
}

// CheckWritableDir fails early, before any scanning, when path's directory is missing or not
// writable.
func CheckWritableDir(path string) error {
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		return &InputError{Err: fmt.Errorf("output %s: directory %s does not exist", path, dir)}
	}
	if !fi.IsDir() {
		return &InputError{Err: fmt.Errorf("output %s: %s is not a directory", path, dir)}
	}
	return probeWritable(dir, fmt.Sprintf("output %s: directory %s is not writable", path, dir))
}

// PrepareDir creates dir (0700) if needed and proves it writable, before any work: output that
// cannot be saved must fail at once, not after rendering.
func PrepareDir(dir string) error {
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return &InputError{Err: fmt.Errorf("output %s is not a directory", dir)}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return &InputError{Err: fmt.Errorf("output directory %s cannot be created: %v", dir, err)}
	}
	return probeWritable(dir, fmt.Sprintf("output directory %s is not writable", dir))
}

func probeWritable(dir, msg string) error {
	f, err := os.CreateTemp(dir, ".telesra-probe-*")
	if err != nil {
		return &InputError{Err: errors.New(msg)}
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
