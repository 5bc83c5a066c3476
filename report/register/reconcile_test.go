package register

import (
	"slices"
	"strings"
	"testing"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/templates"
)

// TestScanContradictsAnswers: the sample answers claim MFA on remote logins, prompt patching,
// supported software, encrypted staff services, modern TLS for patients and VPN-only remote
// access; the fixture scan disproves each. A disproved answer is listed with its findings, is
// never an existing control and never lowers a likelihood.
func TestScanContradictsAnswers(t *testing.T) {
	reg := build(t, fixtureScan(t), questionnaire.SampleAnswers(), fixtureAssets(t), nil)
	ssh := checks.FindingID("mfa.ssh.password_auth", "203.0.113.10:22", "")
	kev := checks.FindingID("patch.kev", "203.0.113.10:22", "")
	for q, finding := range map[string]string{
		"tech.mfa-remote":  ssh,
		"tele.vpn":         ssh,
		"tech.patching":    kev,
		"tech.unsupported": kev,
		"tele.tls-staff":   checks.FindingID("transport.cleartext_http", "10.20.0.5:80", ""),
		"tele.tls-patient": checks.FindingID("tls.protocol.tls1_0", "portal.riverside.example:443", ""),
	} {
		c, ok := reg.Contradiction(q)
		if !ok {
			t.Errorf("%s: not contradicted; contradictions: %v", q, reg.Contradictions)
			continue
		}
		if !slices.Contains(c.Findings, finding) || len(c.Rules) == 0 || len(c.Assets) == 0 {
			t.Errorf("%s: contradiction %+v lacks finding %s, its rule or its asset", q, c, finding)
		}
	}
	// An answer the scan cannot test stays as it was.
	if _, ok := reg.Contradiction("tech.siem"); ok {
		t.Error("tech.siem contradicted")
	}
	listed := 0
	for _, k := range reg.Risks {
		for _, c := range k.Controls {
			if _, bad := reg.Contradiction(c.Question); bad {
				t.Errorf("%s %s: contradicted answer %s listed as an existing control", k.ID, k.Title, c.Question)
			}
		}
		listed += len(k.Contradicted)
	}
	if listed == 0 {
		t.Error("no risk lists the contradicted answers it would have counted as controls")
	}
	// The SSH login that takes passwords from the internet: the VPN answer no longer lowers it.
	k := riskOn(t, reg, "password-only-login", "203.0.113.10:22")
	if slices.Contains(k.Likelihood.Rules, "mitigating-control") ||
		!slices.ContainsFunc(k.Contradicted, func(c *Contradiction) bool { return c.Question == "tele.vpn" }) {
		t.Errorf("SSH password login: likelihood rules %v, contradicted %v", k.Likelihood.Rules, k.Contradicted)
	}
	// Without reconciliation rules the same answers would have lowered it: the contradiction is
	// what makes the difference.
	plain, err := Build(Inputs{Scan: fixtureScan(t), Bank: questionnaire.DefaultBank(), Answers: questionnaire.SampleAnswers(),
		Assets: fixtureAssets(t), EPHISystems: ephiSystems, Today: "2026-11-22", Reconciliation: &Reconciliation{}})
	if err != nil {
		t.Fatal(err)
	}
	if p := riskOn(t, plain, "password-only-login", "203.0.113.10:22"); !slices.Contains(p.Likelihood.Rules, "mitigating-control") ||
		p.Likelihood.Level >= k.Likelihood.Level {
		t.Errorf("without reconciliation: %s %v; with: %s", p.Likelihood.Level, p.Likelihood.Rules, k.Likelihood.Level)
	}
}

// TestContradictionNeedsTheClaimAndTheEvidence: an answer that claims nothing, or evidence
// the rule does not accept (a potential MFA finding, an internal asset), disproves nothing.
func TestContradictionNeedsTheClaimAndTheEvidence(t *testing.T) {
	answers := questionnaire.SampleAnswers()
	answers.SetStatus("tech.patching", questionnaire.NotImplemented, "2026-11-20")
	scan := fixtureScan(t)
	for i := range scan.Findings {
		if scan.Findings[i].Check == "mfa.ssh.password_auth" {
			scan.Findings[i].Confidence = checks.Potential
		}
	}
	reg := build(t, scan, answers, fixtureAssets(t), nil)
	for _, q := range []string{"tech.patching", "tele.vpn"} {
		if c, ok := reg.Contradiction(q); ok {
			t.Errorf("%s contradicted: %+v", q, c)
		}
	}
	// The basic-auth login on the internal EHR is confirmed, but the MFA rule covers
	// internet-facing assets only.
	if c, ok := reg.Contradiction("tech.mfa-remote"); ok {
		t.Errorf("tech.mfa-remote contradicted by %+v", c)
	}
}

func TestReconciliationBadInput(t *testing.T) {
	good, err := templates.ReadFile("risk/reconciliation.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseReconciliation("reconciliation.yaml", good); err != nil {
		t.Fatalf("embedded rules: %v", err)
	}
	for name, tc := range map[string]struct{ from, to, want string }{
		"unknown question": {"questions: [tele.vpn]", "questions: [tele.nope]", `no question "tele.nope"`},
		"unknown claim":    {"claims: [implemented, partial]\n    evidence:\n      - {checks: [\"mfa.*\"]", "claims: [maybe]\n    evidence:\n      - {checks: [\"mfa.*\"]", "claims"},
		"duplicate id":     {"id: patching-vs-confirmed-cve", "id: patching-vs-unsupported-software", "duplicate rule id"},
		"no evidence":      {"id: mfa-vs-password-login", "id: mfa-vs-password-login\n    evidenc: []", "evidenc"},
	} {
		t.Run(name, func(t *testing.T) {
			bad := strings.Replace(string(good), tc.from, tc.to, 1)
			if bad == string(good) {
				t.Fatalf("%q not in the rules", tc.from)
			}
			_, err := ParseReconciliation("reconciliation.yaml", []byte(bad))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "reconciliation.yaml:") {
				t.Errorf("error %v, want file:line and %q", err, tc.want)
			}
		})
	}
}

// TestScanContradictsScanningAndFirewallAnswers: a confirmed known-exploited flaw on an
// internet-facing asset disproves "scanned every six months, findings fixed"; remote desktop on
// the internet disproves "no unnecessary services open to the internet". A version match (a
// potential KEV finding) or an internal asset disproves neither.
func TestScanContradictsScanningAndFirewallAnswers(t *testing.T) {
	answers := questionnaire.SampleAnswers()
	answers.SetStatus("gov.vuln-scans", questionnaire.Implemented, "2026-11-20")
	answers.SetStatus("tech.firewall", questionnaire.Implemented, "2026-11-20")

	// The fixture's KEV match is potential and its FTP login is on an internal NAS.
	reg := build(t, fixtureScan(t), answers, fixtureAssets(t), nil)
	for _, q := range []string{"gov.vuln-scans", "tech.firewall"} {
		if c, ok := reg.Contradiction(q); ok {
			t.Errorf("%s contradicted by a potential or internal finding: %+v", q, c)
		}
	}

	scan := fixtureScan(t)
	for i := range scan.Findings {
		if scan.Findings[i].Check == "patch.kev" {
			scan.Findings[i].Confidence = checks.Confirmed
		}
	}
	rdp := checks.Finding{ID: checks.FindingID("mfa.rdp.no_nla", "203.0.113.10:3389", ""), Check: "mfa.rdp.no_nla",
		Target: "203.0.113.10:3389", Severity: checks.High, Confidence: checks.Confirmed, Title: "RDP without NLA"}
	scan.Findings = append(scan.Findings, rdp)
	reg = build(t, scan, answers, fixtureAssets(t), nil)
	for q, want := range map[string]string{
		"gov.vuln-scans": checks.FindingID("patch.kev", "203.0.113.10:22", ""),
		"tech.firewall":  rdp.ID,
	} {
		c, ok := reg.Contradiction(q)
		if !ok {
			t.Errorf("%s not contradicted; contradictions: %v", q, reg.Contradictions)
			continue
		}
		if !slices.Contains(c.Findings, want) {
			t.Errorf("%s: contradicted by %v, want %s among them", q, c.Findings, want)
		}
	}
}
