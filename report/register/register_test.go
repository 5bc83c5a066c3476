package register

import (
	"slices"
	"strings"
	"testing"

	"github.com/telesra/telesra/templates/hipaa"

	"github.com/telesra/telesra/questionnaire/level"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/questionnaire"
)

// riskOn finds the risk of a weakness on a target (or practice-wide for a question).
func riskOn(t *testing.T, reg *Register, weakness, target string) *Risk {
	t.Helper()
	for _, k := range reg.Risks {
		if k.Weakness == weakness && k.Asset.Target == target {
			return k
		}
	}
	t.Fatalf("no risk of %s on %q", weakness, target)
	return nil
}

func riskForQuestion(reg *Register, q string) []*Risk {
	var out []*Risk
	for _, k := range reg.Risks {
		if slices.Contains(k.Answers, q) {
			out = append(out, k)
		}
	}
	return out
}

func build(t *testing.T, scan *checks.Result, answers *questionnaire.Answers, assets *Assets, plan *Plan) *Register {
	t.Helper()
	reg, err := Build(Inputs{Scan: scan, Bank: questionnaire.DefaultBank(), Answers: answers, Assets: assets,
		EPHISystems: ephiSystems, Plan: plan, Today: "2026-11-22"})
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func TestMergeRules(t *testing.T) {
	answers := questionnaire.SampleAnswers()
	answers.SetStatus("tech.mfa-remote", questionnaire.NotImplemented, "2026-11-20")
	reg := build(t, fixtureScan(t), answers, fixtureAssets(t), nil)

	// One weakness on one target is one row, whatever the number of findings.
	tls := riskOn(t, reg, "weak-tls", "portal.riverside.example:443")
	if len(tls.Findings) != 1 {
		t.Errorf("weak TLS on the portal: findings %v, want the TLS 1.0 finding only (TLS 1.1 is suppressed)", tls.Findings)
	}
	// Findings of different weaknesses on one target stay apart.
	if riskOn(t, reg, "certificate-problem", "portal.riverside.example:443").ID == tls.ID {
		t.Error("two weaknesses on one target share a row")
	}
	// A gap on a weakness the scan found merges into the scan's rows...
	ssh := riskOn(t, reg, "password-only-login", "203.0.113.10:22")
	ehr := riskOn(t, reg, "password-only-login", "10.20.0.5:80")
	for _, k := range []*Risk{ssh, ehr} {
		if !slices.Contains(k.Answers, "tech.mfa-remote") || k.Source != SourceBoth {
			t.Errorf("%s: answers %v, source %s; want tech.mfa-remote merged in (both)", k.Asset.Target, k.Answers, k.Source)
		}
		if !slices.ContainsFunc(k.Citations, func(c hipaa.Citation) bool { return c.Citation == "164.312(d)" }) {
			t.Errorf("%s: citations %v lack 164.312(d)", k.Asset.Target, k.Citations)
		}
	}
	// ... and makes no practice-wide row of its own.
	for _, k := range riskForQuestion(reg, "tech.mfa-remote") {
		if k.Asset.Kind == KindPractice {
			t.Errorf("tech.mfa-remote also made a practice-wide row %s", k.ID)
		}
	}
	// A gap the scan cannot see stands alone, practice-wide, scored from the bank's defaults.
	siem := riskForQuestion(reg, "tech.siem")
	if len(siem) != 1 || siem[0].Asset.Kind != KindPractice || siem[0].Source != SourceQuestionnaire ||
		siem[0].Likelihood.Rules[0] != "question:tech.siem" {
		t.Fatalf("tech.siem: %+v", siem)
	}
	// Info findings are listed but make no risk; suppressed ones are neither.
	for _, k := range reg.Risks {
		for _, id := range k.Findings {
			if id == checks.FindingID("patch.version_disclosed", "203.0.113.10:22", "") {
				t.Error("an info finding made a risk")
			}
		}
	}
	if reg.Suppressed != 1 || slices.ContainsFunc(reg.Findings, func(f checks.Finding) bool { return f.Suppressed() }) {
		t.Errorf("suppressed: %d counted, and listed: %v", reg.Suppressed, slices.ContainsFunc(reg.Findings, func(f checks.Finding) bool { return f.Suppressed() }))
	}
	// A check no weakness names falls back to a row of its own.
	fb := riskOn(t, reg, "check:custom.unknown_check", "10.20.0.9:21")
	if fb.Likelihood.Rules[0] != "fallback" || fb.Title != "Something only a new check knows" {
		t.Errorf("fallback row: %+v", fb)
	}
	// Without the scan, the MFA gap is a practice-wide row.
	noScan := build(t, nil, answers, nil, nil)
	if ks := riskForQuestion(noScan, "tech.mfa-remote"); len(ks) != 1 || ks[0].Asset.Kind != KindPractice {
		t.Errorf("without a scan, tech.mfa-remote: %+v", ks)
	}
}

func TestScoringRulesSetLikelihoodAndImpact(t *testing.T) {
	reg := build(t, fixtureScan(t), questionnaire.SampleAnswers(), fixtureAssets(t), nil)
	for _, tc := range []struct {
		weakness, target             string
		likelihood, impact, level    Level
		likelihoodRules, impactRules []string
	}{
		// A KEV match by version only (potential) sets High, not Very High: a guess never rates
		// like the confirmed flaw.
		{"unpatched-software", "203.0.113.10:22", level.High, level.High, level.High,
			[]string{"weakness:unpatched-software", "severity-critical", "potential-only", "internet-exposed", "known-exploited-potential"}, []string{"weakness:unpatched-software"}},
		// Internet exposure raises; the sample's "VPN only" answer would lower it as a mitigating
		// control, but the scan reached SSH from the internet, which contradicts it.
		{"password-only-login", "203.0.113.10:22", level.VeryHigh, level.High, level.High,
			[]string{"weakness:password-only-login", "internet-exposed"}, []string{"weakness:password-only-login"}},
		// Medium severity lowers; an internet-facing portal raises again.
		{"weak-tls", "portal.riverside.example:443", level.Moderate, level.High, level.Moderate,
			[]string{"weakness:weak-tls", "severity-medium", "internet-exposed"}, []string{"weakness:weak-tls"}},
		// An asset without ePHI lowers impact by two, and caps it at Low.
		{"legacy-cleartext-login", "10.20.0.9:21", level.High, level.Low, level.Low,
			[]string{"weakness:legacy-cleartext-login"}, []string{"weakness:legacy-cleartext-login", "no-ephi", "no-ephi-cap"}},
		// Internal EHR over HTTP: defaults stand.
		{"cleartext-transport", "10.20.0.5:80", level.Moderate, level.High, level.Moderate,
			[]string{"weakness:cleartext-transport"}, []string{"weakness:cleartext-transport"}},
	} {
		k := riskOn(t, reg, tc.weakness, tc.target)
		if k.Likelihood.Level != tc.likelihood || k.Impact.Level != tc.impact || k.Level != tc.level {
			t.Errorf("%s on %s: likelihood %s, impact %s, level %s; want %s, %s, %s\n  %s\n  %s", tc.weakness, tc.target,
				k.Likelihood.Level, k.Impact.Level, k.Level, tc.likelihood, tc.impact, tc.level, k.Likelihood.Reason, k.Impact.Reason)
		}
		if !slices.Equal(k.Likelihood.Rules, tc.likelihoodRules) || !slices.Equal(k.Impact.Rules, tc.impactRules) {
			t.Errorf("%s on %s: rules %v / %v, want %v / %v", tc.weakness, tc.target, k.Likelihood.Rules, k.Impact.Rules, tc.likelihoodRules, tc.impactRules)
		}
		if last := k.Likelihood.Rules[len(k.Likelihood.Rules)-1]; len(k.Likelihood.Rules) > 1 && !strings.Contains(k.Likelihood.Reason, last) {
			t.Errorf("%s: the reason %q does not name the last rule", k.ID, k.Likelihood.Reason)
		}
	}
	// Without an asset map, nothing is known about ePHI: the impact stays and the row says why.
	bare := build(t, fixtureScan(t), nil, nil, nil)
	nas := riskOn(t, bare, "legacy-cleartext-login", "10.20.0.9:21")
	if nas.Impact.Level != level.High || !slices.Contains(nas.Impact.Rules, "ephi-unmapped") || nas.Asset.Exposure != ExposureInternal {
		t.Errorf("unmapped NAS: impact %s rules %v exposure %s", nas.Impact.Level, nas.Impact.Rules, nas.Asset.Exposure)
	}
	// A partial answer lowers a practice-wide risk's likelihood by one from the bank's default.
	answers := questionnaire.SampleAnswers()
	answers.SetStatus("tech.siem", questionnaire.Partial, "2026-11-20")
	siem := riskForQuestion(build(t, nil, answers, nil, nil), "tech.siem")[0]
	q, _ := questionnaire.DefaultBank().Question("tech.siem")
	if siem.Likelihood.Level != q.Pairs[0].Likelihood-1 || !slices.Contains(siem.Likelihood.Rules, "partial-answer") {
		t.Errorf("partial tech.siem: likelihood %s rules %v (default %s)", siem.Likelihood.Level, siem.Likelihood.Rules, q.Pairs[0].Likelihood)
	}
}

// TestPartialAnswerOnARequirement: a partial answer lowers the likelihood only where the Rule
// leaves room (an Addressable specification, a best practice); a standard or Required
// specification partly met keeps the bank's default, so a shared EHR login, missing BAAs or a
// missing contingency plan do not come out Low because "some of it" is in place.
func TestPartialAnswerOnARequirement(t *testing.T) {
	bank := questionnaire.DefaultBank()
	for _, tc := range []struct {
		question string
		lowers   bool
	}{
		{"tech.unique-ids", false},           // 164.312(a)(2)(i), Required
		{"incident.contingency-plan", false}, // 164.308(a)(7)(i), a standard
		{"vendor.baa-all", false},            // 164.308(b)(1), a standard
		{"site.device-inventory", true},      // 164.310(d)(2)(iii), Addressable
		{"tech.siem", true},                  // best practice
	} {
		answers := questionnaire.SampleAnswers()
		answers.SetStatus(tc.question, questionnaire.Partial, "2026-11-20")
		rows := riskForQuestion(build(t, nil, answers, nil, nil), tc.question)
		if len(rows) == 0 {
			t.Fatalf("partial %s makes no risk", tc.question)
		}
		q, _ := bank.Question(tc.question)
		k := rows[0]
		want := q.Pairs[0].Likelihood
		if tc.lowers {
			want--
		}
		if k.Likelihood.Level != want || slices.Contains(k.Likelihood.Rules, "partial-answer") != tc.lowers {
			t.Errorf("partial %s (%v): likelihood %s rules %v, want %s (bank default %s)", tc.question, citationKinds(q), k.Likelihood.Level,
				k.Likelihood.Rules, want, q.Pairs[0].Likelihood)
		}
	}
}

func citationKinds(q *questionnaire.Question) []string {
	var out []string
	for _, c := range q.Citations {
		out = append(out, c.Citation+" "+c.Kind)
	}
	return out
}

func TestRiskIDsAreStable(t *testing.T) {
	a := build(t, fixtureScan(t), questionnaire.SampleAnswers(), fixtureAssets(t), nil)
	b := build(t, fixtureScan(t), questionnaire.SampleAnswers(), nil, nil)
	for _, k := range a.Risks {
		if k.Asset.Target == "" {
			continue
		}
		if _, ok := b.Risk(k.ID); !ok {
			t.Errorf("%s (%s on %s) changed ID when the asset map went away", k.ID, k.Weakness, k.Asset.Target)
		}
	}
	if got := RiskID("weak-tls\x00portal.riverside.example:443"); got != riskOn(t, a, "weak-tls", "portal.riverside.example:443").ID {
		t.Errorf("RiskID is not the ID the register uses: %s", got)
	}
	seen := map[string]bool{}
	for _, k := range a.Risks {
		if seen[k.ID] {
			t.Errorf("duplicate ID %s", k.ID)
		}
		seen[k.ID] = true
	}
}

func TestRegisterOrderAndCounts(t *testing.T) {
	reg := build(t, fixtureScan(t), questionnaire.SampleAnswers(), fixtureAssets(t), nil)
	for i := 1; i < len(reg.Risks); i++ {
		if reg.Risks[i].Level > reg.Risks[i-1].Level {
			t.Fatalf("risk %d (%s) is above %s but ranks lower", i, reg.Risks[i].Level, reg.Risks[i-1].Level)
		}
	}
	heat, total := reg.Heat(), 0
	for i := range heat {
		for j := range heat[i] {
			total += heat[i][j]
			if heat[i][j] > 0 && reg.Rules.Matrix[i][j] == 0 {
				t.Errorf("heat cell %d,%d has no level", i, j)
			}
		}
	}
	open := 0
	for _, n := range reg.Counts() {
		open += n
	}
	if total != open || open != len(reg.Risks) {
		t.Errorf("heat map %d, open %d, risks %d: every risk is open and plotted", total, open, len(reg.Risks))
	}
	if reg.Overall() != level.High {
		t.Errorf("overall %s", reg.Overall())
	}
}
