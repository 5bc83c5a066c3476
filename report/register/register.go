package register

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/telesra/telesra/templates/hipaa"

	"github.com/telesra/telesra/questionnaire/level"
	"github.com/telesra/telesra/templates/datafile"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/questionnaire"
)

// Where a risk came from.
const (
	SourceScan          = "scan"
	SourceQuestionnaire = "questionnaire"
	SourceBoth          = "both"
)

// Asset is what a risk threatens: an asset of the inventory (assets.yaml), a scanned target no
// entry names, or the practice-wide asset of a questionnaire gap that concerns no particular kind
// of asset.
type Asset struct {
	Name     string   // what the practice calls it: assets.yaml's name, the target, or PracticeWideName
	Kind     string   // one of AssetKinds, or KindPractice
	Target   string   // the scan target ("" for an asset no finding is on)
	EPHI     []string // the ePHI systems it serves, when known
	HasEPHI  string   // yes, no, unknown
	Exposure string   // internet, internal, device, unknown
	// What assets.yaml (schema_version 2) says of it: "" and 0 when not stated.
	EPHIHeld    string // none, some, bulk
	Records     int
	Criticality Criticality
	Owner       string
	Flows       []Flow
	// Declared is true for an asset of assets.yaml; Scanned when a scan target is (part of) it.
	Declared, Scanned bool
	// Covers lists the inventory's assets, for the practice-wide asset.
	Covers []string
	// SeededFrom is the question an answer to which implied the asset, until it is confirmed.
	SeededFrom string
}

// Label is the asset as a report prints it: "Patient portal (127.0.0.1:29470)".
func (a Asset) Label() string {
	if a.Target != "" && a.Name != a.Target {
		return a.Name + " (" + a.Target + ")"
	}
	return a.Name
}

// Rating is a likelihood or an impact with the rules that set it and why, in words.
type Rating struct {
	Level Level
	// Rules are the rules applied, the first being where the level started ("weakness:ID",
	// "question:ID" or "fallback").
	Rules  []string
	Reason string
	// Steps are the rules after the first with what each did: "+1", "-2", "=Very High", or ""
	// when a rule only notes something.
	Steps []RatingStep
}

// RatingStep is one rule applied to a rating.
type RatingStep struct {
	Rule   string
	Effect string
}

// Control is an existing safeguard reported in the answers that bears on a risk.
type Control struct {
	Question string
	Text     string
	Status   questionnaire.Status
	Notes    string
	// Verified is the scan's corroboration of the answer, nil when the scan did not verify it.
	Verified *Verification
}

// Risk is one row of the register.
type Risk struct {
	ID       string // stable: the same weakness on the same asset has the same ID in every run
	Weakness string // the weakness ID, "check:ID" for findings no weakness names, "" for gaps
	Title    string
	// Asset is the principal asset: the most sensitive of Assets, whose rating is the impact.
	Asset Asset
	// Assets are every asset the risk concerns: one for a scan risk, the inventory's assets of
	// the kinds a questionnaire gap concerns (asset-scope.yaml), or the practice-wide asset.
	Assets []Asset
	// PotentialOnly is true when every finding of the risk is potential (inferred from a
	// version, not observed): its likelihood never exceeds a confirmed finding's.
	PotentialOnly bool

	ThreatSource  string
	ThreatEvent   string
	Vulnerability string
	Controls      []Control
	// Contradicted are the answers that would be existing controls of the risk but that the
	// scan disproves: they neither count as controls nor lower the likelihood.
	Contradicted []*Contradiction
	// DecisionsMissing are the Addressable specifications (citations) an answer behind the risk
	// decides that are not implemented as written and have no recorded decision (164.306(d)(3)).
	DecisionsMissing []string

	// Likelihood, Impact and Level are the final rating: the computed one, or the assessor's
	// where remediation.yaml overrides it. Sorting, counts, the heat map and the plan read them.
	Likelihood, Impact Rating
	Level              Level
	// Computed is the rating the scoring rules gave, kept beside an assessor's override.
	Computed Computed
	// Override is the assessor's rating from remediation.yaml, nil when none; OverrideNote says
	// why the assessor should re-confirm it (the computed rating changed since).
	Override     *Override
	OverrideNote string

	Citations []hipaa.Citation
	Findings  []string // finding IDs
	Answers   []string // question IDs
	Severity  string   // the worst finding's severity ("" without findings)
	Source    string   // scan, questionnaire, both

	Remediation string

	Owner      string
	Due        string
	Status     Status // effective: fixed_verify when no longer detected, open when an acceptance expired
	Acceptance *Acceptance
	Notes      string
	Updated    string // the day remediation.yaml last changed the risk's plan (YYYY-MM-DD)
	// StatusNote explains an effective status that differs from the stored one.
	StatusNote string
	// Detected is false for a risk only the plan remembers: nothing detects it any more.
	Detected bool
}

// Open reports whether the risk still needs treatment: detected, and not accepted or verified.
func (r *Risk) Open() bool { return r.Detected && !r.Status.Closed() }

// Register is the scored risk register of one assessment.
type Register struct {
	Risks []*Risk
	// Findings are the scan's unsuppressed findings, scored or not (info findings make no risk).
	Findings   []checks.Finding
	Suppressed int
	Rules      *Rules
	// Reconciliation is the rules the answers were checked against; Contradictions the answers
	// they disprove, by question ID.
	Reconciliation *Reconciliation
	Contradictions []*Contradiction
	// Scores are the answers rated against the Security Rule with the contradictions above (nil
	// without answers): the status of every standard and specification.
	Scores  *questionnaire.Scores
	answers *questionnaire.Answers // the answers Scores rate
	// Verifications are the answers the scan corroborates (passing checks that ran on the
	// assets concerned), by question ID; a contradicted answer is never among them.
	Verifications []*Verification
	// Inventory is every asset of the assessment: assets.yaml's, then the scanned targets it does
	// not name. ScopeIncomplete says the inventory is not all of the practice's ePHI, and why.
	Inventory       []Asset
	ScopeIncomplete bool
	ScopeReason     string

	byID map[string]*Risk
}

// Risk returns a risk by ID.
func (r *Register) Risk(id string) (*Risk, bool) {
	k, ok := r.byID[id]
	return k, ok
}

// Contradiction returns the contradiction of a question's answer, if the scan disproves it.
func (r *Register) Contradiction(question string) (*Contradiction, bool) {
	i := slices.IndexFunc(r.Contradictions, func(c *Contradiction) bool { return c.Question == question })
	if i < 0 {
		return nil, false
	}
	return r.Contradictions[i], true
}

// Counts counts open risks by level.
func (r *Register) Counts() map[Level]int {
	out := map[Level]int{}
	for _, k := range r.Risks {
		if k.Open() {
			out[k.Level]++
		}
	}
	return out
}

// Overall is the highest level among open risks (0 when there is none): the practice is as
// exposed as its worst untreated risk.
func (r *Register) Overall() Level {
	var worst Level
	for _, k := range r.Risks {
		if k.Open() && k.Level > worst {
			worst = k.Level
		}
	}
	return worst
}

// Heat counts open risks by likelihood and impact: [likelihood-1][impact-1].
func (r *Register) Heat() [5][5]int {
	var h [5][5]int
	for _, k := range r.Risks {
		if k.Open() && k.Likelihood.Level > 0 && k.Impact.Level > 0 {
			h[k.Likelihood.Level-1][k.Impact.Level-1]++
		}
	}
	return h
}

// Accepted counts the detected risks whose acceptance is in force: they stay in the register,
// counted apart from the open ones.
func (r *Register) Accepted() int {
	n := 0
	for _, k := range r.Risks {
		if k.Detected && k.Status == StatusAccepted {
			n++
		}
	}
	return n
}

// HeatAccepted counts accepted risks by likelihood and impact, like Heat: an accepted risk is
// still a risk of the practice, and the heat map shows it apart.
func (r *Register) HeatAccepted() [5][5]int {
	var h [5][5]int
	for _, k := range r.Risks {
		if k.Detected && k.Status == StatusAccepted && k.Likelihood.Level > 0 && k.Impact.Level > 0 {
			h[k.Likelihood.Level-1][k.Impact.Level-1]++
		}
	}
	return h
}

// Inputs is everything the register is built from. Only Bank is required.
type Inputs struct {
	Scan        *checks.Result
	Bank        *questionnaire.Bank
	Answers     *questionnaire.Answers
	Assets      *Assets
	EPHISystems []string
	Plan        *Plan
	Rules       *Rules // nil: the embedded rules
	// Reconciliation is nil for the embedded reconciliation rules.
	Reconciliation *Reconciliation
	// AssetScope is nil for the embedded asset scope of questions.
	AssetScope *AssetScope
	Today      string // YYYY-MM-DD, for acceptance expiry
}

// group collects what makes one risk before it is scored.
type group struct {
	key      string // hashed into the ID
	weakness *Weakness
	check    string // for fallback groups
	asset    Asset
	assets   []Asset // the assets a questionnaire gap concerns; nil: asset alone
	note     string  // why a gap stands for all ePHI although it concerns particular kinds
	findings []*checks.Finding
	gaps     []questionnaire.Gap
	pair     *questionnaire.Pair // for practice-wide gaps
}

// Build scores the register: findings grouped by weakness and target, questionnaire gaps merged
// into the rows of their weakness or standing alone as practice-wide rows, the plan's owners
// and statuses applied. A plan entry for a risk that is neither detected nor remembered (no
// title) is an error naming its line.
func Build(in Inputs) (*Register, error) {
	rules := in.Rules
	if rules == nil {
		rules = DefaultRules()
	}
	rec := in.Reconciliation
	if rec == nil {
		rec = DefaultReconciliation()
	}
	scope := in.AssetScope
	if scope == nil {
		scope = DefaultAssetScope()
	}
	reg := &Register{Rules: rules, Reconciliation: rec, byID: map[string]*Risk{}}
	var seen []observed
	var groups []*group
	byKey := map[string]*group{}
	endpoints := map[string]checks.EndpointResult{}
	if in.Scan != nil {
		for _, e := range in.Scan.Endpoints {
			endpoints[e.Target] = e
		}
		for i := range in.Scan.Findings {
			f := &in.Scan.Findings[i]
			if f.Suppressed() {
				reg.Suppressed++
				continue
			}
			reg.Findings = append(reg.Findings, *f)
			seen = append(seen, observed{finding: f, asset: resolveAsset(f.Target, endpoints[f.Target], in.Assets, in.EPHISystems)})
			if f.Severity < rules.MinSeverity {
				continue
			}
			w := rules.WeaknessFor(f.Check)
			kind := "check:" + f.Check
			if w != nil {
				kind = w.ID
			}
			key := kind + "\x00" + f.Target
			g, ok := byKey[key]
			if !ok {
				g = &group{key: key, weakness: w, check: f.Check, asset: resolveAsset(f.Target, endpoints[f.Target], in.Assets, in.EPHISystems)}
				byKey[key] = g
				groups = append(groups, g)
			}
			g.findings = append(g.findings, f)
		}
	}
	reg.Contradictions = reconcile(rec, in.Answers, seen)
	if in.Scan != nil && in.Scan.Complete {
		ix := indexScan(in.Scan, func(target string, ep checks.EndpointResult) Asset {
			return resolveAsset(target, ep, in.Assets, in.EPHISystems)
		})
		reg.Verifications = corroborate(rec, in.Answers, ix, reg.Contradictions)
	}
	var targets []string
	if in.Scan != nil {
		for _, e := range in.Scan.Endpoints {
			targets = append(targets, e.Target)
		}
		for _, f := range reg.Findings {
			if !slices.Contains(targets, f.Target) {
				targets = append(targets, f.Target)
			}
		}
	}
	reg.Inventory = inventory(in, targets, func(t string) Asset { return resolveAsset(t, endpoints[t], in.Assets, in.EPHISystems) })
	reg.ScopeReason = scopeCompleteness(in, reg.Inventory)
	reg.ScopeIncomplete = reg.ScopeReason != ""
	wide := practiceWide(reg.Inventory)
	if in.Answers != nil {
		for _, gap := range questionnaire.Gaps(in.Bank, in.Answers) {
			if gap.Profile != "" {
				continue // proposed-rule readiness: reported with the questionnaire, not a risk under the rule in force
			}
			merged := false
			if w := rules.WeaknessForQuestion(gap.Question.ID); w != nil {
				for _, g := range groups {
					if g.weakness == w && len(g.findings) > 0 {
						g.gaps = append(g.gaps, gap)
						merged = true
					}
				}
			}
			if merged {
				continue
			}
			assets, note := concerned(scope, gap, reg.Inventory)
			if len(assets) == 0 {
				assets = []Asset{wide}
			}
			for i := range gap.Pairs {
				p := gap.Pairs[i]
				key := fmt.Sprintf("question:%s#%d", gap.Question.ID, i)
				g := &group{key: key, weakness: rules.WeaknessForQuestion(gap.Question.ID), pair: &p, gaps: []questionnaire.Gap{gap},
					asset: assets[0], assets: assets, note: note}
				byKey[key] = g
				groups = append(groups, g)
			}
		}
	}
	for _, g := range groups {
		k := score(g, rules, in, reg)
		reg.Risks = append(reg.Risks, k)
		reg.byID[k.ID] = k
	}
	if in.Answers != nil {
		reg.Scores = reg.ScoresFor(in.Bank, in.Answers)
		reg.answers = in.Answers
	}
	addDecisionGaps(reg, in, wide)
	if err := applyPlan(reg, in.Plan, in.Today); err != nil {
		return nil, err
	}
	sortRisks(reg.Risks)
	return reg, nil
}

// RiskID derives a risk's stable ID from what it is about.
func RiskID(key string) string {
	h := sha256.Sum256([]byte(key))
	return "R-" + hex.EncodeToString(h[:4])
}

// resolveAsset names the asset behind a finding's target, with its ePHI and exposure.
func resolveAsset(target string, ep checks.EndpointResult, assets *Assets, systems []string) Asset {
	host := ep.Host
	if host == "" {
		host = TargetHost(target)
	}
	kind := "service"
	if !strings.Contains(target, ":") && !strings.Contains(target, "/") {
		kind = "host"
	}
	addr := ep.Address
	if addr == "" {
		addr = host
	}
	if e := assets.match(target, host); e != nil {
		a := assetOf(e, systems)
		a.Target, a.Scanned = target, true
		if e.Kind == "" {
			a.Kind = kind
		}
		if e.Exposure == "" {
			a.Exposure = addressExposure(addr)
		}
		return a
	}
	return Asset{Name: target, Kind: kind, Target: target, HasEPHI: EPHIUnknown, Exposure: addressExposure(addr), Scanned: true}
}

// TargetHost is the host of a target written as host, host:port or URL.
func TargetHost(t string) string {
	if u, err := url.Parse(t); err == nil && u.Host != "" {
		return u.Hostname()
	}
	if h, _, err := net.SplitHostPort(t); err == nil {
		return h
	}
	return t
}

// score turns a group into a scored risk.
func score(g *group, rules *Rules, in Inputs, reg *Register) *Risk {
	f := g.facts(in.Answers, reg)
	k := &Risk{ID: RiskID(g.key), Asset: g.asset, Source: f.source, Detected: true, Status: StatusOpen}
	if f.hasSev {
		k.Severity = f.severity.String()
	}
	var startL, startI Level
	var startRule, what string
	switch {
	case g.pair != nil:
		gap := g.gaps[0]
		k.Title = g.pair.Vulnerability
		k.ThreatSource, k.ThreatEvent, k.Vulnerability = string(g.pair.Source), g.pair.Threat, g.pair.Vulnerability
		startL, startI = g.pair.Likelihood, g.pair.Impact
		startRule, what = "question:"+gap.Question.ID, "the question bank's default rating for \""+g.pair.Vulnerability+"\""
		k.Remediation = gap.Question.Help.Good
		if g.weakness != nil {
			k.Weakness = g.weakness.ID
		}
	case g.weakness != nil:
		w := g.weakness
		k.Weakness, k.Title = w.ID, w.Title
		k.ThreatSource, k.ThreatEvent, k.Vulnerability = w.ThreatSource, w.ThreatEvent, w.Vulnerability
		startL, startI = w.Likelihood, w.Impact
		startRule, what = "weakness:"+w.ID, "the default of weakness "+w.ID
		k.Remediation = w.Remediation
	default:
		fb := rules.Fallback
		first := g.findings[0]
		k.Weakness, k.Title = "check:"+g.check, first.Title
		k.ThreatSource, k.ThreatEvent, k.Vulnerability = fb.ThreatSource, fb.ThreatEvent, first.Title
		startL, startI = fb.Likelihood, fb.Impact
		startRule, what = "fallback", "the default for checks no weakness names"
		k.Remediation = first.Remediation
	}
	k.Likelihood = rate(startL, startRule, what, rules.Likelihood, f, k.Asset)
	if f.potential {
		k.PotentialOnly = true
		k.Likelihood = capPotential(k.Likelihood, startL, startRule, what, rules.Likelihood, f, k.Asset)
	}
	k.Assets = g.assets
	if k.Assets == nil {
		k.Assets = []Asset{g.asset}
	}
	// The impact is the worst the risk does to any asset it concerns: that asset is the
	// principal one, the one the register names.
	for i, a := range k.Assets {
		im := rate(startI, startRule, impactWhy(what, a, g.note, len(k.Assets)), rules.Impact, f, a)
		if i == 0 || im.Level > k.Impact.Level {
			k.Impact, k.Asset = im, a
		}
	}
	k.Level = rules.RiskLevel(k.Likelihood.Level, k.Impact.Level)
	k.Computed = Computed{Likelihood: k.Likelihood, Impact: k.Impact, Level: k.Level}

	cites := map[string]bool{}
	for _, fd := range g.findings {
		k.Findings = append(k.Findings, fd.ID)
		for _, c := range fd.HIPAA {
			cites[c] = true
		}
	}
	for _, gap := range g.gaps {
		k.Answers = append(k.Answers, gap.Question.ID)
		for _, c := range gap.Citations {
			cites[c.Citation] = true
		}
	}
	for _, c := range hipaa.Citations() {
		if cites[c.Citation] {
			k.Citations = append(k.Citations, c)
		}
	}
	k.Controls, k.Contradicted = controls(g, in, reg)
	return k
}

// impactWhy is the start of an impact's reason: where the level started and for what asset.
func impactWhy(what string, a Asset, note string, n int) string {
	switch {
	case a.Kind == KindPractice && note != "":
		what += "; " + note
	case a.Kind == KindPractice:
		what += ", for a practice-wide safeguard covering all of the practice's ePHI"
	case a.HasEPHI == EPHIYes && len(a.EPHI) > 0:
		what += fmt.Sprintf(", for %s, handling ePHI (%s)", a.Name, strings.Join(a.EPHI, ", "))
	case a.Declared:
		what += ", for " + a.Name
	}
	if n > 1 {
		what += fmt.Sprintf(" (the most sensitive of the %d assets the risk concerns)", n)
	}
	return what
}

// capPotential keeps a likelihood resting only on potential findings at or below what the same
// findings, confirmed, would give: a guess never outranks the evidence it stands in for.
func capPotential(r Rating, start Level, startRule, what string, rules []*Rule, f facts, a Asset) Rating {
	conf := f
	conf.potential = false
	c := rate(start, startRule, what, rules, conf, a)
	if r.Level <= c.Level {
		return r
	}
	r.Steps = append(r.Steps, RatingStep{Rule: "potential-cap", Effect: "=" + c.Level.String()})
	r.Rules = append(r.Rules, "potential-cap")
	r.Reason += fmt.Sprintf("; then %s because every finding is potential and the same findings confirmed would rate %s (potential-cap)", c.Level, c.Level)
	r.Level = c.Level
	return r
}

// controls lists the answers that describe safeguards already in place for a risk: its own
// questions answered partial, and its weakness's questions and mitigating controls answered
// implemented or partial. Answers the scan disproves are returned apart: they are no control.
func controls(g *group, in Inputs, reg *Register) ([]Control, []*Contradiction) {
	if in.Answers == nil {
		return nil, nil
	}
	var ids []string
	for _, gap := range g.gaps {
		ids = append(ids, gap.Question.ID)
	}
	if g.weakness != nil {
		ids = append(ids, g.weakness.Questions...)
		ids = append(ids, g.weakness.Controls...)
	}
	var out []Control
	var bad []*Contradiction
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		ans := in.Answers.Get(id)
		if ans.Status != questionnaire.Implemented && ans.Status != questionnaire.Partial {
			continue
		}
		if c, ok := reg.Contradiction(id); ok {
			bad = append(bad, c)
			continue
		}
		q, ok := in.Bank.Question(id)
		if !ok {
			continue
		}
		v, _ := reg.Verification(id)
		out = append(out, Control{Question: id, Text: q.Text, Status: ans.Status, Notes: ans.Notes, Verified: v})
	}
	return out, bad
}

// applyPlan copies owners, due dates and statuses onto the risks, works out effective
// statuses, and adds the risks only the plan remembers.
func applyPlan(reg *Register, p *Plan, today string) error {
	if p == nil {
		return nil
	}
	var errs datafile.FileErrors
	for _, id := range slices.Sorted(maps.Keys(p.Entries)) {
		e := p.Entries[id]
		k, ok := reg.byID[id]
		if !ok {
			if e.Title == "" {
				errs = append(errs, p.entryError(id, (&UnknownRiskError{ID: id, Suggest: SuggestID(id, reg)}).Error()))
				continue
			}
			k = &Risk{ID: id, Title: e.Title, Asset: Asset{Name: e.Asset}, Detected: false}
			k.Level, _ = level.Parse(e.Level)
			reg.Risks = append(reg.Risks, k)
			reg.byID[id] = k
		}
		k.Owner, k.Due, k.Notes, k.Acceptance, k.Updated = e.Owner, e.Due, e.Notes, e.Acceptance, e.Updated
		k.Status = cmp.Or(e.Status, StatusOpen)
		if e.Override != nil {
			k.applyOverride(e.Override, reg.Rules)
		}
		switch {
		case !k.Detected && !k.Status.Closed():
			k.StatusNote = "no longer detected: verify the fix, then set the status to verified"
			k.Status = StatusFixedVerify
		case k.Detected && k.Status == StatusVerified:
			k.StatusNote = "was verified, but telesra detects it again"
			k.Status = StatusOpen
		case k.Detected && k.Status == StatusDone:
			k.StatusNote = "marked done, but still detected: re-run the scan or update the answer after fixing"
		case k.Status == StatusAccepted && e.Acceptance != nil && today != "" && e.Acceptance.Expires < today:
			k.StatusNote = "acceptance expired on " + e.Acceptance.Expires
			k.Status = StatusOpen
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// sortRisks orders the register: detected risks first, by level, likelihood and impact (highest
// first), then by asset and ID so the order is stable.
func sortRisks(rs []*Risk) {
	slices.SortStableFunc(rs, func(a, b *Risk) int {
		if a.Detected != b.Detected {
			if a.Detected {
				return -1
			}
			return 1
		}
		return cmp.Or(
			cmp.Compare(b.Level, a.Level),
			cmp.Compare(b.Likelihood.Level, a.Likelihood.Level),
			cmp.Compare(b.Impact.Level, a.Impact.Level),
			cmp.Compare(a.Asset.Label(), b.Asset.Label()),
			cmp.Compare(a.ID, b.ID),
		)
	})
}
