package report

import (
	"bytes"
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
	// The executive summary says why once: its draft notice points to the scope notice below it.
	pages := pdfPages(t, render(t, func(w *bytes.Buffer, r *Report) error { return WritePDF(w, r) }, r))
	flat := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	var summary string
	for _, pg := range pages {
		if strings.Contains(pg, "1. Executive summary") && strings.Contains(pg, "Scope incomplete") {
			summary = flat(pg)
			break
		}
	}
	why := flat(r.Register.ScopeReason)
	if summary == "" || strings.Count(summary, why[:40]) != 1 || !strings.Contains(summary, "ePHI (below)") {
		t.Errorf("the summary should give the scope reason once, the draft notice pointing below:\n%s", summary)
	}
}
