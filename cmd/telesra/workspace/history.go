package workspace

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/report/scan"
)

// runSchemaVersion versions the scans/ run files.
const runSchemaVersion = 1

// ScanRun is one scan of a workspace, kept in DIR/scans/: what it was asked to cover and what
// it found. scan.json is combined from all of them (Combine), so a narrower or interrupted run
// adds to the workspace's results instead of replacing them.
type ScanRun struct {
	SchemaVersion int    `json:"schema_version"`
	ID            string `json:"id"`
	// Sequence numbers the runs in the order they were saved (1, 2, ...): the later run's
	// observations win. Start times alone cannot order runs started in the same second.
	Sequence int `json:"sequence"`
	// Targets are what the run scanned: the scope's targets, or the TARGET arguments given.
	Targets []string `json:"targets"`
	// Selection is --checks as given (families, IDs or prefixes); empty: every check.
	Selection []string `json:"selection"`
	// Available is every check telesra had at the time: the workspace's results are complete
	// only when runs covered all of them.
	Available []string `json:"available"`
	// Result is the run's own result; Result.Complete is false when it was interrupted.
	Result *checks.Result `json:"result"`

	file string
}

// saveRun records a finished (or interrupted) run under scans/ and rewrites scan.json as the
// combination of every run, all under the workspace lock, so two scans finishing together both
// count. It returns the run's file.
func (p *ScanPlan) saveRun(res *checks.Result) (string, error) {
	ws := p.Workspace
	run := &ScanRun{SchemaVersion: runSchemaVersion, ID: newRunID(), Targets: rawTargets(p.Targets),
		Selection: slices.Clone(p.selection), Result: res}
	for _, c := range p.Registry.Checks() {
		run.Available = append(run.Available, c.ID)
	}
	if run.Selection == nil {
		run.Selection = []string{}
	}
	if res.Shard != nil {
		// One part of a scan spread over machines covered no declared target entirely: its
		// findings count, but it cannot make the workspace's results complete (telesra merge -w
		// saves the combined parts as one run that can).
		run.Targets = []string{}
	}
	return ws.addRun(run)
}

// SaveMerged records the combination of a scan's shards (MergeShards) as one run of the
// workspace at dir, as if one machine had scanned the whole scope, and rewrites scan.json. It
// refuses a result of another scope. available is every check telesra has.
func SaveMerged(dir string, res *checks.Result, available []string) (string, error) {
	ws, err := Load(dir)
	if err != nil {
		return "", err
	}
	if !slices.Equal(res.Scope.Targets, ws.Assessment.Scope.Targets) {
		return "", inputErrorf("%s: the merged scan's scope %s is not the workspace's %s", ws.Path,
			scopeLine(res.Scope), scopeLine(checks.ScopeDoc{Targets: ws.Assessment.Scope.Targets}))
	}
	run := &ScanRun{SchemaVersion: runSchemaVersion, ID: newRunID(), Targets: slices.Clone(res.Scope.Targets),
		Selection: slices.Clone(res.Checks), Available: available, Result: res}
	return ws.addRun(run)
}

// addRun saves run under scans/ and rewrites scan.json as the combination of every run, all
// under the workspace lock, so two scans finishing together both count.
func (ws *Workspace) addRun(run *ScanRun) (string, error) {
	res := run.Result
	lock, err := ws.Lock()
	if err != nil {
		return "", err
	}
	defer lock.Unlock()
	if err := os.MkdirAll(ws.ScansDir(), 0o700); err != nil {
		return "", fmt.Errorf("save scan: %w", err)
	}
	runs, err := ws.loadRuns()
	if err != nil {
		return "", err
	}
	if len(runs) == 0 {
		// A workspace scanned before scans/ existed: its scan.json becomes the first run, so the
		// new run adds to it rather than replacing it.
		legacy, err := ws.seedLegacyRun(run.Available)
		if err != nil {
			return "", err
		}
		if legacy != nil {
			runs = append(runs, legacy)
		}
	}
	for _, r := range runs {
		run.Sequence = max(run.Sequence, r.Sequence)
	}
	run.Sequence++
	run.file = ws.ScanRunPath(res.StartedAt, run.ID)
	if err := writeRun(run); err != nil {
		return "", err
	}
	runs = append(runs, run)
	combined := Combine(runs, ws.Assessment.Scope.Targets)
	var buf bytes.Buffer
	if err := (scan.JSON{}).Write(&buf, combined); err != nil {
		return "", err
	}
	if err := WriteFile(ws.ScanPath(), buf.Bytes(), true); err != nil {
		return "", err
	}
	return run.file, nil
}

func newRunID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func writeRun(run *ScanRun) error {
	data, err := json.MarshalIndent(run, "", "  ")
	if err != nil {
		return fmt.Errorf("save scan: %w", err)
	}
	return WriteFile(run.file, append(data, '\n'), false)
}

// seedLegacyRun turns an existing scan.json into the first run of scans/.
func (l Layout) seedLegacyRun(available []string) (*ScanRun, error) {
	data, err := readOptional(l.ScanPath(), ScanInput)
	if err != nil || data == nil {
		return nil, err
	}
	res, err := checks.DecodeResult(data)
	if err != nil {
		return nil, inputErrorf("%s: not a telesra scan result (move it away to scan again): %v", l.ScanPath(), err)
	}
	run := &ScanRun{SchemaVersion: runSchemaVersion, ID: "scanjson", Sequence: 1, Targets: res.Scope.Targets, Selection: []string{},
		Available: available, Result: res}
	run.file = l.ScanRunPath(res.StartedAt, run.ID)
	return run, writeRun(run)
}

// loadRuns reads every run under scans/ in the order they were saved; none (or no directory) is
// an empty list.
func (l Layout) loadRuns() ([]*ScanRun, error) {
	entries, err := os.ReadDir(l.ScansDir())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read scan history: %w", err)
	}
	var runs []*ScanRun
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		path := filepath.Join(l.ScansDir(), e.Name())
		data, err := ReadInput(path, ScanInput)
		if err != nil {
			return nil, fmt.Errorf("read scan history: %w", err)
		}
		var run ScanRun
		if err := json.Unmarshal(data, &run); err != nil || run.Result == nil {
			if err == nil {
				err = errors.New("no result")
			}
			return nil, inputErrorf("%s: not a telesra scan run: %v", path, err)
		}
		run.file = path
		runs = append(runs, &run)
	}
	sort.SliceStable(runs, func(i, j int) bool {
		if runs[i].Sequence != runs[j].Sequence {
			return runs[i].Sequence < runs[j].Sequence
		}
		a, b := runs[i].Result.StartedAt, runs[j].Result.StartedAt
		if !a.Equal(b) {
			return a.Before(b)
		}
		return runs[i].file < runs[j].file
	})
	return runs, nil
}

// covered reports whether a run reached an endpoint or ran a check, as opposed to stopping
// before it because it was interrupted.
func covered(s checks.Status, r checks.Reason) bool {
	return s != checks.StatusError || r != checks.ReasonCancelled
}

// Combine builds the workspace's scan result from its runs, in the order they were saved: per (endpoint, check)
// the latest attempt from a run that covered it wins, with that run's findings for it; an
// endpoint is as the latest run that reached it saw it. A run never erases what it did not
// cover. The result is complete when every declared target was covered, by runs that together
// ran every check, and the last run covering each target was not interrupted.
func Combine(runs []*ScanRun, declared []string) *checks.Result {
	if len(runs) == 0 {
		return nil
	}
	type key struct{ target, check string }
	var (
		endpoints = map[string]checks.EndpointResult{}
		epCovered = map[string]bool{}
		attempts  = map[key]checks.Attempt{}
		findings  = map[key][]checks.Finding{}
		allChecks = map[string]bool{}
	)
	latest := runs[len(runs)-1].Result
	out := &checks.Result{SchemaVersion: latest.SchemaVersion, Tool: latest.Tool, StartedAt: runs[0].Result.StartedAt,
		FinishedAt: latest.FinishedAt, Scope: latest.Scope, Suppressions: latest.Suppressions}
	for _, run := range runs {
		r := run.Result
		for _, c := range r.Checks {
			allChecks[c] = true
		}
		if r.FinishedAt.After(out.FinishedAt) {
			out.FinishedAt = r.FinishedAt
		}
		found := map[key][]checks.Finding{}
		for _, f := range r.Findings {
			k := key{f.Target, f.Check}
			found[k] = append(found[k], f)
		}
		for _, a := range r.Attempts {
			k := key{a.Target, a.Check}
			if _, seen := attempts[k]; seen && !covered(a.Status, a.Reason) {
				continue
			}
			attempts[k] = a
			findings[k] = found[k]
		}
		for k, fs := range found {
			if _, seen := attempts[k]; !seen {
				findings[k] = fs // a finding without an attempt: keep the latest
			}
		}
		for _, e := range r.Endpoints {
			ok := covered(e.Status, e.Reason)
			old, seen := endpoints[e.Target]
			if seen && !ok && epCovered[e.Target] {
				continue
			}
			for name, v := range old.Verdicts {
				if _, has := e.Verdicts[name]; !has {
					if e.Verdicts == nil {
						e.Verdicts = map[string]checks.Verdict{}
					}
					e.Verdicts[name] = v
				}
			}
			endpoints[e.Target] = e
			epCovered[e.Target] = ok || epCovered[e.Target]
		}
	}
	for c := range allChecks {
		out.Checks = append(out.Checks, c)
	}
	for _, e := range endpoints {
		out.Endpoints = append(out.Endpoints, e)
	}
	for _, a := range attempts {
		out.Attempts = append(out.Attempts, a)
	}
	for _, fs := range findings {
		out.Findings = append(out.Findings, fs...)
	}
	out.Complete = completeCover(runs, declared)
	out.Finalize()
	return out
}

// completeCover: every declared target covered by runs that together ran every check telesra
// has (as of the latest run), the last of them not interrupted.
func completeCover(runs []*ScanRun, declared []string) bool {
	if len(declared) == 0 {
		return false
	}
	want := runs[len(runs)-1].Available
	for _, t := range declared {
		ran := map[string]bool{}
		var last *ScanRun
		for _, run := range runs {
			if slices.Contains(run.Targets, t) {
				last = run
				for _, c := range run.Result.Checks {
					ran[c] = true
				}
			}
		}
		if last == nil || !last.Result.Complete {
			return false
		}
		for _, c := range want {
			if !ran[c] {
				return false
			}
		}
	}
	return true
}

// LoadScan is the workspace's scan result for the register: the combination of its runs under
// scans/, or, for a workspace scanned before scans/ existed, scan.json as it is. nil: never
// scanned.
func (ws *Workspace) LoadScan() (*checks.Result, error) {
	runs, err := ws.loadRuns()
	if err != nil {
		return nil, err
	}
	if len(runs) > 0 {
		return Combine(runs, ws.Assessment.Scope.Targets), nil
	}
	data, err := readOptional(ws.ScanPath(), ScanInput)
	if err != nil {
		return nil, fmt.Errorf("read scan results: %w", err)
	}
	if data == nil {
		return nil, nil
	}
	res, err := checks.DecodeResult(data)
	if err != nil {
		return nil, fmt.Errorf("%s: not a telesra scan result: %w", ws.ScanPath(), err)
	}
	return res, nil
}
