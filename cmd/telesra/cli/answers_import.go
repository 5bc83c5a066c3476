package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/telesra/telesra/cmd/telesra/workspace"
	"github.com/telesra/telesra/questionnaire"
)

// AnswersImportOptions are `telesra answers import`'s inputs.
type AnswersImportOptions struct {
	IO        *IOStreams
	Workspace string
	File      string
	today     func() string
}

// NewCmdAnswersImport builds `telesra answers import FILE`.
func NewCmdAnswersImport(f *Factory, runF func(*AnswersImportOptions) error) *cobra.Command {
	o := &AnswersImportOptions{IO: f.IO, today: func() string { return f.Now().Format("2006-01-02") }}
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Merge an answers file (an exported section, filled in) into the workspace",
		Long: `Merge the answers in FILE into DIR/answers.yaml. Answers the workspace lacks are added;
a real answer replaces "don't know" and re-confirms a carried-forward answer; evidence is
joined. An answer that differs from the workspace's is a conflict: it is reported with both
values and the workspace keeps its own. The previous answers.yaml is kept as answers.yaml.bak.`,
		Args: exactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			o.File = args[0]
			if runF != nil {
				return runF(o)
			}
			return answersImportRun(o)
		},
	}
	cmd.Flags().StringVarP(&o.Workspace, "workspace", "w", ".", "assessment workspace `DIR`")
	return cmd
}

func answersImportRun(o *AnswersImportOptions) error {
	bank := questionnaire.DefaultBank()
	// Held from the read to the write, so an answer saved meanwhile by assess is not lost.
	lock, err := workspace.At(o.Workspace).Lock()
	if err != nil {
		return err
	}
	defer lock.Unlock()
	answers, err := workspace.At(o.Workspace).LoadAnswers(bank)
	if err != nil {
		return err
	}
	theirs, err := workspace.ReadAnswersFile(o.File, bank)
	if err != nil {
		return err
	}
	r := questionnaire.Merge(bank, answers, theirs, o.today())
	if len(r.Added)+len(r.Updated) > 0 {
		if err := workspace.At(o.Workspace).SaveAnswers(bank, answers); err != nil {
			return err
		}
	}
	if !o.IO.Quiet {
		fmt.Fprintf(o.IO.ErrOut, "Imported %s: %d added, %d updated, %d unchanged, %d without an answer\n",
			o.File, len(r.Added), len(r.Updated), len(r.Unchanged), len(r.Skipped))
	}
	if len(r.Conflicts) > 0 {
		for _, c := range r.Conflicts {
			fmt.Fprintf(o.IO.ErrOut, "  conflict %s (%s)\n", c, c.Source)
		}
		return usageErrorf("%d conflicting answer(s) in %s were not imported; the workspace keeps its own. "+
			"Decide each one in telesra assess or in %s, then import again", len(r.Conflicts), o.File, workspace.At(o.Workspace).AnswersPath())
	}
	return nil
}
