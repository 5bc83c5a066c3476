package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/telesra/telesra/questionnaire/level"
	"github.com/telesra/telesra/report/register"

	"github.com/xuri/excelize/v2"

	"github.com/telesra/telesra/questionnaire"
)

// Level colours shared by the PDF and the workbook (fill, then text), after the usual
// red-amber-green of risk heat maps.
var levelColours = map[register.Level][2]string{
	level.VeryHigh: {"B71C1C", "FFFFFF"},
	level.High:     {"E65100", "FFFFFF"},
	level.Moderate: {"F9A825", "000000"},
	level.Low:      {"9CCC65", "000000"},
	level.VeryLow:  {"C8E6C9", "000000"},
}

// maxCell is the most text Excel keeps in one cell.
const maxCell = 32000

func xcell(s string) string {
	s = cleanText(s)
	if len(s) > maxCell {
		s = s[:maxCell] + "…"
	}
	return s
}

// Sheet names and the register's columns, shared with the tests that read the workbook back.
const (
	sheetSummary  = "Summary"
	sheetRegister = "Register"
	sheetFindings = "Findings"
	sheetAnswers  = "Answers"
	sheetPlan     = "Plan"
	sheetMarks    = "Answers vs scan"
)

var registerColumns = []struct {
	Name  string
	Width float64
}{
	{"ID", 12}, {"Asset", 28}, {"Threat", 40}, {"Vulnerability", 36}, {"Existing controls", 34},
	{"Likelihood", 12}, {"Likelihood reason", 40}, {"Impact", 12}, {"Impact reason", 40}, {"Risk level", 12},
	{"HIPAA", 30}, {"Evidence", 30}, {"Remediation", 50}, {"Owner", 18}, {"Due", 12}, {"Status", 14}, {"Status note", 30},
	// Likelihood, Impact and Risk level are final; the rules' rating and an assessor's override
	// beside them (overrideColumns).
	{"Computed likelihood", 12}, {"Computed impact", 12}, {"Computed level", 12},
	{"Override by", 20}, {"Override date", 12}, {"Override why", 40}, {"Override note", 30},
	// Numbers to sort by: levels sort alphabetically as text (High, Low, Moderate, Very High).
	{"Score", 8}, {"Level rank", 10},
}

// regCol is the letter of a register column.
func regCol(name string) string {
	for i, c := range registerColumns {
		if c.Name == name {
			col, _ := excelize.ColumnNumberToName(i + 1)
			return col
		}
	}
	panic("xlsx: no register column " + name)
}

// xlsxDate turns a YYYY-MM-DD due date into a date cell; anything else stays text.
func xlsxDate(s string) any {
	if d, err := time.Parse("2006-01-02", s); err == nil {
		return d
	}
	if s == "" {
		return nil // a blank cell, not an empty string: spreadsheets and openpyxl see no value
	}
	return s
}

// rank is a level as a number (Very Low 1 to Very High 5), empty when not scored.
func rank(l register.Level) any {
	if l <= 0 {
		return nil
	}
	return int(l)
}

// openRisks is the COUNTIFS condition for an open risk on the Register: the statuses that
// close a risk (verified, accepted) and the one telesra gives a risk it no longer detects.
func openRisks(last int) string {
	st := fmt.Sprintf("%s!$%s$2:$%s$%d", sheetRegister, regCol("Status"), regCol("Status"), last)
	return fmt.Sprintf(`%s,"<>%s",%s,"<>%s",%s,"<>%s"`, st, register.StatusVerified, st, register.StatusAccepted, st, register.StatusFixedVerify)
}

// colRange is a whole Register column's data range.
func colRange(name string, last int) string {
	c := regCol(name)
	return fmt.Sprintf("%s!$%s$2:$%s$%d", sheetRegister, c, c, last)
}

// WriteXLSX writes the workbook: Summary, Register (filters, frozen header, a status drop-down,
// levels coloured), Status (per standard and specification), Findings, Answers, Answers vs
// scan, Plan and Assets.
func WriteXLSX(w io.Writer, r *Report) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheetSummary); err != nil {
		return err
	}
	for _, s := range []string{sheetRegister, sheetStatus, sheetFindings, sheetAnswers, sheetMarks, sheetPlan, sheetAssets} {
		if _, err := f.NewSheet(s); err != nil {
			return err
		}
	}
	x := &xlsxWriter{f: f, r: r}
	for _, step := range []func() error{x.styles, x.summary, x.register, x.status, x.findings, x.answers, x.marks, x.plan, x.assets} {
		if err := step(); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
	}
	if err := f.SetDocProps(&excelize.DocProperties{
		Title: r.Title + ": " + r.Organisation.Name, Creator: "telesra", Created: r.Generated.UTC().Format("2006-01-02T15:04:05Z"),
		Modified: r.Generated.UTC().Format("2006-01-02T15:04:05Z"),
	}); err != nil {
		return err
	}
	// The Summary's formulas carry the values telesra computed; Excel and LibreOffice recompute
	// them on opening, so edits to the Register show.
	full := true
	if err := f.SetCalcProps(&excelize.CalcPropsOptions{FullCalcOnLoad: &full}); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	_, err := f.WriteTo(w)
	return err
}

type xlsxWriter struct {
	f                          *excelize.File
	r                          *Report
	header, wrap, title, bold  int
	date, pct                  int
	levelStyle, levelCondStyle map[register.Level]int
}

func (x *xlsxWriter) styles() error {
	var err error
	if x.header, err = x.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F3A5F"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}}); err != nil {
		return err
	}
	if x.wrap, err = x.f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}); err != nil {
		return err
	}
	if x.title, err = x.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16, Color: "1F3A5F"}}); err != nil {
		return err
	}
	if x.bold, err = x.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return err
	}
	iso := "yyyy-mm-dd"
	if x.date, err = x.f.NewStyle(&excelize.Style{CustomNumFmt: &iso, Alignment: &excelize.Alignment{Vertical: "top"}}); err != nil {
		return err
	}
	if x.pct, err = x.f.NewStyle(&excelize.Style{NumFmt: 10}); err != nil { // 0.00%: 99.5% must not show as 100%
		return err
	}
	x.levelStyle, x.levelCondStyle = map[register.Level]int{}, map[register.Level]int{}
	for l, c := range levelColours {
		st := &excelize.Style{Font: &excelize.Font{Bold: true, Color: c[1]}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c[0]}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}
		if x.levelStyle[l], err = x.f.NewStyle(st); err != nil {
			return err
		}
		if x.levelCondStyle[l], err = x.f.NewConditionalStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: c[1]},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c[0]}}}); err != nil {
			return err
		}
	}
	return nil
}

// table writes a header and rows at A1 of a sheet, with widths, wrapping, a frozen header and
// filters.
func (x *xlsxWriter) table(sheet string, header []string, widths []float64, rows [][]any) error {
	hdr := make([]any, len(header))
	for i, h := range header {
		hdr[i] = h
	}
	if err := x.f.SetSheetRow(sheet, "A1", &hdr); err != nil {
		return err
	}
	last, _ := excelize.ColumnNumberToName(len(header))
	if err := x.f.SetCellStyle(sheet, "A1", last+"1", x.header); err != nil {
		return err
	}
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := x.f.SetColWidth(sheet, col, col, w); err != nil {
			return err
		}
	}
	for i, row := range rows {
		for j, v := range row {
			if s, ok := v.(string); ok {
				row[j] = xcell(s)
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := x.f.SetSheetRow(sheet, cell, &row); err != nil {
			return err
		}
	}
	n := len(rows) + 1
	if len(rows) > 0 {
		if err := x.f.SetCellStyle(sheet, "A2", fmt.Sprintf("%s%d", last, n), x.wrap); err != nil {
			return err
		}
	}
	if err := x.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return x.f.AutoFilter(sheet, fmt.Sprintf("A1:%s%d", last, max(n, 2)), nil)
}

func (x *xlsxWriter) summary() error {
	f, r, s := x.f, x.r, sheetSummary
	set := func(cell string, v any) error { return f.SetCellValue(s, cell, v) }
	if err := set("A1", xcell(r.Title)); err != nil {
		return err
	}
	if err := f.SetCellStyle(s, "A1", "A1", x.title); err != nil {
		return err
	}
	overall := "None open"
	if l := r.Register.Overall(); l > 0 {
		overall = l.String()
	}
	rows := [][2]any{
		{"Organisation", r.Organisation.Name}, {"Assessor", strings.TrimSpace(r.Assessor.Name + " " + paren(r.Assessor.Organisation))},
		{"Assessment date", r.AssessmentDate}, {"Generated", r.Generated.UTC().Format("2006-01-02 15:04 MST")},
		{"Status", draftOrFinal(r.Completion)}, {"Overall risk", overall},
		{"Questionnaire completeness", share(r.Completion.Percent)}, {"Scan", r.Completion.Scan},
		{"HIPAA status (standards and specifications)", statusWords(r.Scores.Overall.Statuses)},
		{"Scoring rules", "NIST SP 800-30 Rev. 1, telesra rules " + r.Register.Rules.Version},
		// Last, so the rows above keep the cells a reader's formulas may point at.
		{"Approval", xcell(approvalLine(r))},
	}
	if ws := r.DataWarnings(); len(ws) > 0 {
		// Said on the Summary, as on the PDF's cover: findings rest on reference data past its age.
		rows = append(rows, [2]any{"Reference data out of date", xcell(strings.Join(ws, "; ") + "; refresh with telesra feeds update and scan again")})
	}
	row := 3
	for _, kv := range rows {
		if err := set(fmt.Sprintf("A%d", row), kv[0]); err != nil {
			return err
		}
		b := fmt.Sprintf("B%d", row)
		if v, ok := kv[1].(share); ok {
			if err := set(b, float64(v)/100); err != nil {
				return err
			}
			if err := f.SetCellStyle(s, b, b, x.pct); err != nil {
				return err
			}
		} else if err := set(b, xcell(fmt.Sprint(kv[1]))); err != nil {
			return err
		}
		row++
	}
	if err := f.SetCellStyle(s, "A3", fmt.Sprintf("A%d", row-1), x.bold); err != nil {
		return err
	}
	row++
	if err := set(fmt.Sprintf("A%d", row), "Open risks by level"); err != nil {
		return err
	}
	if err := f.SetCellStyle(s, fmt.Sprintf("A%d", row), fmt.Sprintf("A%d", row), x.bold); err != nil {
		return err
	}
	row++
	counts := r.Register.Counts()
	last := max(len(r.Register.Risks)+1, 2)
	for i := 4; i >= 0; i-- {
		l := register.Levels()[i]
		a, b := fmt.Sprintf("A%d", row), fmt.Sprintf("B%d", row)
		if err := set(a, l.String()); err != nil {
			return err
		}
		if err := f.SetCellStyle(s, a, a, x.levelStyle[l]); err != nil {
			return err
		}
		if err := set(b, counts[l]); err != nil {
			return err
		}
		if err := f.SetCellFormula(s, b, fmt.Sprintf(`COUNTIFS(%s,"=%s",%s)`, colRange("Risk level", last), l, openRisks(last))); err != nil {
			return err
		}
		row++
	}
	row++
	// Criteria are written "=High", not "High": a bare text criterion is an exact match in
	// Excel and LibreOffice, but some engines (excelize's own calculator among them) read it
	// as a pattern, where "High" also matches "Very High".
	// Two heat maps: the open risks, then the accepted ones, which stay risks of the practice
	// and are shown apart rather than dropped.
	st := colRange("Status", last)
	var err error
	if row, err = x.heatMap(row, "Heat map of open risks (likelihood × impact)", r.Register.Heat(), openRisks(last), last); err != nil {
		return err
	}
	row += 2
	accepted := fmt.Sprintf(`%s,"=%s"`, st, register.StatusAccepted)
	if row, err = x.heatMap(row, "Heat map of accepted risks (likelihood × impact)", r.Register.HeatAccepted(), accepted, last); err != nil {
		return err
	}
	row += 2
	if err := set(fmt.Sprintf("A%d", row), "Status by safeguard"); err != nil {
		return err
	}
	if err := f.SetCellStyle(s, fmt.Sprintf("A%d", row), fmt.Sprintf("A%d", row), x.bold); err != nil {
		return err
	}
	for _, g := range r.Scores.Safeguards {
		row++
		if err := set(fmt.Sprintf("A%d", row), capitalise(g.Safeguard)); err != nil {
			return err
		}
		if err := set(fmt.Sprintf("B%d", row), statusWords(g.Statuses)); err != nil {
			return err
		}
	}
	if r.Completion.Draft {
		row += 2
		if err := set(fmt.Sprintf("A%d", row), "Why this is a draft: "+strings.Join(r.Completion.Reasons, "; ")); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(s, "A", "A", 40); err != nil {
		return err
	}
	return f.SetColWidth(s, "B", "F", 18)
}

// heatMap writes one heat map from row on (likelihood down, impact across, each cell coloured
// by its Table I-2 level), each cell a formula counting the Register rows that meet criteria, so
// the workbook stays live when a status is changed in it; it returns the last row written.
func (x *xlsxWriter) heatMap(row int, title string, heat [5][5]int, criteria string, last int) (int, error) {
	f, r, s := x.f, x.r, sheetSummary
	set := func(cell string, v any) error { return f.SetCellValue(s, cell, v) }
	if err := set(fmt.Sprintf("A%d", row), title); err != nil {
		return row, err
	}
	if err := f.SetCellStyle(s, fmt.Sprintf("A%d", row), fmt.Sprintf("A%d", row), x.bold); err != nil {
		return row, err
	}
	row++
	top := row
	for j, l := range register.Levels() {
		c, _ := excelize.CoordinatesToCellName(j+2, top)
		if err := set(c, "Impact: "+l.String()); err != nil {
			return row, err
		}
	}
	for i := 4; i >= 0; i-- {
		row++
		if err := set(fmt.Sprintf("A%d", row), "Likelihood: "+register.Levels()[i].String()); err != nil {
			return row, err
		}
		for j := 0; j < 5; j++ {
			c, _ := excelize.CoordinatesToCellName(j+2, row)
			if err := set(c, heat[i][j]); err != nil {
				return row, err
			}
			formula := fmt.Sprintf(`COUNTIFS(%s,"=%s",%s,"=%s",%s)`, colRange("Likelihood", last), register.Levels()[i],
				colRange("Impact", last), register.Levels()[j], criteria)
			if err := f.SetCellFormula(s, c, formula); err != nil {
				return row, err
			}
			if err := f.SetCellStyle(s, c, c, x.levelStyle[r.Register.Rules.Matrix[i][j]]); err != nil {
				return row, err
			}
		}
	}
	return row, nil
}

func (x *xlsxWriter) register() error {
	var header []string
	var widths []float64
	for _, c := range registerColumns {
		header = append(header, c.Name)
		widths = append(widths, c.Width)
	}
	var rows [][]any
	for _, k := range x.r.Register.Risks {
		row := []any{k.ID, k.Asset.Label(), threatText(k), k.Vulnerability, strings.Join(controlsText(k), "\n"),
			levelOrDash(k.Likelihood.Level), k.Likelihood.Reason, levelOrDash(k.Impact.Level), k.Impact.Reason, levelOrDash(k.Level),
			strings.Join(citationLabels(k), "\n"), strings.Join(evidenceIDs(k), "\n"), k.Remediation, k.Owner, xlsxDate(k.Due),
			string(k.Status), k.StatusNote}
		for _, v := range overrideColumns(k) {
			if registerColumns[len(row)].Name == "Override date" {
				row = append(row, xlsxDate(v))
				continue
			}
			row = append(row, v)
		}
		rows = append(rows, append(row, score(k), rank(k.Level)))
	}
	if err := x.table(sheetRegister, header, widths, rows); err != nil {
		return err
	}
	n := max(len(rows)+1, 2)
	for _, col := range []string{regCol("Due"), regCol("Override date")} {
		if err := x.f.SetCellStyle(sheetRegister, col+"2", fmt.Sprintf("%s%d", col, n), x.date); err != nil {
			return err
		}
	}
	// Status: a drop-down of the statuses a user may set (telesra risks set takes the same words).
	dv := excelize.NewDataValidation(true)
	dv.Sqref = fmt.Sprintf("%s2:%s%d", regCol("Status"), regCol("Status"), n)
	var sts []string
	for _, s := range register.Statuses() {
		sts = append(sts, string(s))
	}
	if err := dv.SetDropList(append(sts, string(register.StatusFixedVerify))); err != nil {
		return err
	}
	dv.SetError(excelize.DataValidationErrorStyleStop, "Status", "Pick a status from the list.")
	if err := x.f.AddDataValidation(sheetRegister, dv); err != nil {
		return err
	}
	// Level columns coloured by their value, so a filtered or re-sorted sheet stays coloured.
	var cf []excelize.ConditionalFormatOptions
	for _, l := range register.Levels() {
		st := x.levelCondStyle[l]
		cf = append(cf, excelize.ConditionalFormatOptions{Type: "cell", Criteria: "==", Value: `"` + l.String() + `"`, Format: &st})
	}
	for _, col := range []string{regCol("Likelihood"), regCol("Impact"), regCol("Risk level"), regCol("Computed likelihood"), regCol("Computed impact"), regCol("Computed level")} {
		if err := x.f.SetConditionalFormat(sheetRegister, fmt.Sprintf("%s2:%s%d", col, col, n), cf); err != nil {
			return err
		}
	}
	return nil
}

func (x *xlsxWriter) findings() error {
	risks := map[string]string{}
	for _, k := range x.r.Register.Risks {
		for _, id := range k.Findings {
			risks[id] = k.ID
		}
	}
	var rows [][]any
	for _, g := range x.r.findingsByHost() {
		for _, fd := range g.Findings {
			rows = append(rows, []any{fd.ID, g.Host, fd.Target, fd.Check, fd.Severity.String(), string(fd.Confidence), fd.Title, fd.Detail,
				strings.Join(evidenceLines(fd.Evidence), "\n"), strings.Join(fd.HIPAA, "\n"), fd.Remediation, risks[fd.ID]})
		}
	}
	return x.table(sheetFindings, []string{"Finding ID", "Host", "Target", "Check", "Severity", "Confidence", "Title", "Detail", "Evidence", "HIPAA", "Remediation", "Risk"},
		[]float64{18, 18, 24, 26, 10, 11, 36, 50, 50, 20, 50, 12}, rows)
}

func (x *xlsxWriter) answers() error {
	var rows [][]any
	for _, sec := range x.r.Bank.SectionsFor(x.r.Answers.Profiles) {
		for _, q := range sec.Questions {
			vis := x.r.Bank.Visibility(q, x.r.Answers)
			if vis != questionnaire.Asked {
				continue
			}
			a := x.r.Answers.Get(q.ID)
			m, _ := markOf(x.r.Register, q.ID)
			rows = append(rows, []any{sec.Title, q.ID, q.Text, a.Status.Short(), a.Notes, strings.Join(a.Evidence, "\n"), strings.Join(q.CitationIDs(), "\n"), m.State})
		}
	}
	return x.table(sheetAnswers, []string{"Section", "Question ID", "Question", "Answer", "Notes", "Evidence", "HIPAA", "Scan"},
		[]float64{26, 24, 60, 16, 40, 30, 20, 16}, rows)
}

// marks is the Answers vs scan sheet: every answer the scan contradicts or verifies, with the
// rules, the findings or passing checks, and the assets it rests on.
func (x *xlsxWriter) marks() error {
	var rows [][]any
	for _, m := range answerMarks(x.r.Register) {
		text := ""
		if q, ok := x.r.Bank.Question(m.Question); ok {
			text = q.Text
		}
		rows = append(rows, []any{m.Question, text, m.Answer, m.State, strings.Join(m.Rules, "\n"), m.Why(),
			strings.Join(m.Evidence, "\n"), strings.Join(m.Assets, "\n")})
	}
	return x.table(sheetMarks, []string{"Question ID", "Question", "Answer", "Scan", "Rules", "Why", "Findings or checks", "Assets"},
		[]float64{22, 50, 14, 16, 28, 50, 34, 36}, rows)
}

func (x *xlsxWriter) plan() error {
	var rows [][]any
	for _, k := range x.r.planOrder() {
		rows = append(rows, []any{xlsxDate(k.Due), k.ID, levelOrDash(k.Level), k.Asset.Label(), k.Title, k.Remediation, k.Owner, statusText(k), k.StatusNote})
	}
	if err := x.table(sheetPlan, []string{"Due", "Risk", "Level", "Asset", "Risk title", "Remediation", "Owner", "Status", "Note"},
		[]float64{12, 12, 12, 28, 36, 60, 18, 18, 30}, rows); err != nil {
		return err
	}
	return x.f.SetCellStyle(sheetPlan, "A2", fmt.Sprintf("A%d", max(len(rows)+1, 2)), x.date)
}

// share is a percentage (0-100) the Summary writes as a number with a percent format.
type share float64

// score is likelihood times impact (1-25), a number to sort and filter by; empty when the
// risk is not scored.
func score(k *register.Risk) any {
	if k.Likelihood.Level <= 0 || k.Impact.Level <= 0 {
		return nil
	}
	return int(k.Likelihood.Level) * int(k.Impact.Level)
}

func paren(s string) string {
	if s == "" {
		return ""
	}
	return "(" + s + ")"
}

func draftOrFinal(c Completion) string {
	if c.Draft {
		return c.Label()
	}
	return "Final"
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
