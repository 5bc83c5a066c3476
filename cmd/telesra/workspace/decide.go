package workspace

import (
	"errors"
	"fmt"

	"github.com/telesra/telesra/questionnaire"
)

// DecisionExistsError refuses to replace a recorded decision without being told to: a decision
// is a record someone signed, and answers.yaml keeps one per specification.
type DecisionExistsError struct {
	Citation string
	Old      questionnaire.Decision
}

func (e *DecisionExistsError) Error() string {
	return fmt.Sprintf("%s already has a decision (%s): not replaced; give --replace to record the new one "+
		"(the file before is kept as answers.yaml.bak)", e.Citation, e.Old.Summary())
}

// RecordDecision records the decision on an Addressable specification in DIR/answers.yaml: under
// the workspace lock, with the answers file's validation and backup, through the one atomic
// writer. A refused decision (questionnaire.CheckDecision, or an existing one without replace)
// is an InputError and leaves the file as it was. It returns the decision it replaced, if any.
func (l Layout) RecordDecision(b *questionnaire.Bank, citation string, d questionnaire.Decision, today string, replace bool) (*questionnaire.Decision, error) {
	if err := questionnaire.CheckDecision(citation, d, today); err != nil {
		return nil, &InputError{Err: err}
	}
	lock, err := l.Lock()
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	a, err := l.LoadAnswers(b)
	if err != nil {
		return nil, err
	}
	old := a.Decision(citation)
	if old != nil && *old == d {
		return old, nil // already recorded: nothing to write
	}
	if old != nil && !replace {
		return nil, &InputError{Err: &DecisionExistsError{Citation: citation, Old: *old}}
	}
	a.SetDecision(citation, &d)
	if err := l.SaveAnswers(b, a); err != nil {
		var loss *questionnaire.LossError
		if errors.As(err, &loss) {
			return nil, &InputError{Err: err}
		}
		return nil, err
	}
	return old, nil
}
