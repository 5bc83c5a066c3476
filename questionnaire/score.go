package questionnaire

import (
	"slices"

	"github.com/telesra/telesra/templates/hipaa"
)

// CitationScore is how well one HIPAA citation is met.
type CitationScore struct {
	Citation hipaa.Citation
	Result   Result
	// Questions are the IDs of the questions that decided the result (asked, screened out, or
	// skipped and scored as their parent's answer).
	Questions []string
}

// Tally counts questions and results for a safeguard, a section or the whole assessment.
type Tally struct {
	Questions int // questions asked
	Answered  int // of which answered (carried-forward answers awaiting re-confirmation are open)
	// Results counts citations by result; for the NPRM readiness tally, which has no citations,
	// it counts questions.
	Implemented, Partial, Gap, NotApplicable, Unknown int
}

// Completeness is the share of asked questions answered, 0-100.
func (t Tally) Completeness() float64 {
	if t.Questions == 0 {
		return 100
	}
	return 100 * float64(t.Answered) / float64(t.Questions)
}

// Applicable is the number of items that apply (all but not-applicable ones).
func (t Tally) Applicable() int { return t.Implemented + t.Partial + t.Gap + t.Unknown }

// Compliance is the share of applicable items met, 0-100: implemented counts fully, partial
// half, gaps and unknowns not at all (what is not known to be in place is not credited). It is 0
// when nothing applies; check Applicable.
func (t Tally) Compliance() float64 {
	n := t.Applicable()
	if n == 0 {
		return 0
	}
	return 100 * (float64(t.Implemented) + float64(t.Partial)/2) / float64(n)
}

func (t *Tally) add(r Result) {
	switch r {
	case ResultImplemented:
		t.Implemented++
	case ResultPartial:
		t.Partial++
	case ResultGap:
		t.Gap++
	case ResultNotApplicable:
		t.NotApplicable++
	default:
		t.Unknown++
	}
}

// SafeguardScore is the tally of one safeguard of the Security Rule.
type SafeguardScore struct {
	Safeguard string // administrative, physical, technical, organizational, documentation
	Tally
}

// SectionScore is the progress through one section of the questionnaire.
type SectionScore struct {
	Section *Section
	Tally
	Flagged   int // questions flagged for later
	Reconfirm int // carried-forward answers awaiting re-confirmation
	Gaps      int // questions answered partial, not implemented or don't know
}

// Scores are the scored answers: per citation, per safeguard, per section and overall.
type Scores struct {
	Citations  []CitationScore  // regulation order
	Safeguards []SafeguardScore // in the order the citation table first names them
	Sections   []SectionScore   // the sections asked, in order
	// Overall counts every asked question and every citation.
	Overall Tally
	// Readiness scores the NPRM readiness questions (by question); nil without that profile.
	Readiness *Tally
}

// Citation returns the score of one citation.
func (s *Scores) Citation(id string) (CitationScore, bool) {
	for _, c := range s.Citations {
		if c.Citation.Citation == id {
			return c, true
		}
	}
	return CitationScore{}, false
}

// Score rates the answers against the bank. A citation's result rolls up the questions that
// evidence it (for a standard, also those of its implementation specifications): a question a
// screening answer ruled out counts as not applicable, a skipped follow-up as its parent's
// answer. Proposed-rule readiness questions are scored apart, never against the rule in force.
func Score(b *Bank, a *Answers) *Scores {
	s := &Scores{}
	// The effective status of every control question scored against the rule in force.
	type scored struct {
		q  *Question
		st Status // "" unanswered
	}
	var qs []scored
	safeguardQuestions := map[string][]*Question{}
	for _, q := range b.Questions(a.Profiles) {
		if q.Kind != KindControl || q.Profile != "" {
			continue
		}
		qs = append(qs, scored{q: q, st: b.effectiveStatus(q, a)})
		if b.Visibility(q, a) == Asked {
			seen := map[string]bool{}
			for _, c := range q.Citations {
				if !seen[c.Safeguard] {
					seen[c.Safeguard] = true
					safeguardQuestions[c.Safeguard] = append(safeguardQuestions[c.Safeguard], q)
				}
			}
		}
	}

	byGuard := map[string]*SafeguardScore{}
	for _, c := range hipaa.Citations() {
		var sts []Status
		var ids []string
		for _, e := range qs {
			if !evidences(e.q, c) {
				continue
			}
			ids = append(ids, e.q.ID)
			sts = append(sts, e.st)
		}
		cs := CitationScore{Citation: c, Result: rollUp(sts), Questions: ids}
		s.Citations = append(s.Citations, cs)
		g, ok := byGuard[c.Safeguard]
		if !ok {
			g = &SafeguardScore{Safeguard: c.Safeguard}
			byGuard[c.Safeguard] = g
			for _, q := range safeguardQuestions[c.Safeguard] {
				g.Questions++
				if a.Get(q.ID).Answered() {
					g.Answered++
				}
			}
			s.Safeguards = append(s.Safeguards, SafeguardScore{Safeguard: c.Safeguard})
		}
		g.add(cs.Result)
		s.Overall.add(cs.Result)
	}
	for i := range s.Safeguards {
		s.Safeguards[i] = *byGuard[s.Safeguards[i].Safeguard]
	}

	for _, sec := range b.SectionsFor(a.Profiles) {
		ss := SectionScore{Section: sec}
		for _, q := range sec.Questions {
			if b.Visibility(q, a) != Asked {
				continue
			}
			ans := a.Get(q.ID)
			ss.Questions++
			if ans.Answered() {
				ss.Answered++
			}
			if ans.Flagged {
				ss.Flagged++
			}
			if ans.Reconfirm {
				ss.Reconfirm++
			}
			if q.Kind == KindControl {
				r := rollUp([]Status{ans.Status})
				ss.add(r)
				if ans.Status == Partial || ans.Status == NotImplemented || ans.Status == Unknown {
					ss.Gaps++
				}
			}
		}
		s.Overall.Questions += ss.Questions
		s.Overall.Answered += ss.Answered
		if sec.Profile == ProfileNPRM {
			t := ss.Tally
			s.Readiness = &t
		}
		s.Sections = append(s.Sections, ss)
	}
	return s
}

// evidences reports whether q counts towards citation c: it cites c, or c is a standard and q
// cites one of its implementation specifications. Only questions that cite as requirements count:
// a practice that merely supports a paragraph, or is best practice, does not decide its status.
func evidences(q *Question, c hipaa.Citation) bool {
	if !q.Scored() {
		return false
	}
	for _, qc := range q.Citations {
		if qc.Citation == c.Citation || (c.Kind == "standard" && qc.Standard == c.Citation) {
			return true
		}
	}
	return false
}

// rollUp combines the statuses of the questions behind one citation ("" is unanswered):
// none applicable: not applicable; all implemented: implemented; every known answer not
// implemented: gap; every known answer implemented but some unknown: unknown; all unknown:
// unknown; any other mix: partial.
func rollUp(sts []Status) Result {
	var impl, part, not, unk int
	for _, st := range sts {
		switch st {
		case Implemented:
			impl++
		case Partial:
			part++
		case NotImplemented:
			not++
		case NotApplicable:
		default:
			unk++
		}
	}
	n := impl + part + not + unk
	known := n - unk
	switch {
	case n == 0:
		return ResultNotApplicable
	case known == 0:
		return ResultUnknown
	case impl == n:
		return ResultImplemented
	case not == known:
		return ResultGap
	case impl == known:
		return ResultUnknown
	}
	return ResultPartial
}

// SafeguardNames lists the safeguards in table order.
func SafeguardNames() []string {
	var out []string
	for _, c := range hipaa.Citations() {
		if !slices.Contains(out, c.Safeguard) {
			out = append(out, c.Safeguard)
		}
	}
	return out
}
