package cli

import "github.com/spf13/cobra"

// NewCmdAnswers builds `telesra answers`, the questionnaire's answers as files.
func NewCmdAnswers(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "answers",
		Short: "Hand questionnaire sections to others, merge their answers back, record decisions",
		Long: `The questionnaire's answers live in DIR/answers.yaml, a file people can read and edit.
Export a section for someone else to answer (an IT vendor, say), then import their file:
answers the workspace lacks are added; answers that differ are reported, never overwritten.
Record the decision on an Addressable specification with answers decide.`,
		Args: exactArgs(0),
	}
	cmd.AddCommand(NewCmdAnswersExport(f, nil), NewCmdAnswersImport(f, nil), NewCmdAnswersDecide(f, nil))
	return cmd
}
