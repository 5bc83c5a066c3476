package questionnaire

import (
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/telesra/telesra/templates/hipaa"

	"github.com/telesra/telesra/questionnaire/level"
)

// testBank is a small fixture bank: a screening question, controls with a follow-up and a
// screened question, and an NPRM readiness section.
func testBank(t *testing.T) *Bank {
	t.Helper()
	b, err := ParseBank(os.DirFS("testdata/bank"), "testdata/bank")
	if err != nil {
		t.Fatalf("fixture bank: %v", err)
	}
	return b
}

func TestDefaultBankHasEveryField(t *testing.T) {
	b, err := LoadBank()
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Sections) == 0 {
		t.Fatal("no sections")
	}
	for _, q := range b.All() {
		if q.Text == "" || q.Help.Why == "" || q.Help.Good == "" || q.Help.Example == "" || len(q.Audience) == 0 {
			t.Errorf("%s (%s): missing text, help or audience", q.ID, q.Source())
		}
		if !q.Allows(Unknown) {
			t.Errorf("%s: no \"don't know\" option", q.ID)
		}
		if q.Kind == KindScreening {
			continue
		}
		if q.Evidence == "" || len(q.Pairs) == 0 {
			t.Errorf("%s (%s): a control question needs an evidence prompt and threat-vulnerability pairs", q.ID, q.Source())
		}
		// Every control question says what it claims of its citations, so a report never
		// scores a best practice or a proposed requirement as Security Rule non-compliance.
		switch q.Cite {
		case CiteRequires, CiteSupports:
			if len(q.Citations) == 0 {
				t.Errorf("%s (%s): cite %s needs Security Rule citations", q.ID, q.Source(), q.Cite)
			}
		case CiteOtherRule:
			if len(q.OtherRules) == 0 {
				t.Errorf("%s (%s): cite other-rule needs other_rules", q.ID, q.Source())
			}
		case CiteBestPractice, CiteProposed:
		default:
			t.Errorf("%s (%s): no explicit cite kind (requires, supports, best-practice, proposed, other-rule)", q.ID, q.Source())
		}
		if (q.Profile == ProfileNPRM) != (q.Cite == CiteProposed) {
			t.Errorf("%s (%s): proposed-rule questions, and only they, cite as proposed (cite %q)", q.ID, q.Source(), q.Cite)
		}
		if q.Cite == CiteProposed && len(q.Citations) > 0 {
			t.Errorf("%s (%s): a proposed-rule question cites paragraphs of the rule in force %v", q.ID, q.Source(), q.CitationIDs())
		}
		for _, c := range q.Citations {
			if c.Kind != "standard" && c.Kind != "required" && c.Kind != "addressable" {
				t.Errorf("%s: citation %s has kind %q", q.ID, c.Citation, c.Kind)
			}
		}
		for _, p := range q.Pairs {
			if p.Likelihood < level.VeryLow || p.Likelihood > level.VeryHigh || p.Impact < level.VeryLow || p.Impact > level.VeryHigh {
				t.Errorf("%s: pair %q has likelihood %v impact %v", q.ID, p.Threat, p.Likelihood, p.Impact)
			}
		}
	}
}

func TestParseBankReportsFileLine(t *testing.T) {
	index := "schema_version: 1\nsections: [s]\npractices:\n  - {id: vpn, name: VPN}\n"
	head := "schema_version: 1\nsection: s\ntitle: S\nsummary: A section.\nquestions:\n"
	good := "  - id: s.one\n    text: Is the first thing done?\n    help: {why: Because it matters., good: It is done well., example: An example here.}\n" +
		"    citations: [\"164.312(d)\"]\n    audience: [it]\n    evidence: A screenshot.\n" +
		"    risks: [{threat: A threat, source: adversarial, vulnerability: A weakness, likelihood: low, impact: low}]\n"
	tests := []struct {
		name, section, want string
	}{
		{"unknown citation", strings.Replace(good, "164.312(d)", "164.312(z)", 1), `s.yaml:9:17: questions[0].citations[0]: citation "164.312(z)" is not in templates/hipaa/citations.yaml`},
		{"duplicate id", good + good, `s.yaml:13:9: questions[1].id: duplicate question ID "s.one" (first defined at bank/s.yaml:6)`},
		{"id outside section", strings.Replace(good, "s.one", "t.one", 1), `s.yaml:6:9: questions[0].id: question ID "t.one" must start with the section ID "s."`},
		{"follow-up of a later question", strings.Replace(good, "    evidence:", "    when: {question: s.two, in: [implemented]}\n    evidence:", 1), `s.yaml:11:22: questions[0].when.question: when.question "s.two" is not an earlier question`},
		{"unknown practice", strings.Replace(good, "    evidence:", "    practices: [vnp]\n    evidence:", 1), `s.yaml:11:17: questions[0].practices[0]: unknown practice "vnp"`},
		{"screening option on a control", strings.Replace(good, "    evidence:", "    options: [{value: \"yes\"}, {value: unknown}]\n    evidence:", 1), `questions[0].options[0].value: "yes" is not an answer to a control question`},
		{"bad level", strings.Replace(good, "likelihood: low", "likelihood: medium", 1), `s.yaml:12:92: questions[0].risks[0].likelihood: must be one of`},
		{"control without risks", strings.Replace(good, "    risks: [{threat: A threat, source: adversarial, vulnerability: A weakness, likelihood: low, impact: low}]\n", "", 1), `s.yaml:6:5: questions[0]: missing property 'risks'`},
		{"duplicate key", strings.Replace(good, "    audience: [it]\n", "    audience: [it]\n    audience: [vendor]\n", 1), `s.yaml:11:5: questions[0].audience: duplicate key "audience" (first defined at line 10)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"index.yaml": {Data: []byte(index)},
				"s.yaml":     {Data: []byte(head + tt.section)},
			}
			_, err := ParseBank(fsys, "bank")
			if err == nil {
				t.Fatalf("bank accepted; want error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
		})
	}
	// The good section parses, so the failures above are the edits' doing.
	if _, err := ParseBank(fstest.MapFS{"index.yaml": {Data: []byte(index)}, "s.yaml": {Data: []byte(head + good)}}, "bank"); err != nil {
		t.Fatalf("good section: %v", err)
	}
}

func TestParseBankRefusesUnlistedSectionFile(t *testing.T) {
	fsys := fstest.MapFS{
		"index.yaml": {Data: []byte("schema_version: 1\nsections: []\npractices: [{id: vpn, name: VPN}]\n")},
		"extra.yaml": {Data: []byte("schema_version: 1\n")},
	}
	if _, err := ParseBank(fsys, "bank"); err == nil {
		t.Fatal("an empty section list was accepted")
	}
	fsys["index.yaml"] = &fstest.MapFile{Data: []byte("schema_version: 1\nsections: [missing]\npractices: [{id: vpn, name: VPN}]\n")}
	_, err := ParseBank(fsys, "bank")
	if err == nil || !strings.Contains(err.Error(), "bank/extra.yaml is not listed in sections") || !strings.Contains(err.Error(), `section "missing" has no file bank/missing.yaml`) {
		t.Fatalf("got %v", err)
	}
}

func TestFixtureBankDefaults(t *testing.T) {
	b := testBank(t)
	q, _ := b.Question("a.remote")
	if q.Kind != KindScreening || len(q.Options) != 3 || q.Options[0].Status != Yes {
		t.Errorf("screening defaults: kind %s options %v", q.Kind, q.Options)
	}
	q, _ = b.Question("b.mfa")
	if q.Kind != KindControl || len(q.Options) != 5 || q.Options[3].Status != NotApplicable {
		t.Errorf("control defaults: kind %s options %v", q.Kind, q.Options)
	}
	if c := q.Citations[0]; c.Citation != "164.312(d)" || c.Kind != "standard" || c.Name != "Person or entity authentication" {
		t.Errorf("citation not resolved from the table: %+v", c)
	}
	q, _ = b.Question("b.vpn")
	if o, ok := q.Option(Implemented); !ok || o.Label != "Always" {
		t.Errorf("custom label: %+v", o)
	}
	if o, _ := q.Option(Partial); o.Label != Partial.Label() {
		t.Errorf("default label for an option without one: %q", o.Label)
	}
	if q.Allows(NotApplicable) {
		t.Error("b.vpn does not offer not_applicable")
	}
	if got := len(b.Questions(nil)); got != 5 {
		t.Errorf("default profile: %d questions, want 5", got)
	}
	if got := len(b.Questions([]string{ProfileNPRM})); got != 6 {
		t.Errorf("nprm profile: %d questions, want 6", got)
	}
}

func TestCitationTableUnchanged(t *testing.T) {
	// The scoring walks hipaa.Citations(); a table that fails to load would panic there.
	if n := len(hipaa.Citations()); n != 65 {
		t.Fatalf("citation table has %d entries; the reference lists 65", n)
	}
}

// TestCitationsTheRuleDoesNotDemand keeps the reviewed cases (docs/questionnaire.md,
// "Citations"): what the Security Rule does not demand is not scored against it.
func TestCitationsTheRuleDoesNotDemand(t *testing.T) {
	b, err := LoadBank()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		cite  CiteKind
		other string // a prefix of one of OtherRules
	}{
		"tech.siem":             {cite: CiteSupports},
		"tech.mfa-remote":       {cite: CiteSupports},
		"gov.vuln-scans":        {cite: CiteSupports},
		"vendor.security-check": {cite: CiteSupports},
		"tele.patient-guidance": {cite: CiteBestPractice},
		"tele.privacy-notice":   {cite: CiteOtherRule, other: "164.520 "},
		"tele.patient-identity": {cite: CiteOtherRule, other: "164.514(h) "},
		"vendor.offboarding":    {cite: CiteOtherRule, other: "164.504(e)(2)(ii)(J) "},
		"vendor.baa-terms":      {cite: CiteRequires, other: "164.504(e)(2)(ii)(J) "},
		"nprm.restore-72h":      {cite: CiteProposed},
		"nprm.patch-deadlines":  {cite: CiteProposed},
	}
	for id, w := range want {
		q, ok := b.Question(id)
		if !ok {
			t.Errorf("%s: not in the bank", id)
			continue
		}
		if q.Cite != w.cite {
			t.Errorf("%s: cite %q, want %q", id, q.Cite, w.cite)
		}
		if w.other != "" && !slices.ContainsFunc(q.OtherRules, func(o string) bool { return strings.HasPrefix(o, w.other) }) {
			t.Errorf("%s: other_rules %q, want one starting %q", id, q.OtherRules, w.other)
		}
		if q.Scored() != (w.cite == CiteRequires) {
			t.Errorf("%s: scored against the Security Rule = %v with cite %q", id, q.Scored(), q.Cite)
		}
	}
	s := Score(b, NewAnswers())
	for _, c := range s.Citations {
		for _, id := range c.Questions {
			if q, _ := b.Question(id); !q.Scored() {
				t.Errorf("%s decides the status of %s although it cites it as %q", id, c.Citation.Citation, q.Cite)
			}
		}
	}
}
