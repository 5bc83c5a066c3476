package web

import (
	"fmt"
	"os"
	"testing"
)

// TestMain removes the private run directory nuclei was confined to, as main does.
func TestMain(m *testing.M) {
	code := m.Run()
	if err := RemoveRunDir(); err != nil {
		fmt.Fprintln(os.Stderr, "remove run directory:", err)
		code = 1
	}
	os.Exit(code)
}
