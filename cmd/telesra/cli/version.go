package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"
)

// BuildVersion is the version a build reports: the linker's value when set, else the module
// version `go install` recorded, else the VCS revision a build from a git checkout recorded
// ("git 07404e0c1a2b", "+modified" for uncommitted changes), else "dev". A signed report
// names the code that wrote it, so a checkout build never says only "dev".
func BuildVersion(linked string) string {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(linked, bi)
}

// versionOf is BuildVersion for given build information (nil when the binary carries none).
func versionOf(linked string, bi *debug.BuildInfo) string {
	if linked != "" && linked != "dev" {
		return linked
	}
	if bi == nil {
		return "dev"
	}
	if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	var rev string
	var modified bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		return "dev"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	v := "git " + rev
	if modified {
		v += "+modified"
	}
	return v
}

// NucleiModule and NucleiVersion name the nuclei engine the web worker (cmd/telesra-web) runs.
const (
	NucleiModule  = "github.com/projectdiscovery/nuclei/v3"
	NucleiVersion = "v3.11.1"
)

// NewCmdVersion prints the version and the engine versions that matter for reproducing results.
func NewCmdVersion(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print telesra's version and the versions of its engines",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(f.IO.Out, "telesra %s (%s, %s/%s)\n", f.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			if bi, ok := debug.ReadBuildInfo(); ok {
				for _, d := range bi.Deps {
					if d.Path == "github.com/zmap/zcrypto" {
						fmt.Fprintf(f.IO.Out, "  %s %s\n", d.Path, d.Version)
					}
				}
			}
			// nuclei runs in the telesra-web worker, which this program does not link: the
			// version is the one go.mod pins (a test keeps them in step).
			fmt.Fprintf(f.IO.Out, "  %s %s (in telesra-web)\n", NucleiModule, NucleiVersion)
			printKBDates(f)
			return nil
		},
	}
}

// printKBDates lists the patch knowledge base's sources with their dates and ages: a result is
// only reproducible with the data it was judged against. A knowledge base that cannot be opened
// is reported, not fatal: version must always answer.
func printKBDates(f *Factory) {
	if f.KnowledgeBase == nil {
		return
	}
	now := time.Now()
	if f.Now != nil {
		now = f.Now()
	}
	kb, err := f.openKB("")
	var srcs []KBSource
	if err == nil {
		srcs, err = kb.Sources()
	}
	if err != nil {
		fmt.Fprintf(f.IO.Out, "  knowledge base: unavailable (%v)\n", err)
		return
	}
	// The age is version's data, so it goes to stdout with the dates; stderr stays telesra's
	// own diagnostics only.
	fmt.Fprintln(f.IO.Out, "  knowledge base:")
	for _, s := range srcs {
		age := sourceAge(s.Date, now)
		mark := ""
		if age > staleAfterDays {
			mark = fmt.Sprintf("  (older than %d days: telesra feeds update)", staleAfterDays)
		}
		fmt.Fprintf(f.IO.Out, "    %s  %4dd  %-8s  %s%s\n", s.Date, age, s.Origin, s.Name, mark)
	}
}
