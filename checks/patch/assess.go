package patch

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/telesra/telesra/checks"
)

// Build says who built what the banner announces: that decides whether the upstream version
// alone tells the patch level.
type Build string

const (
	// BuildVendor: an upstream or vendor build; its version is its patch level.
	BuildVendor Build = "vendor"
	// BuildDistribution: a distribution package (the banner names the distribution); fixes are
	// backported without changing the upstream version.
	BuildDistribution Build = "distribution"
	// BuildMaybeDistribution: the banner names no distribution, but the version is exactly one a
	// distribution ships: it may be that package, with backported fixes.
	BuildMaybeDistribution Build = "possibly-distribution"
	// BuildPlatform: the product only ships with a platform (IIS with Windows).
	BuildPlatform Build = "platform"
)

// Report is what the patch family concluded about one product announced by an endpoint.
type Report struct {
	Product     string        `json:"product"` // knowledge-base ID, or the announced name when unknown
	Name        string        `json:"name"`
	Known       bool          `json:"known"`
	Version     string        `json:"version,omitempty"`
	Build       Build         `json:"build,omitempty"`
	Distro      string        `json:"distro,omitempty"`   // distribution named by the banner (resolved name)
	Releases    []string      `json:"releases,omitempty"` // which release(s) of it, named or inferred
	Package     string        `json:"package,omitempty"`  // package version compared, with its epoch
	Matches     []string      `json:"matches,omitempty"`  // possibly-distribution: the releases that ship this version
	Cycle       string        `json:"cycle,omitempty"`
	Support     Support       `json:"support"`
	SupportNote string        `json:"support_note"`
	EOL         *EOLJudgement `json:"eol,omitempty"`
	Vulns       []VulnMatch   `json:"vulns,omitempty"`
	Sources     []string      `json:"sources"`
	Evidence    []string      `json:"evidence"`
	Disclosed   bool          `json:"disclosed"`
	Platform    string        `json:"platform,omitempty"`
	// NotApplicable lists flaws whose version range matches but whose condition the endpoint
	// shows is not met (no HTTP/2, no Windows), with the reason.
	NotApplicable []NotApplicable `json:"not_applicable,omitempty"`

	hideVersion string
}

// NotApplicable is a vulnerability the version matches but the endpoint's configuration rules out.
type NotApplicable struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// Conditions is what the probes saw about an endpoint beyond its banners: the configuration some
// flaws need.
type Conditions struct {
	// HTTP2 is how the endpoint offers HTTP/2 ("h2" in ALPN, "h2c" by upgrade, "" not at all);
	// HTTP2Checked is false when nothing probed it, and then HTTP2 says nothing.
	HTTP2        string
	HTTP2Checked bool
	// Windows is evidence that the host runs Windows (a banner, IIS), "" when none was seen.
	Windows string
}

// EOLJudgement is a release past its end of life.
type EOLJudgement struct {
	Subject  string `json:"subject"` // "nginx 1.16", "Debian 9 (stretch)"
	Key      string `json:"key"`     // stable: "nginx:1.16", "debian:9"
	EOL      string `json:"eol"`     // end of free security support
	Months   int    `json:"months_since"`
	Extended string `json:"extended,omitempty"` // paid extended support still running: "Ubuntu Pro ESM until 2028-04-01"
	// ExtendedEnded: paid extended support existed and has ended too ("Extended Security Updates ended 2026-10-13").
	ExtendedEnded string            `json:"extended_ended,omitempty"`
	Confidence    checks.Confidence `json:"confidence"`
	Reason        string            `json:"reason,omitempty"` // why it is only potential
	Note          string            `json:"note,omitempty"`   // the knowledge base's remark on the release
	Upgrade       string            `json:"upgrade"`
	// JudgedBy says whose life cycle applied: the distribution's or upstream's.
	JudgedBy string `json:"judged_by"`
	// VersionOnly: the judgement rests on the upstream version alone while a supported
	// distribution ships that version, so its severity is capped.
	VersionOnly bool `json:"version_only,omitempty"`
}

// VulnMatch is a vulnerability whose range covers the announced version.
type VulnMatch struct {
	ID         string            `json:"id"`
	Title      string            `json:"title"`
	CVSS       float64           `json:"cvss,omitempty"`
	KEV        *KEV              `json:"kev,omitempty"`
	Confidence checks.Confidence `json:"confidence"`
	Reason     string            `json:"reason,omitempty"`
	Fix        string            `json:"fix"`
	References []string          `json:"references,omitempty"`
}

// reading is one way to read a banner's support status: the upstream release cycle, or a
// distribution release that ships that version.
type reading struct {
	subject string
	key     string
	owner   *Product
	cycle   *Cycle
	status  Support
}

// Assess judges every fingerprint of an endpoint on day now. Fingerprints of the same product and
// version merge (a Server header and a recognizer saying the same thing are one product).
func Assess(kb *KB, fps []Fingerprint, now time.Time) []Report {
	return AssessWith(kb, fps, now, Conditions{})
}

// AssessWith is Assess with what the probes saw of the endpoint's configuration.
func AssessWith(kb *KB, fps []Fingerprint, now time.Time, cond Conditions) []Report {
	if cond.Windows == "" {
		cond.Windows = windowsEvidence(kb, fps)
	}
	type key struct{ product, version string }
	merged := map[key]*Fingerprint{}
	var order []key
	srcs := map[key][]string{}
	evs := map[key][]string{}
	for _, fp := range fps {
		id := fp.Product
		if p := kb.Lookup(fp.Product); p != nil {
			id = p.ID
		}
		k := key{id, strings.ToLower(fp.Version)}
		if m, ok := merged[k]; ok {
			// Prefer what a banner says about the distribution over what a recognizer guessed.
			if m.Distro == "" && fp.Distro != "" {
				m.Distro, m.Release, m.Package = fp.Distro, fp.Release, fp.Package
			}
			m.Disclosed = m.Disclosed || fp.Disclosed
		} else {
			c := fp
			merged[k] = &c
			order = append(order, k)
		}
		srcs[k] = appendUnique(srcs[k], fp.Source)
		evs[k] = appendUnique(evs[k], fp.Evidence)
	}
	// A product announced without a version adds nothing when the same product came with one.
	var out []Report
	for _, k := range order {
		if k.version == "" {
			covered := false
			for _, o := range order {
				if o.product == k.product && o.version != "" {
					covered = true
				}
			}
			if covered {
				continue
			}
		}
		r := judge(kb, *merged[k], now, cond)
		r.Sources, r.Evidence = srcs[k], evs[k]
		out = append(out, r)
	}
	return out
}

func appendUnique(ss []string, s string) []string {
	if s == "" {
		return ss
	}
	for _, x := range ss {
		if x == s {
			return ss
		}
	}
	return append(ss, s)
}

// windowsEvidence names the fingerprint that shows the host runs Windows ("" for none): a banner
// that says so, or a product that only ships with Windows (IIS, HTTP.sys, ASP.NET).
func windowsEvidence(kb *KB, fps []Fingerprint) string {
	for _, fp := range fps {
		p := kb.Lookup(fp.Product)
		switch {
		case fp.Platform == "windows":
		case p != nil && (p.Bundled == "windows-server" || p.ID == "windows-httpapi" || p.ID == "aspnet" || p.ID == "exchange"):
		default:
			continue
		}
		if fp.Evidence != "" {
			return fp.Evidence
		}
		return strings.TrimSpace(fp.Name + " " + fp.Version)
	}
	return ""
}

// judge decides one product's support status and vulnerabilities.
func judge(kb *KB, fp Fingerprint, now time.Time, cond Conditions) Report {
	r := Report{Product: fp.Product, Name: fp.Name, Version: fp.Version, Disclosed: fp.Disclosed, Platform: fp.Platform,
		Support: Unknown}
	p := kb.Lookup(fp.Product)
	if p == nil || p.Distribution {
		r.SupportNote = "not in the knowledge base"
		return r
	}
	r.Product, r.Name, r.Known, r.hideVersion = p.ID, p.Name, true, p.HideVersion
	if fp.Version == "" {
		r.SupportNote = "version not disclosed"
		return r
	}
	ver, err := ParseVersion(p.Versioning, fp.Version)
	if err != nil {
		r.SupportNote = fmt.Sprintf("version %q not understood", fp.Version)
		return r
	}

	// Who built it?
	var (
		d        *Product
		releases []*Cycle
		implicit []shipper
	)
	switch {
	case p.Bundled != "":
		d = kb.Product(p.Bundled)
		r.Build = BuildPlatform
		if d != nil {
			releases = shippedBy(d, p.ID, fp.Version)
		}
	case fp.Distro != "":
		r.Build = BuildDistribution
		if dd := kb.Lookup(fp.Distro); dd != nil && dd.Distribution {
			d = dd
			if fp.Release != "" {
				if c := d.Release(fp.Release); c != nil {
					releases = []*Cycle{c}
				}
			}
			if len(releases) == 0 {
				releases = shippedBy(d, p.ID, fp.Version)
			}
		} else {
			r.Distro = checks.Clean(fp.Distro, 40)
		}
	case fp.Platform != "windows":
		implicit = kb.shippers(p.ID, fp.Version)
		if len(implicit) > 0 {
			r.Build = BuildMaybeDistribution
		}
	}
	if r.Build == "" {
		r.Build = BuildVendor
	}
	if d != nil {
		r.Distro = d.Name
		for _, c := range releases {
			r.Releases = append(r.Releases, c.Cycle)
		}
	}
	for _, s := range implicit {
		r.Matches = append(r.Matches, s.label())
	}

	// The package version, when the banner gives it, in the distribution's ordering.
	var pkg Version
	esm := false
	if d != nil && fp.Package != "" && (d.Versioning == Deb || d.Versioning == RPM) {
		full := fp.Package
		if e := d.Epochs[p.ID]; e > 0 && !strings.Contains(full, ":") {
			full = fmt.Sprintf("%d:%s", e, full)
		}
		if v, err := ParseVersion(d.Versioning, full); err == nil {
			pkg, r.Package = v, full
		}
		esm = d.ID == "ubuntu" && strings.Contains(fp.Package, "esm")
	}

	// Support: every plausible reading of the banner, then the verdict they allow.
	var readings []reading
	upstreamKnown := false
	if d != nil && len(releases) > 0 {
		for _, c := range releases {
			st := c.Status(now)
			if esm && st == ExtendedPaid {
				st = Supported // the package itself comes from Ubuntu Pro ESM
			}
			readings = append(readings, reading{subject: releaseName(d, c), key: d.ID + ":" + c.Cycle, owner: d, cycle: c, status: st})
		}
	} else if r.Build == BuildVendor || r.Build == BuildMaybeDistribution {
		if c := p.CycleFor(fp.Version); c != nil {
			r.Cycle = c.Cycle
			readings = append(readings, reading{subject: p.Name + " " + c.Cycle, key: p.ID + ":" + c.Cycle, owner: p, cycle: c, status: c.Status(now)})
			upstreamKnown = true
		} else if first := oldestCycle(p); first != nil && olderThanCycle(p, ver, first) && first.Status(now) == EndOfLife {
			// Older than the oldest branch the snapshot records, which is itself past end of life.
			readings = append(readings, reading{subject: p.Name + " " + fp.Version + " (older than " + first.Cycle + ")",
				key: p.ID + ":<" + first.Cycle, owner: p, cycle: first, status: EndOfLife})
			upstreamKnown = true
		}
		for _, s := range implicit {
			readings = append(readings, reading{subject: s.label(), key: s.distro.ID + ":" + s.release.Cycle, owner: s.distro, cycle: s.release,
				status: s.release.Status(now)})
		}
	}
	judgeSupport(&r, p, d, readings, upstreamKnown, vendorBuildPossible(p, fp.Version), now)

	// Vulnerabilities.
	for _, v := range kb.Vulns(p.ID) {
		if reason := notApplicable(v, cond, d); reason != "" {
			if in, _ := v.affects(p.Versioning, ver); in {
				r.NotApplicable = append(r.NotApplicable, NotApplicable{ID: v.ID, Reason: reason})
			}
			continue
		}
		if m, ok := judgeVuln(kb, &r, p, d, releases, implicit, v, ver, pkg, fp.Platform, cond); ok {
			r.Vulns = append(r.Vulns, m)
		}
	}
	sort.SliceStable(r.Vulns, func(i, j int) bool {
		a, b := r.Vulns[i], r.Vulns[j]
		if (a.KEV != nil) != (b.KEV != nil) {
			return a.KEV != nil
		}
		if a.CVSS != b.CVSS {
			return a.CVSS > b.CVSS
		}
		return a.ID < b.ID
	})
	return r
}

// vendorBuildPossible reports whether an upstream or vendor build could announce this version.
// OpenSSH's portable releases always carry a "pN" suffix; a bare "7.4" is Red Hat's (or OpenBSD's
// own) build, so the distribution readings are the only ones.
func vendorBuildPossible(p *Product, version string) bool {
	if p.Versioning == OpenSSH {
		return portableRE.MatchString(strings.ToLower(version))
	}
	return true
}

// shipper is a distribution release that ships a product version.
type shipper struct {
	distro  *Product
	release *Cycle
}

func (s shipper) label() string { return releaseName(s.distro, s.release) }

func releaseName(d *Product, c *Cycle) string {
	n := d.Name + " " + c.Cycle
	if c.Codename != "" {
		n += " (" + c.Codename + ")"
	}
	return n
}

// shippers returns every distribution release whose packages announce this version.
func (kb *KB) shippers(product, version string) []shipper {
	var out []shipper
	for _, d := range kb.Distributions() {
		if slices.Contains(d.Announces, product) {
			continue // its banners would carry the package version
		}
		for _, c := range shippedBy(d, product, version) {
			out = append(out, shipper{d, c})
		}
	}
	return out
}

// shippedBy returns the releases of d whose packages announce this version of product.
func shippedBy(d *Product, product, version string) []*Cycle {
	var out []*Cycle
	for _, c := range d.Cycles {
		for _, v := range c.Ships[product] {
			// "6.0.3790" ships "6.0.3790.4675": a build number may follow the shipped version.
			if strings.EqualFold(v, version) || strings.HasPrefix(strings.ToLower(version), strings.ToLower(v)+".") {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

func oldestCycle(p *Product) *Cycle {
	if len(p.Cycles) == 0 {
		return nil
	}
	return p.Cycles[0]
}

func olderThanCycle(p *Product, v Version, c *Cycle) bool {
	prefix := c.Versions
	if prefix == "" {
		prefix = c.Cycle
	}
	cv, err := ParseVersion(p.Versioning, prefix)
	return err == nil && v.Compare(cv) < 0
}

// judgeSupport turns the readings into the report's support status and, when every reading is
// past its end of life, an EOL judgement: confirmed when no reading leaves room for support,
// potential when paid extended support may still run or the build is uncertain.
func judgeSupport(r *Report, p, d *Product, readings []reading, upstreamKnown, vendorPossible bool, now time.Time) {
	if len(readings) == 0 {
		switch {
		case r.Build == BuildDistribution && d == nil:
			r.SupportNote = fmt.Sprintf("package of %s, a distribution the knowledge base does not cover", r.Distro)
		case d != nil:
			r.SupportNote = fmt.Sprintf("%s package; the %s release was not identified", d.Name, d.Name)
		case len(p.Cycles) == 0:
			r.SupportNote = "no life-cycle data (judged by vulnerabilities only)"
		default:
			r.SupportNote = "release cycle not in the knowledge base snapshot"
		}
		return
	}
	var supported []reading
	allHard := true
	var extended []string
	for _, rd := range readings {
		switch rd.status {
		case Supported, LTS, NotAnnounced:
			supported = append(supported, rd)
		case ExtendedPaid:
			allHard = false
			extended = append(extended, fmt.Sprintf("%s until %s for %s", rd.cycle.ExtendedName, date(rd.cycle.Extended), rd.subject))
		case EndOfLife:
		default:
			allHard = false
		}
	}
	if len(supported) > 0 {
		best := supported[0]
		r.Support = best.status
		r.SupportNote = supportNote(best)
		if r.Build == BuildMaybeDistribution && best.owner.Distribution {
			r.SupportNote = "as the package of " + supportNote(best)
			if upstreamKnown && readings[0].status == EndOfLife {
				r.SupportNote += fmt.Sprintf(" (upstream %s ended %s)", readings[0].subject, date(readings[0].cycle.EOL))
				r.EOL = versionOnlyEOL(p, readings[0], supported, now)
			}
		}
		return
	}
	if r.Build == BuildMaybeDistribution && !upstreamKnown && vendorPossible {
		// Every distribution that ships this version has ended it, but the banner may as well come
		// from a vendor build, for which the knowledge base has no life cycle: nothing to claim.
		r.SupportNote = fmt.Sprintf("no life-cycle data for vendor builds; the version matches %s (end of life)", strings.Join(r.Matches, ", "))
		return
	}
	// Every reading is past end of life (or in paid extended support).
	first := readings[0]
	j := &EOLJudgement{Subject: first.subject, Key: first.key, EOL: date(first.cycle.EOL), Months: monthsBetween(first.cycle.EOL, now),
		Confidence: checks.Confirmed, Note: first.cycle.Note, Upgrade: upgradeAdvice(p, d, first, now)}
	if (d != nil || !upstreamKnown) && len(readings) > 1 {
		var names []string
		for _, rd := range readings {
			names = append(names, rd.subject)
		}
		j.Subject = strings.Join(names, " or ")
	}
	if !first.cycle.Extended.IsZero() && !now.Before(first.cycle.Extended) {
		j.ExtendedEnded = fmt.Sprintf("%s ended %s", first.cycle.ExtendedName, date(first.cycle.Extended))
	}
	j.JudgedBy = "upstream life cycle (" + p.Name + ")"
	if first.owner.Distribution {
		j.JudgedBy = "distribution support (" + first.owner.Name + ")"
	}
	var reasons []string
	if len(extended) > 0 {
		reasons = append(reasons, "paid extended support may still cover it ("+strings.Join(extended, "; ")+")")
		j.Extended = strings.Join(extended, "; ")
	}
	if r.Build == BuildMaybeDistribution && !upstreamKnown {
		reasons = append(reasons, "the banner names no distribution; the version matches "+strings.Join(r.Matches, ", "))
	}
	if !allHard {
		j.Confidence = checks.Potential
		j.Reason = strings.Join(reasons, "; ")
	}
	r.EOL = j
	r.Support = EndOfLife
	if len(extended) > 0 && !allHard {
		r.Support = ExtendedPaid
	}
	r.SupportNote = fmt.Sprintf("%s: end of life since %s", j.Subject, j.EOL)
	if r.Support == ExtendedPaid {
		r.SupportNote += " (" + j.Extended + ")"
	}
}

// versionOnlyEOL is the potential end of life of a banner that names no distribution: upstream
// ended the branch, but distributions that ship exactly this version still support it, so the
// finding names them and its severity is capped.
func versionOnlyEOL(p *Product, upstream reading, supported []reading, now time.Time) *EOLJudgement {
	var names []string
	for _, rd := range supported {
		if rd.owner.Distribution {
			names = append(names, supportNote(rd))
		}
	}
	return &EOLJudgement{
		Subject: upstream.subject, Key: upstream.key, EOL: date(upstream.cycle.EOL), Months: monthsBetween(upstream.cycle.EOL, now),
		Confidence: checks.Potential, VersionOnly: true, Note: upstream.cycle.Note,
		Reason: "the banner names no distribution, and this is the version " + strings.Join(names, "; ") +
			": if it is that package, it is supported",
		Upgrade:  upgradeAdvice(p, nil, upstream, now),
		JudgedBy: "upstream life cycle (" + p.Name + "); distribution support would apply to a distribution package",
	}
}

func supportNote(rd reading) string {
	switch rd.status {
	case LTS:
		return fmt.Sprintf("%s, long-term support until %s", rd.subject, date(rd.cycle.EOL))
	case NotAnnounced:
		return fmt.Sprintf("%s, supported (no end date in the snapshot)", rd.subject)
	}
	return fmt.Sprintf("%s, supported until %s", rd.subject, date(rd.cycle.EOL))
}

// upgradeAdvice names the supported releases to move to.
func upgradeAdvice(p, d *Product, rd reading, now time.Time) string {
	owner := rd.owner
	var names []string
	cs := owner.SupportedCycles(now)
	for i := len(cs) - 1; i >= 0 && len(names) < 2; i-- {
		c := cs[i]
		n := owner.Name + " " + c.Cycle
		if c.Codename != "" {
			n += " (" + c.Codename + ")"
		}
		if !c.EOL.IsZero() {
			n += ", supported until " + date(c.EOL)
		}
		names = append(names, n)
	}
	var b strings.Builder
	switch {
	case len(names) > 0:
		fmt.Fprintf(&b, "Upgrade to a supported release: %s.", strings.Join(names, "; or "))
		if owner != p && owner.Upgrade != "" {
			b.WriteString(" " + owner.Upgrade)
		}
	case owner.Upgrade != "":
		b.WriteString(owner.Upgrade)
	default:
		fmt.Fprintf(&b, "Upgrade to a release %s still supports.", owner.Name)
	}
	if owner != p {
		fmt.Fprintf(&b, " %s comes with the new release.", p.Name)
	}
	return b.String()
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// monthsBetween counts whole months from a to b (0 when b is before a).
func monthsBetween(a, b time.Time) int {
	if a.IsZero() || b.Before(a) {
		return 0
	}
	m := (b.Year()-a.Year())*12 + int(b.Month()-a.Month())
	if b.Day() < a.Day() {
		m--
	}
	return max(m, 0)
}

// Line is the report's one-line verdict: product, version, build, support and matches.
func (r Report) Line() string {
	var b strings.Builder
	b.WriteString(r.Name)
	if r.Version != "" {
		b.WriteString(" " + r.Version)
	}
	switch {
	case r.Package != "":
		fmt.Fprintf(&b, " (%s package %s)", r.Distro, r.Package)
	case r.Build == BuildDistribution && r.Distro != "":
		fmt.Fprintf(&b, " (%s package)", r.Distro)
	}
	if r.SupportNote != "" {
		b.WriteString(": " + r.SupportNote)
	}
	var kev, cve, potential int
	for _, v := range r.Vulns {
		if v.KEV != nil {
			kev++
		} else {
			cve++
		}
		if v.Confidence == checks.Potential {
			potential++
		}
	}
	if kev+cve > 0 {
		var parts []string
		if kev > 0 {
			parts = append(parts, fmt.Sprintf("%d KEV", kev))
		}
		if cve > 0 {
			parts = append(parts, fmt.Sprintf("%d CVE", cve))
		}
		fmt.Fprintf(&b, "; %s", strings.Join(parts, ", "))
		if potential == kev+cve {
			b.WriteString(" (potential)")
		} else if potential > 0 {
			fmt.Fprintf(&b, " (%d potential)", potential)
		}
	}
	return b.String()
}
