package patch

import (
	"fmt"
	"strings"

	"github.com/telesra/telesra/checks"
)

// Whether a vulnerability applies to what a banner announces, and how sure that is.

// affects reports whether the upstream version is in one of v's ranges, and the release that
// fixes it in that range ("" when the branch has no fix).
func (v *Vuln) affects(eco Ecosystem, ver Version) (bool, string) {
	for _, rg := range v.Affected {
		if rg.Introduced != "0" {
			iv, err := ParseVersion(eco, rg.Introduced)
			if err != nil || ver.Compare(iv) < 0 {
				continue
			}
		}
		switch {
		case rg.Fixed != "":
			fv, err := ParseVersion(eco, rg.Fixed)
			if err == nil && ver.Compare(fv) < 0 {
				return true, rg.Fixed
			}
		case rg.LastAffected != "":
			lv, err := ParseVersion(eco, rg.LastAffected)
			if err == nil && ver.Compare(lv) <= 0 {
				return true, ""
			}
		default:
			return true, ""
		}
	}
	return false, ""
}

func (v *Vuln) distroFix(distro, release string) *DistroFix {
	for i := range v.Distros {
		if v.Distros[i].Distro == distro && cycleKey(v.Distros[i].Release) == cycleKey(release) {
			return &v.Distros[i]
		}
	}
	return nil
}

// notApplicable is why the endpoint's configuration rules v out ("" when it does not): a flaw
// that needs HTTP/2 on an endpoint that offers none, a Windows-only flaw with no sign of Windows.
func notApplicable(v *Vuln, cond Conditions, d *Product) string {
	if v.Requires == "http2" && cond.HTTP2Checked && cond.HTTP2 == "" {
		return "needs HTTP/2; the endpoint offers neither h2 in TLS ALPN nor an h2c upgrade"
	}
	if v.Platform == "windows" && cond.Windows == "" && (d == nil || d.ID != "windows-server") {
		return "affects Windows only; nothing on this endpoint shows Windows (no IIS, HTTP.sys or Windows banner)"
	}
	return ""
}

// backported is the reason a distribution match is only potential.
const backported = "distribution package, fixes may be backported"

// judgeVuln decides whether v applies and how sure we are.
func judgeVuln(kb *KB, r *Report, p, d *Product, releases []*Cycle, implicit []shipper, v *Vuln, ver, pkg Version, platform string, cond Conditions) (VulnMatch, bool) {
	windows := platform == "windows" || d != nil && d.ID == "windows-server" || cond.Windows != ""
	unix := d != nil && d.ID != "windows-server" || r.Build == BuildDistribution
	if v.Platform == "windows" && unix && !windows || v.Platform == "unix" && windows {
		return VulnMatch{}, false
	}
	inRange, fixedIn := v.affects(p.Versioning, ver)
	m := VulnMatch{ID: v.ID, Title: v.Title, CVSS: v.CVSS, Confidence: checks.Confirmed, References: v.References}
	var fixes []string
	if fixedIn != "" {
		fixes = append(fixes, fmt.Sprintf("upgrade %s to %s or later", p.Name, fixedIn))
	} else if inRange {
		fixes = append(fixes, fmt.Sprintf("no fixed %s release in this branch: upgrade to a supported release", p.Name))
	}
	switch {
	case r.Build == BuildDistribution && d != nil && len(releases) == 1:
		df := v.distroFix(d.ID, releases[0].Cycle)
		switch {
		case df != nil && df.Status == "not-affected":
			return VulnMatch{}, false
		case df != nil && df.Fixed != "" && !pkg.IsZero():
			fv, err := ParseVersion(d.Versioning, df.Fixed)
			if err != nil || pkg.Compare(fv) >= 0 {
				return VulnMatch{}, false // the installed package has the fix
			}
			m.Reason = fmt.Sprintf("package %s is older than %s's fixed %s", r.Package, releaseName(d, releases[0]), df.Fixed)
			fixes = []string{distroFixText(d, releases[0], df)}
		case df != nil && df.Fixed != "":
			if !inRange {
				return VulnMatch{}, false
			}
			m.Confidence = checks.Potential
			m.Reason = fmt.Sprintf("%s; the banner gives no package version to compare with %s's fixed %s", backported, releaseName(d, releases[0]), df.Fixed)
			fixes = append([]string{distroFixText(d, releases[0], df)}, fixes...)
		default:
			if !inRange {
				return VulnMatch{}, false
			}
			m.Confidence, m.Reason = checks.Potential, fmt.Sprintf("%s; the knowledge base records no fixed package of %s for %s",
				backported, p.Name, releaseName(d, releases[0]))
		}
	case r.Build == BuildDistribution:
		if !inRange {
			return VulnMatch{}, false
		}
		if d != nil && len(releases) > 0 {
			unaffected := true
			for _, c := range releases {
				if df := v.distroFix(d.ID, c.Cycle); df == nil || df.Status != "not-affected" {
					unaffected = false
				}
			}
			if unaffected {
				return VulnMatch{}, false
			}
		}
		m.Confidence, m.Reason = checks.Potential, backported
	case r.Build == BuildMaybeDistribution:
		if !inRange {
			return VulnMatch{}, false
		}
		var names []string
		for _, s := range implicit {
			n := s.label()
			if df := v.distroFix(s.distro.ID, s.release.Cycle); df != nil {
				if df.Status == "not-affected" {
					n += ": not affected"
				} else {
					n += ": fixed in " + df.Fixed
				}
			}
			names = append(names, n)
		}
		m.Confidence = checks.Potential
		m.Reason = "the banner names no distribution, but the version matches the package of " + strings.Join(names, ", ") +
			"; a distribution package may carry the fix"
	default: // vendor or platform build: the version is the patch level
		if !inRange {
			return VulnMatch{}, false
		}
		if p.Backports && r.Build == BuildVendor {
			// The banner names no distribution, yet distributions ship this product patched under
			// the upstream version: the version alone does not prove the flaw.
			m.Confidence = checks.Potential
			m.Reason = fmt.Sprintf("version-only match: distributions patch %s without changing its upstream version and the banner names none", p.Name)
		}
	}
	switch {
	case v.Requires == "http2" && cond.HTTP2Checked:
		cond := "HTTP/2 offered (" + cond.HTTP2 + ")"
		if m.Reason == "" {
			m.Reason = cond
		} else {
			m.Reason += "; " + cond
		}
	case v.Requires == "http2":
		v2 := *v
		v2.Condition = strings.TrimPrefix(v.Condition+"; ", "; ") + "only when HTTP/2 is enabled (not probed)"
		v = &v2
	}
	if v.Condition != "" {
		if m.Confidence == checks.Confirmed {
			m.Reason = v.Condition
		} else {
			m.Reason += "; " + v.Condition
		}
		m.Confidence = checks.Potential
	}
	if k, ok := kb.KEV(v.ID); ok {
		m.KEV = &k
	}
	m.Fix = strings.Join(fixes, ", or ")
	return m, true
}

func distroFixText(d *Product, c *Cycle, df *DistroFix) string {
	s := fmt.Sprintf("install %s's package %s or later", releaseName(d, c), df.Fixed)
	if df.Advisory != "" {
		s += " (" + df.Advisory + ")"
	}
	return s
}
