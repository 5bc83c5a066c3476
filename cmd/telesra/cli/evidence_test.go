package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDemoScanContradictsItsAnswers: the demo's sample answers claim MFA on remote logins,
// prompt patching of supported software, encrypted staff services and VPN-only remote access,
// and the demo's own scan disproves each. The register (JSON and risks show) flags every one,
// lists none of them as an existing control, and the SSH login that takes passwords from the
// internet is not lowered by the "VPN only" answer. The scan also verifies what it bears out
// (the video platform reached only over modern TLS), with its evidence, and never an answer it
// contradicts; the marks show in the answers export, the CSV and the Markdown summary.
func TestDemoScanContradictsItsAnswers(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	if r := run(t, nil, "demo", dir); r.code != 0 {
		t.Fatalf("demo: exit %d\n%s", r.code, r.stderr)
	}
	out := filepath.Join(dir, "json")
	if r := run(t, nil, "report", "-w", dir, "-f", "json", "-o", out); r.code != 0 {
		t.Fatalf("report: exit %d\n%s", r.code, r.stderr)
	}
	data, err := os.ReadFile(filepath.Join(out, "risk-register.json"))
	if err != nil {
		t.Fatal(err)
	}
	type answer struct {
		Question string   `json:"question"`
		Findings []string `json:"findings"`
	}
	var doc struct {
		Contradictions []answer `json:"contradictions"`
		Risks          []struct {
			ID, Title, Weakness string
			Asset               struct{ Name string }
			Controls            []answer `json:"existing_controls"`
			Contradicted        []answer `json:"contradicted_answers"`
			Likelihood          struct{ Rules []string }
		} `json:"risks"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	contradicted := map[string]bool{}
	for _, c := range doc.Contradictions {
		if len(c.Findings) == 0 {
			t.Errorf("%s contradicted without findings", c.Question)
		}
		contradicted[c.Question] = true
	}
	for what, q := range map[string]string{"MFA": "tech.mfa-remote", "patching": "tech.patching",
		"unsupported software": "tech.unsupported", "TLS": "tele.tls-staff", "VPN": "tele.vpn"} {
		if !contradicted[q] {
			t.Errorf("%s: answer %s not flagged as contradicted; contradictions: %+v", what, q, doc.Contradictions)
		}
	}
	var ssh string
	for _, k := range doc.Risks {
		for _, c := range k.Controls {
			if contradicted[c.Question] {
				t.Errorf("%s %s: contradicted answer %s listed as an existing control", k.ID, k.Title, c.Question)
			}
		}
		if k.Weakness == "password-only-login" && k.Asset.Name == "Remote administration" {
			ssh = k.ID
			if slices.Contains(k.Likelihood.Rules, "mitigating-control") {
				t.Errorf("SSH password login %s: the contradicted VPN answer lowers its likelihood: %v", k.ID, k.Likelihood.Rules)
			}
			if !slices.ContainsFunc(k.Contradicted, func(a answer) bool { return a.Question == "tele.vpn" }) {
				t.Errorf("SSH password login %s does not show the contradicted VPN answer: %+v", k.ID, k.Contradicted)
			}
		}
	}
	if ssh == "" {
		t.Fatal("the demo register has no password-only-login risk on Remote administration")
	}
	r := run(t, nil, "risks", "show", ssh, "-w", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "Contradicted:      tele.vpn") || strings.Contains(r.stdout, "Existing control:  tele.vpn") {
		t.Errorf("risks show %s: exit %d\n%s", ssh, r.code, r.stdout)
	}
	demoVerifiesAnswers(t, dir, data, contradicted)
}

// demoVerifiesAnswers: in the demo's register at least one answer is verified by scan, with
// the checks that passed and the assets they ran on; no contradicted answer is verified; the
// answers export and the CSV and Markdown reports carry both marks.
func demoVerifiesAnswers(t *testing.T, dir string, register []byte, contradicted map[string]bool) {
	t.Helper()
	var doc struct {
		Verifications []struct {
			Question string
			Rules    []string
			Checks   []string
			Assets   []string
		}
	}
	if err := json.Unmarshal(register, &doc); err != nil {
		t.Fatal(err)
	}
	verified := map[string]bool{}
	for _, v := range doc.Verifications {
		verified[v.Question] = true
		if contradicted[v.Question] {
			t.Errorf("%s is both contradicted and verified", v.Question)
		}
		if len(v.Rules) == 0 || len(v.Checks) == 0 || len(v.Assets) == 0 {
			t.Errorf("%s verified without evidence: %+v", v.Question, v)
		}
	}
	if !verified["tele.video-encryption"] {
		t.Fatalf("the demo's video platform (grade A+) does not verify tele.video-encryption: %+v", doc.Verifications)
	}
	r := run(t, nil, "answers", "export", "-w", dir, "--questions", "tele.vpn,tele.video-encryption,tech.siem")
	if r.code != 0 {
		t.Fatalf("answers export: exit %d\n%s", r.code, r.stderr)
	}
	flat := strings.Join(strings.Fields(strings.ReplaceAll(r.stdout, "#", "")), " ")
	for _, want := range []string{"Contradicted by the scan: the scan reached remote access", "Verified by scan: participants reach the video platform"} {
		if !strings.Contains(flat, want) {
			t.Errorf("answers export lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Count(flat, "by the scan:")+strings.Count(flat, "Verified by scan:") != 2 {
		t.Errorf("answers export marks more than the two answers the scan judged:\n%s", r.stdout)
	}
	out := filepath.Join(dir, "marks")
	if r := run(t, nil, "report", "-w", dir, "-f", "csv,markdown", "-o", out); r.code != 0 {
		t.Fatalf("report: exit %d\n%s", r.code, r.stderr)
	}
	md, err := os.ReadFile(filepath.Join(out, "risk-summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "| tele.vpn | Implemented | contradicted |") || !strings.Contains(string(md), "| tele.video-encryption | Implemented | verified by scan |") {
		t.Errorf("risk-summary.md lacks the marks:\n%s", md)
	}
	csv, err := os.ReadFile(filepath.Join(out, "risk-register.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(csv), "tele.vpn (Implemented): the scan reached remote access") {
		t.Errorf("risk-register.csv lacks the contradicted VPN answer")
	}
}

// TestNotApplicableOnRequiredRefusedByEveryVerb: answers.yaml answering "not applicable" to
// the risk analysis (a Required specification) stops the report with file:line and the rule,
// exit 2, and writes nothing.
func TestNotApplicableOnRequiredRefusedByEveryVerb(t *testing.T) {
	dir := reportWorkspace(t)
	path := filepath.Join(dir, "answers.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Replace the sample's own entry (a duplicate key would be refused for another reason).
	lines := strings.Split(string(data), "\n")
	found := false
	for i, l := range lines {
		if l == "  gov.risk-analysis:" {
			j := i + 1
			for j < len(lines) && strings.HasPrefix(lines[j], "    ") {
				j++
			}
			lines = append(lines[:i+1], append([]string{"    status: not_applicable", "    notes: We are too small for one."}, lines[j:]...)...)
			found = true
			break
		}
	}
	if !found {
		t.Fatal("the sample answers no longer answer gov.risk-analysis")
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	r := run(t, nil, "report", "-w", dir, "-f", "json", "-o", out)
	if r.code != ExitUsage || !strings.Contains(r.stderr, "answers.yaml:") || !strings.Contains(r.stderr, "164.308(a)(1)(ii)(A)") ||
		!strings.Contains(r.stderr, "164.306(d)(2)") {
		t.Errorf("report with N/A on the risk analysis: exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "risk-register.json")); err == nil {
		t.Error("a report was written from refused answers")
	}
}

// TestRisksSetAcceptanceGovernance: `risks set --status accepted` refuses the formality the
// issue describes (approver "x", reason "fine", expiry 2099) and a known-exploited risk without
// --override-required, exit 2 with the rule, remediation.yaml untouched; with the override the
// acceptance is saved with what it overrode, and risks show prints the reason.
func TestRisksSetAcceptanceGovernance(t *testing.T) {
	dir := reportWorkspace(t)
	plan := filepath.Join(dir, "remediation.yaml")
	const kev, plain = "R-7de6d6e4", "R-b56603ba" // unpatched SSH host (KEV); cleartext EHR
	for _, args := range [][]string{
		{plain, "--approver", "x", "--reason", "fine", "--expires", "2099-12-31"},
		{plain, "--approver", "x", "--role", "Owner", "--reason", "fine", "--expires", "2027-01-31"},
		{plain, "--approver", "Dr A. Lee", "--role", "Owner", "--reason", "Isolated VLAN until March", "--expires", "2099-12-31"},
		{kev, "--approver", "Dr A. Lee", "--role", "Owner", "--reason", "Replaced by the vendor next month", "--expires", "2027-01-31"},
	} {
		r := run(t, nil, append([]string{"risks", "set", "-w", dir, "--status", "accepted"}, args...)...)
		if r.code != ExitUsage || r.stderr == "" {
			t.Errorf("risks set %v: exit %d %s", args, r.code, r.stderr)
		}
		if _, err := os.Stat(plan); err == nil {
			t.Fatalf("risks set %v wrote remediation.yaml", args)
		}
	}
	r := run(t, nil, "risks", "set", "-w", dir, "--status", "accepted", kev, "--approver", "Dr A. Lee", "--role", "Practice owner",
		"--reason", "Replaced by the vendor next month", "--expires", "2027-01-31", "--override-required")
	if r.code != 0 {
		t.Fatalf("override: exit %d %s", r.code, r.stderr)
	}
	data, _ := os.ReadFile(plan)
	if !strings.Contains(string(data), "overrides:") || !strings.Contains(string(data), "role: Practice owner") {
		t.Errorf("remediation.yaml does not record the override:\n%s", data)
	}
	if r := run(t, nil, "risks", "show", kev, "-w", dir); !strings.Contains(r.stdout, "Replaced by the vendor next month") ||
		!strings.Contains(r.stdout, "overriding") {
		t.Errorf("risks show:\n%s", r.stdout)
	}
}
