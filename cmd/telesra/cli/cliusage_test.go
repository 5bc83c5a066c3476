package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// An unknown subcommand of a group is a typo a script must notice: exit 2 with a suggestion,
// never the group's help and exit 0.
func TestUnknownSubcommandExitsUsage(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"risks", "plan"}, `unknown command "plan" for "telesra risks"`},
		{[]string{"checks", "lst"}, "Did you mean this?\n\tlist"},
		{[]string{"answers", "exprot"}, "export"},
		{[]string{"feeds", "nope"}, `unknown command "nope"`},
		{[]string{"templates", "nope"}, `unknown command "nope"`},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			r := run(t, nil, c.args...)
			if r.code != ExitUsage || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", r.code, r.stderr, c.want)
			}
		})
	}
	// The group alone still shows its help.
	if r := run(t, nil, "risks"); r.code != ExitOK || !strings.Contains(r.stdout+r.stderr, "Available Commands") {
		t.Errorf("telesra risks: exit %d, output %q", r.code, r.stdout+r.stderr)
	}
}

// A missing workspace is bad input (exit 2) in every verb that takes one, and nothing is
// created at the mistyped path.
func TestMissingWorkspaceExitsUsageInEveryVerb(t *testing.T) {
	dir := t.TempDir()
	nope := filepath.Join(dir, "TYPO")
	verbs := [][]string{
		{"scan", "-w", nope},
		{"assess", "-w", nope},
		{"report", "-w", nope},
		{"report", "-w", nope, "-f", "md"},
		{"report", "approve", "-w", nope, "--by", "Dr A. Lee", "--role", "Practice owner"},
		{"report", "approve", "-w", nope, "--list"},
		{"risks", "list", "-w", nope},
		{"risks", "show", "R-1", "-w", nope},
		{"risks", "set", "R-1", "--status", "done", "-w", nope},
		{"answers", "export", "-w", nope, "--section", "tech"},
		{"diff", nope, nope},
		{"answers", "import", filepath.Join(dir, "a.yaml"), "-w", nope},
	}
	for _, args := range verbs {
		t.Run(strings.Join(args[:2], " "), func(t *testing.T) {
			r := run(t, nil, args...)
			if r.code != ExitUsage || !strings.Contains(r.stderr, "no assessment workspace here") {
				t.Errorf("%v: exit %d, stderr %q; want 2 and \"no assessment workspace here\"", args, r.code, r.stderr)
			}
			if _, err := os.Stat(nope); err == nil {
				t.Fatalf("%v created %s", args, nope)
			}
		})
	}
}

func TestReportCSVPlainFlag(t *testing.T) {
	for args, want := range map[string]bool{"": false, "--csv-plain": true} {
		var got *ReportOptions
		cmd := NewCmdReport(testFactory(new(bytes.Buffer), new(bytes.Buffer)), func(o *ReportOptions) error { got = o; return nil })
		cmd.SetArgs(strings.Fields(args))
		if err := cmd.Execute(); err != nil || got == nil || got.CSVPlain != want {
			t.Errorf("report %s: CSVPlain %v (%v); want %v", args, got != nil && got.CSVPlain, err, want)
		}
	}
}

// At 80 columns no line of a table is wider than the terminal; written to a file, nothing is
// cut.
func TestTablesFitTheTerminal(t *testing.T) {
	dir := reportWorkspace(t)
	if r := run(t, nil, "risks", "set", "-w", dir, mustFirstRisk(t, dir), "--owner", "Dr Maria Lopez-Fernández of the Riverside Practice"); r.code != 0 {
		t.Fatalf("risks set: %s", r.stderr)
	}
	// An assessor's rating marks the level ("Very High*"): the table still fits.
	if r := run(t, nil, "risks", "set", "-w", dir, mustFirstRisk(t, dir), "--impact", "very high", "--by", "Dana Whitfield", "--why", "It holds every patient record"); r.code != 0 {
		t.Fatalf("risks set --impact: %s", r.stderr)
	}
	terminal := func(cols string) func(*Factory) {
		return func(f *Factory) {
			f.IO.OutTTY = true
			f.IO.Getenv = func(k string) string {
				if k == "COLUMNS" {
					return cols
				}
				return ""
			}
		}
	}
	for _, args := range [][]string{{"checks", "list"}, {"risks", "list", "-w", dir, "--all"}} {
		for _, cols := range []int{80, 100} {
			r := runWith(t, nil, terminal(fmt.Sprint(cols)), args...)
			if r.code != 0 || r.stdout == "" {
				t.Fatalf("%v: exit %d %s", args, r.code, r.stderr)
			}
			for _, line := range strings.Split(r.stdout, "\n") {
				if w := ansi.StringWidth(line); w > cols {
					t.Errorf("%v at %d columns: a line of %d:\n%s", args, cols, w, line)
				}
			}
		}
		// Not a terminal: every column, nothing cut.
		r := run(t, nil, args...)
		if strings.Contains(r.stdout, "…") {
			t.Errorf("%v into a file cuts text:\n%s", args, r.stdout)
		}
		if args[0] == "risks" && !strings.Contains(r.stdout, "Dr Maria Lopez-Fernández of the Riverside Practice") {
			t.Errorf("risks list into a file lost the owner:\n%s", r.stdout)
		}
	}
}

func mustFirstRisk(t *testing.T, dir string) string {
	t.Helper()
	var risks []struct{ ID string }
	if err := json.Unmarshal([]byte(run(t, nil, "risks", "list", "-w", dir, "-f", "json").stdout), &risks); err != nil || len(risks) == 0 {
		t.Fatalf("risks: %v", err)
	}
	return risks[0].ID
}
