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
