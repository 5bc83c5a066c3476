package register

import (
	"fmt"
	"net/netip"
	"path"
	"strings"

	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/templates/datafile"

	"go.yaml.in/yaml/v3"
)

// Exposure says who can reach an asset.
const (
	ExposureInternet = "internet"
	ExposureInternal = "internal"
	// ExposureDevice is a device carried or used outside the office: lost or stolen rather
	// than attacked over the network.
	ExposureDevice  = "device"
	ExposureUnknown = "unknown"
)

// Whether an asset handles ePHI, as the scoring rules' "ephi" condition reads it.
const (
	EPHIYes     = "yes"
	EPHINo      = "no"
	EPHIUnknown = "unknown"
)

// How much ePHI an asset holds (assets.yaml's ephi_held).
const (
	HeldNone = "none"
	HeldSome = "some"
	HeldBulk = "bulk"
)

// AssetKinds are the kinds of asset assets.yaml (schema_version 2) accepts, as its schema
// lists them.
var AssetKinds = []string{"service", "host", "server", "storage", "workstation", "laptop", "phone", "tablet",
	"network-device", "medical-device", "cloud-service", "vendor", "paper-flow"}

// KindPractice is the kind of the practice-wide asset that questionnaire gaps concerning no
// particular kind of asset attach to; it is never declared in assets.yaml.
const KindPractice = "practice area"

// CriticalityLevels are the levels of care criticality, lowest first.
var CriticalityLevels = []string{"low", "moderate", "high"}

// Criticality is how much patient care depends on an asset's confidentiality, integrity and
// availability: low, moderate or high each ("" when not stated).
type Criticality struct {
	Confidentiality string `yaml:"confidentiality,omitempty" json:"confidentiality,omitempty"`
	Integrity       string `yaml:"integrity,omitempty" json:"integrity,omitempty"`
	Availability    string `yaml:"availability,omitempty" json:"availability,omitempty"`
}

// Of returns the criticality of one dimension by name.
func (c Criticality) Of(dim string) string {
	switch dim {
	case "confidentiality":
		return c.Confidentiality
	case "integrity":
		return c.Integrity
	case "availability":
		return c.Availability
	}
	return ""
}

// Short is "C high, I moderate, A high", or "" when nothing is stated.
func (c Criticality) Short() string {
	var out []string
	for _, d := range []struct{ k, v string }{{"C", c.Confidentiality}, {"I", c.Integrity}, {"A", c.Availability}} {
		if d.v != "" {
			out = append(out, d.k+" "+d.v)
		}
	}
	return strings.Join(out, ", ")
}

// Flow is how ePHI moves from one asset to another.
type Flow struct {
	To   string `yaml:"to" json:"to"`
	What string `yaml:"what" json:"what"`
}

// AssetEntry is one asset of assets.yaml: a scanned service (named by its target patterns),
// or (schema_version 2) any other place the practice's ePHI lives or passes through.
type AssetEntry struct {
	Name    string    `yaml:"name"`
	Kind    string    `yaml:"kind,omitempty"` // "" in schema_version 1 files
	Targets []string  `yaml:"targets,omitempty"`
	EPHI    *[]string `yaml:"ephi,omitempty"` // nil: not stated
	// EPHIHeld is none, some or bulk ("" when not stated).
	EPHIHeld    string      `yaml:"ephi_held,omitempty"`
	Records     *int        `yaml:"records,omitempty"`
	Criticality Criticality `yaml:"criticality,omitempty"`
	// Exposure is internet, internal or device; empty: judged from the address.
	Exposure string `yaml:"exposure,omitempty"`
	Owner    string `yaml:"owner,omitempty"`
	Flows    []Flow `yaml:"flows,omitempty"`
	// SeededFrom is the question whose answer implied the asset (telesra assets seed), until a
	// person confirms it; "" for an asset somebody declared.
	SeededFrom string `yaml:"seeded_from,omitempty"`
}

// Assets is assets.yaml: the practice's inventory of ePHI assets.
type Assets struct {
	SchemaVersion int
	Entries       []AssetEntry
	File          string
	lines         map[string]int // entry name -> line, for errors
	root          *yaml.Node     // kept so an edit keeps the file's comments
}

// ParseAssets validates the text of an asset inventory against its schema and the assessment's
// ePHI systems, with file:line errors: names are unique, flows go to assets of the file, ePHI
// held agrees with the systems listed.
func ParseAssets(file string, data []byte, ephiSystems []string) (*Assets, error) {
	var raw struct {
		SchemaVersion int          `yaml:"schema_version"`
		Assets        []AssetEntry `yaml:"assets"`
	}
	root, err := datafile.DecodeNode(file, data, "assets.schema.json", &raw)
	if err != nil {
		return nil, err
	}
	var errs datafile.FileErrors
	names := map[string]int{}
	for i, a := range raw.Assets {
		if j, dup := names[strings.ToLower(a.Name)]; dup {
			errs = append(errs, datafile.At(file, root, fmt.Sprintf("duplicate asset name %q (also assets[%d])", a.Name, j), "assets", fmt.Sprint(i), "name"))
		} else {
			names[strings.ToLower(a.Name)] = i
		}
	}
	for i, a := range raw.Assets {
		for j, t := range a.Targets {
			if _, err := path.Match(t, ""); err != nil {
				errs = append(errs, datafile.At(file, root, fmt.Sprintf("bad pattern %q: %v", t, err), "assets", fmt.Sprint(i), "targets", fmt.Sprint(j)))
			}
		}
		for j, f := range a.Flows {
			k, ok := names[strings.ToLower(f.To)]
			switch {
			case !ok:
				errs = append(errs, datafile.At(file, root, fmt.Sprintf("flow to %q: no asset of that name in this file", f.To), "assets", fmt.Sprint(i), "flows", fmt.Sprint(j), "to"))
			case k == i:
				errs = append(errs, datafile.At(file, root, fmt.Sprintf("flow to %q: an asset does not flow to itself", f.To), "assets", fmt.Sprint(i), "flows", fmt.Sprint(j), "to"))
			}
		}
		if a.SeededFrom != "" {
			if _, ok := questionnaire.DefaultBank().Question(a.SeededFrom); !ok {
				errs = append(errs, datafile.At(file, root, fmt.Sprintf("seeded_from %q: no question of that ID in the question bank", a.SeededFrom), "assets", fmt.Sprint(i), "seeded_from"))
			}
		}
		if a.EPHIHeld == HeldNone && a.EPHI != nil && len(*a.EPHI) > 0 {
			errs = append(errs, datafile.At(file, root, "ephi_held is none but ephi lists systems: give one or the other", "assets", fmt.Sprint(i), "ephi_held"))
		}
		if a.EPHIHeld == HeldNone && a.Records != nil && *a.Records > 0 {
			errs = append(errs, datafile.At(file, root, "ephi_held is none but records is above 0", "assets", fmt.Sprint(i), "records"))
		}
		if a.EPHI == nil {
			continue
		}
		for j, s := range *a.EPHI {
			if canonicalSystem(s, ephiSystems) == "" {
				msg := fmt.Sprintf("%q is not one of organisation.ephi_systems in assessment.yaml", s)
				if len(ephiSystems) > 0 {
					msg += fmt.Sprintf(" (%s)", strings.Join(ephiSystems, ", "))
				} else {
					msg += " (assessment.yaml lists none)"
				}
				errs = append(errs, datafile.At(file, root, msg, "assets", fmt.Sprint(i), "ephi", fmt.Sprint(j)))
			}
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	out := &Assets{SchemaVersion: raw.SchemaVersion, Entries: raw.Assets, File: file, root: root, lines: map[string]int{}}
	for i, a := range raw.Assets {
		if n := datafile.Locate(root, "assets", fmt.Sprint(i)); n != nil {
			out.lines[a.Name] = n.Line
		}
	}
	return out, nil
}

// held is what an entry says of the ePHI it holds: ephi_held, or from the systems it lists
// (an empty list: none).
func (e *AssetEntry) held() string {
	switch {
	case e.EPHIHeld != "":
		return e.EPHIHeld
	case e.EPHI != nil && len(*e.EPHI) == 0:
		return HeldNone
	}
	return ""
}

// canonicalSystem returns the spelling of s in systems (compared without case), or "".
func canonicalSystem(s string, systems []string) string {
	for _, sys := range systems {
		if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(sys)) {
			return sys
		}
	}
	return ""
}

// match returns the first entry whose target patterns match the target or its host.
func (a *Assets) match(target, host string) *AssetEntry {
	if a == nil {
		return nil
	}
	for i := range a.Entries {
		for _, p := range a.Entries[i].Targets {
			if ok, _ := path.Match(p, target); ok {
				return &a.Entries[i]
			}
			if ok, _ := path.Match(p, host); ok && host != "" {
				return &a.Entries[i]
			}
		}
	}
	return nil
}

// addressExposure judges exposure from an address: loopback, private, link-local and
// shared-address-space ranges are internal, anything else is on the internet.
func addressExposure(addr string) string {
	ip, err := netip.ParseAddr(strings.Trim(addr, "[]"))
	if err != nil {
		return ExposureUnknown
	}
	ip = ip.Unmap()
	cgnat := netip.MustParsePrefix("100.64.0.0/10")
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() || cgnat.Contains(ip) {
		return ExposureInternal
	}
	return ExposureInternet
}
