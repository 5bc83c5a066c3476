package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/cmd/telesra/workspace"
	"github.com/telesra/telesra/questionnaire"
)

// TestAnswersDecideFlags: the citation and every flag reach the options.
func TestAnswersDecideFlags(t *testing.T) {
	io, _, _ := testIO("", true)
	var got *AnswersDecideOptions
	cmd := NewCmdAnswersDecide(&Factory{IO: io, Now: testNow}, func(o *AnswersDecideOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"164.312(a)(2)(iv)", "-w", "acme", "--decision", "alternative", "--measure", "m", "--reason", "r",
		"--by", "Maria", "--role", "Security official", "--date", "2026-11-01", "--replace"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Citation != "164.312(a)(2)(iv)" || got.Workspace != "acme" || got.Decision != "alternative" || got.Measure != "m" ||
		got.Reason != "r" || got.By != "Maria" || got.Role != "Security official" || got.Date != "2026-11-01" || !got.Replace {
		t.Errorf("options %+v", got)
	}
}

// TestAnswersDecideRefusals: a decision on something that is not an Addressable specification,
// or incomplete, or dated after today, or replacing a recorded one without --replace, exits 2
// with the rule and the flag named, and answers.yaml is byte-identical (no backup either).
func TestAnswersDecideRefusals(t *testing.T) {
	dir := reportWorkspace(t)
	path := workspace.At(dir).AnswersPath()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	who := []string{"--by", "Maria Lopez", "--role", "Security official"}
	reason := "The practice has no workstations left unattended"
	for name, tc := range map[string]struct {
		args []string
		want []string
	}{
		"unknown citation": {append([]string{"164.399(z)", "--decision", "as_specified"}, who...),
			[]string{"is not a standard or implementation specification", "164.306(d)(3)"}},
		"Required": {append([]string{"164.308(a)(1)(ii)(A)", "--decision", "not_reasonable", "--reason", reason}, who...),
			[]string{"Risk analysis) is a Required implementation specification", "164.306(d)(2)"}},
		"standard": {append([]string{"164.312(a)(1)", "--decision", "as_specified"}, who...),
			[]string{"is a standard", "164.306(d)(3)"}},
		"no decision":   {append([]string{"164.312(a)(2)(iii)"}, who...), []string{`--decision: "" is not a decision`}},
		"bad decision":  {append([]string{"164.312(a)(2)(iii)", "--decision", "maybe"}, who...), []string{`--decision: "maybe" is not a decision`}},
		"no measure":    {append([]string{"164.312(a)(2)(iii)", "--decision", "alternative", "--reason", reason}, who...), []string{"--measure: alternative needs the equivalent alternative measure"}},
		"no reason":     {append([]string{"164.312(a)(2)(iii)", "--decision", "not_reasonable"}, who...), []string{"--reason: not_reasonable needs the reason"}},
		"one-word":      {append([]string{"164.312(a)(2)(iii)", "--decision", "not_reasonable", "--reason", "cost"}, who...), []string{"--reason:", "at least 3 words"}},
		"measure given": {append([]string{"164.312(a)(2)(iii)", "--decision", "not_reasonable", "--reason", reason, "--measure", "Screens lock after five minutes"}, who...), []string{"--measure: only an equivalent alternative measure"}},
		"no by":         {[]string{"164.312(a)(2)(iii)", "--decision", "as_specified", "--role", "Security official"}, []string{"--by: say who decided"}},
		"no role":       {[]string{"164.312(a)(2)(iii)", "--decision", "as_specified", "--by", "Maria Lopez"}, []string{"--role: say in what role"}},
		"bad date":      {append([]string{"164.312(a)(2)(iii)", "--decision", "as_specified", "--date", "2026-13-01"}, who...), []string{`--date: "2026-13-01" is not a date`}},
		"future date":   {append([]string{"164.312(a)(2)(iii)", "--decision", "as_specified", "--date", "2027-01-05"}, who...), []string{"--date: 2027-01-05 is after today (2026-11-22)"}},
		// The sample records an alternative measure on 164.310(a)(2)(iv).
		"replace without --replace": {append([]string{"164.310(a)(2)(iv)", "--decision", "as_specified"}, who...),
			[]string{"164.310(a)(2)(iv) already has a decision (Equivalent alternative measure", "--replace"}},
	} {
		t.Run(name, func(t *testing.T) {
			r := run(t, nil, append([]string{"answers", "decide", "-w", dir}, tc.args...)...)
			if r.code != ExitUsage {
				t.Errorf("exit %d, want %d:\n%s", r.code, ExitUsage, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
				t.Errorf("a refused decision changed answers.yaml")
			}
			if _, err := os.Stat(path + workspace.BackupSuffix); err == nil {
				t.Errorf("a refused decision left %s", path+workspace.BackupSuffix)
			}
		})
	}
}

// TestAnswersDecideRecords: a decision recorded from the command line is in answers.yaml (and
// loads), a risk that said the decision was missing no longer does, and --replace replaces a
// recorded decision keeping the file before as the backup.
func TestAnswersDecideRecords(t *testing.T) {
	dir := reportWorkspace(t)
	const spec = "164.312(a)(2)(iv)" // Encryption and decryption: partly met, no decision in the sample
	missing := func() []string {
		a, err := workspace.Analyse(dir, fixedNow)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, k := range a.Register.Risks {
			if slices.Contains(k.DecisionsMissing, spec) {
				ids = append(ids, k.ID)
			}
		}
		return ids
	}
	ids := missing()
	if len(ids) == 0 {
		t.Fatalf("fixture: no risk says %s has no decision", spec)
	}
	show := run(t, nil, "risks", "show", ids[0], "-w", dir)
	want := "Decision missing:  No decision recorded for Addressable " + spec + " (Encryption and decryption) (45 CFR 164.306(d)(3)): record one with telesra answers decide " + spec
	if show.code != 0 || !strings.Contains(show.stdout, want) {
		t.Errorf("risks show %s: exit %d, want %q:\n%s%s", ids[0], show.code, want, show.stdout, show.stderr)
	}
	r := run(t, nil, "answers", "decide", spec, "-w", dir, "--decision", "alternative",
		"--measure", "Laptops use BitLocker and the EHR vendor encrypts its database",
		"--reason", "Encrypting the front-desk kiosk would break the check-in software",
		"--by", "Maria Lopez", "--role", "Security official")
	if r.code != 0 || !strings.Contains(r.stderr, "Recorded the decision on "+spec) {
		t.Fatalf("answers decide: exit %d\n%s", r.code, r.stderr)
	}
	a, err := workspace.At(dir).LoadAnswers(questionnaire.DefaultBank())
	if err != nil {
		t.Fatal(err)
	}
	if d := a.Decision(spec); d == nil || d.Decision != questionnaire.DecisionAlternative || d.By != "Maria Lopez" || d.Date != "2026-11-22" {
		t.Errorf("answers.yaml holds %+v", d)
	}
	if left := missing(); len(left) > 0 {
		t.Errorf("risks %v still say %s has no decision after it was recorded", left, spec)
	}
	if show := run(t, nil, "risks", "show", ids[0], "-w", dir); strings.Contains(show.stdout, "Decision missing") {
		t.Errorf("risks show still says a decision is missing:\n%s", show.stdout)
	}
	before, _ := os.ReadFile(workspace.At(dir).AnswersPath())
	r = run(t, nil, "answers", "decide", spec, "-w", dir, "--decision", "as_specified", "--by", "Maria Lopez", "--role", "Security official", "--replace")
	if r.code != 0 || !strings.Contains(r.stderr, "Replaced (was: Equivalent alternative measure") {
		t.Fatalf("answers decide --replace: exit %d\n%s", r.code, r.stderr)
	}
	if bak, _ := os.ReadFile(workspace.At(dir).AnswersPath() + workspace.BackupSuffix); !bytes.Equal(bak, before) {
		t.Error("the backup is not the file before the replacement")
	}
}

// TestRisksShowVerifiedByScan: risks show says an existing control is verified by scan, with
// what the scan did, when a complete scan's patch checks identified the portal's product and
// found nothing past end of life, known-exploited or vulnerable.
func TestRisksShowVerifiedByScan(t *testing.T) {
	dir := reportWorkspace(t)
	const portal = "portal.riverside.example:443"
	res := &checks.Result{SchemaVersion: checks.ResultSchemaVersion, Complete: true,
		Checks: []string{"patch.cve", "patch.eol", "patch.kev", "patch.version_disclosed"},
		Endpoints: []checks.EndpointResult{{Target: portal, Host: "portal.riverside.example", Status: checks.StatusCompleted,
			Service: &checks.Service{Name: checks.SvcHTTP, TLS: true}}},
		Findings: []checks.Finding{{ID: checks.FindingID("patch.version_disclosed", portal, ""), Check: "patch.version_disclosed",
			Target: portal, Title: "nginx 1.26.2 identified", Severity: checks.Info, Confidence: checks.Confirmed}}}
	for _, id := range res.Checks {
		res.Attempts = append(res.Attempts, checks.Attempt{Check: id, Target: portal, Status: checks.StatusCompleted})
	}
	res.Scope.Targets = []string{portal}
	data, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "scan.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	a := questionnaire.SampleAnswers()
	a.SetStatus("tech.patching", questionnaire.Implemented, "2026-11-20")
	a.SetStatus("tech.unsupported", questionnaire.Partial, "2026-11-20") // a gap whose row lists tech.patching as a control
	if err := workspace.At(dir).SaveAnswers(questionnaire.DefaultBank(), a); err != nil {
		t.Fatal(err)
	}
	an, err := workspace.Analyse(dir, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	id := ""
	for _, k := range an.Register.Risks {
		for _, c := range k.Controls {
			if c.Question == "tech.patching" && c.Verified != nil {
				id = k.ID
			}
		}
	}
	if id == "" {
		t.Fatal("no risk lists tech.patching as a control verified by the scan")
	}
	r := run(t, nil, "risks", "show", id, "-w", dir)
	want := "Existing control:  tech.patching (Implemented)"
	verified := "  verified by scan: "
	i := strings.Index(r.stdout, want)
	if r.code != 0 || i < 0 || !strings.HasPrefix(r.stdout[i+strings.Index(r.stdout[i:], "\n")+1:], verified) {
		t.Fatalf("risks show %s: exit %d, want %q followed by %q:\n%s%s", id, r.code, want, verified, r.stdout, r.stderr)
	}
	line := r.stdout[i:]
	line = line[strings.Index(line, "\n")+1:]
	line = line[:strings.Index(line, "\n")]
	for _, w := range []string{"found none past end of life or known-exploited", "patch.eol", "patch.kev", "passed on", portal} {
		if !strings.Contains(line, w) {
			t.Errorf("the verification line lacks %q: %s", w, line)
		}
	}
}
