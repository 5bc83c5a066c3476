package report

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
)

// TestCSVCarriesAssetsPotentialAndDecisions: the CSV row of each risk names every asset it
// concerns, says when it rests only on potential findings, and lists the Addressable decisions
// it lacks, as the register has them.
func TestCSVCarriesAssetsPotentialAndDecisions(t *testing.T) {
	r := fixtureReport(t, fixturePlan(t))
	var b bytes.Buffer
	if err := (CSV{Plain: true}).Write(&b, r); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int { return slices.Index(rows[0], name) }
	id, assets, potential, missing := col("ID"), col("Assets concerned"), col("Potential only"), col("Decisions missing")
	if assets < 0 || potential < 0 || missing < 0 {
		t.Fatalf("header lacks the columns: %q", rows[0])
	}
	var sawPotential, sawMissing bool
	for _, row := range rows[1:] {
		k, ok := r.Register.Risk(row[id])
		if !ok || !k.Detected {
			continue // a risk only the plan remembers names no asset but the plan's
		}
		if got, want := row[potential] == "yes", k.PotentialOnly; got != want {
			t.Errorf("%s: potential only %q, register %v", k.ID, row[potential], want)
		}
		sawPotential = sawPotential || k.PotentialOnly
		if got := row[missing]; got != strings.Join(k.DecisionsMissing, "; ") {
			t.Errorf("%s: decisions missing %q, register %v", k.ID, got, k.DecisionsMissing)
		}
		sawMissing = sawMissing || len(k.DecisionsMissing) > 0
		for _, a := range k.Assets {
			if !strings.Contains(row[assets], a.Label()) {
				t.Errorf("%s: assets %q lack %s", k.ID, row[assets], a.Label())
			}
		}
		if len(k.Assets) == 0 || row[assets] == "" {
			t.Errorf("%s: no asset concerned (%q)", k.ID, row[assets])
		}
	}
	if !sawPotential || !sawMissing {
		t.Errorf("the fixture lacks a case: potential %v, missing decision %v", sawPotential, sawMissing)
	}
}
