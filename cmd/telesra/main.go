// Command telesra performs HIPAA security risk assessments of telehealth practices.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/telesra/telesra/checks/web"
	"github.com/telesra/telesra/cmd/telesra/cli"
)

// version is set at link time (-ldflags "-X main.version=v1.2.3").
var version = "dev"

func main() { os.Exit(run()) }

// run executes the command line and returns the exit code; cli.ExitCode is the one place that
// maps errors to codes.
func run() int {
	// Files telesra creates outside its atomic 0600 writer (temporary files, the web worker's
	// caches) are private to the user as well.
	syscall.Umask(0o077)
	// Run directories of web workers that were killed (SIGKILL never reaches their clean-up)
	// would otherwise pile up in TMPDIR.
	_, _ = web.RemoveStaleRunDirs()
	f := newFactory(cli.BuildVersion(version))
	// SIGHUP (the terminal closed) stops a scan like Ctrl-C: partial results are written and
	// the run directory removed, instead of the default of dying on the spot.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	// After the first Ctrl-C the scan winds down and writes what it found; a second one kills.
	go func() {
		<-ctx.Done()
		stop()
	}()
	err := cli.NewCmdRoot(f).ExecuteContext(ctx)
	code := cli.ExitCode(err)
	// --quiet silences only the --fail-on verdict, which the exit code already carries.
	if err != nil && !(code == cli.ExitFindings && f.IO.Quiet) {
		fmt.Fprintf(f.IO.ErrOut, "telesra: %v\n", err)
	}
	return code
}
