package report

import (
	"fmt"
	"io"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gobolditalic"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
)

// The PDF is written in three layers: this file holds the document order and what every page
// carries (header, footer); pdfkit.go the layout kit (page geometry, palette, headings,
// paragraphs, badges, tables whose header repeats on every page); and each section has its own
// file, pdf_<section>.go, drawing with the kit.

// pdfSections is the document order after the cover and the contents page, one method per
// section. Numbered sections set their own number in their heading.
var pdfSections = []func(*pdfWriter){
	(*pdfWriter).summary,              // 1. pdf_summary.go
	(*pdfWriter).heatMap,              // 2. pdf_heatmap.go
	(*pdfWriter).compliance,           // 3. pdf_compliance.go
	(*pdfWriter).topRisks,             // 4. pdf_toprisks.go
	(*pdfWriter).registerTable,        // 5. pdf_register.go
	(*pdfWriter).findingsSection,      // 6. pdf_findings.go
	(*pdfWriter).questionnaireSection, // 7. pdf_questionnaire.go
	(*pdfWriter).planSection,          // 8. pdf_plan.go
	(*pdfWriter).methodology,          // 9. pdf_methodology.go
	(*pdfWriter).signOff,              // 10. pdf_signoff.go
	(*pdfWriter).appendixAnswers,      // Appendix A. pdf_answers.go
	(*pdfWriter).appendixReproduce,    // Appendix B. pdf_reproduce.go
}

// tocEntry is one line of the contents page.
type tocEntry struct {
	title string
	page  int
	link  int
}

// pdfWriter is one PDF being written: the document, the report, and what the sections share.
type pdfWriter struct {
	f          *fpdf.Fpdf
	r          *Report
	toc        []tocEntry
	landscape  bool
	tableHead  func()
	findingRef map[string]string // finding ID -> risk ID
	// headerLines records every table header as drawn, column title -> its lines, so a test can
	// tell a header wrapped at spaces from one split inside a word.
	headerLines map[string][]string
}

// WritePDF renders the report a consultant signs: cover, contents, executive summary, heat map,
// compliance by safeguard, top risks, the full register, technical findings by host,
// questionnaire results, the remediation plan, methodology and the answers, with page numbers
// and bookmarks. The text is set in the Go fonts (embedded, UTF-8), so it renders the same
// everywhere.
func WritePDF(w io.Writer, r *Report) error {
	_, err := writePDF(w, r)
	return err
}

// writePDF writes the PDF and returns the writer, whose record of table headers tests read.
func writePDF(w io.Writer, r *Report) (*pdfWriter, error) {
	f := fpdf.New("P", "mm", "Letter", "")
	p := &pdfWriter{f: f, r: r, findingRef: map[string]string{}, headerLines: map[string][]string{}}
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

	p.cover()   // pdf_cover.go
	f.AddPage() // contents, filled in at the end when every page number is known
	f.Bookmark("Contents", 0, 0)
	contentsPage := f.PageNo()

	for _, section := range pdfSections {
		section(p)
	}

	last := f.PageNo()
	f.SetPage(contentsPage)
	p.contents() // pdf_contents.go
	f.SetPage(last)
	if err := f.Error(); err != nil {
		return p, fmt.Errorf("pdf: %w", err)
	}
	return p, f.Output(w)
}

// header is on every page but the cover: organisation, title, the draft mark and watermark,
// CONFIDENTIAL, and the header of a table that runs on from the previous page.
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
	if p.r.Completion.Draft {
		// Right-aligned beside CONFIDENTIAL, so a long organisation name never runs into it.
		p.font("B", 7.5)
		cw := f.GetStringWidth("CONFIDENTIAL") + 5
		f.SetXY(l, 9)
		p.colour(draftRed)
		f.CellFormat(w-l-r-cw, 4, p.r.Completion.Label(), "", 0, "R", false, 0, "")
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

// footer is on every page but the cover: page numbers and the tool that wrote the report.
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

// toolVersion is the version of telesra that wrote the report, for the footer. A build that
// recorded neither a version nor a VCS revision (go run, -buildvcs=false) says so in words: "dev"
// on a signed report reads as a version.
func (p *pdfWriter) toolVersion() string {
	for _, t := range p.r.Tools {
		if t.Name == "telesra" && t.Version != "" && t.Version != "dev" {
			return t.Version
		}
	}
	return "(unversioned development build)"
}
