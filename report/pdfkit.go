package report

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"

	"github.com/telesra/telesra/report/register"
)

// The PDF's layout kit: page geometry, the palette, fonts, headings and page breaks,
// paragraphs, labelled blocks, level badges, notices, and tables whose header repeats on every
// page. Sections (pdf_*.go) draw with these and never set geometry of their own.

// Page geometry (mm, US Letter).
const (
	pdfMargin     = 18.0
	pdfWideMargin = 10.0 // landscape pages hold the register's eleven columns
	pdfBottom     = 16.0
	pdfLine       = 4.6 // body line height at 10 pt
)

// rgb is a colour of the palette.
type rgb struct{ r, g, b int }

// The palette: the house colours (the levels' colours are levelColours, shared with the workbook).
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

// hexRGB reads a colour written "1f3a5f", as the level colours are.
func hexRGB(s string) rgb {
	v, _ := strconv.ParseUint(s, 16, 32)
	return rgb{int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff)}
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

// badgeLarge is the badge of the overall level on the executive summary.
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

// kvBlock prints a label in a left column and its text wrapped beside it.
func (p *pdfWriter) kvBlock(label, text string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	f := p.f
	l, _, _, _ := f.GetMargins()
	// Keep the label with its text: a label alone at the foot of a page, its text overleaf,
	// leaves a page that reads as blank.
	p.font("", 8.5)
	p.need(4.2*float64(min(2, len(f.SplitText(cleanText(text), p.width()-53)))) + 1)
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

// kvBlockAt is a labelled paragraph indented by indent mm.
func (p *pdfWriter) kvBlockAt(indent float64, label, text string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	f := p.f
	l, _, _, _ := f.GetMargins()
	p.font("B", 8)
	lw := f.GetStringWidth(label) + 2
	p.font("", 8)
	p.need(4*float64(min(2, len(f.SplitText(cleanText(text), p.width()-indent-lw)))) + 1) // label with its text
	f.SetX(l + indent)
	p.font("B", 8)
	p.colour(grey)
	y := f.GetY()
	f.CellFormat(lw, 4, label, "", 0, "L", false, 0, "")
	p.colour(ink)
	p.font("", 8)
	f.SetXY(l+indent+lw, y)
	f.MultiCell(p.width()-indent-lw, 4, cleanText(text), "", "L", false)
	f.Ln(0.5)
}

// headerSize is the largest type size, at most size, at which every word of a column header fits
// the column's width, so the header wraps at spaces and never inside a word.
func headerSize(f *fpdf.Fpdf, title string, w, size float64) float64 {
	f.SetFont("go", "B", size)
	widest := 0.0
	for _, word := range strings.Fields(title) {
		widest = max(widest, f.GetStringWidth(word))
	}
	if widest <= w || widest == 0 {
		return size
	}
	return max(size*w/widest*0.98, 4)
}

// wrapCell splits a table cell into lines of width w at spaces; a word wider than the column
// (an ID, a URL, a list of cipher suites) breaks after a hyphen, dot, slash, underscore, comma or
// colon where it can, and only then between letters.
func wrapCell(f *fpdf.Fpdf, s string, w float64) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		var line string
		for _, word := range strings.Fields(para) {
			try := word
			if line != "" {
				try = line + " " + word
			}
			if f.GetStringWidth(try) <= w {
				line = try
				continue
			}
			if line != "" {
				out = append(out, line)
				line = ""
			}
			for f.GetStringWidth(word) > w {
				cut := breakAt(f, word, w)
				out = append(out, word[:cut])
				word = word[cut:]
			}
			line = word
		}
		out = append(out, line)
	}
	return out
}

// breakAt is where to break a word too wide for w: after the last punctuation mark that fits,
// else after the last letter that fits (at least one, so wrapping always advances).
func breakAt(f *fpdf.Fpdf, word string, w float64) int {
	fit, punct := 0, 0
	for i, r := range word {
		end := i + utf8.RuneLen(r)
		if f.GetStringWidth(word[:end]) > w {
			break
		}
		fit = end
		if strings.ContainsRune("-./_,:", r) {
			punct = end
		}
	}
	switch {
	case punct > 0:
		return punct
	case fit > 0:
		return fit
	}
	_, size := utf8.DecodeRuneInString(word)
	return size
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
		sizes := make([]float64, len(cols))
		n := 1
		for i, c := range cols {
			// A header wraps at spaces only: a column too narrow for its longest word gets a
			// smaller type rather than "Implement|ed".
			sizes[i] = headerSize(f, c.title, ws[i]-2*pad, size)
			p.font("B", sizes[i])
			heads[i] = f.SplitText(c.title, ws[i]-2*pad)
			p.headerLines[c.title] = heads[i]
			n = max(n, len(heads[i]))
		}
		h := float64(n)*lineH + 2*pad
		y := f.GetY()
		x := l
		for i := range cols {
			p.font("B", sizes[i])
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
			cells[i] = wrapCell(f, cleanText(row[i]), ws[i]-2*pad)
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

// nonEmpty is s, or alt when s is empty: "no owner", "not set".
func nonEmpty(s, alt string) string {
	if strings.TrimSpace(s) == "" {
		return alt
	}
	return s
}
