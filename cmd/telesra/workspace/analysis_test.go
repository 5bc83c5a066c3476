package workspace

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func newTestWorkspace(t *testing.T) Layout {
	t.Helper()
	dir := t.TempDir()
	a := Assessment{SchemaVersion: 1, Organisation: Organisation{Name: "Test Clinic"}, Assessor: Assessor{Name: "Tester"},
		AssessmentDate: "2026-11-22", Scope: Scope{Targets: []string{"127.0.0.1"}}}
	if _, err := Create(dir, a, false); err != nil {
		t.Fatal(err)
	}
	return At(dir)
}

// TestAnalyseWithoutOptionalFiles: a new workspace (no scan, answers, assets or plan yet) has an
// empty plan that will be saved as remediation.yaml, and a register of the questionnaire's gaps.
func TestAnalyseWithoutOptionalFiles(t *testing.T) {
	ws := newTestWorkspace(t)
	a, err := Analyse(ws.Dir, time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if a.Scan != nil || a.Assets != nil || len(a.Plan.Entries) != 0 || a.Plan.File != ws.PlanPath() || a.Register == nil {
		t.Errorf("analysis of an empty workspace: scan %v assets %v plan %+v", a.Scan, a.Assets, a.Plan)
	}
}

// TestAnalyseNamesTheBadFile: a malformed remediation plan, scan result or missing workspace is
// bad input naming the file.
func TestAnalyseNamesTheBadFile(t *testing.T) {
	ws := newTestWorkspace(t)
	if err := os.WriteFile(ws.PlanPath(), []byte("schema_version: 2\nrisks: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Analyse(ws.Dir, time.Now()); err == nil || !strings.Contains(err.Error(), "remediation.yaml:1") {
		t.Errorf("schema_version 2: %v", err)
	}
	if err := os.Remove(ws.PlanPath()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ws.ScanPath(), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Analyse(ws.Dir, time.Now()); err == nil || !strings.Contains(err.Error(), ws.ScanPath()+": not a telesra scan result") {
		t.Errorf("broken scan.json: %v", err)
	}
	var in *InputError
	if _, err := Analyse(ws.Dir+"-missing", time.Now()); !errors.As(err, &in) || !strings.Contains(err.Error(), "no assessment workspace here") {
		t.Errorf("missing workspace: %v, want an InputError", err)
	}
}
