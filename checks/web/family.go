package web

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/telesra/telesra/checks"
)

// Options configure the family.
type Options struct {
	// TemplatesDir adds the user's templates (--templates DIR) to ours.
	TemplatesDir string
	// Notice receives warnings for the user (a template that was skipped and why); nil drops
	// them.
	Notice func(string)
	// Runner starts the engine (the web worker); nil makes every web check an error attempt.
	Runner Runner
}

// New builds the web family and its engine. The engine is also the Recognizer the mfa and patch
// families receive; bind those families with Engine.Bind so that it runs during their scans too.
func New(o Options) (*checks.Family, *Engine, error) {
	p, err := NewPack(o.TemplatesDir)
	if err != nil {
		return nil, nil, err
	}
	if o.Notice != nil {
		for _, err := range p.Rejected {
			o.Notice(fmt.Sprintf("%v; this template is skipped, the others run", err))
		}
	}
	e := NewEngine(p, o.Runner, o.Notice)
	f := &checks.Family{
		Name:  Family,
		Title: "Web exposure",
		Description: "Web pages and files a clinic should not expose: security headers and cookie flags on pages with logins, " +
			"CORS, TRACE, directory listings, source and backup files, status pages, admin consoles, EHR setup pages, " +
			"cacheable patient data; and recognition of web servers, remote-access portals and EHR products. " +
			"Run by nuclei, in telesra's web worker, with telesra's own templates.",
		Open: e.Open,
	}
	for _, t := range p.Templates {
		f.Checks = append(f.Checks, e.check(t))
	}
	return f, e, nil
}

func countRequests(ts []*Template) int {
	n := 0
	for _, t := range ts {
		n += len(t.Requests)
	}
	return n
}

// check turns a template into the check web.<id>.
func (e *Engine) check(t *Template) *checks.Check {
	desc := t.Description
	if len(t.Requests) > 0 {
		desc += " Sends " + strings.Join(t.Requests, ", ") + "."
	}
	if t.User {
		desc += " (User template " + t.File + ".)"
	}
	return checks.Define(checks.Check{
		ID:          t.CheckID(),
		Family:      Family,
		Title:       t.Name,
		Description: desc,
		Connections: "shared with the " + ProbeID + " probe",
		Severity:    t.Severity,
		HIPAA:       t.HIPAA,
		Remediation: t.Remediation,
		References:  t.References,
		Applies:     func(s checks.Service) bool { return s.Name == checks.SvcHTTP },
	}, e.probe, func(_ context.Context, env *checks.Env, c *checks.Check, out *outcome) ([]checks.Finding, error) {
		ms, err := out.result(t.ID)
		if err != nil {
			return nil, err
		}
		return findings(c, t, env, ms), nil
	})
}

// findings turns matches into one finding per matched URL.
func findings(c *checks.Check, t *Template, env *checks.Env, ms []Match) []checks.Finding {
	sortMatches(ms)
	byURL := map[string][]Match{}
	var order []string
	for _, m := range ms {
		if _, ok := byURL[m.URL]; !ok {
			order = append(order, m.URL)
		}
		byURL[m.URL] = append(byURL[m.URL], m)
	}
	origin := env.Origin()
	var out []checks.Finding
	for _, u := range order {
		f := c.NewFinding(env, keyOf(u, origin))
		where := checks.Clean(u, 300)
		ev := map[string]any{"url": where, "template": t.File}
		var matchers, extracted []string
		for _, m := range byURL[u] {
			if m.Matcher != "" {
				matchers = appendUnique(matchers, checks.Clean(m.Matcher, 80))
			}
			for _, x := range m.Extracted {
				extracted = appendUnique(extracted, checks.Clean(x, 200))
			}
		}
		if len(matchers) > 0 {
			ev["matchers"] = matchers
		}
		if len(extracted) > 5 {
			extracted = extracted[:5]
		}
		if len(extracted) > 0 {
			ev["extracted"] = extracted
		}
		f.Evidence = ev
		f.Detail = fmt.Sprintf("%s: %s", where, t.Description)
		if len(extracted) > 0 {
			f.Detail += " Observed: " + strings.Join(extracted, "; ") + "."
		}
		out = append(out, f)
	}
	return out
}

// keyOf tells findings of one check apart by the matched path (empty for the endpoint itself).
func keyOf(u, origin string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	k := strings.TrimPrefix(u, origin)
	if p.Path == "" || p.Path == "/" {
		if p.RawQuery == "" {
			return ""
		}
	}
	return k
}

func appendUnique(ss []string, s string) []string {
	for _, x := range ss {
		if x == s {
			return ss
		}
	}
	return append(ss, s)
}

// Recognize lists the products the pack's technology templates recognise on an HTTP endpoint.
// It shares the web.nuclei probe with the web checks, so the pack runs once per endpoint. When a
// technology template could not run, the products found so far come back with an error saying
// the list may be incomplete. Non-HTTP endpoints: checks.ErrNotApplicable.
func (e *Engine) Recognize(ctx context.Context, env *checks.Env) ([]checks.Technology, error) {
	if env.Service.Scheme() == "" {
		return nil, checks.ErrNotApplicable
	}
	out, err := e.probe.Get(ctx, env)
	if err != nil {
		return nil, err
	}
	var (
		techs []checks.Technology
		errs  []error
	)
	for _, t := range e.pack.Templates {
		if t.Tech == nil {
			continue
		}
		ms, err := out.result(t.ID)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", t.CheckID(), err))
			continue
		}
		if len(ms) == 0 {
			continue
		}
		sortMatches(ms)
		tech := checks.Technology{
			Product:  t.Tech.Product,
			Vendor:   t.Tech.Vendor,
			Category: t.Tech.Category,
			Source:   t.CheckID(),
			Evidence: checks.Clean(ms[0].URL, 300),
		}
		for _, m := range ms {
			if len(m.Extracted) > 0 && tech.Version == "" {
				tech.Version = checks.Clean(strings.TrimSpace(m.Extracted[0]), 64)
			}
		}
		techs = append(techs, tech)
	}
	if len(errs) > 0 {
		return techs, fmt.Errorf("recognition incomplete: %w", errors.Join(errs...))
	}
	return techs, nil
}

var _ checks.Recognizer = (*Engine)(nil)
