package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/telesra/telesra/report/register"
)

// TestRuleCheckIDsExist: every check a scoring or reconciliation rule names (or, for a
// "prefix.*" pattern, at least one check under it) is a check telesra runs. A misspelt ID would
// make a rule that never fires: an answer never contradicted, a weakness never scored.
func TestRuleCheckIDsExist(t *testing.T) {
	code, stdout, stderr := runCLI(t, "checks", "list", "-f", "json")
	if code != 0 {
		t.Fatal(stderr)
	}
	var catalog []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(stdout), &catalog); err != nil {
		t.Fatal(err)
	}
	exists := func(pattern string) bool {
		for _, c := range catalog {
			if prefix, ok := strings.CutSuffix(pattern, ".*"); ok && strings.HasPrefix(c.ID, prefix+".") || c.ID == pattern {
				return true
			}
		}
		return false
	}
	named := map[string][]string{} // pattern -> where
	add := func(where string, patterns []string) {
		for _, p := range patterns {
			named[p] = append(named[p], where)
		}
	}
	for _, r := range register.DefaultReconciliation().Rules {
		for _, e := range r.Evidence {
			add("reconciliation rule "+r.ID, e.Checks)
		}
		if c := r.Corroboration; c != nil {
			add("reconciliation rule "+r.ID+" (corroboration)", c.Checks)
			add("reconciliation rule "+r.ID+" (identified_by)", c.IdentifiedBy)
		}
	}
	rules := register.DefaultRules()
	for _, w := range rules.Weaknesses {
		add("weakness "+w.ID, w.Checks)
	}
	for _, r := range append(append([]*register.Rule{}, rules.Likelihood...), rules.Impact...) {
		add("scoring rule "+r.ID, r.When.Checks)
	}
	if len(named) < 20 {
		t.Fatalf("only %d check patterns found in the rules", len(named))
	}
	for p, where := range named {
		if !exists(p) {
			t.Errorf("%q (%s) names no check telesra runs", p, strings.Join(where, ", "))
		}
	}
}
