package workspace

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/report"
	"github.com/telesra/telesra/report/format"
)

var reportNow = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func reportWorkspace(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	_, err := Create(dir, Assessment{SchemaVersion: 1, Organisation: Organisation{Name: "Riverside"},
		Assessor: Assessor{Name: "Dana"}, AssessmentDate: "2026-11-20", Scope: Scope{Targets: []string{"10.20.0.5:80"}}}, false)
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// snapshot reads every file in dir.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		out[e.Name()] = string(data)
	}
	return out
}

func sameSet(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d entries, want the previous %d: %v", what, len(got), len(want), keys(got))
	}
	for name, data := range want {
		if got[name] != data {
			t.Errorf("%s: %s changed (%d bytes, was %d)", what, name, len(got[name]), len(data))
		}
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestReportSetSurvivesAFailedRender: a report set whose third file fails to render (a full disk,
// a writer's error) leaves the previous set whole and unchanged, and no temporary directory.
func TestReportSetSurvivesAFailedRender(t *testing.T) {
	out := t.TempDir()
	fail := false
	writer := func(name string) report.Format {
		return report.Format{Name: name, Ext: ".txt", File: name + ".txt", New: func(report.Options) report.Writer {
			return format.WriterFunc[*report.Report](func(w io.Writer, r *report.Report) error {
				if _, err := io.WriteString(w, name+" of "+r.AssessmentDate); err != nil {
					return err
				}
				if fail && name == "third" {
					return errors.New("no space left on device")
				}
				return nil
			})
		}}
	}
	files := []report.Format{writer("first"), writer("second"), writer("third"), writer("fourth")}
	if _, err := writeSet(out, files, &report.Report{AssessmentDate: "2026-01-01"}, report.Options{}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, out)
	fail = true
	_, err := writeSet(out, files, &report.Report{AssessmentDate: "2026-11-22"}, report.Options{})
	if err == nil || !strings.Contains(err.Error(), "no space left on device") || !strings.Contains(err.Error(), "previous ones are kept") {
		t.Fatalf("failed render: %v", err)
	}
	sameSet(t, "after a failed render", snapshot(t, out), before)
}

// TestReportSetRefusesBeforeReplacingAny: when one report's place holds something telesra must
// not replace (here a directory where the third file goes), nothing of the previous set is
// replaced: before, the first two files were new and the rest old.
func TestReportSetRefusesBeforeReplacingAny(t *testing.T) {
	ws := reportWorkspace(t)
	out := filepath.Join(t.TempDir(), "reports")
	if _, err := WriteReports(ReportRequest{Workspace: ws, Formats: []string{"csv", "json", "md"}, OutDir: out, Now: reportNow}); err != nil {
		t.Fatal(err)
	}
	third := filepath.Join(out, "risk-summary.md")
	if err := os.Remove(third); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(third, "notes"), 0o700); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, out)
	// The register changes: answers now exist.
	if err := At(ws).SaveAnswers(questionnaire.DefaultBank(), questionnaire.SampleAnswers()); err != nil {
		t.Fatal(err)
	}
	_, err := WriteReports(ReportRequest{Workspace: ws, Formats: []string{"csv", "json", "md"}, OutDir: out, Now: reportNow})
	var in *InputError
	if !errors.As(err, &in) || !strings.Contains(err.Error(), "risk-summary.md is a directory") {
		t.Fatalf("a directory in the set's place: %v, want an InputError naming it", err)
	}
	sameSet(t, "after a refused set", snapshot(t, out), before)
}

// TestAnswersStoreRewritesAre0600: the assess session's store leaves answers.yaml and its backup
// 0600, whatever mode the file had.
func TestAnswersStoreRewritesAre0600(t *testing.T) {
	ws := reportWorkspace(t)
	bank := questionnaire.DefaultBank()
	l := At(ws)
	if err := l.SaveAnswers(bank, questionnaire.SampleAnswers()); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(l.AnswersPath(), 0o644); err != nil {
		t.Fatal(err)
	}
	store, answers, err := l.OpenAnswers(bank)
	if err != nil {
		t.Fatal(err)
	}
	for id, a := range answers.ByID {
		a.Notes = "re-confirmed"
		answers.ByID[id] = a
		break
	}
	if err := store.Save(answers.Clone()); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{l.AnswersPath(), l.AnswersPath() + BackupSuffix} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v, want 0600", p, fi.Mode().Perm(), err)
		}
	}
}
