package register

import (
	"fmt"
	"slices"
	"strings"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/questionnaire"
)

// Corroboration says which passing checks verify a rule's claim. Absence of findings is no
// evidence: the checks must have been part of the scan, have completed on at least one of the
// rule's assets, and have failed and found nothing on every one of them.
type Corroboration struct {
	Checks []string // a trailing ".*" matches a prefix
	// IdentifiedBy, when set, narrows the assets to those where one of these checks found
	// something (patch.version_disclosed: a product version the patch checks could judge).
	IdentifiedBy []string
	Reason       string
}

// Verification is an answer the scan corroborates: the answer as given, the rules that verify
// it, and what they rest on.
type Verification struct {
	Question string
	Status   questionnaire.Status
	Notes    string
	Rules    []string
	Reasons  []string
	Checks   []string // the checks that completed and passed on the assets, sorted
	Assets   []string // the labels of the assets they ran on, sorted
}

// Summary is the verification in one line: "<reasons> (N checks passed on <assets>)".
func (v *Verification) Summary() string {
	return fmt.Sprintf("%s (%s passed on %s)", strings.Join(v.Reasons, "; "), countChecks(v.Checks), strings.Join(v.Assets, ", "))
}

// Summary is the contradiction in one line: "<reasons> (findings on <assets>)".
func (c *Contradiction) Summary() string {
	return fmt.Sprintf("%s (%s on %s)", strings.Join(c.Reasons, "; "), plural(len(c.Findings), "finding"), strings.Join(c.Assets, ", "))
}

func countChecks(ids []string) string {
	if len(ids) <= 3 {
		return strings.Join(ids, ", ")
	}
	return fmt.Sprintf("%d checks (%s, …)", len(ids), strings.Join(ids[:2], ", "))
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// Verification returns the verification of a question's answer, if the scan corroborates it.
func (r *Register) Verification(question string) (*Verification, bool) {
	i := slices.IndexFunc(r.Verifications, func(v *Verification) bool { return v.Question == question })
	if i < 0 {
		return nil, false
	}
	return r.Verifications[i], true
}

// scanIndex is what corroboration reads of a scan: the checks it ran, each endpoint with its
// asset, and the attempts and findings per target (suppressed findings included: a weakness
// the practice has explained is still no pass).
type scanIndex struct {
	scheduled []string
	endpoints []checks.EndpointResult
	assets    map[string]Asset
	attempts  map[string][]checks.Attempt
	findings  map[string][]*checks.Finding
}

func indexScan(scan *checks.Result, asset func(target string, ep checks.EndpointResult) Asset) *scanIndex {
	ix := &scanIndex{scheduled: scan.Checks, endpoints: scan.Endpoints, assets: map[string]Asset{},
		attempts: map[string][]checks.Attempt{}, findings: map[string][]*checks.Finding{}}
	for _, e := range scan.Endpoints {
		ix.assets[e.Target] = asset(e.Target, e)
	}
	for _, a := range scan.Attempts {
		ix.attempts[a.Target] = append(ix.attempts[a.Target], a)
	}
	for i := range scan.Findings {
		f := &scan.Findings[i]
		ix.findings[f.Target] = append(ix.findings[f.Target], f)
	}
	return ix
}

// corroborates reports whether the rule's corroboration holds on the scan, with the checks
// that passed and the assets they passed on. It fails when a check was not part of the scan,
// when one of the rule's endpoints could not be scanned, or when a check failed or found
// anything on one of them; it is silent (true, no evidence) when the checks applied nowhere.
func (r *ReconcileRule) corroborates(ix *scanIndex) (ok bool, passed, assets []string) {
	c := r.Corroboration
	for _, p := range c.Checks {
		if !slices.ContainsFunc(ix.scheduled, func(id string) bool { return matchAny([]string{p}, id) }) {
			return false, nil, nil
		}
	}
	for _, e := range ix.endpoints {
		a := ix.assets[e.Target]
		if !r.covers(a) {
			continue
		}
		if len(c.IdentifiedBy) > 0 && !slices.ContainsFunc(ix.findings[e.Target], func(f *checks.Finding) bool { return matchAny(c.IdentifiedBy, f.Check) }) {
			continue
		}
		if e.Status != checks.StatusCompleted {
			return false, nil, nil
		}
		if slices.ContainsFunc(ix.findings[e.Target], func(f *checks.Finding) bool { return matchAny(c.Checks, f.Check) }) {
			return false, nil, nil
		}
		ran := false
		for _, at := range ix.attempts[e.Target] {
			if !matchAny(c.Checks, at.Check) {
				continue
			}
			switch at.Status {
			case checks.StatusError:
				return false, nil, nil
			case checks.StatusCompleted:
				ran = true
				if !slices.Contains(passed, at.Check) {
					passed = append(passed, at.Check)
				}
			}
		}
		if ran {
			assets = append(assets, a.Label())
		}
	}
	return true, passed, assets
}

// corroborate finds the answers the scan verifies, one Verification per question, ordered by
// question ID. An answer is verified when it claims the safeguard, no rule contradicts it,
// every rule with a corroboration for it holds, and at least one of them rests on checks that
// completed. An incomplete scan verifies nothing.
func corroborate(rec *Reconciliation, answers *questionnaire.Answers, ix *scanIndex, contradicted []*Contradiction) []*Verification {
	if rec == nil || answers == nil || ix == nil {
		return nil
	}
	var questions []string
	for _, rule := range rec.Rules {
		if rule.Corroboration == nil {
			continue
		}
		for _, q := range rule.Questions {
			if !slices.Contains(questions, q) {
				questions = append(questions, q)
			}
		}
	}
	slices.Sort(questions)
	var out []*Verification
	for _, q := range questions {
		if slices.ContainsFunc(contradicted, func(c *Contradiction) bool { return c.Question == q }) {
			continue
		}
		ans := answers.Get(q)
		v := &Verification{Question: q, Status: ans.Status, Notes: ans.Notes}
		ok := true
		for _, rule := range rec.Rules {
			if rule.Corroboration == nil || !slices.Contains(rule.Questions, q) {
				continue
			}
			if !slices.Contains(rule.Claims, ans.Status) {
				ok = false
				break
			}
			holds, passed, assets := rule.corroborates(ix)
			if !holds {
				ok = false
				break
			}
			if len(passed) == 0 {
				continue
			}
			v.Rules = append(v.Rules, rule.ID)
			v.Reasons = append(v.Reasons, rule.Corroboration.Reason)
			for _, p := range passed {
				if !slices.Contains(v.Checks, p) {
					v.Checks = append(v.Checks, p)
				}
			}
			for _, a := range assets {
				if !slices.Contains(v.Assets, a) {
					v.Assets = append(v.Assets, a)
				}
			}
		}
		if !ok || len(v.Rules) == 0 {
			continue
		}
		slices.Sort(v.Checks)
		slices.Sort(v.Assets)
		out = append(out, v)
	}
	return out
}
