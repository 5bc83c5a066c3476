package questionnaire

import (
	"testing"

	"github.com/telesra/telesra/templates/hipaa"
)

// TestEveryCitationHasAQuestion is the coverage test: every standard and implementation
// specification of 164.308-164.316 is evidenced by at least one control question of the default
// questionnaire.
func TestEveryCitationHasAQuestion(t *testing.T) {
	b := DefaultBank()
	evidenced := map[string][]string{}
	for _, q := range b.Questions(nil) {
		if q.Kind != KindControl {
			continue
		}
		for _, c := range q.Citations {
			evidenced[c.Citation] = append(evidenced[c.Citation], q.ID)
		}
	}
	var missing int
	for _, c := range hipaa.Citations() {
		if len(evidenced[c.Citation]) == 0 {
			missing++
			t.Errorf("%s %s (%s): no question evidences it", c.Citation, c.Name, c.Kind)
		}
	}
	t.Logf("%d citations, %d without a question", len(hipaa.Citations()), missing)
}

// referencePractices are the telehealth practices listed at the end of the reference
// (shared/reference/hipaa-security-rule.md), with the bank's IDs for them.
var referencePractices = map[string][]string{
	"End-to-end encryption of video visits":                      {"video-e2ee"},
	"TLS on every patient-facing and staff-facing service":       {"tls"},
	"MFA for every remote login":                                 {"mfa"},
	"VPN for staff on personal or home devices":                  {"vpn"},
	"a written BYOD policy":                                      {"byod"},
	"anti-malware and patching on every endpoint":                {"anti-malware", "patching"},
	"staff training on phishing and passwords, repeated":         {"training"},
	"patient guidance on secure connections":                     {"patient-guidance"},
	"IDS and a SIEM with someone watching them":                  {"ids-siem"},
	"regular audits and vulnerability assessments":               {"audits"},
	"business associate agreements with the telehealth platform": {"baa-platform"},
	"privacy policies explained to patients":                     {"privacy-notice"},
	"no PHI over plain email or consumer messaging":              {"no-plain-email"},
}

func TestEveryTelehealthPracticeHasQuestions(t *testing.T) {
	b := DefaultBank()
	tagged := map[string][]string{}
	for _, q := range b.Questions(nil) {
		for _, p := range q.Practices {
			tagged[p] = append(tagged[p], q.ID)
		}
	}
	declared := map[string]bool{}
	for _, p := range b.Practices {
		declared[p.ID] = true
		if len(tagged[p.ID]) == 0 {
			t.Errorf("practice %s (%s) has no question in the default questionnaire", p.ID, p.Name)
		}
	}
	for phrase, ids := range referencePractices {
		for _, id := range ids {
			if !declared[id] {
				t.Errorf("reference practice %q: the bank declares no practice %q", phrase, id)
			}
		}
	}
}

func TestNPRMProfileAsksTheProposedRequirements(t *testing.T) {
	b := DefaultBank()
	for _, id := range []string{"nprm.asset-inventory", "nprm.network-map", "nprm.restore-72h", "nprm.scans-6-months",
		"nprm.pentest-12-months", "nprm.compliance-audit"} {
		q, ok := b.Question(id)
		if !ok || q.Profile != ProfileNPRM {
			t.Errorf("%s: missing or not in the nprm profile", id)
		}
	}
	for _, q := range b.Questions(nil) {
		if q.Profile != "" {
			t.Errorf("%s (profile %s) is asked by default", q.ID, q.Profile)
		}
	}
}

func TestBankSize(t *testing.T) {
	b := DefaultBank()
	total := len(b.All())
	for _, s := range b.Sections {
		t.Logf("%-9s %-32s %3d questions", s.ID, s.Title, len(s.Questions))
	}
	t.Logf("total %d, default profile %d", total, len(b.Questions(nil)))
	if total < 110 || total > 160 {
		t.Errorf("%d questions; the issue aims for 110-160", total)
	}
}
