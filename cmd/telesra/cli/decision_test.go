package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/telesra/telesra/cmd/telesra/workspace"
	"github.com/telesra/telesra/questionnaire"
)

// TestAnswersImportRefusesBadDecision: an imported file whose decision is keyed by a Required
// specification, or lacks its reason, is refused with file:line and exit 2, and the workspace's
// answers.yaml is byte-identical afterwards.
func TestAnswersImportRefusesBadDecision(t *testing.T) {
	dir := newWorkspace(t, "Acme")
	bank := questionnaire.DefaultBank()
	mine := questionnaire.NewAnswers()
	mine.SetStatus("site.maintenance", questionnaire.NotImplemented, "2026-11-20")
	if err := workspace.At(dir).SaveAnswers(bank, mine); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(workspace.At(dir).AnswersPath())
	if err != nil {
		t.Fatal(err)
	}
	who := "    by: Maria Lopez\n    role: Security official\n    date: \"2026-11-21\"\n"
	for name, tc := range map[string]struct{ decisions, want string }{
		"Required": {"  \"164.308(a)(1)(ii)(A)\":\n    decision: not_reasonable\n    reason: We are far too small.\n" + who,
			"site.yaml:6:3: decisions.164.308(a)(1)(ii)(A): 164.308(a)(1)(ii)(A) (Risk analysis) is a Required implementation specification"},
		"no reason": {"  \"164.310(a)(2)(iv)\":\n    decision: not_reasonable\n" + who,
			"site.yaml:6:3: decisions.164.310(a)(2)(iv).reason: reason: not_reasonable needs the reason"},
	} {
		file := filepath.Join(t.TempDir(), "site.yaml")
		text := "schema_version: 1\nsection: site\nanswers:\n  site.maintenance: {status: not_implemented}\ndecisions:\n" + tc.decisions
		if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		io, _, errOut := testIO("", false)
		err := answersImportRun(&AnswersImportOptions{IO: io, Workspace: dir, File: file, today: func() string { return "2026-11-21" }})
		if ExitCode(err) != ExitUsage || !strings.Contains(err.Error()+errOut.String(), tc.want) {
			t.Errorf("%s: exit %d, %v\n%s\nwant %q", name, ExitCode(err), err, errOut, tc.want)
		}
		after, _ := os.ReadFile(workspace.At(dir).AnswersPath())
		if !bytes.Equal(before, after) {
			t.Errorf("%s: answers.yaml changed by a refused import", name)
		}
	}
}
