package cli

import (
	"encoding/json"
	"fmt"
	"maps"
	"runtime"
	"runtime/debug"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/telesra/telesra/report/register"
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

// Build is what a binary knows of its own build.
type Build struct {
	Revision  string `json:"revision,omitempty"`
	BuildDate string `json:"build_date,omitempty"` // the commit's time: reproducible builds carry no clock
	Modified  bool   `json:"modified,omitempty"`
}

func buildFrom(_ string, bi *debug.BuildInfo) Build {
	var b Build
	if bi == nil {
		return b
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.BuildDate = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// VersionInfo is `telesra version --json`: what a result needs to be reproduced.
type VersionInfo struct {
	Version       string            `json:"version"`
	Build         Build             `json:"build"`
	Go            string            `json:"go"`
	Platform      string            `json:"platform"`
	Engines       map[string]string `json:"engines"`
	ScoringRules  string            `json:"scoring_rules"`
	KnowledgeBase []KBSource        `json:"knowledge_base,omitempty"`
	KBError       string            `json:"knowledge_base_error,omitempty"`
}

func versionInfo(f *Factory) VersionInfo {
	bi, _ := debug.ReadBuildInfo()
	v := VersionInfo{Version: f.Version, Build: buildFrom(f.Version, bi), Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH,
		Engines: map[string]string{}, ScoringRules: register.DefaultRules().Version}
	// Engines of the worker programs (nuclei in telesra-web), which this program does not link:
	// main names them (Factory.WorkerEngines).
	for mod, ver := range f.WorkerEngines {
		v.Engines[mod] = ver
	}
	if bi != nil {
		for _, d := range bi.Deps {
			if d.Path == "github.com/zmap/zcrypto" {
				v.Engines[d.Path] = d.Version
			}
		}
	}
	if f.KnowledgeBase != nil {
		kb, err := f.openKB("")
		if err == nil {
			v.KnowledgeBase, err = kb.Sources()
		}
		if err != nil {
			v.KBError = err.Error()
		}
	}
	return v
}

// NewCmdVersion prints the version and the engine versions that matter for reproducing results.
func NewCmdVersion(f *Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print telesra's version and the versions of its engines and data",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := versionInfo(f)
			if asJSON {
				enc := json.NewEncoder(f.IO.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(v)
			}
			fmt.Fprintf(f.IO.Out, "telesra %s (%s, %s)\n", v.Version, v.Go, v.Platform)
			if v.Build.Revision != "" {
				mod := ""
				if v.Build.Modified {
					mod = ", with uncommitted changes"
				}
				fmt.Fprintf(f.IO.Out, "  revision %s of %s%s\n", v.Build.Revision, v.Build.BuildDate, mod)
			}
			if z, ok := v.Engines["github.com/zmap/zcrypto"]; ok {
				fmt.Fprintf(f.IO.Out, "  github.com/zmap/zcrypto %s\n", z)
			}
			for _, mod := range slices.Sorted(maps.Keys(f.WorkerEngines)) {
				fmt.Fprintf(f.IO.Out, "  %s %s (in telesra-web)\n", mod, f.WorkerEngines[mod])
			}
			fmt.Fprintf(f.IO.Out, "  scoring rules %s (NIST SP 800-30 Rev. 1)\n", v.ScoringRules)
			printKBDates(f, v)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the versions as JSON")
	return cmd
}

// printKBDates lists the patch knowledge base's sources with their dates and ages: a result is
// only reproducible with the data it was judged against. A knowledge base that cannot be opened
// is reported, not fatal: version must always answer.
func printKBDates(f *Factory, v VersionInfo) {
	if f.KnowledgeBase == nil {
		return
	}
	now := time.Now()
	if f.Now != nil {
		now = f.Now()
	}
	if v.KBError != "" {
		fmt.Fprintf(f.IO.Out, "  knowledge base: unavailable (%s)\n", v.KBError)
		return
	}
	srcs := v.KnowledgeBase
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
