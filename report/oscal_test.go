package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// oscalSchema compiles NIST's OSCAL 1.1.2 complete schema (testdata/schemas, see PROVENANCE.md)
// with format assertions on, so date-times, URIs and e-mail addresses are checked too.
func oscalSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "schemas", "oscal_complete_schema-1.1.2.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "https://telesra.test/oscal_complete_schema.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatalf("the OSCAL schema does not compile: %v", err)
	}
	return s
}

func validateOSCAL(t *testing.T, s *jsonschema.Schema, name string, out []byte) map[string]any {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("%s is not JSON: %v", name, err)
	}
	if err := s.Validate(inst); err != nil {
		t.Fatalf("%s does not validate against OSCAL 1.1.2: %v", name, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestOSCALValidatesAgainstTheOfficialSchema(t *testing.T) {
	s := oscalSchema(t)
	// The schema really constrains: a document missing its required parts is refused.
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"assessment-results":{"uuid":"not-a-uuid","metadata":{}}}`))
	if s.Validate(bad) == nil {
		t.Fatal("the schema accepts an invalid document")
	}
	for name, r := range map[string]*Report{"fixture": fixtureReport(t, fixturePlan(t)), "draft without scan": func() *Report {
		r := fixtureReport(t, nil)
		r.Scan = nil
		r.Prepare()
		return r
	}()} {
		t.Run(name, func(t *testing.T) {
			ar := render(t, func(w *bytes.Buffer, r *Report) error { return WriteOSCALResults(w, r) }, r)
			poam := render(t, func(w *bytes.Buffer, r *Report) error { return WriteOSCALPOAM(w, r) }, r)
			doc := validateOSCAL(t, s, "assessment results", ar)
			validateOSCAL(t, s, "POA&M", poam)
			res := doc["assessment-results"].(map[string]any)["results"].([]any)[0].(map[string]any)
			detected := 0
			for _, k := range r.Register.Risks {
				if k.Detected {
					detected++
				}
			}
			if n := len(res["risks"].([]any)); n != detected {
				t.Errorf("%d OSCAL risks for %d detected risks", n, detected)
			}
			if n := len(res["findings"].([]any)); n != detected {
				t.Errorf("%d OSCAL findings for %d detected risks", n, detected)
			}
			if name == "fixture" {
				golden(t, "oscal-assessment-results.json", ar)
				golden(t, "oscal-poam.json", poam)
				for _, want := range []string{`"deviation-approved"`, `"remediating"`, `"on-date"`, `"2026-12-01T00:00:00Z"`, `"risk-owner"`} {
					if !bytes.Contains(poam, []byte(want)) {
						t.Errorf("POA&M lacks %s", want)
					}
				}
			}
		})
	}
}

// refs walks an OSCAL document: every uuid and id it defines, and every reference it makes
// (x-uuid, x-uuids, a fragment href, a finding's target-id).
func refs(v any, key string, defined map[string]bool, used map[string]string) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			switch s, _ := x.(string); {
			case k == "uuid" || k == "id":
				defined[s] = true
			case strings.HasSuffix(k, "-uuid"), k == "target-id":
				used[s] = k
			case k == "href" && strings.HasPrefix(s, "#"):
				used[strings.TrimPrefix(s, "#")] = k
			}
			refs(x, k, defined, used)
		}
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok && strings.HasSuffix(key, "-uuids") {
				used[s] = key
			}
			refs(x, key, defined, used)
		}
	}
}

// Every reference in the OSCAL documents resolves inside the document: the assessment plan,
// the objectives the findings are about, the tools and parties behind observations, the
// observations and risks findings rest on.
func TestOSCALHasNoDanglingReference(t *testing.T) {
	r := fixtureReport(t, fixturePlan(t))
	for name, out := range map[string][]byte{
		"assessment results": render(t, func(w *bytes.Buffer, r *Report) error { return WriteOSCALResults(w, r) }, r),
		"POA&M":              render(t, func(w *bytes.Buffer, r *Report) error { return WriteOSCALPOAM(w, r) }, r),
	} {
		var doc any
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatal(err)
		}
		defined, used := map[string]bool{}, map[string]string{}
		refs(doc, "", defined, used)
		if _, ok := used[""]; ok {
			t.Errorf("%s: an empty reference (href \"#\"?)", name)
		}
		for ref, key := range used {
			if ref != "" && !defined[ref] {
				t.Errorf("%s: %s %q is defined nowhere in the document", name, key, ref)
			}
		}
		for _, want := range []string{`"type": "tool"`} {
			if !bytes.Contains(out, []byte(want)) {
				t.Errorf("%s lacks %s: scan observations come from a tool", name, want)
			}
		}
	}
}

// Each HIPAA citation is its own property, and a risk with a due date has it as its deadline.
func TestOSCALCitationsAndDeadlines(t *testing.T) {
	r := fixtureReport(t, fixturePlan(t))
	poam := render(t, func(w *bytes.Buffer, r *Report) error { return WriteOSCALPOAM(w, r) }, r)
	var doc struct {
		P struct {
			Risks []struct {
				Deadline string      `json:"deadline"`
				Props    []oscalProp `json:"props"`
			} `json:"risks"`
		} `json:"plan-of-action-and-milestones"`
	}
	if err := json.Unmarshal(poam, &doc); err != nil {
		t.Fatal(err)
	}
	due := map[string]string{}
	cites := map[string]int{}
	for _, k := range r.Register.Risks {
		if k.Detected {
			due[k.ID] = k.Due
			cites[k.ID] = len(k.Citations)
		}
	}
	withDeadline := 0
	for _, k := range doc.P.Risks {
		id, n := "", 0
		for _, p := range k.Props {
			switch p.Name {
			case "risk-id":
				id = p.Value
			case "hipaa":
				n++
				if strings.Contains(p.Value, ";") {
					t.Errorf("hipaa prop %q holds several citations", p.Value)
				}
			}
		}
		if n != cites[id] {
			t.Errorf("risk %s: %d hipaa props for %d citations", id, n, cites[id])
		}
		if due[id] != "" {
			withDeadline++
			if !strings.HasPrefix(k.Deadline, due[id]) {
				t.Errorf("risk %s due %s has deadline %q", id, due[id], k.Deadline)
			}
		}
	}
	if withDeadline == 0 {
		t.Fatal("the fixture has no risk with a due date")
	}
}

// What remediation.yaml records of a risk's treatment (its last change) is the risk's log.
func TestOSCALRiskLogFromPlan(t *testing.T) {
	r := fixtureReport(t, fixturePlan(t))
	poam := render(t, func(w *bytes.Buffer, r *Report) error { return WriteOSCALPOAM(w, r) }, r)
	var doc struct {
		P struct {
			Risks []struct {
				Status  string      `json:"status"`
				Props   []oscalProp `json:"props"`
				RiskLog *struct {
					Entries []struct {
						Start        string `json:"start"`
						StatusChange string `json:"status-change"`
						Title        string `json:"title"`
					} `json:"entries"`
				} `json:"risk-log"`
			} `json:"risks"`
		} `json:"plan-of-action-and-milestones"`
	}
	if err := json.Unmarshal(poam, &doc); err != nil {
		t.Fatal(err)
	}
	logged := 0
	for _, k := range doc.P.Risks {
		if k.RiskLog == nil {
			continue
		}
		logged++
		e := k.RiskLog.Entries[0]
		if e.Start != "2026-11-22T00:00:00Z" || e.StatusChange != k.Status || e.Title == "" {
			t.Errorf("risk-log entry %+v of a %s risk", e, k.Status)
		}
	}
	if logged != 3 {
		t.Errorf("%d risks with a log; the fixture plan changed 3 detected risks", logged)
	}
}
