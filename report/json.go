package report

import (
	"encoding/json"
	"io"
	"time"

	"github.com/telesra/telesra/report/register"
)

// RegisterSchemaVersion versions the JSON register (templates/schemas/register.schema.json):
// additions bump the minor version, anything that breaks a reader the major.
const RegisterSchemaVersion = "1.2.0"

type jsonRegister struct {
	SchemaVersion  string         `json:"schema_version"`
	Title          string         `json:"title"`
	GeneratedAt    string         `json:"generated_at"`
	Organisation   string         `json:"organisation"`
	Assessor       string         `json:"assessor"`
	AssessmentDate string         `json:"assessment_date"`
	Draft          bool           `json:"draft"`
	Completion     jsonCompletion `json:"completion"`
	ScoringRules   string         `json:"scoring_rules"`
	Reconciliation string         `json:"reconciliation_rules"`
	Summary        jsonSummary    `json:"summary"`
	// Contradictions are the answers the scan disproves (1.1.0).
	Contradictions []jsonContradiction `json:"contradictions"`
	// Verifications are the answers the scan corroborates (1.2.0).
	Verifications []jsonVerification `json:"verifications"`
	// Scope says whether the asset inventory is all of the practice's ePHI; Assets is the
	// inventory (1.2.0).
	Scope  jsonScope   `json:"scope"`
	Assets []jsonAsset `json:"assets"`
	// SecurityRuleStatus is the status of every standard and specification (1.2.0).
	SecurityRuleStatus jsonSecurityRuleStatus `json:"security_rule_status"`
	// ReferenceData is what the methodology names as relied on, with each item's age warning
	// (1.2.0): a pipeline can refuse a register resting on stale vulnerability data.
	ReferenceData []jsonTool `json:"reference_data"`
	// Approvals are the recorded approvals, current or superseded (1.2.0): only a current one
	// approved the inputs this register was built from.
	Approvals []jsonApproval `json:"approvals"`
	Risks     []jsonRisk     `json:"risks"`
}

type jsonApproval struct {
	By        string `json:"by"`
	Role      string `json:"role"`
	Date      string `json:"date"`
	Statement string `json:"statement,omitempty"`
	Digest    string `json:"digest"`
	Current   bool   `json:"current"`
}

type jsonTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Source  string `json:"source,omitempty"`
	Warning string `json:"warning,omitempty"`
}

type jsonScope struct {
	Complete bool   `json:"complete"`
	Reason   string `json:"reason,omitempty"`
}

type jsonVerification struct {
	Question string   `json:"question"`
	Status   string   `json:"status"`
	Notes    string   `json:"notes,omitempty"`
	Rules    []string `json:"rules"`
	Reasons  []string `json:"reasons"`
	Checks   []string `json:"checks"`
	Assets   []string `json:"assets"`
}

func jsonVerificationOf(v *register.Verification) *jsonVerification {
	if v == nil {
		return nil
	}
	return &jsonVerification{Question: v.Question, Status: string(v.Status), Notes: v.Notes, Rules: nonNil(v.Rules),
		Reasons: nonNil(v.Reasons), Checks: nonNil(v.Checks), Assets: nonNil(v.Assets)}
}

type jsonContradiction struct {
	Question string   `json:"question"`
	Status   string   `json:"status"`
	Notes    string   `json:"notes,omitempty"`
	Rules    []string `json:"rules"`
	Reasons  []string `json:"reasons"`
	Findings []string `json:"findings"`
	Assets   []string `json:"assets"`
}

func jsonContradictionOf(c *register.Contradiction) jsonContradiction {
	return jsonContradiction{Question: c.Question, Status: string(c.Status), Notes: c.Notes, Rules: nonNil(c.Rules),
		Reasons: nonNil(c.Reasons), Findings: nonNil(c.Findings), Assets: nonNil(c.Assets)}
}

type jsonCompletion struct {
	Percent  float64  `json:"percent"`
	Asked    int      `json:"questions_asked"`
	Answered int      `json:"questions_answered"`
	Scan     string   `json:"scan"`
	Reasons  []string `json:"draft_reasons"`
}

type jsonSummary struct {
	Overall string `json:"overall"`
	Open    int    `json:"open"`
	// Accepted counts the risks accepted and in force, apart from the open ones (1.1.0).
	Accepted int            `json:"accepted"`
	ByLevel  map[string]int `json:"open_by_level"`
	Total    int            `json:"total"`
}

type jsonRating struct {
	Level  string   `json:"level"`
	Value  int      `json:"value"`
	Rules  []string `json:"rules"`
	Reason string   `json:"reason"`
}

type jsonAsset struct {
	Name     string   `json:"name"`
	Kind     string   `json:"kind"`
	Target   string   `json:"target,omitempty"`
	EPHI     []string `json:"ephi_systems"`
	HasEPHI  string   `json:"handles_ephi"`
	Exposure string   `json:"exposure"`
	// 1.2.0: what assets.yaml v2 says of it.
	EPHIHeld    string                `json:"ephi_held,omitempty"`
	Records     int                   `json:"records,omitempty"`
	Criticality *register.Criticality `json:"criticality,omitempty"`
	Declared    bool                  `json:"declared"`
	Scanned     bool                  `json:"scanned"`
	Flows       []register.Flow       `json:"flows,omitempty"`
	OpenRisks   *int                  `json:"open_risks,omitempty"`
}

func jsonAssetOf(a register.Asset) jsonAsset {
	j := jsonAsset{Name: a.Name, Kind: a.Kind, Target: a.Target, EPHI: nonNil(a.EPHI), HasEPHI: a.HasEPHI, Exposure: a.Exposure,
		EPHIHeld: a.EPHIHeld, Records: a.Records, Declared: a.Declared, Scanned: a.Scanned, Flows: a.Flows}
	if a.Criticality != (register.Criticality{}) {
		c := a.Criticality
		j.Criticality = &c
	}
	return j
}

type jsonCitation struct {
	Citation string `json:"citation"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
}

type jsonControl struct {
	Question string `json:"question"`
	Status   string `json:"status"`
	Notes    string `json:"notes,omitempty"`
	// Verified is the scan's corroboration of the answer (1.2.0).
	Verified *jsonVerification `json:"verified_by_scan,omitempty"`
}

type jsonRisk struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Weakness string    `json:"weakness"`
	Asset    jsonAsset `json:"asset"`
	// Assets are every asset the risk concerns, the principal one first (1.2.0).
	Assets []jsonAsset `json:"assets"`
	// PotentialOnly: every finding is potential (1.2.0).
	PotentialOnly bool          `json:"potential_only"`
	ThreatSource  string        `json:"threat_source"`
	ThreatEvent   string        `json:"threat_event"`
	Vulnerability string        `json:"vulnerability"`
	Controls      []jsonControl `json:"existing_controls"`
	// Contradicted are answers that would be existing controls but the scan disproves (1.1.0).
	Contradicted []jsonContradiction  `json:"contradicted_answers,omitempty"`
	Likelihood   *jsonRating          `json:"likelihood"`
	Impact       *jsonRating          `json:"impact"`
	Level        string               `json:"level"`
	HIPAA        []jsonCitation       `json:"hipaa"`
	Findings     []string             `json:"findings"`
	Answers      []string             `json:"answers"`
	Severity     string               `json:"severity,omitempty"`
	Source       string               `json:"source,omitempty"`
	Remediation  string               `json:"remediation"`
	Owner        string               `json:"owner"`
	Due          string               `json:"due"`
	Status       string               `json:"status"`
	StatusNote   string               `json:"status_note,omitempty"`
	Acceptance   *register.Acceptance `json:"acceptance,omitempty"`
	Notes        string               `json:"notes,omitempty"`
	Detected     bool                 `json:"detected"`
	// Computed and Override are set when an assessor rated the risk: likelihood, impact and
	// level above are then the assessor's (1.2.0).
	Computed *jsonComputed `json:"computed,omitempty"`
	Override *jsonOverride `json:"override,omitempty"`
	// DecisionsMissing are the Addressable specifications behind the risk with no recorded
	// decision (1.2.0).
	DecisionsMissing []string `json:"decisions_missing,omitempty"`
}

type jsonComputed struct {
	Likelihood *jsonRating `json:"likelihood"`
	Impact     *jsonRating `json:"impact"`
	Level      string      `json:"level"`
}

type jsonOverride struct {
	*register.Override
	ComputedChanged bool   `json:"computed_changed"`
	Note            string `json:"note,omitempty"`
}

// jsonOverrideOf is a risk's assessor rating and the computed one beside it.
func jsonOverrideOf(k *register.Risk) (*jsonComputed, *jsonOverride) {
	if k.Override == nil {
		return nil, nil
	}
	o := &jsonOverride{Override: k.Override, ComputedChanged: k.OverrideNote != "", Note: k.OverrideNote}
	if !k.Overridden() {
		return nil, o
	}
	return &jsonComputed{Likelihood: jsonRatingOf(k.Computed.Likelihood), Impact: jsonRatingOf(k.Computed.Impact), Level: k.Computed.Level.ID()}, o
}

func jsonRatingOf(r register.Rating) *jsonRating {
	if r.Level == 0 {
		return nil
	}
	return &jsonRating{Level: r.Level.ID(), Value: r.Level.Value(), Rules: r.Rules, Reason: r.Reason}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// WriteJSON writes the register as one JSON document (templates/schemas/register.schema.json).
func WriteJSON(w io.Writer, r *Report) error {
	doc := jsonRegister{
		SchemaVersion: RegisterSchemaVersion, Title: r.Title, GeneratedAt: r.Generated.UTC().Format(time.RFC3339),
		Organisation: r.Organisation.Name, Assessor: r.Assessor.Name, AssessmentDate: r.AssessmentDate,
		Draft: r.Completion.Draft, ScoringRules: r.Register.Rules.Version,
		Completion: jsonCompletion{Percent: r.Completion.Percent, Asked: r.Completion.Asked, Answered: r.Completion.Answers,
			Scan: r.Completion.Scan, Reasons: nonNil(r.Completion.Reasons)},
		Summary:        jsonSummary{Overall: r.Register.Overall().ID(), ByLevel: map[string]int{}, Total: len(r.Register.Risks)},
		Risks:          []jsonRisk{},
		Contradictions: []jsonContradiction{},
		Verifications:  []jsonVerification{},
	}
	doc.SecurityRuleStatus = jsonStatusOf(r)
	doc.ReferenceData = []jsonTool{}
	for _, t := range r.Tools {
		doc.ReferenceData = append(doc.ReferenceData, jsonTool{Name: t.Name, Version: t.Version, Source: t.Source, Warning: t.Warning})
	}
	doc.Approvals = []jsonApproval{}
	for _, a := range r.Approvals {
		doc.Approvals = append(doc.Approvals, jsonApproval{By: a.By, Role: a.Role, Date: a.Date, Statement: a.Statement, Digest: a.Digest, Current: a.Current})
	}
	doc.Scope = jsonScope{Complete: !r.Register.ScopeIncomplete, Reason: r.Register.ScopeReason}
	doc.Assets = []jsonAsset{}
	for _, a := range r.Register.Inventory {
		ja := jsonAssetOf(a)
		n := r.Register.OpenOn(a.Name)
		ja.OpenRisks = &n
		doc.Assets = append(doc.Assets, ja)
	}
	if r.Register.Reconciliation != nil {
		doc.Reconciliation = r.Register.Reconciliation.Version
	}
	for _, c := range r.Register.Contradictions {
		doc.Contradictions = append(doc.Contradictions, jsonContradictionOf(c))
	}
	for _, v := range r.Register.Verifications {
		doc.Verifications = append(doc.Verifications, *jsonVerificationOf(v))
	}
	doc.Summary.Accepted = r.Register.Accepted()
	for l, n := range r.Register.Counts() {
		doc.Summary.ByLevel[l.ID()] = n
		doc.Summary.Open += n
	}
	for _, l := range register.Levels() {
		if _, ok := doc.Summary.ByLevel[l.ID()]; !ok {
			doc.Summary.ByLevel[l.ID()] = 0
		}
	}
	for _, k := range r.Register.Risks {
		jr := jsonRisk{ID: k.ID, Title: k.Title, Weakness: k.Weakness,
			Asset: jsonAssetOf(k.Asset), Assets: []jsonAsset{}, PotentialOnly: k.PotentialOnly,
			ThreatSource: k.ThreatSource, ThreatEvent: k.ThreatEvent, Vulnerability: k.Vulnerability,
			Controls:   []jsonControl{},
			Likelihood: jsonRatingOf(k.Likelihood), Impact: jsonRatingOf(k.Impact), Level: k.Level.ID(),
			HIPAA: []jsonCitation{}, Findings: nonNil(k.Findings), Answers: nonNil(k.Answers), Severity: k.Severity, Source: k.Source,
			Remediation: k.Remediation, Owner: k.Owner, Due: k.Due, Status: string(k.Status), StatusNote: k.StatusNote,
			Acceptance: k.Acceptance, Notes: k.Notes, Detected: k.Detected, DecisionsMissing: k.DecisionsMissing}
		if jr.Asset.Kind == "" {
			jr.Asset.Kind, jr.Asset.HasEPHI, jr.Asset.Exposure = "unknown", register.EPHIUnknown, register.ExposureUnknown
		}
		jr.Computed, jr.Override = jsonOverrideOf(k)
		for _, a := range k.Assets {
			jr.Assets = append(jr.Assets, jsonAssetOf(a))
		}
		for _, c := range k.Controls {
			jr.Controls = append(jr.Controls, jsonControl{Question: c.Question, Status: string(c.Status), Notes: c.Notes,
				Verified: jsonVerificationOf(c.Verified)})
		}
		for _, c := range k.Contradicted {
			jr.Contradicted = append(jr.Contradicted, jsonContradictionOf(c))
		}
		for _, c := range k.Citations {
			jr.HIPAA = append(jr.HIPAA, jsonCitation{Citation: c.Citation, Name: c.Name, Kind: c.Kind})
		}
		doc.Risks = append(doc.Risks, jr)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
