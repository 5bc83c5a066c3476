package report

import (
	"strings"

	"github.com/telesra/telesra/report/register"
)

// sheetAssets is the asset inventory: every asset, what it holds, and its open risks.
const sheetAssets = "Assets"

func (x *xlsxWriter) assets() error {
	reg := x.r.Register
	var rows [][]any
	for _, a := range reg.Inventory {
		var flows []string
		for _, f := range a.Flows {
			flows = append(flows, f.To+": "+f.What)
		}
		var records any = ""
		if a.Records > 0 {
			records = a.Records
		}
		rows = append(rows, []any{a.Name, a.Kind, nonEmpty(a.EPHIHeld, "not stated"), records, a.Criticality.Confidentiality,
			a.Criticality.Integrity, a.Criticality.Availability, a.Exposure, yesNo(a.Scanned), yesNo(a.Declared),
			strings.Join(flows, "\n"), reg.OpenOn(a.Name)})
	}
	if reg.ScopeIncomplete {
		rows = append(rows, []any{"Scope incomplete", "", "", "", "", "", "", "", "", "", reg.ScopeReason, ""})
	}
	rows = append(rows, []any{register.PracticeWideName, register.KindPractice, "", "", "", "", "", "", "", "", "", reg.OpenOn(register.PracticeWideName)})
	return x.table(sheetAssets, []string{"Asset", "Kind", "ePHI held", "Records", "Confidentiality", "Integrity", "Availability", "Exposure",
		"Scanned", "In assets.yaml", "ePHI flows", "Open risks"}, []float64{32, 16, 12, 10, 14, 12, 12, 11, 9, 12, 50, 10}, rows)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
