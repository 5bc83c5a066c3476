package web

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// RunDirPrefix names the private run directories web workers create in the system temporary
// directory (package internal/runenv, which telesra itself must not import: its initialiser
// moves HOME and TMPDIR). A test keeps the two in step.
const RunDirPrefix = "telesra-run-"

// RemoveStaleRunDirs deletes the run directories of web workers that no longer exist: a worker
// killed with SIGKILL (or a power cut) never removes its own. A directory is stale when its
// name's PID is not a live process; it must be a real directory (not a link) owned by this user.
// A PID reused by another live process keeps its directory until that one ends. It returns the
// directories removed.
func RemoveStaleRunDirs() ([]string, error) {
	base := os.TempDir()
	entries, err := os.ReadDir(base)
	if err != nil {
		return nil, fmt.Errorf("stale run directories: %w", err)
	}
	var removed []string
	for _, e := range entries {
		name := e.Name()
		rest, ok := strings.CutPrefix(name, RunDirPrefix)
		if !ok || !e.IsDir() {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		path := filepath.Join(base, name)
		fi, err := os.Lstat(path)
		if err != nil || !fi.IsDir() {
			continue
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Getuid() {
			continue
		}
		// Signal 0 checks existence only. EPERM: alive, someone else's.
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			continue
		}
		if err := os.RemoveAll(path); err == nil {
			removed = append(removed, path)
		}
	}
	return removed, nil
}
