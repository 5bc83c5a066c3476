// Command servers starts n benchmark portals on 127.0.0.1 for run.sh, prints their URLs one per
// line, and stops them when its standard input closes.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	webbench "github.com/telesra/telesra/bench/web"
)

func main() {
	n := flag.Int("n", 1, "number of servers")
	flag.Parse()
	s, err := webbench.StartServers(*n)
	if err != nil {
		fmt.Fprintln(os.Stderr, "servers:", err)
		os.Exit(1)
	}
	defer s.Close()
	for _, u := range s.URLs {
		fmt.Println(u)
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
}
