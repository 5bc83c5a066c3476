package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/telesra/telesra/cmd/telesra/workspace"
	"github.com/telesra/telesra/questionnaire"
)

func testIO(in string, tty bool) (*IOStreams, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	env := map[string]string{"TERM": "xterm"}
	return &IOStreams{In: strings.NewReader(in), Out: &out, ErrOut: &errOut, InTTY: tty, ErrTTY: tty,
		Getenv: func(k string) string { return env[k] }}, &out, &errOut
}

var testNow = func() time.Time { return time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC) }

func newWorkspace(t *testing.T, org string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ws")
	a := workspace.Assessment{SchemaVersion: 1, Organisation: workspace.Organisation{Name: org},
		Assessor: workspace.Assessor{Name: "Tester"}, AssessmentDate: "2026-11-20", Scope: workspace.Scope{Targets: []string{"127.0.0.1"}},
		Authorisation: &workspace.Authorisation{AuthorisedBy: "Owner", AuthorisedOn: "2026-11-20"}}
	if _, err := workspace.Create(dir, a, false); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestAssessFlags(t *testing.T) {
	io, _, _ := testIO("", true)
	var got *AssessOptions
	cmd := NewCmdAssess(&Factory{IO: io, Now: testNow}, func(o *AssessOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"-w", "acme", "--accessible", "--profile", "nprm"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Workspace != "acme" || !got.Accessible || got.Profile != "nprm" {
		t.Errorf("options %+v", got)
	}
}

func TestAssessWithoutTerminalPointsToTheAnswersFile(t *testing.T) {
	dir := newWorkspace(t, "Acme")
	io, _, _ := testIO("", false)
	err := assessRun(context.Background(), &AssessOptions{IO: io, Now: testNow, Workspace: dir})
	if ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), filepath.Join(dir, "answers.yaml")) {
		t.Fatalf("got %v (exit %d)", err, ExitCode(err))
	}
	if _, err := os.Stat(workspace.At(dir).AnswersPath()); err == nil {
		t.Error("a refused assess wrote answers.yaml")
	}
	err = assessRun(context.Background(), &AssessOptions{IO: io, Now: testNow, Workspace: dir, Profile: "nprn"})
	if ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), `unknown profile "nprn"`) {
		t.Errorf("bad profile: %v", err)
	}
}

func TestAssessAccessibleAndDumbTerminal(t *testing.T) {
	dir := newWorkspace(t, "Acme")
	io, _, errOut := testIO("1\n2\nq\n", true)
	if err := assessRun(context.Background(), &AssessOptions{IO: io, Now: testNow, Workspace: dir, Accessible: true, Profile: "nprm"}); err != nil {
		t.Fatal(err)
	}
	a, err := workspace.At(dir).LoadAnswers(questionnaire.DefaultBank())
	if err != nil {
		t.Fatal(err)
	}
	if a.Get("about.office").Status != questionnaire.Yes || a.Get("about.servers").Status != questionnaire.No || !a.HasProfile("nprm") {
		t.Errorf("answers %+v profiles %v", a.ByID, a.Profiles)
	}
	if !strings.Contains(errOut.String(), "2 of 130 questions answered") {
		t.Errorf("summary:\n%s", errOut)
	}
	// TERM=dumb chooses the plain prompts without --accessible (the full-screen session would fail the test).
	io, _, errOut = testIO("1\nq\n", true)
	io.Getenv = func(k string) string { return map[string]string{"TERM": "dumb"}[k] }
	o := &AssessOptions{IO: io, Now: testNow, Workspace: dir, Session: nil}
	if err := assessRun(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut.String(), "plain prompts") {
		t.Errorf("TERM=dumb did not give plain prompts:\n%s", errOut)
	}
}

func TestAnswersExportImport(t *testing.T) {
	dir := newWorkspace(t, "Acme")
	bank := questionnaire.DefaultBank()
	mine := questionnaire.NewAnswers()
	mine.SetStatus("tech.mfa-remote", questionnaire.Partial, "2026-11-20")
	mine.SetStatus("tech.siem", questionnaire.Unknown, "2026-11-20")
	if err := workspace.At(dir).SaveAnswers(bank, mine); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "tech.yaml")
	io, _, _ := testIO("", false)
	if err := answersExportRun(&AnswersExportOptions{IO: io, Workspace: dir, Section: "tech", Output: file}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(file)
	text := string(data)
	text = strings.Replace(text, "tech.unique-ids:\n    status:\n", "tech.unique-ids:\n    status: implemented\n", 1)
	text = strings.Replace(text, "tech.mfa-remote:\n    status: partial\n", "tech.mfa-remote:\n    status: implemented\n", 1)
	text = strings.Replace(text, "tech.siem:\n    status: unknown\n", "tech.siem:\n    status: not_implemented\n", 1)
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	io, _, errOut := testIO("", false)
	err := answersImportRun(&AnswersImportOptions{IO: io, Workspace: dir, File: file, today: func() string { return "2026-11-21" }})
	if ExitCode(err) != ExitUsage || !strings.Contains(errOut.String(), "conflict tech.mfa-remote: workspace says Partial, imported file says Implemented") {
		t.Fatalf("import: %v\n%s", err, errOut)
	}
	a, err := workspace.At(dir).LoadAnswers(bank)
	if err != nil {
		t.Fatal(err)
	}
	if a.Get("tech.mfa-remote").Status != questionnaire.Partial {
		t.Error("a conflicting answer overwrote the workspace's")
	}
	if a.Get("tech.unique-ids").Status != questionnaire.Implemented || a.Get("tech.siem").Status != questionnaire.NotImplemented {
		t.Errorf("non-conflicting answers not merged: %+v", a.ByID)
	}
	if _, err := os.Stat(workspace.At(dir).AnswersPath() + workspace.BackupSuffix); err != nil {
		t.Errorf("no backup before the import rewrote answers.yaml: %v", err)
	}
	// An export never overwrites a file silently.
	if err := answersExportRun(&AnswersExportOptions{IO: io, Workspace: dir, Section: "tech", Output: file}); ExitCode(err) != ExitUsage {
		t.Errorf("export over an existing file: %v", err)
	}
}

func TestInitFromCarriesAnswersForward(t *testing.T) {
	last := newWorkspace(t, "Acme Telehealth")
	bank := questionnaire.DefaultBank()
	prev := questionnaire.NewAnswers()
	prev.SetStatus("tech.mfa-remote", questionnaire.Partial, "2025-11-20")
	if err := workspace.At(last).SaveAnswers(bank, prev); err != nil {
		t.Fatal(err)
	}
	next := filepath.Join(t.TempDir(), "next")
	io, _, errOut := testIO("", false)
	if err := initRun(context.Background(), &InitOptions{IO: io, Now: testNow, Dir: next, From: last, AuthorisedBy: "Owner", AuthorisedOn: "2026-11-20"}); err != nil {
		t.Fatal(err)
	}
	ws, err := workspace.Load(next)
	if err != nil {
		t.Fatal(err)
	}
	if ws.Assessment.Organisation.Name != "Acme Telehealth" || len(ws.Assessment.Scope.Targets) != 1 {
		t.Errorf("assessment not carried: %+v", ws.Assessment)
	}
	a, err := workspace.At(next).LoadAnswers(bank)
	if err != nil {
		t.Fatal(err)
	}
	got := a.Get("tech.mfa-remote")
	if !got.Reconfirm || got.Status != questionnaire.Partial || got.Previous == nil || got.Previous.Date != "2025-11-20" {
		t.Errorf("carried answer %+v", got)
	}
	if !strings.Contains(errOut.String(), "Carried forward 1 answers") {
		t.Errorf("output:\n%s", errOut)
	}
	// A bad last-year file stops init before it writes anything.
	if err := os.WriteFile(workspace.At(last).AnswersPath(), []byte("schema_version: 1\nanswers:\n  tech.mfa-remot: {status: partial}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "other")
	err = initRun(context.Background(), &InitOptions{IO: io, Now: testNow, Dir: other, From: last})
	if ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), `answers.yaml:3:3`) || !strings.Contains(err.Error(), `did you mean "tech.mfa-remote"`) {
		t.Errorf("bad last answers: %v", err)
	}
	if _, err := os.Stat(other); err == nil {
		t.Error("init created a workspace from a bad answers file")
	}
}

// TestAnswersExportForIT: --audience it writes every IT question from every section to one
// file; filled in and imported, it merges into the workspace's answers.
func TestAnswersExportForIT(t *testing.T) {
	dir := newWorkspace(t, "Acme")
	bank := questionnaire.DefaultBank()
	file := filepath.Join(t.TempDir(), "it.yaml")
	io, _, errOut := testIO("", false)
	if err := answersExportRun(&AnswersExportOptions{IO: io, Workspace: dir, Audience: "it", Output: file}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(file)
	text := string(data)
	var it []string
	sections := map[string]bool{}
	for _, q := range bank.Questions(nil) {
		if slices.Contains(q.Audience, questionnaire.IT) {
			it = append(it, q.ID)
			sections[q.Section] = true
			if !strings.Contains(text, "\n  "+q.ID+":\n    status:\n") {
				t.Errorf("the IT export lacks %s", q.ID)
			}
			text = strings.Replace(text, "\n  "+q.ID+":\n    status:\n", "\n  "+q.ID+":\n    status: unknown\n", 1)
		}
	}
	if len(sections) < 2 || !strings.Contains(errOut.String(), fmt.Sprintf("Wrote %d questions", len(it))) {
		t.Errorf("%d IT questions in %d sections; said %q", len(it), len(sections), errOut)
	}
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	io, _, errOut = testIO("", false)
	if err := answersImportRun(&AnswersImportOptions{IO: io, Workspace: dir, File: file, today: func() string { return "2026-11-21" }}); err != nil {
		t.Fatalf("import: %v\n%s", err, errOut)
	}
	a, err := workspace.At(dir).LoadAnswers(bank)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range it {
		if a.Get(id).Status != questionnaire.Unknown {
			t.Errorf("%s not merged back: %+v", id, a.Get(id))
		}
	}
	// Nothing selected is a usage error; so is an audience that does not exist.
	for _, o := range []AnswersExportOptions{{}, {Audience: "IT-dept"}} {
		o.IO, o.Workspace = io, dir
		if err := answersExportRun(&o); ExitCode(err) != ExitUsage {
			t.Errorf("export %+v: %v", o, err)
		}
	}
}

// TestInitNamesTheNextSteps: init, from flags or from the form, ends by naming both halves of
// the assessment (scan and assess); the form asks for the targets and the authorisation.
func TestInitNamesTheNextSteps(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "acme")
	io, _, errOut := testIO("", false)
	o := &InitOptions{IO: io, Now: testNow, Dir: dir, Organisation: "Acme", Assessor: "J. Smith"}
	if err := initRun(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"add targets under scope.targets", "telesra scan -w " + dir, "telesra assess -w " + dir} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("init with flags said %q, lacking %q", errOut, want)
		}
	}

	// The form (plain prompts at TERM=dumb): organisation, assessor, targets, who, when.
	dir = filepath.Join(t.TempDir(), "form")
	io, _, errOut = testIO("Acme\nJ. Smith\n127.0.0.1 127.0.0.2:443\nDr A. Lee, owner\n2026-11-20\n", true)
	io.Getenv = func(k string) string { return map[string]string{"TERM": "dumb"}[k] }
	io.In = iotest.OneByteReader(io.In) // huh reads each field with its own buffer
	o = &InitOptions{IO: io, Now: testNow, Dir: dir, Prompt: promptInit}
	if err := initRun(context.Background(), o); err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	ws, err := workspace.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := ws.Assessment.Scope.Targets; !slices.Equal(got, []string{"127.0.0.1", "127.0.0.2:443"}) {
		t.Errorf("targets %v", got)
	}
	if au := ws.Assessment.Authorisation; au == nil || au.AuthorisedBy != "Dr A. Lee, owner" || au.AuthorisedOn != "2026-11-20" {
		t.Errorf("authorisation %+v", au)
	}
	if s := errOut.String(); !strings.Contains(s, "1. Scan the practice's systems: telesra scan -w "+dir+"\n") || !strings.Contains(s, "telesra assess -w "+dir) {
		t.Errorf("the form's init said:\n%s", s)
	}
}
