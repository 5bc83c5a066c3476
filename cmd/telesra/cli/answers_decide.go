package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/telesra/telesra/cmd/telesra/workspace"
	"github.com/telesra/telesra/questionnaire"
)

// AnswersDecideOptions are `telesra answers decide`'s inputs.
type AnswersDecideOptions struct {
	IO        *IOStreams
	Workspace string
	Citation  string
	Decision  string
	Measure   string
	Reason    string
	By        string
	Role      string
	Date      string
	Replace   bool
	today     func() string
}

// NewCmdAnswersDecide builds `telesra answers decide CITATION --decision D ... --by NAME --role ROLE`.
func NewCmdAnswersDecide(f *Factory, runF func(*AnswersDecideOptions) error) *cobra.Command {
	o := &AnswersDecideOptions{IO: f.IO, today: func() string { return f.Now().Format("2006-01-02") }}
	cmd := &cobra.Command{
		Use:   "decide CITATION --decision D [--measure TEXT] [--reason TEXT] --by NAME --role ROLE [--date YYYY-MM-DD]",
		Short: "Record the decision on an Addressable implementation specification",
		Long: `Record in DIR/answers.yaml the practice's decision on an Addressable implementation
specification (45 CFR 164.306(d)(3)), as telesra assess asks for it:
  --decision as_specified    implement it as specified
  --decision alternative     an equivalent alternative measure: --measure says what it is and
                             --reason why the specification itself is not reasonable
  --decision not_reasonable  neither is reasonable and appropriate: --reason says why
A measure or reason has at least three words. --by and --role say who decided; the date is
today's unless --date gives the day it was decided. A Required specification or a standard is
refused (164.306(d)(2): there is nothing to decide), as is anything incomplete; a refusal exits 2
and leaves answers.yaml as it was. A specification that already has a different decision keeps
it unless --replace is given; the previous answers.yaml is kept as answers.yaml.bak.`,
		Example: `  telesra answers decide 164.310(a)(2)(iv) -w acme-2026 --decision alternative \
    --measure "The landlord's work orders for doors and locks are kept with the lease file" \
    --reason "The practice makes no repairs to doors or locks itself" \
    --by "Maria Lopez" --role "Security official"`,
		Args: exactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			o.Citation = args[0]
			if runF != nil {
				return runF(o)
			}
			return answersDecideRun(o)
		},
	}
	cmd.Flags().StringVarP(&o.Workspace, "workspace", "w", ".", "assessment workspace `DIR`")
	cmd.Flags().StringVar(&o.Decision, "decision", "", "as_specified, alternative or not_reasonable")
	cmd.Flags().StringVar(&o.Measure, "measure", "", "the equivalent alternative measure (alternative)")
	cmd.Flags().StringVar(&o.Reason, "reason", "", "why the specification is not reasonable and appropriate (alternative, not_reasonable)")
	cmd.Flags().StringVar(&o.By, "by", "", "who decided `NAME`")
	cmd.Flags().StringVar(&o.Role, "role", "", "their `ROLE` (security official, practice owner)")
	cmd.Flags().StringVar(&o.Date, "date", "", "the day it was decided, YYYY-MM-DD (default today)")
	cmd.Flags().BoolVar(&o.Replace, "replace", false, "replace a different decision already recorded")
	return cmd
}

func answersDecideRun(o *AnswersDecideOptions) error {
	today := o.today()
	d := questionnaire.Decision{Decision: questionnaire.DecisionKind(o.Decision), Measure: strings.TrimSpace(o.Measure),
		Reason: strings.TrimSpace(o.Reason), By: strings.TrimSpace(o.By), Role: strings.TrimSpace(o.Role), Date: o.Date}
	if d.Date == "" {
		d.Date = today
	}
	old, err := workspace.At(o.Workspace).RecordDecision(questionnaire.DefaultBank(), o.Citation, d, today, o.Replace)
	if err != nil {
		var de *questionnaire.DecisionError
		if errors.As(err, &de) {
			// Name the flags, not answers.yaml's fields: the user typed flags.
			for i, p := range de.Problems {
				if f, rest, ok := strings.Cut(p, ": "); ok && !strings.Contains(f, " ") {
					de.Problems[i] = "--" + f + ": " + rest
				}
			}
		}
		return err
	}
	if !o.IO.Quiet {
		verb := "Recorded"
		switch {
		case old != nil && *old == d:
			verb = "Already recorded"
		case old != nil:
			verb = "Replaced (was: " + old.Summary() + ")"
		}
		fmt.Fprintf(o.IO.ErrOut, "%s the decision on %s in %s: %s\n", verb, o.Citation, workspace.At(o.Workspace).AnswersPath(), d.Summary())
	}
	return nil
}
