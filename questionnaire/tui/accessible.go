package tui

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/telesra/telesra/questionnaire"
)

// Prompt runs the questionnaire as plain sequential prompts, for screen readers and dumb
// terminals (telesra assess --accessible, TERM=dumb): no redrawing, no colour, one question at a
// time, every answer saved the moment it is given. It is the same questionnaire as the screens:
// it resumes where the last session left off, numbers questions within their section, names
// the HIPAA citation and who should answer, and moves to the next open question after an answer.
//
// It is written here rather than with huh's accessible mode because huh's accessible select
// offers only a fixed list of choices (no skip, back, help or note commands) and panics at the
// end of input (it indexes option 0 when stdin closes).
func Prompt(ctx context.Context, in io.Reader, out io.Writer, o Options) error {
	p := &prompter{Options: o, in: bufio.NewReader(in), out: out}
	if p.Now == nil {
		p.Now = time.Now
	}
	return p.run(ctx)
}

type prompter struct {
	Options
	in  *bufio.Reader
	out io.Writer
	at  *questionnaire.Question // the question asked now: where the next session resumes
}

// errEOF ends the session when input ends: every answer given is already saved.
var errEOF = errors.New("end of input")

func (p *prompter) readLine(prompt string) (string, error) {
	fmt.Fprint(p.out, prompt)
	line, err := p.in.ReadString('\n')
	if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
		fmt.Fprintln(p.out)
		if errors.Is(err, io.EOF) {
			return "", errEOF
		}
		return "", err
	}
	return strings.TrimSpace(line), nil
}

func (p *prompter) save() error {
	if p.at != nil {
		p.Answers.ResumeAt = p.at.ID
	}
	if err := p.Store.Save(p.Answers.Clone()); err != nil {
		return fmt.Errorf("answer not saved: %w", err)
	}
	return nil
}

func (p *prompter) run(ctx context.Context) error {
	b, a := p.Bank, p.Answers
	today := p.Now().Format(time.DateOnly)
	s := questionnaire.Score(b, a)
	fmt.Fprintf(p.out, "telesra questionnaire (plain prompts). %d of %d questions answered.", s.Overall.Answered, s.Overall.Questions)
	if left := questionnaire.Remaining(b.Asked(a), a); left > 0 {
		fmt.Fprintf(p.out, " About %s of questions left.", strings.TrimPrefix(questionnaire.Minutes(left), "~"))
	}
	fmt.Fprintln(p.out)
	if p.File != "" {
		fmt.Fprintf(p.out, "Each answer is saved to %s as soon as you give it.\n", p.File)
	}
	fmt.Fprintln(p.out, "At each question, type a number and press Enter. Other commands: h help, n note, e evidence, f flag, s skip, b back, q quit.")

	q := b.Resume(a)
	if q != nil && q.ID == a.ResumeAt {
		fmt.Fprintln(p.out, "Resuming where you left off.")
	}
	if q == nil {
		fmt.Fprintln(p.out, "Every question is answered. Use telesra assess without --accessible to review, or edit answers.yaml.")
		return nil
	}
	for q != nil {
		if err := ctx.Err(); err != nil {
			return err
		}
		p.at = q
		next, err := p.ask(q, today)
		if errors.Is(err, errEOF) || (err == nil && next == nil) {
			// Remember the question on screen for the next session; every answer is saved already.
			if a.ResumeAt != q.ID {
				if err := p.save(); err != nil {
					return err
				}
			}
		}
		if errors.Is(err, errEOF) {
			return nil
		}
		if err != nil {
			return err
		}
		q = next
	}
	s = questionnaire.Score(b, a)
	fmt.Fprintf(p.out, "Done for now: %d of %d questions answered.\n", s.Overall.Answered, s.Overall.Questions)
	return nil
}

// ask prompts for one question until it is answered, skipped or left, and returns the question
// to ask next (nil to stop).
func (p *prompter) ask(q *questionnaire.Question, today string) (*questionnaire.Question, error) {
	b, a := p.Bank, p.Answers
	var inSection []*questionnaire.Question
	pos := 0
	for _, x := range b.Asked(a) {
		if x.Section == q.Section {
			inSection = append(inSection, x)
			if x == q {
				pos = len(inSection)
			}
		}
	}
	sec, _ := b.Section(q.Section)
	// Numbered as on the screens: within the section, whose key export and import use.
	fmt.Fprintf(p.out, "\nSection: %s (%s), question %d of %d.\n%s\n", sec.Title, q.Section, pos, len(inSection), q.Text)
	if cs := citations(q); cs != "" {
		fmt.Fprintf(p.out, "HIPAA %s.\n", cs)
	}
	var who []string
	for _, au := range q.Audience {
		who = append(who, au.Label())
	}
	if len(who) > 0 {
		fmt.Fprintf(p.out, "Best answered by: %s.\n", strings.Join(who, ", "))
	}
	ans := a.Get(q.ID)
	if ans.Reconfirm && ans.Previous != nil {
		fmt.Fprintf(p.out, "Last assessment's answer: %s. Answer again to confirm or change it.\n", ans.Previous.Status.Short())
	} else if ans.Status != "" {
		fmt.Fprintf(p.out, "Current answer: %s.\n", ans.Status.Short())
	}
	if mk, ok := p.Marks.For(q.ID, ans); ok {
		fmt.Fprintf(p.out, "%s.\n", mk.Label())
	}
	for i, o := range q.Options {
		fmt.Fprintf(p.out, "%d. %s\n", i+1, o.Label)
	}
	for {
		line, err := p.readLine(fmt.Sprintf("Answer 1-%d (h help, n note, e evidence, f flag, s skip, b back, q quit): ", len(q.Options)))
		if err != nil {
			return nil, err
		}
		switch strings.ToLower(line) {
		case "q", "quit":
			return nil, nil
		case "s", "skip", "":
			return p.after(q), nil
		case "b", "back":
			if prev := p.before(q); prev != nil {
				return prev, nil
			}
			fmt.Fprintln(p.out, "This is the first question.")
			continue
		case "h", "help":
			fmt.Fprintf(p.out, "Why it matters: %s\nWhat good looks like: %s\nExample: %s\n", q.Help.Why, q.Help.Good, q.Help.Example)
			if q.Evidence != "" {
				fmt.Fprintf(p.out, "Evidence to keep: %s\n", q.Evidence)
			}
			continue
		case "f", "flag":
			flagged := !a.Get(q.ID).Flagged
			a.Update(q.ID, today, func(x *questionnaire.Answer) { x.Flagged = flagged })
			if err := p.save(); err != nil {
				return nil, err
			}
			fmt.Fprintln(p.out, map[bool]string{true: "Flagged for later.", false: "Flag removed."}[flagged])
			continue
		case "n", "note", "notes":
			text, err := p.readLine("Note (one line, Enter to save): ")
			if err != nil {
				return nil, err
			}
			a.Update(q.ID, today, func(x *questionnaire.Answer) { x.Notes = text })
			if err := p.save(); err != nil {
				return nil, err
			}
			fmt.Fprintln(p.out, "Note saved.")
			continue
		case "e", "evidence":
			text, err := p.readLine("Evidence: paths or links separated by commas: ")
			if err != nil {
				return nil, err
			}
			var items []string
			for _, it := range strings.Split(text, ",") {
				if it = strings.TrimSpace(it); it != "" {
					items = append(items, it)
				}
			}
			a.Update(q.ID, today, func(x *questionnaire.Answer) { x.Evidence = items })
			if err := p.save(); err != nil {
				return nil, err
			}
			fmt.Fprintf(p.out, "Evidence saved (%d item(s)).\n", len(items))
			continue
		}
		n, err := strconv.Atoi(line)
		if err != nil || n < 1 || n > len(q.Options) {
			fmt.Fprintf(p.out, "Please type a number from 1 to %d, or a command letter.\n", len(q.Options))
			continue
		}
		o := q.Options[n-1]
		before := a.Get(q.ID)
		if o.Status == questionnaire.NotApplicable {
			if why := questionnaire.NotApplicableRefusal(q, a); why != "" {
				fmt.Fprintln(p.out, why+".")
				continue
			}
			reason := ""
			for reason == "" {
				if reason, err = p.readLine("Why does this not apply to your practice? "); err != nil {
					return nil, err
				}
			}
			a.SetStatus(q.ID, o.Status, today)
			a.Update(q.ID, today, func(x *questionnaire.Answer) { x.Notes = reason })
		} else {
			a.SetStatus(q.ID, o.Status, today)
		}
		if err := p.save(); err != nil {
			return nil, err
		}
		msg := "Saved: " + o.Status.Short() + "."
		if before.Reconfirm && before.Previous != nil && before.Previous.Status != o.Status {
			msg = fmt.Sprintf("Saved. Changed since the last assessment: %s to %s.", before.Previous.Status.Short(), o.Status.Short())
		}
		if o.Status == questionnaire.Unknown {
			msg += " Flagged for later."
		}
		fmt.Fprintln(p.out, msg)
		if err := p.decide(q, o.Status, today); err != nil {
			return nil, err
		}
		return p.nextOpen(q), nil
	}
}

// decide asks for the decision on each Addressable specification the answer leaves undecided
// (45 CFR 164.306(d)(3)); an empty choice leaves it for later, and the report lists it missing.
func (p *prompter) decide(q *questionnaire.Question, s questionnaire.Status, today string) error {
	for _, c := range undecided(q, s, p.Answers) {
		fmt.Fprintf(p.out, "%s %s is Addressable: record what the practice decided, in writing.\n", c.Citation, c.Name)
		for i, k := range questionnaire.DecisionKinds {
			fmt.Fprintf(p.out, "%d. %s\n", i+1, k.Label())
		}
		var d questionnaire.Decision
		for d.Decision == "" {
			line, err := p.readLine("Decision 1-3 (Enter to decide later): ")
			if err != nil {
				return err
			}
			if line == "" {
				fmt.Fprintln(p.out, "Decision left for later: the report lists it as missing.")
				break
			}
			if n, err := strconv.Atoi(line); err == nil && n >= 1 && n <= len(questionnaire.DecisionKinds) {
				d.Decision = questionnaire.DecisionKinds[n-1]
			} else {
				fmt.Fprintln(p.out, "Please type 1, 2 or 3, or press Enter to decide later.")
			}
		}
		if d.Decision == "" {
			continue
		}
		ask := func(prompt string, words int) (string, error) {
			for {
				text, err := p.readLine(prompt)
				if err != nil || len(strings.Fields(text)) >= words {
					return text, err
				}
				fmt.Fprintf(p.out, "Please say it in at least %d word(s).\n", words)
			}
		}
		var err error
		if d.Decision == questionnaire.DecisionAlternative {
			if d.Measure, err = ask("The equivalent alternative measure: ", questionnaire.MinReasonWords); err != nil {
				return err
			}
		}
		if d.Decision != questionnaire.DecisionAsSpecified {
			if d.Reason, err = ask("Why the specification is not reasonable and appropriate: ", questionnaire.MinReasonWords); err != nil {
				return err
			}
		}
		if d.By, err = ask("Who decided: ", 1); err != nil {
			return err
		}
		if d.Role, err = ask("Their role: ", 1); err != nil {
			return err
		}
		d.Date = today
		p.Answers.SetDecision(c.Citation, &d)
		if err := p.save(); err != nil {
			return err
		}
		fmt.Fprintf(p.out, "Decision recorded for %s.\n", c.Citation)
	}
	return nil
}

// nextOpen is the next unanswered question after q, wrapping round to the start, as on the
// screens: answered questions are not walked through again.
func (p *prompter) nextOpen(q *questionnaire.Question) *questionnaire.Question {
	asked := p.Bank.Asked(p.Answers)
	start := 0
	for i, x := range asked {
		if x == q {
			start = i + 1
		}
	}
	for i := range asked {
		x := asked[(start+i)%len(asked)]
		if x != q && !p.Answers.Get(x.ID).Answered() {
			return x
		}
	}
	return nil
}

// citations is a question's HIPAA citations in words.
func citations(q *questionnaire.Question) string {
	var cs []string
	for _, c := range q.Citations {
		cs = append(cs, fmt.Sprintf("%s %s (%s)", c.Citation, c.Name, kindWord(c.Kind)))
	}
	return strings.Join(cs, "; ")
}

// after is the asked question following q under the current answers.
func (p *prompter) after(q *questionnaire.Question) *questionnaire.Question {
	asked := p.Bank.Asked(p.Answers)
	for i, x := range asked {
		if x == q && i+1 < len(asked) {
			return asked[i+1]
		}
	}
	return nil
}

func (p *prompter) before(q *questionnaire.Question) *questionnaire.Question {
	asked := p.Bank.Asked(p.Answers)
	for i, x := range asked {
		if x == q && i > 0 {
			return asked[i-1]
		}
	}
	return nil
}
