package report

import (
	"bytes"
	"strings"
	"testing"
)

// TestWritersShowStatusNotPercent: the PDF and Markdown give each specification's status and
// counts, never a compliance percentage, and the PDF prints every Addressable decision (who,
// when, what, the measure or reason) and the decisions missing.
func TestWritersShowStatusNotPercent(t *testing.T) {
	r := fixtureReport(t, fixturePlan(t))
	if len(r.Decisions()) < 3 || len(r.MissingDecisions()) == 0 {
		t.Fatalf("the fixture should carry decisions and miss some: %d recorded, %d missing", len(r.Decisions()), len(r.MissingDecisions()))
	}
	_, pages := pdfOf(t, r)
	pdf := strings.Join(strings.Fields(strings.Join(pages, " ")), " ")
	var md bytes.Buffer
	if err := WriteMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"PDF": pdf, "Markdown": md.String()} {
		for _, bad := range []string{"% compliant", "citations met", "Compliance by safeguard", "counts half"} {
			if strings.Contains(text, bad) {
				t.Errorf("%s still prints %q", name, bad)
			}
		}
		for _, want := range []string{"decision recorded", "decision missing", "contradicted"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks the status %q", name, want)
			}
		}
	}
	for _, cs := range r.Decisions() {
		d := cs.Decision
		for _, want := range []string{cs.Citation.Citation, "by " + d.By + " (" + d.Role + ") on " + d.Date, d.Decision.Label()} {
			if !strings.Contains(pdf, want) {
				t.Errorf("the PDF lacks %q of the decision on %s", want, cs.Citation.Citation)
			}
		}
		for _, text := range []string{d.Measure, d.Reason} {
			if w := strings.Fields(text); len(w) > 4 && !strings.Contains(pdf, strings.Join(w[:4], " ")) {
				t.Errorf("the PDF lacks the measure or reason %q of %s", text, cs.Citation.Citation)
			}
		}
	}
	for _, cs := range r.MissingDecisions() {
		if !strings.Contains(pdf, cs.Citation.Citation+" "+cs.Citation.Name) {
			t.Errorf("the PDF does not list the missing decision on %s", cs.Citation.Citation)
		}
	}
}
