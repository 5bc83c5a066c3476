package cli

import (
	"strings"
	"testing"
)

// complete asks the command tree what a shell would offer after args.
func complete(t *testing.T, args ...string) []string {
	t.Helper()
	r := run(t, nil, append([]string{"__complete"}, args...)...)
	if r.code != 0 {
		t.Fatalf("__complete %v: exit %d %s", args, r.code, r.stderr)
	}
	var out []string
	for _, l := range strings.Split(r.stdout, "\n") {
		if l != "" && !strings.HasPrefix(l, ":") {
			out = append(out, strings.SplitN(l, "\t", 2)[0])
		}
	}
	return out
}

func TestCompletionOfValues(t *testing.T) {
	dir := reportWorkspace(t)
	ids := mustFirstRisk(t, dir)
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"scan", "--checks", ""}, []string{"tls", "transport", "tls.cert.expired"}},
		{[]string{"scan", "--checks", "tls,trans"}, []string{"tls,transport"}},
		{[]string{"scan", "--fail-on", ""}, []string{"critical", "high", "info"}},
		{[]string{"scan", "-f", ""}, []string{"sarif", "junit", "markdown", "md"}},
		{[]string{"report", "-f", "zz"}, nil},
		{[]string{"report", "-f", "pdf,"}, []string{"pdf,xlsx", "pdf,oscal"}},
		{[]string{"risks", "set", "--status", ""}, []string{"open", "in_progress", "accepted"}},
		{[]string{"answers", "export", "--section", ""}, []string{"tech", "gov"}},
		{[]string{"risks", "show", "-w", dir, ""}, []string{ids}},
		{[]string{"checks", "list", "-f", ""}, []string{"markdown", "md"}},
	} {
		got := complete(t, c.args...)
		for _, w := range c.want {
			found := false
			for _, g := range got {
				found = found || g == w
			}
			if !found {
				t.Errorf("%v: %v lacks %q", c.args, got, w)
			}
		}
		if c.want == nil && len(got) != 0 {
			t.Errorf("%v: %v, want nothing", c.args, got)
		}
	}
}
