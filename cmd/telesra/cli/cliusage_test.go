package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		{"risks", "list", "-w", nope},
		{"risks", "show", "R-1", "-w", nope},
		{"risks", "set", "R-1", "--status", "done", "-w", nope},
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
