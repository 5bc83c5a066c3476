package tui

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/templates/hipaa"
)

// decisionStep is where the decision form is: the choice, then the texts it needs.
type decisionStep int

const (
	stepKind decisionStep = iota
	stepMeasure
	stepReason
	stepBy
	stepRole
)

// decisionForm records the decision on each Addressable specification an answer left
// undecided (45 CFR 164.306(d)(3)), one after the other; the date is the clock's.
type decisionForm struct {
	specs []hipaa.Citation
	i     int
	step  decisionStep
	d     questionnaire.Decision
}

func (f *decisionForm) spec() hipaa.Citation { return f.specs[f.i] }

// undecided lists the Addressable specifications q requires that an answer of s leaves to be
// decided and that have no decision yet.
func undecided(q *questionnaire.Question, s questionnaire.Status, a *questionnaire.Answers) []hipaa.Citation {
	if !questionnaire.NeedsDecision(s) {
		return nil
	}
	var out []hipaa.Citation
	for _, c := range questionnaire.AddressableSpecs(q) {
		if a.Decision(c.Citation) == nil {
			out = append(out, c)
		}
	}
	return out
}

// afterAnswer moves on from an answered question, through the decision form when the answer
// leaves an Addressable specification undecided.
func (m *Model) afterAnswer(q *questionnaire.Question, s questionnaire.Status) tea.Cmd {
	specs := undecided(q, s, m.answers)
	if len(specs) == 0 {
		return m.advance()
	}
	m.decide = &decisionForm{specs: specs}
	m.edit = editDecision
	m.status += " Addressable: record the decision, or esc to decide later."
	// The answer is saved now; the decision is saved when it is complete.
	m.refresh()
	return m.save()
}

// lastDecider is who recorded the most recent decision, offered as the default.
func (m *Model) lastDecider() (by, role string) {
	date := ""
	for _, d := range m.answers.Decisions {
		if d.Date >= date {
			date, by, role = d.Date, d.By, d.Role
		}
	}
	return by, role
}

// decisionKey handles a key press in the decision form.
func (m *Model) decisionKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	f := m.decide
	if msg.String() == "esc" {
		m.decide, m.edit = nil, editNone
		m.status = "Decision left for later: the report lists it as missing."
		return m, m.advance()
	}
	if f.step != stepKind {
		return m.editKey(msg)
	}
	i := slices.IndexFunc(questionnaire.DecisionKinds, func(k questionnaire.DecisionKind) bool {
		return msg.String() == fmt.Sprint(slices.Index(questionnaire.DecisionKinds, k)+1)
	})
	if i < 0 {
		m.status = "Press 1, 2 or 3 to choose, or esc to decide later."
		return m, nil
	}
	f.d = questionnaire.Decision{Decision: questionnaire.DecisionKinds[i]}
	f.d.By, f.d.Role = m.lastDecider()
	m.nextDecisionStep()
	return m, nil
}

// nextDecisionStep opens the next text the decision needs.
func (m *Model) nextDecisionStep() {
	f := m.decide
	next := map[decisionStep]decisionStep{stepKind: stepMeasure, stepMeasure: stepReason, stepReason: stepBy, stepBy: stepRole}
	f.step = next[f.step]
	if f.step == stepMeasure && f.d.Decision != questionnaire.DecisionAlternative {
		f.step = stepReason
	}
	if f.step == stepReason && f.d.Decision == questionnaire.DecisionAsSpecified {
		f.step = stepBy
	}
	value := map[decisionStep]string{stepMeasure: f.d.Measure, stepReason: f.d.Reason, stepBy: f.d.By, stepRole: f.d.Role}[f.step]
	m.startEdit(editDecision, value)
	m.editor.Placeholder = decisionPrompt(f)
	m.editor.SetHeight(2)
}

// finishDecisionStep takes the text typed for the current step.
func (m *Model) finishDecisionStep(text string) (tea.Model, tea.Cmd) {
	f := m.decide
	switch f.step {
	case stepMeasure:
		f.d.Measure = text
	case stepReason:
		f.d.Reason = text
	case stepBy:
		f.d.By = text
	case stepRole:
		f.d.Role = text
	}
	if f.step != stepRole {
		if text == "" || (f.step <= stepReason && !questionnaire.Substantive(text)) {
			m.status = "Say it in at least three words (the Rule asks for it in writing), or press esc to decide later."
			if f.step >= stepBy {
				m.status = "Say who decided, or press esc to decide later."
			}
			return m, nil
		}
		m.nextDecisionStep()
		return m, nil
	}
	f.d.Date = m.today()
	if p := f.d.Problems(); len(p) > 0 {
		m.status = "Not recorded: " + strings.Join(p, "; ")
		return m, nil
	}
	d := f.d
	m.answers.SetDecision(f.spec().Citation, &d)
	m.status = fmt.Sprintf("Decision recorded for %s: %s.", f.spec().Citation, d.Decision.Label())
	f.i++
	if f.i < len(f.specs) {
		f.step, f.d = stepKind, questionnaire.Decision{}
		m.edit = editDecision
		return m, nil
	}
	m.decide, m.edit = nil, editNone
	return m, m.advance()
}

// decisionPrompt is what the current step asks for.
func decisionPrompt(f *decisionForm) string {
	switch f.step {
	case stepMeasure:
		return "The equivalent alternative measure, e.g. screens lock after 5 minutes instead of automatic logoff"
	case stepReason:
		if f.d.Decision == questionnaire.DecisionAlternative {
			return "Why the specification itself is not reasonable and appropriate here"
		}
		return "Why it is not reasonable and appropriate for the practice (risk, cost, size)"
	case stepBy:
		return "Who decided (name)"
	case stepRole:
		return "Their role, e.g. security official"
	}
	return ""
}

// decisionLines draws the decision form under the question.
func (m *Model) decisionLines(w int) []string {
	f := m.decide
	c := f.spec()
	lines := []string{"", bold.Render(fmt.Sprintf("Decision on %s %s (Addressable)", c.Citation, c.Name))}
	if f.step == stepKind {
		lines = append(lines, wrapLines("This answer leaves an Addressable specification not implemented as written: "+
			"45 CFR 164.306(d)(3) asks what you decided, in writing.", w)...)
		for i, k := range questionnaire.DecisionKinds {
			lines = append(lines, fmt.Sprintf("  %d %s", i+1, k.Label()))
		}
		return lines
	}
	lines = append(lines, faint.Render(f.d.Decision.Label()+": "+decisionPrompt(f)))
	return append(lines, strings.Split(m.editor.View(), "\n")...)
}
