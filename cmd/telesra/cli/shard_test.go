package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/telesra/telesra/checks"
)

// readResult reads a JSON scan result a test wrote.
func readResult(t *testing.T, path string) *checks.Result {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := checks.DecodeResult(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r
}

// outcome is what a user compares between two scans of one estate: every finding ID, every
// attempt's outcome and every endpoint's status; timings aside.
func outcome(r *checks.Result) (findings, attempts, endpoints []string) {
	for _, f := range r.Findings {
		findings = append(findings, f.ID+" "+f.Check+" "+f.Target)
	}
	for _, a := range r.Attempts {
		attempts = append(attempts, fmt.Sprintf("%s %s %s %s %d", a.Target, a.Check, a.Status, a.Reason, a.Findings))
	}
	for _, e := range r.Endpoints {
		endpoints = append(endpoints, fmt.Sprintf("%s %s %s", e.Target, e.Status, e.Reason))
	}
	return findings, attempts, endpoints
}

// TestShardsMergeToTheUnshardedScan: four `scan --shard K/4` runs over one estate, combined by
// `telesra merge`, give what one unsharded scan gives: the same finding IDs, attempts and
// endpoints; each part scanned only its own endpoints and says which part it is; and merge
// refuses a missing part or a part of another scan, writing nothing.
func TestShardsMergeToTheUnshardedScan(t *testing.T) {
	var targets []string
	for range 8 {
		targets = append(targets, portal(t))
	}
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.json")
	args := append([]string{"scan", "--checks", "transport,mfa", "-q", "-o", whole}, targets...)
	if r := run(t, context.Background(), args...); r.code != 0 {
		t.Fatalf("unsharded scan: exit %d: %s", r.code, r.stderr)
	}
	var shards []string
	seen := map[string]int{}
	for k := 1; k <= 4; k++ {
		out := filepath.Join(dir, fmt.Sprintf("shard-%d.json", k))
		args := append([]string{"scan", "--checks", "transport,mfa", "-q", "--shard", fmt.Sprintf("%d/4", k), "-o", out}, targets...)
		if r := run(t, context.Background(), args...); r.code != 0 {
			t.Fatalf("shard %d/4: exit %d: %s", k, r.code, r.stderr)
		}
		part := readResult(t, out)
		if part.Shard == nil || part.Shard.K != k || part.Shard.N != 4 {
			t.Errorf("shard %d/4 records its part as %+v", k, part.Shard)
		}
		for _, e := range part.Endpoints {
			seen[e.Target]++
		}
		shards = append(shards, out)
	}
	for _, tg := range targets {
		if seen[tg] != 1 {
			t.Errorf("%s scanned by %d shards, want exactly 1", tg, seen[tg])
		}
	}

	merged := filepath.Join(dir, "scan.json")
	if r := run(t, context.Background(), append([]string{"merge", "-o", merged}, shards...)...); r.code != 0 {
		t.Fatalf("merge: exit %d: %s", r.code, r.stderr)
	}
	want, got := readResult(t, whole), readResult(t, merged)
	wf, wa, we := outcome(want)
	gf, ga, ge := outcome(got)
	if len(wf) == 0 {
		t.Fatal("the unsharded scan found nothing: the comparison would prove nothing")
	}
	for _, c := range []struct {
		what      string
		want, got []string
	}{{"findings", wf, gf}, {"attempts", wa, ga}, {"endpoints", we, ge}} {
		if !slices.Equal(c.want, c.got) {
			t.Errorf("merged %s differ from the unsharded scan's:\nwant %q\n got %q", c.what, c.want, c.got)
		}
	}
	if !got.Complete || got.Shard != nil || got.Totals.Scanned != want.Totals.Scanned || !slices.Equal(got.Checks, want.Checks) {
		t.Errorf("merged: complete %v, shard %+v, scanned %d (want %d), checks %v (want %v)",
			got.Complete, got.Shard, got.Totals.Scanned, want.Totals.Scanned, got.Checks, want.Checks)
	}

	// A part of another scan (one target fewer), and a missing part, are refused: exit 2 and
	// no output written.
	other := filepath.Join(dir, "other-2.json")
	args = append([]string{"scan", "--checks", "transport,mfa", "-q", "--shard", "2/4", "-o", other}, targets[1:]...)
	if r := run(t, context.Background(), args...); r.code != 0 {
		t.Fatalf("other scan's shard: exit %d: %s", r.code, r.stderr)
	}
	for name, in := range map[string][]string{
		"other scope":  {shards[0], other, shards[2], shards[3]},
		"missing part": shards[:3],
		"part twice":   {shards[0], shards[1], shards[1], shards[3]},
	} {
		out := filepath.Join(dir, "refused.json")
		r := run(t, context.Background(), append([]string{"merge", "-o", out}, in...)...)
		if r.code != 2 || !strings.Contains(r.stderr, "shard") {
			t.Errorf("merge of %s: exit %d, stderr %q; want exit 2 naming the shard", name, r.code, r.stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("merge of %s wrote %s", name, out)
		}
	}

	// A part that was interrupted merges, but the result is incomplete and merge names the part
	// to scan again, even with -q.
	var doc map[string]any
	data, err := os.ReadFile(shards[2])
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	doc["complete"] = false
	cut := filepath.Join(dir, "shard-3-interrupted.json")
	if data, err = json.Marshal(doc); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cut, data, 0o600); err != nil {
		t.Fatal(err)
	}
	partial := filepath.Join(dir, "partial.json")
	r := run(t, context.Background(), "merge", "-q", "-o", partial, shards[0], shards[1], cut, shards[3])
	if r.code != 0 || !strings.Contains(r.stderr, "shard 3/4 ("+cut+") was interrupted") || readResult(t, partial).Complete {
		t.Errorf("merge with an interrupted part: exit %d, stderr %q, complete %v; want a warning naming part 3/4 and an incomplete result",
			r.code, r.stderr, readResult(t, partial).Complete)
	}
}

// TestShardsInAWorkspace: a part scanned with -w is kept in the workspace's history but never
// claims to cover the scope (so the workspace is not complete after one part of four), and
// `merge -w` saves the combined parts as one run over the whole scope whose findings are the
// unsharded scan's.
func TestShardsInAWorkspace(t *testing.T) {
	var targets []string
	for range 6 {
		targets = append(targets, portal(t))
	}
	ws := makeWorkspace(t, targets, nil)
	out := t.TempDir()
	whole := filepath.Join(out, "whole.json")
	if r := run(t, context.Background(), append([]string{"scan", "-q", "--checks", "transport,mfa", "-o", whole}, targets...)...); r.code != 0 {
		t.Fatalf("unsharded scan: exit %d: %s", r.code, r.stderr)
	}
	var shards []string
	for k := 1; k <= 4; k++ {
		p := filepath.Join(out, fmt.Sprintf("shard-%d.json", k))
		if r := run(t, context.Background(), "scan", "-q", "-w", ws, "--checks", "transport,mfa", "--shard", fmt.Sprintf("%d/4", k), "-o", p); r.code != 0 {
			t.Fatalf("shard %d/4: exit %d: %s", k, r.code, r.stderr)
		}
		shards = append(shards, p)
	}
	runs := readRuns(t, ws)
	if len(runs) != 4 {
		t.Fatalf("scans/ holds %d runs after 4 parts, want 4", len(runs))
	}
	for _, r := range runs {
		if len(r.Targets) != 0 {
			t.Errorf("a part's run claims to cover %v", r.Targets)
		}
	}
	if r := run(t, context.Background(), append([]string{"merge", "-q", "-w", ws}, shards...)...); r.code != 0 {
		t.Fatalf("merge -w: exit %d: %s", r.code, r.stderr)
	}
	runs = readRuns(t, ws)
	if last := runs[len(runs)-1]; len(runs) != 5 || !slices.Equal(last.Targets, targets) {
		t.Errorf("after merge -w: %d runs, the last covering %v; want 5, the last covering the scope %v", len(runs), last.Targets, targets)
	}
	wf, _, _ := outcome(readResult(t, whole))
	gf, _, _ := outcome(readResult(t, filepath.Join(ws, "scan.json")))
	if len(wf) == 0 || !slices.Equal(wf, gf) {
		t.Errorf("workspace scan.json findings after merge -w:\n got %q\nwant %q", gf, wf)
	}
}

// savedRun is what a test reads of a workspace's scans/ run file.
type savedRun struct {
	Targets  []string `json:"targets"`
	Sequence int      `json:"sequence"`
}

// readRuns reads the workspace's scans/ run files in the order they were saved.
func readRuns(t *testing.T, ws string) []savedRun {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(ws, "scans", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []savedRun
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var r savedRun
		if err := json.Unmarshal(data, &r); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b savedRun) int { return a.Sequence - b.Sequence })
	return out
}

// TestShardFlagRefusesBadParts: a malformed --shard is a usage error (exit 2) naming the flag,
// before anything is sent.
func TestShardFlagRefusesBadParts(t *testing.T) {
	addr, n := countingListener(t)
	for _, bad := range []string{"5/4", "0/4", "two/four"} {
		r := run(t, context.Background(), "scan", "--shard", bad, addr)
		if r.code != 2 || !strings.Contains(r.stderr, "--shard") {
			t.Errorf("--shard %s: exit %d, stderr %q; want exit 2 naming --shard", bad, r.code, r.stderr)
		}
	}
	if n.Load() != 0 {
		t.Errorf("%d connections made despite a bad --shard", n.Load())
	}
}
