package report

import (
	"strings"

	"github.com/telesra/telesra/questionnaire"
)

// jsonSecurityRuleStatus is the status of every standard and implementation specification of
// the Security Rule, counted overall and per safeguard (1.2.0).
type jsonSecurityRuleStatus struct {
	Overall    jsonStatusCounts      `json:"overall"`
	Safeguards []jsonSafeguardStatus `json:"by_safeguard"`
	Citations  []jsonCitationStatus  `json:"citations"`
}

type jsonStatusCounts struct {
	ByStatus         map[string]int `json:"by_status"`
	Total            int            `json:"total"`
	DecisionsMissing int            `json:"decisions_missing"`
}

type jsonSafeguardStatus struct {
	Safeguard string           `json:"safeguard"`
	Counts    jsonStatusCounts `json:"counts"`
}

type jsonCitationStatus struct {
	Citation string `json:"citation"`
	Name     string `json:"name"`
	// Kind is standard or specification; Requirement is required or addressable (a standard
	// is required: 164.306(c)).
	Kind        string        `json:"kind"`
	Requirement string        `json:"requirement"`
	Safeguard   string        `json:"safeguard"`
	Status      string        `json:"status"`
	Reason      string        `json:"reason"`
	Questions   []string      `json:"questions"`
	Decision    *jsonDecision `json:"decision"`
	// DecisionMissing: Addressable, not implemented as written, and no decision recorded.
	DecisionMissing bool     `json:"decision_missing"`
	Contradicted    []string `json:"contradicted_answers"`
	Risks           []string `json:"open_risks"`
}

type jsonDecision struct {
	Decision string `json:"decision"`
	Measure  string `json:"measure,omitempty"`
	Reason   string `json:"reason,omitempty"`
	By       string `json:"by"`
	Role     string `json:"role"`
	Date     string `json:"date"`
}

// statusID is a status as the JSON spells it: "partly met" is partly_met.
func statusID(s questionnaire.SpecStatus) string { return strings.ReplaceAll(string(s), " ", "_") }

func jsonCountsOf(c questionnaire.StatusCounts) jsonStatusCounts {
	j := jsonStatusCounts{ByStatus: map[string]int{}, Total: c.Total(), DecisionsMissing: c.DecisionsMissing}
	for _, s := range questionnaire.SpecStatuses {
		j.ByStatus[statusID(s)] = c.Count(s)
	}
	return j
}

// jsonStatusOf is the status table of the report (CitationStatuses) for the JSON register.
func jsonStatusOf(r *Report) jsonSecurityRuleStatus {
	out := jsonSecurityRuleStatus{Overall: jsonCountsOf(r.Scores.Overall.Statuses), Safeguards: []jsonSafeguardStatus{},
		Citations: []jsonCitationStatus{}}
	for _, g := range r.Scores.Safeguards {
		out.Safeguards = append(out.Safeguards, jsonSafeguardStatus{Safeguard: g.Safeguard, Counts: jsonCountsOf(g.Statuses)})
	}
	for _, row := range r.CitationStatuses() {
		c := row.Citation
		j := jsonCitationStatus{Citation: c.Citation, Name: c.Name, Kind: "specification", Requirement: c.Kind, Safeguard: c.Safeguard,
			Status: statusID(row.Status), Reason: row.Basis, Questions: nonNil(row.Questions), DecisionMissing: row.DecisionMissing,
			Contradicted: nonNil(row.Contradicted), Risks: nonNil(row.Risks)}
		if c.Kind == "standard" {
			j.Kind, j.Requirement = "standard", "required"
		}
		if d := row.Decision; d != nil {
			j.Decision = &jsonDecision{Decision: string(d.Decision), Measure: d.Measure, Reason: d.Reason, By: d.By, Role: d.Role, Date: d.Date}
		}
		out.Citations = append(out.Citations, j)
	}
	return out
}
