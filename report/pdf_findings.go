package report

import (
	"fmt"
	"strings"
)

// findingsSection is section 6: the scan's findings by host, with their evidence.
func (p *pdfWriter) findingsSection() {
	p.section("6. Technical findings", false)
	reg := p.r.Register
	if p.r.Scan == nil {
		p.para(fmt.Sprintf("No network scan was run for this assessment: the %d target(s) declared in scope were not scanned. "+
			"Nothing in this report rests on observing the practice's systems, so their TLS configuration, the logins they expose "+
			"without multi-factor authentication, their patch levels and their web exposure are unknown, not absent. "+
			"The risks in this report come from the questionnaire alone; scan the declared scope before relying on it.", len(p.r.Scope.Targets)))
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

// suppressedNote says how many findings a suppressions file hid.
func suppressedNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", not counting %d suppressed by an approved, unexpired suppression", n)
}

// severityColour is the fill of a finding's severity label.
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
