package questionnaire

import (
	iofs "io/fs"
	"reflect"
	"strings"
	"testing"
)

const decisionHead = "schema_version: 1\nanswers:\n  site.maintenance: {status: not_implemented}\ndecisions:\n"

// TestDecisionRefusals: each incomplete or misplaced decision record is refused with the file,
// the line of the entry or field, and what is wrong.
func TestDecisionRefusals(t *testing.T) {
	b := DefaultBank()
	ok := "    by: Maria Lopez\n    role: Security official\n    date: \"2026-10-12\"\n"
	for name, tc := range map[string]struct{ body, want string }{
		"a Required specification": {"  \"164.308(a)(1)(ii)(A)\":\n    decision: not_reasonable\n    reason: We are far too small for this.\n" + ok,
			"answers.yaml:5:3: decisions.164.308(a)(1)(ii)(A): 164.308(a)(1)(ii)(A) (Risk analysis) is a Required implementation specification"},
		"an unknown citation": {"  \"164.312(z)(9)\":\n    decision: as_specified\n" + ok,
			"answers.yaml:5:3: decisions.164.312(z)(9): \"164.312(z)(9)\" is not a standard or implementation specification"},
		"a standard": {"  \"164.312(a)(1)\":\n    decision: as_specified\n" + ok, "answers.yaml:5:3: decisions.164.312(a)(1): 164.312(a)(1) (Access control) is a standard"},
		"alternative without a measure": {"  \"164.310(a)(2)(iv)\":\n    decision: alternative\n    reason: The landlord keeps these records for us.\n" + ok,
			"answers.yaml:5:3: decisions.164.310(a)(2)(iv).measure: measure: alternative needs the equivalent alternative measure"},
		"alternative without a reason": {"  \"164.310(a)(2)(iv)\":\n    decision: alternative\n    measure: The landlord's work orders are kept.\n" + ok,
			"answers.yaml:5:3: decisions.164.310(a)(2)(iv).reason: reason: alternative needs the reason"},
		"a one-word reason": {"  \"164.310(a)(2)(iv)\":\n    decision: not_reasonable\n    reason: cost\n" + ok,
			"answers.yaml:7:13: decisions.164.310(a)(2)(iv).reason: reason: \"cost\" is not a documented reason"},
		"no role": {"  \"164.310(a)(2)(iv)\":\n    decision: as_specified\n    by: Maria Lopez\n    date: \"2026-10-12\"\n", "answers.yaml:6:5"},
		"no decider": {"  \"164.310(a)(2)(iv)\":\n    decision: as_specified\n    by: \" \"\n    role: Owner\n    date: \"2026-10-12\"\n",
			"answers.yaml:7:9: decisions.164.310(a)(2)(iv).by: by: say who decided"},
		"a bad date":          {"  \"164.310(a)(2)(iv)\":\n    decision: as_specified\n    by: Maria Lopez\n    role: Owner\n    date: \"12/10/2026\"\n", "answers.yaml:9:"},
		"an unknown decision": {"  \"164.310(a)(2)(iv)\":\n    decision: later\n" + ok, "answers.yaml:6:"},
	} {
		_, err := ParseAnswers("answers.yaml", []byte(decisionHead+tc.body), b)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", name, err, tc.want)
		}
	}
}

// TestDecisionRoundTrip: decisions survive Marshal and Parse, a store's save, an export and its
// import into a workspace without them, and init --from.
func TestDecisionRoundTrip(t *testing.T) {
	b := DefaultBank()
	a := SampleAnswers()
	if len(a.Decisions) < 3 {
		t.Fatalf("the sample has %d decisions", len(a.Decisions))
	}
	data, err := a.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseAnswers("answers.yaml", data, b)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if !reflect.DeepEqual(back.Decisions, a.Decisions) {
		t.Errorf("round trip: %+v, want %+v", back.Decisions, a.Decisions)
	}

	fs := memFiles{}
	store, got, err := OpenStore(fs, "answers.yaml", "answers.yaml.bak", b)
	if err != nil {
		t.Fatal(err)
	}
	got.Decisions = a.Clone().Decisions
	got.SetStatus("site.maintenance", NotImplemented, "2026-10-12")
	if err := store.Save(got.Clone()); err != nil {
		t.Fatal(err)
	}
	// Another session adds a decision meanwhile; this one removes none and adds one: both stay.
	other, _ := ParseAnswers("answers.yaml", fs["answers.yaml"], b)
	other.SetDecision("164.312(a)(2)(iii)", &Decision{Decision: DecisionAsSpecified, By: "Sam", Role: "IT support", Date: "2026-10-13"})
	fs["answers.yaml"], _ = other.Marshal(b)
	got.SetDecision("164.312(a)(2)(iv)", &Decision{Decision: DecisionNotReasonable, Reason: "Only paper charts stay on site.", By: "Maria Lopez", Role: "Security official", Date: "2026-10-14"})
	if err := store.Save(got.Clone()); err != nil {
		t.Fatal(err)
	}
	saved, err := ParseAnswers("answers.yaml", fs["answers.yaml"], b)
	if err != nil {
		t.Fatal(err)
	}
	if len(saved.Decisions) != len(a.Decisions)+2 {
		t.Errorf("store: %d decisions, want %d", len(saved.Decisions), len(a.Decisions)+2)
	}

	ex, err := Export(b, a, "site")
	if err != nil {
		t.Fatal(err)
	}
	if ex.Decision("164.310(a)(2)(iv)") == nil {
		t.Error("an export of the site section lacks the decision on its maintenance records")
	}
	dst := NewAnswers()
	r := Merge(b, dst, ex, "2026-10-15")
	if dst.Decision("164.310(a)(2)(iv)") == nil || !strings.Contains(strings.Join(r.Added, ","), "decision 164.310(a)(2)(iv)") {
		t.Errorf("import did not bring the decision: %+v", r.Added)
	}
	changed := ex.Clone()
	d := *changed.Decision("164.310(a)(2)(iv)")
	d.By = "Someone Else"
	changed.SetDecision("164.310(a)(2)(iv)", &d)
	if r := Merge(b, dst, changed, "2026-10-15"); len(r.Conflicts) != 1 || r.Conflicts[0].Field != "decision" || dst.Decision("164.310(a)(2)(iv)").By == "Someone Else" {
		t.Errorf("a different decision overwrote the workspace's: %+v", r.Conflicts)
	}

	if next := CarryForward(a); !reflect.DeepEqual(next.Decisions, a.Decisions) {
		t.Errorf("init --from dropped decisions: %+v", next.Decisions)
	}
}

type memFiles map[string][]byte

func (m memFiles) ReadFile(p string) ([]byte, error) {
	d, ok := m[p]
	if !ok {
		return nil, iofs.ErrNotExist
	}
	return d, nil
}

func (m memFiles) WriteFile(p string, d []byte) error { m[p] = append([]byte(nil), d...); return nil }

// TestSpecStatus: the status of one Addressable specification (164.310(a)(2)(iv), decided by
// site.maintenance alone) and one with two questions (164.308(a)(3)(ii)(C)) for each answer,
// decision and contradiction.
func TestSpecStatus(t *testing.T) {
	b := DefaultBank()
	notReasonable := &Decision{Decision: DecisionNotReasonable, Reason: "The landlord does every repair.", By: "Maria Lopez", Role: "Security official", Date: "2026-10-12"}
	asSpecified := &Decision{Decision: DecisionAsSpecified, By: "Maria Lopez", Role: "Security official", Date: "2026-10-12"}
	for name, tc := range map[string]struct {
		answers      map[string]Status
		decision     *Decision
		contradicted string
		cit          string
		want         SpecStatus
		missing      bool
	}{
		"met":                            {answers: map[string]Status{"site.maintenance": Implemented}, want: StatusMet},
		"not met, decision missing":      {answers: map[string]Status{"site.maintenance": NotImplemented}, want: StatusNotMet, missing: true},
		"not met, to implement":          {answers: map[string]Status{"site.maintenance": NotImplemented}, decision: asSpecified, want: StatusNotMet},
		"decision recorded":              {answers: map[string]Status{"site.maintenance": NotImplemented}, decision: notReasonable, want: StatusDecision},
		"partly, decision recorded":      {answers: map[string]Status{"site.maintenance": Partial}, decision: notReasonable, want: StatusDecision},
		"not applicable needs decision":  {answers: map[string]Status{"site.maintenance": NotApplicable}, want: StatusNotMet, missing: true},
		"not applicable with a decision": {answers: map[string]Status{"site.maintenance": NotApplicable}, decision: notReasonable, want: StatusDecision},
		"unknown":                        {answers: map[string]Status{"site.maintenance": Unknown}, want: StatusUnknown},
		"unanswered":                     {answers: map[string]Status{}, want: StatusUnknown},
		"contradicted": {answers: map[string]Status{"site.maintenance": Implemented}, contradicted: "site.maintenance",
			want: StatusContradicted},
		"partly met": {cit: "164.308(a)(3)(ii)(C)", answers: map[string]Status{"people.termination": Implemented, "people.termination-checklist": NotImplemented},
			want: StatusPartly, missing: true},
		"a Required one: not met, nothing to decide": {cit: "164.312(a)(2)(i)", answers: map[string]Status{"tech.unique-ids": NotImplemented}, want: StatusNotMet},
	} {
		a := NewAnswers()
		for id, s := range tc.answers {
			a.SetStatus(id, s, "2026-10-12")
			if s == NotApplicable {
				a.Update(id, "2026-10-12", func(x *Answer) { x.Notes = "The landlord maintains the building." })
			}
		}
		cit := tc.cit
		if cit == "" {
			cit = "164.310(a)(2)(iv)"
		}
		if tc.decision != nil {
			a.SetDecision(cit, tc.decision)
		}
		s := ScoreWith(b, a, ScoreOptions{Contradicted: map[string]bool{tc.contradicted: tc.contradicted != ""}})
		cs, _ := s.Citation(cit)
		if cs.Status != tc.want || cs.DecisionMissing != tc.missing {
			t.Errorf("%s: %s %s (decision missing %v; %s), want %s (missing %v)", name, cit, cs.Status, cs.DecisionMissing, cs.Basis, tc.want, tc.missing)
		}
		if std, _ := s.Citation("164.310(a)(1)"); tc.contradicted != "" && std.Status != StatusContradicted {
			t.Errorf("%s: the standard 164.310(a)(1) is %s, want contradicted", name, std.Status)
		}
	}
}

// TestBestPracticeAndNPRMNeverChangeStatus: whatever best-practice and proposed-rule questions
// are answered, no standard or specification changes status. (A supporting question can: a
// skipped follow-up that the Rule requires takes its parent's answer, as tech.mfa-email does.)
func TestBestPracticeAndNPRMNeverChangeStatus(t *testing.T) {
	b := DefaultBank()
	statuses := func(s Status) map[string]SpecStatus {
		a := SampleAnswers()
		a.AddProfile(ProfileNPRM)
		n := 0
		for _, q := range b.Questions(a.Profiles) {
			if q.Kind == KindControl && (q.Cite == CiteBestPractice || q.Cite == CiteProposed || q.Profile != "") {
				a.SetStatus(q.ID, s, "2026-10-12")
				n++
			}
		}
		if n < 5 {
			t.Fatalf("only %d best-practice or proposed-rule questions", n)
		}
		out := map[string]SpecStatus{}
		for _, cs := range Score(b, a).Citations {
			out[cs.Citation.Citation] = cs.Status
		}
		return out
	}
	if yes, no := statuses(Implemented), statuses(NotImplemented); !reflect.DeepEqual(yes, no) {
		for c := range yes {
			if yes[c] != no[c] {
				t.Errorf("%s: %s when best-practice and NPRM questions are implemented, %s when not", c, yes[c], no[c])
			}
		}
	}
}
