package register

import (
	"errors"
	"strings"
	"testing"

	"github.com/telesra/telesra/templates/datafile"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/questionnaire"
)

func TestStatusTransitions(t *testing.T) {
	for _, tc := range []struct {
		from, to Status
		detected bool
		ok       bool
	}{
		{"", StatusInProgress, true, true},
		{StatusOpen, StatusDone, true, true},
		{StatusOpen, StatusAccepted, true, true},
		{StatusInProgress, StatusOpen, true, true},
		{StatusDone, StatusInProgress, true, true},
		{StatusAccepted, StatusOpen, true, true},
		{StatusVerified, StatusOpen, false, true},
		{StatusOpen, StatusOpen, true, true},
		// Verification needs telesra to no longer detect the risk.
		{StatusDone, StatusVerified, true, false},
		{StatusOpen, StatusVerified, true, false},
		{StatusDone, StatusVerified, false, true},
		{StatusOpen, StatusVerified, false, true}, // fixed, verify -> verified
		{StatusInProgress, StatusVerified, false, true},
		{StatusAccepted, StatusVerified, false, false},
		{StatusVerified, StatusDone, false, false},
		{StatusVerified, StatusAccepted, false, false},
		{StatusAccepted, StatusDone, true, false},
	} {
		err := CheckTransition("R-00000000", tc.from, tc.to, tc.detected)
		if (err == nil) != tc.ok {
			t.Errorf("%s -> %s (detected %v): %v, want ok=%v", tc.from, tc.to, tc.detected, err, tc.ok)
		}
		var te *TransitionError
		if err != nil && !errors.As(err, &te) {
			t.Errorf("%s -> %s: error %T", tc.from, tc.to, err)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// withoutFinding is the fixture scan after someone fixed one weakness: its findings are gone.
func withoutFinding(t *testing.T, checkPrefix string) *checks.Result {
	res := fixtureScan(t)
	var keep []checks.Finding
	for _, f := range res.Findings {
		if !strings.HasPrefix(f.Check, checkPrefix) {
			keep = append(keep, f)
		}
	}
	res.Findings = keep
	return res
}

func TestPlanKeepsOwnersAndMarksFixedRisks(t *testing.T) {
	assets := fixtureAssets(t)
	reg := build(t, fixtureScan(t), nil, assets, nil)
	ftp := riskOn(t, reg, "legacy-cleartext-login", "10.20.0.9:21")
	plan := NewPlan("remediation.yaml")
	if err := plan.Set(reg, ftp.ID, Change{Owner: ptr("Sam IT"), Due: ptr("2026-12-15"), Status: ptr(StatusInProgress)}, "2026-11-22"); err != nil {
		t.Fatal(err)
	}
	// Verifying while telesra still sees it is refused, and changes nothing.
	if err := plan.Set(reg, ftp.ID, Change{Status: ptr(StatusVerified)}, "2026-11-22"); err == nil {
		t.Fatal("verified a risk that is still detected")
	}
	if plan.Entries[ftp.ID].Status != StatusInProgress {
		t.Fatal("a refused change changed the plan")
	}
	data, err := plan.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	plan, err = ParsePlan("remediation.yaml", data)
	if err != nil {
		t.Fatalf("the plan does not read back: %v\n%s", err, data)
	}
	again := build(t, fixtureScan(t), nil, assets, plan)
	k, _ := again.Risk(ftp.ID)
	if k.Owner != "Sam IT" || k.Due != "2026-12-15" || k.Status != StatusInProgress || !k.Detected {
		t.Errorf("re-built: %+v", k)
	}

	// The FTP service is turned off and the scan re-run: the risk is kept, as fixed, verify.
	fixed := build(t, withoutFinding(t, "mfa.legacy"), nil, assets, plan)
	k, ok := fixed.Risk(ftp.ID)
	if !ok || k.Detected || k.Status != StatusFixedVerify || k.Owner != "Sam IT" || k.Title != ftp.Title || k.Level != ftp.Level {
		t.Fatalf("after the fix: %+v", k)
	}
	if len(fixed.Risks) != len(reg.Risks) || fixed.Risks[len(fixed.Risks)-1].ID != ftp.ID {
		t.Errorf("the fixed risk should be kept, last: %d risks then, %d now", len(reg.Risks), len(fixed.Risks))
	}
	if k.Open() {
		t.Error("a fixed risk counts as open")
	}
	if err := plan.Set(fixed, ftp.ID, Change{Status: ptr(StatusVerified)}, "2026-11-25"); err != nil {
		t.Fatalf("verify after the fix: %v", err)
	}
	v, _ := build(t, withoutFinding(t, "mfa.legacy"), nil, assets, plan).Risk(ftp.ID)
	if v.Status != StatusVerified {
		t.Errorf("verified: %s", v.Status)
	}
	// It comes back: the verified risk is open again, with a note.
	back, _ := build(t, fixtureScan(t), nil, assets, plan).Risk(ftp.ID)
	if back.Status != StatusOpen || !strings.Contains(back.StatusNote, "detects it again") {
		t.Errorf("reappeared: %s %q", back.Status, back.StatusNote)
	}
}

func TestAcceptance(t *testing.T) {
	reg := build(t, fixtureScan(t), nil, fixtureAssets(t), nil)
	id := riskOn(t, reg, "cleartext-transport", "10.20.0.5:80").ID
	plan := NewPlan("remediation.yaml")
	err := plan.Set(reg, id, Change{Status: ptr(StatusAccepted), Approver: "Dr Lee"}, "2026-11-22")
	if err == nil || !strings.Contains(err.Error(), "--role, --reason, --expires") {
		t.Fatalf("acceptance without reason and expiry: %v", err)
	}
	if err := plan.Set(reg, id, Change{Status: ptr(StatusAccepted), Approver: "Dr Lee", Role: "Practice owner", Reason: "Isolated VLAN, no internet", Expires: "2026-11-01"}, "2026-11-22"); err == nil {
		t.Fatal("accepted with an expiry in the past")
	}
	if err := plan.Set(reg, id, Change{Status: ptr(StatusAccepted), Approver: "Dr Lee", Role: "Practice owner", Reason: "Isolated VLAN, no internet", Expires: "2026-12-31"}, "2026-11-22"); err != nil {
		t.Fatal(err)
	}
	k, _ := build(t, fixtureScan(t), nil, fixtureAssets(t), plan).Risk(id)
	if k.Status != StatusAccepted || k.Open() || k.Acceptance.Approver != "Dr Lee" {
		t.Errorf("accepted: %+v", k)
	}
	// An accepted risk stays a risk of the practice: counted apart, and in the heat map apart.
	withPlan := build(t, fixtureScan(t), nil, fixtureAssets(t), plan)
	cell := func(h [5][5]int) int { return h[k.Likelihood.Level-1][k.Impact.Level-1] }
	if withPlan.Accepted() != 1 || cell(withPlan.HeatAccepted()) != 1 || cell(withPlan.Heat()) != cell(reg.Heat())-1 {
		t.Errorf("accepted %d, heat accepted %d, heat open %d (was %d)", withPlan.Accepted(), cell(withPlan.HeatAccepted()), cell(withPlan.Heat()), cell(reg.Heat()))
	}
	// After the expiry the risk is open again.
	reg2, err := Build(Inputs{Scan: fixtureScan(t), Bank: questionnaire.DefaultBank(), Assets: fixtureAssets(t), EPHISystems: ephiSystems, Plan: plan, Today: "2027-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	k, _ = reg2.Risk(id)
	if k.Status != StatusOpen || !strings.Contains(k.StatusNote, "expired on 2026-12-31") || !k.Open() {
		t.Errorf("expired acceptance: %s %q", k.Status, k.StatusNote)
	}
}

func TestBadPlanNamesTheLine(t *testing.T) {
	reg := build(t, fixtureScan(t), nil, nil, nil)
	real := reg.Risks[0].ID
	for name, tc := range map[string]struct{ text, want string }{
		"not yaml":       {"schema_version: 1\nrisks:\n  " + real + ": {owner: [x\n", "remediation.yaml:"},
		"bad status":     {"schema_version: 1\nrisks:\n  " + real + ":\n    status: finished\n", "remediation.yaml:4"},
		"bad date":       {"schema_version: 1\nrisks:\n  " + real + ":\n    due: 31/12/2026\n", "remediation.yaml:4"},
		"bad id":         {"schema_version: 1\nrisks:\n  R-12:\n    owner: x\n", "remediation.yaml:3"},
		"accepted bare":  {"schema_version: 1\nrisks:\n  " + real + ":\n    status: accepted\n", "remediation.yaml:4"},
		"duplicate":      {"schema_version: 1\nrisks:\n  " + real + ": {owner: a}\n  " + real + ": {owner: b}\n", "remediation.yaml:4"},
		"unknown field":  {"schema_version: 1\nrisks:\n  " + real + ":\n    owner: a\n    priority: 1\n", "remediation.yaml:"},
		"truncated file": {"schema_version: 1\nrisks:\n  " + real + ":\n    owner: \"Maria", "remediation.yaml:"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParsePlan("remediation.yaml", []byte(tc.text))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
	// An ID that is not in the register and that telesra never wrote: the line, and a suggestion.
	typo := real[:len(real)-1] + string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", real[len(real)-1])+1)%16])
	plan, err := ParsePlan("remediation.yaml", []byte("schema_version: 1\nrisks:\n  "+typo+":\n    owner: Maria\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(Inputs{Scan: fixtureScan(t), Bank: questionnaire.DefaultBank(), Plan: plan})
	var fe datafile.FileErrors
	if !errors.As(err, &fe) || fe[0].Line != 3 || !strings.Contains(err.Error(), "did you mean "+real) {
		t.Fatalf("unknown ID: %v", err)
	}
	// Set refuses an unknown ID the same way.
	err = NewPlan("x").Set(reg, typo, Change{Owner: ptr("a")}, "2026-11-22")
	var ue *UnknownRiskError
	if !errors.As(err, &ue) || ue.Suggest != real {
		t.Errorf("Set with an unknown ID: %v", err)
	}
}

func TestBadAssetsNameTheLine(t *testing.T) {
	_, err := ParseAssets("assets.yaml", []byte("schema_version: 1\nassets:\n  - name: NAS\n    targets: [\"10.0.0.9:*\"]\n    ephi: [Billing]\n"), ephiSystems)
	if err == nil || !strings.Contains(err.Error(), "assets.yaml:5") || !strings.Contains(err.Error(), "Patient portal, EHR, Video visits") {
		t.Errorf("unknown ePHI system: %v", err)
	}
	_, err = ParseAssets("assets.yaml", []byte("schema_version: 1\nassets:\n  - name: NAS\n    targets: [\"10.0.0.[\"]\n"), ephiSystems)
	if err == nil || !strings.Contains(err.Error(), "assets.yaml:4") {
		t.Errorf("bad pattern: %v", err)
	}
}

func TestDiff(t *testing.T) {
	assets := fixtureAssets(t)
	before := questionnaire.SampleAnswers()
	after := questionnaire.SampleAnswers()
	after.SetStatus("tech.siem", questionnaire.Implemented, "2026-11-22")           // fixed
	after.SetStatus("tech.auto-logoff", questionnaire.NotImplemented, "2026-11-22") // new (implemented in the sample)
	old := build(t, fixtureScan(t), before, assets, nil)
	// The portal moves behind the VPN: its risks lose internet exposure and change level.
	internal := &Assets{Entries: append([]AssetEntry(nil), assets.Entries...)}
	internal.Entries[0].Exposure = ExposureInternal
	cur := build(t, withoutFinding(t, "mfa.legacy"), after, internal, nil)
	diffs := Diff(old, cur)
	kinds := map[string][]string{}
	for _, d := range diffs {
		kinds[d.Kind] = append(kinds[d.Kind], d.Title)
	}
	has := func(kind, title string) bool {
		for _, s := range kinds[kind] {
			if strings.Contains(s, title) {
				return true
			}
		}
		return false
	}
	if !has(ChangeFixed, "Security logs not collected") || !has(ChangeFixed, "Legacy login service") {
		t.Errorf("fixed: %v", kinds[ChangeFixed])
	}
	if !has(ChangeNew, "No automatic logoff") {
		t.Errorf("new: %v", kinds[ChangeNew])
	}
	if !has(ChangeChanged, "Weak TLS configuration") {
		t.Errorf("changed: %v", kinds[ChangeChanged])
	}
	for _, d := range diffs {
		if d.Kind == ChangeChanged && (d.Old == d.New || !strings.Contains(d.Why, "likelihood")) {
			t.Errorf("changed %s: %s -> %s (%s)", d.ID, d.Old, d.New, d.Why)
		}
	}
	if len(Diff(old, old)) != 0 {
		t.Error("a register differs from itself")
	}
}

// TestAcceptanceGovernance: accepting a risk needs an approver with a role, a reason of
// substance and an expiry within the allowed period; a risk resting on a Required
// specification or a known-exploited finding is refused unless overridden, and the override
// is recorded. A refused acceptance changes nothing.
func TestAcceptanceGovernance(t *testing.T) {
	reg := build(t, fixtureScan(t), questionnaire.SampleAnswers(), fixtureAssets(t), nil)
	plain := riskOn(t, reg, "cleartext-transport", "10.20.0.5:80").ID
	kev := riskOn(t, reg, "unpatched-software", "203.0.113.10:22").ID
	gap := riskForQuestion(reg, "gov.risk-plan")
	if len(gap) != 1 {
		t.Fatalf("gov.risk-plan: %d risks", len(gap))
	}
	good := Change{Status: ptr(StatusAccepted), Approver: "Dr A. Lee", Role: "Practice owner",
		Reason: "The EHR link is on an isolated VLAN until the vendor upgrade in March", Expires: "2027-03-31"}
	plan := NewPlan("remediation.yaml")
	for name, tc := range map[string]struct {
		id     string
		change func(*Change)
		want   string
	}{
		"the issue's formality": {plain, func(c *Change) { c.Approver, c.Role, c.Reason, c.Expires = "x", "", "fine", "2099-12-31" }, "--role"},
		"no role":               {plain, func(c *Change) { c.Role = " " }, "--role"},
		"one-word reason":       {plain, func(c *Change) { c.Reason = "fine" }, "at least 3 words"},
		"two-word reason":       {plain, func(c *Change) { c.Reason = "ok approved" }, "at least 3 words"},
		"expiry too far":        {plain, func(c *Change) { c.Expires = "2099-12-31" }, "more than 12 months ahead (at most 2027-11-22)"},
		"known exploited":       {kev, func(*Change) {}, "known-exploited finding"},
		"required (scan)":       {kev, func(*Change) {}, "164.308(a)(1)(ii)(B) Risk management (Required specification)"},
		"required (gap)":        {gap[0].ID, func(*Change) {}, "--override-required"},
	} {
		ch := good
		tc.change(&ch)
		err := plan.Set(reg, tc.id, ch, "2026-11-22")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", name, err, tc.want)
		}
		if len(plan.Entries) != 0 {
			t.Fatalf("%s: a refused acceptance changed the plan: %+v", name, plan.Entries)
		}
	}
	// The period is configurable.
	long := good
	long.Expires, long.MaxMonths = "2028-05-31", 24
	if err := plan.Set(reg, plain, long, "2026-11-22"); err != nil {
		t.Errorf("24 months allowed: %v", err)
	}
	// An override is recorded with what it overrode, the role and the day.
	over := good
	over.OverrideRequired = true
	if err := plan.Set(reg, kev, over, "2026-11-22"); err != nil {
		t.Fatal(err)
	}
	a := plan.Entries[kev].Acceptance
	if a.Role != "Practice owner" || a.Accepted != "2026-11-22" || len(a.Overrides) != 2 ||
		!strings.Contains(strings.Join(a.Overrides, "|"), "known-exploited") {
		t.Errorf("override acceptance: %+v", a)
	}
	data, err := plan.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParsePlan("remediation.yaml", data)
	if err != nil {
		t.Fatalf("the plan does not read back: %v\n%s", err, data)
	}
	if b := back.Entries[kev].Acceptance; b.Role != a.Role || len(b.Overrides) != 2 {
		t.Errorf("read back: %+v", b)
	}
}
