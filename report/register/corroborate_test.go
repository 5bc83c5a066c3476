package register

import (
	"slices"
	"strings"
	"testing"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/templates"
)

var (
	tlsChecks = []string{"tls.protocol.sslv2", "tls.protocol.sslv3", "tls.protocol.tls1_0", "tls.protocol.tls1_1",
		"tls.protocol.no_tls1_2", "tls.cert.expired", "tls.cert.not_yet_valid", "tls.cert.self_signed", "tls.cert.untrusted",
		"tls.cert.hostname_mismatch", "tls.cert.weak_key", "tls.cert.weak_signature"}
	patchChecks = []string{"patch.cve", "patch.eol", "patch.kev", "patch.version_disclosed"}
	mfaChecks   = []string{"mfa.ssh.password_auth", "mfa.ssh.keyboard_interactive", "mfa.ssh.no_auth", "mfa.rdp.no_nla",
		"mfa.rdp.standard_security", "mfa.legacy.ftp", "mfa.legacy.telnet", "mfa.legacy.vnc", "mfa.mail.imap_login_cleartext",
		"mfa.mail.pop3_user_cleartext", "mfa.mail.smtp_auth_cleartext", "mfa.http.basic_auth", "mfa.http.password_form",
		"mfa.http.remote_access_portal"}
)

// passingScan is a complete scan of two services that pass every check it ran: the HTTPS
// patient portal (TLS, cleartext, MFA and patch checks completed; nginx's version identified)
// and the SSH service (MFA and patch checks completed; the TLS and cleartext checks not
// applicable). families selects the check families the scan ran.
func passingScan(families ...string) *checks.Result {
	res := &checks.Result{Complete: true}
	run := func(ids ...string) {
		for _, id := range ids {
			if slices.Contains(families, strings.SplitN(id, ".", 2)[0]) {
				res.Checks = append(res.Checks, id)
			}
		}
	}
	run(tlsChecks...)
	run(patchChecks...)
	run(mfaChecks...)
	run("transport.cleartext_http")
	for _, ep := range []struct {
		target string
		svc    string
	}{{"portal.riverside.example:443", checks.SvcHTTP}, {"203.0.113.10:22", checks.SvcSSH}} {
		res.Endpoints = append(res.Endpoints, checks.EndpointResult{Target: ep.target, Host: TargetHost(ep.target),
			Status: checks.StatusCompleted, Service: &checks.Service{Name: ep.svc}})
		for _, id := range res.Checks {
			st := checks.StatusNotApplicable
			switch {
			case strings.HasPrefix(id, "patch."), ep.svc == checks.SvcHTTP && (strings.HasPrefix(id, "tls.") || strings.HasPrefix(id, "mfa.http.")),
				ep.svc == checks.SvcSSH && strings.HasPrefix(id, "mfa.ssh."):
				st = checks.StatusCompleted
			}
			res.Attempts = append(res.Attempts, checks.Attempt{Check: id, Target: ep.target, Status: st})
		}
		if slices.Contains(res.Checks, "patch.version_disclosed") && ep.svc == checks.SvcHTTP {
			res.Findings = append(res.Findings, checks.Finding{ID: checks.FindingID("patch.version_disclosed", ep.target, ""),
				Check: "patch.version_disclosed", Target: ep.target, Severity: checks.Info, Confidence: checks.Confirmed})
		}
	}
	return res
}

func claiming(questions ...string) *questionnaire.Answers {
	a := questionnaire.SampleAnswers()
	for _, q := range questions {
		a.SetStatus(q, questionnaire.Implemented, "2026-11-20")
	}
	return a
}

var corroborated = []string{"tele.tls-patient", "tele.tls-staff", "tech.mfa-remote", "tech.patching", "tech.unsupported"}

// TestScanVerifiesAnswers: checks that ran on the assets and found nothing verify the answers
// that claim the safeguard, with the checks and assets they rest on.
func TestScanVerifiesAnswers(t *testing.T) {
	reg := build(t, passingScan("tls", "transport", "mfa", "patch"), claiming(corroborated...), fixtureAssets(t), nil)
	for _, q := range corroborated {
		v, ok := reg.Verification(q)
		if !ok {
			t.Errorf("%s not verified; verifications: %v", q, reg.Verifications)
			continue
		}
		if len(v.Rules) == 0 || len(v.Checks) == 0 || len(v.Assets) == 0 || !strings.Contains(v.Summary(), "passed on") {
			t.Errorf("%s: verification without its evidence: %+v", q, v)
		}
	}
	v, _ := reg.Verification("tele.tls-patient")
	if v != nil && (!slices.Contains(v.Checks, "tls.protocol.tls1_0") || !slices.ContainsFunc(v.Assets, func(a string) bool {
		return strings.Contains(a, "portal.riverside.example:443")
	})) {
		t.Errorf("tele.tls-patient: evidence %v on %v", v.Checks, v.Assets)
	}
	// The patch checks judged only the portal, where a version was identified.
	if v, _ := reg.Verification("tech.patching"); v != nil && slices.ContainsFunc(v.Assets, func(a string) bool { return strings.Contains(a, ":22") }) {
		t.Errorf("tech.patching verified on the SSH service, whose version nobody identified: %v", v.Assets)
	}
	// An answer that claims nothing is not verified.
	none := claiming(corroborated...)
	none.SetStatus("tele.tls-staff", questionnaire.NotImplemented, "2026-11-20")
	if v, ok := build(t, passingScan("tls", "transport", "mfa", "patch"), none, fixtureAssets(t), nil).Verification("tele.tls-staff"); ok {
		t.Errorf("a not-implemented answer verified: %+v", v)
	}
}

// TestVerificationNeedsChecksThatRan: absence of findings from checks that did not run, that
// failed or that could not reach an asset verifies nothing.
func TestVerificationNeedsChecksThatRan(t *testing.T) {
	for name, tc := range map[string]struct {
		scan func() *checks.Result
		not  []string
	}{
		"no TLS checks": {func() *checks.Result { return passingScan("transport", "mfa", "patch") },
			[]string{"tele.tls-patient", "tele.tls-staff"}},
		"no cleartext check": {func() *checks.Result { return passingScan("tls", "mfa", "patch") },
			[]string{"tele.tls-patient", "tele.tls-staff"}},
		"no MFA checks": {func() *checks.Result { return passingScan("tls", "transport", "patch") }, []string{"tech.mfa-remote"}},
		"no patch checks": {func() *checks.Result { return passingScan("tls", "transport", "mfa") },
			[]string{"tech.patching", "tech.unsupported"}},
		"no version identified": {func() *checks.Result {
			s := passingScan("tls", "transport", "mfa", "patch")
			s.Findings = nil
			return s
		}, []string{"tech.patching", "tech.unsupported"}},
		"a TLS check failed": {func() *checks.Result {
			s := passingScan("tls", "transport", "mfa", "patch")
			for i := range s.Attempts {
				if s.Attempts[i].Check == "tls.cert.untrusted" && s.Attempts[i].Status == checks.StatusCompleted {
					s.Attempts[i].Status, s.Attempts[i].Reason = checks.StatusError, checks.ReasonTimeout
				}
			}
			return s
		}, []string{"tele.tls-patient", "tele.tls-staff"}},
		"an endpoint not scanned": {func() *checks.Result {
			s := passingScan("tls", "transport", "mfa", "patch")
			s.Endpoints[1].Status, s.Endpoints[1].Reason = checks.StatusError, checks.ReasonRefused
			return s
		}, []string{"tech.mfa-remote"}},
		"an interrupted scan": {func() *checks.Result {
			s := passingScan("tls", "transport", "mfa", "patch")
			s.Complete = false
			return s
		}, corroborated},
		"a potential finding": {func() *checks.Result {
			s := passingScan("tls", "transport", "mfa", "patch")
			s.Findings = append(s.Findings, checks.Finding{ID: "x", Check: "patch.cve", Target: "portal.riverside.example:443",
				Severity: checks.Medium, Confidence: checks.Potential})
			return s
		}, []string{"tech.patching"}},
	} {
		t.Run(name, func(t *testing.T) {
			reg := build(t, tc.scan(), claiming(corroborated...), fixtureAssets(t), nil)
			for _, q := range tc.not {
				if v, ok := reg.Verification(q); ok {
					t.Errorf("%s verified: %+v", q, v)
				}
			}
		})
	}
}

// TestContradictedAnswerNeverVerified: one confirmed finding that disproves the answer outweighs
// every check that passed elsewhere.
func TestContradictedAnswerNeverVerified(t *testing.T) {
	scan := passingScan("tls", "transport", "mfa", "patch")
	scan.Endpoints = append(scan.Endpoints, checks.EndpointResult{Target: "10.20.0.5:80", Host: "10.20.0.5",
		Status: checks.StatusCompleted, Service: &checks.Service{Name: checks.SvcHTTP}})
	scan.Attempts = append(scan.Attempts, checks.Attempt{Check: "transport.cleartext_http", Target: "10.20.0.5:80", Status: checks.StatusCompleted, Findings: 1})
	scan.Findings = append(scan.Findings, checks.Finding{ID: checks.FindingID("transport.cleartext_http", "10.20.0.5:80", ""),
		Check: "transport.cleartext_http", Target: "10.20.0.5:80", Severity: checks.High, Confidence: checks.Confirmed})
	reg := build(t, scan, claiming(corroborated...), fixtureAssets(t), nil)
	for _, q := range []string{"tele.tls-patient", "tele.tls-staff"} {
		if _, ok := reg.Contradiction(q); !ok {
			t.Errorf("%s not contradicted", q)
		}
		if v, ok := reg.Verification(q); ok {
			t.Errorf("%s contradicted and verified: %+v", q, v)
		}
	}
	for _, k := range reg.Risks {
		for _, c := range k.Controls {
			if c.Verified != nil && c.Verified.Question != c.Question {
				t.Errorf("%s: control %s carries the verification of %s", k.ID, c.Question, c.Verified.Question)
			}
		}
	}
}

func TestCorroborationBadInput(t *testing.T) {
	good, err := templates.ReadFile("risk/reconciliation.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct{ from, to, want string }{
		"check the rule cannot disprove": {"checks: [patch.eol, patch.kev]\n      identified_by", "checks: [patch.eol, tls.cert.expired]\n      identified_by",
			`corroboration check "tls.cert.expired" is not among the rule's evidence`},
		"unknown key":    {"identified_by: [patch.version_disclosed]", "identified: [patch.version_disclosed]", "identified"},
		"no reason":      {"      reason: no scanned service carries data without encryption\n", "", "reason"},
		"empty assets":   {"assets: [video, telehealth]", "assets: []", "assets"},
		"bad check name": {"checks: [transport.cleartext_http]\n      reason", "checks: [\"Transport cleartext\"]\n      reason", "checks"},
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
