package report

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestXLSXHeatMapsKeepAcceptedRisks: the workbook's Summary has the heat map of open risks and,
// apart, the heat map of accepted risks; each cell's formula, recalculated over the Register
// sheet, counts what the register counts, so an accepted risk is neither lost nor counted open.
func TestXLSXHeatMapsKeepAcceptedRisks(t *testing.T) {
	r := fixtureReport(t, fixturePlan(t))
	if r.Register.Accepted() == 0 {
		t.Fatal("the fixture has no accepted risk")
	}
	f, err := excelize.OpenReader(bytes.NewReader(render(t, func(w *bytes.Buffer, r *Report) error { return WriteXLSX(w, r) }, r)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheetSummary)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		title string
		want  [5][5]int
	}{
		{"Heat map of open risks", r.Register.Heat()},
		{"Heat map of accepted risks", r.Register.HeatAccepted()},
	} {
		top := -1
		for i, row := range rows {
			if len(row) > 0 && strings.HasPrefix(row[0], m.title) {
				top = i + 1 // 1-based row of the title; the impact header is the next one
			}
		}
		if top < 0 {
			t.Fatalf("no %q on the Summary sheet", m.title)
		}
		total := 0
		for k := 0; k < 5; k++ { // likelihood Very High first
			li := 4 - k
			for j := 0; j < 5; j++ {
				cell, _ := excelize.CoordinatesToCellName(j+2, top+2+k)
				got, err := f.CalcCellValue(sheetSummary, cell)
				if err != nil {
					t.Fatalf("%s %s: %v", m.title, cell, err)
				}
				n, err := strconv.Atoi(got)
				if err != nil || n != m.want[li][j] {
					t.Errorf("%s %s (likelihood %d, impact %d) recalculates to %q, the register counts %d", m.title, cell, li+1, j+1, got, m.want[li][j])
				}
				total += n
			}
		}
		if m.title == "Heat map of accepted risks" && total != r.Register.Accepted() {
			t.Errorf("accepted heat map counts %d, the register has %d accepted risks", total, r.Register.Accepted())
		}
	}
}
