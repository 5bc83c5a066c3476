package cli

import (
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"charm.land/lipgloss/v2/table"
	"github.com/charmbracelet/x/ansi"
)

// TableWidth is the width a table on Out must fit: the terminal's ($COLUMNS first, as the user
// set it), or 0 when Out is a file or a pipe, where nothing is wrapped or cut.
func (s *IOStreams) TableWidth() int {
	if !s.OutTTY {
		return 0
	}
	if n, err := strconv.Atoi(s.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return s.TermWidth()
}

// column is one column of a terminal table. A column that does not Wrap (IDs, dates: things a
// reader copies) is always as wide as its widest cell; one that wraps may shrink to Min. Drop
// is the order in which columns go when the terminal is too narrow (0: never).
type column struct {
	Header string
	Wrap   bool
	Min    int
	Drop   int
}

// fitTable renders rows under a header line, without borders. With width > 0 it drops columns
// by priority until they fit, then narrows the wrapping columns, widest first; with width 0
// every column is written whole.
func fitTable(cols []column, rows [][]string, width int, color bool) string {
	const gap = 2
	natural := make([]int, len(cols))
	for i, c := range cols {
		natural[i] = ansi.StringWidth(c.Header)
		for _, r := range rows {
			natural[i] = max(natural[i], ansi.StringWidth(r[i]))
		}
	}
	keep := make([]bool, len(cols))
	w := make([]int, len(cols))
	for i := range cols {
		keep[i] = true
		w[i] = natural[i]
	}
	total := func(narrowest bool) int {
		n := 0
		for i, c := range cols {
			if !keep[i] {
				continue
			}
			if narrowest && c.Wrap {
				n += min(c.Min, natural[i]) + gap
			} else {
				n += w[i] + gap
			}
		}
		return n - gap
	}
	if width > 0 {
		for total(true) > width {
			drop := -1
			for i, c := range cols {
				if keep[i] && c.Drop > 0 && (drop < 0 || c.Drop < cols[drop].Drop) {
					drop = i
				}
			}
			if drop < 0 {
				break
			}
			keep[drop] = false
		}
		for total(false) > width { // bounded: each pass narrows a column by one
			widest := -1
			for i, c := range cols {
				if keep[i] && c.Wrap && w[i] > c.Min && (widest < 0 || w[i] > w[widest]) {
					widest = i
				}
			}
			if widest < 0 {
				break
			}
			w[widest]--
		}
	}
	var hdr []string
	var widths []int
	for i, c := range cols {
		if keep[i] {
			hdr = append(hdr, c.Header)
			widths = append(widths, w[i])
		}
	}
	tbl := table.New().Border(lipgloss.HiddenBorder()).BorderTop(false).BorderBottom(false).BorderLeft(false).BorderRight(false).
		BorderColumn(false).BorderHeader(false).Headers(hdr...).Wrap(true).
		StyleFunc(func(row, col int) lipgloss.Style {
			st := lipgloss.NewStyle().Width(widths[col])
			if col < len(hdr)-1 {
				st = st.PaddingRight(gap).Width(widths[col] + gap)
			}
			if row == table.HeaderRow {
				return st.Bold(true)
			}
			return st
		})
	for _, r := range rows {
		var cells []string
		for i, v := range r {
			if keep[i] {
				cells = append(cells, v)
			}
		}
		tbl.Row(cells...)
	}
	out := tbl.Render()
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		lines = append(lines, strings.TrimRight(l, " "))
	}
	out = strings.Join(lines, "\n") + "\n"
	if !color {
		out = ansi.Strip(out)
	}
	return out
}
