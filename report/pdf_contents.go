package report

import (
	"strconv"
	"strings"
)

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
