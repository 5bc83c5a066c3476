package register

import (
	"slices"
	"testing"

	"github.com/telesra/telesra/questionnaire"
)

// naWithoutDecision is the sample answers with the Addressable maintenance-records
// specification answered not applicable and its decision removed: a gap no risk covered.
func naWithoutDecision() *questionnaire.Answers {
	a := questionnaire.SampleAnswers()
	a.SetStatus("site.maintenance", questionnaire.NotApplicable, "2026-11-20")
	a.Update("site.maintenance", "2026-11-20", func(x *questionnaire.Answer) { x.Notes = "The landlord maintains the building." })
	a.SetDecision("164.310(a)(2)(iv)", nil)
	return a
}

// TestRisksCarryMissingDecisions: a risk resting on an answer that leaves an Addressable
// specification undecided says so, for exactly the specifications the status table calls
// "decision missing", and a recorded decision is no longer a gap.
func TestRisksCarryMissingDecisions(t *testing.T) {
	answers := questionnaire.SampleAnswers()
	reg := build(t, fixtureScan(t), answers, fixtureAssets(t), nil)
	opt := questionnaire.ScoreOptions{Contradicted: map[string]bool{}}
	for _, c := range reg.Contradictions {
		opt.Contradicted[c.Question] = true
	}
	var want []string
	for _, cs := range questionnaire.ScoreWith(questionnaire.DefaultBank(), answers, opt).Citations {
		if cs.DecisionMissing {
			want = append(want, cs.Citation.Citation)
		}
	}
	if len(want) == 0 {
		t.Fatal("the sample answers leave no decision missing; the test needs one")
	}
	var got []string
	for _, k := range reg.Risks {
		for _, c := range k.DecisionsMissing {
			if !slices.Contains(got, c) {
				got = append(got, c)
			}
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("risks carry missing decisions %v, the status table has %v", got, want)
	}
	// people.termination is partial and 164.308(a)(3)(ii)(C) has no decision.
	for _, k := range reg.Risks {
		if slices.Contains(k.Answers, "people.termination") && !slices.Contains(k.DecisionsMissing, "164.308(a)(3)(ii)(C)") {
			t.Errorf("%s rests on people.termination but does not say 164.308(a)(3)(ii)(C) has no decision: %v", k.ID, k.DecisionsMissing)
		}
		// site.maintenance is not implemented, with an alternative measure recorded.
		if slices.Contains(k.DecisionsMissing, "164.310(a)(2)(iv)") {
			t.Errorf("%s: 164.310(a)(2)(iv) has a recorded decision, yet the risk calls it missing", k.ID)
		}
	}
}

// TestNotApplicableWithoutDecisionIsAGap: an Addressable specification answered not applicable
// without a decision makes one practice-wide row citing it, with a stable ID and the rules'
// default rating; recording a decision removes the row.
func TestNotApplicableWithoutDecisionIsAGap(t *testing.T) {
	const id = "R-d1cb7824" // RiskID("decision:164.310(a)(2)(iv)"): it must never change
	if got := RiskID(decisionGapKey("164.310(a)(2)(iv)")); got != id {
		t.Fatalf("the row's ID is %s, was %s: remediation.yaml entries would lose their risk", got, id)
	}
	for _, assets := range []*Assets{fixtureAssets(t), nil} {
		reg := build(t, fixtureScan(t), naWithoutDecision(), assets, nil)
		k, ok := reg.Risk(id)
		if !ok {
			t.Fatalf("no row for 164.310(a)(2)(iv) answered not applicable without a decision")
		}
		if k.Asset.Name != PracticeWideName || len(k.Citations) != 1 || k.Citations[0].Citation != "164.310(a)(2)(iv)" ||
			!slices.Equal(k.Answers, []string{"site.maintenance"}) || !slices.Equal(k.DecisionsMissing, []string{"164.310(a)(2)(iv)"}) ||
			k.Source != SourceQuestionnaire || !k.Open() {
			t.Errorf("row %+v", k)
		}
		if k.Likelihood.Rules[0] != DecisionMissingRule || k.Impact.Rules[0] != DecisionMissingRule || k.Level != Levels()[2] {
			t.Errorf("rating: likelihood %v %v, impact %v %v, level %v; want the rules' decision_missing default (moderate)",
				k.Likelihood.Level, k.Likelihood.Rules, k.Impact.Level, k.Impact.Rules, k.Level)
		}
		if k.Title != "No documented decision on Addressable specification 164.310(a)(2)(iv) (Maintenance records)" {
			t.Errorf("title %q", k.Title)
		}
	}
	decided := naWithoutDecision()
	decided.SetDecision("164.310(a)(2)(iv)", &questionnaire.Decision{Decision: questionnaire.DecisionNotReasonable,
		Reason: "The landlord repairs the building and keeps the records", By: "Maria Lopez", Role: "Security official", Date: "2026-11-20"})
	if k, ok := build(t, fixtureScan(t), decided, fixtureAssets(t), nil).Risk(id); ok {
		t.Errorf("a recorded decision still makes a row: %+v", k)
	}
}
