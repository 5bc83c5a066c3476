package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/telesra/telesra/checks/web"
)

// workerEnv names the web worker binary explicitly.
const workerEnv = "TELESRA_WEB_WORKER"

// workerName is the web worker's binary (cmd/telesra-web).
const workerName = "telesra-web"

// modulePath is this module, as go.mod names it: a source tree telesra may build the worker from.
const modulePath = "github.com/telesra/telesra"

// workerLocator finds the web worker when a scan first needs it, at most once per process:
// $TELESRA_WEB_WORKER; telesra-web beside this executable; telesra-web on PATH; and, when
// telesra runs from source (`go run ./cmd/telesra` inside this module), a worker built once
// with the same toolchain into the user's cache directory.
type workerLocator struct {
	notice func() io.Writer // where the one-line notice of a build goes

	once sync.Once
	path string
	err  error
}

func (l *workerLocator) locate() (string, error) {
	l.once.Do(func() { l.path, l.err = l.find() })
	return l.path, l.err
}

func (l *workerLocator) find() (string, error) {
	if p := os.Getenv(workerEnv); p != "" {
		if err := executable(p); err != nil {
			return "", &web.MissingWorkerError{Err: fmt.Errorf("$%s: %w", workerEnv, err)}
		}
		return p, nil
	}
	exe, exeErr := os.Executable()
	if exeErr == nil {
		if resolved, err := filepath.EvalSymlinks(exe); err == nil {
			exe = resolved
		}
		if p := filepath.Join(filepath.Dir(exe), workerName); executable(p) == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath(workerName); err == nil {
		return p, nil
	}
	root, ok := sourceTree()
	if !ok || exeErr != nil || !fromBuildCache(exe) {
		return "", &web.MissingWorkerError{Err: fmt.Errorf("%s is neither beside %s nor on PATH", workerName, exe)}
	}
	return l.build(root)
}

// executable reports why p is not an executable regular file.
func executable(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%s is not an executable file", p)
	}
	return nil
}

// sourceTree returns the root of this module when the current directory lies inside it.
func sourceTree() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil {
			return dir, moduleLine(data) == modulePath
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// moduleLine is the path of go.mod's module directive.
func moduleLine(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// fromBuildCache reports whether exe is a binary the go command built for `go run` (in its
// build cache or a go-build temporary directory), not an installed telesra.
func fromBuildCache(exe string) bool {
	if strings.Contains(exe, string(filepath.Separator)+"go-build") {
		return true
	}
	out, err := exec.Command("go", "env", "GOCACHE").Output()
	cache := strings.TrimSpace(string(out))
	return err == nil && cache != "" && strings.HasPrefix(exe, cache+string(filepath.Separator))
}

// build builds the worker from the source tree at root into the user's cache directory (the go
// command skips relinking when it is up to date).
func (l *workerLocator) build(root string) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", &web.MissingWorkerError{Err: fmt.Errorf("build it from source: %w", err)}
	}
	out := filepath.Join(cache, "telesra", workerName)
	// The go command relinks only when the source changed; only a first build is worth a line.
	if _, err := os.Stat(out); err != nil {
		if w := l.notice(); w != nil {
			fmt.Fprintf(w, "telesra: building the web worker from source (once): go build -o %s ./cmd/%s\n", out, workerName)
		}
	}
	cmd := exec.Command("go", "build", "-o", out, "./cmd/"+workerName)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.Join(strings.Fields(stderr.String()), " ")
		if len(msg) > 400 {
			msg = msg[:400] + "..."
		}
		return "", &web.MissingWorkerError{Err: errors.Join(fmt.Errorf("go build ./cmd/%s: %w", workerName, err), errors.New(msg))}
	}
	return out, nil
}
