package workspace

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
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
// the disk their own way, so every file telesra writes goes through WriteFile.
type Files struct{}

// ReadFile reads a file whole.
func (Files) ReadFile(path string) ([]byte, error) { return os.ReadFile(path) }

// WriteFile replaces path atomically with mode 0600.
func (Files) WriteFile(path string, data []byte) error { return WriteFile(path, data, true) }

// readOptional reads path; a missing file is (nil, nil).
func readOptional(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return data, err
}

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
func WriteWith(path string, force bool, fn func(io.Writer) error) error {
	if !force {
		if _, err := os.Lstat(path); err == nil {
			return &ExistsError{Path: path}
		}
	}
	// renameio does the temporary file, the fsync of file and directory, and the rename.
	pf, err := renameio.NewPendingFile(path, renameio.WithPermissions(0o600))
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
	return nil
}

// backupAndWrite keeps the previous file as FILE.bak, then replaces FILE atomically.
func backupAndWrite(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil {
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
