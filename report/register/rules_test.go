package register

import (
	"errors"
	"strings"
	"testing"

	"github.com/telesra/telesra/questionnaire/level"
	"github.com/telesra/telesra/templates/datafile"

	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/templates"
)

// tableI2 is NIST SP 800-30 Rev. 1, Table I-2, typed in from the publication (rows: likelihood
// Very Low..Very High; columns: impact Very Low..Very High), independently of the rules file.
var tableI2 = [5][5]string{
	{"Very Low", "Very Low", "Very Low", "Low", "Low"},
	{"Very Low", "Low", "Low", "Low", "Moderate"},
	{"Very Low", "Low", "Moderate", "Moderate", "High"},
	{"Very Low", "Low", "Moderate", "High", "Very High"},
	{"Very Low", "Low", "Moderate", "High", "Very High"},
}

func TestMatrixIsTableI2EveryCell(t *testing.T) {
	rules := DefaultRules()
	for i, l := range Levels() {
		for j, im := range Levels() {
			got := rules.RiskLevel(l, im)
			if got.String() != tableI2[i][j] {
				t.Errorf("likelihood %s x impact %s = %s, Table I-2 says %s", l, im, got, tableI2[i][j])
			}
			if q := level.Risk(l, im); q != got {
				t.Errorf("likelihood %s x impact %s: the register says %s, the questionnaire %s", l, im, got, q)
			}
		}
	}
	if rules.RiskLevel(0, level.High) != 0 || rules.RiskLevel(level.High, 6) != 0 {
		t.Error("a missing level must give no risk level")
	}
}

func TestEmbeddedRulesAreConsistent(t *testing.T) {
	rules := DefaultRules()
	bank := questionnaire.DefaultBank()
	for _, w := range rules.Weaknesses {
		for _, q := range append(append([]string{}, w.Questions...), w.Controls...) {
			if _, ok := bank.Question(q); !ok {
				t.Errorf("weakness %s names question %s, which the bank does not have", w.ID, q)
			}
		}
		if w.Likelihood == 0 || w.Impact == 0 {
			t.Errorf("weakness %s has no default likelihood or impact", w.ID)
		}
	}
	// The check IDs the other families publish must land on the intended weakness.
	for check, want := range map[string]string{
		"mfa.ssh.password_auth": "password-only-login", "mfa.legacy.telnet": "legacy-cleartext-login",
		"mfa.rdp.no_nla": "rdp-without-nla", "mfa.mail.smtp_auth_cleartext": "cleartext-mail-login",
		"transport.cleartext_http": "cleartext-transport", "tls.protocol.tls1_0": "weak-tls", "tls.heartbleed": "tls-implementation-flaw",
		"tls.cert.expired": "certificate-problem", "patch.kev": "unpatched-software", "patch.eol": "unpatched-software",
		"web.git-config": "web-exposure", "tls.hsts.missing": "web-exposure",
	} {
		w := rules.WeaknessFor(check)
		if w == nil || w.ID != want {
			t.Errorf("%s: weakness %v, want %s", check, w, want)
		}
	}
	if w := rules.WeaknessFor("mfa"); w != nil {
		t.Errorf("a family name alone matched weakness %s", w.ID)
	}
}

func TestBadRulesNameTheLine(t *testing.T) {
	good, err := templates.ReadFile("risk/scoring.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct{ from, to, want string }{
		"unknown level":      {"likelihood: high\n    impact: very-high", "likelihood: extreme\n    impact: very-high", "scoring.yaml:"},
		"unknown question":   {"questions: [tech.firewall]", "questions: [tech.firewal]", `no question "tech.firewal"`},
		"question twice":     {"questions: [tech.firewall]", "questions: [tech.mfa-remote]", `already belongs to weakness`},
		"two moves":          {"    raise: 1\n    reason: the scan rated", "    raise: 1\n    lower: 1\n    reason: the scan rated", "give only one of set, cap, raise, lower"},
		"bad matrix row":     {"very-low:  [very-low, very-low, very-low, low, low]", "very-low:  [very-low, low]", "very-low"},
		"duplicate rule ids": {"id: severity-medium", "id: severity-critical", `duplicate rule id "severity-critical"`},
	} {
		t.Run(name, func(t *testing.T) {
			bad := strings.Replace(string(good), tc.from, tc.to, 1)
			if bad == string(good) {
				t.Fatalf("fixture: %q not found in the rules", tc.from)
			}
			_, err := ParseRules("scoring.yaml", []byte(bad))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to mention %q", err, tc.want)
			}
			var fe datafile.FileErrors
			var one *datafile.FileError
			if !errors.As(err, &fe) && !errors.As(err, &one) {
				t.Fatalf("error %T is not a file error", err)
			}
			if !strings.Contains(err.Error(), "scoring.yaml:") {
				t.Errorf("error does not name the file and line: %v", err)
			}
		})
	}
}
