package questionnaire

import (
	"strings"
	"testing"

	"github.com/telesra/telesra/questionnaire/level"
)

func TestRollUp(t *testing.T) {
	tests := []struct {
		in   []Status
		want Result
	}{
		{nil, ResultNotApplicable},
		{[]Status{NotApplicable, NotApplicable}, ResultNotApplicable},
		{[]Status{Implemented}, ResultImplemented},
		{[]Status{Implemented, NotApplicable}, ResultImplemented},
		{[]Status{NotImplemented}, ResultGap},
		{[]Status{NotImplemented, Unknown}, ResultGap}, // what is known is a gap
		{[]Status{Implemented, ""}, ResultUnknown},     // good so far, not finished
		{[]Status{"", Unknown}, ResultUnknown},
		{[]Status{Partial}, ResultPartial},
		{[]Status{Implemented, NotImplemented}, ResultPartial},
		{[]Status{Partial, Unknown}, ResultPartial},
	}
	for _, tt := range tests {
		if got := rollUp(tt.in); got != tt.want {
			t.Errorf("rollUp(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestVisibility(t *testing.T) {
	b := testBank(t)
	q := func(id string) *Question { x, _ := b.Question(id); return x }
	a := NewAnswers()
	// Nothing answered: every question is asked (an unanswered parent hides nothing).
	if got := len(b.Asked(a)); got != 5 {
		t.Errorf("asked %d, want 5", got)
	}
	a.SetStatus("a.remote", No, "")
	a.SetStatus("b.ids", NotImplemented, "")
	if v := b.Visibility(q("b.vpn"), a); v != ScreenedOut {
		t.Errorf("b.vpn after a.remote=no: %v, want ScreenedOut", v)
	}
	if v := b.Visibility(q("b.ids-review"), a); v != Skipped {
		t.Errorf("b.ids-review after b.ids=not_implemented: %v, want Skipped", v)
	}
	a.SetStatus("a.remote", Unknown, "")
	if v := b.Visibility(q("b.vpn"), a); v != Asked {
		t.Errorf(`"don't know" hid a follow-up: %v`, v)
	}
	if got := b.FirstOpen(a); got == nil || got.ID != "b.mfa" {
		t.Errorf("FirstOpen = %v, want b.mfa", got)
	}
}

func TestScore(t *testing.T) {
	b := testBank(t)
	a := NewAnswers()
	a.SetStatus("a.remote", No, "")       // screens b.vpn out: 164.312(e)(1) not applicable
	a.SetStatus("b.mfa", Implemented, "") // 164.312(d) implemented
	a.SetStatus("b.ids", Partial, "")     // 164.312(a)(2)(i) partial with the follow-up unanswered
	s := Score(b, a)

	want := map[string]Result{
		"164.312(d)":       ResultImplemented,
		"164.312(a)(2)(i)": ResultPartial,
		"164.312(a)(1)":    ResultPartial, // a standard rolls up its specifications' questions
		"164.312(e)(1)":    ResultNotApplicable,
		"164.312(b)":       ResultNotApplicable, // no question in the fixture bank
	}
	for id, r := range want {
		cs, ok := s.Citation(id)
		if !ok || cs.Result != r {
			t.Errorf("%s: %s, want %s", id, cs.Result, r)
		}
	}
	if cs, _ := s.Citation("164.312(e)(1)"); strings.Join(cs.Questions, ",") != "b.vpn" {
		t.Errorf("164.312(e)(1) decided by %v, want the screened-out b.vpn", cs.Questions)
	}

	// Technical safeguard: 3 asked questions (b.mfa, b.ids, b.ids-review), 2 answered; citations:
	// (d) implemented, (a)(1) and (a)(2)(i) partial, the other technical citations not applicable.
	var tech *SafeguardScore
	for i := range s.Safeguards {
		if s.Safeguards[i].Safeguard == "technical" {
			tech = &s.Safeguards[i]
		}
	}
	if tech == nil {
		t.Fatal("no technical safeguard score")
	}
	if tech.Questions != 3 || tech.Answered != 2 || tech.Implemented != 1 || tech.Partial != 2 || tech.Gap != 0 || tech.Unknown != 0 {
		t.Errorf("technical tally %+v", tech.Tally)
	}
	if st := tech.Statuses; st.Count(StatusMet) != 1 || st.Count(StatusPartly) != 2 {
		t.Errorf("technical statuses %s, want 1 met, 2 partly met", st)
	}
	if got := tech.Completeness(); got < 66.6 || got > 66.7 {
		t.Errorf("technical completeness %.2f, want 66.67", got)
	}
	// Overall completeness counts every asked question, screening included: 4 asked, 3 answered.
	if s.Overall.Questions != 4 || s.Overall.Answered != 3 {
		t.Errorf("overall %d/%d, want 3/4", s.Overall.Answered, s.Overall.Questions)
	}
	if s.Readiness != nil {
		t.Error("readiness scored without the nprm profile")
	}
	if len(s.Sections) != 2 || s.Sections[1].Gaps != 1 {
		t.Errorf("sections %+v", s.Sections)
	}

	// A follow-up skipped because its parent is not in place scores as its parent: no accounts
	// of one's own means no account reviews either.
	a.SetStatus("b.ids", NotImplemented, "")
	s = Score(b, a)
	if cs, _ := s.Citation("164.312(a)(2)(i)"); cs.Result != ResultGap || strings.Join(cs.Questions, ",") != "b.ids,b.ids-review" {
		t.Errorf("164.312(a)(2)(i) after b.ids=not_implemented: %s from %v, want gap from b.ids,b.ids-review", cs.Result, cs.Questions)
	}
	if s.Overall.Questions != 3 {
		t.Errorf("a skipped follow-up is still counted as asked: %d questions", s.Overall.Questions)
	}

	a.AddProfile(ProfileNPRM)
	a.SetStatus("r.restore", NotImplemented, "")
	s = Score(b, a)
	if s.Readiness == nil || s.Readiness.Gap != 1 || s.Readiness.Questions != 1 {
		t.Errorf("readiness %+v", s.Readiness)
	}
	// Readiness never changes the score against the rule in force.
	if cs, _ := s.Citation("164.308(a)(7)(ii)(B)"); cs.Result != ResultNotApplicable {
		t.Errorf("a readiness answer scored 164.308(a)(7)(ii)(B) as %s", cs.Result)
	}
}

func TestGaps(t *testing.T) {
	b := testBank(t)
	a := NewAnswers()
	a.SetStatus("a.remote", No, "")
	a.SetStatus("b.vpn", NotImplemented, "") // screened out: not a gap
	a.SetStatus("b.mfa", Partial, "")
	a.Update("b.mfa", "", func(x *Answer) { x.Notes = "email has no MFA"; x.Evidence = []string{"mfa.png"} })
	a.SetStatus("b.ids", Unknown, "")
	// b.ids-review stays unanswered: open work, not a gap.
	a.AddProfile(ProfileNPRM)
	a.SetStatus("r.restore", NotImplemented, "")

	gaps := Gaps(b, a)
	var ids []string
	for _, g := range gaps {
		ids = append(ids, g.Question.ID+"="+string(g.Status))
	}
	if got := strings.Join(ids, " "); got != "b.mfa=partial b.ids=unknown r.restore=not_implemented" {
		t.Fatalf("gaps %s", got)
	}
	g := gaps[0]
	if g.Section.ID != "b" || g.Notes != "email has no MFA" || g.Evidence[0] != "mfa.png" || len(g.Citations) != 1 || g.Profile != "" {
		t.Errorf("gap %+v", g)
	}
	if p := g.Pairs[0]; p.Threat != "Account takeover" || p.Likelihood != level.High || p.Impact != level.High || p.Source != Adversarial {
		t.Errorf("pair %+v", p)
	}
	if !gaps[1].Flagged {
		t.Error(`a "don't know" gap is not flagged`)
	}
	if gaps[2].Profile != ProfileNPRM {
		t.Errorf("readiness gap profile %q", gaps[2].Profile)
	}
	if u := Unanswered(b, a); len(u) != 1 || u[0].ID != "b.ids-review" {
		t.Errorf("unanswered %v", u)
	}
}

func TestCarryForwardAndChanges(t *testing.T) {
	b := testBank(t)
	last := NewAnswers()
	last.ByID["b.mfa"] = Answer{Status: Partial, Notes: "email next", Flagged: true, Updated: "2025-05-01"}
	last.ByID["b.ids"] = Answer{Status: Implemented, Updated: "2025-05-01"}
	last.ByID["b.vpn"] = Answer{Flagged: true} // unanswered: nothing to carry

	next := CarryForward(last)
	if len(next.ByID) != 2 {
		t.Fatalf("carried %v", next.ByID)
	}
	m := next.Get("b.mfa")
	if !m.Reconfirm || m.Status != Partial || m.Flagged || m.Previous == nil || m.Previous.Date != "2025-05-01" || m.Notes != "email next" {
		t.Errorf("carried answer %+v", m)
	}
	if m.Answered() {
		t.Error("a carried-forward answer counts as answered before it is re-confirmed")
	}
	if q := b.FirstOpen(next); q == nil || q.ID != "a.remote" {
		t.Errorf("resume at %v", q)
	}
	next.SetStatus("b.mfa", Implemented, "2026-05-01")
	next.SetStatus("b.ids", Implemented, "2026-05-01")
	ch := Changes(b, next)
	if len(ch) != 1 || ch[0].Question.ID != "b.mfa" || ch[0].From.Status != Partial || ch[0].To.Status != Implemented {
		t.Errorf("changes %+v", ch)
	}
}
