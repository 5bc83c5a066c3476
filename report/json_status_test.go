package report

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/report/register"
	"github.com/telesra/telesra/templates/datafile"
)

// TestJSONSecurityRuleStatus: the JSON register carries the status of every standard and
// specification, valid against the schema and equal to what questionnaire.ScoreWith gives for
// the same answers and contradictions, with the decisions and the counts; and each risk names
// the Addressable specifications behind it that have no decision.
func TestJSONSecurityRuleStatus(t *testing.T) {
	r := fixtureReport(t, fixturePlan(t))
	out := render(t, func(w *bytes.Buffer, r *Report) error { return WriteJSON(w, r) }, r)
	root, err := datafile.ParseYAML("risk-register.json", out)
	if err != nil {
		t.Fatal(err)
	}
	if err := datafile.ValidateNode("risk-register.json", root, "register.schema.json"); err != nil {
		t.Fatalf("the JSON register does not match its schema: %v", err)
	}
	var doc struct {
		Status struct {
			Overall struct {
				ByStatus         map[string]int `json:"by_status"`
				Total            int            `json:"total"`
				DecisionsMissing int            `json:"decisions_missing"`
			} `json:"overall"`
			BySafeguard []struct {
				Safeguard string `json:"safeguard"`
				Counts    struct {
					ByStatus map[string]int `json:"by_status"`
				} `json:"counts"`
			} `json:"by_safeguard"`
			Citations []struct {
				Citation, Name, Kind, Requirement, Status, Reason string
				Questions                                         []string
				Decision                                          *struct{ Decision, Measure, Reason, By, Role, Date string }
				DecisionMissing                                   bool `json:"decision_missing"`
			} `json:"citations"`
		} `json:"security_rule_status"`
		Risks []struct {
			ID               string   `json:"id"`
			DecisionsMissing []string `json:"decisions_missing"`
		} `json:"risks"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	opt := questionnaire.ScoreOptions{Contradicted: map[string]bool{}}
	for _, c := range r.Register.Contradictions {
		opt.Contradicted[c.Question] = true
	}
	want := questionnaire.ScoreWith(r.Bank, r.Answers, opt)
	if len(doc.Status.Citations) != len(want.Citations) || len(want.Citations) != 65 {
		t.Fatalf("%d citations in the JSON, %d scored; the Security Rule has 65", len(doc.Status.Citations), len(want.Citations))
	}
	seen := map[string]bool{}
	for i, got := range doc.Status.Citations {
		w := want.Citations[i]
		seen[got.Status] = true
		if got.Citation != w.Citation.Citation || got.Name != w.Citation.Name || got.Status != strings.ReplaceAll(string(w.Status), " ", "_") ||
			got.Reason != w.Basis || got.DecisionMissing != w.DecisionMissing || !slices.Equal(got.Questions, w.Questions) {
			t.Errorf("%s: JSON %+v, scored %s %q missing=%v %v", w.Citation.Citation, got, w.Status, w.Basis, w.DecisionMissing, w.Questions)
		}
		wantKind, wantReq := "specification", w.Citation.Kind
		if w.Citation.Kind == "standard" {
			wantKind, wantReq = "standard", "required"
		}
		if got.Kind != wantKind || got.Requirement != wantReq {
			t.Errorf("%s: kind %s requirement %s, want %s %s", got.Citation, got.Kind, got.Requirement, wantKind, wantReq)
		}
		switch d := w.Decision; {
		case d == nil && got.Decision != nil:
			t.Errorf("%s: a decision in the JSON, none recorded", got.Citation)
		case d != nil && (got.Decision == nil || got.Decision.Decision != string(d.Decision) || got.Decision.Measure != d.Measure ||
			got.Decision.Reason != d.Reason || got.Decision.By != d.By || got.Decision.Role != d.Role || got.Decision.Date != d.Date):
			t.Errorf("%s: decision %+v, recorded %+v", got.Citation, got.Decision, d)
		}
	}
	// The fixture exercises the statuses a reader must handle.
	for _, s := range []string{"met", "partly_met", "not_met", "decision_recorded", "unknown", "contradicted", "not_applicable"} {
		if !seen[s] {
			t.Errorf("no citation %s in the fixture's JSON", s)
		}
	}
	for _, s := range questionnaire.SpecStatuses {
		if n := doc.Status.Overall.ByStatus[strings.ReplaceAll(string(s), " ", "_")]; n != want.Overall.Statuses.Count(s) {
			t.Errorf("overall %s: %d, scored %d", s, n, want.Overall.Statuses.Count(s))
		}
	}
	if doc.Status.Overall.Total != 65 || doc.Status.Overall.DecisionsMissing != want.Overall.Statuses.DecisionsMissing || doc.Status.Overall.DecisionsMissing == 0 {
		t.Errorf("overall total %d, decisions missing %d (scored %d)", doc.Status.Overall.Total, doc.Status.Overall.DecisionsMissing, want.Overall.Statuses.DecisionsMissing)
	}
	if len(doc.Status.BySafeguard) != len(want.Safeguards) {
		t.Fatalf("%d safeguards, scored %d", len(doc.Status.BySafeguard), len(want.Safeguards))
	}
	for i, g := range doc.Status.BySafeguard {
		for _, s := range questionnaire.SpecStatuses {
			if n := g.Counts.ByStatus[strings.ReplaceAll(string(s), " ", "_")]; n != want.Safeguards[i].Statuses.Count(s) || g.Safeguard != want.Safeguards[i].Safeguard {
				t.Errorf("%s %s: %d, scored %s %d", g.Safeguard, s, n, want.Safeguards[i].Safeguard, want.Safeguards[i].Statuses.Count(s))
			}
		}
	}
	marked := 0
	for i, k := range doc.Risks {
		if !slices.Equal(k.DecisionsMissing, r.Register.Risks[i].DecisionsMissing) {
			t.Errorf("%s: decisions_missing %v, register %v", k.ID, k.DecisionsMissing, r.Register.Risks[i].DecisionsMissing)
		}
		marked += len(k.DecisionsMissing)
	}
	if marked == 0 {
		t.Error("no risk in the JSON says a decision is missing; the fixture leaves some missing")
	}
}

// gapRow is what TestJSONDecisionGapRow reads of a JSON risk.
type gapRow struct {
	ID               string   `json:"id"`
	DecisionsMissing []string `json:"decisions_missing"`
	Likelihood       struct{ Rules []string }
}

// TestJSONDecisionGapRow: the row of an Addressable specification answered not applicable
// without a decision is valid against the schema, says the decision is missing and names the
// rule its rating starts from; the status table calls the specification not met, decision
// missing.
func TestJSONDecisionGapRow(t *testing.T) {
	answers := questionnaire.SampleAnswers()
	answers.SetStatus("site.maintenance", questionnaire.NotApplicable, "2026-11-20")
	answers.Update("site.maintenance", "2026-11-20", func(a *questionnaire.Answer) { a.Notes = "The landlord maintains the building." })
	answers.SetDecision("164.310(a)(2)(iv)", nil)
	r := fixtureReport(t, nil)
	reg, err := register.Build(register.Inputs{Scan: r.Scan, Bank: r.Bank, Answers: answers, Assets: fixtureAssets(t), EPHISystems: ephiSystems,
		Today: "2026-11-22"})
	if err != nil {
		t.Fatal(err)
	}
	r.Register, r.Answers, r.Scores = reg, answers, nil
	r.Prepare()
	out := render(t, func(w *bytes.Buffer, r *Report) error { return WriteJSON(w, r) }, r)
	root, err := datafile.ParseYAML("risk-register.json", out)
	if err != nil {
		t.Fatal(err)
	}
	if err := datafile.ValidateNode("risk-register.json", root, "register.schema.json"); err != nil {
		t.Fatalf("the JSON register does not match its schema: %v", err)
	}
	var doc struct {
		Status struct {
			Citations []struct {
				Citation, Status string
				DecisionMissing  bool     `json:"decision_missing"`
				Risks            []string `json:"open_risks"`
			} `json:"citations"`
		} `json:"security_rule_status"`
		Risks []gapRow `json:"risks"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(doc.Risks, func(k gapRow) bool { return k.ID == "R-d1cb7824" })
	if i < 0 || !slices.Equal(doc.Risks[i].DecisionsMissing, []string{"164.310(a)(2)(iv)"}) || doc.Risks[i].Likelihood.Rules[0] != register.DecisionMissingRule {
		t.Fatalf("no decision-gap row R-d1cb7824 with its missing decision and rule: %d", i)
	}
	for _, c := range doc.Status.Citations {
		if c.Citation == "164.310(a)(2)(iv)" && (c.Status != "not_met" || !c.DecisionMissing || !slices.Contains(c.Risks, "R-d1cb7824")) {
			t.Errorf("status of 164.310(a)(2)(iv): %+v", c)
		}
	}
}
