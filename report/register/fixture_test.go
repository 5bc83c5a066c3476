package register

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/telesra/telesra/checks"
)

// The fixtures are shared with the writers' tests and the CLI's, so they stay in report/testdata.
var fixtures = filepath.Join("..", "testdata")

var ephiSystems = []string{"Patient portal", "EHR", "Video visits"}

// fixtureScan reads report/testdata/scan.json: four services of a small practice with findings
// of every kind the register treats differently (KEV, info, suppressed, unmapped check, hostile
// evidence).
func fixtureScan(t testing.TB) *checks.Result {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtures, "scan.json"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := checks.DecodeResult(data)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func fixtureAssets(t testing.TB) *Assets {
	t.Helper()
	file := filepath.Join(fixtures, "assets.yaml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	a, err := ParseAssets(file, data, ephiSystems)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
