package register

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/templates/datafile"

	"github.com/agnivade/levenshtein"
	"go.yaml.in/yaml/v3"
)

var riskIDRE = regexp.MustCompile(`^R-[0-9a-f]{8}$`)

// Status is where the treatment of a risk stands.
type Status string

// Statuses stored in remediation.yaml.
const (
	StatusOpen       Status = "open"
	StatusInProgress Status = "in_progress"
	StatusDone       Status = "done"     // the owner says it is fixed
	StatusVerified   Status = "verified" // someone checked the fix (telesra no longer detects it)
	StatusAccepted   Status = "accepted" // accepted by an approver, with a reason, until an expiry
)

// StatusFixedVerify is never stored: it is how a risk reads when telesra no longer detects it
// (its findings disappeared, or the answer changed) but nobody has verified the fix yet.
const StatusFixedVerify Status = "fixed_verify"

// Statuses lists the statuses a user may set, in workflow order.
func Statuses() []Status {
	return []Status{StatusOpen, StatusInProgress, StatusDone, StatusVerified, StatusAccepted}
}

// Label is the status in words.
func (s Status) Label() string {
	switch s {
	case StatusOpen, "":
		return "Open"
	case StatusInProgress:
		return "In progress"
	case StatusDone:
		return "Done"
	case StatusVerified:
		return "Verified"
	case StatusAccepted:
		return "Accepted"
	case StatusFixedVerify:
		return "Fixed, verify"
	}
	return string(s)
}

// Closed reports whether a risk in this status needs no more work (verified or accepted).
func (s Status) Closed() bool { return s == StatusVerified || s == StatusAccepted }

// ParseStatus reads a status as a user types it ("in progress", "in-progress", "Done").
func ParseStatus(s string) (Status, error) {
	norm := Status(strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(s))))
	if slices.Contains(Statuses(), norm) {
		return norm, nil
	}
	return "", fmt.Errorf("unknown status %q (want open, in_progress, done, verified or accepted)", s)
}

// Acceptance records who accepted a risk (name and role), when, why, and until when, and what
// an acceptance the governance rules refuse by default overrode.
type Acceptance struct {
	Approver string `yaml:"approver" json:"approver"`
	Role     string `yaml:"role,omitempty" json:"role,omitempty"`
	Accepted string `yaml:"accepted,omitempty" json:"accepted,omitempty"` // YYYY-MM-DD
	Reason   string `yaml:"reason" json:"reason"`
	Expires  string `yaml:"expires" json:"expires"` // YYYY-MM-DD, valid through that day
	// Overrides are what --override-required set aside: Required specifications and
	// known-exploited findings the risk rests on.
	Overrides []string `yaml:"overrides,omitempty" json:"overrides,omitempty"`
}

// DefaultMaxAcceptanceMonths is how far ahead an acceptance may expire unless configured: a
// risk analysis is reviewed at least yearly, so an acceptance is too.
const DefaultMaxAcceptanceMonths = 12

// Entry is the plan for one risk. Title, Asset and Level are written by telesra so that a risk
// can still be shown, as "fixed, verify", once nothing detects it any more.
type Entry struct {
	Title      string      `yaml:"title,omitempty"`
	Asset      string      `yaml:"asset,omitempty"`
	Level      string      `yaml:"level,omitempty"`
	Owner      string      `yaml:"owner,omitempty"`
	Due        string      `yaml:"due,omitempty"`
	Status     Status      `yaml:"status,omitempty"`
	Notes      string      `yaml:"notes,omitempty"`
	Acceptance *Acceptance `yaml:"acceptance,omitempty"`
	// Override is the assessor's rating of the risk, which the register uses as the final one.
	Override *Override `yaml:"override,omitempty"`
	Updated  string    `yaml:"updated,omitempty"`
}

// Plan is remediation.yaml: the user's side of the register.
type Plan struct {
	Entries map[string]*Entry
	File    string
	lines   map[string]int
}

// NewPlan returns an empty plan that will be saved as file.
func NewPlan(file string) *Plan {
	return &Plan{Entries: map[string]*Entry{}, File: file, lines: map[string]int{}}
}

// ParsePlan validates the text of a remediation plan, with file:line errors: the schema, then
// an acceptance on every accepted risk.
func ParsePlan(file string, data []byte) (*Plan, error) {
	root, err := datafile.ParseYAML(file, data)
	if err != nil {
		return nil, err
	}
	// Risk IDs are keys, which a schema error would place at the top of the file: check them
	// first, at their own line.
	if list := datafile.Locate(root, "risks"); list != nil && list.Kind == yaml.MappingNode {
		var errs datafile.FileErrors
		for i := 0; i+1 < len(list.Content); i += 2 {
			k := list.Content[i]
			if !riskIDRE.MatchString(k.Value) {
				errs = append(errs, &datafile.FileError{File: file, Line: k.Line, Column: k.Column, Field: "risks." + k.Value,
					Msg: fmt.Sprintf("%q is not a risk ID (R- and 8 hex digits, as telesra risks list prints them)", k.Value)})
			}
		}
		if len(errs) > 0 {
			return nil, errs
		}
	}
	if err := datafile.ValidateNode(file, root, "remediation.schema.json"); err != nil {
		return nil, err
	}
	var raw struct {
		Risks map[string]*Entry `yaml:"risks"`
	}
	if err := root.Decode(&raw); err != nil {
		return nil, &datafile.FileError{File: file, Msg: err.Error()}
	}
	p := NewPlan(file)
	var errs datafile.FileErrors
	if list := datafile.Locate(root, "risks"); list != nil && list.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(list.Content); i += 2 {
			id := list.Content[i].Value
			e := raw.Risks[id]
			if e == nil {
				e = &Entry{}
			}
			p.Entries[id] = e
			p.lines[id] = list.Content[i].Line
			if e.Status == StatusAccepted && e.Acceptance == nil {
				errs = append(errs, datafile.At(file, root, "an accepted risk needs acceptance: approver, reason and expires", "risks", id, "status"))
			}
			errs = append(errs, overrideErrors(file, root, id, e.Override)...)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return p, nil
}

// Line is the line of a risk's entry in the file, or 0.
func (p *Plan) Line(id string) int { return p.lines[id] }

// entryError is a FileError at a risk's entry.
func (p *Plan) entryError(id, msg string) *datafile.FileError {
	return &datafile.FileError{File: p.File, Line: p.lines[id], Field: "risks." + id, Msg: msg}
}

// Marshal renders the plan as remediation.yaml, risks in ID order under an explanatory header.
func (p *Plan) Marshal() ([]byte, error) {
	doc := &yaml.Node{Kind: yaml.MappingNode}
	header := "telesra remediation plan: owners, due dates, statuses and acceptances, by risk ID.\n" +
		"Edit freely or use `telesra risks set ID --owner ... --due YYYY-MM-DD --status ...`; telesra\n" +
		"validates this file (file:line errors) and keeps remediation.yaml.bak before rewriting it.\n" +
		"status: open | in_progress | done | verified | accepted (with acceptance: approver, reason, expires)\n" +
		"override: the assessor's likelihood and/or impact, with why, by, role and date; it sets the final rating\n" +
		"title, asset and level are written by telesra so a risk can be shown once it is no longer detected."
	doc.Content = append(doc.Content,
		&yaml.Node{Kind: yaml.ScalarNode, Value: "schema_version", HeadComment: header},
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: "1"},
		&yaml.Node{Kind: yaml.ScalarNode, Value: "risks"})
	list := &yaml.Node{Kind: yaml.MappingNode}
	for _, id := range slices.Sorted(maps.Keys(p.Entries)) {
		var v yaml.Node
		if err := v.Encode(p.Entries[id]); err != nil {
			return nil, fmt.Errorf("encode %s: %w", id, err)
		}
		list.Content = append(list.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: id}, &v)
	}
	if len(list.Content) == 0 {
		list.Style = yaml.FlowStyle
	}
	doc.Content = append(doc.Content, list)
	return datafile.EncodeYAML(doc)
}

// Change is what `telesra risks set` changes; nil fields are left alone.
type Change struct {
	Owner, Due, Notes *string
	Status            *Status
	// Approver, Role, Reason and Expires are the acceptance, required with StatusAccepted.
	Approver, Role, Reason, Expires string
	// OverrideRequired accepts a risk that rests on a Required specification or a
	// known-exploited finding; what it overrides is recorded in the acceptance.
	OverrideRequired bool
	// MaxMonths bounds the expiry (0: DefaultMaxAcceptanceMonths).
	MaxMonths int
	// Override is an assessor's rating, replacing any previous one; ClearOverride removes it,
	// and the computed rating is the final one again.
	Override      *OverrideChange
	ClearOverride bool
}

// UnknownRiskError is a risk ID that is neither in the register nor in the plan.
type UnknownRiskError struct {
	ID      string
	Suggest string
}

func (e *UnknownRiskError) Error() string {
	msg := fmt.Sprintf("no risk %s in this assessment", e.ID)
	if e.Suggest != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", e.Suggest)
	}
	return msg + "; list them with: telesra risks list"
}

// TransitionError is a status change the workflow does not allow.
type TransitionError struct {
	ID       string
	From, To Status
	Why      string
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("%s: cannot go from %s to %s: %s", e.ID, e.From.Label(), e.To.Label(), e.Why)
}

// transitions are the status changes allowed, from the stored status. Verification is allowed
// only once telesra no longer detects the risk; that is checked apart.
var transitions = map[Status][]Status{
	StatusOpen:       {StatusInProgress, StatusDone, StatusAccepted},
	StatusInProgress: {StatusOpen, StatusDone, StatusAccepted},
	StatusDone:       {StatusOpen, StatusInProgress, StatusVerified, StatusAccepted},
	StatusVerified:   {StatusOpen},
	StatusAccepted:   {StatusOpen, StatusInProgress},
}

// CheckTransition says whether a risk may go from one status to another; detected is whether
// telesra still detects it. Setting the same status again is always allowed.
func CheckTransition(id string, from, to Status, detected bool) error {
	if from == "" {
		from = StatusOpen
	}
	if to == StatusVerified && detected {
		return &TransitionError{ID: id, From: from, To: to, Why: "telesra still detects it; fix it and re-run the scan (or update the answer) first"}
	}
	if from == to {
		return nil
	}
	if to == StatusVerified && !detected && from != StatusAccepted {
		return nil // fixed, verify -> verified
	}
	if !slices.Contains(transitions[from], to) {
		var next []string
		for _, s := range transitions[from] {
			next = append(next, string(s))
		}
		return &TransitionError{ID: id, From: from, To: to, Why: "allowed next: " + strings.Join(next, ", ")}
	}
	return nil
}

// Set applies a change to one risk of the register (or to a risk the plan still tracks after
// it stopped being detected). today is YYYY-MM-DD. Nothing is changed when it returns an error.
func (p *Plan) Set(reg *Register, id string, ch Change, today string) error {
	risk, inRegister := reg.Risk(id)
	old, inPlan := p.Entries[id]
	if !inRegister && !inPlan {
		return &UnknownRiskError{ID: id, Suggest: SuggestID(id, reg)}
	}
	e := &Entry{}
	if inPlan {
		c := *old
		if old.Acceptance != nil {
			a := *old.Acceptance
			c.Acceptance = &a
		}
		e = &c
	}
	detected := inRegister && risk.Detected
	if ch.Owner != nil {
		e.Owner = strings.TrimSpace(*ch.Owner)
	}
	if ch.Due != nil {
		d := strings.TrimSpace(*ch.Due)
		if d != "" {
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				return fmt.Errorf("due date %q: want YYYY-MM-DD", d)
			}
		}
		e.Due = d
	}
	if ch.Notes != nil {
		e.Notes = *ch.Notes
	}
	if ch.Status != nil {
		to := *ch.Status
		if err := CheckTransition(id, e.Status, to, detected); err != nil {
			return err
		}
		if to == StatusAccepted {
			a, err := acceptance(ch, today, governed(reg, risk))
			if err != nil {
				return fmt.Errorf("%s: %w", id, err)
			}
			e.Acceptance = a
		} else {
			e.Acceptance = nil
		}
		e.Status = to
	} else if ch.Approver != "" || ch.Role != "" || ch.Reason != "" || ch.Expires != "" || ch.OverrideRequired {
		if e.Status != StatusAccepted {
			return fmt.Errorf("%s: --approver, --role, --reason, --expires and --override-required go with --status accepted", id)
		}
		a, err := acceptance(ch, today, governed(reg, risk))
		if err != nil {
			return fmt.Errorf("%s: %w", id, err)
		}
		e.Acceptance = a
	}
	switch {
	case ch.Override != nil && ch.ClearOverride:
		return fmt.Errorf("%s: give an override or --clear-override, not both", id)
	case ch.Override != nil:
		o, err := override(ch.Override, risk, today)
		if err != nil {
			return fmt.Errorf("%s: %w", id, err)
		}
		e.Override = o
	case ch.ClearOverride:
		if e.Override == nil {
			return fmt.Errorf("%s: has no assessor override to clear", id)
		}
		e.Override = nil
	}
	if inRegister && risk.Detected {
		e.Title, e.Asset, e.Level = risk.Title, risk.Asset.Label(), finalLevel(risk, e.Override, reg.Rules).ID()
	}
	e.Updated = today
	p.Entries[id] = e
	return nil
}

// governed lists what a risk rests on that an acceptance may not set aside without
// --override-required: Required implementation specifications it cites, and known-exploited
// findings (CISA KEV). A risk only the plan remembers rests on nothing detected.
func governed(reg *Register, k *Risk) []string {
	if k == nil || !k.Detected {
		return nil
	}
	var out []string
	for _, c := range k.Citations {
		if c.Kind == "required" {
			out = append(out, c.Citation+" "+c.Name+" (Required specification)")
		}
	}
	for _, f := range reg.Findings {
		if f.Check == "patch.kev" && slices.Contains(k.Findings, f.ID) {
			out = append(out, "known-exploited finding "+f.ID+" ("+f.Title+")")
		}
	}
	return out
}

// acceptance validates an acceptance against the governance rules (docs/scoring.md): who (name
// and role), why (a reason of substance), until when (within the allowed period), and nothing
// the Rule requires or attackers already exploit unless explicitly overridden.
func acceptance(ch Change, today string, rests []string) (*Acceptance, error) {
	var missing []string
	if strings.TrimSpace(ch.Approver) == "" {
		missing = append(missing, "--approver")
	}
	if strings.TrimSpace(ch.Role) == "" {
		missing = append(missing, "--role")
	}
	if strings.TrimSpace(ch.Reason) == "" {
		missing = append(missing, "--reason")
	}
	if ch.Expires == "" {
		missing = append(missing, "--expires")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("accepting a risk needs %s (who approved it and in what role, why, and until when)", strings.Join(missing, ", "))
	}
	if !questionnaire.Substantive(ch.Reason) {
		return nil, fmt.Errorf("--reason %q: say why the risk is acceptable in at least %d words (what limits the harm, what is planned)", ch.Reason, questionnaire.MinReasonWords)
	}
	exp, err := time.Parse(time.DateOnly, ch.Expires)
	if err != nil {
		return nil, fmt.Errorf("--expires %q: want YYYY-MM-DD", ch.Expires)
	}
	if ch.Expires <= today {
		return nil, fmt.Errorf("--expires %s is not in the future", ch.Expires)
	}
	months := ch.MaxMonths
	if months <= 0 {
		months = DefaultMaxAcceptanceMonths
	}
	if t, err := time.Parse(time.DateOnly, today); err == nil {
		if limit := t.AddDate(0, months, 0); exp.After(limit) {
			return nil, fmt.Errorf("--expires %s is more than %d months ahead (at most %s): review accepted risks at least that often",
				ch.Expires, months, limit.Format(time.DateOnly))
		}
	}
	a := &Acceptance{Approver: strings.TrimSpace(ch.Approver), Role: strings.TrimSpace(ch.Role), Accepted: today,
		Reason: strings.TrimSpace(ch.Reason), Expires: ch.Expires}
	if len(rests) > 0 {
		if !ch.OverrideRequired {
			return nil, fmt.Errorf("refused: the risk rests on %s; a Required specification cannot be waived (45 CFR 164.306(d)(2)) "+
				"and a known-exploited flaw is under attack now, so risk management (164.308(a)(1)(ii)(B)) means reducing it; "+
				"give --override-required to accept it anyway, which is recorded in the acceptance", strings.Join(rests, "; "))
		}
		a.Overrides = rests
	}
	return a, nil
}

// SuggestID returns the register's risk ID closest to a mistyped one, if any is close.
func SuggestID(id string, reg *Register) string {
	best, bestD := "", 4
	for _, r := range reg.Risks {
		if d := levenshtein.ComputeDistance(strings.ToLower(id), r.ID); d < bestD {
			best, bestD = r.ID, d
		}
	}
	return best
}
