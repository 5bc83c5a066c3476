// Package patch is the patch-level check family: it reads what endpoints announce (SSH banners,
// HTTP Server and X-Powered-By headers, generator tags, SMTP/FTP/POP3/IMAP greetings, certificate
// hints, and products a Recognizer finds), normalises it to product, version, distribution and
// package revision, and judges it offline against a dated knowledge base of life cycles, CISA KEV
// entries and CVE ranges. A distribution package is judged by its distribution's fixed package
// version when the knowledge base has it; otherwise a match is only potential, because
// distributions backport fixes without changing the upstream version.
package patch

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/telesra/telesra/checks"
)

// Options configure the family.
type Options struct {
	// Recognizer identifies web products (the web family's nuclei templates). Nil: the family
	// relies on headers and the page's generator tag.
	Recognizer checks.Recognizer
	// Notice receives warnings for the user (a knowledge base past StaleAfter); nil drops them.
	Notice func(string)
	// KBDir holds the copies `telesra feeds import` wrote (--kb-dir, by default telesra/kb in
	// the user configuration directory). "" or a missing directory means the embedded
	// knowledge base alone.
	KBDir string
	// Now is the clock a knowledge base's age is judged by (the scan's); nil is the wall clock.
	Now func() time.Time
}

// The family's check IDs.
const (
	CheckEOL       = "patch.eol"
	CheckKEV       = "patch.kev"
	CheckCVE       = "patch.cve"
	CheckDisclosed = "patch.version_disclosed"
)

// family is one scan's state: the knowledge base, loaded once, and the probes that share it.
type family struct {
	opts   Options
	kbOnce func() (*KB, error)
	http   *checks.Probe[*httpFacts]
	assess *checks.Probe[*endpointFacts]
}

// Family returns the patch-level checks.
func Family(o Options) *checks.Family {
	f := &family{opts: o}
	f.kbOnce = sync.OnceValues(func() (*KB, error) {
		return LoadKB(o.KBDir)
	})
	f.http = &checks.Probe[*httpFacts]{ID: "patch.http", Run: f.fetchHTTP,
		Description: "HTTP endpoints: one GET of the endpoint's path (same-origin redirects, at most 5) reading the " +
			"Server, X-Powered-By, X-AspNet-Version, X-OWA-Version and X-Generator headers, the page's generator tag (first 256 KiB) " +
			"and, over TLS, the certificate's subject and issuer; then one connection asking for HTTP/2 (h2 in TLS ALPN, or an h2c " +
			"upgrade on cleartext), which flaws like HTTP/2 Rapid Reset need.", Connections: "2-7"}
	f.assess = &checks.Probe[*endpointFacts]{ID: "patch.assess", Run: f.runAssess, Needs: []checks.ProbeRef{f.http},
		Description: "No traffic of its own: the service banner from detection (SSH identification string, " +
			"SMTP/FTP/POP3/IMAP greeting), patch.http, and products the web recognizer found, judged against the knowledge base " +
			"(templates/kb plus `telesra feeds import` copies). Publishes the endpoint's patch verdict.", Connections: "0 (recognizer: its own)"}
	return &checks.Family{
		Name:  "patch",
		Title: "Patch level",
		Description: "What runs, in which version, whether it is still supported, and whether it carries known-exploited (CISA KEV) " +
			"or high-impact vulnerabilities: judged offline against a dated knowledge base, with distribution packages " +
			"compared by their fixed package versions.",
		Checks: []*checks.Check{f.newEOL(), f.newKEV(), f.newCVE(), f.newDisclosed()},
		Open: func(context.Context) (func(), error) {
			kb, err := f.kbOnce()
			if err != nil {
				return nil, fmt.Errorf("patch knowledge base: %w", err)
			}
			now := time.Now()
			if o.Now != nil {
				now = o.Now()
			}
			if _, stale := sourceAges(kb, now); stale != "" && o.Notice != nil {
				o.Notice("patch knowledge base " + stale)
			}
			return func() {}, nil
		},
	}
}

// KnowledgeBaseInfo describes the knowledge base a scan with KBDir dir ("": embedded only) uses:
// every file with its snapshot date and sources, for the report's "knowledge-base dates".
func KnowledgeBaseInfo(dir string) ([]Source, error) {
	kb, err := LoadKB(dir)
	if err != nil {
		return nil, err
	}
	return kb.Sources(), nil
}

// EndOfLifeProducts lists the endoflife.date products the knowledge base maps products to, sorted:
// what `telesra feeds update` downloads.
func EndOfLifeProducts() ([]string, error) {
	kb, err := LoadKB("")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, p := range kb.Products() {
		if p.EndOfLife != "" && !seen[p.EndOfLife] {
			seen[p.EndOfLife] = true
			out = append(out, p.EndOfLife)
		}
	}
	sort.Strings(out)
	return out, nil
}

var applies = func(s checks.Service) bool {
	return s.Is(checks.SvcSSH, checks.SvcHTTP, checks.SvcSMTP, checks.SvcFTP, checks.SvcPOP3, checks.SvcIMAP)
}

var citations = struct{ eol, kev, cve, disclosed []string }{
	eol:       []string{"164.308(a)(1)(ii)(B)", "164.308(a)(5)(ii)(B)", "164.308(a)(1)(ii)(A)"},
	kev:       []string{"164.308(a)(1)(ii)(B)", "164.308(a)(5)(ii)(B)"},
	cve:       []string{"164.308(a)(1)(ii)(B)", "164.308(a)(5)(ii)(B)"},
	disclosed: []string{"164.308(a)(1)(ii)(A)", "164.308(a)(1)(ii)(B)"},
}

const connections = "shared: the service probe's banner and 2-7 for patch.http on HTTP endpoints"

func (f *family) newEOL() *checks.Check {
	return checks.Define(checks.Check{
		ID: CheckEOL, Title: "Software past end of life",
		Description: "Judges the announced product version, or the distribution release its package belongs to, against the " +
			"knowledge base's life cycles on the scan date. Confirmed when every reading of the banner is past its end of life; " +
			"potential when paid extended support (Ubuntu Pro ESM, RHEL ELS, Windows ESU) may still cover it or the banner names no " +
			"distribution but matches a distribution's package. A version that matches a still-supported distribution release is " +
			"not reported. Evidence: the release, its end-of-life date and months since.",
		Connections: connections,
		Severity:    checks.High,
		HIPAA:       citations.eol,
		Remediation: "Upgrade to a release that still receives security updates (the finding names them), or isolate the system " +
			"and record the risk acceptance until it is replaced.",
		References: []string{"https://endoflife.date", "https://csrc.nist.gov/pubs/sp/800/40/r4/final"},
		Applies:    applies,
	}, f.assess, func(_ context.Context, env *checks.Env, c *checks.Check, facts *endpointFacts) ([]checks.Finding, error) {
		return eolFindings(c, env, facts), nil
	})
}

func (f *family) newKEV() *checks.Check {
	return checks.Define(checks.Check{
		ID: CheckKEV, Title: "Known exploited vulnerability (CISA KEV)",
		Description: "Matches the announced version against the affected ranges of vulnerabilities in CISA's Known Exploited " +
			"Vulnerabilities catalog. A distribution package is compared with the distribution's fixed package version when the " +
			"knowledge base has it (confirmed when older); otherwise, and when the flaw needs a configuration a banner cannot show, " +
			"the finding is potential with the reason. Evidence: CVE, CISA date added and due date, ransomware use.",
		Connections: connections,
		Severity:    checks.Critical,
		HIPAA:       citations.kev,
		Remediation: "Apply the fix now (CISA's deadline for federal agencies has passed or is near), then look for signs of " +
			"compromise: these flaws are exploited in the wild.",
		References: []string{"https://www.cisa.gov/known-exploited-vulnerabilities-catalog"},
		Applies:    applies,
	}, f.assess, func(_ context.Context, env *checks.Env, c *checks.Check, facts *endpointFacts) ([]checks.Finding, error) {
		return vulnFindings(c, env, facts, true), nil
	})
}

func (f *family) newCVE() *checks.Check {
	return checks.Define(checks.Check{
		ID: CheckCVE, Title: "Known vulnerability in the announced version",
		Description: "Matches the announced version against the knowledge base's high-impact CVE ranges (those not in CISA KEV; " +
			"KEV matches are patch.kev). Severity follows the CVSS v3 base score. Confidence as for patch.kev.",
		Connections: connections,
		Severity:    checks.Critical,
		HIPAA:       citations.cve,
		Remediation: "Upgrade to the fixed release or install the distribution's fixed package (the finding names it).",
		References:  []string{"https://nvd.nist.gov/"},
		Applies:     applies,
	}, f.assess, func(_ context.Context, env *checks.Env, c *checks.Check, facts *endpointFacts) ([]checks.Finding, error) {
		return vulnFindings(c, env, facts, false), nil
	})
}

func (f *family) newDisclosed() *checks.Check {
	return checks.Define(checks.Check{
		ID: CheckDisclosed, Title: "Service announces its software version",
		Description: "Reports the products whose version the service itself announces (banner, Server or X-Powered-By header, " +
			"generator tag): it lets an attacker pick exploits without probing, and it is how this family judges patch level.",
		Connections: connections,
		Severity:    checks.Info,
		HIPAA:       citations.disclosed,
		Remediation: "Stop announcing versions where the product allows it (the finding says how) and keep an inventory of " +
			"versions instead.",
		Applies: applies,
	}, f.assess, func(_ context.Context, env *checks.Env, c *checks.Check, facts *endpointFacts) ([]checks.Finding, error) {
		return disclosedFindings(c, env, facts), nil
	})
}

// httpFacts is what one GET tells about the products behind an HTTP endpoint.
type httpFacts struct {
	Header    http.Header
	Generator string
	Cert      *x509.Certificate
	// HTTP2 is how the endpoint offers HTTP/2 ("h2", "h2c" or ""); HTTP2Err why that could not
	// be seen, in which case flaws that need HTTP/2 stay potential.
	HTTP2    string
	HTTP2Err string
}

// maxPage bounds the page read for its generator tag.
const maxPage = 256 << 10

func (f *family) fetchHTTP(ctx context.Context, env *checks.Env) (*httpFacts, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, env.URL(env.Endpoint.Path), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", checks.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	resp, err := env.HTTPClient().Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		// net/http has no exported error for an oversized header block; its message is stable.
		if strings.Contains(err.Error(), "response headers exceeded") {
			return nil, &checks.ProbeError{Reason: checks.ReasonTooLarge, Err: err}
		}
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxPage))
	facts := &httpFacts{Header: resp.Header}
	if ct := strings.ToLower(resp.Header.Get("Content-Type")); strings.Contains(ct, "html") || ct == "" {
		facts.Generator = checks.ParseHTML(body, resp.Request.URL.String()).Meta["generator"]
	}
	if resp.TLS != nil && len(resp.TLS.PeerCertificates) > 0 {
		facts.Cert = resp.TLS.PeerCertificates[0]
	}
	if h2, err := http2Offer(ctx, env); err != nil {
		facts.HTTP2Err = checks.Clean(err.Error(), 200)
	} else {
		facts.HTTP2 = h2
	}
	return facts, nil
}

// endpointFacts is everything the family concluded about one endpoint.
type endpointFacts struct {
	Reports []Report
	KB      *KB
	Now     time.Time
}

// Verdict is the structured data of the family's per-endpoint verdict.
type Verdict struct {
	Products      []Report `json:"products"`
	KnowledgeBase string   `json:"knowledge_base"`
	// Sources are the knowledge base's files with their dates and ages on the scan day.
	Sources    []SourceAge `json:"knowledge_base_sources"`
	Stale      string      `json:"stale,omitempty"`
	Recognizer string      `json:"recognizer_error,omitempty"`
}

// SourceAge is one knowledge-base source's date and age on the scan day.
type SourceAge struct {
	Name    string `json:"name"`
	Date    string `json:"date"`
	AgeDays int    `json:"age_days"`
	Origin  string `json:"origin"`
}

// DataAge is the scan outputs' line about the knowledge base's age (checks.Dated).
func (v Verdict) DataAge() string {
	var parts []string
	for _, s := range v.Sources {
		parts = append(parts, fmt.Sprintf("%s %s (%d days)", s.Name, s.Date, s.AgeDays))
	}
	line := "patch knowledge base: " + strings.Join(parts, "; ")
	if v.Stale != "" {
		line += ". Warning: " + v.Stale
	}
	return line
}

// StaleAfter is the age past which a knowledge-base source earns a warning: KEV grows weekly and
// life cycles end monthly.
const StaleAfter = 30 * 24 * time.Hour

// sourceAges dates the knowledge base's sources on day now, and says which are past StaleAfter.
func sourceAges(kb *KB, now time.Time) ([]SourceAge, string) {
	var out []SourceAge
	var old []string
	for _, s := range kb.Sources() {
		t, err := time.Parse(time.DateOnly, s.Date)
		if err != nil {
			continue
		}
		age := now.Sub(t)
		out = append(out, SourceAge{Name: s.Name, Date: s.Date, AgeDays: int(age.Hours() / 24), Origin: s.Origin})
		if age > StaleAfter {
			old = append(old, fmt.Sprintf("%s (%s)", s.Name, s.Date))
		}
	}
	if len(old) == 0 {
		return out, ""
	}
	return out, fmt.Sprintf("older than %d days: %s; refresh with `telesra feeds update`", int(StaleAfter.Hours()/24), strings.Join(old, "; "))
}

func (f *family) runAssess(ctx context.Context, env *checks.Env) (*endpointFacts, error) {
	kb, err := f.kbOnce()
	if err != nil {
		return nil, fmt.Errorf("patch knowledge base: %w", err)
	}
	now := time.Now()
	if env.Now != nil {
		now = env.Now()
	}
	var fps []Fingerprint
	var recErr string
	var cond Conditions
	svc := env.Service
	switch {
	case svc.Is(checks.SvcSSH):
		fps = ParseSSH(svc.Banner)
	case svc.Is(checks.SvcSMTP, checks.SvcFTP, checks.SvcPOP3, checks.SvcIMAP):
		fps = ParseGreeting(svc.Banner)
	case svc.Is(checks.SvcHTTP):
		facts, err := f.http.Get(ctx, env)
		if err != nil {
			return nil, err
		}
		fps = ParseHTTP(facts.Header, facts.Generator)
		cond.HTTP2, cond.HTTP2Checked = facts.HTTP2, facts.HTTP2Err == ""
		fps = append(fps, ParseCertificate(facts.Cert)...)
		if f.opts.Recognizer != nil {
			techs, err := f.opts.Recognizer.Recognize(ctx, env)
			if err != nil {
				// The recognizer belongs to the web family, which reports its own failure; what the
				// headers said still stands.
				recErr = checks.Clean(err.Error(), 200)
			}
			fps = append(fps, FromTechnologies(techs)...)
		}
	}
	reports := AssessWith(kb, fps, now, cond)
	emb, imp := kb.Snapshot()
	v := Verdict{Products: reports, KnowledgeBase: "snapshot " + emb, Recognizer: recErr}
	if imp != "" {
		v.KnowledgeBase += ", imported feeds to " + imp
	}
	v.Sources, v.Stale = sourceAges(kb, now)
	env.Publish("patch", checks.Verdict{Line: verdictLine(reports), Data: v})
	return &endpointFacts{Reports: reports, KB: kb, Now: now}, nil
}

func verdictLine(rs []Report) string {
	var parts []string
	for _, r := range rs {
		if r.Version == "" && !r.Known {
			continue
		}
		parts = append(parts, r.Line())
	}
	if len(parts) == 0 {
		return "no product version disclosed"
	}
	return checks.Clean(strings.Join(parts, "; "), 400)
}

func eolFindings(c *checks.Check, env *checks.Env, facts *endpointFacts) []checks.Finding {
	type group struct {
		j        *EOLJudgement
		products []string
		evidence []string
	}
	groups := map[string]*group{}
	var keys []string
	for _, r := range facts.Reports {
		if r.EOL == nil {
			continue
		}
		g := groups[r.EOL.Key]
		if g == nil {
			g = &group{j: r.EOL}
			groups[r.EOL.Key] = g
			keys = append(keys, r.EOL.Key)
		} else if r.EOL.Confidence == checks.Confirmed {
			g.j = r.EOL // one confirmed reading settles it
		}
		g.products = append(g.products, strings.TrimSpace(r.Name+" "+r.Version))
		g.evidence = append(g.evidence, r.Evidence...)
	}
	sort.Strings(keys)
	var out []checks.Finding
	for _, k := range keys {
		g := groups[k]
		fd := c.NewFinding(env, k)
		fd.Title = "End of life: " + g.j.Subject
		fd.Confidence = g.j.Confidence
		if g.j.VersionOnly {
			fd.Severity = min(fd.Severity, checks.Medium)
			fd.Title = "Potential end of life: " + g.j.Subject
		}
		fd.Detail = fmt.Sprintf("%s announces %s. %s reached the end of its security support on %s (%d months before this scan)",
			env.Endpoint, strings.Join(g.products, ", "), g.j.Subject, g.j.EOL, g.j.Months)
		if g.j.ExtendedEnded != "" {
			fd.Detail += "; " + g.j.ExtendedEnded
		}
		fd.Detail += ": vulnerabilities found since then are not fixed."
		if g.j.Confidence == checks.Potential {
			fd.Detail += " Potential: " + g.j.Reason + "."
		}
		fd.Remediation = g.j.Upgrade
		fd.Evidence = map[string]any{
			"release": g.j.Subject, "end_of_life": g.j.EOL, "months_since": g.j.Months, "products": g.products,
			"banners": g.evidence, "knowledge_base": snapshotLabel(facts.KB), "judged_by": g.j.JudgedBy,
		}
		if g.j.Extended != "" {
			fd.Evidence["extended_support"] = g.j.Extended
		}
		if g.j.ExtendedEnded != "" {
			fd.Evidence["extended_support_ended"] = g.j.ExtendedEnded
		}
		if g.j.Note != "" {
			fd.Evidence["note"] = g.j.Note
		}
		if g.j.Reason != "" {
			fd.Evidence["confidence_reason"] = g.j.Reason
		}
		out = append(out, fd)
	}
	return out
}

func snapshotLabel(kb *KB) string {
	emb, imp := kb.Snapshot()
	if imp != "" {
		return "snapshot " + emb + ", imported " + imp
	}
	return "snapshot " + emb
}

// cvssSeverity maps a CVSS v3 base score to a severity (the CVSS v3 qualitative scale).
func cvssSeverity(score float64) checks.Severity {
	switch {
	case score >= 9:
		return checks.Critical
	case score >= 7:
		return checks.High
	case score >= 4:
		return checks.Medium
	case score > 0:
		return checks.Low
	}
	return checks.Medium // unknown score: not negligible, not alarming
}

func vulnFindings(c *checks.Check, env *checks.Env, facts *endpointFacts, kev bool) []checks.Finding {
	var out []checks.Finding
	for _, r := range facts.Reports {
		for _, v := range r.Vulns {
			if (v.KEV != nil) != kev {
				continue
			}
			fd := c.NewFinding(env, v.ID+"|"+r.Product)
			fd.Confidence = v.Confidence
			subject := strings.TrimSpace(r.Name + " " + r.Version)
			ev := map[string]any{
				"cve": v.ID, "product": r.Name, "version": r.Version, "build": string(r.Build), "banners": r.Evidence,
				"knowledge_base": snapshotLabel(facts.KB),
			}
			if v.CVSS > 0 {
				ev["cvss"] = v.CVSS
			}
			if r.Package != "" {
				ev["package"] = r.Package
			}
			if r.Distro != "" {
				ev["distribution"] = strings.TrimSpace(r.Distro + " " + strings.Join(r.Releases, "/"))
			}
			if v.Reason != "" {
				ev["confidence_reason"] = v.Reason
			}
			if kev {
				fd.Severity = checks.Critical
				fd.Title = fmt.Sprintf("%s (known exploited) in %s", v.ID, subject)
				ev["kev_date_added"] = date(v.KEV.DateAdded)
				if !v.KEV.Due.IsZero() {
					ev["kev_due"] = date(v.KEV.Due)
				}
				if v.KEV.Ransomware != "" {
					ev["kev_ransomware"] = v.KEV.Ransomware
				}
				fd.Detail = fmt.Sprintf("%s: %s. CISA lists it as exploited in the wild (added %s", subject, v.Title, date(v.KEV.DateAdded))
				if !v.KEV.Due.IsZero() {
					fd.Detail += ", federal remediation due " + date(v.KEV.Due)
				}
				if v.KEV.Ransomware != "" {
					fd.Detail += ", ransomware use: " + v.KEV.Ransomware
				}
				fd.Detail += ")."
			} else {
				fd.Severity = min(cvssSeverity(v.CVSS), c.Severity)
				fd.Title = fmt.Sprintf("%s in %s", v.ID, subject)
				fd.Detail = fmt.Sprintf("%s: %s (CVSS %.1f).", subject, v.Title, v.CVSS)
			}
			if v.Confidence == checks.Potential {
				// A guess never outranks what it rests on: potential matches are at most medium.
				fd.Severity = min(fd.Severity, checks.Medium)
				fd.Detail += " Potential: " + v.Reason + "."
			} else if v.Reason != "" {
				fd.Detail += " " + capitalise(v.Reason) + "."
			}
			fd.Remediation = capitalise(v.Fix) + "."
			if kev {
				fd.Remediation += " Then check the system for signs of compromise."
			}
			fd.References = append(fd.References, v.References...)
			fd.Evidence = ev
			out = append(out, fd)
		}
	}
	return out
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func disclosedFindings(c *checks.Check, env *checks.Env, facts *endpointFacts) []checks.Finding {
	var disclosed []string
	var banners []string
	var hide []string
	for _, r := range facts.Reports {
		if !r.Disclosed || r.Version == "" {
			continue
		}
		disclosed = append(disclosed, strings.TrimSpace(r.Name+" "+r.Version))
		banners = append(banners, r.Evidence...)
		if r.hideVersion != "" {
			hide = appendUnique(hide, r.Name+": "+r.hideVersion)
		}
	}
	if len(disclosed) == 0 {
		return nil
	}
	fd := c.NewFinding(env, "")
	fd.Title = "Version announced: " + strings.Join(disclosed, ", ")
	fd.Detail = fmt.Sprintf("%s tells every client which software and version it runs (%s). An attacker can pick matching "+
		"exploits without probing; keep versions in the inventory instead.", env.Endpoint, strings.Join(disclosed, ", "))
	if len(hide) > 0 {
		fd.Remediation = strings.Join(hide, " ")
	}
	fd.Evidence = map[string]any{"products": disclosed, "banners": banners}
	return []checks.Finding{fd}
}
