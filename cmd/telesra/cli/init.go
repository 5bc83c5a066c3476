package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"charm.land/huh/v2"
	"github.com/spf13/cobra"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/cmd/telesra/workspace"
	"github.com/telesra/telesra/questionnaire"
)

// InitOptions are `telesra init`'s inputs.
type InitOptions struct {
	IO  *IOStreams
	Now func() time.Time

	Dir          string
	Organisation string
	Assessor     string
	AssessorOrg  string
	Email        string
	Date         string
	Targets      []string
	Exclusions   []string
	AuthorisedBy string
	AuthorisedOn string
	Force        bool
	// From is last assessment's workspace: its answers are carried forward, marked to
	// re-confirm, and its organisation, assessor and scope fill in what flags leave empty.
	From string
	// Prompt asks for the organisation and assessor when they are missing and a person is at
	// the terminal.
	Prompt func(ctx context.Context, o *InitOptions) error
}

// NewCmdInit builds `telesra init DIR`.
func NewCmdInit(f *Factory, runF func(*InitOptions) error) *cobra.Command {
	o := &InitOptions{IO: f.IO, Now: f.Now, Prompt: promptInit}
	cmd := &cobra.Command{
		Use:   "init DIR",
		Short: "Create an assessment workspace (DIR/assessment.yaml)",
		Long: `Create an assessment workspace: DIR/assessment.yaml names the organisation, the
assessor, the date, the scope (targets and exclusions) and who authorised active scanning.
The file is validated against its schema; edit it freely afterwards.

--from LAST_DIR starts from last assessment: its answers are carried forward into
DIR/answers.yaml marked "to re-confirm" (telesra assess shows last year's answer and what
changed), and its organisation, assessor and scope are reused unless flags say otherwise.
Scanning authorisation is never carried forward.

Scanning needs authorisation: pass --authorised-by and --authorised-on, or fill them in later.`,
		Example: `  telesra init acme-2026 --org "Acme Family Telehealth" --assessor "J. Smith" \
      --target portal.acme.example --target 10.20.0.0/24 --exclude 10.20.0.1 \
      --authorised-by "Dr A. Lee, practice owner" --authorised-on 2026-11-20
  telesra init acme-2027 --from acme-2026 --authorised-by "Dr A. Lee" --authorised-on 2027-11-19`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Dir = args[0]
			if runF != nil {
				return runF(o)
			}
			return initRun(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Organisation, "org", "", "organisation assessed")
	fl.StringVar(&o.Assessor, "assessor", "", "assessor's name")
	fl.StringVar(&o.AssessorOrg, "assessor-org", "", "assessor's organisation")
	fl.StringVar(&o.Email, "email", "", "assessor's email")
	fl.StringVar(&o.Date, "date", "", "assessment date, YYYY-MM-DD (default today)")
	fl.StringArrayVar(&o.Targets, "target", nil, "a target in scope: host, host:port, URL or CIDR (repeatable)")
	fl.StringArrayVar(&o.Exclusions, "exclude", nil, "an exclusion: host, address, host:port or CIDR (repeatable)")
	fl.StringVar(&o.AuthorisedBy, "authorised-by", "", "who authorised active scanning (name and role)")
	fl.StringVar(&o.AuthorisedOn, "authorised-on", "", "when scanning was authorised, YYYY-MM-DD")
	fl.BoolVar(&o.Force, "force", false, "replace an existing assessment.yaml")
	fl.StringVar(&o.From, "from", "", "carry answers (and organisation, assessor, scope) forward from last assessment's workspace `LAST_DIR`")
	return cmd
}

func initRun(ctx context.Context, o *InitOptions) error {
	var carried *questionnaire.Answers
	bank := questionnaire.DefaultBank()
	if o.From != "" {
		last, err := workspace.Load(o.From)
		if err != nil {
			return err
		}
		lastAnswers, err := last.LoadAnswers(bank)
		if err != nil {
			return err
		}
		carried = questionnaire.CarryForward(lastAnswers)
		la := last.Assessment
		o.Organisation = cmp.Or(o.Organisation, la.Organisation.Name)
		o.Assessor = cmp.Or(o.Assessor, la.Assessor.Name)
		o.AssessorOrg = cmp.Or(o.AssessorOrg, la.Assessor.Organisation)
		o.Email = cmp.Or(o.Email, la.Assessor.Email)
		if len(o.Targets) == 0 {
			o.Targets = la.Scope.Targets
		}
		if len(o.Exclusions) == 0 {
			o.Exclusions = la.Scope.Exclusions
		}
	}
	for _, list := range [][]string{o.Targets, o.Exclusions} {
		for _, t := range list {
			if _, err := checks.ParseTarget(t); err != nil {
				return &UsageError{Err: err}
			}
		}
	}
	if (o.Organisation == "" || o.Assessor == "") && o.IO.InTTY && o.IO.ErrTTY && o.Prompt != nil {
		if err := o.Prompt(ctx, o); err != nil {
			return err
		}
	}
	if o.Organisation == "" || o.Assessor == "" {
		return usageErrorf("--org and --assessor are required (or run init at a terminal to be asked)")
	}
	if o.Date == "" {
		o.Date = o.Now().Format(time.DateOnly)
	}
	a := workspace.Assessment{
		SchemaVersion:  1,
		Organisation:   workspace.Organisation{Name: o.Organisation},
		Assessor:       workspace.Assessor{Name: o.Assessor, Organisation: o.AssessorOrg, Email: o.Email},
		AssessmentDate: o.Date,
		Scope:          workspace.Scope{Targets: o.Targets, Exclusions: o.Exclusions},
	}
	if a.Scope.Targets == nil {
		a.Scope.Targets = []string{}
	}
	if o.AuthorisedBy != "" || o.AuthorisedOn != "" {
		a.Authorisation = &workspace.Authorisation{AuthorisedBy: o.AuthorisedBy, AuthorisedOn: o.AuthorisedOn}
	}
	if carried != nil {
		// Checked before anything is written: init never leaves half a workspace behind.
		if _, err := os.Stat(workspace.At(o.Dir).AnswersPath()); err == nil && !o.Force {
			return &workspace.ExistsError{Path: workspace.At(o.Dir).AnswersPath()}
		}
	}
	path, err := workspace.Create(o.Dir, a, o.Force)
	if err != nil {
		return err
	}
	if carried != nil {
		if err := workspace.At(o.Dir).SaveAnswers(bank, carried); err != nil {
			return err
		}
		if !o.IO.Quiet {
			fmt.Fprintf(o.IO.ErrOut, "Carried forward %d answers from %s, marked to re-confirm: telesra assess -w %s\n",
				carried.Count(), workspace.At(o.From).AnswersPath(), o.Dir)
		}
	}
	if !o.IO.Quiet {
		fmt.Fprintf(o.IO.ErrOut, "Created %s\n%s", path, nextSteps(o.Dir, len(o.Targets) > 0, a.Authorisation != nil))
	}
	return nil
}

// nextSteps names the two halves of an assessment, whichever way the workspace was made: the
// scan (once targets and the authorisation are recorded) and the questionnaire.
func nextSteps(dir string, targets, authorised bool) string {
	scan := fmt.Sprintf("telesra scan -w %s", dir)
	switch {
	case !targets:
		scan = "add targets under scope.targets in assessment.yaml, then: " + scan
	case !authorised:
		scan = "record who authorised scanning (authorisation in assessment.yaml), then: " + scan
	}
	return fmt.Sprintf("Next steps:\n  1. Scan the practice's systems: %s\n"+
		"  2. Answer the questionnaire (1-2 hours; saved as you go, resume any time): telesra assess -w %s\n", scan, dir)
}

// promptInit asks for what a workspace cannot do without, and for what scanning needs: the
// targets and who authorised scanning them, and when (both may be left for later).
func promptInit(ctx context.Context, o *InitOptions) error {
	notEmpty := func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New("required")
		}
		return nil
	}
	targets := strings.Join(o.Targets, " ")
	validTargets := func(s string) error {
		for _, t := range strings.Fields(strings.ReplaceAll(s, ",", " ")) {
			if _, err := checks.ParseTarget(t); err != nil {
				return err
			}
		}
		return nil
	}
	validDate := func(s string) error {
		if s = strings.TrimSpace(s); s == "" {
			if strings.TrimSpace(o.AuthorisedBy) != "" {
				return errors.New("the date scanning was authorised, YYYY-MM-DD")
			}
			return nil
		}
		if strings.TrimSpace(o.AuthorisedBy) == "" {
			return errors.New("leave empty until you know who authorised scanning")
		}
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return errors.New("a date as YYYY-MM-DD, or empty to fill in later")
		}
		return nil
	}
	form := huh.NewForm(huh.NewGroup(
		huh.NewInput().Title("Organisation assessed").Value(&o.Organisation).Validate(notEmpty),
		huh.NewInput().Title("Assessor (your name)").Value(&o.Assessor).Validate(notEmpty),
	), huh.NewGroup(
		huh.NewInput().Title("Targets to scan (hosts, URLs or CIDRs, separated by spaces; empty to add later)").
			Value(&targets).Validate(validTargets),
		huh.NewInput().Title("Who authorised scanning them (name and role; empty to add later)").Value(&o.AuthorisedBy),
		huh.NewInput().Title("When was it authorised (YYYY-MM-DD)").Value(&o.AuthorisedOn).Validate(validDate),
	)).WithInput(o.IO.In).WithOutput(o.IO.ErrOut).WithAccessible(o.IO.Getenv("TERM") == "dumb")
	if err := form.RunWithContext(ctx); err != nil {
		if errors.Is(err, huh.ErrUserAborted) {
			return &InterruptedError{}
		}
		return err
	}
	o.Targets = strings.Fields(strings.ReplaceAll(targets, ",", " "))
	o.AuthorisedBy, o.AuthorisedOn = strings.TrimSpace(o.AuthorisedBy), strings.TrimSpace(o.AuthorisedOn)
	return nil
}
