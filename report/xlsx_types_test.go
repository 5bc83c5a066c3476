package report

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/telesra/telesra/report/register"
)

// openpyxl is not installable here (no PyPI), so the workbook is read back with excelize, the
// way a spreadsheet reads it: the raw cell value, its type and its number format.
func rawCell(t *testing.T, f *excelize.File, sheet, cell string) (raw string, typ excelize.CellType, numFmt int, custom string) {
	t.Helper()
	raw, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if typ, err = f.GetCellType(sheet, cell); err != nil {
		t.Fatal(err)
	}
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt != nil {
		custom = *st.CustomNumFmt
	}
	return raw, typ, st.NumFmt, custom
}

// A spreadsheet sorts and sums what telesra writes: due dates are dates, scores and counts
// are numbers, shares are percentages, and the Summary follows the Register when a practice
// manager edits a status.
func TestXLSXCellsHaveTypes(t *testing.T) {
	r := fixtureReport(t, fixturePlan(t))
	out := render(t, func(w *bytes.Buffer, r *Report) error { return WriteXLSX(w, r) }, r)
	f, err := excelize.OpenReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dated := 0
	for i, k := range r.Register.Risks {
		row := i + 2
		if k.Due != "" {
			dated++
			raw, typ, nf, custom := rawCell(t, f, sheetRegister, fmt.Sprintf("%s%d", regCol("Due"), row))
			serial, err := strconv.ParseFloat(raw, 64)
			if err != nil || typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
				t.Errorf("risk %s due %s: cell %q of type %v; want a date serial", k.ID, k.Due, raw, typ)
			}
			if d, _ := excelize.ExcelDateToTime(serial, false); d.Format("2006-01-02") != k.Due {
				t.Errorf("risk %s due %s: serial %v is %s", k.ID, k.Due, serial, d)
			}
			if nf != 14 && !strings.Contains(custom, "yy") {
				t.Errorf("risk %s: due date number format %d %q is not a date format", k.ID, nf, custom)
			}
		}
		if k.Level > 0 && k.Likelihood.Level > 0 && k.Impact.Level > 0 {
			raw, typ, _, _ := rawCell(t, f, sheetRegister, fmt.Sprintf("%s%d", regCol("Score"), row))
			want := int(k.Likelihood.Level) * int(k.Impact.Level)
			if n, err := strconv.Atoi(raw); err != nil || n != want || typ == excelize.CellTypeSharedString {
				t.Errorf("risk %s score cell %q (type %v); want the number %d", k.ID, raw, typ, want)
			}
			raw, _, _, _ = rawCell(t, f, sheetRegister, fmt.Sprintf("%s%d", regCol("Level rank"), row))
			if raw != strconv.Itoa(int(k.Level)) {
				t.Errorf("risk %s level rank %q; want %d (%s)", k.ID, raw, int(k.Level), k.Level)
			}
		}
	}
	if dated == 0 {
		t.Fatal("the fixture has no due date")
	}

	// Summary: counts of open risks by level are formulas over the Register, with the value
	// telesra computed cached for readers that do not calculate.
	rows, err := f.GetRows(sheetSummary)
	if err != nil {
		t.Fatal(err)
	}
	counts := r.Register.Counts()
	found := 0
	for i, row := range rows {
		if len(row) < 2 {
			continue
		}
		for _, l := range register.Levels() {
			if row[0] != l.String() {
				continue
			}
			cell := fmt.Sprintf("B%d", i+1)
			formula, _ := f.GetCellFormula(sheetSummary, cell)
			raw, _, _, _ := rawCell(t, f, sheetSummary, cell)
			if !strings.Contains(formula, "COUNTIFS("+sheetRegister+"!") || raw != strconv.Itoa(counts[l]) {
				t.Errorf("Summary %s: formula %q value %q; want a COUNTIFS over the Register worth %d", cell, formula, raw, counts[l])
			}
			found++
		}
		if row[0] == "Questionnaire completeness" {
			raw, _, nf, _ := rawCell(t, f, sheetSummary, fmt.Sprintf("B%d", i+1))
			if v, err := strconv.ParseFloat(raw, 64); err != nil || v < 0 || v > 1 || (nf != 9 && nf != 10) {
				t.Errorf("completeness cell %q format %d; want a share between 0 and 1 shown as a percentage", raw, nf)
			}
		}
	}
	if found != 5 {
		t.Errorf("%d level counts on the Summary, want 5", found)
	}
}
