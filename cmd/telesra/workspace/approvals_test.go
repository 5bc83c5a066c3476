package workspace

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/telesra/telesra/report/register"
)

// TestInputsDigestAsDocumented: the digest is SHA-256 over the manifest docs/files.md gives, so
// anyone can recompute it with sha256sum; approvals.yaml is not an input, and a scan run is.
func TestInputsDigestAsDocumented(t *testing.T) {
	l := newTestWorkspace(t)
	write := func(path, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	hash := func(data []byte) string {
		s := sha256.Sum256(data)
		return "sha256:" + hex.EncodeToString(s[:])
	}
	write(l.AnswersPath(), "schema_version: 1\n")
	write(filepath.Join(l.ScansDir(), "20261122T100000Z-b.json"), "{}")
	write(filepath.Join(l.ScansDir(), "20261122T090000Z-a.json"), "[]")
	write(filepath.Join(l.ScansDir(), "notes.txt"), "not a run")
	assessment, err := os.ReadFile(l.AssessmentPath())
	if err != nil {
		t.Fatal(err)
	}
	manifest := "telesra approval digest 1\n" +
		"telesra v1.2.3\n" +
		"scoring-rules " + register.DefaultRules().Version + "\n" +
		"reconciliation-rules " + register.DefaultReconciliation().Version + "\n" +
		"assessment.yaml " + hash(assessment) + "\n" +
		"scan.json absent\n" +
		"answers.yaml " + hash([]byte("schema_version: 1\n")) + "\n" +
		"assets.yaml absent\n" +
		"remediation.yaml absent\n" +
		"scans/20261122T090000Z-a.json " + hash([]byte("[]")) + "\n" +
		"scans/20261122T100000Z-b.json " + hash([]byte("{}")) + "\n"
	got, err := l.InputsDigest("v1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	if want := hash([]byte(manifest)); got != want {
		m, _ := l.inputsManifest("v1.2.3")
		t.Fatalf("digest %s, want %s over:\n%s\ngot manifest:\n%s", got, want, manifest, m)
	}
	write(l.ApprovalsPath(), "schema_version: 1\napprovals: []\n")
	if again, _ := l.InputsDigest("v1.2.3"); again != got {
		t.Error("writing approvals.yaml changed the digest of the inputs")
	}
	write(l.PlanPath(), "schema_version: 1\nrisks: {}\n")
	if again, _ := l.InputsDigest("v1.2.3"); again == got {
		t.Error("a new remediation.yaml did not change the digest")
	}
	// Another telesra may read the same inputs differently: its reports need a new approval.
	now, _ := l.InputsDigest("v1.2.3")
	if other, _ := l.InputsDigest("v1.3.0"); other == now {
		t.Error("another telesra version gives the same digest")
	}
}
