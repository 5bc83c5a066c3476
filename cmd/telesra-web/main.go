// Command telesra-web is telesra's web worker: the nuclei engine of the web family, in a process
// of its own so that telesra itself never links nuclei (whose package initialisers run in every
// program that links it). telesra starts it once per scan and talks to it over stdin and stdout
// (package checks/web/nuclei); it exits when its stdin closes, so it never outlives telesra.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/telesra/telesra/checks/web/nuclei"
)

// version is set at link time (-ldflags "-X main.version=v1.2.3").
var version = "dev"

func main() { os.Exit(run()) }

func run() int {
	// The private run directory nuclei's files were confined to goes, whatever happens.
	defer nuclei.RemoveRunDir()
	if len(os.Args) == 2 && os.Args[1] == "--version" {
		// Initialises everything (nuclei included) and exits: what the containment tests trace.
		fmt.Println("telesra-web " + version)
		return 0
	}
	if len(os.Args) != 1 {
		fmt.Fprintln(os.Stderr, "telesra-web: the web worker of telesra takes no arguments; telesra starts it")
		return 2
	}
	// A Ctrl-C in the terminal is telesra's to handle: it cancels the probes and closes stdin.
	signal.Ignore(os.Interrupt)
	if err := nuclei.Serve(context.Background(), os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "telesra-web: %v\n", err)
		return 1
	}
	return 0
}
