package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// BuildVersion is the version a build reports: the linker's value when set, else the module
// version `go install` recorded, else "dev".
func BuildVersion(linked string) string {
	if linked != "" && linked != "dev" {
		return linked
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
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
			return nil
		},
	}
}
