package cli

import (
	"encoding/json"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// version --json names the commit, its time and whether the tree was modified.
func TestBuildFromBuildInfo(t *testing.T) {
	vcs := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "3a861682ac77f00dbeefcafe0123456789abcdef"},
		{Key: "vcs.time", Value: "2026-12-01T10:20:30Z"}, {Key: "vcs.modified", Value: "true"}}}
	// The version string itself is versionOf's (version_build_test.go); the build facts
	// behind it are what version --json reports.
	b := buildFrom("dev", vcs)
	if b.Revision != "3a861682ac77f00dbeefcafe0123456789abcdef" || b.BuildDate != "2026-12-01T10:20:30Z" || !b.Modified {
		t.Errorf("build %+v", b)
	}
}

func TestVersionJSON(t *testing.T) {
	r := run(t, nil, "version", "--json")
	if r.code != 0 {
		t.Fatalf("version --json: exit %d %s", r.code, r.stderr)
	}
	var v struct {
		Version, Go, Platform string
		Engines               map[string]string
		ScoringRules          string                        `json:"scoring_rules"`
		KnowledgeBase         []struct{ Name, Date string } `json:"knowledge_base"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if v.Version != "test" || v.Go != runtime.Version() || v.Engines["example.org/worker-engine"] != "v0.0.1" || v.ScoringRules == "" {
		t.Errorf("version --json: %+v", v)
	}
	if r := run(t, nil, "version"); r.code != 0 || !strings.Contains(r.stdout, "scoring rules "+v.ScoringRules) ||
		!strings.Contains(r.stdout, "example.org/worker-engine v0.0.1 (in telesra-web)") {
		t.Errorf("version lacks the scoring rules: %s", r.stdout)
	}
}
