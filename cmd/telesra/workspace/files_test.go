package workspace

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteFileIsAtomicAnd0600: whatever was there, the file ends 0600 with the new content;
// without force an existing file is kept; a failed render keeps the old file and leaves no
// temporary file behind.
func TestWriteFileIsAtomicAnd0600(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "scan.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	var exists *ExistsError
	if err := WriteFile(path, []byte("new"), false); !errors.As(err, &exists) || exists.Path != path {
		t.Fatalf("without force: %v, want ExistsError", err)
	}
	if err := WriteFile(path, []byte("new"), true); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); string(data) != "new" || fi.Mode().Perm() != 0o600 {
		t.Errorf("content %q mode %v, want \"new\" 0600", data, fi.Mode().Perm())
	}
	err = WriteWith(path, true, func(w io.Writer) error {
		_, _ = io.WriteString(w, "half a rep")
		return errors.New("renderer failed")
	})
	if err == nil || !strings.Contains(err.Error(), "renderer failed") {
		t.Fatalf("failed render: %v", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "new" {
		t.Errorf("a failed render replaced the file: %q", data)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after a failed render, want only the file", len(entries))
	}
}

// TestLayoutNamesEveryFile: every workspace file is reached through the layout, inside DIR.
func TestLayoutNamesEveryFile(t *testing.T) {
	l := At("ws")
	for _, p := range []string{l.AssessmentPath(), l.ScanPath(), l.AnswersPath(), l.AssetsPath(), l.PlanPath(), l.ApprovalsPath(), l.IgnorePath(), l.ReportsDir()} {
		if filepath.Dir(p) != "ws" {
			t.Errorf("%s is not inside the workspace", p)
		}
	}
}

// TestPrepareDirRefusesAFile: an output "directory" that is a file is bad input before any work.
func TestPrepareDirRefusesAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "reports")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var in *InputError
	if err := PrepareDir(file); !errors.As(err, &in) {
		t.Errorf("PrepareDir on a file: %v, want an InputError", err)
	}
	dir := filepath.Join(t.TempDir(), "new", "reports")
	if err := PrepareDir(dir); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("created %v %v, want a 0700 directory", fi, err)
	}
}
