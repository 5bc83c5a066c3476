package report

import (
	"bytes"
	"encoding/csv"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/telesra/telesra/report/register"
	"github.com/telesra/telesra/templates/datafile"

	"github.com/xuri/excelize/v2"

	"github.com/telesra/telesra/checks/checkstest"
	"github.com/telesra/telesra/questionnaire"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden compares got with testdata/golden/name (rewritten with -update).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs from the golden file at line %d:\n got: %q\nwant: %q\n(run go test ./report -update and review the diff)", name, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s differs from the golden file: %d lines, want %d", name, len(gl), len(wl))
	}
}

// The writers' fixture plan: one risk in progress (its owner a formula, to prove CSV cells are
// defused), one accepted, one the assessor rated, and one that only the plan remembers (fixed,
// verify).
const (
	formulaOwner = "=HYPERLINK(\"http://evil.example\",\"Sam\")"
	vanishedID   = "R-0bad0f00"
)

func fixturePlan(t testing.TB) *register.Plan {
	t.Helper()
	reg, err := register.Build(register.Inputs{Scan: fixtureScan(t), Bank: questionnaire.DefaultBank(), Answers: questionnaire.SampleAnswers(),
		Assets: fixtureAssets(t), EPHISystems: ephiSystems, Today: "2026-11-22"})
	if err != nil {
		t.Fatal(err)
	}
	p := register.NewPlan("remediation.yaml")
	find := func(weakness, target string) string {
		for _, k := range reg.Risks {
			if k.Weakness == weakness && k.Asset.Target == target {
				return k.ID
			}
		}
		t.Fatalf("fixture: no %s on %s", weakness, target)
		return ""
	}
	if err := p.Set(reg, find("unpatched-software", "203.0.113.10:22"), register.Change{Owner: ptr(formulaOwner), Due: ptr("2026-12-01"), Status: ptr(register.StatusInProgress)}, "2026-11-22"); err != nil {
		t.Fatal(err)
	}
	if err := p.Set(reg, find("certificate-problem", "portal.riverside.example:443"), register.Change{Status: ptr(register.StatusAccepted),
		Approver: "Dr A. Lee", Role: "Practice owner", Reason: "Portal replaced in January", Expires: "2027-01-31"}, "2026-11-22"); err != nil {
		t.Fatal(err)
	}
	// The assessor rates the cleartext EHR higher than the rules do.
	if err := p.Set(reg, find("cleartext-transport", "10.20.0.5:80"), register.Change{Override: &register.OverrideChange{Likelihood: register.Levels()[4],
		Why: "Staff open the EHR from home over plain HTTP", By: "Dana Whitfield", Role: "Assessor"}}, "2026-11-22"); err != nil {
		t.Fatal(err)
	}
	p.Entries[vanishedID] = &register.Entry{Title: "Remote Desktop open before authentication", Asset: "Front desk PC (10.20.0.12:3389)", Level: "high", Owner: "Sam IT", Status: register.StatusDone}
	return p
}

func render(t *testing.T, write func(w *bytes.Buffer, r *Report) error, r *Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := write(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestJSONGoldenAndSchema(t *testing.T) {
	r := fixtureReport(t, fixturePlan(t))
	out := render(t, func(w *bytes.Buffer, r *Report) error { return WriteJSON(w, r) }, r)
	golden(t, "risk-register.json", out)
	root, err := datafile.ParseYAML("risk-register.json", out)
	if err != nil {
		t.Fatal(err)
	}
	if err := datafile.ValidateNode("risk-register.json", root, "register.schema.json"); err != nil {
		t.Fatalf("the JSON register does not match its schema: %v", err)
	}
	for _, want := range []string{`"id": "` + vanishedID + `"`, `"status": "fixed_verify"`, `"status": "accepted"`, `"known-exploited-potential"`, `"potential_only": true`, `"scope": {`} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("JSON lacks %s", want)
		}
	}
}

func TestCSVGoldenAndDefused(t *testing.T) {
	r := fixtureReport(t, fixturePlan(t))
	out := render(t, func(w *bytes.Buffer, r *Report) error { return WriteCSV(w, r) }, r)
	golden(t, "risk-register.csv", out)
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(out, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(r.Register.Risks)+1 || !slices.Equal(rows[0], csvHeader) {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	for i, k := range r.Register.Risks {
		row := rows[i+1]
		if row[0] != k.ID || row[11] != levelOrDash(k.Level) {
			t.Errorf("row %d: %s %s, want %s %s", i+1, row[0], row[11], k.ID, levelOrDash(k.Level))
		}
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+@", rune(cell[0])) {
				t.Errorf("row %d: cell %q would run as a formula", i+1, cell)
			}
			if strings.ContainsAny(cell, "\x1b\x07") {
				t.Errorf("row %d: raw control character in %q", i+1, cell)
			}
		}
	}
}

func TestMarkdownGolden(t *testing.T) {
	r := fixtureReport(t, fixturePlan(t))
	out := render(t, func(w *bytes.Buffer, r *Report) error { return WriteMarkdown(w, r) }, r)
	golden(t, "risk-summary.md", out)
	// Every table row has the header's number of cells: an evidence pipe never adds a column.
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "| R-") && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") != 9 {
			t.Errorf("broken row: %s", line)
		}
	}
}

func TestMarkdownMarksDrafts(t *testing.T) {
	answers := questionnaire.SampleAnswers()
	for id := range answers.ByID {
		if strings.HasPrefix(id, "tele.") {
			delete(answers.ByID, id)
		}
	}
	r := fixtureReport(t, nil)
	r.Answers, r.Scores = answers, nil
	r.Prepare()
	if !r.Completion.Draft || r.Completion.Percent >= 100 {
		t.Fatalf("completion %+v", r.Completion)
	}
	out := string(render(t, func(w *bytes.Buffer, r *Report) error { return WriteMarkdown(w, r) }, r))
	if !strings.Contains(out, "**DRAFT - "+percent(r.Completion.Percent)+" complete.**") || !strings.Contains(out, "questions open") {
		t.Errorf("draft banner missing:\n%s", out[:400])
	}
}

func TestXLSXReadsBackCellByCell(t *testing.T) {
	r := fixtureReport(t, fixturePlan(t))
	out := render(t, func(w *bytes.Buffer, r *Report) error { return WriteXLSX(w, r) }, r)
	f, err := excelize.OpenReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{sheetSummary, sheetRegister, sheetStatus, sheetFindings, sheetAnswers, sheetMarks, sheetPlan, sheetAssets}) {
		t.Fatalf("sheets %v", got)
	}
	// The Assets sheet lists the inventory with each asset's open risks.
	inv, err := f.GetRows(sheetAssets)
	if err != nil || len(inv) < len(r.Register.Inventory)+1 || inv[1][0] != r.Register.Inventory[0].Name ||
		inv[0][len(inv[0])-1] != "Open risks" {
		t.Errorf("Assets sheet: %v %q", err, inv)
	}
	rows, err := f.GetRows(sheetRegister)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(r.Register.Risks)+1 {
		t.Fatalf("register: %d rows for %d risks", len(rows), len(r.Register.Risks))
	}
	for i, c := range registerColumns {
		if rows[0][i] != c.Name {
			t.Errorf("header %d = %q, want %q", i, rows[0][i], c.Name)
		}
	}
	for i, k := range r.Register.Risks {
		row := append(rows[i+1], make([]string, len(registerColumns))...)
		want := map[int]string{0: k.ID, 1: k.Asset.Label(), 5: levelOrDash(k.Likelihood.Level), 7: levelOrDash(k.Impact.Level),
			9: levelOrDash(k.Level), 13: cleanText(k.Owner), 14: k.Due, 15: string(k.Status)}
		for col, w := range want {
			if row[col] != w {
				t.Errorf("Register row %d column %s = %q, want %q", i+2, registerColumns[col].Name, row[col], w)
			}
		}
	}
	// The header is frozen, filters are on, the status column offers the statuses, levels are
	// coloured by rule.
	panes, err := f.GetPanes(sheetRegister)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v %v", panes, err)
	}
	dvs, err := f.GetDataValidations(sheetRegister)
	if err != nil || len(dvs) != 1 || !strings.HasPrefix(dvs[0].Sqref, "P2:") || !strings.Contains(dvs[0].Formula1, "in_progress") {
		t.Errorf("status drop-down: %+v %v", dvs, err)
	}
	cf, err := f.GetConditionalFormats(sheetRegister)
	if err != nil || len(cf) != 6 { // likelihood, impact and level, final and computed
		t.Errorf("conditional formats: %v %v", cf, err)
	}
	if !slices.ContainsFunc(f.GetDefinedName(), func(d excelize.DefinedName) bool {
		return d.Name == "_xlnm._FilterDatabase" && d.Scope == sheetRegister
	}) {
		t.Errorf("no filter on the register: %+v", f.GetDefinedName())
	}
	findings, _ := f.GetRows(sheetFindings)
	if len(findings) != len(r.Register.Findings)+1 {
		t.Errorf("findings sheet: %d rows for %d findings", len(findings), len(r.Register.Findings))
	}
	for _, row := range findings[1:] {
		for _, cell := range row {
			if strings.ContainsAny(cell, "\x1b\x07") {
				t.Errorf("raw control character in %q", cell)
			}
		}
	}
	answers, _ := f.GetRows(sheetAnswers)
	if len(answers)-1 != r.Completion.Asked {
		t.Errorf("answers sheet: %d rows, %d questions asked", len(answers)-1, r.Completion.Asked)
	}
	plan, _ := f.GetRows(sheetPlan)
	if plan[1][0] != "2026-12-01" || plan[1][6] != formulaOwner {
		t.Errorf("plan's first row (the dated one): %v", plan[1])
	}
	if v, _ := f.GetCellValue(sheetSummary, "B8"); v != "High" {
		t.Errorf("summary overall = %q", v)
	}
}

// pdfPages renders a PDF's text page by page with pdftotext.
func pdfPages(t *testing.T, pdf []byte) []string {
	t.Helper()
	bin := checkstest.RequireBinary(t, "pdftotext")
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	pages := strings.Split(string(out), "\f")
	return pages[:len(pages)-1]
}

// pdfOutline lists a PDF's bookmarks with pdftohtml's XML outline.
func pdfOutline(t *testing.T, pdf []byte) []string {
	t.Helper()
	bin := checkstest.RequireBinary(t, "pdftohtml")
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-xml", "-i", "-stdout", "-q", path).Output()
	if err != nil {
		t.Fatalf("pdftohtml: %v", err)
	}
	var items []string
	for _, m := range regexp.MustCompile(`<item page="(\d+)">([^<]*)</item>`).FindAllStringSubmatch(string(out), -1) {
		items = append(items, m[2]+" @"+m[1])
	}
	return items
}

func TestPDFTextStructureAndBookmarks(t *testing.T) {
	r := fixtureReport(t, fixturePlan(t))
	pdf := render(t, func(w *bytes.Buffer, r *Report) error { return WritePDF(w, r) }, r)
	pages := pdfPages(t, pdf)
	var b strings.Builder
	for i, p := range pages {
		b.WriteString("=== page " + itoa(i+1) + " ===\n" + p)
	}
	golden(t, "risk-assessment.pdf.txt", []byte(b.String()))

	outline := pdfOutline(t, pdf)
	var top []string
	for _, o := range outline {
		top = append(top, o[:strings.LastIndex(o, " @")])
	}
	for _, want := range []string{"Cover", "Contents", "1. Executive summary", "2. Risk heat map", "3. Status by safeguard", "4. Top risks",
		"5. Risk register", "6. Technical findings", "7. Questionnaire results", "8. Remediation plan", "9. Methodology", "Appendix A. Questionnaire answers"} {
		if !slices.Contains(top, want) {
			t.Errorf("no bookmark %q in %v", want, top)
		}
	}
	golden(t, "risk-assessment.pdf.outline", []byte(strings.Join(outline, "\n")+"\n"))

	// Every page but the cover carries the page number and the confidentiality mark.
	for i, p := range pages[1:] {
		if !strings.Contains(p, "Page "+itoa(i+2)+" of "+itoa(len(pages))) || !strings.Contains(p, "CONFIDENTIAL") {
			t.Errorf("page %d lacks its number or CONFIDENTIAL", i+2)
		}
	}
	// The contents list the page each section starts on.
	for _, o := range outline {
		title, page := o[:strings.LastIndex(o, " @")], o[strings.LastIndex(o, " @")+2:]
		if strings.HasPrefix(title, "Appendix") || (title != "" && title[0] >= '1' && title[0] <= '9' && title[1] == '.') {
			if !strings.Contains(pages[1], title) || !regexp.MustCompile(`(?m)[ .]`+page+`$`).MatchString(pages[1]) {
				t.Errorf("contents lack %q on page %s", title, page)
			}
		}
	}
	// A register row never splits: each risk's ID and its remediation are on the same page.
	regStart, regEnd := pageOf(outline, "5. Risk register"), pageOf(outline, "6. Technical findings")
	for _, k := range r.Register.Risks {
		found := false
		for p := regStart; p < regEnd; p++ {
			text := strings.Join(strings.Fields(pages[p-1]), " ")
			if strings.Contains(text, k.ID) {
				found = true
				words := strings.Fields(k.Remediation)
				if len(words) > 3 {
					words = words[:3]
				}
				if !strings.Contains(text, strings.Join(words, " ")) {
					t.Errorf("risk %s: its row is split across pages (remediation not on page %d)", k.ID, p)
				}
			}
		}
		if !found {
			t.Errorf("risk %s is not in the register pages %d-%d", k.ID, regStart, regEnd-1)
		}
	}
	// Hostile evidence is shown escaped, never raw.
	all := strings.Join(pages, "")
	if strings.ContainsAny(all, "\x1b\x07") || !strings.Contains(all, `\x1b[31m`) {
		t.Error("the banner's escape sequence is not shown escaped")
	}
}

func TestPDFDraftMark(t *testing.T) {
	r := fixtureReport(t, nil)
	r.Scan = nil
	r.Prepare()
	pdf := render(t, func(w *bytes.Buffer, r *Report) error { return WritePDF(w, r) }, r)
	pages := pdfPages(t, pdf)
	if !strings.Contains(pages[0], "DRAFT - 100% complete") || !strings.Contains(pages[0], "no network scan was run") {
		t.Errorf("cover of a draft:\n%s", pages[0])
	}
	for i, p := range pages[1:] {
		if !strings.Contains(p, "DRAFT - 100% complete") {
			t.Errorf("page %d lacks the draft mark", i+2)
		}
	}
}

func pageOf(outline []string, title string) int {
	for _, o := range outline {
		if strings.HasPrefix(o, title+" @") {
			n := 0
			for _, c := range o[len(title)+2:] {
				n = n*10 + int(c-'0')
			}
			return n
		}
	}
	return 0
}

func itoa(n int) string { return strconv.Itoa(n) }

// Excel on Windows reads a CSV as UTF-8 only with a byte order mark, and expects CRLF line
// ends: without them "José Núñez" shows as "JosÃ© NÃºÃ±ez". --csv-plain is for tools that
// want neither.
func TestCSVOpensInExcel(t *testing.T) {
	r := fixtureReport(t, fixturePlan(t))
	r.Register.Risks[0].Owner = "José Núñez"
	w, err := Formats.New("csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := w.Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "\uFEFF") {
		t.Errorf("no UTF-8 byte order mark: %q", out[:min(20, len(out))])
	}
	if n, crlf := strings.Count(out, "\n"), strings.Count(out, "\r\n"); n == 0 || n != crlf {
		t.Errorf("%d of %d line ends are CRLF", crlf, n)
	}
	if !strings.Contains(out, "José Núñez") {
		t.Error("the owner's name is not written as UTF-8")
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\uFEFF"))).ReadAll()
	if err != nil || rows[0][0] != "ID" {
		t.Fatalf("read back: %v %v", err, rows[0])
	}

	w, _ = Formats.New("csv", Options{CSVPlain: true})
	buf.Reset()
	if err := w.Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); strings.HasPrefix(out, "\uFEFF") || strings.Contains(out, "\r\n") || !strings.HasPrefix(out, "ID,") {
		t.Errorf("--csv-plain: %q...", out[:min(40, len(out))])
	}
}

func TestMarkdownReportEscapesHTML(t *testing.T) {
	r := fixtureReport(t, fixturePlan(t))
	r.Organisation.Name = `Acme <script>alert(1)</script>`
	r.Register.Risks[0].Title = `<img src=x onerror=alert(2)>`
	out := render(t, func(w *bytes.Buffer, r *Report) error { return WriteMarkdown(w, r) }, r)
	if bytes.Contains(out, []byte("<script")) || bytes.Contains(out, []byte("<img")) || !bytes.Contains(out, []byte("Acme &lt;script&gt;")) {
		t.Errorf("HTML passes through the Markdown report:\n%s", out)
	}
}
