package checkstest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// SharedData returns the directory of real public feed snapshots (CISA KEV, endoflife.date) that
// CI keeps beside the checkout: ../shared/data from the module root, joined with sub. Locally a
// missing directory skips the test; under CI=true it fails it. The snapshots are read in place,
// never copied into the project.
func SharedData(t testing.TB, sub ...string) string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatalf("shared data: %v", err)
	}
	dir := filepath.Join(append([]string{filepath.Dir(root), "shared", "data"}, sub...)...)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		if InCI() {
			t.Fatalf("shared data %s is required (CI=true): CI keeps it beside the checkout", dir)
		}
		t.Skipf("shared data %s not present; the test runs in CI", dir)
	}
	return dir
}

// moduleRoot is the nearest directory above the working directory holding go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
