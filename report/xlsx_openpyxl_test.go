package report

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// openpyxlCheck reads the workbook the way a practice's Python tooling would (openpyxl, from
// Debian's python3-openpyxl) and reports what type each Register cell arrives as.
const openpyxlCheck = `
import json, sys, datetime
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb[sys.argv[2]]
head = [c.value for c in ws[1]]
due, score = head.index("Due"), head.index("Score")
out = {"dates": 0, "not_dates": [], "numbers": 0, "not_numbers": []}
for row in ws.iter_rows(min_row=2, values_only=True):
    if row[due] is not None:
        if isinstance(row[due], datetime.datetime):
            out["dates"] += 1
        else:
            out["not_dates"].append(repr(row[due]))
    if row[score] is not None:
        if isinstance(row[score], (int, float)) and not isinstance(row[score], bool):
            out["numbers"] += 1
        else:
            out["not_numbers"].append(repr(row[score]))
print(json.dumps(out))
`

// TestOpenpyxlReadsDatesAndNumbers: openpyxl reads the Register's due dates as dates and its
// scores as numbers, not text.
func TestOpenpyxlReadsDatesAndNumbers(t *testing.T) {
	python := openpyxl(t)
	r := fixtureReport(t, fixturePlan(t))
	out := render(t, func(w *bytes.Buffer, r *Report) error { return WriteXLSX(w, r) }, r)
	path := filepath.Join(t.TempDir(), "risk-register.xlsx")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := exec.Command(python, "-c", openpyxlCheck, path, sheetRegister).Output()
	if err != nil {
		t.Fatalf("openpyxl: %v", err)
	}
	var res struct {
		Dates      int      `json:"dates"`
		Numbers    int      `json:"numbers"`
		NotDates   []string `json:"not_dates"`
		NotNumbers []string `json:"not_numbers"`
	}
	if err := json.Unmarshal(got, &res); err != nil {
		t.Fatalf("openpyxl output %q: %v", got, err)
	}
	if len(res.NotDates) > 0 {
		t.Errorf("due dates openpyxl reads as something else: %v", res.NotDates)
	}
	if len(res.NotNumbers) > 0 {
		t.Errorf("scores openpyxl reads as something else: %v", res.NotNumbers)
	}
	if res.Dates == 0 || res.Numbers == 0 {
		t.Errorf("openpyxl read %d due dates and %d scores; the fixture has both", res.Dates, res.Numbers)
	}
}
