package report

import (
	"slices"
	"strings"
	"testing"
)

// TestIncompleteScopeKeepsTheReportADraft: a register whose inventory may not cover all of the
// practice's ePHI cannot be the final risk analysis: the report is a draft and says why.
func TestIncompleteScopeKeepsTheReportADraft(t *testing.T) {
	r := fixtureReport(t, fixturePlan(t))
	if !r.Register.ScopeIncomplete {
		t.Fatal("the fixture's scope is complete; the test needs an incomplete one")
	}
	if !r.Completion.Draft || !slices.ContainsFunc(r.Completion.Reasons, func(s string) bool {
		return strings.Contains(s, "may not cover all of the practice's ePHI") && strings.Contains(s, r.Register.ScopeReason)
	}) {
		t.Errorf("incomplete scope: draft %v, reasons %q", r.Completion.Draft, r.Completion.Reasons)
	}
}
