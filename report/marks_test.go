package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/telesra/telesra/report/register"
)

// markedReport is the fixture report, whose sample answers the fixture scan contradicts, with
// one existing control verified by scan as register.Build marks one when its checks pass.
func markedReport(t *testing.T) (*Report, *register.Verification) {
	t.Helper()
	r := fixtureReport(t, fixturePlan(t))
	for _, k := range r.Register.Risks {
		for i, c := range k.Controls {
			v := &register.Verification{Question: c.Question, Status: c.Status, Rules: []string{"test-rule"},
				Reasons: []string{"the test checks passed"}, Checks: []string{"tls.cert.expired", "tls.protocol.tls1_0"},
				Assets: []string{"Patient portal (portal.riverside.example:443)"}}
			k.Controls[i].Verified = v
			r.Register.Verifications = append(r.Register.Verifications, v)
			return r, v
		}
	}
	t.Fatal("the fixture register has no existing control")
	return nil, nil
}

// TestCSVAndMarkdownMarkAnswers: the CSV register rows carry their contradicted answers and
// their controls verified by scan; the Markdown summary lists both in "Answers vs scan".
func TestCSVAndMarkdownMarkAnswers(t *testing.T) {
	r, v := markedReport(t)
	if len(r.Register.Contradictions) == 0 {
		t.Fatal("the fixture has no contradicted answer")
	}
	rows, err := csv.NewReader(bytes.NewReader(render(t, func(w *bytes.Buffer, r *Report) error { return CSV{Plain: true}.Write(w, r) }, r))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	contra, verified, controls := slices.Index(rows[0], "Contradicted answers"), slices.Index(rows[0], "Verified by scan"), slices.Index(rows[0], "Existing controls")
	if contra < 0 || verified < 0 {
		t.Fatalf("CSV header %v", rows[0])
	}
	var sawContra, sawVerified bool
	for _, row := range rows[1:] {
		if strings.Contains(row[contra], "tele.vpn (Implemented): ") && strings.Contains(row[contra], "findings ") {
			sawContra = true
		}
		if strings.HasPrefix(row[verified], v.Question+": the test checks passed") && strings.Contains(row[verified], "portal.riverside.example:443") &&
			strings.Contains(row[controls], v.Question) && strings.Contains(row[controls], "[verified by scan]") {
			sawVerified = true
		}
	}
	if !sawContra || !sawVerified {
		t.Errorf("CSV: contradicted answer shown %v, verified control shown %v", sawContra, sawVerified)
	}
	md := string(render(t, func(w *bytes.Buffer, r *Report) error { return WriteMarkdown(w, r) }, r))
	_, section, ok := strings.Cut(md, "## Answers vs scan")
	if !ok {
		t.Fatalf("no Answers vs scan section:\n%s", md)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	for _, want := range []string{"| tele.vpn | Implemented | contradicted |", "| " + v.Question + " | ", "| verified by scan | the test checks passed | tls.cert.expired, tls.protocol.tls1_0 |"} {
		if !strings.Contains(section, want) {
			t.Errorf("Answers vs scan lacks %q:\n%s", want, section)
		}
	}
}

const openpyxlMarks = `
import json, sys
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["Answers vs scan"]
rows = [[c if c is not None else "" for c in r] for r in ws.iter_rows(values_only=True)]
ans = wb["Answers"]
head = [c.value for c in ans[1]]
scan = {r[head.index("Question ID")]: r[head.index("Scan")] for r in ans.iter_rows(min_row=2, values_only=True)}
print(json.dumps({"rows": rows, "scan": scan}))
`

// TestXLSXMarksAnswers: the workbook, read with openpyxl, has an "Answers vs scan" sheet
// naming each contradicted and verified answer with its findings or checks and assets, and the
// Answers sheet says which answers the scan contradicts or verifies.
func TestXLSXMarksAnswers(t *testing.T) {
	python := openpyxl(t)
	r, v := markedReport(t)
	path := filepath.Join(t.TempDir(), "risk-register.xlsx")
	if err := os.WriteFile(path, render(t, func(w *bytes.Buffer, r *Report) error { return WriteXLSX(w, r) }, r), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python, "-c", openpyxlMarks, path).Output()
	if err != nil {
		t.Fatalf("openpyxl: %v", err)
	}
	var got struct {
		Rows [][]string         `json:"rows"`
		Scan map[string]*string `json:"scan"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("openpyxl output %q: %v", out, err)
	}
	if len(got.Rows) == 0 || !slices.Equal(got.Rows[0], []string{"Question ID", "Question", "Answer", "Scan", "Rules", "Why", "Findings or checks", "Assets"}) {
		t.Fatalf("Answers vs scan header: %v", got.Rows)
	}
	want := len(r.Register.Contradictions) + len(r.Register.Verifications)
	if len(got.Rows)-1 != want {
		t.Errorf("Answers vs scan: %d rows, want %d", len(got.Rows)-1, want)
	}
	for _, row := range got.Rows[1:] {
		switch {
		case row[0] == "tele.vpn":
			if row[3] != "contradicted" || row[6] == "" || !strings.Contains(row[7], "203.0.113.10:22") {
				t.Errorf("tele.vpn row %q", row)
			}
		case row[0] == v.Question && row[3] == "verified by scan":
			if row[6] != "tls.cert.expired\ntls.protocol.tls1_0" || !strings.Contains(row[7], "portal.riverside.example:443") {
				t.Errorf("verified row %q", row)
			}
		}
	}
	if s := got.Scan["tele.vpn"]; s == nil || *s != "contradicted" {
		t.Errorf("Answers sheet: tele.vpn scan %v", s)
	}
	if s := got.Scan[v.Question]; s == nil || (*s != "verified by scan" && *s != "contradicted") {
		t.Errorf("Answers sheet: %s scan %v", v.Question, s)
	}
}
