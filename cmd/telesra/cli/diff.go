package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/telesra/telesra/report/register"

	"github.com/spf13/cobra"

	"github.com/telesra/telesra/cmd/telesra/workspace"
)

// DiffOptions are `telesra diff`'s inputs.
type DiffOptions struct {
	IO       *IOStreams
	Now      func() time.Time
	Old, New string
	Format   string
}

// NewCmdDiff builds `telesra diff OLD NEW`.
func NewCmdDiff(f *Factory, runF func(*DiffOptions) error) *cobra.Command {
	o := &DiffOptions{IO: f.IO, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "diff OLD NEW",
		Short: "Compare the risk registers of two assessments: new, fixed and changed risks",
		Long: `Build the risk register of two workspaces (last year's and this year's, or the same
practice before and after remediation) and compare them by risk ID. A risk is new when only
NEW detects it, fixed when only OLD does, and changed when its level moved (the likelihood or
impact behind the move is named).

Risk IDs are stable: the same weakness on the same asset (scan target, or questionnaire
question) has the same ID in both.`,
		Example: `  telesra diff acme-2025 acme-2026
  telesra diff before after -f json`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Old, o.New = args[0], args[1]
			if runF != nil {
				return runF(o)
			}
			return diffRun(o)
		},
	}
	cmd.Flags().StringVarP(&o.Format, "format", "f", "table", "table, json or md")
	return cmd
}

func diffRun(o *DiffOptions) error {
	if o.Format != "table" && o.Format != "json" && o.Format != "md" {
		return usageErrorf("--format %q: want table, json or md", o.Format)
	}
	now := o.Now()
	older, err := workspace.Analyse(o.Old, now)
	if err != nil {
		return err
	}
	newer, err := workspace.Analyse(o.New, now)
	if err != nil {
		return err
	}
	diffs := register.Diff(older.Register, newer.Register)
	count := map[string]int{}
	for _, d := range diffs {
		count[d.Kind]++
	}
	switch o.Format {
	case "json":
		type item struct {
			Kind  string `json:"kind"`
			ID    string `json:"id"`
			Title string `json:"title"`
			Asset string `json:"asset"`
			Old   string `json:"old_level,omitempty"`
			New   string `json:"new_level,omitempty"`
			Why   string `json:"why,omitempty"`
		}
		out := []item{}
		for _, d := range diffs {
			out = append(out, item{d.Kind, d.ID, d.Title, d.Asset, d.Old.ID(), d.New.ID(), d.Why})
		}
		enc := json.NewEncoder(o.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	case "md":
		fmt.Fprintf(o.IO.Out, "# Risk changes: %s → %s\n\n%d new, %d fixed, %d changed level.\n\n", o.Old, o.New, count[register.ChangeNew], count[register.ChangeFixed], count[register.ChangeChanged])
		if len(diffs) > 0 {
			fmt.Fprintln(o.IO.Out, "| Change | ID | Level | Asset | Risk |\n|---|---|---|---|---|")
			for _, d := range diffs {
				fmt.Fprintf(o.IO.Out, "| %s | %s | %s | %s | %s |\n", d.Kind, d.ID, levelChange(d), mdEscape(d.Asset), mdEscape(d.Title))
			}
		}
	default:
		tw := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CHANGE\tID\tLEVEL\tASSET\tRISK")
		for _, d := range diffs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.Kind, d.ID, levelChange(d), oneLineText(d.Asset, 40), oneLineText(d.Title, 60))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if !o.IO.Quiet {
		fmt.Fprintf(o.IO.ErrOut, "%s → %s: %d new, %d fixed, %d changed level (%d risks then, %d now)\n", o.Old, o.New,
			count[register.ChangeNew], count[register.ChangeFixed], count[register.ChangeChanged], len(older.Register.Risks), len(newer.Register.Risks))
	}
	return nil
}

func levelChange(d register.Difference) string {
	switch d.Kind {
	case register.ChangeNew:
		return d.New.String()
	case register.ChangeFixed:
		return "was " + d.Old.String()
	}
	s := d.Old.String() + " → " + d.New.String()
	if d.Why != "" {
		s += " (" + d.Why + ")"
	}
	return s
}

func mdEscape(s string) string {
	return strings.ReplaceAll(oneLineText(s, 0), "|", `\|`)
}
