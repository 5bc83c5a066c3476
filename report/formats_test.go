package report

import (
	"testing"

	"github.com/telesra/telesra/report/scan"
)

func TestFormatsFollowTheNamingRule(t *testing.T) {
	if err := Formats.Check(); err != nil {
		t.Fatal(err)
	}
	// The names -f accepted before the registries shared one shape, and "markdown" with them.
	for _, name := range []string{"pdf", "xlsx", "csv", "json", "md", "markdown", "oscal"} {
		if _, ok := Formats.Lookup(name); !ok {
			t.Errorf("-f %s is no longer accepted", name)
		}
	}
	// A name both commands accept means the same kind of format in both.
	for _, sf := range scan.Formats {
		for _, name := range append([]string{sf.Name}, sf.Aliases...) {
			if rf, ok := Formats.Lookup(name); ok && rf.Name != sf.Name {
				t.Errorf("%q is the report format %q but the scan format %q", name, rf.Name, sf.Name)
			}
		}
	}
}
