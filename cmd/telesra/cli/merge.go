package cli

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/telesra/telesra/checks"

	"github.com/telesra/telesra/cmd/telesra/workspace"
	"github.com/telesra/telesra/report/scan"
)

// MergeOptions are `telesra merge`'s inputs.
type MergeOptions struct {
	IO        *IOStreams
	Registry  func(FamilyOptions) (*checks.Registry, []*checks.Family, error)
	Shards    []string
	Output    string
	Workspace string
}

// NewCmdMerge builds `telesra merge SHARD.json...`.
func NewCmdMerge(f *Factory, runF func(*MergeOptions) error) *cobra.Command {
	o := &MergeOptions{IO: f.IO, Registry: f.Registry}
	cmd := &cobra.Command{
		Use:   "merge SHARD.json...",
		Short: "Combine the results of a scan spread over machines (scan --shard K/N)",
		Long: `Combine the N results of 'telesra scan --shard K/N' (JSON, one per part) into the result
one machine scanning the whole scope would have written: the same endpoints, attempts and
finding IDs, complete only when every part was.

Every part must be present once, and all must be of one scan: the same scope, check selection,
telesra version, suppressions file and patch knowledge base. Anything else is refused (exit 2)
and nothing is written.

With -w the combined result is saved in the workspace's scan history, as one run covering the
whole scope, and DIR/scan.json is rewritten. See docs/scale.md for CI and Kubernetes recipes.`,
		Example: `  telesra merge shard-1.json shard-2.json shard-3.json shard-4.json -o scan.json
  telesra merge shards/*.json -w acme-2026`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorf("merge: give the shard results to combine")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Shards = args
			if runF != nil {
				return runF(o)
			}
			return mergeRun(o)
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "write the combined JSON result to `FILE` (0600, atomically) instead of stdout")
	cmd.Flags().StringVarP(&o.Workspace, "workspace", "w", "", "save the combined result in workspace `DIR`'s scan history (DIR/scan.json)")
	return cmd
}

func mergeRun(o *MergeOptions) error {
	if o.Output != "" && o.Output != "-" {
		for _, s := range o.Shards {
			if filepath.Clean(s) == filepath.Clean(o.Output) {
				return usageErrorf("--output %s is one of the shards: it would be overwritten", o.Output)
			}
		}
		if err := workspace.CheckOutput(o.Output); err != nil {
			return err
		}
	}
	res, interrupted, err := workspace.MergeShards(o.Shards)
	if err != nil {
		return err
	}
	// Said even with --quiet, like a scan's own interruption: the combined result is
	// incomplete, and only re-running these parts completes it.
	for _, p := range interrupted {
		fmt.Fprintf(o.IO.ErrOut, "warning: shard %s was interrupted: the merged result is incomplete; scan that part again and merge\n", p)
	}
	var saved string
	if o.Workspace != "" {
		registry, _, err := o.Registry(FamilyOptions{})
		if err != nil {
			return err
		}
		var available []string
		for _, c := range registry.Checks() {
			available = append(available, c.ID)
		}
		if saved, err = workspace.SaveMerged(o.Workspace, res, available); err != nil {
			return err
		}
	}
	write := func(w io.Writer) error { return (scan.JSON{}).Write(w, res) }
	switch {
	case o.Output != "" && o.Output != "-":
		if err := workspace.WriteOutput(o.Output, true, write); err != nil {
			return err
		}
		saved = o.Output
	case o.Workspace == "" || o.Output == "-":
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			return err
		}
		if _, err := o.IO.Out.Write(buf.Bytes()); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
	}
	if saved != "" && !o.IO.Quiet {
		fmt.Fprintf(o.IO.ErrOut, "Merged %d shards (%d endpoints, %d findings) into %s\n",
			len(o.Shards), res.Totals.Endpoints, len(res.Findings), saved)
	}
	return nil
}
