package datafile

import (
	"errors"
	"strings"
	"testing"
)

func TestDecodeYAMLReportsPositions(t *testing.T) {
	type doc struct {
		SchemaVersion int `yaml:"schema_version"`
	}
	valid := "schema_version: 1\norganisation:\n  name: Acme\nassessor:\n  name: J\nassessment_date: \"2026-11-22\"\nscope:\n  targets: [a.example]\n"
	var d doc
	if err := DecodeYAML("assessment.yaml", []byte(valid), "assessment.schema.json", &d); err != nil || d.SchemaVersion != 1 {
		t.Fatalf("valid document: %v %+v", err, d)
	}
	cases := []struct {
		name, text string
		want       []string // substrings of the error
	}{
		{"syntax", "schema_version: 1\norganisation: [\n", []string{"assessment.yaml:", "did not find expected"}},
		{"duplicate key", strings.Replace(valid, "assessor:", "organisation:\n  name: B\nassessor:", 1),
			[]string{"assessment.yaml:4:1", `duplicate key "organisation" (first defined at line 2)`}},
		{"schema: wrong type", strings.Replace(valid, "schema_version: 1", "schema_version: one", 1),
			[]string{"assessment.yaml:1:17: schema_version:"}},
		{"schema: missing field", strings.Replace(valid, "  name: J\n", "  email: j@example.org\n", 1),
			[]string{"assessment.yaml:5:3: assessor:", "missing property 'name'"}},
		{"schema: unknown field", valid + "colour: blue\n", []string{"assessment.yaml:1:1", "additional properties 'colour' not allowed"}},
		{"bad date", strings.Replace(valid, `"2026-11-22"`, `"22/11/2026"`, 1), []string{"assessment.yaml:6:18: assessment_date:", "is not valid date"}},
		{"alias", "a: &x 1\nb: *x\n", []string{"assessment.yaml:2:4", "aliases"}},
		{"two documents", valid + "---\nschema_version: 1\n", []string{"more than one YAML document"}},
		{"empty", "\n\n", []string{"assessment.yaml:1: file is empty"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := DecodeYAML("assessment.yaml", []byte(tc.text), "assessment.schema.json", &d)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			var fe *FileError
			var fes FileErrors
			if !errors.As(err, &fe) && !errors.As(err, &fes) {
				t.Errorf("error %T is not a FileError", err)
			}
		})
	}
}

func TestValidateJSONScanResultSchema(t *testing.T) {
	if err := ValidateJSON("scan-result.schema.json", []byte(`{"schema_version":"1.0.0"}`)); err == nil {
		t.Error("an incomplete result validated")
	}
}

// Validation errors read as sentences: the allowed words without Go's quoting or <nil>, the
// expected type named plainly.
func TestValidationErrorsAreHuman(t *testing.T) {
	var v any
	err := DecodeYAML("answers.yaml", []byte("schema_version: 1\nanswers:\n  gov.risk_analysis:\n    status: maybe\n"), "answers.schema.json", &v)
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, bad := range []string{"<nil>", "'yes'", "value must be one of"} {
		if strings.Contains(msg, bad) {
			t.Errorf("error %q contains %q", msg, bad)
		}
	}
	if !strings.Contains(msg, "answers.yaml:4:13") || !strings.Contains(msg, "must be one of implemented, partial,") || !strings.Contains(msg, "or left empty") {
		t.Errorf("error %q: want the position and the allowed values in words", msg)
	}
	err = DecodeYAML("answers.yaml", []byte("schema_version: 1\nanswers:\n  - a\n"), "answers.schema.json", &v)
	if err == nil || !strings.Contains(err.Error(), "answers: must be a mapping, not a list") {
		t.Errorf("type error: %v", err)
	}
}

// TestAtNamesLineAndField: a located error names the node's line and column and the path as a
// field; a path that names nothing leaves the file alone, never a wrong line.
func TestAtNamesLineAndField(t *testing.T) {
	root, err := ParseYAML("assets.yaml", []byte("assets:\n  - name: a\n    ephi: [x, y]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := At("assets.yaml", root, "bad", "assets", "0", "ephi", "1").Error(); got != "assets.yaml:3:15: assets[0].ephi[1]: bad" {
		t.Errorf("At: %q", got)
	}
	if fe := At("assets.yaml", root, "bad", "assets", "3"); fe.Line != 0 || fe.Field != "assets[3]" {
		t.Errorf("At on a missing node: %+v", fe)
	}
}
