package report

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// overriddenID is the fixture plan's risk the assessor rated: the cleartext EHR, computed
// Moderate (likelihood Moderate), rated Very High likelihood, so High.
const overriddenID = "R-b56603ba"

// TestWritersShowOverrideBesideComputed: every writer prints the assessor's rating as the final
// one and the computed rating beside it, with who, when and why.
func TestWritersShowOverrideBesideComputed(t *testing.T) {
	r := fixtureReport(t, fixturePlan(t))
	k, ok := r.Register.Risk(overriddenID)
	if !ok || !k.Overridden() || k.Level.String() != "High" || k.Computed.Level.String() != "Moderate" {
		t.Fatalf("fixture: %s is not the overridden risk (%+v)", overriddenID, k)
	}

	out := render(t, func(w *bytes.Buffer, r *Report) error { return CSV{Plain: true}.Write(w, r) }, r)
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := func(row []string, name string) string { return row[slices.Index(csvHeader, name)] }
	for _, row := range rows[1:] {
		if row[0] != overriddenID {
			if col(row, "Override by") != "" {
				t.Errorf("CSV %s: override columns on a risk nobody rated", row[0])
			}
			continue
		}
		if col(row, "Risk level") != "High" || col(row, "Likelihood") != "Very High" || col(row, "Computed likelihood") != "Moderate" ||
			col(row, "Computed level") != "Moderate" || col(row, "Override by") != "Dana Whitfield (Assessor)" ||
			col(row, "Override date") != "2026-11-22" || !strings.HasPrefix(col(row, "Override why"), "Staff open the EHR") {
			t.Errorf("CSV row: %q", row)
		}
	}

	f, err := excelize.OpenReader(bytes.NewReader(render(t, func(w *bytes.Buffer, r *Report) error { return WriteXLSX(w, r) }, r)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	xrows, _ := f.GetRows(sheetRegister)
	for i, row := range xrows[1:] {
		if row[0] != overriddenID {
			continue
		}
		cell := func(name string) string {
			v, _ := f.GetCellValue(sheetRegister, regCol(name)+itoa(i+2))
			return v
		}
		if cell("Risk level") != "High" || cell("Computed level") != "Moderate" || cell("Computed likelihood") != "Moderate" ||
			cell("Override by") != "Dana Whitfield (Assessor)" || !strings.HasPrefix(cell("Override why"), "Staff open the EHR") {
			t.Errorf("XLSX row: %q", row)
		}
	}

	md := string(render(t, func(w *bytes.Buffer, r *Report) error { return WriteMarkdown(w, r) }, r))
	if !strings.Contains(md, "| "+overriddenID+" | High (assessor; computed Moderate) |") ||
		!strings.Contains(md, "likelihood Very High (computed Moderate), level High (computed Moderate), by Dana Whitfield (Assessor) on 2026-11-22: Staff open") {
		t.Errorf("Markdown does not show computed and final side by side:\n%s", md)
	}

	l, _ := registerRatingCells(k)
	if !strings.HasPrefix(l, "Very High (assessor; computed Moderate)") || !strings.Contains(l, "Assessor: Dana Whitfield (Assessor), 2026-11-22: Staff open") {
		t.Errorf("PDF likelihood cell: %q", l)
	}
	if c := registerLevelCell(k); c != "High\n(computed Moderate)" {
		t.Errorf("PDF level cell: %q", c)
	}
}
