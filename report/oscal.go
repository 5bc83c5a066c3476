package report

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/telesra/telesra/report/register"
)

// OSCALVersion is the OSCAL release the assessment results and POA&M conform to; tests validate
// both against its official JSON schema.
const OSCALVersion = "1.1.2"

// oscalNS qualifies telesra's own properties (likelihood, impact and the like).
const oscalNS = "https://telesra.dev/ns/oscal"

// oscalNamespace makes deterministic (version 5) UUIDs: the same assessment gives the same
// document, so two runs can be diffed and a golden file holds.
var oscalNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://telesra.dev/oscal"))

// The OSCAL JSON model, reduced to the parts telesra fills. Field names follow the OSCAL
// 1.1.2 JSON schema; what is optional there is omitempty here.
type (
	oscalProp struct {
		Name  string `json:"name"`
		NS    string `json:"ns,omitempty"`
		Value string `json:"value"`
	}
	oscalRole struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	oscalParty struct {
		UUID  string   `json:"uuid"`
		Type  string   `json:"type"`
		Name  string   `json:"name,omitempty"`
		Email []string `json:"email-addresses,omitempty"`
	}
	oscalResponsibleParty struct {
		RoleID     string   `json:"role-id"`
		PartyUUIDs []string `json:"party-uuids"`
	}
	oscalMetadata struct {
		Title              string                  `json:"title"`
		Published          string                  `json:"published,omitempty"`
		LastModified       string                  `json:"last-modified"`
		Version            string                  `json:"version"`
		OSCALVersion       string                  `json:"oscal-version"`
		Props              []oscalProp             `json:"props,omitempty"`
		Roles              []oscalRole             `json:"roles,omitempty"`
		Parties            []oscalParty            `json:"parties,omitempty"`
		ResponsibleParties []oscalResponsibleParty `json:"responsible-parties,omitempty"`
		Remarks            string                  `json:"remarks,omitempty"`
	}
	oscalInventoryItem struct {
		UUID        string      `json:"uuid"`
		Description string      `json:"description"`
		Props       []oscalProp `json:"props,omitempty"`
	}
	oscalLocalDefinitions struct {
		Components     []oscalComponent     `json:"components,omitempty"`
		InventoryItems []oscalInventoryItem `json:"inventory-items,omitempty"`
	}
	oscalActor struct {
		Type      string `json:"type"`
		ActorUUID string `json:"actor-uuid"`
	}
	oscalOrigin struct {
		Actors []oscalActor `json:"actors"`
	}
	oscalSubject struct {
		SubjectUUID string `json:"subject-uuid"`
		Type        string `json:"type"`
		Title       string `json:"title,omitempty"`
	}
	oscalEvidence struct {
		Description string `json:"description"`
	}
	oscalObservation struct {
		UUID             string          `json:"uuid"`
		Title            string          `json:"title,omitempty"`
		Description      string          `json:"description"`
		Props            []oscalProp     `json:"props,omitempty"`
		Methods          []string        `json:"methods"`
		Types            []string        `json:"types,omitempty"`
		Origins          []oscalOrigin   `json:"origins,omitempty"`
		Subjects         []oscalSubject  `json:"subjects,omitempty"`
		RelevantEvidence []oscalEvidence `json:"relevant-evidence,omitempty"`
		Collected        string          `json:"collected"`
		Remarks          string          `json:"remarks,omitempty"`
	}
	oscalFacet struct {
		Name   string `json:"name"`
		System string `json:"system"`
		Value  string `json:"value"`
	}
	oscalCharacterization struct {
		Origin oscalOrigin  `json:"origin"`
		Facets []oscalFacet `json:"facets"`
	}
	oscalOnDate struct {
		Date string `json:"date"`
	}
	oscalTiming struct {
		OnDate *oscalOnDate `json:"on-date,omitempty"`
	}
	oscalResponsibleRole struct {
		RoleID     string   `json:"role-id"`
		PartyUUIDs []string `json:"party-uuids,omitempty"`
	}
	oscalTask struct {
		UUID             string                 `json:"uuid"`
		Type             string                 `json:"type"`
		Title            string                 `json:"title"`
		Description      string                 `json:"description,omitempty"`
		Timing           *oscalTiming           `json:"timing,omitempty"`
		ResponsibleRoles []oscalResponsibleRole `json:"responsible-roles,omitempty"`
	}
	oscalResponse struct {
		UUID        string      `json:"uuid"`
		Lifecycle   string      `json:"lifecycle"`
		Title       string      `json:"title"`
		Description string      `json:"description"`
		Props       []oscalProp `json:"props,omitempty"`
		Tasks       []oscalTask `json:"tasks,omitempty"`
	}
	oscalRelatedObservation struct {
		ObservationUUID string `json:"observation-uuid"`
	}
	oscalRelatedRisk struct {
		RiskUUID string `json:"risk-uuid"`
	}
	oscalRisk struct {
		UUID                string                    `json:"uuid"`
		Title               string                    `json:"title"`
		Description         string                    `json:"description"`
		Statement           string                    `json:"statement"`
		Props               []oscalProp               `json:"props,omitempty"`
		Status              string                    `json:"status"`
		Origins             []oscalOrigin             `json:"origins,omitempty"`
		Characterizations   []oscalCharacterization   `json:"characterizations,omitempty"`
		Deadline            string                    `json:"deadline,omitempty"`
		Remediations        []oscalResponse           `json:"remediations,omitempty"`
		RiskLog             *oscalRiskLog             `json:"risk-log,omitempty"`
		RelatedObservations []oscalRelatedObservation `json:"related-observations,omitempty"`
	}
	oscalFindingStatus struct {
		State string `json:"state"`
	}
	oscalFindingTarget struct {
		Type     string             `json:"type"`
		TargetID string             `json:"target-id"`
		Title    string             `json:"title,omitempty"`
		Status   oscalFindingStatus `json:"status"`
	}
	oscalFinding struct {
		UUID                string                    `json:"uuid"`
		Title               string                    `json:"title"`
		Description         string                    `json:"description"`
		Props               []oscalProp               `json:"props,omitempty"`
		Target              oscalFindingTarget        `json:"target"`
		RelatedObservations []oscalRelatedObservation `json:"related-observations,omitempty"`
		RelatedRisks        []oscalRelatedRisk        `json:"related-risks,omitempty"`
	}
	oscalIncludeAll    struct{}
	oscalControlSelect struct {
		Description string           `json:"description,omitempty"`
		IncludeAll  *oscalIncludeAll `json:"include-all,omitempty"`
	}
	oscalReviewedControls struct {
		Description       string               `json:"description,omitempty"`
		ControlSelections []oscalControlSelect `json:"control-selections"`
	}
	oscalResult struct {
		UUID             string                 `json:"uuid"`
		Title            string                 `json:"title"`
		Description      string                 `json:"description"`
		Start            string                 `json:"start"`
		End              string                 `json:"end,omitempty"`
		Props            []oscalProp            `json:"props,omitempty"`
		LocalDefinitions *oscalLocalDefinitions `json:"local-definitions,omitempty"`
		ReviewedControls oscalReviewedControls  `json:"reviewed-controls"`
		Observations     []oscalObservation     `json:"observations,omitempty"`
		Risks            []oscalRisk            `json:"risks,omitempty"`
		Findings         []oscalFinding         `json:"findings,omitempty"`
	}
	oscalImportAP struct {
		Href    string `json:"href"`
		Remarks string `json:"remarks,omitempty"`
	}
	oscalAssessmentResults struct {
		UUID             string           `json:"uuid"`
		Metadata         oscalMetadata    `json:"metadata"`
		ImportAP         oscalImportAP    `json:"import-ap"`
		LocalDefinitions *oscalARLocal    `json:"local-definitions,omitempty"`
		Results          []oscalResult    `json:"results"`
		BackMatter       *oscalBackMatter `json:"back-matter,omitempty"`
	}
	oscalSystemID struct {
		IdentifierType string `json:"identifier-type,omitempty"`
		ID             string `json:"id"`
	}
	oscalPOAMItem struct {
		UUID                string                    `json:"uuid"`
		Title               string                    `json:"title"`
		Description         string                    `json:"description"`
		Props               []oscalProp               `json:"props,omitempty"`
		RelatedObservations []oscalRelatedObservation `json:"related-observations,omitempty"`
		RelatedRisks        []oscalRelatedRisk        `json:"related-risks,omitempty"`
	}
	oscalPOAM struct {
		UUID             string                 `json:"uuid"`
		Metadata         oscalMetadata          `json:"metadata"`
		SystemID         oscalSystemID          `json:"system-id"`
		LocalDefinitions *oscalLocalDefinitions `json:"local-definitions,omitempty"`
		Observations     []oscalObservation     `json:"observations,omitempty"`
		Risks            []oscalRisk            `json:"risks,omitempty"`
		POAMItems        []oscalPOAMItem        `json:"poam-items"`
	}
)

// oscalDoc builds what both OSCAL documents share from a report.
type oscalDoc struct {
	r            *Report
	id           func(kind, name string) string
	assessor     string
	org          string
	owners       map[string]string // owner name -> party UUID
	items        map[string]string // asset key -> inventory item UUID
	local        *oscalLocalDefinitions
	observations []oscalObservation
	obsOfRisk    map[string][]string // risk ID -> observation UUIDs
	obsSeen      map[string]bool
	risks        []oscalRisk
}

func newOSCALDoc(r *Report) *oscalDoc {
	seed := r.Organisation.Name + "\x00" + r.AssessmentDate
	d := &oscalDoc{r: r, owners: map[string]string{}, items: map[string]string{}, obsOfRisk: map[string][]string{}, obsSeen: map[string]bool{}}
	d.id = func(kind, name string) string {
		return uuid.NewSHA1(oscalNamespace, []byte(seed+"\x00"+kind+"\x00"+name)).String()
	}
	d.assessor = d.id("party", "assessor")
	d.org = d.id("party", "organisation")
	for _, k := range r.Register.Risks {
		if k.Owner != "" {
			d.owners[k.Owner] = d.id("owner", k.Owner)
		}
	}
	d.build()
	return d
}

// oscalToken turns a citation into one: 164.312(a)(2)(iv) ->
// hipaa-164.312-a-2-iv.
var tokenBad = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func oscalToken(prefix, s string) string {
	t := strings.Trim(tokenBad.ReplaceAllString(s, "-"), "-")
	return prefix + "-" + strings.ToLower(t)
}

// oneLine makes text fit OSCAL's single-line strings: cleaned, newlines folded, trimmed, never
// empty.
func oneLine(s, alt string) string {
	s = strings.Join(strings.Fields(cleanText(s)), " ")
	if s == "" {
		return alt
	}
	return s
}

func multiLine(s, alt string) string {
	s = strings.TrimSpace(cleanText(s))
	if s == "" {
		return alt
	}
	return s
}

func prop(name, value string) []oscalProp {
	v := oneLine(value, "")
	if v == "" {
		return nil
	}
	return []oscalProp{{Name: name, NS: oscalNS, Value: v}}
}

func oscalTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (d *oscalDoc) metadata(title string) oscalMetadata {
	r := d.r
	m := oscalMetadata{
		Title: oneLine(title+": "+r.Organisation.Name, title), LastModified: oscalTime(r.Generated), Published: oscalTime(r.Generated),
		Version: r.Generated.UTC().Format("2006-01-02") + draftSuffix(r.Completion), OSCALVersion: OSCALVersion,
		Roles: []oscalRole{{ID: "assessor", Title: "Assessor"}, {ID: "prepared-for", Title: "Prepared for"}, {ID: "risk-owner", Title: "Risk owner"}},
		Parties: []oscalParty{
			{UUID: d.org, Type: "organization", Name: oneLine(r.Organisation.Name, "Unnamed organisation")},
			{UUID: d.assessor, Type: "person", Name: oneLine(r.Assessor.Name, "Unnamed assessor")},
		},
		ResponsibleParties: []oscalResponsibleParty{{RoleID: "assessor", PartyUUIDs: []string{d.assessor}}, {RoleID: "prepared-for", PartyUUIDs: []string{d.org}}},
	}
	if e := strings.TrimSpace(r.Assessor.Email); e != "" {
		m.Parties[1].Email = []string{e}
	}
	for _, name := range slices.Sorted(maps.Keys(d.owners)) {
		m.Parties = append(m.Parties, oscalParty{UUID: d.owners[name], Type: "person", Name: oneLine(name, "Unnamed owner")})
	}
	m.Props = append(m.Props, prop("scoring-rules", r.Register.Rules.Version)...)
	if r.Completion.Draft {
		m.Remarks = r.Completion.Label() + ": " + strings.Join(r.Completion.Reasons, "; ")
	}
	return m
}

func draftSuffix(c Completion) string {
	if c.Draft {
		return "-draft"
	}
	return ""
}

// build makes the observations (one per finding, one per gap answer), the inventory items and
// the risks with their remediation tasks.
func (d *oscalDoc) build() {
	r := d.r
	collected := r.Generated
	if r.Scan != nil && !r.Scan.FinishedAt.IsZero() {
		collected = r.Scan.FinishedAt
	}
	origin := []oscalOrigin{{Actors: []oscalActor{{Type: "party", ActorUUID: d.assessor}}}}
	tool := d.toolComponent()
	scanOrigin := []oscalOrigin{{Actors: []oscalActor{{Type: "tool", ActorUUID: tool.UUID}}}}
	local := &oscalLocalDefinitions{}
	usedTool := false
	item := func(a register.Asset) string {
		key := a.Target
		if key == "" {
			key = "practice:" + a.Name
		}
		if id, ok := d.items[key]; ok {
			return id
		}
		id := d.id("asset", key)
		d.items[key] = id
		it := oscalInventoryItem{UUID: id, Description: multiLine(a.Label(), "asset")}
		it.Props = append(it.Props, prop("asset-kind", a.Kind)...)
		it.Props = append(it.Props, prop("handles-ephi", a.HasEPHI)...)
		it.Props = append(it.Props, prop("exposure", a.Exposure)...)
		local.InventoryItems = append(local.InventoryItems, it)
		return id
	}
	byFinding := r.findingsByID()
	for _, k := range r.Register.Risks {
		if !k.Detected {
			continue
		}
		subject := []oscalSubject{{SubjectUUID: item(k.Asset), Type: "inventory-item", Title: oneLine(k.Asset.Label(), "")}}
		for _, fid := range k.Findings {
			fd := byFinding[fid]
			if fd == nil {
				continue
			}
			o := oscalObservation{UUID: d.id("observation", "finding:"+fid), Title: oneLine(fd.Title, fd.Check),
				Description: multiLine(fd.Detail, fd.Title), Methods: []string{"TEST"}, Types: []string{"finding"},
				Origins: scanOrigin, Subjects: subject, Collected: oscalTime(collected)}
			usedTool = true
			o.Props = append(o.Props, prop("finding-id", fd.ID)...)
			o.Props = append(o.Props, prop("check", fd.Check)...)
			o.Props = append(o.Props, prop("severity", fd.Severity.String())...)
			o.Props = append(o.Props, prop("confidence", string(fd.Confidence))...)
			if ev := evidenceLines(fd.Evidence); len(ev) > 0 {
				o.RelevantEvidence = []oscalEvidence{{Description: multiLine(strings.Join(ev, "\n"), "evidence")}}
			}
			d.observations = append(d.observations, o)
			d.obsOfRisk[k.ID] = append(d.obsOfRisk[k.ID], o.UUID)
		}
		for _, qid := range k.Answers {
			q, _ := r.Bank.Question(qid)
			a := r.Answers.Get(qid)
			text := qid
			if q != nil {
				text = q.Text
			}
			o := oscalObservation{UUID: d.id("observation", "answer:"+qid), Title: oneLine("Answer to "+qid, qid),
				Description: multiLine(text+"\nAnswer: "+a.Status.Short()+notesLine(a.Notes), qid),
				Methods:     []string{"INTERVIEW"}, Types: []string{"finding"}, Origins: origin, Subjects: subject, Collected: oscalTime(collected)}
			o.Props = append(o.Props, prop("question-id", qid)...)
			o.Props = append(o.Props, prop("answer", string(a.Status))...)
			if len(a.Evidence) > 0 {
				o.RelevantEvidence = []oscalEvidence{{Description: multiLine(strings.Join(a.Evidence, "\n"), "evidence")}}
			}
			d.obsOfRisk[k.ID] = append(d.obsOfRisk[k.ID], o.UUID)
			if !d.obsSeen[o.UUID] { // one answer can stand behind several risks
				d.obsSeen[o.UUID] = true
				d.observations = append(d.observations, o)
			}
		}
		d.risks = append(d.risks, d.risk(k, origin))
	}
	if usedTool {
		local.Components = []oscalComponent{tool}
	}
	if len(local.InventoryItems) > 0 || len(local.Components) > 0 {
		d.local = local
	}
}

func notesLine(n string) string {
	if strings.TrimSpace(n) == "" {
		return ""
	}
	return "\nNotes: " + n
}

// oscalRiskStatus maps a register status to OSCAL's risk status values.
func oscalRiskStatus(s register.Status) string {
	switch s {
	case register.StatusInProgress, register.StatusDone:
		return "remediating"
	case register.StatusFixedVerify:
		return "investigating"
	case register.StatusVerified:
		return "closed"
	case register.StatusAccepted:
		return "deviation-approved"
	}
	return "open"
}

func (d *oscalDoc) risk(k *register.Risk, origin []oscalOrigin) oscalRisk {
	or := oscalRisk{UUID: d.id("risk", k.ID), Title: oneLine(k.Title+" on "+k.Asset.Label(), k.ID),
		Description: multiLine(fmt.Sprintf("Threat (%s): %s\nVulnerability: %s", k.ThreatSource, k.ThreatEvent, k.Vulnerability), k.Title),
		Statement:   multiLine(fmt.Sprintf("Likelihood %s: %s\nImpact %s: %s\nLevel of risk (NIST SP 800-30 Table I-2): %s", k.Likelihood.Level, k.Likelihood.Reason, k.Impact.Level, k.Impact.Reason, k.Level), k.Level.String()),
		Status:      oscalRiskStatus(k.Status), Origins: origin}
	or.Props = append(or.Props, prop("risk-id", k.ID)...)
	or.Props = append(or.Props, prop("weakness", k.Weakness)...)
	or.Props = append(or.Props, citationProps(k)...)
	or.Props = append(or.Props, prop("likelihood-rules", strings.Join(k.Likelihood.Rules, " "))...)
	or.Props = append(or.Props, prop("impact-rules", strings.Join(k.Impact.Rules, " "))...)
	or.Props = append(or.Props, prop("existing-controls", strings.Join(controlsText(k), "; "))...)
	or.Characterizations = []oscalCharacterization{{Origin: origin[0], Facets: []oscalFacet{
		{Name: "likelihood", System: "http://csrc.nist.gov/ns/oscal", Value: k.Likelihood.Level.ID()},
		{Name: "impact", System: "http://csrc.nist.gov/ns/oscal", Value: k.Impact.Level.ID()},
		{Name: "risk", System: "http://csrc.nist.gov/ns/oscal", Value: k.Level.ID()},
	}}}
	if k.Due != "" { // the end of the due day: a POA&M's deadline is when the risk must be treated
		or.Deadline = k.Due + "T23:59:59Z"
	}
	if k.Status == register.StatusAccepted && k.Acceptance != nil {
		or.Deadline = k.Acceptance.Expires + "T23:59:59Z"
		or.Props = append(or.Props, prop("accepted-by", k.Acceptance.Approver)...)
		or.Props = append(or.Props, prop("acceptance-reason", k.Acceptance.Reason)...)
	}
	lifecycle := "recommendation"
	switch {
	case k.Status == register.StatusVerified || k.Status == register.StatusDone:
		lifecycle = "completed"
	case k.Owner != "" || k.Due != "":
		lifecycle = "planned"
	}
	resp := oscalResponse{UUID: d.id("remediation", k.ID), Lifecycle: lifecycle, Title: oneLine("Remediate "+k.ID+": "+k.Title, "Remediate "+k.ID),
		Description: multiLine(k.Remediation, "Remediate the weakness.")}
	if k.Owner != "" || k.Due != "" {
		t := oscalTask{UUID: d.id("task", k.ID), Type: "milestone", Title: oneLine("Remediation of "+k.ID+" complete", k.ID)}
		if k.Due != "" {
			t.Timing = &oscalTiming{OnDate: &oscalOnDate{Date: k.Due + "T00:00:00Z"}}
		} else {
			t.Type = "action"
		}
		if k.Owner != "" {
			t.ResponsibleRoles = []oscalResponsibleRole{{RoleID: "risk-owner", PartyUUIDs: []string{d.owners[k.Owner]}}}
		}
		resp.Tasks = []oscalTask{t}
	}
	or.Remediations = []oscalResponse{resp}
	or.RiskLog = d.riskLog(k)
	for _, o := range d.obsOfRisk[k.ID] {
		or.RelatedObservations = append(or.RelatedObservations, oscalRelatedObservation{ObservationUUID: o})
	}
	return or
}

// WriteOSCALResults writes an OSCAL 1.1.2 assessment-results document: one result holding an
// observation per finding and answer, a risk per register row (likelihood, impact and level as
// facets, the remediation as a response with its milestone), and a finding per risk against its
// first HIPAA citation.
func WriteOSCALResults(w io.Writer, r *Report) error {
	d := newOSCALDoc(r)
	start := r.Generated
	end := r.Generated
	if r.Scan != nil && !r.Scan.StartedAt.IsZero() {
		start, end = r.Scan.StartedAt, r.Scan.FinishedAt
	}
	res := oscalResult{UUID: d.id("result", "1"), Title: oneLine("HIPAA Security Rule risk analysis of "+r.Organisation.Name, "HIPAA risk analysis"),
		Description: multiLine(fmt.Sprintf("Scan of %d target(s) and a questionnaire (%d of %d questions answered), scored with NIST SP 800-30 Rev. 1 by telesra scoring rules %s.",
			len(r.Scope.Targets), r.Completion.Answers, r.Completion.Asked, r.Register.Rules.Version), "HIPAA risk analysis"),
		Start: oscalTime(start), End: oscalTime(end), LocalDefinitions: d.local,
		ReviewedControls: oscalReviewedControls{Description: "The HIPAA Security Rule, 45 CFR 164.308-164.316.",
			ControlSelections: []oscalControlSelect{{Description: "Every standard and implementation specification.", IncludeAll: &oscalIncludeAll{}}}},
		Observations: d.observations, Risks: d.risks}
	if r.Completion.Draft {
		res.Props = prop("draft", r.Completion.Label())
	}
	objs := map[string]objective{}
	for _, k := range r.Register.Risks {
		if !k.Detected && len(k.Citations) == 0 {
			continue // a risk only the plan remembers: nothing to say what it was about
		}
		// A risk the register remembers but nothing detects any more is a satisfied finding:
		// the weakness was looked for again and not found.
		state := "not-satisfied"
		if !k.Detected {
			state = "satisfied"
		}
		obj := riskObjective(k)
		title := obj.title
		if len(k.Citations) > 0 {
			c := k.Citations[0]
			obj, title = citationObjective(c), oneLine(c.Label()+" "+c.Name, c.Citation)
		}
		objs[obj.controlID] = obj
		target := oscalFindingTarget{Type: "objective-id", TargetID: obj.id(), Title: title, Status: oscalFindingStatus{State: state}}
		fd := oscalFinding{UUID: d.id("finding", k.ID), Title: oneLine(k.Title+" on "+k.Asset.Label(), k.ID),
			Description: multiLine(k.Vulnerability, k.Title), Target: target}
		if k.Detected {
			fd.RelatedRisks = []oscalRelatedRisk{{RiskUUID: d.id("risk", k.ID)}}
		} else {
			fd.Description = multiLine("No longer detected: "+k.Vulnerability, k.Title)
		}
		fd.Props = append(fd.Props, prop("risk-id", k.ID)...)
		fd.Props = append(fd.Props, citationProps(k)...)
		for _, o := range d.obsOfRisk[k.ID] {
			fd.RelatedObservations = append(fd.RelatedObservations, oscalRelatedObservation{ObservationUUID: o})
		}
		res.Findings = append(res.Findings, fd)
	}
	plan := d.planResource()
	ar := oscalAssessmentResults{
		UUID: d.id("assessment-results", "1"), Metadata: d.metadata("HIPAA Security Risk Assessment results"),
		ImportAP:   oscalImportAP{Href: "#" + plan.UUID, Remarks: "The assessment plan is the workspace's assessment file (scope, authorisation) and the questionnaire, described in the back-matter; the report's methodology section gives the method."},
		Results:    []oscalResult{res},
		BackMatter: &oscalBackMatter{Resources: []oscalResource{plan}},
	}
	if len(objs) > 0 {
		ar.LocalDefinitions = &oscalARLocal{ObjectivesAndMethods: objectives(objs)}
	}
	doc := map[string]any{"assessment-results": ar}
	return encodeOSCAL(w, doc)
}

// WriteOSCALPOAM writes an OSCAL 1.1.2 plan of action and milestones: the open risks with their
// observations, remediation tasks (owner, due date) and one POA&M item per risk.
func WriteOSCALPOAM(w io.Writer, r *Report) error {
	d := newOSCALDoc(r)
	p := oscalPOAM{UUID: d.id("poam", "1"), Metadata: d.metadata("HIPAA Security Risk Assessment plan of action and milestones"),
		SystemID:         oscalSystemID{IdentifierType: "https://ietf.org/rfc/rfc4122", ID: d.org},
		LocalDefinitions: d.local, Observations: d.observations, POAMItems: []oscalPOAMItem{}}
	for _, k := range r.Register.Risks {
		if !k.Detected {
			continue
		}
		p.Risks = append(p.Risks, d.risks[len(p.Risks)])
		item := oscalPOAMItem{UUID: d.id("poam-item", k.ID), Title: oneLine(k.Title+" on "+k.Asset.Label(), k.ID),
			Description:  multiLine(k.Remediation, k.Title),
			RelatedRisks: []oscalRelatedRisk{{RiskUUID: d.id("risk", k.ID)}}}
		item.Props = append(item.Props, prop("risk-id", k.ID)...)
		item.Props = append(item.Props, prop("level", k.Level.ID())...)
		item.Props = append(item.Props, prop("owner", k.Owner)...)
		item.Props = append(item.Props, prop("due", k.Due)...)
		item.Props = append(item.Props, prop("status", string(k.Status))...)
		for _, o := range d.obsOfRisk[k.ID] {
			item.RelatedObservations = append(item.RelatedObservations, oscalRelatedObservation{ObservationUUID: o})
		}
		p.POAMItems = append(p.POAMItems, item)
	}
	return encodeOSCAL(w, map[string]any{"plan-of-action-and-milestones": p})
}

func encodeOSCAL(w io.Writer, doc any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
