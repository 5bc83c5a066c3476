package workspace

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/telesra/telesra/checks"
)

// shardFile writes part k of n of a scan of the given checks, with a patch verdict resting on a
// knowledge base dated kbDate ("" : no patch verdict), and returns its path.
func shardFile(t *testing.T, dir string, k, n int, checkIDs []string, kbDate string) string {
	t.Helper()
	target := fmt.Sprintf("127.0.0.1:%d", 1000+k)
	r := &checks.Result{SchemaVersion: checks.ResultSchemaVersion, Tool: checks.Tool{Name: "telesra", Version: "test"},
		StartedAt: time.Date(2026, 11, 22, 10, 0, k, 0, time.UTC), FinishedAt: time.Date(2026, 11, 22, 10, 1, k, 0, time.UTC),
		Complete: true, Scope: checks.ScopeDoc{Source: "command line", Targets: []string{"127.0.0.0/24"}}, Checks: checkIDs,
		Shard:     &checks.Shard{K: k, N: n},
		Endpoints: []checks.EndpointResult{{Target: target, Host: "127.0.0.1", Port: 1000 + k, Status: checks.StatusCompleted}}}
	if kbDate != "" {
		r.Endpoints[0].Verdicts = map[string]checks.Verdict{"patch": {Line: "patch", Data: map[string]any{
			"knowledge_base_sources": []map[string]any{{"name": "kev", "date": kbDate, "age_days": k}}}}}
	}
	r.Finalize()
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprintf("shard-%d-%s.json", k, kbDate))
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestMergeShardsRefusesPartsOfDifferentScans: parts resting on knowledge bases of different
// dates, or of different check selections, are refused as input errors naming the file; parts
// of one knowledge base merge even when scanned on different days (the ages differ).
func TestMergeShardsRefusesPartsOfDifferentScans(t *testing.T) {
	dir := t.TempDir()
	tlsOnly := []string{"tls.protocol.legacy"}
	both := []string{"patch.eol", "tls.protocol.legacy"}
	a := shardFile(t, dir, 1, 2, both, "2026-11-20")
	b := shardFile(t, dir, 2, 2, both, "2026-11-20")
	if r, _, err := MergeShards([]string{a, b}); err != nil || len(r.Endpoints) != 2 || !r.Complete {
		t.Fatalf("one knowledge base: %v, %+v", err, r)
	}
	for name, c := range map[string]struct {
		paths []string
		want  string
	}{
		"knowledge base": {[]string{a, shardFile(t, dir, 2, 2, both, "2026-10-01")}, "different patch knowledge bases"},
		"checks":         {[]string{a, shardFile(t, dir, 2, 2, tlsOnly, "")}, "check selection"},
		"shard count":    {[]string{a, shardFile(t, dir, 2, 3, both, "2026-11-20")}, "shard count"},
	} {
		_, _, err := MergeShards(c.paths)
		var in *InputError
		if !errors.As(err, &in) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "shard-") {
			t.Errorf("%s differs: %v, want an input error naming the file and %q", name, err, c.want)
		}
	}
}
