package questionnaire

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSaveAnswersBacksUpAndNeverLoses(t *testing.T) {
	b := testBank(t)
	path := filepath.Join(t.TempDir(), "answers.yaml")
	a := NewAnswers()
	a.ByID["b.mfa"] = Answer{Status: Implemented}
	a.ByID["b.ids"] = Answer{Status: Partial}
	if err := SaveAnswers(diskFiles{}, path, path+".bak", b, a); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".bak"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a backup of nothing was written: %v", err)
	}
	first, _ := os.ReadFile(path)

	// A rewrite keeps the previous file as answers.yaml.bak.
	a.ByID["b.vpn"] = Answer{Status: NotImplemented}
	if err := SaveAnswers(diskFiles{}, path, path+".bak", b, a); err != nil {
		t.Fatal(err)
	}
	if bak, _ := os.ReadFile(path + ".bak"); string(bak) != string(first) {
		t.Errorf("backup holds:\n%s\nwant the previous file:\n%s", bak, first)
	}

	// Writing fewer answers than the file holds is refused and the file left alone.
	before, _ := os.ReadFile(path)
	less := NewAnswers()
	less.ByID["b.mfa"] = Answer{Status: Implemented}
	err := SaveAnswers(diskFiles{}, path, path+".bak", b, less)
	var loss *LossError
	if !errors.As(err, &loss) || strings.Join(loss.IDs, ",") != "b.ids,b.vpn" {
		t.Fatalf("got %v, want a LossError naming b.ids and b.vpn", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("the file was changed by a refused write")
	}

	// A file that does not validate is never overwritten.
	broken := []byte("schema_version: 1\nanswers:\n  b.mfa:\n    status: implemnted\n")
	if err := os.WriteFile(path, broken, 0o600); err != nil {
		t.Fatal(err)
	}
	err = SaveAnswers(diskFiles{}, path, path+".bak", b, a)
	if err == nil || !strings.Contains(err.Error(), "answers.yaml:4:13") {
		t.Fatalf("got %v, want the file:line of the bad status", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(broken) {
		t.Error("an invalid answers file was overwritten")
	}
}

func TestFileStoreSession(t *testing.T) {
	b := testBank(t)
	path := filepath.Join(t.TempDir(), "answers.yaml")
	orig := []byte("schema_version: 1\nanswers:\n  b.mfa:\n    status: partial\n")
	if err := os.WriteFile(path, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	s, a, err := OpenStore(diskFiles{}, path, path+".bak", b)
	if err != nil {
		t.Fatal(err)
	}
	if a.Get("b.mfa").Status != Partial {
		t.Fatalf("loaded %+v", a.ByID)
	}
	for i, st := range []Status{Implemented, NotImplemented} {
		a.SetStatus("b.ids", st, "2026-03-04")
		if err := s.Save(a.Clone()); err != nil {
			t.Fatalf("save %d: %v", i, err)
		}
		back, err := LoadAnswers(diskFiles{}, path, b)
		if err != nil {
			t.Fatal(err)
		}
		if back.Get("b.ids").Status != st || back.Get("b.mfa").Status != Partial {
			t.Errorf("after save %d the file holds %+v", i, back.ByID)
		}
	}
	// The backup is the file as the session found it, not the previous save.
	if bak, _ := os.ReadFile(path + ".bak"); string(bak) != string(orig) {
		t.Errorf("backup:\n%s\nwant the file as the session opened it", bak)
	}
	// Someone edits another question while the session runs: the save keeps their change and
	// adds the session's.
	edited := []byte("schema_version: 1\nanswers:\n  b.ids:\n    status: not_implemented\n    updated: \"2026-03-04\"\n  b.mfa:\n    status: implemented\n    notes: edited by hand\n")
	if err := os.WriteFile(path, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	a.SetStatus("b.vpn", Implemented, "2026-03-04")
	if err := s.Save(a.Clone()); err != nil {
		t.Fatalf("save after another writer: %v", err)
	}
	back, err := LoadAnswers(diskFiles{}, path, b)
	if err != nil {
		t.Fatal(err)
	}
	if m := back.Get("b.mfa"); m.Status != Implemented || m.Notes != "edited by hand" || back.Get("b.vpn").Status != Implemented {
		t.Errorf("merged file holds %+v", back.ByID)
	}
	// The session's view still has b.mfa partial: saving again must not undo the other edit.
	a.Update("b.vpn", "2026-03-04", func(x *Answer) { x.Notes = "split tunnel off" })
	if err := s.Save(a.Clone()); err != nil {
		t.Fatal(err)
	}
	if back, _ := LoadAnswers(diskFiles{}, path, b); back.Get("b.mfa").Notes != "edited by hand" {
		t.Errorf("a later save undid the other writer's answer: %+v", back.Get("b.mfa"))
	}
	// Both sides change the same question: the store refuses, and the file keeps the other's.
	same, _ := os.ReadFile(path)
	same = []byte(strings.Replace(string(same), "split tunnel off", "changed elsewhere", 1))
	if err := os.WriteFile(path, same, 0o600); err != nil {
		t.Fatal(err)
	}
	a.SetStatus("b.vpn", Partial, "2026-03-04")
	var changed *ChangedError
	if err := s.Save(a.Clone()); !errors.As(err, &changed) || len(changed.IDs) != 1 || changed.IDs[0] != "b.vpn" {
		t.Fatalf("got %v, want ChangedError naming b.vpn", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(same) {
		t.Error("the store overwrote a conflicting change")
	}
}

func TestOpenStoreRefusesInvalidFile(t *testing.T) {
	b := testBank(t)
	path := filepath.Join(t.TempDir(), "answers.yaml")
	if err := os.WriteFile(path, []byte("schema_version: 1\nanswers:\n  b.mfa: {status: implemented}\n  b.mfa: {status: partial}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := OpenStore(diskFiles{}, path, path+".bak", b); err == nil || !strings.Contains(err.Error(), "answers.yaml:4:3") {
		t.Fatalf("got %v, want the duplicate key's file:line", err)
	}
}

// diskFiles reads and writes plainly: the workspace's atomic writer is tested where it lives.
type diskFiles struct{}

func (diskFiles) ReadFile(path string) ([]byte, error)     { return os.ReadFile(path) }
func (diskFiles) WriteFile(path string, data []byte) error { return os.WriteFile(path, data, 0o600) }
