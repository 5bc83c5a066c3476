package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/report/register"
	"github.com/telesra/telesra/templates/hipaa"
)

// pdfOf renders r and returns the writer (for its header record) and the text of every page.
func pdfOf(t *testing.T, r *Report) (*pdfWriter, []string) {
	t.Helper()
	var buf bytes.Buffer
	p, err := writePDF(&buf, r)
	if err != nil {
		t.Fatal(err)
	}
	return p, pdfPages(t, buf.Bytes())
}

// questionnaireOnly is the fixture practice without a scan: answers only.
func questionnaireOnly(t *testing.T) *Report {
	t.Helper()
	bank, answers := questionnaire.DefaultBank(), questionnaire.SampleAnswers()
	reg, err := register.Build(register.Inputs{Bank: bank, Answers: answers, EPHISystems: ephiSystems, Today: fixedNow.Format(time.DateOnly)})
	if err != nil {
		t.Fatal(err)
	}
	r := fixtureReport(t, nil)
	r.Register, r.Scan, r.Scores = reg, nil, nil
	r.Prepare()
	return r
}

// TestQuestionnaireOnlyReportClaimsNoScan: a report built from answers alone says no scan was
// run, everywhere it describes what the analysis rests on.
func TestQuestionnaireOnlyReportClaimsNoScan(t *testing.T) {
	_, pages := pdfOf(t, questionnaireOnly(t))
	all := strings.Join(strings.Fields(strings.Join(pages, " ")), " ")
	for _, claim := range []string{"authorised scan of", "scan of 0", "0 network service"} {
		if strings.Contains(all, claim) {
			t.Errorf("a questionnaire-only report claims a scan: %q", claim)
		}
	}
	for _, want := range []string{"no network scan was run", "rests on the questionnaire alone"} {
		if !strings.Contains(all, want) {
			t.Errorf("a questionnaire-only report does not say %q", want)
		}
	}
}

// TestFinalNeedsDecidedAnswers: a complete scan and every question answered do not make a
// report final while answers are flagged, Required specifications rest on "don't know", or
// Addressable ones are not implemented without a recorded decision; page 1 lists what is missing.
func TestFinalNeedsDecidedAnswers(t *testing.T) {
	r := fixtureReport(t, nil)
	if r.Scan == nil || !r.Scan.Complete || r.Completion.Answers != r.Completion.Asked {
		t.Fatalf("the fixture should be fully answered with a complete scan: %+v", r.Completion)
	}
	if !r.Completion.Draft {
		t.Fatal("a report with flagged and \"don't know\" answers is final")
	}
	reasons := strings.Join(r.Completion.Reasons, "; ")
	for _, want := range []string{"flagged for later", "Required specification(s) rest on \"don't know\"", "without a recorded decision"} {
		if !strings.Contains(reasons, want) {
			t.Errorf("draft reasons lack %q: %s", want, reasons)
		}
	}
	_, pages := pdfOf(t, r)
	if cover := strings.Join(strings.Fields(pages[0]), " "); !strings.Contains(cover, "flagged for later") || !strings.Contains(cover, "Not approved") {
		t.Errorf("page 1 does not list what is missing and the approval:\n%s", pages[0])
	}
}

// TestPDFStatusTableAndSignOff: the PDF lists every standard and implementation specification of
// 164.308-164.316 with a status, and ends with the sign-off an assessor signs.
func TestPDFStatusTableAndSignOff(t *testing.T) {
	r := fixtureReport(t, fixturePlan(t))
	r.Qualifications, r.Independence = "CISSP, HCISPP", "External consultant; no role in operating the systems assessed"
	_, pages := pdfOf(t, r)
	all := strings.Join(strings.Fields(strings.Join(pages, " ")), " ")
	if n := len(hipaa.Citations()); n != 65 {
		t.Fatalf("the citation table has %d rows, the Rule 65", n)
	}
	statuses := r.CitationStatuses()
	if len(statuses) != len(hipaa.Citations()) {
		t.Fatalf("%d statuses for %d citations", len(statuses), len(hipaa.Citations()))
	}
	for _, s := range statuses {
		if !strings.Contains(all, s.Citation.Citation+" "+s.Citation.Name) && !strings.Contains(all, s.Citation.Citation) {
			t.Errorf("status table lacks %s", s.Citation.Citation)
		}
		if s.Status == "" {
			t.Errorf("%s has no status", s.Citation.Citation)
		}
	}
	for _, want := range []string{"Status by standard and implementation specification", "10. Sign-off", "I attest that this risk analysis",
		"CISSP, HCISPP", "External consultant", "Management response to High and Very High risks", "Practice owner or security official"} {
		if !strings.Contains(all, want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
}

// TestPDFPagesAreFullAndHeadersWhole renders every page: none is blank or near-blank (a heading
// or label orphaned from its text), and no table header splits a word across lines.
func TestPDFPagesAreFullAndHeadersWhole(t *testing.T) {
	const minWords = 25 // besides the running header and footer
	for name, r := range map[string]*Report{"fixture": fixtureReport(t, fixturePlan(t)), "questionnaire only": questionnaireOnly(t)} {
		p, pages := pdfOf(t, r)
		chrome := len(strings.Fields(r.Organisation.Name + " · " + r.Title + " CONFIDENTIAL Generated 2026-11-22 by telesra 1.0.0-test Page 1 of 9"))
		if r.Completion.Draft {
			chrome += len(strings.Fields(r.Completion.Label()))
		}
		for i, page := range pages[1:] {
			if n := len(strings.Fields(page)) - chrome; n < minWords {
				t.Errorf("%s: page %d has %d words besides header and footer:\n%s", name, i+2, n, page)
			}
		}
		for title, lines := range p.headerLines {
			words := strings.Fields(title)
			for _, line := range lines {
				for _, w := range strings.Fields(line) {
					if !contains(words, w) {
						t.Errorf("%s: table header %q split a word: lines %q", name, title, lines)
					}
				}
			}
		}
	}
}

func contains(ws []string, w string) bool {
	for _, x := range ws {
		if x == w {
			return true
		}
	}
	return false
}

// TestPDFFooterNamesTheBuild: the footer carries the build's version or revision, and a build
// that recorded none says so instead of printing "dev" as if it were a version.
func TestPDFFooterNamesTheBuild(t *testing.T) {
	for version, want := range map[string]string{"git 07404e0c1a2b": "by telesra git 07404e0c1a2b", "dev": "by telesra (unversioned development build)"} {
		r := fixtureReport(t, nil)
		r.Tools[0].Version = version
		_, pages := pdfOf(t, r)
		if !strings.Contains(pages[2], want) || strings.Contains(pages[2], "telesra dev") {
			t.Errorf("version %q: footer of page 3 lacks %q:\n%s", version, want, pages[2])
		}
	}
}
