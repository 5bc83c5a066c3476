package cli

import (
	"runtime/debug"
	"testing"
)

// TestVersionOfACheckoutBuild: a build from a git checkout names its revision, so the report's
// footer says which code wrote it instead of "dev".
func TestVersionOfACheckoutBuild(t *testing.T) {
	vcs := func(settings ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/telesra/telesra", Version: "(devel)"}}
		for i := 0; i+1 < len(settings); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return bi
	}
	const rev = "07404e0c1a2b3c4d5e6f708192a3b4c5d6e7f809"
	for _, tc := range []struct {
		name, linked string
		bi           *debug.BuildInfo
		want         string
	}{
		{"linker value wins", "1.4.0", vcs("vcs.revision", rev), "1.4.0"},
		{"go install records the module version", "dev", &debug.BuildInfo{Main: debug.Module{Version: "v1.3.2"}}, "v1.3.2"},
		{"checkout build", "dev", vcs("vcs", "git", "vcs.revision", rev, "vcs.modified", "false"), "git 07404e0c1a2b"},
		{"checkout with changes", "", vcs("vcs.revision", rev, "vcs.modified", "true"), "git 07404e0c1a2b+modified"},
		{"built with -buildvcs=false", "dev", vcs(), "dev"},
		{"no build information", "", nil, "dev"},
	} {
		if got := versionOf(tc.linked, tc.bi); got != tc.want {
			t.Errorf("%s: version %q, want %q", tc.name, got, tc.want)
		}
	}
}
