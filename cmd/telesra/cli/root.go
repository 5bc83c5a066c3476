package cli

import (
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
		NewCmdDiff(f, nil),
		NewCmdMerge(f, nil),
		NewCmdChecks(f),
		NewCmdFeeds(f),
		NewCmdTemplates(f),
		NewCmdVersion(f),
		newCmdExitCodes(),
	)
	return root
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
