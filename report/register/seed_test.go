package register

import (
	"bytes"
	"strings"
	"testing"

	"github.com/telesra/telesra/questionnaire"
)

// seedAnswers answers the screening questions the way a small telehealth practice with an
// office, a NAS, remote clinicians and patient email would.
func seedAnswers(t *testing.T, statuses map[string]questionnaire.Status) *questionnaire.Answers {
	t.Helper()
	ans := questionnaire.NewAnswers()
	for id, s := range statuses {
		ans.ByID[id] = questionnaire.Answer{Status: s}
	}
	return ans
}

// inventoryToSeed has a NAS (an on-site server of sorts), an Outlook mail service, a front-desk
// desktop and a telehealth platform, but no laptop, phone or texting service.
const inventoryToSeed = `# Our inventory, kept by Maria.
schema_version: 2
assets:
  - name: Scanned-documents NAS   # in the supply closet
    kind: storage
    ephi_held: bulk
  - name: Outlook mail
    kind: cloud-service
    ephi_held: bulk
  - name: Front desk PC
    kind: workstation
  - name: Zoom for Healthcare
    kind: cloud-service
`

// Seeding adds one asset for each seed whose answer holds and whose kind the inventory lacks,
// marked seeded_from with a comment asking for confirmation; what the inventory already covers
// (the NAS for about.servers, "Outlook mail" for patient email) adds nothing, comments stay, and a
// second seeding changes nothing.
func TestSeedAddsImpliedAssetsOnce(t *testing.T) {
	ans := seedAnswers(t, map[string]questionnaire.Status{
		"about.office": questionnaire.Yes, "about.servers": questionnaire.Yes, "about.remote-work": questionnaire.Yes,
		"about.personal-devices": questionnaire.Yes, "about.email-patients": questionnaire.Yes, "about.texting": questionnaire.No,
		"about.removable-media": questionnaire.Unknown, "tele.video-encryption": questionnaire.Implemented,
		"incident.backup": questionnaire.NotImplemented,
	})
	a := parseInventory(t, inventoryToSeed)
	got, err := a.Seed(DefaultAssetSeeds(), ans, ephiSystems)
	if err != nil {
		t.Fatal(err)
	}
	var added []string
	for _, e := range got.Added {
		added = append(added, e.SeededFrom+"="+e.Kind+"/"+e.Exposure+"/"+e.EPHIHeld)
	}
	want := []string{"about.remote-work=laptop/device/some", "about.personal-devices=phone/device/some"}
	if strings.Join(added, " ") != strings.Join(want, " ") || len(got.Skipped) != 0 {
		t.Fatalf("seeded %v (skipped %v), want %v", added, got.Skipped, want)
	}
	data, err := a.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"# Our inventory, kept by Maria.", "# in the supply closet", "seeded_from: about.remote-work",
		"# Seeded from the answer to about.personal-devices: confirm the ePHI it holds", "name: Staff laptops used outside the office"} {
		if !strings.Contains(string(data), s) {
			t.Errorf("seeded inventory lacks %q:\n%s", s, data)
		}
	}
	again, err := ParseAssets("assets.yaml", data, ephiSystems)
	if err != nil {
		t.Fatalf("the seeded inventory does not read back: %v\n%s", err, data)
	}
	got, err = again.Seed(DefaultAssetSeeds(), ans, ephiSystems)
	if err != nil || len(got.Added) != 0 {
		t.Fatalf("second seeding added %+v (%v)", got.Added, err)
	}
	if data2, _ := again.Marshal(); !bytes.Equal(data, data2) {
		t.Errorf("second seeding changed the file:\n%s", data2)
	}
	// Confirming the asset (its seeded_from gone) still covers the seed.
	if err := again.Confirm("staff laptops used outside the office"); err != nil {
		t.Fatal(err)
	}
	if got := DefaultAssetSeeds().Missing(ans, again.Entries); len(got) != 0 {
		t.Errorf("after confirming, seeding would add %+v", got)
	}
}

// An asset of the seed's name but another kind is never renamed or overwritten: the seed is left
// out and says why.
func TestSeedNeverOverwrites(t *testing.T) {
	a := parseInventory(t, "schema_version: 2\nassets:\n  - name: Staff laptops used outside the office\n    kind: phone\n    ephi_held: none\n")
	before, _ := a.Marshal()
	got, err := a.Seed(DefaultAssetSeeds(), seedAnswers(t, map[string]questionnaire.Status{"about.remote-work": questionnaire.Yes}), ephiSystems)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := a.Marshal()
	if len(got.Added) != 0 || len(got.Skipped) != 1 || !strings.Contains(got.Skipped[0], "already in") || !bytes.Equal(before, after) {
		t.Errorf("seeded over an existing name: %+v\n%s", got, after)
	}
}

// Seeds are validated against the schema, the question bank and their own coverage, each error
// naming its line.
func TestAssetSeedsBadDataNameTheLine(t *testing.T) {
	const head = "schema_version: 1\nseeds:\n  - question: about.remote-work\n    answers: [\"yes\"]\n    kind: laptop\n    name: Laptops\n    says: staff work remotely\n    lacks: laptop\n"
	for name, tc := range map[string]struct{ text, want string }{
		"unknown question":      {strings.Replace(head, "about.remote-work", "about.remote-wrk", 1), "seeds.yaml:3"},
		"answer not allowed":    {strings.Replace(head, `["yes"]`, `["yes", implemented]`, 1), "seeds.yaml:4"},
		"unknown kind":          {strings.Replace(head, "kind: laptop", "kind: toaster", 1), "seeds.yaml:5"},
		"does not cover itself": {head + "    covered_by: [tablet]\n", "seeds.yaml:6"},
		"name lacks its words":  {head + "    names: [notebook]\n", "seeds.yaml:6"},
		"missing lacks":         {strings.Replace(head, "    lacks: laptop\n", "", 1), "seeds.yaml:3"},
	} {
		_, err := ParseAssetSeeds("seeds.yaml", []byte(tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %s", name, err, tc.want)
		}
	}
	if _, err := ParseAssetSeeds("seeds.yaml", []byte(head)); err != nil {
		t.Errorf("a good seed: %v", err)
	}
}

// The scope is incomplete when the answers imply a kind of asset the inventory lacks, and the
// reason names the answer and the kind; a seeded asset nobody confirmed keeps it incomplete.
func TestScopeNamesImpliedMissingKind(t *testing.T) {
	ans := seedAnswers(t, map[string]questionnaire.Status{InventoryQuestion: questionnaire.Implemented, "about.remote-work": questionnaire.Yes})
	reg := build(t, nil, ans, parseInventory(t, inventoryToSeed), nil)
	want := "the answers say staff work from home or elsewhere outside the office on practice systems (about.remote-work) but the inventory has no laptop or tablet"
	if !reg.ScopeIncomplete || !strings.Contains(reg.ScopeReason, want) || !strings.Contains(reg.ScopeReason, "telesra assets seed") {
		t.Errorf("scope: incomplete %v, reason %q; want %q", reg.ScopeIncomplete, reg.ScopeReason, want)
	}

	a := parseInventory(t, inventoryToSeed)
	if _, err := a.Seed(DefaultAssetSeeds(), ans, ephiSystems); err != nil {
		t.Fatal(err)
	}
	reg = build(t, nil, ans, a, nil)
	if !reg.ScopeIncomplete || strings.Contains(reg.ScopeReason, "no laptop") || !strings.Contains(reg.ScopeReason, `not confirmed yet ("Staff laptops used outside the office"`) {
		t.Errorf("seeded, unconfirmed: incomplete %v, reason %q", reg.ScopeIncomplete, reg.ScopeReason)
	}
	if err := a.Confirm("Staff laptops used outside the office"); err != nil {
		t.Fatal(err)
	}
	if reg = build(t, nil, ans, a, nil); reg.ScopeIncomplete {
		t.Errorf("confirmed: still incomplete: %q", reg.ScopeReason)
	}
}

// assets set changes only the fields given, keeps comments, and refuses what add refuses;
// confirming drops seeded_from and the seed's comment, and is refused for an asset never seeded.
func TestAssetsSetAndConfirm(t *testing.T) {
	seeded := parseInventory(t, inventoryToSeed)
	if _, err := seeded.Seed(DefaultAssetSeeds(), seedAnswers(t, map[string]questionnaire.Status{"about.remote-work": questionnaire.Yes}), ephiSystems); err != nil {
		t.Fatal(err)
	}
	text, _ := seeded.Marshal()
	a := parseInventory(t, string(text)) // as the CLI does: the seeded file read back
	n := 150
	if err := a.Set("staff laptops used outside the office", AssetChange{Records: &n, Criticality: Criticality{Confidentiality: "high"}}, ephiSystems); err != nil {
		t.Fatal(err)
	}
	if err := a.Confirm("Staff laptops used outside the office"); err != nil {
		t.Fatal(err)
	}
	data, _ := a.Marshal()
	back, err := ParseAssets("assets.yaml", data, ephiSystems)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	e := back.Find("Staff laptops used outside the office")
	if e.SeededFrom != "" || e.Records == nil || *e.Records != 150 || e.Criticality.Confidentiality != "high" || e.EPHIHeld != HeldSome ||
		strings.Contains(string(data), "# Seeded from") || !strings.Contains(string(data), "# in the supply closet") {
		t.Errorf("set and confirm: %+v\n%s", e, data)
	}
	for name, err := range map[string]error{
		"confirm not seeded":  a.Confirm("Outlook mail"),
		"set missing":         a.Set("Fax", AssetChange{Kind: "vendor"}, ephiSystems),
		"set bad level":       a.Set("Outlook mail", AssetChange{Criticality: Criticality{Availability: "huge"}}, ephiSystems),
		"set none on records": a.Set("Staff laptops used outside the office", AssetChange{EPHIHeld: HeldNone}, ephiSystems),
	} {
		if err == nil || !strings.HasPrefix(err.Error(), "refused: ") {
			t.Errorf("%s: %v, want a refusal", name, err)
		}
	}
	if after, _ := a.Marshal(); !bytes.Equal(after, data) {
		t.Errorf("a refused set changed the inventory:\n%s", after)
	}
}

// seeded_from must name a question of the bank.
func TestAssetsSeededFromValidated(t *testing.T) {
	_, err := ParseAssets("assets.yaml", []byte("schema_version: 2\nassets:\n  - name: A\n    kind: laptop\n    seeded_from: about.remote-wrk\n"), ephiSystems)
	if err == nil || !strings.Contains(err.Error(), "assets.yaml:5") || !strings.Contains(err.Error(), "about.remote-wrk") {
		t.Errorf("unknown seeded_from: %v", err)
	}
}
