package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/telesra/telesra/cmd/telesra/workspace"
	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/report"
)

// reportWorkspace is a workspace with the report package's fixture scan, the sample answers
// and an asset map.
func reportWorkspace(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "acme")
	_, err := workspace.Create(dir, workspace.Assessment{SchemaVersion: 1,
		Organisation: workspace.Organisation{Name: "Riverside Family Telehealth", EPHISystems: []string{"Patient portal", "EHR", "Video visits"}},
		Assessor:     workspace.Assessor{Name: "Dana Whitfield"}, AssessmentDate: "2026-11-20",
		Scope: workspace.Scope{Targets: []string{"portal.riverside.example:443", "203.0.113.10:22", "10.20.0.5:80", "10.20.0.9:21"}}}, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"scan.json", "assets.yaml"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "..", "report", "testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := workspace.At(dir).SaveAnswers(questionnaire.DefaultBank(), questionnaire.SampleAnswers()); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestReportWritesEveryFormat(t *testing.T) {
	dir := reportWorkspace(t)
	out := filepath.Join(t.TempDir(), "out")
	r := run(t, nil, "report", "-w", dir, "-o", out)
	if r.code != 0 {
		t.Fatalf("report: exit %d\n%s", r.code, r.stderr)
	}
	var want []string
	for _, f := range report.Formats {
		for _, o := range f.Files() {
			want = append(want, filepath.Join(out, o.File))
		}
	}
	if got := strings.Fields(r.stdout); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("stdout %q, want the paths %q", got, want)
	}
	for _, p := range want {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() == 0 {
			t.Errorf("%s: %v %v", p, fi, err)
		}
	}
	// The sample answers flag five questions and leave Required specifications on "don't know":
	// a complete scan does not make that final.
	if !strings.Contains(r.stderr, "overall High; DRAFT") || !strings.Contains(r.stderr, "flagged for later") {
		t.Errorf("stderr: %s", r.stderr)
	}
	// Only some formats, into the default DIR/reports.
	r = run(t, nil, "report", "-w", dir, "-f", "csv,md")
	if r.code != 0 || len(strings.Fields(r.stdout)) != 2 {
		t.Fatalf("report -f csv,md: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "reports", "risk-summary.md")); err != nil {
		t.Error(err)
	}
}

func TestReportBadInput(t *testing.T) {
	dir := reportWorkspace(t)
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	plan := workspace.At(dir).PlanPath()
	if err := os.WriteFile(plan, []byte("schema_version: 1\nrisks:\n  R-12345678:\n    status: finished\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The output directory is checked before anything is read: its error wins over the plan's.
	r := run(t, nil, "report", "-w", dir, "-o", filepath.Join(notDir, "sub"))
	if r.code != ExitUsage || !strings.Contains(r.stderr, "cannot be created") {
		t.Errorf("unwritable output: exit %d %s", r.code, r.stderr)
	}
	out := t.TempDir()
	r = run(t, nil, "report", "-w", dir, "-o", out)
	if r.code != ExitUsage || !strings.Contains(r.stderr, "remediation.yaml:4") {
		t.Errorf("malformed plan: exit %d %s", r.code, r.stderr)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("a failed report left files: %v", entries)
	}
	if r := run(t, nil, "report", "-w", dir, "-f", "docx"); r.code != ExitUsage || !strings.Contains(r.stderr, `unknown report format "docx"`) {
		t.Errorf("unknown format: exit %d %s", r.code, r.stderr)
	}
}

func TestRisksSetListShow(t *testing.T) {
	dir := reportWorkspace(t)
	r := run(t, nil, "risks", "list", "-w", dir, "-f", "json")
	if r.code != 0 {
		t.Fatalf("risks list: exit %d %s", r.code, r.stderr)
	}
	var risks []struct{ ID, Level, Status, Owner, Asset, Title string }
	if err := json.Unmarshal([]byte(r.stdout), &risks); err != nil || len(risks) == 0 {
		t.Fatalf("risks list -f json: %v\n%s", err, r.stdout)
	}
	// The known-exploited risk: accepting it needs --override-required.
	id := risks[slices.IndexFunc(risks, func(k struct{ ID, Level, Status, Owner, Asset, Title string }) bool {
		return k.Title == "Unpatched or unsupported software"
	})].ID
	plan := workspace.At(dir).PlanPath()

	r = run(t, nil, "risks", "set", id, "-w", dir, "--owner", "Maria Lopez", "--due", "2026-12-31", "--status", "in progress")
	if r.code != 0 {
		t.Fatalf("risks set: exit %d %s", r.code, r.stderr)
	}
	data, err := os.ReadFile(plan)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(plan); fi.Mode().Perm() != 0o600 || !strings.Contains(string(data), "owner: Maria Lopez") || !strings.Contains(string(data), "status: in_progress") {
		t.Fatalf("remediation.yaml (%v):\n%s", fi.Mode(), data)
	}
	r = run(t, nil, "risks", "set", id, "-w", dir, "--status", "accepted", "--approver", "Dr A. Lee", "--role", "Practice owner", "--reason", "Replaced in Q1", "--expires", "2027-03-31", "--override-required")
	if r.code != 0 {
		t.Fatalf("accept: exit %d %s", r.code, r.stderr)
	}
	if bak, err := os.ReadFile(plan + ".bak"); err != nil || string(bak) != string(data) {
		t.Errorf("the previous plan was not kept as .bak: %v", err)
	}
	// Bad changes are refused and leave the file alone.
	before, _ := os.ReadFile(plan)
	typo := id[:len(id)-1] + map[bool]string{true: "0", false: "1"}[id[len(id)-1] != '0']
	for _, args := range [][]string{
		{"risks", "set", typo, "-w", dir, "--owner", "x"},
		{"risks", "set", id, "-w", dir, "--status", "verified"},
		{"risks", "set", id, "-w", dir, "--status", "done"},
		{"risks", "set", id, "-w", dir, "--due", "next week"},
		{"risks", "set", id, "-w", dir},
	} {
		r := run(t, nil, args...)
		if r.code != ExitUsage {
			t.Errorf("%v: exit %d %s", args[2:], r.code, r.stderr)
		}
		if after, _ := os.ReadFile(plan); string(after) != string(before) {
			t.Errorf("%v changed remediation.yaml", args[2:])
		}
	}
	if r := run(t, nil, "risks", "set", typo, "-w", dir, "--owner", "x"); !strings.Contains(r.stderr, "did you mean "+id) {
		t.Errorf("no suggestion for a mistyped ID: %s", r.stderr)
	}
	// list hides the accepted risk unless --all; show explains it.
	if r := run(t, nil, "risks", "list", "-w", dir); strings.Contains(r.stdout, id) {
		t.Errorf("an accepted risk is listed as open:\n%s", r.stdout)
	}
	if r := run(t, nil, "risks", "list", "-w", dir, "--all"); !strings.Contains(r.stdout, id) || !strings.Contains(r.stdout, "Maria Lopez") {
		t.Errorf("list --all:\n%s", r.stdout)
	}
	r = run(t, nil, "risks", "show", id, "-w", dir)
	for _, want := range []string{id, "Likelihood:", "why:", "Accepted by Dr A. Lee (Practice owner) on ", "until 2027-03-31: Replaced in Q1; overriding", "NIST SP 800-30 Table I-2"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("risks show lacks %q:\n%s", want, r.stdout)
		}
	}
	// A hand-broken plan: file:line, exit 2.
	if err := os.WriteFile(plan, append(before, []byte("  R-zz: {}\n")...), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := run(t, nil, "risks", "list", "-w", dir); r.code != ExitUsage || !strings.Contains(r.stderr, "remediation.yaml:") {
		t.Errorf("broken plan: exit %d %s", r.code, r.stderr)
	}
}

// TestDemoTwiceThenDiff runs the demo twice (its services keep their ports, so the targets
// match), makes the changes a user would make between two assessments in the second workspace,
// and compares them.
func TestDemoTwiceThenDiff(t *testing.T) {
	base := t.TempDir()
	a, b := filepath.Join(base, "a"), filepath.Join(base, "b")
	for _, dir := range []string{a, b} {
		r := run(t, nil, "demo", dir)
		if r.code != 0 {
			t.Fatalf("demo %s: exit %d\n%s", dir, r.code, r.stderr)
		}
		for _, f := range []string{"risk-assessment.pdf", "risk-register.xlsx"} {
			p := filepath.Join(dir, "reports", f)
			if _, err := os.Stat(p); err != nil || !strings.Contains(r.stdout, p) {
				t.Errorf("demo did not write or print %s: %v", p, err)
			}
		}
	}
	if r := run(t, nil, "diff", a, b); r.code != 0 || !strings.Contains(r.stderr, "0 new, 0 fixed, 0 changed") {
		t.Fatalf("two identical demo runs differ: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Between the runs the practice answered the questionnaire (the demo's sample answers), and
	// in the second one it put logging in place, stopped automatic logoff, and moved the patient
	// portal behind the VPN.
	bank := questionnaire.DefaultBank()
	if err := workspace.At(a).SaveAnswers(bank, questionnaire.SampleAnswers()); err != nil {
		t.Fatal(err)
	}
	changed := questionnaire.SampleAnswers()
	changed.SetStatus("tech.siem", questionnaire.Implemented, "2026-11-22")
	changed.SetStatus("tech.auto-logoff", questionnaire.NotImplemented, "2026-11-22")
	if err := workspace.At(b).SaveAnswers(bank, changed); err != nil {
		t.Fatal(err)
	}
	assets := workspace.At(b).AssetsPath()
	data, err := os.ReadFile(assets)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(assets, []byte(strings.Replace(string(data), "exposure: internet", "exposure: internal", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "diff", a, b, "-f", "json")
	if r.code != 0 {
		t.Fatalf("diff: exit %d %s", r.code, r.stderr)
	}
	var diffs []struct{ Kind, ID, Title, Asset, Old_level, New_level, Why string }
	if err := json.Unmarshal([]byte(r.stdout), &diffs); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, d := range diffs {
		got[d.Kind] = append(got[d.Kind], d.Title)
		// Only the patient portal moved behind the VPN: every changed level is one of its risks.
		if d.Kind == "changed" && !strings.HasPrefix(d.Asset, "Patient portal (") {
			t.Errorf("changed risk on %q, want only the patient portal's: %+v", d.Asset, d)
		}
	}
	if strings.Join(got["fixed"], "|") != "Security logs not collected or monitored" || strings.Join(got["new"], "|") != "No automatic logoff" ||
		!slices.Contains(got["changed"], "Service carrying data without encryption") {
		t.Errorf("diff: %+v", got)
	}
	if r := run(t, nil, "diff", a, b); !strings.Contains(r.stdout, "Very High → High (likelihood High → Moderate)") {
		t.Errorf("diff table:\n%s", r.stdout)
	}
	if r := run(t, nil, "diff", a, filepath.Join(base, "missing")); r.code != ExitUsage {
		t.Errorf("diff with a missing workspace: exit %d", r.code)
	}
}
