package questionnaire

import (
	"maps"
	"slices"
)

// Visibility is whether a question is asked under the current answers.
type Visibility int

const (
	// Asked: the question applies and is shown.
	Asked Visibility = iota
	// ScreenedOut: a screening answer says the question does not apply ("Do staff use their own
	// devices?" No). It scores as not applicable.
	ScreenedOut
	// Skipped: a follow-up whose parent answer makes it moot ("Do you test restores?" after "Do
	// you keep backups?" No). It scores as its parent's answer (no backups means no tested
	// restores either; MFA everywhere includes email) but is not a gap of its own: the parent's
	// gap carries the risk.
	Skipped
)

// Visibility tells whether q is asked under the answers a. A follow-up is hidden when the
// question it depends on is hidden, or is answered with a status outside its condition; an
// unanswered or "don't know" parent never hides it.
func (b *Bank) Visibility(q *Question, a *Answers) Visibility {
	if q.When == nil {
		return Asked
	}
	parent, ok := b.byID[q.When.Question]
	if !ok {
		return Asked
	}
	if v := b.Visibility(parent, a); v != Asked {
		return v
	}
	st := a.Get(parent.ID).Status
	if st == "" || st == Unknown || slices.Contains(q.When.In, st) {
		return Asked
	}
	if parent.Kind == KindScreening {
		return ScreenedOut
	}
	return Skipped
}

// effectiveStatus is the status q scores with: its answer when asked ("" when unanswered),
// not applicable when screened out, and its parent's effective status when skipped.
func (b *Bank) effectiveStatus(q *Question, a *Answers) Status {
	switch b.Visibility(q, a) {
	case ScreenedOut:
		return NotApplicable
	case Skipped:
		parent, _ := b.Question(q.When.Question)
		return b.effectiveStatus(parent, a)
	}
	return a.Get(q.ID).Status
}

// Asked lists the questions asked under the answers' profiles and current answers, in order.
func (b *Bank) Asked(a *Answers) []*Question {
	var out []*Question
	for _, q := range b.Questions(a.Profiles) {
		if b.Visibility(q, a) == Asked {
			out = append(out, q)
		}
	}
	return out
}

// FirstOpen is where a session resumes: the first asked question that is unanswered or awaits
// re-confirmation, or nil when every asked question is answered.
func (b *Bank) FirstOpen(a *Answers) *Question {
	for _, q := range b.Asked(a) {
		if !a.Get(q.ID).Answered() {
			return q
		}
	}
	return nil
}

// Resume is where the next session opens: the question the last one was on (ResumeAt) while
// any question is still open, else the first open question; nil when every question is answered.
func (b *Bank) Resume(a *Answers) *Question {
	first := b.FirstOpen(a)
	if first == nil {
		return nil
	}
	if q, ok := b.byID[a.ResumeAt]; ok && b.Visibility(q, a) == Asked && slices.Contains(b.Questions(a.Profiles), q) {
		return q
	}
	return first
}

// Change is a carried-forward answer re-confirmed with a different status.
type Change struct {
	Question *Question
	From     Previous
	To       Answer
}

// Changes lists the answers whose status differs from the last assessment's, in bank order.
func Changes(b *Bank, a *Answers) []Change {
	var out []Change
	for _, q := range b.All() {
		ans, ok := a.ByID[q.ID]
		if !ok || ans.Previous == nil || !ans.Answered() || ans.Status == ans.Previous.Status {
			continue
		}
		out = append(out, Change{Question: q, From: *ans.Previous, To: ans})
	}
	return out
}

// CarryForward turns last assessment's answers into this one's starting point: every answer
// keeps its status, notes and evidence, is marked to re-confirm, and remembers the old answer so
// a change shows when it is re-confirmed. Flags are not carried: they were last year's to-dos.
func CarryForward(last *Answers) *Answers {
	next := NewAnswers()
	next.Profiles = slices.Clone(last.Profiles)
	for id, ans := range last.ByID {
		if ans.Status == "" {
			continue
		}
		prev := &Previous{Status: ans.Status, Notes: ans.Notes, Evidence: slices.Clone(ans.Evidence), Date: ans.Updated}
		next.ByID[id] = Answer{Status: ans.Status, Notes: ans.Notes, Evidence: slices.Clone(ans.Evidence), Reconfirm: true, Previous: prev}
	}
	// Decisions carry forward as they were, with their date: 164.306(e) asks for them to be
	// reviewed, and the report prints who decided and when, so a stale one shows its age.
	next.Decisions = maps.Clone(last.Decisions)
	return next
}
