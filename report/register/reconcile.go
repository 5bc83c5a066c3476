package register

import (
	"fmt"
	"slices"
	"strings"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/templates/datafile"
)

// Reconciliation is the rules (templates/risk/reconciliation.yaml) that tie questionnaire
// answers to the scan findings that disprove them.
type Reconciliation struct {
	Version string
	Rules   []*ReconcileRule
}

// ReconcileRule says which findings contradict which answers, and which passing checks
// corroborate them.
type ReconcileRule struct {
	ID        string
	Questions []string
	Claims    []questionnaire.Status // the answers that claim the safeguard
	Evidence  []Evidence             // alternatives: any one disproves the claim
	Exposure  string                 // "": any asset
	// Assets are words one of which the asset's name or one of its ePHI systems must contain
	// (case-insensitive); none: any asset.
	Assets []string
	Reason string
	// Corroboration is nil for a rule that can only disprove.
	Corroboration *Corroboration
}

// Evidence is one kind of finding that disproves a claim.
type Evidence struct {
	Checks     []string // a trailing ".*" matches a prefix
	Confidence string   // "": any
}

// Contradiction is an answer the scan disproves: the answer as given, the rules that disprove
// it and the findings they rest on.
type Contradiction struct {
	Question string
	Status   questionnaire.Status
	Notes    string
	Rules    []string
	Reasons  []string
	Findings []string // finding IDs, in scan order
	Assets   []string // the labels of the assets the findings are on, sorted
}

// DefaultReconciliation returns the embedded reconciliation rules.
var DefaultReconciliation = embedded("risk/reconciliation.yaml", ParseReconciliation)

type rawEvidence struct {
	Checks     []string `yaml:"checks"`
	Confidence string   `yaml:"confidence"`
}

type rawReconciliation struct {
	Version string `yaml:"version"`
	Rules   []struct {
		ID            string        `yaml:"id"`
		Questions     []string      `yaml:"questions"`
		Claims        []string      `yaml:"claims"`
		Evidence      []rawEvidence `yaml:"evidence"`
		Exposure      string        `yaml:"exposure"`
		Assets        []string      `yaml:"assets"`
		Reason        string        `yaml:"reason"`
		Corroboration *struct {
			Checks       []string `yaml:"checks"`
			IdentifiedBy []string `yaml:"identified_by"`
			Reason       string   `yaml:"reason"`
		} `yaml:"corroboration"`
	} `yaml:"rules"`
}

// ParseReconciliation reads reconciliation rules (file names them in errors): the schema first,
// then what a schema cannot say (rule IDs are unique, questions exist in the bank), each with
// file:line.
func ParseReconciliation(file string, data []byte) (*Reconciliation, error) {
	var raw rawReconciliation
	root, err := datafile.DecodeNode(file, data, "reconciliation.schema.json", &raw)
	if err != nil {
		return nil, err
	}
	var errs datafile.FileErrors
	at := func(msg string, path ...string) { errs = append(errs, datafile.At(file, root, msg, path...)) }
	bank := questionnaire.DefaultBank()
	out := &Reconciliation{Version: raw.Version}
	seen := map[string]bool{}
	for i, rr := range raw.Rules {
		idx := fmt.Sprint(i)
		if seen[rr.ID] {
			at(fmt.Sprintf("duplicate rule id %q", rr.ID), "rules", idx, "id")
		}
		seen[rr.ID] = true
		rule := &ReconcileRule{ID: rr.ID, Questions: rr.Questions, Exposure: rr.Exposure, Assets: rr.Assets, Reason: rr.Reason}
		if c := rr.Corroboration; c != nil {
			rule.Corroboration = &Corroboration{Checks: c.Checks, IdentifiedBy: c.IdentifiedBy, Reason: c.Reason}
			// A corroboration that passes checks the rule does not name would verify the answer
			// with evidence the rule never tests against it.
			for j, p := range c.Checks {
				if !slices.ContainsFunc(rr.Evidence, func(e rawEvidence) bool {
					return slices.ContainsFunc(e.Checks, func(ep string) bool { return patternCovers(ep, p) })
				}) {
					at(fmt.Sprintf("corroboration check %q is not among the rule's evidence: a check can verify an answer only if it can also disprove it", p),
						"rules", idx, "corroboration", "checks", fmt.Sprint(j))
				}
			}
		}
		for j, q := range rr.Questions {
			if _, ok := bank.Question(q); !ok {
				at(fmt.Sprintf("no question %q in the question bank", q), "rules", idx, "questions", fmt.Sprint(j))
			}
		}
		for _, c := range rr.Claims {
			rule.Claims = append(rule.Claims, questionnaire.Status(c))
		}
		for _, e := range rr.Evidence {
			rule.Evidence = append(rule.Evidence, Evidence{Checks: e.Checks, Confidence: e.Confidence})
		}
		out.Rules = append(out.Rules, rule)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// disproves reports whether a finding on an asset is evidence against the rule's claim.
func (r *ReconcileRule) disproves(f *checks.Finding, a Asset) bool {
	if !r.covers(a) {
		return false
	}
	return slices.ContainsFunc(r.Evidence, func(e Evidence) bool {
		return matchAny(e.Checks, f.Check) && (e.Confidence == "" || e.Confidence == string(f.Confidence))
	})
}

// covers reports whether an asset is one the rule is about: its exposure, and one of its words
// in the asset's name or ePHI systems.
func (r *ReconcileRule) covers(a Asset) bool {
	if r.Exposure != "" && r.Exposure != a.Exposure {
		return false
	}
	if len(r.Assets) == 0 {
		return true
	}
	names := append([]string{a.Name}, a.EPHI...)
	return slices.ContainsFunc(r.Assets, func(w string) bool {
		return slices.ContainsFunc(names, func(n string) bool { return strings.Contains(strings.ToLower(n), strings.ToLower(w)) })
	})
}

// patternCovers reports whether check pattern outer matches everything pattern inner does.
func patternCovers(outer, inner string) bool {
	if outer == inner {
		return true
	}
	prefix, ok := strings.CutSuffix(outer, ".*")
	return ok && strings.HasPrefix(inner, prefix+".")
}

// observed is one unsuppressed finding with the asset it was found on.
type observed struct {
	finding *checks.Finding
	asset   Asset
}

// reconcile finds the answers the scan disproves, one Contradiction per question, ordered by
// question ID. Suppressed findings disprove nothing: the practice has explained them.
func reconcile(rec *Reconciliation, answers *questionnaire.Answers, seen []observed) []*Contradiction {
	if rec == nil || answers == nil {
		return nil
	}
	byQ := map[string]*Contradiction{}
	for _, rule := range rec.Rules {
		for _, q := range rule.Questions {
			ans := answers.Get(q)
			if !slices.Contains(rule.Claims, ans.Status) {
				continue
			}
			var hits []observed
			for _, o := range seen {
				if rule.disproves(o.finding, o.asset) {
					hits = append(hits, o)
				}
			}
			if len(hits) == 0 {
				continue
			}
			c, ok := byQ[q]
			if !ok {
				c = &Contradiction{Question: q, Status: ans.Status, Notes: ans.Notes}
				byQ[q] = c
			}
			c.Rules = append(c.Rules, rule.ID)
			c.Reasons = append(c.Reasons, rule.Reason)
			for _, h := range hits {
				if !slices.Contains(c.Findings, h.finding.ID) {
					c.Findings = append(c.Findings, h.finding.ID)
				}
				if t := h.asset.Label(); !slices.Contains(c.Assets, t) {
					c.Assets = append(c.Assets, t)
				}
			}
		}
	}
	var out []*Contradiction
	for _, c := range byQ {
		slices.Sort(c.Assets)
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *Contradiction) int { return strings.Compare(a.Question, b.Question) })
	return out
}
