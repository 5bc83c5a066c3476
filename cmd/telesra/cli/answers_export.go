package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/telesra/telesra/cmd/telesra/workspace"
	"github.com/telesra/telesra/questionnaire"
)

// AnswersExportOptions are `telesra answers export`'s inputs.
type AnswersExportOptions struct {
	IO        *IOStreams
	Workspace string
	Section   string
	Output    string
	Force     bool
}

// NewCmdAnswersExport builds `telesra answers export --section S -o FILE`.
func NewCmdAnswersExport(f *Factory, runF func(*AnswersExportOptions) error) *cobra.Command {
	o := &AnswersExportOptions{IO: f.IO}
	sections := strings.Join(questionnaire.DefaultBank().SectionIDs(), ", ")
	cmd := &cobra.Command{
		Use:   "export --section S [-o FILE]",
		Short: "Write one section's questions and answers to a file for someone else to fill in",
		Long: `Write every question of one section, with the answers given so far, to a standalone
answers file. Each question appears as a comment above its entry, with its HIPAA citations,
the evidence to keep and the possible answers; unanswered entries have an empty status.
Sections: ` + sections + `.`,
		Example: `  telesra answers export -w acme-2026 --section tech -o acme-tech.yaml
  telesra answers import -w acme-2026 acme-tech.yaml`,
		Args: exactArgs(0),
		RunE: func(_ *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			return answersExportRun(o)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&o.Workspace, "workspace", "w", ".", "assessment workspace `DIR`")
	fl.StringVar(&o.Section, "section", "", "section to export: "+sections)
	fl.StringVarP(&o.Output, "output", "o", "", "write to `FILE` (0600; a device or pipe is written to, - is stdout) instead of stdout")
	fl.BoolVar(&o.Force, "force", false, "replace FILE if it exists")
	_ = cmd.MarkFlagRequired("section")
	return cmd
}

func answersExportRun(o *AnswersExportOptions) error {
	bank := questionnaire.DefaultBank()
	if _, ok := bank.Section(o.Section); !ok {
		return usageErrorf("unknown section %q (want one of %s)", o.Section, strings.Join(bank.SectionIDs(), ", "))
	}
	answers, err := workspace.At(o.Workspace).LoadAnswers(bank)
	if err != nil {
		return err
	}
	ex, err := questionnaire.Export(bank, answers, o.Section)
	if err != nil {
		return err
	}
	data, err := ex.Marshal(bank)
	if err != nil {
		return err
	}
	if o.Output == "" || o.Output == "-" {
		_, err := o.IO.Out.Write(data)
		return err
	}
	if err := workspace.CheckOutput(o.Output); err != nil {
		return err
	}
	err = workspace.WriteOutput(o.Output, o.Force, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	if err != nil {
		return err
	}
	if !o.IO.Quiet {
		fmt.Fprintf(o.IO.ErrOut, "Wrote %d questions of section %s to %s\nWhen it comes back: telesra answers import -w %s %s\n",
			len(ex.ByID), o.Section, o.Output, o.Workspace, o.Output)
	}
	return nil
}
