package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/telesra/telesra/report/register"
)

// assetInventory is the methodology's scope in assets: every asset of the inventory, scanned or
// not, with what it holds and its open risks, then how ePHI flows between them. An incomplete
// scope is said first, since the register is then not the whole risk analysis.
func (p *pdfWriter) assetInventory() {
	reg := p.r.Register
	p.sub("Asset inventory", false)
	if reg.ScopeIncomplete {
		p.notice("Scope incomplete", scopeIncompleteText(reg))
	}
	if len(reg.Inventory) == 0 {
		p.para("No asset is declared (assets.yaml) and nothing was scanned: the register rests on the questionnaire alone.")
		return
	}
	p.para(fmt.Sprintf("Every place the practice's ePHI lives or passes through, as assets.yaml declares it, and the scanned targets it does not "+
		"name. Impact is rated per asset from the ePHI it holds, its criticality for care and its exposure (section 9, impact rules); "+
		"questionnaire risks attach to the assets they concern, or to \"%s\" when they concern no particular kind.", register.PracticeWideName))
	var rows [][]string
	for _, a := range reg.Inventory {
		held := nonEmpty(a.EPHIHeld, "not stated")
		if len(a.EPHI) > 0 {
			held += " (" + strings.Join(a.EPHI, ", ") + ")"
		}
		rec := "-"
		if a.Records > 0 {
			rec = strconv.Itoa(a.Records)
		}
		scanned := "no"
		if a.Scanned {
			scanned = "yes"
		}
		name := a.Name
		if !a.Declared {
			name += "\n(not in assets.yaml)"
		}
		rows = append(rows, []string{name, a.Kind, held, rec, nonEmpty(a.Criticality.Short(), "not stated"), a.Exposure, scanned,
			strconv.Itoa(reg.OpenOn(a.Name))})
	}
	p.table([]column{{title: "Asset", w: 34}, {title: "Kind", w: 18}, {title: "ePHI held", w: 24}, {title: "Records", w: 12},
		{title: "Criticality (C, I, A)", w: 24}, {title: "Exposure", w: 14}, {title: "Scanned", w: 11}, {title: "Open risks", w: 11}}, rows, 7.5)
	var flows []string
	for _, a := range reg.Inventory {
		for _, f := range a.Flows {
			flows = append(flows, a.Name+" -> "+f.To+": "+f.What)
		}
	}
	if len(flows) > 0 {
		p.f.Ln(1)
		p.labelled("ePHI flows:", strings.Join(flows, "; "), 8.5)
	}
	if n := reg.OpenOn(register.PracticeWideName); n > 0 {
		p.labelled(register.PracticeWideName+":", fmt.Sprintf("%d open risk(s) concern the practice as a whole", n), 8.5)
	}
	p.f.Ln(2)
}

// scopeIncompleteText says why the register is not the risk analysis of all the practice's ePHI.
func scopeIncompleteText(reg *register.Register) string {
	return "The inventory may not cover all of the practice's ePHI: " + reg.ScopeReason +
		". Risks to what it misses are not in this register: complete it (telesra assets seed, telesra assets add) and re-run the report."
}

// assetCell is the register's asset cell: the principal asset, what it is, and the other assets
// the risk concerns.
func assetCell(k *register.Risk) string {
	s := k.Asset.Label() + "\n" + k.Asset.Kind + exposureNote(k.Asset)
	if len(k.Assets) > 1 {
		var others []string
		for _, a := range k.Assets[1:] {
			others = append(others, a.Name)
		}
		s += "\nalso: " + strings.Join(others, ", ")
	}
	return s
}
