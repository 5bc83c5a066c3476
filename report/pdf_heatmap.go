package report

import (
	"fmt"
	"strconv"

	"github.com/telesra/telesra/report/register"
)

// heatMap is section 2: open risks counted by likelihood and impact on the 5x5 matrix.
func (p *pdfWriter) heatMap() {
	p.section("2. Risk heat map", false)
	p.para("Each open risk sits in the cell of its likelihood (down) and impact (across). The colour of a cell is the level of " +
		"risk NIST SP 800-30 Rev. 1 (Table I-2) gives that combination; the number is how many open risks fall there, and " +
		"\"+N accepted\" counts the accepted risks there, which remain risks of the practice.")
	f := p.f
	heat, accepted := p.r.Register.Heat(), p.r.Register.HeatAccepted()
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
			if a := accepted[i][j]; a > 0 {
				f.SetXY(x, y+cell-11)
				f.CellFormat(cell, 4, fmt.Sprintf("+%d accepted", a), "", 0, "C", false, 0, "")
			}
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
