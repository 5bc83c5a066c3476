package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/telesra/telesra/questionnaire/level"
	"github.com/telesra/telesra/report/register"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gobolditalic"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/telesra/telesra/questionnaire"
)

// Page geometry (mm, US Letter) and the house colours.
const (
	pdfMargin     = 18.0
	pdfWideMargin = 10.0 // landscape pages hold the register's eleven columns
	pdfBottom     = 16.0
	pdfLine       = 4.6 // body line height at 10 pt
)

type rgb struct{ r, g, b int }

var (
	navy      = rgb{0x1f, 0x3a, 0x5f}
	ink       = rgb{0x22, 0x22, 0x22}
	grey      = rgb{0x6b, 0x6b, 0x6b}
	rule      = rgb{0xc8, 0xcd, 0xd3}
	paleNavy  = rgb{0xe8, 0xee, 0xf5}
	paleRow   = rgb{0xf6, 0xf7, 0xf9}
	draftRed  = rgb{0xb7, 0x1c, 0x1c}
	barTrack  = rgb{0xe4, 0xe7, 0xeb}
	barGood   = rgb{0x2e, 0x7d, 0x32}
	barMiddle = rgb{0xf9, 0xa8, 0x25}
	barBad    = rgb{0xc6, 0x28, 0x28}
)

func hexRGB(s string) rgb {
	v, _ := strconv.ParseUint(s, 16, 32)
	return rgb{int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff)}
}

// plainLevel says what a level of risk means to a practice, for the executive summary.
var plainLevel = map[register.Level]string{
	level.VeryHigh: "serious harm to patients' information is likely and could happen at any time; act now",
	level.High:     "serious harm to patients' information is likely; fix these within weeks, not months",
	level.Moderate: "harm is possible; plan the fixes for the coming months",
	level.Low:      "exposure is limited; deal with it in routine maintenance",
	level.VeryLow:  "exposure is negligible",
}

type tocEntry struct {
	title string
	page  int
	link  int
}

type pdfWriter struct {
	f          *fpdf.Fpdf
	r          *Report
	toc        []tocEntry
	landscape  bool
	tableHead  func()
	findingRef map[string]string // finding ID -> risk ID
}

// WritePDF renders the report a consultant signs: cover, contents, executive summary, heat map,
// compliance by safeguard, top risks, the full register, technical findings by host,
// questionnaire results, the remediation plan, methodology and the answers, with page numbers
// and bookmarks. The text is set in the Go fonts (embedded, UTF-8), so it renders the same
// everywhere.
func WritePDF(w io.Writer, r *Report) error {
	f := fpdf.New("P", "mm", "Letter", "")
	p := &pdfWriter{f: f, r: r, findingRef: map[string]string{}}
	for _, k := range r.Register.Risks {
		for _, id := range k.Findings {
			p.findingRef[id] = k.ID
		}
	}
	f.AddUTF8FontFromBytes("go", "", goregular.TTF)
	f.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	f.AddUTF8FontFromBytes("go", "I", goitalic.TTF)
	f.AddUTF8FontFromBytes("go", "BI", gobolditalic.TTF)
	f.AddUTF8FontFromBytes("gomono", "", gomono.TTF)
	f.SetTitle(r.Title+": "+r.Organisation.Name, true)
	f.SetAuthor(r.Assessor.Name, true)
	f.SetSubject("HIPAA Security Rule risk analysis (45 CFR 164.308(a)(1)(ii)(A))", true)
	f.SetCreator("telesra", true)
	f.SetProducer("telesra", true)
	f.SetCreationDate(r.Generated)
	f.SetModificationDate(r.Generated)
	f.SetCatalogSort(true)
	f.SetCompression(true)
	f.AliasNbPages("{nb}")
	f.SetMargins(pdfMargin, 22, pdfMargin)
	f.SetAutoPageBreak(true, pdfBottom+4)
	f.SetCellMargin(0)
	f.SetHeaderFunc(p.header)
	f.SetFooterFunc(p.footer)

	p.cover()
	f.AddPage() // contents, filled in at the end when every page number is known
	f.Bookmark("Contents", 0, 0)
	contentsPage := f.PageNo()

	p.summary()
	p.heatMap()
	p.compliance()
	p.topRisks()
	p.registerTable()
	p.findingsSection()
	p.questionnaireSection()
	p.planSection()
	p.methodology()
	p.appendixAnswers()

	last := f.PageNo()
	f.SetPage(contentsPage)
	p.contents()
	f.SetPage(last)
	if err := f.Error(); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	return f.Output(w)
}

func (p *pdfWriter) colour(c rgb) { p.f.SetTextColor(c.r, c.g, c.b) }
func (p *pdfWriter) fill(c rgb)   { p.f.SetFillColor(c.r, c.g, c.b) }
func (p *pdfWriter) draw(c rgb)   { p.f.SetDrawColor(c.r, c.g, c.b) }
func (p *pdfWriter) font(style string, size float64) {
	p.f.SetFont("go", style, size)
}
func (p *pdfWriter) mono(size float64) { p.f.SetFont("gomono", "", size) }

// width is the width between the margins of the current page.
func (p *pdfWriter) width() float64 {
	w, _ := p.f.GetPageSize()
	l, _, r, _ := p.f.GetMargins()
	return w - l - r
}

func (p *pdfWriter) header() {
	if p.f.PageNo() == 1 {
		return
	}
	f := p.f
	w, h := f.GetPageSize()
	l, _, r, _ := f.GetMargins()
	if p.r.Completion.Draft {
		// A light watermark: unmistakable, yet the page stays readable.
		f.SetAlpha(0.07, "Normal")
		p.font("B", 110)
		p.colour(draftRed)
		f.TransformBegin()
		f.TransformRotate(35, w/2, h/2)
		tw := f.GetStringWidth("DRAFT")
		f.Text(w/2-tw/2, h/2+15, "DRAFT")
		f.TransformEnd()
		f.SetAlpha(1, "Normal")
	}
	p.font("", 7.5)
	p.colour(grey)
	f.SetXY(l, 9)
	f.CellFormat(w-l-r, 4, p.r.Organisation.Name+" · "+p.r.Title, "", 0, "L", false, 0, "")
	f.SetXY(l, 9)
	if p.r.Completion.Draft {
		p.colour(draftRed)
		p.font("B", 7.5)
		f.CellFormat(w-l-r, 4, p.r.Completion.Label(), "", 0, "C", false, 0, "")
	}
	f.SetXY(l, 9)
	p.font("B", 7.5)
	p.colour(navy)
	f.CellFormat(w-l-r, 4, "CONFIDENTIAL", "", 0, "R", false, 0, "")
	p.draw(rule)
	f.SetLineWidth(0.2)
	f.Line(l, 14, w-r, 14)
	f.SetXY(l, 20)
	p.colour(ink)
	if p.tableHead != nil {
		p.tableHead()
	}
}

func (p *pdfWriter) footer() {
	if p.f.PageNo() == 1 {
		return
	}
	f := p.f
	w, h := f.GetPageSize()
	l, _, r, _ := f.GetMargins()
	p.draw(rule)
	f.SetLineWidth(0.2)
	f.Line(l, h-12, w-r, h-12)
	p.font("", 7.5)
	p.colour(grey)
	f.SetXY(l, h-11)
	f.CellFormat(w-l-r, 4, fmt.Sprintf("Generated %s by telesra %s", p.r.Generated.UTC().Format("2006-01-02"), p.toolVersion()), "", 0, "L", false, 0, "")
	f.SetXY(l, h-11)
	f.CellFormat(w-l-r, 4, fmt.Sprintf("Page %d of {nb}", f.PageNo()), "", 0, "R", false, 0, "")
}

func (p *pdfWriter) toolVersion() string {
	for _, t := range p.r.Tools {
		if t.Name == "telesra" {
			return t.Version
		}
	}
	return ""
}

// newPage starts a page in the orientation of the section being written.
func (p *pdfWriter) newPage(landscape bool) {
	p.landscape = landscape
	if landscape {
		p.f.SetMargins(pdfWideMargin, 20, pdfWideMargin)
		p.f.AddPageFormat("L", p.f.GetPageSizeStr("Letter"))
	} else {
		p.f.SetMargins(pdfMargin, 20, pdfMargin)
		p.f.AddPageFormat("P", p.f.GetPageSizeStr("Letter"))
	}
}

// section starts a numbered top-level section on a new page, with a bookmark and a contents
// entry.
func (p *pdfWriter) section(title string, landscape bool) {
	p.tableHead = nil
	p.newPage(landscape)
	link := p.f.AddLink()
	p.f.SetLink(link, -1, -1)
	p.toc = append(p.toc, tocEntry{title: title, page: p.f.PageNo(), link: link})
	p.f.Bookmark(title, 0, -1)
	p.font("B", 17)
	p.colour(navy)
	p.f.MultiCell(p.width(), 8, title, "", "L", false)
	p.draw(navy)
	p.f.SetLineWidth(0.6)
	y := p.f.GetY() + 1
	l, _, _, _ := p.f.GetMargins()
	p.f.Line(l, y, l+30, y)
	p.f.SetY(y + 5)
	p.colour(ink)
}

// sub is a second-level heading with a bookmark; it moves to a new page rather than strand
// itself at the bottom of one.
func (p *pdfWriter) sub(title string, bookmark bool) {
	p.need(20)
	p.f.Ln(2)
	if bookmark {
		p.f.Bookmark(title, 1, -1)
	}
	p.font("B", 12)
	p.colour(navy)
	p.f.MultiCell(p.width(), 6, title, "", "L", false)
	p.f.Ln(1)
	p.colour(ink)
}

// need starts a new page when less than h mm are left on this one.
func (p *pdfWriter) need(h float64) {
	_, ph := p.f.GetPageSize()
	if p.f.GetY()+h > ph-pdfBottom-4 {
		p.newPage(p.landscape)
	}
}

func (p *pdfWriter) para(text string) {
	p.font("", 10)
	p.colour(ink)
	p.f.MultiCell(p.width(), pdfLine, cleanText(text), "", "L", false)
	p.f.Ln(2)
}

func (p *pdfWriter) bullet(text string) {
	p.font("", 10)
	l, _, _, _ := p.f.GetMargins()
	p.f.SetX(l + 2)
	p.f.CellFormat(4, pdfLine, "•", "", 0, "L", false, 0, "")
	p.f.MultiCell(p.width()-6, pdfLine, cleanText(text), "", "L", false)
	p.f.Ln(0.8)
}

// labelled prints "Label: value" with the label in bold.
func (p *pdfWriter) labelled(label, value string, size float64) {
	if strings.TrimSpace(value) == "" {
		return
	}
	p.font("B", size)
	lw := p.f.GetStringWidth(label+" ") + 0.5
	l, _, _, _ := p.f.GetMargins()
	x := p.f.GetX()
	if x < l {
		x = l
	}
	p.f.SetX(x)
	p.f.CellFormat(lw, size*0.46, label+" ", "", 0, "L", false, 0, "")
	p.font("", size)
	p.f.MultiCell(p.width()-(x-l)-lw, size*0.46, cleanText(value), "", "L", false)
}

// badge draws a level as a coloured label at the current position and moves right.
func (p *pdfWriter) badge(l register.Level, w, h float64) {
	c, ok := levelColours[l]
	text := levelOrDash(l)
	if !ok {
		c = [2]string{"E0E0E0", "333333"}
	}
	p.fill(hexRGB(c[0]))
	p.colour(hexRGB(c[1]))
	p.font("B", 7.5)
	p.f.CellFormat(w, h, text, "", 0, "C", true, 0, "")
	p.colour(ink)
}

func (p *pdfWriter) cover() {
	f, r := p.f, p.r
	f.AddPage()
	f.Bookmark("Cover", 0, 0)
	w, h := f.GetPageSize()
	p.fill(navy)
	f.Rect(0, 0, w, 70, "F")
	p.colour(rgb{255, 255, 255})
	p.font("B", 9)
	f.SetXY(pdfMargin, 16)
	f.CellFormat(0, 5, "CONFIDENTIAL", "", 1, "L", false, 0, "")
	p.font("B", 26)
	f.SetXY(pdfMargin, 30)
	f.MultiCell(w-2*pdfMargin, 11, r.Title, "", "L", false)
	p.font("", 13)
	f.SetX(pdfMargin)
	f.MultiCell(w-2*pdfMargin, 6, "HIPAA Security Rule risk analysis, 45 CFR 164.308(a)(1)(ii)(A)", "", "L", false)

	f.SetXY(pdfMargin, 86)
	p.colour(grey)
	p.font("", 10)
	f.CellFormat(0, 5, "Prepared for", "", 1, "L", false, 0, "")
	p.colour(ink)
	p.font("B", 20)
	f.MultiCell(w-2*pdfMargin, 9, cleanText(r.Organisation.Name), "", "L", false)
	if r.Address != "" {
		p.font("", 10)
		f.MultiCell(w-2*pdfMargin, 5, cleanText(r.Address), "", "L", false)
	}
	f.Ln(8)
	rows := [][2]string{
		{"Assessor", strings.TrimSpace(r.Assessor.Name + " " + paren(r.Assessor.Organisation))},
		{"Assessment date", r.AssessmentDate},
		{"Report date", r.Generated.UTC().Format("2006-01-02")},
		{"Scope", scopeLine(r)},
		{"Report status", draftOrFinal(r.Completion)},
	}
	for _, kv := range rows {
		p.font("", 10)
		p.colour(grey)
		f.SetX(pdfMargin)
		f.CellFormat(38, 6, kv[0], "", 0, "L", false, 0, "")
		p.colour(ink)
		p.font("B", 10)
		if kv[0] == "Report status" && r.Completion.Draft {
			p.colour(draftRed)
		}
		f.MultiCell(w-2*pdfMargin-38, 6, cleanText(kv[1]), "", "L", false)
		p.colour(ink)
	}
	if r.Completion.Draft {
		f.Ln(4)
		p.font("", 9)
		p.colour(draftRed)
		f.SetX(pdfMargin)
		f.MultiCell(w-2*pdfMargin, 4.5, "This is a draft: "+strings.Join(r.Completion.Reasons, "; ")+".", "", "L", false)
		p.colour(ink)
	}
	// The confidentiality notice, boxed at the foot of the cover.
	y := h - 62
	p.draw(navy)
	f.SetLineWidth(0.4)
	f.Rect(pdfMargin, y, w-2*pdfMargin, 34, "D")
	f.SetXY(pdfMargin+5, y+4)
	p.font("B", 10)
	p.colour(navy)
	f.CellFormat(0, 5, "CONFIDENTIAL", "", 1, "L", false, 0, "")
	f.SetX(pdfMargin + 5)
	p.font("", 8.5)
	p.colour(ink)
	f.MultiCell(w-2*pdfMargin-10, 4.2, "This report describes security weaknesses of "+cleanText(r.Organisation.Name)+
		" and how they could be exploited. Share it only with the people responsible for fixing them and with "+
		"auditors entitled to see it. Keep it with the practice's HIPAA documentation for six years "+
		"(45 CFR 164.316(b)(2)(i)).", "", "L", false)
}

func scopeLine(r *Report) string {
	s := fmt.Sprintf("%d scan target(s)", len(r.Scope.Targets))
	if len(r.Scope.Exclusions) > 0 {
		s += fmt.Sprintf(", %d exclusion(s)", len(r.Scope.Exclusions))
	}
	s += fmt.Sprintf("; questionnaire of %d questions", r.Completion.Asked)
	if r.Scope.Description != "" {
		s = r.Scope.Description + " (" + s + ")"
	}
	return s
}

// contents draws the table of contents on the page reserved for it.
func (p *pdfWriter) contents() {
	f := p.f
	p.landscape = false
	f.SetMargins(pdfMargin, 20, pdfMargin)
	f.SetXY(pdfMargin, 22)
	p.font("B", 17)
	p.colour(navy)
	f.CellFormat(0, 8, "Contents", "", 1, "L", false, 0, "")
	f.Ln(4)
	w := p.width()
	for _, e := range p.toc {
		y := f.GetY()
		p.font("", 11)
		p.colour(ink)
		title := e.title
		num := strconv.Itoa(e.page)
		tw := f.GetStringWidth(title)
		nw := f.GetStringWidth(num)
		f.SetX(pdfMargin)
		f.CellFormat(tw, 7, title, "", 0, "L", false, e.link, "")
		// Dot leaders between the title and its page number.
		p.colour(grey)
		dots := ""
		dw := f.GetStringWidth(" .")
		if n := int((w - tw - nw - 3) / dw); n > 0 {
			dots = strings.Repeat(" .", n)
		}
		f.CellFormat(w-tw-nw-1.5, 7, dots, "", 0, "R", false, e.link, "")
		f.SetX(f.GetX() + 1.5)
		p.colour(ink)
		f.CellFormat(nw, 7, num, "", 1, "R", false, e.link, "")
		f.Link(pdfMargin, y, w, 7, e.link)
	}
}

func (p *pdfWriter) summary() {
	r, reg := p.r, p.r.Register
	p.section("1. Executive summary", false)
	if r.Completion.Draft {
		p.notice("Draft, "+percent(r.Completion.Percent)+" complete", strings.Join(r.Completion.Reasons, "; ")+
			". The findings below are real, but the picture is not yet complete.")
	}
	counts := reg.Counts()
	open := 0
	for _, n := range counts {
		open += n
	}
	overall := reg.Overall()
	endpoints := 0
	if r.Scan != nil {
		endpoints = len(r.Scan.Endpoints)
	}
	p.para(fmt.Sprintf("This report is the HIPAA Security Rule risk analysis of %s, prepared by %s. It combines an automated, "+
		"authorised scan of %d network service(s) with a questionnaire on the practice's safeguards (%d of %d questions answered), "+
		"and rates every risk with the method of NIST SP 800-30 Rev. 1: how likely a threat is to exploit a weakness, how much harm "+
		"that would do to patients' information, and the resulting level of risk.",
		r.Organisation.Name, nonEmpty(r.Assessor.Name, "the assessor"), endpoints, r.Completion.Answers, r.Completion.Asked))

	// The overall level, large, with what it means.
	p.need(30)
	y := p.f.GetY() + 2
	l, _, _, _ := p.f.GetMargins()
	p.f.SetXY(l, y)
	p.font("", 10)
	p.colour(grey)
	p.f.CellFormat(40, 5, "Overall risk", "", 2, "L", false, 0, "")
	p.f.SetX(l)
	if overall > 0 {
		p.badgeLarge(overall, 40, 13)
	} else {
		p.font("B", 14)
		p.colour(ink)
		p.f.CellFormat(40, 13, "None open", "", 0, "L", false, 0, "")
	}
	p.f.SetXY(l+46, y+5)
	p.font("", 10)
	p.colour(ink)
	msg := "No open risk remains: every risk found is verified or formally accepted."
	if overall > 0 {
		msg = fmt.Sprintf("The overall level is the highest level among the %d open risks. At this level, %s.", open, plainLevel[overall])
	}
	p.f.MultiCell(p.width()-46, pdfLine, msg, "", "L", false)
	p.f.SetY(max(p.f.GetY(), y+20) + 3)

	// Counts by level.
	p.f.SetX(l)
	cw := p.width() / 5
	for i := 4; i >= 0; i-- {
		lv := register.Levels()[i]
		p.badge(lv, cw-2, 6)
		p.f.SetX(p.f.GetX() + 2)
	}
	p.f.Ln(6)
	p.f.SetX(l)
	p.font("B", 16)
	for i := 4; i >= 0; i-- {
		p.f.CellFormat(cw-2, 9, strconv.Itoa(counts[register.Levels()[i]]), "", 0, "C", false, 0, "")
		p.f.SetX(p.f.GetX() + 2)
	}
	p.f.Ln(12)

	p.sub("What needs attention first", false)
	top := p.openRisks(5)
	if len(top) == 0 {
		p.para("Nothing: no open risk remains.")
	}
	for _, k := range top {
		p.bullet(fmt.Sprintf("%s (%s): %s %s. %s", k.Level, k.ID, k.Title, where(k.Asset), firstSentence(k.Remediation)))
	}
	p.sub("Safeguards in place", false)
	sc := r.Scores
	if sc.Overall.Applicable() > 0 && sc.Overall.Questions > 0 && sc.Overall.Answered > 0 {
		weakest, weakestPct := "", 101.0
		for _, g := range sc.Safeguards {
			if g.Applicable() > 0 && g.Compliance() < weakestPct {
				weakest, weakestPct = g.Safeguard, g.Compliance()
			}
		}
		p.para(fmt.Sprintf("From the questionnaire, %s of the HIPAA Security Rule citations that apply to the practice are met "+
			"(a partly met citation counts half). The weakest area is the %s safeguards, at %s. Section 3 shows each area.",
			percent(sc.Overall.Compliance()), weakest, percent(weakestPct)))
	} else {
		p.para("The questionnaire has not been answered yet, so this report cannot say which safeguards are in place.")
	}
	p.sub("Next steps", false)
	p.bullet("Give every High and Very High risk an owner and a due date (telesra risks set ID --owner ... --due ...), and start with them.")
	p.bullet("Fix, then re-run the scan and update the answers: risks that are no longer detected show as \"fixed, verify\" until someone verifies them.")
	p.bullet("Accept a risk only in writing, with an approver, a reason and an expiry date; review the analysis at least once a year and after any major change.")
}

func (p *pdfWriter) badgeLarge(l register.Level, w, h float64) {
	c := levelColours[l]
	p.fill(hexRGB(c[0]))
	p.colour(hexRGB(c[1]))
	p.font("B", 14)
	p.f.CellFormat(w, h, l.String(), "", 0, "C", true, 0, "")
	p.colour(ink)
}

// notice is a boxed warning (the draft notice).
func (p *pdfWriter) notice(title, text string) {
	f := p.f
	l, _, _, _ := f.GetMargins()
	p.font("", 9)
	lines := f.SplitText(cleanText(text), p.width()-8)
	h := 9 + float64(len(lines))*4.2
	p.need(h + 2)
	y := f.GetY()
	p.fill(rgb{0xfd, 0xec, 0xea})
	p.draw(draftRed)
	f.SetLineWidth(0.3)
	f.Rect(l, y, p.width(), h, "DF")
	f.SetXY(l+4, y+2.5)
	p.font("B", 10)
	p.colour(draftRed)
	f.CellFormat(0, 4.5, title, "", 2, "L", false, 0, "")
	p.font("", 9)
	p.colour(ink)
	for _, line := range lines {
		f.SetX(l + 4)
		f.CellFormat(0, 4.2, line, "", 2, "L", false, 0, "")
	}
	f.SetY(y + h + 4)
}

// openRisks returns up to n open risks, highest first (the register's order).
func (p *pdfWriter) openRisks(n int) []*register.Risk {
	var out []*register.Risk
	for _, k := range p.r.Register.Risks {
		if k.Open() {
			out = append(out, k)
			if len(out) == n {
				break
			}
		}
	}
	return out
}

func (p *pdfWriter) heatMap() {
	p.section("2. Risk heat map", false)
	p.para("Each open risk sits in the cell of its likelihood (down) and impact (across). The colour of a cell is the level of " +
		"risk NIST SP 800-30 Rev. 1 (Table I-2) gives that combination; the number is how many open risks fall there.")
	f := p.f
	heat := p.r.Register.Heat()
	l, _, _, _ := f.GetMargins()
	cell, label := 24.0, 30.0
	x0 := l + label + 8 + (p.width()-label-8-5*cell)/2
	y0 := f.GetY() + 6
	for i := 4; i >= 0; i-- {
		row := 4 - i
		y := y0 + float64(row)*cell
		p.font("", 9)
		p.colour(ink)
		f.SetXY(x0-label-2, y)
		f.CellFormat(label, cell, register.Levels()[i].String(), "", 0, "R", false, 0, "")
		for j := 0; j < 5; j++ {
			lv := p.r.Register.Rules.Matrix[i][j]
			c := levelColours[lv]
			p.fill(hexRGB(c[0]))
			p.draw(rgb{255, 255, 255})
			f.SetLineWidth(0.8)
			x := x0 + float64(j)*cell
			f.Rect(x, y, cell, cell, "DF")
			p.colour(hexRGB(c[1]))
			n := heat[i][j]
			if n > 0 {
				p.font("B", 18)
				f.SetXY(x, y+4)
				f.CellFormat(cell, 10, strconv.Itoa(n), "", 0, "C", false, 0, "")
			}
			p.font("", 6.5)
			f.SetXY(x, y+cell-7)
			f.CellFormat(cell, 5, lv.String(), "", 0, "C", false, 0, "")
		}
	}
	p.colour(ink)
	p.font("", 9)
	yb := y0 + 5*cell + 1
	for j := 0; j < 5; j++ {
		f.SetXY(x0+float64(j)*cell, yb)
		f.CellFormat(cell, 5, register.Levels()[j].String(), "", 0, "C", false, 0, "")
	}
	p.font("B", 10)
	f.SetXY(x0, yb+6)
	f.CellFormat(5*cell, 5, "Impact →", "", 0, "C", false, 0, "")
	// The vertical axis title, rotated about its centre (Text takes absolute coordinates).
	cx, cy := x0-label-8, y0+2.5*cell
	f.TransformBegin()
	f.TransformRotate(90, cx, cy)
	f.Text(cx-f.GetStringWidth("Likelihood →")/2, cy+1.5, "Likelihood →")
	f.TransformEnd()
	f.SetXY(l, yb+16)
	total := 0
	for i := range heat {
		for j := range heat[i] {
			total += heat[i][j]
		}
	}
	p.para(fmt.Sprintf("%d open risk(s) are plotted. Verified and accepted risks are left out; they are listed in the register (section 5).", total))
}

func (p *pdfWriter) compliance() {
	p.section("3. Compliance by safeguard", false)
	sc := p.r.Scores
	p.para("How much of each group of HIPAA Security Rule safeguards is in place, from the questionnaire. A citation counts fully " +
		"when every question behind it is answered \"implemented\", half when partly met; unanswered and \"don't know\" count as not met. " +
		"Citations that do not apply are left out.")
	f := p.f
	l, _, _, _ := f.GetMargins()
	labelW, barW := 46.0, p.width()-46-42
	f.Ln(3)
	for _, g := range sc.Safeguards {
		y := f.GetY()
		p.font("", 10)
		p.colour(ink)
		f.SetXY(l, y)
		f.CellFormat(labelW, 8, capitalise(g.Safeguard), "", 0, "L", false, 0, "")
		p.fill(barTrack)
		f.Rect(l+labelW, y+1.5, barW, 5, "F")
		txt := "not applicable"
		if g.Applicable() > 0 {
			pct := g.Compliance()
			c := barBad
			switch {
			case pct >= 80:
				c = barGood
			case pct >= 50:
				c = barMiddle
			}
			p.fill(c)
			if pct > 0 {
				f.Rect(l+labelW, y+1.5, barW*pct/100, 5, "F")
			}
			txt = fmt.Sprintf("%s  (%d of %d met)", percent(pct), g.Implemented, g.Applicable())
		}
		p.font("", 9)
		f.SetXY(l+labelW+barW+3, y)
		f.CellFormat(40, 8, txt, "", 0, "L", false, 0, "")
		f.SetY(y + 10)
	}
	f.Ln(3)
	p.para(fmt.Sprintf("Overall: %s of %d applicable citations met; %d implemented, %d partly, %d not implemented, %d unknown or unanswered.",
		percent(sc.Overall.Compliance()), sc.Overall.Applicable(), sc.Overall.Implemented, sc.Overall.Partial, sc.Overall.Gap, sc.Overall.Unknown))
	if sc.Readiness != nil {
		p.para(fmt.Sprintf("Readiness for the proposed Security Rule (HHS NPRM, 90 FR 898, not final): %d of %d readiness questions implemented. "+
			"These are scored apart and do not count against the rule in force.", sc.Readiness.Implemented, sc.Readiness.Applicable()))
	}
}

func (p *pdfWriter) topRisks() {
	p.section("4. Top risks", false)
	top := p.openRisks(10)
	if len(top) == 0 {
		p.para("No open risk.")
		return
	}
	p.para(fmt.Sprintf("The %d highest open risks, with why they are rated as they are and what to do. Every risk is in the full register (section 5).", len(top)))
	f := p.f
	for _, k := range top {
		p.need(p.topRiskHeight(k) + 4)
		l, _, _, _ := f.GetMargins()
		y := f.GetY()
		p.draw(rule)
		f.SetLineWidth(0.2)
		f.Line(l, y, l+p.width(), y)
		f.SetXY(l, y+2)
		p.badge(k.Level, 22, 5.5)
		f.SetX(f.GetX() + 3)
		p.font("B", 10.5)
		p.f.MultiCell(p.width()-25, 5.5, cleanText(k.Title)+"  ", "", "L", false)
		p.font("", 8.5)
		p.colour(grey)
		f.SetX(l + 25)
		f.MultiCell(p.width()-25, 4.2, k.ID+" · "+cleanText(k.Asset.Label()), "", "L", false)
		p.colour(ink)
		f.Ln(1)
		for _, kv := range topRiskKV(k) {
			p.kvBlock(kv[0], kv[1])
		}
		f.Ln(2)
	}
}

// topRiskKV is what a top-risk block lists, in order.
func topRiskKV(k *register.Risk) [][2]string {
	return [][2]string{{"Threat", threatText(k)}, {"Vulnerability", k.Vulnerability}, {"Likelihood", k.Likelihood.Reason},
		{"Impact", k.Impact.Reason}, {"Existing controls", strings.Join(controlsText(k), "; ")},
		{"HIPAA", strings.Join(citationLabels(k), ", ")}, {"Remediation", k.Remediation}}
}

// topRiskHeight measures a top-risk block so that it is never split across pages.
func (p *pdfWriter) topRiskHeight(k *register.Risk) float64 {
	p.font("B", 10.5)
	h := 2 + 5.5*float64(len(p.f.SplitText(cleanText(k.Title)+"  ", p.width()-25)))
	p.font("", 8.5)
	h += 4.2*float64(len(p.f.SplitText(k.ID+" · "+cleanText(k.Asset.Label()), p.width()-25))) + 1
	for _, kv := range topRiskKV(k) {
		if strings.TrimSpace(kv[1]) != "" {
			h += 4.2*float64(len(p.f.SplitText(cleanText(kv[1]), p.width()-53))) + 0.5
		}
	}
	return h + 2
}

// kvBlock prints a label in a left column and its text wrapped beside it.
func (p *pdfWriter) kvBlock(label, text string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	f := p.f
	l, _, _, _ := f.GetMargins()
	p.font("B", 8.5)
	p.colour(grey)
	f.SetX(l + 25)
	y := f.GetY()
	f.CellFormat(28, 4.2, label, "", 0, "L", false, 0, "")
	p.font("", 8.5)
	p.colour(ink)
	f.SetXY(l+53, y)
	f.MultiCell(p.width()-53, 4.2, cleanText(text), "", "L", false)
	f.Ln(0.5)
}

// column is one column of a PDF table.
type column struct {
	title string
	w     float64 // share of the width, normalised
	mono  bool
	// level colours the cell by the row's level (the register's level columns).
	level func(row int) register.Level
}

// table draws rows under a header that repeats on every page; a row never splits across pages,
// and a row too tall for any page has its cells cut with a note, so the layout always holds.
func (p *pdfWriter) table(cols []column, rows [][]string, size float64) {
	f := p.f
	total := 0.0
	for _, c := range cols {
		total += c.w
	}
	width := p.width()
	ws := make([]float64, len(cols))
	for i, c := range cols {
		ws[i] = width * c.w / total
	}
	lineH := size * 0.42
	pad := 1.2
	drawHead := func() {
		l, _, _, _ := f.GetMargins()
		p.font("B", size)
		p.fill(navy)
		p.colour(rgb{255, 255, 255})
		heads := make([][]string, len(cols))
		n := 1
		for i, c := range cols {
			heads[i] = f.SplitText(c.title, ws[i]-2*pad)
			n = max(n, len(heads[i]))
		}
		h := float64(n)*lineH + 2*pad
		y := f.GetY()
		x := l
		for i := range cols {
			f.Rect(x, y, ws[i], h, "F")
			for j, line := range heads[i] {
				f.SetXY(x+pad, y+pad+float64(j)*lineH)
				f.CellFormat(ws[i]-2*pad, lineH, line, "", 0, "L", false, 0, "")
			}
			x += ws[i]
		}
		f.SetXY(l, y+h)
		p.colour(ink)
	}
	p.tableHead = drawHead
	drawHead()
	_, ph := f.GetPageSize()
	_, top, _, _ := f.GetMargins()
	maxRow := ph - pdfBottom - 4 - top - 12 // what a page holds under the header
	for ri, row := range rows {
		cells := make([][]string, len(cols))
		n := 1
		for i, c := range cols {
			if c.mono {
				p.mono(size - 0.5)
			} else {
				p.font("", size)
			}
			cells[i] = f.SplitText(cleanText(row[i]), ws[i]-2*pad)
			n = max(n, len(cells[i]))
		}
		if limit := int((maxRow - 2*pad) / lineH); n > limit {
			for i := range cells {
				if len(cells[i]) > limit {
					cells[i] = append(cells[i][:limit-1], "[cut: see the JSON or XLSX register]")
				}
			}
			n = limit
		}
		h := float64(n)*lineH + 2*pad
		if f.GetY()+h > ph-pdfBottom-4 {
			p.newPage(p.landscape) // the header function redraws the table header
		}
		l, _, _, _ := f.GetMargins()
		y := f.GetY()
		x := l
		if ri%2 == 1 {
			p.fill(paleRow)
			f.Rect(l, y, width, h, "F")
		}
		for i, c := range cols {
			if c.level != nil {
				lv := c.level(ri)
				if col, ok := levelColours[lv]; ok {
					p.fill(hexRGB(col[0]))
					f.Rect(x+0.4, y+0.4, ws[i]-0.8, h-0.8, "F")
					p.colour(hexRGB(col[1]))
				}
			}
			if c.mono {
				p.mono(size - 0.5)
			} else if c.level != nil {
				p.font("B", size-0.5)
			} else {
				p.font("", size)
			}
			for j, line := range cells[i] {
				f.SetXY(x+pad, y+pad+float64(j)*lineH)
				f.CellFormat(ws[i]-2*pad, lineH, line, "", 0, "L", false, 0, "")
			}
			p.colour(ink)
			x += ws[i]
		}
		p.draw(rule)
		f.SetLineWidth(0.15)
		f.Line(l, y+h, l+width, y+h)
		f.SetXY(l, y+h)
	}
	p.tableHead = nil
	f.Ln(3)
}

func (p *pdfWriter) registerTable() {
	p.section("5. Risk register", true)
	reg := p.r.Register
	p.font("", 8.5)
	p.f.MultiCell(p.width(), 4, fmt.Sprintf("Every risk of the assessment (%d), highest level first. Likelihood and impact follow NIST SP 800-30 Rev. 1 "+
		"and name the scoring rules that set them (section 9); the level of risk is Table I-2 of the same publication. Evidence lists "+
		"the scan findings (section 6) and questionnaire answers (appendix A) behind each risk. (R) Required, (A) Addressable, (S) Standard.",
		len(reg.Risks)), "", "L", false)
	p.f.Ln(2)
	rows := make([][]string, len(reg.Risks))
	for i, k := range reg.Risks {
		threat := "Threat (" + k.ThreatSource + "): " + k.ThreatEvent + "\nVulnerability: " + k.Vulnerability
		if !k.Detected {
			threat = k.Title + "\n(no longer detected)"
		}
		owner := strings.TrimSpace(nonEmpty(k.Owner, "no owner") + "\nDue " + nonEmpty(k.Due, "not set") + "\n" + statusText(k))
		if k.StatusNote != "" {
			owner += "\n" + k.StatusNote
		}
		rows[i] = []string{k.ID, k.Asset.Label() + "\n" + k.Asset.Kind + exposureNote(k.Asset), threat, strings.Join(controlsText(k), "\n"),
			ratingCell(k.Likelihood), ratingCell(k.Impact), levelOrDash(k.Level), strings.Join(citationLabels(k), "\n"),
			strings.Join(append(append([]string{}, k.Findings...), k.Answers...), "\n"), k.Remediation, owner}
	}
	cols := []column{
		{title: "ID", w: 17, mono: true}, {title: "Asset", w: 22}, {title: "Threat and vulnerability", w: 37}, {title: "Existing controls", w: 23},
		{title: "Likelihood and rules", w: 25}, {title: "Impact and rules", w: 19},
		{title: "Risk level", w: 14, level: func(i int) register.Level { return reg.Risks[i].Level }},
		{title: "HIPAA", w: 23}, {title: "Evidence", w: 25, mono: true}, {title: "Remediation", w: 29}, {title: "Owner, due, status", w: 20},
	}
	p.table(cols, rows, 6.8)
}

func exposureNote(a register.Asset) string {
	if a.Kind == "" || a.Kind == "practice area" {
		return ""
	}
	s := ", " + a.Exposure
	switch a.HasEPHI {
	case register.EPHIYes:
		s += ", ePHI"
	case register.EPHINo:
		s += ", no ePHI"
	}
	return s
}

// ratingCell is a level with the rules that set it, for the register table.
func ratingCell(r register.Rating) string {
	if r.Level == 0 {
		return "-"
	}
	out := r.Level.String()
	for _, st := range r.Steps {
		if st.Effect == "" {
			out += "\n(" + st.Rule + ")"
		} else {
			out += "\n" + st.Effect + " " + st.Rule
		}
	}
	return out
}

func (p *pdfWriter) findingsSection() {
	p.section("6. Technical findings", false)
	reg := p.r.Register
	if p.r.Scan == nil {
		p.para("No scan was run for this assessment.")
		return
	}
	sc := p.r.Scan
	p.para(fmt.Sprintf("The scan ran from %s to %s against %d endpoint(s) (%d scanned, %d could not be scanned) and reported %d finding(s)%s. "+
		"Findings are grouped by host, most severe first. Evidence is what the service itself answered; control characters are shown "+
		"as \\xNN escapes and long values are cut.",
		sc.StartedAt.UTC().Format("2006-01-02 15:04 MST"), sc.FinishedAt.UTC().Format("15:04 MST"), sc.Totals.Endpoints, sc.Totals.Scanned,
		sc.Totals.Errors, len(reg.Findings), suppressedNote(reg.Suppressed)))
	if !sc.Complete {
		p.notice("Scan incomplete", "The scan was interrupted: some endpoints or checks did not run, so absence of a finding proves nothing for them.")
	}
	f := p.f
	for _, g := range p.r.findingsByHost() {
		p.sub("Host "+cleanText(g.Host), true)
		for _, fd := range g.Findings {
			p.need(24)
			l, _, _, _ := f.GetMargins()
			y := f.GetY()
			sev := strings.ToUpper(fd.Severity.String())
			p.fill(severityColour(fd.Severity.String()))
			p.colour(rgb{255, 255, 255})
			p.font("B", 7)
			f.SetXY(l, y)
			f.CellFormat(17, 5, sev, "", 0, "C", true, 0, "")
			p.colour(ink)
			p.font("B", 10)
			f.SetX(l + 19)
			f.MultiCell(p.width()-19, 5, cleanText(fd.Title), "", "L", false)
			p.font("", 7.5)
			p.colour(grey)
			meta := fmt.Sprintf("%s · %s · %s · finding %s", fd.Check, cleanText(fd.Target), fd.Confidence, fd.ID)
			if rid := p.findingRef[fd.ID]; rid != "" {
				meta += " · risk " + rid
			}
			f.SetX(l + 19)
			f.MultiCell(p.width()-19, 3.8, meta, "", "L", false)
			p.colour(ink)
			f.Ln(0.8)
			p.kvBlockAt(19, "Detail", fd.Detail)
			if ev := evidenceLines(fd.Evidence); len(ev) > 0 {
				p.font("B", 8)
				p.colour(grey)
				f.SetX(l + 19)
				f.CellFormat(0, 4, "Evidence", "", 1, "L", false, 0, "")
				p.colour(ink)
				p.mono(7)
				p.fill(paleNavy)
				perLine := int((p.width()-19)/f.GetStringWidth("0")) - 1
				for _, line := range ev {
					for _, wl := range hardWrap(line, perLine) {
						f.SetX(l + 19)
						f.MultiCell(p.width()-19, 3.4, wl, "", "L", true)
					}
				}
				f.Ln(0.8)
			}
			p.kvBlockAt(19, "HIPAA", strings.Join(fd.HIPAA, ", "))
			p.kvBlockAt(19, "Remediation", fd.Remediation)
			f.Ln(2.5)
		}
	}
}

func suppressedNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", not counting %d suppressed by an approved, unexpired suppression", n)
}

// kvBlockAt is a labelled paragraph indented by indent mm.
func (p *pdfWriter) kvBlockAt(indent float64, label, text string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	f := p.f
	l, _, _, _ := f.GetMargins()
	f.SetX(l + indent)
	p.font("B", 8)
	p.colour(grey)
	lw := f.GetStringWidth(label) + 2
	y := f.GetY()
	f.CellFormat(lw, 4, label, "", 0, "L", false, 0, "")
	p.colour(ink)
	p.font("", 8)
	f.SetXY(l+indent+lw, y)
	f.MultiCell(p.width()-indent-lw, 4, cleanText(text), "", "L", false)
	f.Ln(0.5)
}

func severityColour(s string) rgb {
	switch s {
	case "critical":
		return rgb{0x7b, 0x11, 0x11}
	case "high":
		return rgb{0xc6, 0x28, 0x28}
	case "medium":
		return rgb{0xe6, 0x51, 0x00}
	case "low":
		return rgb{0x55, 0x8b, 0x2f}
	}
	return rgb{0x60, 0x7d, 0x8b}
}

func (p *pdfWriter) questionnaireSection() {
	p.section("7. Questionnaire results", false)
	r := p.r
	p.para(fmt.Sprintf("The practice answered %d of the %d questions asked (%s). Each section's citations are scored as in section 3; "+
		"gaps are the answers \"partly\", \"no\" and \"don't know\": each became a risk in the register, merged with the scan's findings "+
		"where both describe the same weakness.", r.Completion.Answers, r.Completion.Asked, percent(r.Completion.Percent)))
	rows := [][]string{}
	for _, s := range r.Scores.Sections {
		comp := "n/a"
		if s.Applicable() > 0 {
			comp = percent(s.Compliance())
		}
		rows = append(rows, []string{s.Section.Title, fmt.Sprintf("%d / %d", s.Answered, s.Questions), strconv.Itoa(s.Implemented),
			strconv.Itoa(s.Partial), strconv.Itoa(s.Gap), strconv.Itoa(s.Unknown), strconv.Itoa(s.NotApplicable), comp})
	}
	p.table([]column{{title: "Section", w: 40}, {title: "Answered", w: 14}, {title: "Implemented", w: 13}, {title: "Partly", w: 10},
		{title: "Not implemented", w: 14}, {title: "Don't know / open", w: 14}, {title: "N/A", w: 8}, {title: "Met", w: 10}}, rows, 8.5)
	gaps := questionnaire.Gaps(r.Bank, r.Answers)
	if len(gaps) == 0 {
		return
	}
	bySection := map[string][]questionnaire.Gap{}
	var order []string
	for _, g := range gaps {
		if _, ok := bySection[g.Section.ID]; !ok {
			order = append(order, g.Section.ID)
		}
		bySection[g.Section.ID] = append(bySection[g.Section.ID], g)
	}
	for _, id := range order {
		gs := bySection[id]
		p.sub("Gaps: "+gs[0].Section.Title, true)
		for _, g := range gs {
			p.need(14)
			l, _, _, _ := p.f.GetMargins()
			p.font("B", 9)
			p.f.SetX(l)
			p.f.MultiCell(p.width(), 4.4, cleanText(g.Question.Text), "", "L", false)
			p.font("", 8)
			p.colour(grey)
			extra := ""
			if g.Profile != "" {
				extra = " · proposed rule (NPRM) readiness, not scored against the rule in force"
			}
			p.f.MultiCell(p.width(), 4, fmt.Sprintf("%s · answer: %s · %s%s", g.Question.ID, g.Status.Short(), strings.Join(g.Question.CitationIDs(), ", "), extra), "", "L", false)
			p.colour(ink)
			if g.Notes != "" {
				p.kvBlockAt(0, "Notes", g.Notes)
			}
			p.f.Ln(1.5)
		}
	}
}

func (p *pdfWriter) planSection() {
	p.section("8. Remediation plan", false)
	plan := p.r.planOrder()
	p.para("The risks that still need work, by due date (undated last, then by level). Owners, due dates and statuses come from " +
		"remediation.yaml in the assessment workspace; set them with telesra risks set. Verified and accepted risks are not listed.")
	if len(plan) == 0 {
		p.para("Nothing to do: every risk is verified or accepted.")
		return
	}
	rows := make([][]string, len(plan))
	for i, k := range plan {
		st := statusText(k)
		if k.StatusNote != "" {
			st += "\n" + k.StatusNote
		}
		rows[i] = []string{nonEmpty(k.Due, "not set"), k.ID, levelOrDash(k.Level), k.Title + "\n" + k.Asset.Label(), k.Remediation, nonEmpty(k.Owner, "-"), st}
	}
	p.table([]column{{title: "Due", w: 14}, {title: "Risk", w: 17, mono: true},
		{title: "Level", w: 15, level: func(i int) register.Level { return plan[i].Level }},
		{title: "Risk and asset", w: 32}, {title: "Remediation", w: 44}, {title: "Owner", w: 16}, {title: "Status", w: 16}}, rows, 7.5)
}

func (p *pdfWriter) methodology() {
	p.section("9. Methodology", false)
	r := p.r
	rules := r.Register.Rules
	p.sub("Approach", false)
	p.para("The analysis follows NIST SP 800-30 Rev. 1, Guide for Conducting Risk Assessments, as HHS's guidance on the risk analysis " +
		"of 45 CFR 164.308(a)(1)(ii)(A) recommends, and covers the elements OCR expects: scope, data collection, threats and " +
		"vulnerabilities, current security measures, likelihood, impact, level of risk, documentation and periodic review. Data came " +
		"from two sources: an active scan of the declared network services, limited to the written scope below, and a questionnaire " +
		"on the administrative, physical and technical safeguards answered by the practice.")
	p.para("Scan findings and questionnaire gaps that describe the same weakness on the same asset are one risk. Each risk starts " +
		"from its weakness's default likelihood and impact (or, for a questionnaire gap, the question's default), and the scoring rules " +
		"below move them: likelihood rises with internet exposure and known exploitation (CISA KEV) and falls when only potential " +
		"evidence exists or a safeguard is partly in place; impact falls for assets that handle no ePHI. The register names the rules " +
		"applied to every risk. Informational findings (such as a disclosed version) are listed but make no risk.")
	p.sub("Scales", false)
	p.table([]column{{title: "Level", w: 16}, {title: "Value (0-100, 0-10)", w: 16}, {title: "Likelihood: the threat event...", w: 40}, {title: "Impact: the harm to ePHI would be...", w: 40}},
		[][]string{
			{"Very High", "96-100 (10)", "is almost certain to be initiated and succeed", "catastrophic: mass disclosure or loss of records, care disrupted"},
			{"High", "80-95 (8)", "is highly likely", "severe: many records disclosed or altered, significant harm"},
			{"Moderate", "21-79 (5)", "is somewhat likely", "serious: limited disclosure, recoverable disruption"},
			{"Low", "5-20 (2)", "is unlikely", "limited: minor, contained effects"},
			{"Very Low", "0-4 (0)", "is highly unlikely", "negligible"},
		}, 8)
	p.sub("Level of risk (NIST SP 800-30 Rev. 1, Table I-2)", false)
	rows := [][]string{}
	for i := 4; i >= 0; i-- {
		row := []string{register.Levels()[i].String()}
		for j := 0; j < 5; j++ {
			row = append(row, rules.Matrix[i][j].String())
		}
		rows = append(rows, row)
	}
	matrixCol := func(j int) func(int) register.Level {
		return func(i int) register.Level { return rules.Matrix[4-i][j] }
	}
	p.table([]column{{title: "Likelihood \\ Impact", w: 20}, {title: "Very Low", w: 14, level: matrixCol(0)}, {title: "Low", w: 14, level: matrixCol(1)},
		{title: "Moderate", w: 14, level: matrixCol(2)}, {title: "High", w: 14, level: matrixCol(3)}, {title: "Very High", w: 14, level: matrixCol(4)}}, rows, 8)
	p.sub("Scoring rules (version "+rules.Version+")", false)
	var rr [][]string
	for _, w := range rules.Weaknesses {
		rr = append(rr, []string{"weakness:" + w.ID, w.Title, "Likelihood " + w.Likelihood.String() + ", impact " + w.Impact.String(),
			strings.Join(append(append([]string{}, w.Checks...), w.Questions...), ", ")})
	}
	rr = append(rr, []string{"fallback", "Findings of checks no weakness names", "Likelihood " + rules.Fallback.Likelihood.String() + ", impact " + rules.Fallback.Impact.String(), ""})
	for _, set := range []struct {
		what  string
		rules []*register.Rule
	}{{"Likelihood", rules.Likelihood}, {"Impact", rules.Impact}} {
		for _, ru := range set.rules {
			rr = append(rr, []string{ru.ID, set.what + ": " + ru.Reason, ruleEffect(ru), ""})
		}
	}
	p.table([]column{{title: "Rule", w: 34, mono: true}, {title: "Meaning", w: 46}, {title: "Effect", w: 26}, {title: "Checks and questions", w: 36}}, rr, 7.5)
	p.sub("Scope", false)
	if r.Scope.Description != "" {
		p.para(r.Scope.Description)
	}
	p.labelled("Scan targets:", strings.Join(r.Scope.Targets, ", "), 9)
	p.labelled("Exclusions:", strings.Join(r.Scope.Exclusions, ", "), 9)
	p.labelled("Systems holding ePHI:", strings.Join(r.Scope.EPHISystems, ", "), 9)
	p.f.Ln(2)
	p.sub("Tools and knowledge bases", false)
	var tr [][]string
	for _, t := range r.Tools {
		tr = append(tr, []string{t.Name, t.Version, t.Source})
	}
	if len(tr) > 0 {
		p.table([]column{{title: "Tool or data", w: 40}, {title: "Version or date", w: 25}, {title: "Source", w: 50}}, tr, 8)
	}
	p.sub("Limitations", false)
	p.para("A scan sees only what the declared services answer from where it ran; it does not log in and cannot see safeguards " +
		"behind a login. Questionnaire answers are the practice's own statements, not audited evidence. Potential findings are " +
		"inferences and should be confirmed. The analysis should be reviewed at least yearly and after significant changes.")
}

func ruleEffect(r *register.Rule) string {
	switch {
	case r.Set != 0:
		return "set to " + r.Set.String()
	case r.Raise > 0:
		return fmt.Sprintf("raise %d level(s)", r.Raise)
	case r.Lower > 0:
		return fmt.Sprintf("lower %d level(s)", r.Lower)
	}
	return "noted, no change"
}

func (p *pdfWriter) appendixAnswers() {
	p.section("Appendix A. Questionnaire answers", false)
	r := p.r
	p.para("Every question asked, with the practice's answer, notes and evidence, as recorded in answers.yaml.")
	for _, sec := range r.Bank.SectionsFor(r.Answers.Profiles) {
		var rows [][]string
		for _, q := range sec.Questions {
			if r.Bank.Visibility(q, r.Answers) != questionnaire.Asked {
				continue
			}
			a := r.Answers.Get(q.ID)
			notes := a.Notes
			if len(a.Evidence) > 0 {
				notes = strings.TrimSpace(notes + "\nEvidence: " + strings.Join(a.Evidence, ", "))
			}
			rows = append(rows, []string{q.ID, q.Text, a.Status.Short(), notes})
		}
		if len(rows) == 0 {
			continue
		}
		p.sub(sec.Title, true)
		p.table([]column{{title: "Question ID", w: 27, mono: true}, {title: "Question", w: 50}, {title: "Answer", w: 14}, {title: "Notes and evidence", w: 40}}, rows, 7.5)
	}
}

// where says where a risk lies, for a sentence: "on Patient portal (host:443)" or
// "across the practice (Logins, encryption & monitoring)".
func where(a register.Asset) string {
	if a.Kind == "practice area" {
		return "across the practice (" + a.Name + ")"
	}
	return "on " + a.Label()
}

func nonEmpty(s, alt string) string {
	if strings.TrimSpace(s) == "" {
		return alt
	}
	return s
}

// firstSentence cuts a remediation to its first sentence for a summary line.
func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i+1]
	}
	return s
}
