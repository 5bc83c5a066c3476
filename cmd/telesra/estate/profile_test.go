package estate

import (
	"context"
	"slices"
	"testing"
)

// TestEveryDemoServiceHasAProfile: every scanned demo asset says how much ePHI it holds and how
// critical it is for care, so the demo's impact is rated per asset (docs/scoring.md, impact per
// asset) and its inventory has no "not stated" rows; and no profile names an asset the demo
// does not run.
func TestEveryDemoServiceHasAProfile(t *testing.T) {
	e, err := Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	var assets []string
	for _, s := range e.Services {
		assets = append(assets, s.Asset)
		p := s.Profile()
		if !slices.Contains([]string{"none", "some", "bulk"}, p.Held) {
			t.Errorf("%s (%s): ePHI held %q", s.Asset, s.Name, p.Held)
		}
		for _, c := range []string{p.C, p.I, p.A} {
			if !slices.Contains([]string{"low", "moderate", "high"}, c) {
				t.Errorf("%s (%s): criticality %q", s.Asset, s.Name, c)
			}
		}
	}
	for name := range profiles {
		if !slices.Contains(assets, name) {
			t.Errorf("profile for %q, which no demo service is", name)
		}
	}
}
