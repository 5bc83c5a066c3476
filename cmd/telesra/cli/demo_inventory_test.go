package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/telesra/telesra/checks/checkstest"
)

// TestDemoInventoryAgreesWithItsAnswers: the demo's inventory holds every asset its answers
// imply, so seeding it adds nothing and leaves assets.yaml byte-identical, and its scope reason
// names no missing kind. Its PDF lists the assets no scan reaches (Microsoft 365 mail, the
// laptops, the phones) in the asset inventory with the open risks attached to them, and the
// register has questionnaire rows labelled with them.
func TestDemoInventoryAgreesWithItsAnswers(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	if r := run(t, nil, "demo", dir); r.code != 0 {
		t.Fatalf("demo: exit %d\n%s", r.code, r.stderr)
	}
	file := filepath.Join(dir, "assets.yaml")
	before, _ := os.ReadFile(file)
	if r := run(t, nil, "assets", "seed", "-w", dir); r.code != 0 || r.stdout != "" || !strings.Contains(r.stderr, "nothing to seed") {
		t.Errorf("seeding the demo: exit %d, would add:\n%s%s", r.code, r.stdout, r.stderr)
	}
	if after, _ := os.ReadFile(file); !bytes.Equal(after, before) {
		t.Errorf("seeding the demo changed assets.yaml")
	}
	if r := run(t, nil, "risks", "list", "-w", dir, "-q"); r.code != 0 || strings.Contains(r.stderr, "the answers say") ||
		!strings.Contains(r.stderr, "gov.ephi-inventory") {
		t.Errorf("demo scope: exit %d\n%s", r.code, r.stderr)
	}

	pdfs, _ := filepath.Glob(filepath.Join(dir, "reports", "*.pdf"))
	if len(pdfs) != 1 {
		t.Fatalf("demo reports: %v", pdfs)
	}
	bin := checkstest.RequireBinary(t, "pdftotext")
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", pdfs[0], "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(out)
	inv := strings.Index(text, "Asset inventory")
	if inv < 0 {
		t.Fatal("the demo PDF has no asset inventory")
	}
	// Each non-scanned asset is a row: its name, ..., "no" (not scanned), its open risks (> 0).
	for _, name := range []string{"Microsoft 365 mail", "Clinician laptops", "Practice and staff phones"} {
		row := regexp.MustCompile(regexp.QuoteMeta(name) + `[^\n]*\bno\s+([0-9]+)\s*\n`).FindStringSubmatch(text[inv:])
		if row == nil || row[1] == "0" {
			t.Errorf("the demo PDF's asset inventory lacks %s with open risks (row %q)", name, row)
		}
	}
	// And the register has questionnaire rows labelled with them: "R-xxxxxxxx  NAME  Threat ...
	// Answer to question".
	for _, name := range []string{"Microsoft 365 mail", "Clinician laptops"} {
		if !regexp.MustCompile(`R-[0-9a-f]{8}\s+` + regexp.QuoteMeta(name) + `\s+Threat[^\n]*Answer to question`).MatchString(text) {
			t.Errorf("no register row of a questionnaire risk on %s in the demo PDF", name)
		}
	}
}
