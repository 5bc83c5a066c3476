package report

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/telesra/telesra/checks/checkstest"
)

// openpyxlSheet dumps a sheet as openpyxl reads it: the header's font and fill, the frozen
// pane, the filter, and every cell (dates as YYYY-MM-DD, empty cells as "").
const openpyxlSheet = `
import json, sys, datetime
import openpyxl
ws = openpyxl.load_workbook(sys.argv[1])[sys.argv[2]]
def val(v):
    if v is None: return ""
    if isinstance(v, datetime.datetime): return "date:" + v.strftime("%Y-%m-%d")
    return str(v)
h = ws["A1"]
print(json.dumps({"bold": bool(h.font.b), "fill": str(h.fill.fgColor.rgb)[-6:], "freeze": ws.freeze_panes,
  "filter": ws.auto_filter.ref, "rows": [[val(v) for v in r] for r in ws.iter_rows(values_only=True)]}))
`

// openpyxl returns Debian's python3 (where python3-openpyxl installs; a pyenv python3 may come
// first on PATH without it) once openpyxl imports; in CI its absence fails the test.
func openpyxl(t *testing.T) string {
	t.Helper()
	python := "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		python = checkstest.RequireBinary(t, "python3")
	}
	if err := exec.Command(python, "-c", "import openpyxl").Run(); err != nil {
		if checkstest.InCI() {
			t.Fatalf("openpyxl is required (CI=true): apt-get install python3-openpyxl (%v)", err)
		}
		t.Skip("openpyxl is not installed; the test runs in CI")
	}
	return python
}

// TestXLSXStatusSheet: the Status sheet, read back with openpyxl, has one row per standard and
// specification in regulation order with its kind, Required/Addressable, status, decision (or
// "Decision missing"), measure or reason, who, role, the date as a date, and the deciding
// questions; the header is styled, frozen and filtered like the other sheets.
func TestXLSXStatusSheet(t *testing.T) {
	python := openpyxl(t)
	r := fixtureReport(t, fixturePlan(t))
	path := filepath.Join(t.TempDir(), "risk-register.xlsx")
	if err := os.WriteFile(path, render(t, func(w *bytes.Buffer, r *Report) error { return WriteXLSX(w, r) }, r), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python, "-c", openpyxlSheet, path, sheetStatus).Output()
	if err != nil {
		t.Fatalf("openpyxl: %v", err)
	}
	var got struct {
		Bold   bool       `json:"bold"`
		Fill   string     `json:"fill"`
		Freeze string     `json:"freeze"`
		Filter string     `json:"filter"`
		Rows   [][]string `json:"rows"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("openpyxl output %q: %v", out, err)
	}
	if !got.Bold || got.Fill != "1F3A5F" || got.Freeze != "A2" || strings.ReplaceAll(got.Filter, "$", "") != "A1:M66" {
		t.Errorf("header bold %v fill %s, freeze %q, filter %q; want the workbook's header style, frozen, filtered", got.Bold, got.Fill, got.Freeze, got.Filter)
	}
	want := [][]string{{"Citation", "Name", "Kind", "Required/Addressable", "Status", "Why", "Decision", "Measure or reason", "By", "Role", "Date", "Deciding questions", "Open risks"}}
	decided, missing := 0, 0
	for _, row := range r.CitationStatuses() {
		c := row.Citation
		kind, req := "Specification", map[string]string{"required": "Required", "addressable": "Addressable"}[c.Kind]
		if c.Kind == "standard" {
			kind, req = "Standard", "Required"
		}
		w := []string{c.Citation, c.Name, kind, req, string(row.Status), row.Basis, "", "", "", "", "", strings.Join(row.Questions, "\n"), strings.Join(row.Risks, "\n")}
		if d := row.Decision; d != nil {
			decided++
			w[6], w[8], w[9], w[10] = d.Decision.Label(), d.By, d.Role, "date:"+d.Date
			w[7] = d.Reason
			if d.Measure != "" {
				w[7] = strings.TrimSpace(d.Measure + "\n" + d.Reason)
			}
		} else if row.DecisionMissing {
			missing++
			w[6] = "Decision missing"
		}
		want = append(want, w)
	}
	if decided == 0 || missing == 0 {
		t.Fatalf("the fixture has %d decisions and %d missing; the test needs both", decided, missing)
	}
	if len(got.Rows) != len(want) {
		t.Fatalf("%d rows, want %d (a header and 65 citations)", len(got.Rows), len(want))
	}
	for i := range want {
		for j := range want[i] {
			if j >= len(got.Rows[i]) || got.Rows[i][j] != want[i][j] {
				t.Errorf("row %d column %s = %q, want %q", i+1, want[0][j], got.Rows[i][min(j, len(got.Rows[i])-1)], want[i][j])
			}
		}
	}
}
