package register

import (
	"strings"
	"testing"

	"github.com/telesra/telesra/questionnaire/level"
)

// TestOverrideSetsTheFinalRating: an assessor's rating is the one the register sorts, counts and
// maps, the computed one stays beside it, and the final rating's trail ends with the assessor.
func TestOverrideSetsTheFinalRating(t *testing.T) {
	assets := fixtureAssets(t)
	reg := build(t, fixtureScan(t), nil, assets, nil)
	before := riskOn(t, reg, "cleartext-transport", "10.20.0.5:80")
	if before.Likelihood.Level == level.VeryHigh || before.Impact.Level == level.VeryLow {
		t.Fatalf("fixture: %s is already %s/%s", before.ID, before.Likelihood.Level, before.Impact.Level)
	}
	plan := NewPlan("remediation.yaml")
	ch := Change{Override: &OverrideChange{Likelihood: level.VeryHigh, Why: "Staff browse the EHR over guest Wi-Fi daily", By: "Dana Whitfield", Role: "Assessor"}}
	if err := plan.Set(reg, before.ID, ch, "2026-11-22"); err != nil {
		t.Fatal(err)
	}
	data, err := plan.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if plan, err = ParsePlan("remediation.yaml", data); err != nil {
		t.Fatalf("the plan does not read back: %v\n%s", err, data)
	}
	o := plan.Entries[before.ID].Override
	want := ComputedLevels{Likelihood: before.Likelihood.Level.ID(), Impact: before.Impact.Level.ID(), Level: before.Level.ID()}
	if o == nil || o.Likelihood != "very-high" || o.Impact != "" || o.By != "Dana Whitfield" || o.Role != "Assessor" || o.Date != "2026-11-22" ||
		o.Computed == nil || *o.Computed != want {
		t.Fatalf("override recorded: %+v\n%s", o, data)
	}
	after := build(t, fixtureScan(t), nil, assets, plan)
	k, _ := after.Risk(before.ID)
	finalLevel := after.Rules.RiskLevel(level.VeryHigh, before.Impact.Level)
	if !k.Overridden() || k.Likelihood.Level != level.VeryHigh || k.Impact.Level != before.Impact.Level || k.Level != finalLevel {
		t.Errorf("final rating %s/%s %s, want Very High/%s %s", k.Likelihood.Level, k.Impact.Level, k.Level, before.Impact.Level, finalLevel)
	}
	if k.Computed.Likelihood.Level != before.Likelihood.Level || k.Computed.Level != before.Level || k.Computed.Likelihood.Reason != before.Likelihood.Reason {
		t.Errorf("computed rating not kept: %+v", k.Computed)
	}
	if r := k.Likelihood.Rules; r[len(r)-1] != OverrideRule || !strings.Contains(k.Likelihood.Reason, "Dana Whitfield (Assessor), on 2026-11-22: Staff browse") {
		t.Errorf("final likelihood trail: %v %q", r, k.Likelihood.Reason)
	}
	if k.OverrideNote != "" {
		t.Errorf("unchanged computed rating flagged: %s", k.OverrideNote)
	}
	// Counts and the heat map move with the final rating.
	cell := func(h [5][5]int, l, i Level) int { return h[l-1][i-1] }
	if cell(after.Heat(), level.VeryHigh, k.Impact.Level) != cell(reg.Heat(), level.VeryHigh, k.Impact.Level)+1 ||
		cell(after.Heat(), before.Likelihood.Level, before.Impact.Level) != cell(reg.Heat(), before.Likelihood.Level, before.Impact.Level)-1 {
		t.Error("the heat map does not place the risk at its final rating")
	}
	if finalLevel != before.Level && after.Counts()[finalLevel] != reg.Counts()[finalLevel]+1 {
		t.Errorf("counts: %v, were %v", after.Counts(), reg.Counts())
	}
	if e := plan.Entries[before.ID]; e.Level != finalLevel.ID() {
		t.Errorf("plan entry level %s, want the final %s", e.Level, finalLevel.ID())
	}

	// Cleared: the computed rating is the final one again.
	if err := plan.Set(after, before.ID, Change{ClearOverride: true}, "2026-11-23"); err != nil {
		t.Fatal(err)
	}
	k, _ = build(t, fixtureScan(t), nil, assets, plan).Risk(before.ID)
	if k.Override != nil || k.Likelihood.Level != before.Likelihood.Level || k.Level != before.Level || plan.Entries[before.ID].Level != before.Level.ID() {
		t.Errorf("after clearing: %+v", k)
	}
}

// TestOverrideFlagsAChangedComputedRating: the override still applies after the rules rate the
// risk differently, but the register says the assessor should look again.
func TestOverrideFlagsAChangedComputedRating(t *testing.T) {
	reg := build(t, fixtureScan(t), nil, fixtureAssets(t), nil)
	id := riskOn(t, reg, "cleartext-transport", "10.20.0.5:80").ID
	plan := NewPlan("remediation.yaml")
	if err := plan.Set(reg, id, Change{Override: &OverrideChange{Impact: level.VeryHigh, Why: "The EHR holds every patient record", By: "Dana Whitfield"}}, "2026-11-22"); err != nil {
		t.Fatal(err)
	}
	// The EHR is found reachable from the internet: its computed likelihood rises.
	moved, err := ParseAssets("assets.yaml", []byte("schema_version: 1\nassets:\n  - name: EHR\n    targets: [\"10.20.0.5:*\"]\n    exposure: internet\n"), ephiSystems)
	if err != nil {
		t.Fatal(err)
	}
	k, _ := build(t, fixtureScan(t), nil, moved, plan).Risk(id)
	if k.Impact.Level != level.VeryHigh || !strings.Contains(k.OverrideNote, "computed rating changed since the override") ||
		!strings.Contains(k.OverrideNote, "re-confirm") {
		t.Errorf("changed computed rating: impact %s, note %q", k.Impact.Level, k.OverrideNote)
	}
	// An override written by hand without the computed rating cannot be compared: flagged too.
	plan.Entries[id].Override.Computed = nil
	k, _ = build(t, fixtureScan(t), nil, fixtureAssets(t), plan).Risk(id)
	if !strings.Contains(k.OverrideNote, "not recorded") {
		t.Errorf("hand-written override: %q", k.OverrideNote)
	}
}

// TestOverrideRefusals: an override needs a level, an author and a reason of substance, on a
// risk telesra detects; a refused one changes nothing.
func TestOverrideRefusals(t *testing.T) {
	reg := build(t, fixtureScan(t), nil, fixtureAssets(t), nil)
	id := riskOn(t, reg, "cleartext-transport", "10.20.0.5:80").ID
	plan := NewPlan("remediation.yaml")
	plan.Entries["R-0bad0f00"] = &Entry{Title: "Gone", Level: "high"}
	for name, tc := range map[string]struct {
		id   string
		ch   Change
		want string
	}{
		"no level":     {id, Change{Override: &OverrideChange{Why: "Staff browse it over Wi-Fi", By: "Dana"}}, "--likelihood or --impact"},
		"no author":    {id, Change{Override: &OverrideChange{Likelihood: level.High, Why: "Staff browse it over Wi-Fi"}}, "--by"},
		"no reason":    {id, Change{Override: &OverrideChange{Likelihood: level.High, By: "Dana"}}, "--why"},
		"one word":     {id, Change{Override: &OverrideChange{Likelihood: level.High, Why: "obviously", By: "Dana"}}, "at least 3 words"},
		"not detected": {"R-0bad0f00", Change{Override: &OverrideChange{Likelihood: level.High, Why: "Staff browse it over Wi-Fi", By: "Dana"}}, "no longer detects"},
		"nothing set":  {id, Change{ClearOverride: true}, "no assessor override to clear"},
	} {
		t.Run(name, func(t *testing.T) {
			err := plan.Set(reg, tc.id, tc.ch, "2026-11-22")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
			if _, ok := plan.Entries[id]; ok {
				t.Error("a refused override changed the plan")
			}
		})
	}
}

// TestOverrideKeptWhenNoLongerDetected: the override stays with the plan entry of a fixed risk.
func TestOverrideKeptWhenNoLongerDetected(t *testing.T) {
	reg := build(t, fixtureScan(t), nil, fixtureAssets(t), nil)
	ftp := riskOn(t, reg, "legacy-cleartext-login", "10.20.0.9:21")
	plan := NewPlan("remediation.yaml")
	if err := plan.Set(reg, ftp.ID, Change{Override: &OverrideChange{Likelihood: level.Low, Why: "Only reachable from the scanner VLAN", By: "Dana"}}, "2026-11-22"); err != nil {
		t.Fatal(err)
	}
	k, _ := build(t, withoutFinding(t, "mfa.legacy"), nil, fixtureAssets(t), plan).Risk(ftp.ID)
	if k.Detected || k.Override == nil || k.Override.Why != "Only reachable from the scanner VLAN" || k.Overridden() {
		t.Errorf("fixed risk: %+v", k)
	}
	data, _ := plan.Marshal()
	if !strings.Contains(string(data), "override:") {
		t.Errorf("the plan lost the override:\n%s", data)
	}
}

func TestBadOverrideNamesTheLine(t *testing.T) {
	reg := build(t, fixtureScan(t), nil, nil, nil)
	head := "schema_version: 1\nrisks:\n  " + reg.Risks[0].ID + ":\n    override:\n"
	ok := "      why: Staff browse it over Wi-Fi\n      by: Dana Whitfield\n      date: 2026-11-22\n"
	for name, tc := range map[string]struct{ text, want string }{
		"bad level":   {head + "      likelihood: extreme\n" + ok, "remediation.yaml:5"},
		"no why":      {head + "      likelihood: high\n      by: Dana\n      date: 2026-11-22\n", "remediation.yaml:5"},
		"one word":    {head + "      likelihood: high\n      why: obviously\n      by: Dana\n      date: 2026-11-22\n", "remediation.yaml:6"},
		"no by":       {head + "      likelihood: high\n      why: Staff browse it over Wi-Fi\n      date: 2026-11-22\n", "remediation.yaml:5"},
		"bad date":    {head + "      likelihood: high\n      why: Staff browse it over Wi-Fi\n      by: Dana\n      date: 22/11/2026\n", "remediation.yaml:8"},
		"no level":    {head + ok, "remediation.yaml:5"},
		"bad field":   {head + "      likelihood: high\n      score: 9\n" + ok, "remediation.yaml:"},
		"bad computd": {head + "      likelihood: high\n" + ok + "      computed: {likelihood: high}\n", "remediation.yaml:9"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParsePlan("remediation.yaml", []byte(tc.text))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := ParsePlan("remediation.yaml", []byte(head+"      likelihood: high\n      impact: very-high\n"+ok)); err != nil {
		t.Errorf("a valid override: %v", err)
	}
}
