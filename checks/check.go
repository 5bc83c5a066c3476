// Package checks is the scanning engine's contract and machinery: targets and scope, the guarded
// dialer, service detection, the Check and Probe types every family implements, the registry,
// the runner (workers, per-host limits, rate limit, timeouts, cancellation, progress) and the
// canonical result document.
//
// A family package (checks/tls, checks/mfa, ...) provides Probes, which gather facts from one
// endpoint over the network and run at most once per endpoint, and Checks, built by Define from
// a probe and a judgement of its facts, which emit Findings. The runner never lets a failed probe
// pass as a clean result.
package checks

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/telesra/telesra/templates/hipaa"
)

// Check judges one kind of weakness on an endpoint.
type Check struct {
	ID          string   // dotted and stable: "tls.protocol.tls1_0"
	Family      string   // first element of ID: "tls"
	Title       string   // what a finding says in a few words
	Description string   // what it probes and how (for docs/checks.md)
	Connections string   // how many connections it costs, for docs ("shared with the tls.enum probe")
	Severity    Severity // severity of its findings (a check may lower it per finding, never raise it)
	HIPAA       []string // citations such as "164.312(e)(2)(ii)"
	Remediation string
	References  []string
	// Probes are the probes its judgement rests on, the service probe first; Define fills them.
	Probes []ProbeRef

	// Applies reports whether the check judges endpoints offering this service. Nil: all.
	Applies func(Service) bool

	// evaluate runs the check on one endpoint; only Define and DefineWith set it.
	evaluate func(ctx context.Context, env *Env) ([]Finding, error)
}

// NewFinding starts a finding of this check on env's endpoint with the check's defaults; key
// tells apart several findings of the check on one target ("" when there is one).
func (c *Check) NewFinding(env *Env, key string) Finding {
	target := env.Endpoint.String()
	return Finding{
		ID:          FindingID(c.ID, target, key),
		Check:       c.ID,
		Target:      target,
		Severity:    c.Severity,
		Confidence:  Confirmed,
		Title:       c.Title,
		HIPAA:       slices.Clone(c.HIPAA),
		Remediation: c.Remediation,
		References:  slices.Clone(c.References),
	}
}

// Family groups the checks of one package and may hold a resource shared by them for one scan
// (the nuclei engine, say).
type Family struct {
	Name        string
	Title       string
	Description string
	Checks      []*Check
	// Open, when set, is called once per scan before any of the family's checks run, if any is
	// selected; the returned func is called when the scan ends.
	Open func(ctx context.Context) (close func(), err error)
}

// Probes lists the probes the family's checks declare, in the order they first appear, without
// the service probe every check shares.
func (f *Family) Probes() []ProbeRef {
	var out []ProbeRef
	seen := map[ProbeRef]bool{ServiceProbe: true}
	for _, c := range f.Checks {
		for _, p := range c.Probes {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// Registry is the catalog of every family and check telesra knows.
type Registry struct {
	families []*Family
	byID     map[string]*Check
}

var checkIDRE = regexp.MustCompile(`^[a-z][a-z0-9]*(\.[a-z0-9][a-z0-9_\-]*)+$`)

// NewRegistry validates and indexes families. It rejects duplicate IDs, IDs outside their family,
// unknown HIPAA citations, checks without remediation or not built by Define, and two distinct
// probes sharing an ID: the catalog is documentation too.
func NewRegistry(families ...*Family) (*Registry, error) {
	r := &Registry{byID: map[string]*Check{}}
	seenFam := map[string]bool{}
	probes := map[string]ProbeRef{}
	probeUser := map[string]string{} // probe ID -> first check declaring it
	for _, f := range families {
		if seenFam[f.Name] {
			return nil, fmt.Errorf("family %q registered twice", f.Name)
		}
		seenFam[f.Name] = true
		for _, c := range f.Checks {
			switch {
			case !checkIDRE.MatchString(c.ID):
				return nil, fmt.Errorf("check %q: ID must be dotted lower case", c.ID)
			case c.Family != f.Name || !strings.HasPrefix(c.ID, f.Name+"."):
				return nil, fmt.Errorf("check %q: not in family %q", c.ID, f.Name)
			case r.byID[c.ID] != nil:
				return nil, fmt.Errorf("check %q registered twice", c.ID)
			case c.evaluate == nil:
				return nil, fmt.Errorf("check %q: not built by checks.Define", c.ID)
			case c.Title == "" || c.Description == "" || c.Remediation == "":
				return nil, fmt.Errorf("check %q: title, description and remediation are required", c.ID)
			case len(c.HIPAA) == 0:
				return nil, fmt.Errorf("check %q: no HIPAA citation", c.ID)
			}
			if bad := hipaa.UnknownCitations(c.HIPAA); len(bad) > 0 {
				return nil, fmt.Errorf("check %q: unknown HIPAA citations %v", c.ID, bad)
			}
			for _, p := range c.Probes {
				id := p.Info().ID
				switch prev, ok := probes[id]; {
				case id == "":
					return nil, fmt.Errorf("check %q: a probe without an ID", c.ID)
				case ok && prev != p:
					return nil, fmt.Errorf("probe %q: two distinct probes share this ID (declared by checks %q and %q)", id, probeUser[id], c.ID)
				case !ok:
					probes[id], probeUser[id] = p, c.ID
				}
			}
			r.byID[c.ID] = c
		}
		r.families = append(r.families, f)
	}
	sort.Slice(r.families, func(i, j int) bool { return r.families[i].Name < r.families[j].Name })
	return r, nil
}

// Families returns every family, sorted by name.
func (r *Registry) Families() []*Family { return r.families }

// Checks returns every check, sorted by ID.
func (r *Registry) Checks() []*Check {
	out := make([]*Check, 0, len(r.byID))
	for _, f := range r.families {
		out = append(out, f.Checks...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Lookup finds a check by ID.
func (r *Registry) Lookup(id string) (*Check, bool) {
	c, ok := r.byID[id]
	return c, ok
}

// Select resolves --checks: family names ("tls"), check IDs ("tls.protocol.tls1_0") or prefixes
// ending in ".*" ("tls.cert.*"). Empty selects everything.
func (r *Registry) Select(names []string) ([]*Check, error) {
	if len(names) == 0 {
		return r.Checks(), nil
	}
	picked := map[string]*Check{}
	for _, raw := range names {
		n := strings.TrimSpace(raw)
		if n == "" {
			continue
		}
		var found bool
		for _, c := range r.Checks() {
			if c.Family == n || c.ID == n || strings.HasSuffix(n, ".*") && strings.HasPrefix(c.ID, strings.TrimSuffix(n, "*")) {
				picked[c.ID] = c
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown check or family %q (see telesra checks list; families: %s)", n, strings.Join(r.familyNames(), ", "))
		}
	}
	out := make([]*Check, 0, len(picked))
	for _, c := range picked {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (r *Registry) familyNames() []string {
	var out []string
	for _, f := range r.families {
		out = append(out, f.Name)
	}
	return out
}

// Family returns a family by name.
func (r *Registry) Family(name string) (*Family, bool) {
	for _, f := range r.families {
		if f.Name == name {
			return f, true
		}
	}
	return nil, false
}

// Env is what a check or probe sees of one endpoint: where it is, what it speaks, and the only
// dialer it may use.
type Env struct {
	Endpoint     Endpoint
	Service      Service
	Dialer       *Dialer
	IOTimeout    time.Duration // one connect or one read
	ProbeTimeout time.Duration // one probe, all its connections
	Now          func() time.Time

	memo     memo
	verdicts sync.Map // family -> Verdict published for the result document
}

// Publish attaches a per-endpoint verdict (a TLS grade, say) to the result document under the
// family's name; the table output prints its Line.
func (e *Env) Publish(family string, v Verdict) { e.verdicts.Store(family, v) }

// Verdict is a family's one-line judgement of an endpoint plus its structured data.
type Verdict struct {
	Line string `json:"line"`
	Data any    `json:"data,omitempty"`
}

// Deadline returns the time one I/O step may last: IOTimeout from now, but never past ctx's
// deadline.
func (e *Env) Deadline(ctx context.Context) time.Time {
	d := time.Now().Add(e.IOTimeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(d) {
		return dl
	}
	return d
}
