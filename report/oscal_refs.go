package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/telesra/telesra/report/register"
	"github.com/telesra/telesra/templates/hipaa"
)

// What makes the OSCAL documents self-contained: every uuid, href and objective they refer to
// is defined in the same document, so a reader never meets a reference it cannot follow.
type (
	oscalStatus struct {
		State string `json:"state"`
	}
	oscalComponent struct {
		UUID        string      `json:"uuid"`
		Type        string      `json:"type"`
		Title       string      `json:"title"`
		Description string      `json:"description"`
		Props       []oscalProp `json:"props,omitempty"`
		Status      oscalStatus `json:"status"`
	}
	oscalPart struct {
		ID    string `json:"id,omitempty"`
		Name  string `json:"name"`
		Title string `json:"title,omitempty"`
		Prose string `json:"prose,omitempty"`
	}
	oscalLocalObjective struct {
		ControlID   string      `json:"control-id"`
		Description string      `json:"description,omitempty"`
		Props       []oscalProp `json:"props,omitempty"`
		Parts       []oscalPart `json:"parts"`
	}
	oscalARLocal struct {
		ObjectivesAndMethods []oscalLocalObjective `json:"objectives-and-methods,omitempty"`
	}
	oscalResource struct {
		UUID        string      `json:"uuid"`
		Title       string      `json:"title,omitempty"`
		Description string      `json:"description,omitempty"`
		Props       []oscalProp `json:"props,omitempty"`
	}
	oscalBackMatter struct {
		Resources []oscalResource `json:"resources"`
	}
)

// toolComponent is telesra itself, the actor behind every scan observation.
func (d *oscalDoc) toolComponent() oscalComponent {
	c := oscalComponent{UUID: d.id("component", "telesra"), Type: "software", Title: "telesra",
		Description: "telesra, the scanner that observed the findings (HIPAA security risk assessment for telehealth practices).",
		Status:      oscalStatus{State: "operational"}}
	if d.r.Scan != nil {
		c.Props = append(c.Props, prop("version", d.r.Scan.Tool.Version)...)
	}
	return c
}

// objective is what a finding is about: a HIPAA citation, or for a risk the citation table
// does not cover, the risk itself.
type objective struct {
	controlID, title, prose string
	props                   []oscalProp
}

func (o objective) id() string { return o.controlID + "_obj" }

func citationObjective(c hipaa.Citation) objective {
	o := objective{controlID: oscalToken("hipaa", c.Citation), title: oneLine(c.Name, c.Citation),
		prose: oneLine(fmt.Sprintf("Determine whether the practice meets 45 CFR %s, %s (%s safeguard).", c.Label(), c.Name, c.Safeguard), c.Citation)}
	o.props = append(o.props, prop("safeguard", c.Safeguard)...)
	o.props = append(o.props, prop("kind", c.Kind)...)
	return o
}

func riskObjective(k *register.Risk) objective {
	return objective{controlID: oscalToken("telesra", k.ID), title: oneLine(k.Title, k.ID),
		prose: oneLine("Determine whether the practice has treated: "+k.Title+".", k.ID)}
}

// objectives defines every objective the findings target, in a stable order.
func objectives(objs map[string]objective) []oscalLocalObjective {
	keys := make([]string, 0, len(objs))
	for k := range objs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]oscalLocalObjective, 0, len(keys))
	for _, k := range keys {
		o := objs[k]
		out = append(out, oscalLocalObjective{ControlID: o.controlID, Description: o.prose, Props: o.props,
			Parts: []oscalPart{{ID: o.id(), Name: "objective", Title: o.title, Prose: o.prose}}})
	}
	return out
}

// planResource is the assessment plan the results import: the workspace's assessment file
// (scope and authorisation) and the questionnaire, described in the back-matter.
func (d *oscalDoc) planResource() oscalResource {
	r := d.r
	file := r.Scope.File
	if file == "" {
		file = "the workspace's assessment file"
	}
	res := oscalResource{UUID: d.id("resource", "assessment-plan"), Title: oneLine("Assessment plan: "+file+" and the questionnaire", "Assessment plan"),
		Description: multiLine(fmt.Sprintf("Scope (%s): %s.\nQuestionnaire: %d of %d questions answered.\nScoring: NIST SP 800-30 Rev. 1, telesra scoring rules %s.",
			file, strings.Join(r.Scope.Targets, ", "), r.Completion.Answers, r.Completion.Asked, r.Register.Rules.Version), "Assessment plan")}
	res.Props = append(res.Props, prop("file", r.Scope.File)...)
	return res
}

// citationProps is one property per HIPAA citation, so that a reader can filter on one.
func citationProps(k *register.Risk) []oscalProp {
	var out []oscalProp
	for _, l := range citationLabels(k) {
		out = append(out, prop("hipaa", l)...)
	}
	return out
}

type (
	oscalLogEntry struct {
		UUID         string `json:"uuid"`
		Title        string `json:"title"`
		Description  string `json:"description,omitempty"`
		Start        string `json:"start"`
		StatusChange string `json:"status-change,omitempty"`
	}
	oscalRiskLog struct {
		Entries []oscalLogEntry `json:"entries"`
	}
)

// riskLog is what the remediation plan records of a risk's treatment: its last change (the file
// keeps no history), with the status, owner, due date and acceptance it set.
func (d *oscalDoc) riskLog(k *register.Risk) *oscalRiskLog {
	if k.Updated == "" {
		return nil
	}
	var what []string
	what = append(what, "status "+string(k.Status))
	if k.Owner != "" {
		what = append(what, "owner "+k.Owner)
	}
	if k.Due != "" {
		what = append(what, "due "+k.Due)
	}
	if k.Acceptance != nil {
		what = append(what, fmt.Sprintf("accepted by %s until %s: %s", k.Acceptance.Approver, k.Acceptance.Expires, k.Acceptance.Reason))
	}
	if k.Override != nil {
		what = append(what, "the assessor's rating: "+overrideSentence(k))
	}
	return &oscalRiskLog{Entries: []oscalLogEntry{{UUID: d.id("risk-log", k.ID+"\x00"+k.Updated),
		Title:       oneLine("Remediation plan updated", "Remediation plan updated"),
		Description: multiLine("The remediation plan set "+strings.Join(what, "; ")+".", "Remediation plan updated"),
		Start:       k.Updated + "T00:00:00Z", StatusChange: oscalRiskStatus(k.Status)}}}
}
