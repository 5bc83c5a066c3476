package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/telesra/telesra/cmd/telesra/workspace"
	"github.com/telesra/telesra/report/register"
)

// ehrCleartext is the cleartext EHR risk of reportWorkspace (R-b56603ba: HTTP on 10.20.0.5:80).
const ehrCleartext = "R-b56603ba"

// TestRisksSetOverrideRefusals: an assessor's rating without a reason of substance, without an
// author, with a level that is not NIST's, or on a risk that does not exist is refused with
// exit 2 and a message saying what is missing, and remediation.yaml stays byte for byte.
func TestRisksSetOverrideRefusals(t *testing.T) {
	dir := reportWorkspace(t)
	plan := workspace.At(dir).PlanPath()
	if r := run(t, nil, "risks", "set", ehrCleartext, "-w", dir, "--owner", "Maria Lopez"); r.code != 0 {
		t.Fatalf("risks set --owner: exit %d %s", r.code, r.stderr)
	}
	before, err := os.ReadFile(plan)
	if err != nil {
		t.Fatal(err)
	}
	why := "Staff open the EHR from home over plain HTTP"
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"missing why":    {[]string{ehrCleartext, "--likelihood", "high", "--by", "Dana Whitfield"}, "needs --why"},
		"one-word why":   {[]string{ehrCleartext, "--likelihood", "high", "--by", "Dana Whitfield", "--why", "obviously"}, "at least 3 words"},
		"two-word why":   {[]string{ehrCleartext, "--likelihood", "high", "--by", "Dana Whitfield", "--why", "too risky"}, "at least 3 words"},
		"missing by":     {[]string{ehrCleartext, "--likelihood", "high", "--why", why}, "needs --by"},
		"no level":       {[]string{ehrCleartext, "--by", "Dana Whitfield", "--why", why}, "needs --likelihood or --impact"},
		"bad level":      {[]string{ehrCleartext, "--likelihood", "extreme", "--by", "Dana Whitfield", "--why", why}, `--likelihood: unknown level "extreme"`},
		"bad impact":     {[]string{ehrCleartext, "--impact", "medium", "--by", "Dana Whitfield", "--why", why}, `--impact: unknown level "medium"`},
		"unknown risk":   {[]string{"R-00000000", "--likelihood", "high", "--by", "Dana Whitfield", "--why", why}, "no risk R-00000000"},
		"nothing to clr": {[]string{ehrCleartext, "--clear-override"}, "no assessor override to clear"},
		"with accept":    {[]string{ehrCleartext, "--likelihood", "high", "--by", "Dana", "--why", why, "--status", "accepted"}, "two commands"},
		"clear and set":  {[]string{ehrCleartext, "--likelihood", "high", "--clear-override"}, "--clear-override removes"},
	} {
		t.Run(name, func(t *testing.T) {
			r := run(t, nil, append([]string{"risks", "set", "-w", dir}, tc.args...)...)
			if r.code != ExitUsage || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, want %d with %q:\n%s", r.code, ExitUsage, tc.want, r.stderr)
			}
			if after, _ := os.ReadFile(plan); string(after) != string(before) {
				t.Errorf("a refused override changed remediation.yaml:\n%s", after)
			}
		})
	}
}

// TestRisksSetOverride: the assessor's rating becomes the final one in the register (level,
// heat map, counts, JSON) while the computed rating is kept and shown beside it; risks show
// explains both, risks list marks the row, and a later change of the computed rating is flagged.
func TestRisksSetOverride(t *testing.T) {
	dir := reportWorkspace(t)
	before, err := workspace.Analyse(dir, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	k0, ok := before.Register.Risk(ehrCleartext)
	if !ok || k0.Likelihood.Level == register.Levels()[4] {
		t.Fatalf("fixture: %s missing or already Very High", ehrCleartext)
	}
	r := run(t, nil, "risks", "set", ehrCleartext, "-w", dir, "--likelihood", "Very High", "--by", "Dana Whitfield", "--role", "Assessor",
		"--why", "Staff open the EHR from home over plain HTTP")
	if r.code != 0 || !strings.Contains(r.stderr, "assessor's level") {
		t.Fatalf("risks set: exit %d %s", r.code, r.stderr)
	}
	data, _ := os.ReadFile(workspace.At(dir).PlanPath())
	for _, want := range []string{"override:", "likelihood: very-high", "by: Dana Whitfield", "role: Assessor", `date: "2026-`, "computed:"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("remediation.yaml lacks %q:\n%s", want, data)
		}
	}

	after, err := workspace.Analyse(dir, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	k, _ := after.Register.Risk(ehrCleartext)
	vh := register.Levels()[4]
	final := after.Register.Rules.RiskLevel(vh, k0.Impact.Level)
	if k.Level != final || k.Likelihood.Level != vh || k.Computed.Likelihood.Level != k0.Likelihood.Level || k.Computed.Level != k0.Level {
		t.Errorf("final %s (likelihood %s), computed %s (likelihood %s); want final %s, computed %s (%s)",
			k.Level, k.Likelihood.Level, k.Computed.Level, k.Computed.Likelihood.Level, final, k0.Level, k0.Likelihood.Level)
	}
	if h := after.Register.Heat(); h[vh-1][k0.Impact.Level-1] != before.Register.Heat()[vh-1][k0.Impact.Level-1]+1 {
		t.Error("the heat map does not count the risk at its final likelihood")
	}

	out := filepath.Join(t.TempDir(), "json")
	if r := run(t, nil, "report", "-w", dir, "-f", "json,md", "-o", out); r.code != 0 {
		t.Fatalf("report: exit %d %s", r.code, r.stderr)
	}
	raw, _ := os.ReadFile(filepath.Join(out, "risk-register.json"))
	var doc struct {
		Summary struct {
			ByLevel map[string]int `json:"open_by_level"`
		}
		Risks []struct {
			ID         string
			Level      string
			Likelihood struct{ Level string }
			Computed   *struct {
				Level      string
				Likelihood struct{ Level string }
			}
			Override *struct {
				Likelihood, Why, By, Role, Date string
				ComputedChanged                 bool `json:"computed_changed"`
			}
		}
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, jr := range doc.Risks {
		if jr.ID != ehrCleartext {
			if jr.Override != nil || jr.Computed != nil {
				t.Errorf("%s: override fields on a risk nobody rated", jr.ID)
			}
			continue
		}
		found = true
		if jr.Level != final.ID() || jr.Likelihood.Level != "very-high" || jr.Computed == nil || jr.Computed.Level != k0.Level.ID() ||
			jr.Computed.Likelihood.Level != k0.Likelihood.Level.ID() || jr.Override == nil || jr.Override.By != "Dana Whitfield" ||
			jr.Override.Role != "Assessor" || jr.Override.Why == "" || jr.Override.ComputedChanged {
			t.Errorf("JSON risk: %s", raw)
		}
	}
	if !found {
		t.Fatalf("JSON register lacks %s", ehrCleartext)
	}
	if n := doc.Summary.ByLevel[final.ID()]; final != k0.Level && n != before.Register.Counts()[final]+1 {
		t.Errorf("open_by_level[%s] = %d, was %d", final.ID(), n, before.Register.Counts()[final])
	}
	md, _ := os.ReadFile(filepath.Join(out, "risk-summary.md"))
	if !strings.Contains(string(md), "## Assessor overrides") || !strings.Contains(string(md), "Staff open the EHR from home over plain HTTP") {
		t.Errorf("Markdown does not show the override:\n%s", md)
	}

	r = run(t, nil, "risks", "show", ehrCleartext, "-w", dir)
	for _, want := range []string{
		"Likelihood:        " + k0.Likelihood.Level.String() + " (",
		"Risk level:        " + k0.Level.String() + " (NIST",
		"Assessor override: likelihood Very High (computed " + k0.Likelihood.Level.String() + "), level " + final.String() + " (computed " + k0.Level.String() + "), by Dana Whitfield (Assessor) on 2026-",
		": Staff open the EHR from home over plain HTTP",
		"Final rating:      likelihood Very High, impact " + k0.Impact.Level.String() + ", risk level " + final.String(),
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("risks show lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := run(t, nil, "risks", "list", "-w", dir); !strings.Contains(r.stdout, final.String()+"*") || !strings.Contains(r.stderr, "* rated by the assessor") {
		t.Errorf("risks list does not mark the override:\n%s%s", r.stdout, r.stderr)
	}

	// A new asset map puts the EHR on the internet: the computed likelihood rises, the
	// assessor's rating still applies, and every view says to re-confirm it.
	assets := workspace.At(dir).AssetsPath()
	moved := "schema_version: 1\nassets:\n  - name: EHR\n    targets: [\"10.20.0.5:*\"]\n    exposure: internet\n"
	if err := os.WriteFile(assets, []byte(moved), 0o600); err != nil {
		t.Fatal(err)
	}
	r = run(t, nil, "risks", "show", ehrCleartext, "-w", dir)
	if !strings.Contains(r.stdout, "computed rating changed since the override") || !strings.Contains(r.stdout, "Final rating:      likelihood Very High") {
		t.Errorf("risks show after the computed rating changed:\n%s", r.stdout)
	}
	if r := run(t, nil, "risks", "list", "-w", dir); !strings.Contains(r.stdout, final.String()+"!") || !strings.Contains(r.stderr, "re-confirm") {
		t.Errorf("risks list does not flag the changed computed rating:\n%s", r.stdout)
	}

	// Cleared: the computed rating is final again, and nothing is flagged.
	if r := run(t, nil, "risks", "set", ehrCleartext, "-w", dir, "--clear-override"); r.code != 0 {
		t.Fatalf("--clear-override: exit %d %s", r.code, r.stderr)
	}
	if r := run(t, nil, "risks", "show", ehrCleartext, "-w", dir); strings.Contains(r.stdout, "Assessor override") {
		t.Errorf("the override is still shown after --clear-override:\n%s", r.stdout)
	}
}

// TestBadOverrideInRemediationYAML: a hand-edited override with a level that is not NIST's is a
// file:line error, exit 2, for every verb that reads the plan.
func TestBadOverrideInRemediationYAML(t *testing.T) {
	dir := reportWorkspace(t)
	bad := "schema_version: 1\nrisks:\n  " + ehrCleartext + ":\n    override:\n      likelihood: extreme\n      why: Staff open it from home\n      by: Dana\n      date: 2026-11-22\n"
	if err := os.WriteFile(workspace.At(dir).PlanPath(), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"risks", "list", "-w", dir}, {"report", "-w", dir, "-f", "json", "-o", t.TempDir()}} {
		if r := run(t, nil, args...); r.code != ExitUsage || !strings.Contains(r.stderr, "remediation.yaml:5") || !strings.Contains(r.stderr, "very-high") {
			t.Errorf("%v: exit %d %s", args[:2], r.code, r.stderr)
		}
	}
}
