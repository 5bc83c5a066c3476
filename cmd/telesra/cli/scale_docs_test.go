package cli

import (
	"bytes"
	"errors"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/telesra/telesra/checks"
)

// shellVars stands in for what each CI system substitutes in the recipes: part 2 of 4.
var shellVars = strings.NewReplacer(
	"${{ matrix.shard }}", "2",
	"${CI_NODE_INDEX}", "2",
	"${CI_NODE_TOTAL}", "4",
	"$((JOB_COMPLETION_INDEX + 1))", "2",
)

var yamlBlock = regexp.MustCompile("(?s)```yaml\n(.*?)```")

// TestScaleRecipesParse: every recipe in docs/scale.md is valid YAML, its telesra command lines
// parse with telesra's own commands and flags (no scan runs), every scan names a valid
// --shard, and each recipe ends with a merge.
func TestScaleRecipesParse(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/scale.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := yamlBlock.FindAllSubmatch(doc, -1)
	if len(blocks) != 3 {
		t.Fatalf("docs/scale.md has %d YAML recipes, want 3 (GitHub Actions, GitLab, Kubernetes)", len(blocks))
	}
	for i, b := range blocks {
		var lines []string
		dec := yaml.NewDecoder(bytes.NewReader(b[1]))
		for {
			var v any
			err := dec.Decode(&v)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("recipe %d: %v", i+1, err)
			}
			lines = append(lines, telesraLines(v)...)
		}
		if len(lines) < 2 || !strings.HasPrefix(lines[len(lines)-1], "telesra merge ") {
			t.Errorf("recipe %d: telesra commands %q: want scans ending with a merge", i+1, lines)
		}
		for _, line := range lines {
			checkCommandLine(t, i+1, line)
		}
	}
}

// telesraLines collects, in document order, the telesra command lines of a YAML value.
func telesraLines(v any) []string {
	var out []string
	switch v := v.(type) {
	case string:
		for _, l := range strings.Split(v, "\n") {
			if l = strings.TrimSpace(l); strings.HasPrefix(l, "telesra ") {
				out = append(out, l)
			}
		}
	case []any:
		for _, e := range v {
			out = append(out, telesraLines(e)...)
		}
	case map[string]any:
		// Map order is lost in decoding; the recipes' commands sit in ordered lists.
		for _, k := range []string{"jobs", "scan", "merge", "steps", "run", "script", "spec", "template", "containers", "command"} {
			if e, ok := v[k]; ok {
				out = append(out, telesraLines(e)...)
			}
		}
	}
	return out
}

func checkCommandLine(t *testing.T, recipe int, line string) {
	t.Helper()
	expanded := shellVars.Replace(line)
	if strings.Contains(expanded, "$") {
		t.Errorf("recipe %d: %q: a variable the test does not know", recipe, line)
		return
	}
	args := strings.Fields(expanded)[1:]
	var out, errOut bytes.Buffer
	root := NewCmdRoot(testFactory(&out, &errOut))
	cmd, rest, err := root.Find(args)
	if err != nil || (cmd.Name() != "scan" && cmd.Name() != "merge") {
		t.Errorf("recipe %d: %q: not a scan or merge command (%v)", recipe, line, err)
		return
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Errorf("recipe %d: %q: %v", recipe, line, err)
		return
	}
	if cmd.Name() == "scan" {
		s, _ := cmd.Flags().GetString("shard")
		if _, err := checks.ParseShard(s); err != nil {
			t.Errorf("recipe %d: %q: %v", recipe, line, err)
		}
	}
}
