package register

import (
	"slices"
	"strings"
	"testing"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/questionnaire/level"
)

// inventoryV2 is a small practice's whole-ePHI inventory: a scanned patient portal and printer,
// and assets no scan reaches.
const inventoryV2 = `schema_version: 2
assets:
  - name: Patient portal
    kind: service
    targets: ["portal.riverside.example:*"]
    ephi: [Patient portal]
    ephi_held: bulk
    records: 4200
    criticality: {confidentiality: high, integrity: high, availability: high}
    exposure: internet
    flows: [{to: EHR cloud, what: intake forms}]
  - name: Front-desk printer
    kind: network-device
    targets: ["10.20.0.9:*"]
    ephi_held: none
    criticality: {confidentiality: low, integrity: low, availability: low}
    exposure: internal
  - name: EHR cloud
    kind: cloud-service
    ephi: [EHR]
    ephi_held: bulk
    criticality: {availability: high}
  - name: Dr Chen's laptop
    kind: laptop
    ephi_held: some
    records: 40
    exposure: device
`

func parseInventory(t *testing.T, text string) *Assets {
	t.Helper()
	a, err := ParseAssets("assets.yaml", []byte(text), ephiSystems)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// The same weakness (the same check) on the bulk-ePHI, care-critical, internet-facing portal and
// on a printer that holds no ePHI gets a different impact, and each reason says why.
func TestImpactDiffersByAsset(t *testing.T) {
	scan := &checks.Result{Findings: []checks.Finding{
		{ID: "F-portal", Check: "transport.cleartext_http", Target: "portal.riverside.example:80", Severity: checks.High, Confidence: checks.Confirmed, Title: "HTTP without TLS"},
		{ID: "F-printer", Check: "transport.cleartext_http", Target: "10.20.0.9:80", Severity: checks.High, Confidence: checks.Confirmed, Title: "HTTP without TLS"},
	}}
	reg := build(t, scan, nil, parseInventory(t, inventoryV2), nil)
	portal := riskOn(t, reg, "cleartext-transport", "portal.riverside.example:80")
	printer := riskOn(t, reg, "cleartext-transport", "10.20.0.9:80")
	if portal.Impact.Level != level.VeryHigh || printer.Impact.Level != level.Low {
		t.Fatalf("impact: portal %s (%s), printer %s (%s); want Very High and Low", portal.Impact.Level, portal.Impact.Reason, printer.Impact.Level, printer.Impact.Reason)
	}
	for _, want := range []string{"bulk-ephi", "care-critical", "many patients", "patient care depends"} {
		if !strings.Contains(portal.Impact.Reason, want) && !slices.Contains(portal.Impact.Rules, want) {
			t.Errorf("portal impact lacks %q: %s", want, portal.Impact.Reason)
		}
	}
	for _, want := range []string{"no-ephi", "handles no ePHI", "at most a low impact"} {
		if !strings.Contains(printer.Impact.Reason, want) {
			t.Errorf("printer impact lacks %q: %s", want, printer.Impact.Reason)
		}
	}
	if portal.Asset.Name != "Patient portal" || portal.Asset.EPHIHeld != HeldBulk || portal.Asset.Records != 4200 || !portal.Asset.Scanned {
		t.Errorf("portal asset: %+v", portal.Asset)
	}
}

// A questionnaire gap on a device question attaches to the inventory's laptop, which no scan
// reaches; one row per gap pair, naming every asset it concerns.
func TestNonScannedAssetCarriesQuestionnaireRisks(t *testing.T) {
	ans := questionnaire.NewAnswers()
	ans.ByID["site.laptops"] = questionnaire.Answer{Status: questionnaire.NotImplemented}
	ans.ByID["vendor.baa-all"] = questionnaire.Answer{Status: questionnaire.Partial}
	ans.ByID["gov.risk-plan"] = questionnaire.Answer{Status: questionnaire.NotImplemented}
	ans.ByID["tech.mobile-encryption"] = questionnaire.Answer{Status: questionnaire.NotImplemented}
	inv := parseInventory(t, inventoryV2+`  - name: Front-desk laptop
    kind: laptop
    ephi_held: some
`)
	reg := build(t, nil, ans, inv, nil)

	laptops := riskForQuestion(reg, "site.laptops")
	if len(laptops) != 1 {
		t.Fatalf("site.laptops made %d rows, want one", len(laptops))
	}
	k := laptops[0]
	var names []string
	for _, a := range k.Assets {
		names = append(names, a.Name)
	}
	if !slices.Equal(names, []string{"Dr Chen's laptop", "Front-desk laptop"}) || k.Asset.Kind != "laptop" || k.Asset.Scanned {
		t.Errorf("site.laptops concerns %v (principal %+v), want both laptops", names, k.Asset)
	}
	if baa := riskForQuestion(reg, "vendor.baa-all"); len(baa) != 1 || baa[0].Asset.Name != "EHR cloud" {
		t.Errorf("vendor.baa-all: %+v, want the EHR cloud service", baa)
	}
	if plan := riskForQuestion(reg, "gov.risk-plan"); len(plan) != 1 || plan[0].Asset.Name != PracticeWideName ||
		!slices.Contains(plan[0].Asset.Covers, "Dr Chen's laptop") {
		t.Errorf("gov.risk-plan: %+v, want the practice-wide asset listing the inventory", plan)
	}
	// No phone or tablet in the inventory: the gap falls back to the practice and says so.
	mob := riskForQuestion(reg, "tech.mobile-encryption")
	if len(mob) != 1 || mob[0].Asset.Name != PracticeWideName || !strings.Contains(mob[0].Impact.Reason, "lists none") {
		t.Errorf("tech.mobile-encryption: %+v", mob)
	}
	// The row ID does not depend on the inventory, so the plan follows it.
	bare := build(t, nil, ans, nil, nil)
	if riskForQuestion(bare, "site.laptops")[0].ID != k.ID {
		t.Error("the inventory changed the row's ID")
	}
}

// A row resting only on potential findings is marked, and its likelihood never exceeds what the
// same findings confirmed would give, even under rules that would raise it.
func TestPotentialLikelihoodCapped(t *testing.T) {
	f := checks.Finding{ID: "F-1", Check: "patch.eol", Target: "10.20.0.5:443", Severity: checks.High, Confidence: checks.Potential, Title: "End of life"}
	rules := DefaultRules()
	bent := *rules
	bent.Likelihood = append([]*Rule{{ID: "guess-raises", When: Condition{Confidence: "potential"}, Raise: 2, Reason: "a bad rule"}}, rules.Likelihood...)
	reg, err := Build(Inputs{Scan: &checks.Result{Findings: []checks.Finding{f}}, Bank: questionnaire.DefaultBank(), Rules: &bent})
	if err != nil {
		t.Fatal(err)
	}
	pot := riskOn(t, reg, "unpatched-software", "10.20.0.5:443")
	f.Confidence = checks.Confirmed
	regC, err := Build(Inputs{Scan: &checks.Result{Findings: []checks.Finding{f}}, Bank: questionnaire.DefaultBank(), Rules: &bent})
	if err != nil {
		t.Fatal(err)
	}
	conf := riskOn(t, regC, "unpatched-software", "10.20.0.5:443")
	if !pot.PotentialOnly || conf.PotentialOnly {
		t.Errorf("potential only: %v and %v, want true and false", pot.PotentialOnly, conf.PotentialOnly)
	}
	if pot.Likelihood.Level > conf.Likelihood.Level || !slices.Contains(pot.Likelihood.Rules, "potential-cap") ||
		!strings.Contains(pot.Likelihood.Reason, "confirmed would rate") {
		t.Errorf("potential likelihood %s (%s) above confirmed %s", pot.Likelihood.Level, pot.Likelihood.Reason, conf.Likelihood.Level)
	}
	// With the shipped rules, for every check: a potential KEV match is High, not Very High.
	kev := checks.Finding{ID: "F-2", Check: "patch.kev", Target: "203.0.113.10:22", Severity: checks.Critical, Confidence: checks.Potential, Title: "KEV"}
	k := riskOn(t, build(t, &checks.Result{Findings: []checks.Finding{kev}}, nil, nil, nil), "unpatched-software", "203.0.113.10:22")
	kev.Confidence = checks.Confirmed
	kc := riskOn(t, build(t, &checks.Result{Findings: []checks.Finding{kev}}, nil, nil, nil), "unpatched-software", "203.0.113.10:22")
	if k.Likelihood.Level != level.High || kc.Likelihood.Level != level.VeryHigh {
		t.Errorf("KEV likelihood: potential %s, confirmed %s; want High and Very High", k.Likelihood.Level, kc.Likelihood.Level)
	}
}

// An inventory the answers call incomplete, or an empty one, makes the scope incomplete.
func TestScopeIncomplete(t *testing.T) {
	inv := parseInventory(t, inventoryV2)
	for name, tc := range map[string]struct {
		status questionnaire.Status
		assets *Assets
		want   string
	}{
		"complete":        {questionnaire.Implemented, inv, ""},
		"partial":         {questionnaire.Partial, inv, "gov.ephi-inventory"},
		"not implemented": {questionnaire.NotImplemented, inv, "gov.ephi-inventory"},
		"unknown":         {questionnaire.Unknown, inv, "gov.ephi-inventory"},
		"no inventory":    {questionnaire.Implemented, nil, "lists no assets"},
		"not answered":    {"", inv, "not answered"},
	} {
		ans := questionnaire.NewAnswers()
		ans.ByID[InventoryQuestion] = questionnaire.Answer{Status: tc.status, Notes: "Laptops are listed."}
		reg := build(t, nil, ans, tc.assets, nil)
		if reg.ScopeIncomplete != (tc.want != "") || !strings.Contains(reg.ScopeReason, tc.want) {
			t.Errorf("%s: incomplete %v (%q), want %q", name, reg.ScopeIncomplete, reg.ScopeReason, tc.want)
		}
	}
}

// A version-1 asset map still loads as it did: scanned services, ePHI from the systems listed.
func TestAssetsV1StillLoads(t *testing.T) {
	a := fixtureAssets(t)
	if a.SchemaVersion != 1 || len(a.Entries) != 4 {
		t.Fatalf("v1: %+v", a)
	}
	reg := build(t, fixtureScan(t), nil, a, nil)
	nas := riskOn(t, reg, "legacy-cleartext-login", "10.20.0.9:21")
	if nas.Asset.Name != "Scanner NAS" || nas.Asset.HasEPHI != EPHINo || nas.Asset.Kind != "service" {
		t.Errorf("v1 NAS: %+v", nas.Asset)
	}
}

// Every bad field of a version-2 inventory is an error naming its line.
func TestAssetsV2BadFieldsNameTheLine(t *testing.T) {
	for name, tc := range map[string]struct{ text, want string }{
		"unknown kind":     {"schema_version: 2\nassets:\n  - name: A\n    kind: toaster\n", "assets.yaml:4"},
		"no kind":          {"schema_version: 2\nassets:\n  - name: A\n", "assets.yaml:3"},
		"bad held":         {"schema_version: 2\nassets:\n  - name: A\n    kind: laptop\n    ephi_held: lots\n", "assets.yaml:5"},
		"bad records":      {"schema_version: 2\nassets:\n  - name: A\n    kind: laptop\n    records: -3\n", "assets.yaml:5"},
		"bad criticality":  {"schema_version: 2\nassets:\n  - name: A\n    kind: laptop\n    criticality: {availability: huge}\n", "assets.yaml:5"},
		"bad exposure":     {"schema_version: 2\nassets:\n  - name: A\n    kind: laptop\n    exposure: orbit\n", "assets.yaml:5"},
		"duplicate name":   {"schema_version: 2\nassets:\n  - name: A\n    kind: laptop\n  - name: a\n    kind: phone\n", "assets.yaml:5"},
		"flow to nowhere":  {"schema_version: 2\nassets:\n  - name: A\n    kind: laptop\n    flows:\n      - {to: B, what: notes}\n", "assets.yaml:6"},
		"none but records": {"schema_version: 2\nassets:\n  - name: A\n    kind: laptop\n    ephi_held: none\n    records: 5\n", "assets.yaml:6"},
		"v2 field in v1":   {"schema_version: 1\nassets:\n  - name: A\n    targets: [a]\n    kind: laptop\n", "assets.yaml:"},
	} {
		_, err := ParseAssets("assets.yaml", []byte(tc.text), ephiSystems)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %s", name, err, tc.want)
		}
	}
}

// The shipped asset scope names only questions and sections of the bank; a wrong one is an
// error naming its line.
func TestAssetScopeValidatedAgainstBank(t *testing.T) {
	if DefaultAssetScope() == nil {
		t.Fatal("no embedded asset scope")
	}
	_, err := ParseAssetScope("asset-scope.yaml", []byte("schema_version: 1\nscopes:\n  - kinds: [laptop]\n    questions: [site.laptopz]\n"))
	if err == nil || !strings.Contains(err.Error(), "asset-scope.yaml:4") || !strings.Contains(err.Error(), "site.laptopz") {
		t.Errorf("unknown question: %v", err)
	}
}
