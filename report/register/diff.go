package register

import (
	"cmp"
	"slices"
	"strings"
)

// How a risk changed between two assessments.
const (
	ChangeNew     = "new"
	ChangeFixed   = "fixed"
	ChangeChanged = "changed"
)

// Difference is one risk that differs between two registers.
type Difference struct {
	Kind     string // new, fixed, changed
	ID       string
	Title    string
	Asset    string
	Old, New Level // 0 where the risk is absent
	// Why says what moved for a changed risk (likelihood, impact), in words.
	Why string
}

// Diff compares an older register with a newer one by risk ID: risks detected only in the newer
// are new, risks detected only in the older are fixed, and risks in both whose level moved are
// changed. Order: new, changed, fixed; each by level, highest first.
func Diff(older, newer *Register) []Difference {
	var out []Difference
	for _, n := range newer.Risks {
		if !n.Detected {
			continue
		}
		o, ok := older.Risk(n.ID)
		switch {
		case !ok || !o.Detected:
			out = append(out, Difference{Kind: ChangeNew, ID: n.ID, Title: n.Title, Asset: n.Asset.Label(), New: n.Level})
		case o.Level != n.Level:
			d := Difference{Kind: ChangeChanged, ID: n.ID, Title: n.Title, Asset: n.Asset.Label(), Old: o.Level, New: n.Level}
			var why []string
			if o.Likelihood.Level != n.Likelihood.Level {
				why = append(why, "likelihood "+o.Likelihood.Level.String()+" → "+n.Likelihood.Level.String())
			}
			if o.Impact.Level != n.Impact.Level {
				why = append(why, "impact "+o.Impact.Level.String()+" → "+n.Impact.Level.String())
			}
			d.Why = strings.Join(why, ", ")
			out = append(out, d)
		}
	}
	for _, o := range older.Risks {
		if !o.Detected {
			continue
		}
		if n, ok := newer.Risk(o.ID); !ok || !n.Detected {
			out = append(out, Difference{Kind: ChangeFixed, ID: o.ID, Title: o.Title, Asset: o.Asset.Label(), Old: o.Level})
		}
	}
	rank := map[string]int{ChangeNew: 0, ChangeChanged: 1, ChangeFixed: 2}
	slices.SortStableFunc(out, func(a, b Difference) int {
		return cmp.Or(cmp.Compare(rank[a.Kind], rank[b.Kind]), cmp.Compare(max(b.Old, b.New), max(a.Old, a.New)), cmp.Compare(a.ID, b.ID))
	})
	return out
}
