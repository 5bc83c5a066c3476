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
	// Status is what an auditor reads: met, partly met, not met, decision recorded, unknown,
	// contradicted or not applicable; Basis says why in a sentence.
	Status SpecStatus
	Basis  string
	// Decision is the recorded decision on an Addressable specification (nil: none).
	Decision *Decision
	// DecisionMissing is set on an Addressable specification not implemented as written and
	// without a recorded decision.
	DecisionMissing bool
	// Contradicted are the deciding questions whose answers the scan disproves.
	Contradicted []string
}

// Tally counts questions and results for a safeguard, a section or the whole assessment.
type Tally struct {
	Questions int // questions asked
	Answered  int // of which answered (carried-forward answers awaiting re-confirmation are open)
	// Results counts citations by result; for a section and the NPRM readiness tally, which
	// have no citations, it counts questions.
	Implemented, Partial, Gap, NotApplicable, Unknown int
	// Statuses counts standards and specifications by status (safeguards and overall only).
	Statuses StatusCounts
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

// Score rates the answers against the bank, with nothing from the scan: see ScoreWith.
func Score(b *Bank, a *Answers) *Scores { return ScoreWith(b, a, ScoreOptions{}) }

// ScoreWith rates the answers against the bank. A citation's result rolls up the questions that
// evidence it (for a standard, also those of its implementation specifications): a question a
// screening answer ruled out counts as not applicable, a skipped follow-up as its parent's
// answer. Its status adds the recorded decisions and the answers the scan contradicts
// (opt.Contradicted). Proposed-rule readiness questions are scored apart, never against the
// rule in force, and best-practice questions never decide a status.
func ScoreWith(b *Bank, a *Answers, opt ScoreOptions) *Scores {
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

	own := map[string]CitationScore{}
	for _, c := range hipaa.Citations() {
		var sts, ownSts []Status
		var ids, ownIDs []string
		for _, e := range qs {
			if !evidences(e.q, c) {
				continue
			}
			ids = append(ids, e.q.ID)
			sts = append(sts, e.st)
			if c.Kind == "standard" && slices.ContainsFunc(e.q.Citations, func(qc hipaa.Citation) bool { return qc.Citation == c.Citation }) {
				ownIDs = append(ownIDs, e.q.ID)
				ownSts = append(ownSts, e.st)
			}
		}
		s.Citations = append(s.Citations, CitationScore{Citation: c, Result: rollUp(sts), Questions: ids})
		if c.Kind == "standard" {
			own[c.Citation] = CitationScore{Citation: c, Result: rollUp(ownSts), Questions: ownIDs}
		}
	}
	scoreStatuses(s.Citations, own, a, opt)

	byGuard := map[string]*SafeguardScore{}
	for _, cs := range s.Citations {
		c := cs.Citation
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
		g.Statuses.add(cs)
		s.Overall.Statuses.add(cs)
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
