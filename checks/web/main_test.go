package web

import (
	"fmt"
	"os"
	"testing"
)

// TestMain removes the private run directory nuclei was confined to, as main does. Before the
// tests run, it points nuclei's DNS client and the process's HTTP proxy at loopback sinks: some
// tests give the engine templates that call DSL helpers reaching for public resolvers and web
// services, and were telesra's refusal of them ever to fail, that traffic must stay on this
// machine.
func TestMain(m *testing.M) {
	stop, err := sinkOutsideTraffic()
	if err != nil {
		fmt.Fprintln(os.Stderr, "contain test traffic:", err)
		os.Exit(1)
	}
	code := m.Run()
	stop()
	if err := RemoveRunDir(); err != nil {
		fmt.Fprintln(os.Stderr, "remove run directory:", err)
		code = 1
	}
	os.Exit(code)
}
