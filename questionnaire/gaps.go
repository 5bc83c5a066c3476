package questionnaire

import (
	"slices"

	"github.com/telesra/telesra/templates/hipaa"
)

// Gap is an answered control question whose safeguard is not fully in place: partial, not
// implemented, or "don't know". The risk register turns each of its pairs into a risk.
type Gap struct {
	Question  *Question
	Section   *Section
	Status    Status // Partial, NotImplemented or Unknown
	Citations []hipaa.Citation
	Notes     string
	Evidence  []string
	Flagged   bool
	// Reconfirm is set when the answer was carried forward from the last assessment and not yet
	// re-confirmed: the gap is last year's word.
	Reconfirm bool
	// Pairs are the question's threat-vulnerability pairs with the bank's default likelihood and
	// impact. They are defaults for a gap as a whole; the register decides how a partial answer
	// or existing controls lower them.
	Pairs []Pair
	// Profile is ProfileNPRM for a proposed-rule readiness gap (not a gap against the rule in
	// force), "" otherwise.
	Profile string
	// Source is where the answer was read ("DIR/answers.yaml:41"), or "" for answers in memory.
	Source string
}

// Gaps lists the gaps in the answers, in bank order. Only asked questions count (a follow-up a
// screening answer ruled out is not a gap), and only answered ones: an unanswered question is
// open work (see Unanswered), not evidence of a gap.
func Gaps(b *Bank, a *Answers) []Gap {
	var out []Gap
	for _, q := range b.Questions(a.Profiles) {
		if q.Kind != KindControl || b.Visibility(q, a) != Asked {
			continue
		}
		ans, ok := a.ByID[q.ID]
		if !ok || (ans.Status != Partial && ans.Status != NotImplemented && ans.Status != Unknown) {
			continue
		}
		sec, _ := b.Section(q.Section)
		out = append(out, Gap{
			Question: q, Section: sec, Status: ans.Status,
			Citations: slices.Clone(q.Citations), Notes: ans.Notes, Evidence: slices.Clone(ans.Evidence),
			Flagged: ans.Flagged, Reconfirm: ans.Reconfirm, Pairs: slices.Clone(q.Pairs), Profile: q.Profile,
			Source: a.Source(q.ID),
		})
	}
	return out
}

// Unanswered lists the asked questions without an answer given this time (including
// carried-forward answers awaiting re-confirmation), in bank order.
func Unanswered(b *Bank, a *Answers) []*Question {
	var out []*Question
	for _, q := range b.Asked(a) {
		if !a.Get(q.ID).Answered() {
			out = append(out, q)
		}
	}
	return out
}

// Flagged lists the asked questions flagged for later, in bank order.
func Flagged(b *Bank, a *Answers) []*Question {
	var out []*Question
	for _, q := range b.Asked(a) {
		if a.Get(q.ID).Flagged {
			out = append(out, q)
		}
	}
	return out
}
