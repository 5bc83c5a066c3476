package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"github.com/telesra/telesra/cmd/telesra/workspace"
	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/questionnaire/tui"
)

// AssessOptions are `telesra assess`'s inputs.
type AssessOptions struct {
	IO  *IOStreams
	Now func() time.Time

	Workspace  string
	Accessible bool
	Profile    string
	// Session runs the full-screen questionnaire; tests substitute it.
	Session func(ctx context.Context, m *tui.Model, io *IOStreams) error
}

// NewCmdAssess builds `telesra assess`.
func NewCmdAssess(f *Factory, runF func(*AssessOptions) error) *cobra.Command {
	o := &AssessOptions{IO: f.IO, Now: f.Now, Session: runSession}
	cmd := &cobra.Command{
		Use:   "assess",
		Short: "Answer the HIPAA questionnaire (saved to DIR/answers.yaml as you go)",
		Long: `Answer the questionnaire: every HIPAA Security Rule safeguard and the telehealth
practices, in plain language, with help for each question. Jump to any section, go back and
forth, add notes and evidence, flag questions for later. Every answer is saved to
DIR/answers.yaml the moment it is given; the next run resumes at the first question still open.

--accessible (or TERM=dumb) asks the questions as plain sequential prompts for screen readers.
--profile nprm adds readiness questions for the proposed 2025 Security Rule changes.
Without a terminal, answer by editing DIR/answers.yaml (see telesra answers export).`,
		Example: `  telesra assess -w acme-2026
  telesra assess -w acme-2026 --accessible
  telesra assess -w acme-2026 --profile nprm`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			return assessRun(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&o.Workspace, "workspace", "w", ".", "assessment workspace `DIR`")
	fl.BoolVar(&o.Accessible, "accessible", false, "plain sequential prompts (screen readers); also with TERM=dumb")
	fl.StringVar(&o.Profile, "profile", "", "add a question set: nprm (proposed-rule readiness)")
	return cmd
}

func assessRun(ctx context.Context, o *AssessOptions) error {
	bank := questionnaire.DefaultBank()
	if o.Profile != "" && !slices.Contains(bank.Profiles(), o.Profile) {
		return usageErrorf("unknown profile %q (want %s)", o.Profile, strings.Join(bank.Profiles(), ", "))
	}
	ws, err := workspace.Load(o.Workspace)
	if err != nil {
		return err
	}
	// A hand-edited file that does not validate stops here, before anything could be written.
	store, answers, err := ws.OpenAnswers(bank)
	if err != nil {
		return err
	}
	if !o.IO.InTTY {
		return usageErrorf("assess asks questions at a terminal, and stdin is not one.\n"+
			"Answer without a terminal by editing %s (telesra answers export --section S or --audience it -o FILE lists questions to fill in;\n"+
			"telesra answers import FILE merges them back)", store.Path())
	}
	if o.Profile != "" && !answers.HasProfile(o.Profile) {
		answers.AddProfile(o.Profile)
		if err := store.Save(answers.Clone()); err != nil {
			return err
		}
	}
	opts := tui.Options{Bank: bank, Answers: answers, Store: store, Now: o.Now,
		Title: ws.Assessment.Organisation.Name, File: store.Path(), Marks: scanMarks(o.IO, o.Workspace, o.Now)}
	if o.Accessible || o.IO.Getenv("TERM") == "dumb" {
		if err := tui.Prompt(ctx, o.IO.In, o.IO.ErrOut, opts); err != nil {
			return err
		}
	} else {
		m := tui.New(opts)
		sessionErr := o.Session(ctx, m, o.IO)
		if m.Pending() && m.SaveErr() == nil {
			// Interrupted between an answer and its save: save it now.
			if err := store.Save(answers.Clone()); err != nil {
				return err
			}
		}
		if err := m.SaveErr(); err != nil {
			return fmt.Errorf("the last answers were not saved: %w", err)
		}
		if sessionErr != nil {
			return sessionErr
		}
	}
	if !o.IO.Quiet {
		summarise(o.IO, bank, answers, store.Path())
	}
	return nil
}

// scanMarks is what the workspace's scan says of the answers. The questionnaire stays usable
// when the register cannot be built (a remediation.yaml being edited, say): the reason goes
// to stderr and the questions show no marks.
func scanMarks(io *IOStreams, dir string, now func() time.Time) questionnaire.ScanMarks {
	if now == nil {
		now = time.Now
	}
	marks, err := workspace.ScanMarks(dir, now())
	if err != nil {
		if !io.Quiet {
			fmt.Fprintf(io.ErrOut, "warning: answers not checked against the scan: %v\n", err)
		}
		return nil
	}
	return marks
}

// runSession runs the full-screen questionnaire on the terminal, drawing on stderr.
func runSession(ctx context.Context, m *tui.Model, io *IOStreams) error {
	_, err := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(io.In), tea.WithOutput(io.ErrOut)).Run()
	if errors.Is(err, tea.ErrProgramKilled) || errors.Is(err, tea.ErrInterrupted) || errors.Is(err, context.Canceled) {
		return &InterruptedError{Saved: "answers already given are saved"}
	}
	return err
}

// summarise tells where the session left the questionnaire, and what changed since last time.
func summarise(io *IOStreams, bank *questionnaire.Bank, answers *questionnaire.Answers, path string) {
	s := questionnaire.Score(bank, answers)
	o := s.Overall
	fmt.Fprintf(io.ErrOut, "%d of %d questions answered", o.Answered, o.Questions)
	if n := len(questionnaire.Flagged(bank, answers)); n > 0 {
		fmt.Fprintf(io.ErrOut, ", %d flagged for later", n)
	}
	fmt.Fprintf(io.ErrOut, ". Answers: %s\n", path)
	if ch := questionnaire.Changes(bank, answers); len(ch) > 0 {
		fmt.Fprintf(io.ErrOut, "Changed since the last assessment (%d):\n", len(ch))
		for _, c := range ch {
			fmt.Fprintf(io.ErrOut, "  %-28s %s -> %s\n", c.Question.ID, c.From.Status.Short(), c.To.Status.Short())
		}
	}
	if q := bank.Resume(answers); q != nil {
		fmt.Fprintf(io.ErrOut, "telesra assess -w %s resumes at: %s\n", filepath.Dir(path), q.Text)
	}
}
