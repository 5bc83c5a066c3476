package web

import (
	"os"
	"strings"
	"testing"
)

// TestEngineVersionMatchesGoMod: `telesra version` names the nuclei release go.mod pins for the
// worker.
func TestEngineVersionMatchesGoMod(t *testing.T) {
	data, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if want := "\t" + EngineModule + " " + EngineVersion + "\n"; !strings.Contains(string(data), want) {
		t.Errorf("go.mod does not require %s %s", EngineModule, EngineVersion)
	}
}
