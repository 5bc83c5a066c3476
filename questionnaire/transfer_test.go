package questionnaire

import (
	"slices"
	"strings"
	"testing"
)

func TestExportListsTheWholeSection(t *testing.T) {
	b := testBank(t)
	a := NewAnswers()
	a.SetStatus("b.mfa", Partial, "2026-01-01")
	a.SetStatus("a.remote", Yes, "2026-01-01")
	ex, err := Export(b, a, "b")
	if err != nil {
		t.Fatal(err)
	}
	if ex.Section != "b" || len(ex.ByID) != 4 || ex.Get("b.mfa").Status != Partial {
		t.Fatalf("export %+v", ex)
	}
	if _, ok := ex.ByID["a.remote"]; ok {
		t.Error("export includes another section")
	}
	data, err := ex.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, want := range []string{
		"section: b\n",
		"# HIPAA: 164.312(d) (S) Person or entity authentication",
		"# status: implemented | partial | not_implemented | unknown\n  b.vpn:\n    status:\n",
		"# (only if a.remote is yes)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("export file lacks %q:\n%s", want, text)
		}
	}
	// The stub file is valid as it stands: it can be handed out and read back.
	back, err := ParseAnswers("export.yaml", data, b)
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if back.Get("b.vpn").Status != "" {
		t.Error("stub read back with a status")
	}
	if _, err := Export(b, a, "nope"); err == nil || !strings.Contains(err.Error(), "want one of a, b, r") {
		t.Errorf("unknown section: %v", err)
	}
}

func TestMergeReportsConflicts(t *testing.T) {
	b := testBank(t)
	ours := NewAnswers()
	ours.ByID["b.mfa"] = Answer{Status: Partial, Notes: "email lacks MFA"}
	ours.ByID["b.ids"] = Answer{Status: Unknown, Notes: "ask IT", Flagged: true}
	ours.ByID["b.vpn"] = Answer{Status: Implemented, Notes: "WireGuard"}
	ours.ByID["b.ids-review"] = Answer{Status: Implemented, Reconfirm: true, Previous: &Previous{Status: Implemented}}

	theirs, err := ParseAnswers("vendor.yaml", []byte(`schema_version: 1
section: b
answers:
  b.mfa:
    status: implemented
  b.ids:
    status: implemented
    notes: One account per person since March.
  b.vpn:
    status: implemented
    notes: Always-on VPN client
    evidence: [vpn.pdf]
  b.ids-review:
    status: partial
  a.remote:
    status: "yes"
`), b)
	if err != nil {
		t.Fatal(err)
	}
	before := ours.Clone()
	r := Merge(b, ours, theirs, "2026-04-01")

	if len(r.Conflicts) != 2 {
		t.Fatalf("conflicts %v", r.Conflicts)
	}
	if c := r.Conflicts[0]; c.ID != "b.mfa" || c.Field != "status" || c.Source != "vendor.yaml:4" ||
		c.String() != "b.mfa: workspace says Partial, imported file says Implemented" {
		t.Errorf("conflict %+v %q", c, c.String())
	}
	if c := r.Conflicts[1]; c.ID != "b.vpn" || c.Field != "notes" {
		t.Errorf("conflict %+v", c)
	}
	// Conflicting answers are left as they were.
	for _, id := range []string{"b.mfa", "b.vpn"} {
		if got, was := ours.Get(id), before.Get(id); got.Status != was.Status || got.Notes != was.Notes || !slices.Equal(got.Evidence, was.Evidence) {
			t.Errorf("%s overwritten: %+v", id, got)
		}
	}
	// "Don't know" gives way to a real answer, keeping the earlier note.
	if got := ours.Get("b.ids"); got.Status != Implemented || !strings.Contains(got.Notes, "One account per person") || !strings.Contains(got.Notes, "ask IT") {
		t.Errorf("b.ids %+v", got)
	}
	// A fresh answer re-confirms a carried-forward one and keeps last year's for comparison.
	if got := ours.Get("b.ids-review"); got.Status != Partial || got.Reconfirm || got.Previous == nil {
		t.Errorf("b.ids-review %+v", got)
	}
	if got := ours.Get("a.remote"); got.Status != Yes || got.Updated != "2026-04-01" {
		t.Errorf("a.remote %+v", got)
	}
	if strings.Join(r.Added, ",") != "a.remote" || strings.Join(r.Updated, ",") != "b.ids,b.ids-review" {
		t.Errorf("added %v updated %v", r.Added, r.Updated)
	}
}

// TestExportForITAcrossSections: an audience export gathers every IT question from every
// section into one file, which reads back and merges like a section export.
func TestExportForITAcrossSections(t *testing.T) {
	b := DefaultBank()
	a := NewAnswers()
	a.SetStatus("tech.mfa-remote", Partial, "2026-01-01")
	a.Update("tech.unique-ids", "2026-01-01", func(x *Answer) { x.WaitingFor = IT })
	ex, err := ExportSelection(b, a, Selection{Audience: IT})
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]bool{}
	for _, q := range b.Questions(nil) {
		_, in := ex.ByID[q.ID]
		if slices.Contains(q.Audience, IT) != in {
			t.Errorf("%s (audience %v): in the export = %v", q.ID, q.Audience, in)
		}
		if in {
			sections[q.Section] = true
		}
	}
	if len(sections) < 2 {
		t.Errorf("IT questions from %d section(s) only", len(sections))
	}
	data, err := ex.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "audience: it\n") || !strings.Contains(string(data), "IT support, from every section") {
		t.Errorf("export header:\n%.600s", data)
	}
	back, err := ParseAnswers("it.yaml", data, b)
	if err != nil {
		t.Fatal(err)
	}
	back.SetStatus("tech.unique-ids", Implemented, "2026-01-02")
	r := Merge(b, a, back, "2026-01-02")
	if !slices.Contains(r.Added, "tech.unique-ids") || a.Get("tech.unique-ids").Status != Implemented || a.Get("tech.unique-ids").WaitingFor != "" {
		t.Errorf("merge: %+v", r)
	}

	open, err := ExportSelection(b, a, Selection{Audience: IT, Open: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := open.ByID["tech.mfa-remote"]; ok || len(open.ByID) >= len(ex.ByID) {
		t.Errorf("--open kept answered questions: %d of %d", len(open.ByID), len(ex.ByID))
	}
	some, err := ExportSelection(b, a, Selection{IDs: []string{"tech.siem", "about.office"}})
	if err != nil || len(some.ByID) != 2 {
		t.Errorf("by ID: %v %v", some, err)
	}
	if _, err := ExportSelection(b, a, Selection{IDs: []string{"tech.siemm"}}); err == nil || !strings.Contains(err.Error(), `did you mean "tech.siem"`) {
		t.Errorf("mistyped ID: %v", err)
	}
}
