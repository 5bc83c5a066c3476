package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/cmd/telesra/workspace"
)

func readScanJSON(t *testing.T, ws string) *checks.Result {
	t.Helper()
	data, err := os.ReadFile(workspace.At(ws).ScanPath())
	if err != nil {
		t.Fatal(err)
	}
	res, err := checks.DecodeResult(data)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func findingIDs(r *checks.Result) []string {
	var ids []string
	for _, f := range r.Findings {
		ids = append(ids, f.ID)
	}
	slices.Sort(ids)
	return ids
}

// TestNarrowAndInterruptedScansAddToTheWorkspace: after a complete scan, a scan of one target
// with one family, and then a rescan stopped by Ctrl-C, keep every finding of the complete scan
// in scan.json and in the register; every run is kept under scans/ with what it covered.
func TestNarrowAndInterruptedScansAddToTheWorkspace(t *testing.T) {
	p1, p2, tarpit := portal(t), portal(t), tarpitListener(t)
	ws := makeWorkspace(t, []string{p1, p2, tarpit}, nil)
	if r := run(t, nil, "scan", "-w", ws, "--timeout", "1s", "-q"); r.code != 0 {
		t.Fatalf("full scan: exit %d\n%s", r.code, r.stderr)
	}
	full := readScanJSON(t, ws)
	if !full.Complete || len(full.Findings) < 2 {
		t.Fatalf("full scan: complete=%v, %d findings", full.Complete, len(full.Findings))
	}

	// Narrower: one target, one family.
	if r := run(t, nil, "scan", "-w", ws, p1, "--checks", "transport", "-q"); r.code != 0 {
		t.Fatalf("narrow scan: exit %d\n%s", r.code, r.stderr)
	}
	narrow := readScanJSON(t, ws)
	if got, want := findingIDs(narrow), findingIDs(full); !slices.Equal(got, want) {
		t.Errorf("after a narrower scan scan.json holds findings %v, want the complete scan's %v", got, want)
	}
	if !narrow.Complete {
		t.Error("every target still has every check's latest result, yet scan.json says incomplete")
	}
	if len(narrow.Endpoints) != len(full.Endpoints) || len(narrow.Attempts) != len(full.Attempts) {
		t.Errorf("endpoints %d -> %d, attempts %d -> %d", len(full.Endpoints), len(narrow.Endpoints), len(full.Attempts), len(narrow.Attempts))
	}

	// Interrupted: Ctrl-C while the tarpit holds the rescan.
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(1500*time.Millisecond, cancel)
	if r := run(t, ctx, "scan", "-w", ws, "--timeout", "60s", "-q"); r.code != ExitInterrupted {
		t.Fatalf("interrupted rescan: exit %d\n%s", r.code, r.stderr)
	}
	cancel()
	after := readScanJSON(t, ws)
	if got, want := findingIDs(after), findingIDs(full); !slices.Equal(got, want) {
		t.Errorf("after an interrupted rescan scan.json holds findings %v, want %v", got, want)
	}
	if e, ok := after.Endpoint(tarpit); !ok || e.Reason == checks.ReasonCancelled {
		t.Errorf("the tarpit's result from the complete scan was replaced by the interrupted one: %+v", e)
	}
	if after.Complete {
		t.Error("the last run was interrupted, yet scan.json says complete")
	}
	a, err := workspace.Analyse(ws, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if got := findingIDs(a.Scan); !slices.Equal(got, findingIDs(full)) {
		t.Errorf("the register reads findings %v", got)
	}

	// The history: one file per run, private, with what each run covered.
	dir := workspace.At(ws).ScansDir()
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("scans/: %v %v", err, fi)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Fatalf("scans/ holds %d files, want 3 runs", len(entries))
	}
	var runs []workspace.ScanRun
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		fi, _ := os.Stat(path)
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v", path, fi.Mode().Perm())
		}
		data, _ := os.ReadFile(path)
		var run workspace.ScanRun
		if err := json.Unmarshal(data, &run); err != nil || run.Result == nil {
			t.Fatalf("%s: %v", path, err)
		}
		runs = append(runs, run)
	}
	slices.SortFunc(runs, func(a, b workspace.ScanRun) int { return a.Sequence - b.Sequence })
	if runs[0].Sequence != 1 || runs[2].Sequence != 3 || len(runs[0].Targets) != 3 || !runs[0].Result.Complete || len(runs[0].Selection) != 0 ||
		!slices.Equal(runs[1].Targets, []string{p1}) || !slices.Equal(runs[1].Selection, []string{"transport"}) ||
		runs[2].Result.Complete {
		t.Errorf("history: %+v", runs)
	}
	if runs[0].Result.Scope.Source == "" || len(runs[0].Available) == 0 {
		t.Errorf("a run does not record its scope and the checks available: %+v", runs[0])
	}
}

// TestNarrowScanAloneIsNotComplete: a workspace scanned only with one family of one target is
// not a complete scan, and its report stays a draft.
func TestNarrowScanAloneIsNotComplete(t *testing.T) {
	p1, p2 := portal(t), portal(t)
	ws := makeWorkspace(t, []string{p1, p2}, nil)
	if r := run(t, nil, "scan", "-w", ws, p1, "--checks", "transport", "-q"); r.code != 0 {
		t.Fatalf("narrow scan: exit %d\n%s", r.code, r.stderr)
	}
	if readScanJSON(t, ws).Complete {
		t.Error(`a scan of one target with one family is marked "complete": true`)
	}
	a, err := workspace.Analyse(ws, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if c := a.Document(fixedNow, nil).Completion; c.Scan != "incomplete" || !c.Draft {
		t.Errorf("report completion on a narrow scan: %+v", c)
	}
}

// TestConcurrentScansBothCount: two scan -w runs of different targets of one workspace at the
// same time; scan.json holds what both found.
func TestConcurrentScansBothCount(t *testing.T) {
	p1, p2 := portal(t), portal(t)
	ws := makeWorkspace(t, []string{p1, p2}, nil)
	codes := make(chan runResult, 2)
	for _, target := range []string{p1, p2} {
		go func() { codes <- run(t, nil, "scan", "-w", ws, target, "--checks", "transport", "-q") }()
	}
	for range 2 {
		if r := <-codes; r.code != 0 {
			t.Fatalf("scan: exit %d\n%s", r.code, r.stderr)
		}
	}
	targets := map[string]bool{}
	for _, f := range readScanJSON(t, ws).Findings {
		targets[f.Target] = true
	}
	if !targets[p1] || !targets[p2] {
		t.Errorf("scan.json has findings of %v, want both %s and %s", targets, p1, p2)
	}
}
