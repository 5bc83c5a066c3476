package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestAssetsAddListRm: assets add builds the inventory (assets.yaml v2, 0600, the previous file
// kept as .bak), list shows it with each asset's open risks, rm removes; every refusal exits 2
// and leaves assets.yaml byte-identical.
func TestAssetsAddListRm(t *testing.T) {
	dir := makeWorkspace(t, []string{"127.0.0.1"}, nil)
	file := filepath.Join(dir, "assets.yaml")
	ok := func(args ...string) {
		t.Helper()
		if r := run(t, nil, append([]string{"assets"}, args...)...); r.code != 0 {
			t.Fatalf("assets %v: exit %d %s", args, r.code, r.stderr)
		}
	}
	ok("add", "Microsoft 365 mail", "-w", dir, "--kind", "cloud-service", "--ephi-held", "bulk", "--records", "3000",
		"--confidentiality", "high", "--availability", "moderate", "--exposure", "internet")
	ok("add", "Dr Chen's laptop", "-w", dir, "--kind", "laptop", "--ephi-held", "some", "--exposure", "device",
		"--flow-to", "microsoft 365 mail:visit notes emailed to billing")
	ok("add", "Front-desk printer", "-w", dir, "--kind", "network-device", "--target", "127.0.0.1:9100", "--ephi-held", "none")
	mode0600(t, "assets.yaml", file)
	if _, err := os.Stat(file + ".bak"); err != nil {
		t.Errorf("no assets.yaml.bak after an edit: %v", err)
	}
	before, _ := os.ReadFile(file)
	for _, want := range []string{"schema_version: 2", "kind: laptop", "to: Microsoft 365 mail", "records: 3000", "confidentiality: high"} {
		if !strings.Contains(string(before), want) {
			t.Errorf("assets.yaml lacks %q:\n%s", want, before)
		}
	}

	for name, args := range map[string][]string{
		"duplicate name":        {"add", "microsoft 365 MAIL", "--kind", "cloud-service"},
		"unknown kind":          {"add", "Fax", "--kind", "toaster"},
		"no kind":               {"add", "Fax"},
		"flow to missing":       {"add", "Phone", "--kind", "phone", "--flow-to", "EHR:messages"},
		"flow without what":     {"add", "Phone", "--kind", "phone", "--flow-to", "Dr Chen's laptop"},
		"bad ePHI held":         {"add", "Phone", "--kind", "phone", "--ephi-held", "lots"},
		"bad records":           {"add", "Phone", "--kind", "phone", "--records", "many"},
		"bad criticality":       {"add", "Phone", "--kind", "phone", "--availability", "critical"},
		"bad exposure":          {"add", "Phone", "--kind", "phone", "--exposure", "orbit"},
		"unknown ePHI system":   {"add", "Phone", "--kind", "phone", "--ephi", "Billing"},
		"rm flowed to":          {"rm", "Microsoft 365 mail"},
		"rm missing":            {"rm", "Fax machine"},
		"rm missing with force": {"rm", "Fax machine", "--force"},
		"none with records":     {"add", "Phone", "--kind", "phone", "--ephi-held", "none", "--records", "4"},
		"bad target pattern":    {"add", "Phone", "--kind", "phone", "--target", "10.0.0.["},
		"list in a bad format":  {"list", "-f", "xml"},
		"add without workspace": {"add", "Phone", "--kind", "phone", "-w", filepath.Join(dir, "nope")},
	} {
		if !slices.Contains(args, "-w") {
			args = append(args, "-w", dir)
		}
		r := run(t, nil, append([]string{"assets"}, args...)...)
		if r.code != ExitUsage || r.stderr == "" {
			t.Errorf("%s: exit %d, want 2\n%s", name, r.code, r.stderr)
		}
		if after, _ := os.ReadFile(file); !bytes.Equal(after, before) {
			t.Fatalf("%s changed assets.yaml:\n%s", name, after)
		}
	}

	r := run(t, nil, "assets", "list", "-w", dir, "-f", "json")
	var items []struct {
		Name, Kind string
		EPHIHeld   string `json:"ephi_held"`
		Scanned    bool
		Flows      []struct{ To string }
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &items) != nil || len(items) != 3 || items[1].EPHIHeld != "some" ||
		len(items[1].Flows) != 1 || items[1].Flows[0].To != "Microsoft 365 mail" {
		t.Fatalf("assets list -f json: exit %d %s\n%s", r.code, r.stderr, r.stdout)
	}
	if r := run(t, nil, "assets", "list", "-w", dir); r.code != 0 || !strings.Contains(r.stdout, "Dr Chen's laptop") ||
		!strings.Contains(r.stdout, "C high, A moderate") || !strings.Contains(r.stderr, "scope incomplete") {
		t.Errorf("assets list: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// Nobody has answered gov.ephi-inventory: the register says its scope is not confirmed.
	if r := run(t, nil, "risks", "list", "-w", dir, "-q"); r.code != 0 || !strings.Contains(r.stderr, "Scope incomplete: gov.ephi-inventory") {
		t.Errorf("risks list footer: exit %d %s", r.code, r.stderr)
	}
	ok("rm", "Microsoft 365 mail", "-w", dir, "--force")
	after, _ := os.ReadFile(file)
	if strings.Contains(string(after), "Microsoft 365") || !strings.Contains(string(after), "Dr Chen's laptop") {
		t.Errorf("rm --force left:\n%s", after)
	}
	ok("rm", "Front-desk printer", "-w", dir)
}

// TestAssetsAddUpgradesV1: adding to a version-1 file makes it version 2 and keeps its entries
// (kind service) and its comments.
func TestAssetsAddUpgradesV1(t *testing.T) {
	dir := makeWorkspace(t, []string{"127.0.0.1"}, nil)
	file := filepath.Join(dir, "assets.yaml")
	writeFile(t, file, "# our services\nschema_version: 1\nassets:\n  - name: Portal\n    targets: [\"127.0.0.1:443\"]\n    exposure: internet\n")
	if r := run(t, nil, "assets", "add", "NAS", "-w", dir, "--kind", "storage", "--ephi-held", "bulk"); r.code != 0 {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
	data, _ := os.ReadFile(file)
	for _, want := range []string{"# our services", "schema_version: 2", "kind: service", "name: NAS"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("upgraded file lacks %q:\n%s", want, data)
		}
	}
}

// seedAnswersYAML: an office, remote clinicians, patient email and reminder texts; no personal
// devices.
const seedAnswersYAML = `schema_version: 1
answers:
  about.office: {status: "yes"}
  about.remote-work: {status: "yes"}
  about.personal-devices: {status: "no"}
  about.email-patients: {status: "yes"}
  about.texting: {status: "yes"}
  gov.ephi-inventory: {status: implemented}
`

// TestAssetsSeed: assets seed adds what the answers imply and the inventory lacks (never a kind
// it covers, never over an existing asset), --dry-run writes nothing, a second run changes
// nothing; list marks the seeded assets until set --confirm; no answers.yaml is exit 2 with a
// clear message and no file written.
func TestAssetsSeed(t *testing.T) {
	dir := makeWorkspace(t, []string{"127.0.0.1"}, nil)
	file := filepath.Join(dir, "assets.yaml")
	if r := run(t, nil, "assets", "seed", "-w", dir); r.code != ExitUsage || !strings.Contains(r.stderr, "no answers yet") {
		t.Errorf("seed without answers: exit %d %s", r.code, r.stderr)
	}
	if _, err := os.Stat(file); err == nil {
		t.Fatal("seed without answers wrote assets.yaml")
	}
	writeFile(t, filepath.Join(dir, "answers.yaml"), seedAnswersYAML)
	if r := run(t, nil, "assets", "add", "Microsoft 365 mail", "-w", dir, "--kind", "cloud-service", "--ephi-held", "bulk"); r.code != 0 {
		t.Fatalf("add: exit %d %s", r.code, r.stderr)
	}
	before, _ := os.ReadFile(file)

	r := run(t, nil, "assets", "seed", "-w", dir, "--dry-run")
	if r.code != 0 || !strings.Contains(r.stdout, `would add "Staff laptops used outside the office" (laptop, exposure device, ePHI held some), from about.remote-work`) {
		t.Fatalf("seed --dry-run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if after, _ := os.ReadFile(file); !bytes.Equal(after, before) {
		t.Fatalf("seed --dry-run changed assets.yaml:\n%s", after)
	}

	r = run(t, nil, "assets", "seed", "-w", dir)
	var added []string
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		name, _, _ := strings.Cut(strings.TrimPrefix(l, "added "), " (")
		added = append(added, name)
	}
	want := []string{`"Office workstations"`, `"Staff laptops used outside the office"`, `"Texting and reminder service"`}
	if r.code != 0 || !slices.Equal(added, want) {
		t.Fatalf("seed: exit %d, added %v, want %v\n%s", r.code, added, want, r.stderr)
	}
	seeded, _ := os.ReadFile(file)
	for _, s := range []string{"seeded_from: about.texting", "# Seeded from the answer to about.office", "name: Microsoft 365 mail\n    kind: cloud-service\n    ephi_held: bulk\n"} {
		if !strings.Contains(string(seeded), s) {
			t.Errorf("seeded assets.yaml lacks %q:\n%s", s, seeded)
		}
	}
	mode0600(t, "assets seed", file, file+".bak")
	if bak, _ := os.ReadFile(file + ".bak"); !bytes.Equal(bak, before) {
		t.Errorf("assets.yaml.bak is not the inventory before seeding:\n%s", bak)
	}
	if r := run(t, nil, "assets", "seed", "-w", dir); r.code != 0 || r.stdout != "" || !strings.Contains(r.stderr, "nothing to seed") {
		t.Errorf("second seed: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if again, _ := os.ReadFile(file); !bytes.Equal(again, seeded) {
		t.Fatalf("a second seed changed assets.yaml:\n%s", again)
	}

	// Listed as seeded, and the scope stays incomplete until confirmed.
	if r := run(t, nil, "assets", "list", "-w", dir); r.code != 0 || !strings.Contains(r.stdout, "seeded from about.remote-work, not confirmed") ||
		!strings.Contains(r.stderr, "not confirmed yet") {
		t.Errorf("assets list: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for name, args := range map[string][]string{
		"nothing to set":        {"set", "Office workstations"},
		"confirm not seeded":    {"set", "Microsoft 365 mail", "--confirm"},
		"set a missing asset":   {"set", "Fax", "--confirm"},
		"bad level":             {"set", "Office workstations", "--availability", "critical", "--confirm"},
		"bad records":           {"set", "Office workstations", "--records", "lots"},
		"none with its records": {"set", "Staff laptops used outside the office", "--records", "40", "--ephi-held", "none"},
	} {
		r := run(t, nil, append(append([]string{"assets"}, args...), "-w", dir)...)
		if r.code != ExitUsage || r.stderr == "" {
			t.Errorf("%s: exit %d, want 2\n%s", name, r.code, r.stderr)
		}
		if after, _ := os.ReadFile(file); !bytes.Equal(after, seeded) {
			t.Fatalf("%s changed assets.yaml:\n%s", name, after)
		}
	}
	for _, name := range []string{"Office workstations", "Staff laptops used outside the office", "Texting and reminder service"} {
		if r := run(t, nil, "assets", "set", name, "-w", dir, "--records", "20", "--confidentiality", "high", "--confirm"); r.code != 0 {
			t.Fatalf("set --confirm %s: exit %d %s", name, r.code, r.stderr)
		}
	}
	confirmed, _ := os.ReadFile(file)
	if strings.Contains(string(confirmed), "seeded_from") || strings.Contains(string(confirmed), "# Seeded from") || !strings.Contains(string(confirmed), "records: 20") {
		t.Errorf("confirmed assets.yaml:\n%s", confirmed)
	}
	if r := run(t, nil, "assets", "list", "-w", dir); r.code != 0 || strings.Contains(r.stdout, "not confirmed") || strings.Contains(r.stderr, "scope incomplete") {
		t.Errorf("assets list after confirming: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, nil, "assets", "seed", "-w", dir); r.code != 0 || r.stdout != "" {
		t.Errorf("seed after confirming: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
