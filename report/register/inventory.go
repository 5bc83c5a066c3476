package register

import (
	"fmt"
	"slices"
	"strings"

	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/templates/datafile"
)

// PracticeWideName is the asset questionnaire gaps attach to when they concern no particular
// kind of asset: the practice's ePHI as a whole, as the inventory lists it.
const PracticeWideName = "All ePHI - practice-wide"

// InventoryQuestion is the question whose answer says whether the practice's inventory of ePHI
// systems, devices and vendors is complete.
const InventoryQuestion = "gov.ephi-inventory"

// AssetScope is templates/risk/asset-scope.yaml: which kinds of asset a question's gap concerns.
type AssetScope struct {
	Scopes []ScopeEntry
}

// ScopeEntry names the kinds of asset some questions or sections concern.
type ScopeEntry struct {
	Kinds     []string `yaml:"kinds"`
	Names     []string `yaml:"names"`
	Questions []string `yaml:"questions"`
	Sections  []string `yaml:"sections"`
}

// AssetScopeFile is where the embedded asset scope lives, as named in errors.
const AssetScopeFile = "templates/risk/asset-scope.yaml"

// DefaultAssetScope returns the embedded asset scope of questions.
var DefaultAssetScope = embedded("risk/asset-scope.yaml", ParseAssetScope)

// ParseAssetScope reads an asset scope: the schema, then the bank (every question and section
// exists, and a question is named by one entry at most), with file:line errors.
func ParseAssetScope(file string, data []byte) (*AssetScope, error) {
	var raw struct {
		Scopes []ScopeEntry `yaml:"scopes"`
	}
	root, err := datafile.DecodeNode(file, data, "asset-scope.schema.json", &raw)
	if err != nil {
		return nil, err
	}
	bank := questionnaire.DefaultBank()
	var errs datafile.FileErrors
	seen := map[string]bool{}
	for i, s := range raw.Scopes {
		for j, q := range s.Questions {
			if _, ok := bank.Question(q); !ok {
				errs = append(errs, datafile.At(file, root, fmt.Sprintf("no question %q in the question bank", q), "scopes", fmt.Sprint(i), "questions", fmt.Sprint(j)))
			}
			if seen[q] {
				errs = append(errs, datafile.At(file, root, fmt.Sprintf("question %q is already scoped by an earlier entry", q), "scopes", fmt.Sprint(i), "questions", fmt.Sprint(j)))
			}
			seen[q] = true
		}
		for j, sec := range s.Sections {
			if _, ok := bank.Section(sec); !ok {
				errs = append(errs, datafile.At(file, root, fmt.Sprintf("no section %q in the question bank", sec), "scopes", fmt.Sprint(i), "sections", fmt.Sprint(j)))
			}
			if seen["section:"+sec] {
				errs = append(errs, datafile.At(file, root, fmt.Sprintf("section %q is already scoped by an earlier entry", sec), "scopes", fmt.Sprint(i), "sections", fmt.Sprint(j)))
			}
			seen["section:"+sec] = true
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return &AssetScope{Scopes: raw.Scopes}, nil
}

// For returns the entry scoping a question: the one naming it, else the one naming its
// section, else nil (the question concerns no particular kind of asset).
func (s *AssetScope) For(question, section string) *ScopeEntry {
	for i := range s.Scopes {
		if slices.Contains(s.Scopes[i].Questions, question) {
			return &s.Scopes[i]
		}
	}
	for i := range s.Scopes {
		if slices.Contains(s.Scopes[i].Sections, section) {
			return &s.Scopes[i]
		}
	}
	return nil
}

// assetOf is the register's view of an inventory entry.
func assetOf(e *AssetEntry, systems []string) Asset {
	a := Asset{Name: e.Name, Kind: e.Kind, Exposure: e.Exposure, HasEPHI: EPHIUnknown, EPHIHeld: e.held(),
		Criticality: e.Criticality, Owner: e.Owner, Flows: e.Flows, Declared: true, SeededFrom: e.SeededFrom}
	if e.Records != nil {
		a.Records = *e.Records
	}
	if a.Kind == "" {
		a.Kind = "service" // schema_version 1: every asset is a scanned service
	}
	if e.EPHI != nil {
		for _, s := range *e.EPHI {
			a.EPHI = append(a.EPHI, canonicalSystem(s, systems))
		}
	} else if sys := canonicalSystem(e.Name, systems); sys != "" {
		a.EPHI = []string{sys}
	}
	switch {
	case a.EPHIHeld == HeldNone:
		a.HasEPHI = EPHINo
	case a.EPHIHeld != "" || len(a.EPHI) > 0:
		a.HasEPHI = EPHIYes
	}
	if a.Exposure == "" {
		a.Exposure = ExposureUnknown
		if len(e.Targets) == 0 {
			// Not scanned, so no address to judge from.
			switch a.Kind {
			case "laptop", "phone", "tablet":
				a.Exposure = ExposureDevice
			case "cloud-service", "vendor":
				a.Exposure = ExposureInternet
			}
		}
	}
	return a
}

// practiceWide is the asset of gaps that concern no particular kind of asset: all the
// practice's ePHI. Its impact is the question bank's default, which already assumes it.
func practiceWide(inv []Asset) Asset {
	a := Asset{Name: PracticeWideName, Kind: KindPractice, HasEPHI: EPHIYes, Exposure: ExposureUnknown}
	for _, x := range inv {
		if x.Declared {
			a.Covers = append(a.Covers, x.Name)
		}
	}
	return a
}

// concerned returns the inventory's assets a gap concerns, with a note when it falls back to
// the practice-wide asset although the question concerns particular kinds.
func concerned(scope *AssetScope, gap questionnaire.Gap, inv []Asset) ([]Asset, string) {
	e := scope.For(gap.Question.ID, gap.Section.ID)
	if e == nil {
		return nil, ""
	}
	var byKind, byName []Asset
	for _, a := range inv {
		if !a.Declared || !slices.Contains(e.Kinds, a.Kind) {
			continue
		}
		byKind = append(byKind, a)
		if slices.ContainsFunc(e.Names, func(n string) bool { return strings.Contains(strings.ToLower(a.Name), strings.ToLower(n)) }) {
			byName = append(byName, a)
		}
	}
	switch {
	case len(byName) > 0:
		return byName, ""
	case len(byKind) > 0:
		return byKind, ""
	}
	return nil, fmt.Sprintf("the question concerns %s, and the inventory (assets.yaml) lists none, so it stands for all of the practice's ePHI", strings.Join(e.Kinds, ", "))
}

// inventory lists the assets of assets.yaml, then the scanned targets no entry names.
func inventory(in Inputs, endpoints []string, resolve func(string) Asset) []Asset {
	var out []Asset
	if in.Assets != nil {
		for i := range in.Assets.Entries {
			out = append(out, assetOf(&in.Assets.Entries[i], in.EPHISystems))
		}
	}
	for _, t := range endpoints {
		a := resolve(t)
		i := slices.IndexFunc(out, func(x Asset) bool { return x.Name == a.Name })
		if i < 0 {
			a.Scanned = true
			out = append(out, a)
			continue
		}
		out[i].Scanned = true
	}
	return out
}

// scopeCompleteness says why the register's scope is not all of the practice's ePHI, or "".
func scopeCompleteness(in Inputs, inv []Asset) string {
	var why []string
	if !slices.ContainsFunc(inv, func(a Asset) bool { return a.Declared }) {
		why = append(why, "the asset inventory (assets.yaml) lists no assets")
	}
	if in.Answers != nil {
		ans := in.Answers.Get(InventoryQuestion)
		switch ans.Status {
		case "":
			why = append(why, fmt.Sprintf("%s (inventory of systems, devices and vendors holding ePHI) is not answered, so nobody has confirmed the inventory is complete", InventoryQuestion))
		case questionnaire.Partial, questionnaire.NotImplemented, questionnaire.Unknown:
			w := fmt.Sprintf("the answer to %s (inventory of systems, devices and vendors holding ePHI) is %s", InventoryQuestion, ans.Status.Short())
			if n := strings.TrimSpace(ans.Notes); n != "" {
				w += ": " + strings.TrimSuffix(n, ".")
			}
			why = append(why, w)
		}
	}
	why = append(why, impliedScope(DefaultAssetSeeds(), in.Answers, in.Assets)...)
	return strings.Join(why, "; ")
}

// OpenOn counts the open risks that concern the asset of a name.
func (r *Register) OpenOn(name string) int {
	n := 0
	for _, k := range r.Risks {
		if k.Open() && slices.ContainsFunc(k.Assets, func(a Asset) bool { return a.Name == name }) {
			n++
		}
	}
	return n
}
