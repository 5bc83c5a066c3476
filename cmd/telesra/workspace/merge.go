package workspace

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/telesra/telesra/checks"
)

// MergeShards reads the results of the N parts of one scan (telesra scan --shard K/N, one file
// each) and combines them into the result a single machine would have written: the endpoints,
// attempts and findings of every part, in the canonical order, with the same finding IDs.
//
// It refuses parts that are not of one scan: a different scope, check selection, telesra
// version or patch knowledge base (its sources' dates), a different N, a part given twice or
// missing. Combine does not fit here: it lets a later run win over an earlier one, where shards
// are disjoint parts of one run and all must be present.
//
// Interrupted names the parts that were interrupted ("2/4 (shard-2.json)"): the combined result
// is then incomplete, and the user should hear which part to run again.
func MergeShards(paths []string) (res *checks.Result, interrupted []string, err error) {
	if len(paths) == 0 {
		return nil, nil, inputErrorf("merge: no shard results given")
	}
	var (
		parts []*checks.Result
		seen  = map[int]string{}
		kbs   = map[string]string{} // knowledge base -> the first file that used it
	)
	for _, path := range paths {
		data, err := ReadInput(path, ScanInput)
		if err != nil {
			return nil, nil, err
		}
		r, err := checks.DecodeResult(data)
		if err != nil {
			return nil, nil, inputErrorf("%s: not a telesra scan result: %v", path, err)
		}
		if r.Shard == nil {
			return nil, nil, inputErrorf("%s: not a shard (scanned without --shard K/N): nothing to merge", path)
		}
		if prev, dup := seen[r.Shard.K]; dup {
			return nil, nil, inputErrorf("%s: shard %s given twice (also %s)", path, r.Shard, prev)
		}
		seen[r.Shard.K] = path
		if len(parts) > 0 {
			if err := sameScan(paths[0], parts[0], path, r); err != nil {
				return nil, nil, err
			}
		}
		for _, kb := range knowledgeBases(r) {
			if kbs[kb] == "" {
				kbs[kb] = path
			}
		}
		if len(kbs) > 1 {
			var list []string
			for kb, p := range kbs {
				list = append(list, fmt.Sprintf("%s (%s)", kb, p))
			}
			slices.Sort(list)
			return nil, nil, inputErrorf("merge: shards used different patch knowledge bases: %s", strings.Join(list, "; "))
		}
		parts = append(parts, r)
		if !r.Complete {
			interrupted = append(interrupted, fmt.Sprintf("%s (%s)", r.Shard, path))
		}
	}
	n := parts[0].Shard.N
	for k := 1; k <= n; k++ {
		if _, ok := seen[k]; !ok {
			return nil, nil, inputErrorf("merge: shard %d/%d missing (have %d of %d)", k, n, len(seen), n)
		}
	}
	slices.Sort(interrupted)
	return mergeParts(parts), interrupted, nil
}

// sameScan refuses a part b (from file pb) that is not of the same scan as part a.
func sameScan(pa string, a *checks.Result, pb string, b *checks.Result) error {
	differ := func(what, va, vb string) error {
		return inputErrorf("%s: %s %s differs from %s's %s: shards of different scans", pb, what, vb, pa, va)
	}
	switch {
	case a.Shard.N != b.Shard.N:
		return differ("shard count", fmt.Sprint(a.Shard.N), fmt.Sprint(b.Shard.N))
	case !slices.Equal(a.Scope.Targets, b.Scope.Targets) || !slices.Equal(a.Scope.Exclusions, b.Scope.Exclusions):
		return differ("scope", scopeLine(a.Scope), scopeLine(b.Scope))
	case !slices.Equal(a.Checks, b.Checks):
		return differ("check selection", fmt.Sprintf("(%d checks)", len(a.Checks)), fmt.Sprintf("(%d checks)", len(b.Checks)))
	case a.Tool != b.Tool:
		return differ("telesra version", a.Tool.Version, b.Tool.Version)
	case a.Suppressions.File != b.Suppressions.File:
		return differ("suppressions file", a.Suppressions.File, b.Suppressions.File)
	}
	return nil
}

func scopeLine(s checks.ScopeDoc) string {
	line := "[" + strings.Join(s.Targets, " ") + "]"
	if len(s.Exclusions) > 0 {
		line += " excluding [" + strings.Join(s.Exclusions, " ") + "]"
	}
	return line
}

// knowledgeBases lists the patch knowledge bases a result's verdicts rest on, each as its
// sources' names and dates (the verdict data's knowledge_base_sources): the ages in days are
// left out, as parts scanned either side of midnight share a knowledge base.
func knowledgeBases(r *checks.Result) []string {
	var out []string
	for _, e := range r.Endpoints {
		for _, v := range e.Verdicts {
			raw, err := json.Marshal(v.Data)
			if err != nil {
				continue
			}
			var d struct {
				Sources []struct{ Name, Date string } `json:"knowledge_base_sources"`
			}
			if json.Unmarshal(raw, &d) != nil || len(d.Sources) == 0 {
				continue
			}
			var parts []string
			for _, s := range d.Sources {
				parts = append(parts, s.Name+" "+s.Date)
			}
			if kb := strings.Join(parts, ", "); !slices.Contains(out, kb) {
				out = append(out, kb)
			}
		}
	}
	return out
}

// mergeParts combines disjoint parts: everything of each, the earliest start and latest finish,
// complete only when every part was.
func mergeParts(parts []*checks.Result) *checks.Result {
	first := parts[0]
	out := &checks.Result{SchemaVersion: first.SchemaVersion, Tool: first.Tool, StartedAt: first.StartedAt,
		FinishedAt: first.FinishedAt, Complete: true, Scope: first.Scope, Checks: slices.Clone(first.Checks),
		Suppressions: checks.SuppressionReport{File: first.Suppressions.File, Expired: first.Suppressions.Expired}}
	for _, r := range parts {
		if r.StartedAt.Before(out.StartedAt) {
			out.StartedAt = r.StartedAt
		}
		if r.FinishedAt.After(out.FinishedAt) {
			out.FinishedAt = r.FinishedAt
		}
		out.Complete = out.Complete && r.Complete
		out.Endpoints = append(out.Endpoints, r.Endpoints...)
		out.Attempts = append(out.Attempts, r.Attempts...)
		out.Findings = append(out.Findings, r.Findings...)
		out.Suppressions.Suppressed += r.Suppressions.Suppressed
	}
	out.Finalize()
	return out
}
