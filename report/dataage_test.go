package report

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestPDFWarnsAboutOldData: reference data past its age is named on the cover and in the
// methodology, beside each source's date and age in the tools table; the Markdown, the JSON
// register (reference_data) and the workbook's Summary say it too.
func TestPDFWarnsAboutOldData(t *testing.T) {
	r := fixtureReport(t, fixturePlan(t))
	r.Tools = append(r.Tools, Tool{Name: "Knowledge base: CISA Known Exploited Vulnerabilities", Version: "data of 2025-08-25, 464 days old",
		Source:  "https://www.cisa.gov/known-exploited-vulnerabilities-catalog",
		Warning: "CISA Known Exploited Vulnerabilities of 2025-08-25 is 464 days old"})
	pdf := render(t, func(w *bytes.Buffer, r *Report) error { return WritePDF(w, r) }, r)
	pages := pdfPages(t, pdf)
	flat := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	if !strings.Contains(flat(pages[0]), "Reference data out of date: CISA Known Exploited Vulnerabilities of 2025-08-25 is 464 days old") {
		t.Errorf("cover lacks the warning:\n%s", pages[0])
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "**Reference data out of date:** CISA Known Exploited Vulnerabilities of 2025-08-25 is 464 days old") {
		t.Errorf("markdown register lacks the warning")
	}
	var js bytes.Buffer
	if err := WriteJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(js.String(), `"warning": "CISA Known Exploited Vulnerabilities of 2025-08-25 is 464 days old"`) {
		t.Errorf("JSON register's reference_data lacks the warning")
	}
	x, err := excelize.OpenReader(bytes.NewReader(render(t, func(w *bytes.Buffer, r *Report) error { return WriteXLSX(w, r) }, r)))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows(sheetSummary)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(rows, func(row []string) bool {
		return len(row) > 1 && row[0] == "Reference data out of date" && strings.Contains(row[1], "464 days old")
	}) {
		t.Errorf("workbook Summary lacks the warning")
	}
	all := flat(strings.Join(pages, " "))
	if !strings.Contains(all, "Out-of-date reference data") || !strings.Contains(all, "464 days old") {
		t.Errorf("methodology lacks the warning or the age")
	}
}
