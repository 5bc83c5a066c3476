package report

import (
	"fmt"
	"strings"
)

// sheetStatus is the status of every standard and implementation specification of the
// Security Rule, with the decisions on Addressable ones: the table an auditor filters first.
const sheetStatus = "Status"

// statusColumns are the Status sheet's columns, shared with the tests that read it back.
var statusColumns = []struct {
	Name  string
	Width float64
}{
	{"Citation", 20}, {"Name", 34}, {"Kind", 14}, {"Required/Addressable", 14}, {"Status", 16}, {"Why", 40},
	{"Decision", 22}, {"Measure or reason", 50}, {"By", 18}, {"Role", 22}, {"Date", 12}, {"Deciding questions", 30}, {"Open risks", 14},
}

func (x *xlsxWriter) status() error {
	var rows [][]any
	for _, row := range x.r.CitationStatuses() {
		c := row.Citation
		kind, req := "Specification", capitalise(c.Kind)
		if c.Kind == "standard" {
			kind, req = "Standard", "Required"
		}
		var decision, measure, by, role string
		var date any
		switch d := row.Decision; {
		case d != nil:
			decision, by, role, date = d.Decision.Label(), d.By, d.Role, xlsxDate(d.Date)
			measure = d.Reason
			if d.Measure != "" {
				measure = strings.TrimSpace(d.Measure + "\n" + d.Reason)
			}
		case row.DecisionMissing:
			decision = "Decision missing"
		}
		rows = append(rows, []any{c.Citation, c.Name, kind, req, string(row.Status), row.Basis, decision, measure, by, role, date,
			strings.Join(row.Questions, "\n"), strings.Join(row.Risks, "\n")})
	}
	header := make([]string, len(statusColumns))
	widths := make([]float64, len(statusColumns))
	for i, c := range statusColumns {
		header[i], widths[i] = c.Name, c.Width
	}
	if err := x.table(sheetStatus, header, widths, rows); err != nil {
		return err
	}
	col := string(rune('A' + statusColumn("Date")))
	return x.f.SetCellStyle(sheetStatus, col+"2", fmt.Sprintf("%s%d", col, max(len(rows)+1, 2)), x.date)
}

// statusColumn is the index of a Status sheet column.
func statusColumn(name string) int {
	for i, c := range statusColumns {
		if c.Name == name {
			return i
		}
	}
	panic("xlsx: no status column " + name)
}
