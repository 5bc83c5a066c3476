package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// NewCmdRoot builds the telesra command tree.
func NewCmdRoot(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "telesra",
		Short: "HIPAA security risk assessment for telehealth practices",
		Long: `telesra assesses a telehealth practice against the HIPAA Security Rule: it scans the
declared estate (TLS, MFA exposure, patch level, web exposure), maps every finding to its
HIPAA citation, and turns findings and questionnaire answers into a scored risk register.

Start with:  telesra demo          (a self-contained loopback estate, nothing leaves the machine)
             telesra init DIR      (an assessment workspace for a real practice)`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       f.Version,
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			if q, err := cmd.Flags().GetBool("quiet"); err == nil && q {
				f.IO.Quiet = true
			}
		},
	}
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &UsageError{Err: err} })
	root.PersistentFlags().BoolP("quiet", "q", false, "no progress or notices on stderr (errors are still printed)")
	root.SetVersionTemplate("telesra {{.Version}}\n")

	root.AddCommand(
		NewCmdInit(f, nil),
		NewCmdScan(f, nil),
		NewCmdDemo(f, nil),
		NewCmdAssess(f, nil),
		NewCmdAnswers(f),
		NewCmdReport(f, nil),
		NewCmdRisks(f, nil),
		NewCmdAssets(f, nil),
		NewCmdDiff(f, nil),
		NewCmdMerge(f, nil),
		NewCmdChecks(f),
		NewCmdFeeds(f),
		NewCmdTemplates(f),
		NewCmdVersion(f),
		NewCmdMan(f),
		newCmdExitCodes(),
	)
	// Generated docs (docs/cli, man pages) are compared with the tree in tests: no date stamp.
	root.DisableAutoGenTag = true
	refuseUnknownSubcommands(root)
	addCompletions(root, f)
	return root
}

// refuseUnknownSubcommands makes every command group reject an unknown subcommand with exit 2
// and cobra's suggestions. Cobra checks subcommand names only at the root: a group without a
// Run of its own shows its help and succeeds, so `telesra risks plan` in a script would pass.
func refuseUnknownSubcommands(c *cobra.Command) {
	for _, sub := range c.Commands() {
		refuseUnknownSubcommands(sub)
	}
	if c.Parent() == nil || !c.HasSubCommands() || c.Runnable() {
		return
	}
	c.Args = cobra.ArbitraryArgs
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
		}
		return &UsageError{Err: errors.New(msg + "\n\nRun '" + cmd.CommandPath() + " --help' for its commands.")}
	}
}

// exactArgs is cobra.ExactArgs returning a usage error (exit 2).
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.ExactArgs(n)(cmd, args); err != nil {
			return &UsageError{Err: err}
		}
		return nil
	}
}

// maxArgs is cobra.MaximumNArgs returning a usage error.
func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.MaximumNArgs(n)(cmd, args); err != nil {
			return &UsageError{Err: err}
		}
		return nil
	}
}
