package web

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// workerBin is the web worker these tests run, built once by TestMain: the tests exercise the
// production path (telesra's engine, the gate, the worker process and nuclei in it), while this
// package's test binary links no nuclei.
var workerBin string

// TestMain builds the worker once, and removes it afterwards.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "telesra-web-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	workerBin = filepath.Join(dir, "telesra-web")
	build := exec.Command("go", "build", "-o", workerBin, "github.com/telesra/telesra/cmd/telesra-web")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	code := 1
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build the web worker:", err)
	} else {
		code = m.Run()
	}
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// testWorker is the runner of the built worker.
func testWorker() *Worker {
	return &Worker{Locate: func() (string, error) { return workerBin, nil }}
}

// withWorker returns o with the test worker as its runner, unless it has one.
func withWorker(o Options) Options {
	if o.Runner == nil {
		o.Runner = testWorker()
	}
	return o
}
