package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/telesra/telesra/checks/checkstest"
	"github.com/telesra/telesra/cmd/telesra/workspace"
	"github.com/telesra/telesra/questionnaire"
)

// finalWorkspace is reportWorkspace (a complete scan) with every question asked answered
// "implemented", none flagged: nothing keeps its report a draft.
func finalWorkspace(t *testing.T) string {
	t.Helper()
	dir := reportWorkspace(t)
	bank := questionnaire.DefaultBank()
	a := questionnaire.SampleAnswers()
	for _, q := range bank.Questions(a.Profiles) {
		if q.Kind == questionnaire.KindControl && bank.Visibility(q, a) == questionnaire.Asked {
			a.SetStatus(q.ID, questionnaire.Implemented, "2026-11-20")
			a.Update(q.ID, "2026-11-20", func(x *questionnaire.Answer) { x.Flagged = false })
		}
	}
	if err := workspace.At(dir).SaveAnswers(bank, a); err != nil {
		t.Fatal(err)
	}
	// A final report's inventory covers what the answers imply: seed it and confirm each seed,
	// as a consultant would after checking them.
	if r := run(t, nil, "assets", "seed", "-q", "-w", dir); r.code != 0 {
		t.Fatalf("assets seed: exit %d %s", r.code, r.stderr)
	}
	var inv []struct {
		Name       string `json:"name"`
		SeededFrom string `json:"seeded_from"`
	}
	r := run(t, nil, "assets", "list", "-f", "json", "-w", dir)
	if err := json.Unmarshal([]byte(r.stdout), &inv); err != nil {
		t.Fatalf("assets list: %v %s", err, r.stdout)
	}
	for _, x := range inv {
		if x.SeededFrom != "" {
			if r := run(t, nil, "assets", "set", x.Name, "--confirm", "-q", "-w", dir); r.code != 0 {
				t.Fatalf("assets set %s --confirm: exit %d %s", x.Name, r.code, r.stderr)
			}
		}
	}
	an, err := workspace.Analyse(dir, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if c := an.Document(fixedNow, nil).Completion; c.Draft {
		t.Fatalf("the final workspace is a draft: %v", c.Reasons)
	}
	return dir
}

// reportText runs `telesra report` into a new directory and returns the PDF's text (pages
// joined, spacing collapsed), the JSON register and the workbook's Summary rows.
func reportText(t *testing.T, dir string) (string, map[string]any, [][]string) {
	t.Helper()
	out := t.TempDir()
	if r := run(t, nil, "report", "-w", dir, "-o", out, "-f", "pdf,json,xlsx"); r.code != 0 {
		t.Fatalf("report: exit %d %s", r.code, r.stderr)
	}
	bin := checkstest.RequireBinary(t, "pdftotext")
	text, err := exec.Command(bin, "-enc", "UTF-8", filepath.Join(out, "risk-assessment.pdf"), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(out, "risk-register.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenFile(filepath.Join(out, "risk-register.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows("Summary")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(text)), " "), doc, rows
}

func summaryRow(rows [][]string, label string) string {
	i := slices.IndexFunc(rows, func(r []string) bool { return len(r) > 1 && r[0] == label })
	if i < 0 {
		return ""
	}
	return rows[i][1]
}

// TestReportApprove: an approval of a final report is shown in every format while the inputs
// are those approved; once an input changes (an answer, a risk set) it no longer counts, and
// the reports say it was of an earlier state.
func TestReportApprove(t *testing.T) {
	dir := finalWorkspace(t)
	l := workspace.At(dir)
	r := run(t, nil, "report", "approve", "-w", dir, "--by", "Dr A. Lee", "--role", "Practice owner", "--statement", "Reviewed with management")
	if r.code != 0 {
		t.Fatalf("approve: exit %d %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "Recorded the approval by Dr A. Lee (Practice owner) on 2026-11-22") {
		t.Errorf("stderr: %s", r.stderr)
	}
	fi, err := os.Stat(l.ApprovalsPath())
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("approvals.yaml: %v %v, want mode 0600", fi, err)
	}
	digest, err := l.InputsDigest("test")
	if err != nil {
		t.Fatal(err)
	}

	text, doc, rows := reportText(t, dir)
	if !strings.Contains(text, "Approval Approved by Dr A. Lee (Practice owner) on 2026-11-22") {
		t.Errorf("the cover does not say Approved by:\n%.1500s", text)
	}
	if !strings.Contains(text, "Approved by Dr A. Lee (Practice owner) on 2026-11-22, inputs sha256 "+digest[7:19]) ||
		!strings.Contains(text, "Statement: Reviewed with management") {
		t.Errorf("the sign-off does not list the approval with its digest %s", digest[7:19])
	}
	if strings.Contains(text, "Not approved") {
		t.Error("an approved report says Not approved")
	}
	want := []any{map[string]any{"by": "Dr A. Lee", "role": "Practice owner", "date": "2026-11-22", "statement": "Reviewed with management",
		"digest": digest, "current": true}}
	if got, _ := json.Marshal(doc["approvals"]); string(got) != mustJSON(t, want) {
		t.Errorf("JSON approvals %s, want %s", got, mustJSON(t, want))
	}
	if got := summaryRow(rows, "Approval"); got != "Approved by Dr A. Lee (Practice owner) on 2026-11-22" {
		t.Errorf("workbook Summary Approval row %q", got)
	}
	if r := run(t, nil, "report", "approve", "--list", "-w", dir); r.code != 0 ||
		r.stdout != "2026-11-22  Dr A. Lee (Practice owner)  sha256 "+digest[7:19]+"  current\n" {
		t.Errorf("--list: exit %d %q %s", r.code, r.stdout, r.stderr)
	}

	// A risk set changes remediation.yaml: the approval was of an earlier state.
	id := mustFirstRisk(t, dir)
	if r := run(t, nil, "risks", "set", id, "-w", dir, "--owner", "Maria Lopez"); r.code != 0 {
		t.Fatalf("risks set: exit %d %s", r.code, r.stderr)
	}
	text, doc, rows = reportText(t, dir)
	const notApproved = "Not approved: the approval by Dr A. Lee on 2026-11-22 was of an earlier state of the assessment (its inputs changed since)"
	if !strings.Contains(text, notApproved) {
		t.Errorf("the cover does not say the approval is of an earlier state:\n%.1500s", text)
	}
	if !strings.Contains(text, "Superseded: the approval by Dr A. Lee (Practice owner) on 2026-11-22 was of inputs sha256 "+digest[7:19]) ||
		strings.Contains(text, "Approved by Dr A. Lee") {
		t.Error("the sign-off does not list the approval as superseded, or still counts it")
	}
	if as, _ := doc["approvals"].([]any); len(as) != 1 || as[0].(map[string]any)["current"] != false {
		t.Errorf("JSON approvals after a change: %v", doc["approvals"])
	}
	if got := summaryRow(rows, "Approval"); got != notApproved {
		t.Errorf("workbook Summary Approval row %q", got)
	}
	if r := run(t, nil, "report", "approve", "--list", "-w", dir); !strings.Contains(r.stdout, "superseded") {
		t.Errorf("--list after a change: %q", r.stdout)
	}

	// Approving the new state again is allowed, and current; an answer changed supersedes it.
	if r := run(t, nil, "report", "approve", "-w", dir, "--by", "Dr A. Lee", "--role", "Practice owner"); r.code != 0 {
		t.Fatalf("approve again: exit %d %s", r.code, r.stderr)
	}
	if text, _, _ = reportText(t, dir); !strings.Contains(text, "Approval Approved by Dr A. Lee (Practice owner) on 2026-11-22") {
		t.Error("the second approval is not shown as current")
	}
	bank := questionnaire.DefaultBank()
	a, err := l.LoadAnswers(bank)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range bank.Questions(a.Profiles) {
		if q.Kind == questionnaire.KindControl && bank.Visibility(q, a) == questionnaire.Asked {
			a.Update(q.ID, "2026-11-22", func(x *questionnaire.Answer) { x.Notes = "Checked again" })
			break
		}
	}
	if err := l.SaveAnswers(bank, a); err != nil {
		t.Fatal(err)
	}
	if text, _, _ = reportText(t, dir); !strings.Contains(text, "Not approved: the approvals by Dr A. Lee on 2026-11-22, by Dr A. Lee on 2026-11-22 were of earlier states") {
		t.Errorf("after an answer changed, the cover:\n%.1500s", text)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReportApproveRefusals: each refusal exits 2 with a message saying why, and leaves
// approvals.yaml byte-identical (or not created).
func TestReportApproveRefusals(t *testing.T) {
	draft := reportWorkspace(t) // the sample answers: flagged, "don't know" on Required specifications
	r := run(t, nil, "report", "approve", "-w", draft, "--by", "Dr A. Lee", "--role", "Practice owner")
	if r.code != ExitUsage || !strings.Contains(r.stderr, "the report is a DRAFT, and a draft cannot be approved") ||
		!strings.Contains(r.stderr, "flagged for later") {
		t.Errorf("approving a draft: exit %d %s", r.code, r.stderr)
	}
	if _, err := os.Stat(workspace.At(draft).ApprovalsPath()); !os.IsNotExist(err) {
		t.Errorf("a refused approval created approvals.yaml: %v", err)
	}

	dir := finalWorkspace(t)
	path := workspace.At(dir).ApprovalsPath()
	if r := run(t, nil, "report", "approve", "-w", dir, "--by", "Dr A. Lee", "--role", "Practice owner"); r.code != 0 {
		t.Fatalf("approve: exit %d %s", r.code, r.stderr)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no --by", []string{"--role", "Practice owner"}, "--by missing"},
		{"no --role", []string{"--by", "Maria Lopez"}, "--role missing"},
		{"neither", nil, "--by and --role missing"},
		{"blank --by", []string{"--by", "  ", "--role", "Practice owner"}, "--by is blank"},
		{"blank --role", []string{"--by", "Maria Lopez", "--role", "\t"}, "--role is blank"},
		{"a line break", []string{"--by", "Maria\nApproved by Someone", "--role", "Owner"}, "control character"},
		{"twice", []string{"--by", "dr a.  lee", "--role", "Owner"}, "Dr A. Lee already approved these inputs"},
		{"--list with --by", []string{"--list", "--by", "X"}, "--list prints the approvals"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, nil, append([]string{"report", "approve", "-w", dir}, c.args...)...)
			if r.code != ExitUsage || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", r.code, r.stderr, c.want)
			}
			if after, _ := os.ReadFile(path); string(after) != string(before) {
				t.Errorf("approvals.yaml changed:\n%s", after)
			}
		})
	}
}

// TestReportApprovalsFileBadInput: a malformed approvals.yaml is a file:line error (exit 2) for
// report and for approve, and approve leaves it as it was.
func TestReportApprovalsFileBadInput(t *testing.T) {
	dir := finalWorkspace(t)
	path := workspace.At(dir).ApprovalsPath()
	for name, text := range map[string]string{
		"approvals.yaml:5:11: approvals[0].role":   "schema_version: 1\napprovals:\n  - by: Dr A. Lee\n    date: \"2026-11-22\"\n    role: \"  \"\n    digest: sha256:" + strings.Repeat("a", 64) + "\n",
		"approvals.yaml:4:13: approvals[0].digest": "schema_version: 1\napprovals:\n  - by: Dr A. Lee\n    digest: abc\n    role: Owner\n    date: \"2026-11-22\"\n",
		"approvals.yaml:4:11: approvals[0].date":   "schema_version: 1\napprovals:\n  - by: Dr A. Lee\n    date: yesterday\n    role: Owner\n    digest: sha256:" + strings.Repeat("a", 64) + "\n",
	} {
		writeFile(t, path, text)
		if r := run(t, nil, "report", "-w", dir, "-o", t.TempDir(), "-f", "json"); r.code != ExitUsage || !strings.Contains(r.stderr, name) {
			t.Errorf("report: exit %d %s; want 2 and %s", r.code, r.stderr, name)
		}
		if r := run(t, nil, "report", "approve", "-w", dir, "--by", "Maria Lopez", "--role", "Security official"); r.code != ExitUsage || !strings.Contains(r.stderr, name) {
			t.Errorf("approve: exit %d %s; want 2 and %s", r.code, r.stderr, name)
		}
		if after, _ := os.ReadFile(path); string(after) != text {
			t.Errorf("approve rewrote a malformed approvals.yaml:\n%s", after)
		}
	}
}
