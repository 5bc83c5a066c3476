// Command telesra performs HIPAA security risk assessments of telehealth practices.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/telesra/telesra/cmd/telesra/cli"
)

// version is set at link time (-ldflags "-X main.version=v1.2.3").
var version = "dev"

func main() { os.Exit(run()) }

// run executes the command line and returns the exit code; cli.ExitCode is the one place that
// maps errors to codes.
func run() int {
	f := newFactory(cli.BuildVersion(version))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
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
