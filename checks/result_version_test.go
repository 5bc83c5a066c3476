package checks

import (
	"encoding/json"
	"maps"
	"os"
	"slices"
	"testing"

	"golang.org/x/mod/semver"
)

// resultFieldsSince records when each top-level field of the result document appeared. The
// schema promises semver: a new optional field bumps the minor version, so a field added to the
// schema without an entry here (and a new ResultSchemaVersion) fails this test.
var resultFieldsSince = map[string][]string{
	"1.0.0": {"schema_version", "tool", "started_at", "finished_at", "complete", "scope", "checks", "endpoints", "attempts",
		"findings", "suppressions", "totals"},
	"1.1.0": {"shard"},
}

func TestResultSchemaVersionCoversFields(t *testing.T) {
	data, err := os.ReadFile("../templates/schemas/scan-result.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, fs := range resultFieldsSince {
		listed = append(listed, fs...)
	}
	slices.Sort(listed)
	inSchema := slices.Sorted(maps.Keys(schema.Properties))
	if !slices.Equal(listed, inSchema) {
		t.Errorf("the schema's fields %v are not the fields recorded by version %v: a new field needs a new minor version", inSchema, listed)
	}
	latest := slices.MaxFunc(slices.Collect(maps.Keys(resultFieldsSince)), func(a, b string) int {
		return semver.Compare("v"+a, "v"+b)
	})
	if ResultSchemaVersion != latest {
		t.Errorf("ResultSchemaVersion is %s, but fields were last added in %s", ResultSchemaVersion, latest)
	}
}
