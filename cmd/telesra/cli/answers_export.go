package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/telesra/telesra/cmd/telesra/workspace"
	"github.com/telesra/telesra/questionnaire"
)

// AnswersExportOptions are `telesra answers export`'s inputs.
type AnswersExportOptions struct {
	IO        *IOStreams
	Now       func() time.Time
	Workspace string
	Section   string
	Audience  string
	Questions []string
	Open      bool
	Output    string
	Force     bool
}

// NewCmdAnswersExport builds `telesra answers export --section S | --audience A ... -o FILE`.
func NewCmdAnswersExport(f *Factory, runF func(*AnswersExportOptions) error) *cobra.Command {
	o := &AnswersExportOptions{IO: f.IO, Now: f.Now}
	sections := strings.Join(questionnaire.DefaultBank().SectionIDs(), ", ")
	var auds []string
	for _, a := range questionnaire.Audiences {
		auds = append(auds, string(a))
	}
	audiences := strings.Join(auds, ", ")
	cmd := &cobra.Command{
		Use:   "export (--section S | --audience A | --questions ID,... | --open) [-o FILE]",
		Short: "Write questions and answers to a file for someone else to fill in",
		Long: `Write the selected questions, with the answers given so far, to a standalone answers
file. Each question appears as a comment above its entry, with its HIPAA citations, the
evidence to keep and the possible answers; unanswered entries have an empty status. When the
workspace has been scanned, an answer the scan contradicts or verifies says so in its comment
("Contradicted by the scan: ..."); the workspace's answers.yaml itself is never rewritten for it.
Every selector given narrows the selection:
  --section S        one section (` + sections + `)
  --audience A       every question for A, from every section (` + audiences + `)
  --questions ID,... the named questions
  --open             only questions still to answer
telesra assess shows each section's key and who should answer each question.`,
		Example: `  telesra answers export -w acme-2026 --audience it --open -o acme-it.yaml
  telesra answers export -w acme-2026 --section tech -o acme-tech.yaml
  telesra answers import -w acme-2026 acme-it.yaml`,
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
	fl.StringVar(&o.Audience, "audience", "", "export every question for `WHO`, across sections: "+audiences)
	fl.StringSliceVar(&o.Questions, "questions", nil, "export these question `IDs` (comma-separated)")
	fl.BoolVar(&o.Open, "open", false, "export only questions still to answer")
	fl.StringVarP(&o.Output, "output", "o", "", "write to `FILE` (0600; a device or pipe is written to, - is stdout) instead of stdout")
	fl.BoolVar(&o.Force, "force", false, "replace FILE if it exists")
	return cmd
}

func answersExportRun(o *AnswersExportOptions) error {
	bank := questionnaire.DefaultBank()
	if o.Section == "" && o.Audience == "" && len(o.Questions) == 0 && !o.Open {
		return usageErrorf("say what to export: --section S, --audience A, --questions ID,... or --open")
	}
	answers, err := workspace.At(o.Workspace).LoadAnswers(bank)
	if err != nil {
		return err
	}
	ex, err := questionnaire.ExportSelection(bank, answers, questionnaire.Selection{Section: o.Section,
		Audience: questionnaire.Audience(o.Audience), IDs: o.Questions, Open: o.Open})
	if err != nil {
		return usageErrorf("answers export: %v", err)
	}
	if len(ex.ByID) == 0 {
		return usageErrorf("answers export: no question matches (every selected question may be answered already)")
	}
	data, err := ex.MarshalMarked(bank, scanMarks(o.IO, o.Workspace, o.Now))
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
		fmt.Fprintf(o.IO.ErrOut, "Wrote %d questions to %s\nWhen it comes back: telesra answers import -w %s %s\n",
			len(ex.ByID), o.Output, o.Workspace, o.Output)
	}
	return nil
}
