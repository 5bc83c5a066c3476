package register

import (
	"fmt"
	"net/netip"
	"path"
	"strings"

	"github.com/telesra/telesra/templates/datafile"

	"go.yaml.in/yaml/v3"
)

// Exposure says who can reach an asset.
const (
	ExposureInternet = "internet"
	ExposureInternal = "internal"
	ExposureUnknown  = "unknown"
)

// Whether an asset handles ePHI, as the scoring rules' "ephi" condition reads it.
const (
	EPHIYes     = "yes"
	EPHINo      = "no"
	EPHIUnknown = "unknown"
)

// AssetEntry is one asset of assets.yaml: a name the practice uses for one or more scanned
// targets, the ePHI systems it serves and its exposure.
type AssetEntry struct {
	Name    string    `yaml:"name"`
	Targets []string  `yaml:"targets"`
	EPHI    *[]string `yaml:"ephi"` // nil: not stated
	// Exposure is internet or internal; empty: judged from the address.
	Exposure string `yaml:"exposure"`
}

// Assets is assets.yaml: what each scanned service is to the practice.
type Assets struct {
	Entries []AssetEntry
	File    string
}

// ParseAssets validates the text of an asset map against its schema and the assessment's ePHI
// systems, with file:line errors.
func ParseAssets(file string, data []byte, ephiSystems []string) (*Assets, error) {
	root, err := datafile.ParseYAML(file, data)
	if err != nil {
		return nil, err
	}
	if err := datafile.ValidateNode(file, root, "assets.schema.json"); err != nil {
		return nil, err
	}
	var raw struct {
		Assets []AssetEntry `yaml:"assets"`
	}
	if err := root.Decode(&raw); err != nil {
		return nil, &datafile.FileError{File: file, Msg: err.Error()}
	}
	var errs datafile.FileErrors
	for i, a := range raw.Assets {
		for j, t := range a.Targets {
			if _, err := path.Match(t, ""); err != nil {
				errs = append(errs, located(file, root, fmt.Sprintf("bad pattern %q: %v", t, err), "assets", fmt.Sprint(i), "targets", fmt.Sprint(j)))
			}
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
				errs = append(errs, located(file, root, msg, "assets", fmt.Sprint(i), "ephi", fmt.Sprint(j)))
			}
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return &Assets{Entries: raw.Assets, File: file}, nil
}

// located is a FileError at the node a path names in a parsed file.
func located(file string, root *yaml.Node, msg string, path ...string) *datafile.FileError {
	fe := &datafile.FileError{File: file, Field: fieldPath(path), Msg: msg}
	if n := datafile.Locate(root, path...); n != nil {
		fe.Line, fe.Column = n.Line, n.Column
	}
	return fe
}

// fieldPath renders ["assets","0","ephi","1"] as assets[0].ephi[1], the way templates does.
func fieldPath(path []string) string {
	var b strings.Builder
	for _, p := range path {
		if p != "" && p[0] >= '0' && p[0] <= '9' {
			b.WriteString("[" + p + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
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
