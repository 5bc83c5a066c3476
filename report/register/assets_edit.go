package register

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/telesra/telesra/templates/datafile"
	"go.yaml.in/yaml/v3"
)

// newAssetsText is a new inventory: what assets.yaml is for, and no asset yet.
const newAssetsText = `# The practice's inventory of ePHI: every system, device, cloud service, vendor and paper flow
# that creates, receives, keeps or sends patient information, scanned or not, with the ePHI it
# holds, its criticality for care, its exposure and how ePHI moves between assets.
# telesra report scores impact per asset from it (docs/scoring.md); edit it by hand or with
# telesra assets add / rm.
schema_version: 2
assets: []
`

// NewAssets returns an empty inventory to be saved as file.
func NewAssets(file string) *Assets {
	a, err := ParseAssets(file, []byte(newAssetsText), nil)
	if err != nil {
		panic(fmt.Sprintf("new assets.yaml: %v", err)) // a constant: a build defect
	}
	return a
}

// Find returns the entry of a name (compared without case), or nil.
func (a *Assets) Find(name string) *AssetEntry {
	for i := range a.Entries {
		if strings.EqualFold(a.Entries[i].Name, name) {
			return &a.Entries[i]
		}
	}
	return nil
}

// Add appends an asset, refusing a duplicate name, an unknown kind or level, a flow to an asset
// the inventory does not hold, and ePHI systems the assessment does not list. A version-1 file
// becomes version 2, its entries kind "service". Nothing changes when it refuses.
func (a *Assets) Add(e AssetEntry, ephiSystems []string) error {
	var why []string
	e.Name = strings.TrimSpace(e.Name)
	switch {
	case e.Name == "":
		why = append(why, "the asset needs a name")
	case a.Find(e.Name) != nil:
		why = append(why, fmt.Sprintf("an asset named %q is already in %s (names are unique; remove it first with telesra assets rm)", a.Find(e.Name).Name, a.File))
	}
	why = append(why, checkEntry(&e, ephiSystems)...)
	for _, f := range e.Flows {
		if strings.TrimSpace(f.What) == "" {
			why = append(why, fmt.Sprintf("flow to %q: say what ePHI moves (NAME:what)", f.To))
		}
		if a.Find(f.To) == nil {
			why = append(why, fmt.Sprintf("flow to %q: no asset of that name in %s (add it first)", f.To, a.File))
		}
	}
	if len(why) > 0 {
		return fmt.Errorf("refused: %s", strings.Join(why, "; "))
	}
	for i := range e.Flows {
		e.Flows[i].To = a.Find(e.Flows[i].To).Name
	}
	seq := a.upgrade()
	var n yaml.Node
	if err := n.Encode(e); err != nil {
		return fmt.Errorf("add asset: %w", err)
	}
	seq.Style = 0 // a new file's "assets: []" becomes a block list
	seq.Content = append(seq.Content, &n)
	a.Entries = append(a.Entries, e)
	return nil
}

// checkEntry is what Add and Set refuse in an asset's own fields.
func checkEntry(e *AssetEntry, ephiSystems []string) []string {
	var why []string
	if !slices.Contains(AssetKinds, e.Kind) {
		why = append(why, fmt.Sprintf("kind %q: want one of %s", e.Kind, strings.Join(AssetKinds, ", ")))
	}
	if e.EPHIHeld != "" && !slices.Contains([]string{HeldNone, HeldSome, HeldBulk}, e.EPHIHeld) {
		why = append(why, fmt.Sprintf("ePHI held %q: want none, some or bulk", e.EPHIHeld))
	}
	if e.Records != nil && *e.Records < 0 {
		why = append(why, "records: want a number of 0 or more")
	}
	if e.EPHIHeld == HeldNone && e.Records != nil && *e.Records > 0 {
		why = append(why, "ePHI held is none but records is above 0")
	}
	for _, d := range []struct{ name, v string }{{"confidentiality", e.Criticality.Confidentiality}, {"integrity", e.Criticality.Integrity}, {"availability", e.Criticality.Availability}} {
		if d.v != "" && !slices.Contains(CriticalityLevels, d.v) {
			why = append(why, fmt.Sprintf("%s %q: want low, moderate or high", d.name, d.v))
		}
	}
	if e.Exposure != "" && !slices.Contains([]string{ExposureInternet, ExposureInternal, ExposureDevice}, e.Exposure) {
		why = append(why, fmt.Sprintf("exposure %q: want internet, internal or device", e.Exposure))
	}
	for _, t := range e.Targets {
		if _, err := path.Match(t, ""); err != nil {
			why = append(why, fmt.Sprintf("target %q: bad pattern: %v", t, err))
		}
	}
	if e.EPHI != nil {
		if e.EPHIHeld == HeldNone && len(*e.EPHI) > 0 {
			why = append(why, "ePHI held is none but ePHI systems are given")
		}
		for _, s := range *e.EPHI {
			if canonicalSystem(s, ephiSystems) == "" {
				why = append(why, fmt.Sprintf("ePHI system %q is not one of organisation.ephi_systems in assessment.yaml (%s)", s, strings.Join(ephiSystems, ", ")))
			}
		}
	}
	return why
}

// AssetChange is what `telesra assets set` changes of an asset: each field set replaces the
// asset's ("" and nil leave it as it is).
type AssetChange struct {
	Kind, EPHIHeld, Exposure, Owner string
	Records                         *int
	Criticality                     Criticality
}

// Empty reports whether the change changes nothing.
func (c AssetChange) Empty() bool { return c == AssetChange{} }

// Set changes the fields of an asset a change gives, refusing what Add would refuse of them.
// The asset keeps its name, targets, flows and comments; nothing changes when it refuses.
func (a *Assets) Set(name string, c AssetChange, ephiSystems []string) error {
	i := slices.IndexFunc(a.Entries, func(x AssetEntry) bool { return strings.EqualFold(x.Name, name) })
	if i < 0 {
		return a.noSuch(name)
	}
	seq := a.upgrade() // a version-1 entry gets its kind before it is checked
	e := a.Entries[i]
	e.Kind = cmp.Or(c.Kind, e.Kind)
	e.EPHIHeld = cmp.Or(c.EPHIHeld, e.EPHIHeld)
	e.Exposure = cmp.Or(c.Exposure, e.Exposure)
	e.Owner = cmp.Or(c.Owner, e.Owner)
	if c.Records != nil {
		e.Records = c.Records
	}
	e.Criticality.Confidentiality = cmp.Or(c.Criticality.Confidentiality, e.Criticality.Confidentiality)
	e.Criticality.Integrity = cmp.Or(c.Criticality.Integrity, e.Criticality.Integrity)
	e.Criticality.Availability = cmp.Or(c.Criticality.Availability, e.Criticality.Availability)
	if why := checkEntry(&e, ephiSystems); len(why) > 0 {
		return fmt.Errorf("refused: %s", strings.Join(why, "; "))
	}
	n := seq.Content[i]
	for _, kv := range []struct{ key, v string }{{"kind", c.Kind}, {"ephi_held", c.EPHIHeld}, {"exposure", c.Exposure}, {"owner", c.Owner}} {
		if kv.v != "" {
			setScalar(n, kv.key, kv.v)
		}
	}
	if c.Records != nil {
		setScalar(n, "records", strconv.Itoa(*c.Records))
	}
	if c.Criticality != (Criticality{}) {
		crit := mapValue(n, "criticality")
		if crit == nil {
			crit = &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "criticality"}, crit)
		}
		for _, d := range []string{"confidentiality", "integrity", "availability"} {
			if v := c.Criticality.Of(d); v != "" {
				setScalar(crit, d, v)
			}
		}
	}
	a.Entries[i] = e
	return nil
}

// noSuch is the refusal for a name the inventory does not hold.
func (a *Assets) noSuch(name string) error {
	var names []string
	for _, x := range a.Entries {
		names = append(names, x.Name)
	}
	return fmt.Errorf("refused: no asset named %q in %s (it has: %s)", name, a.File, strings.Join(names, ", "))
}

// Remove deletes an asset. It refuses when other assets flow to it, unless force, which also
// removes those flows (returned, as "FROM -> TO: what").
func (a *Assets) Remove(name string, force bool) ([]string, error) {
	i := slices.IndexFunc(a.Entries, func(x AssetEntry) bool { return strings.EqualFold(x.Name, name) })
	if i < 0 {
		return nil, a.noSuch(name)
	}
	target := a.Entries[i].Name
	var into []string
	for _, x := range a.Entries {
		for _, f := range x.Flows {
			if strings.EqualFold(f.To, target) {
				into = append(into, fmt.Sprintf("%s -> %s: %s", x.Name, target, f.What))
			}
		}
	}
	if len(into) > 0 && !force {
		return nil, fmt.Errorf("refused: other assets flow to %q (%s); remove those flows first, or give --force to remove them with it", target, strings.Join(into, "; "))
	}
	seq := a.seq()
	seq.Content = slices.Delete(seq.Content, i, i+1)
	a.Entries = slices.Delete(a.Entries, i, i+1)
	for j := range a.Entries {
		kept := a.Entries[j].Flows[:0]
		var keptNodes []*yaml.Node
		flows := mapValue(seq.Content[j], "flows")
		for k, f := range a.Entries[j].Flows {
			if strings.EqualFold(f.To, target) {
				continue
			}
			kept = append(kept, f)
			if flows != nil {
				keptNodes = append(keptNodes, flows.Content[k])
			}
		}
		a.Entries[j].Flows = kept
		if flows != nil {
			flows.Content = keptNodes
			if len(keptNodes) == 0 {
				deleteKey(seq.Content[j], "flows")
			}
		}
	}
	return into, nil
}

// Marshal renders the inventory, keeping the comments of the file it was read from.
func (a *Assets) Marshal() ([]byte, error) {
	data, err := datafile.EncodeYAML(a.root)
	if err != nil {
		return nil, fmt.Errorf("marshal assets: %w", err)
	}
	return data, nil
}

// seq is the node of the assets list.
func (a *Assets) seq() *yaml.Node {
	return mapValue(a.root, "assets")
}

// upgrade makes a version-1 file version 2 (every entry a scanned service) and returns the
// assets list.
func (a *Assets) upgrade() *yaml.Node {
	seq := a.seq()
	if a.SchemaVersion == 2 {
		return seq
	}
	mapValue(a.root, "schema_version").Value = "2"
	for i, n := range seq.Content {
		if a.Entries[i].Kind == "" {
			a.Entries[i].Kind = "service"
			k := &yaml.Node{Kind: yaml.ScalarNode, Value: "kind"}
			v := &yaml.Node{Kind: yaml.ScalarNode, Value: "service"}
			n.Content = slices.Insert(n.Content, min(2, len(n.Content)), k, v)
		}
	}
	a.SchemaVersion = 2
	return seq
}

// mapValue returns the value of a key in a mapping node, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func deleteKey(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = slices.Delete(m.Content, i, i+2)
			return
		}
	}
}
