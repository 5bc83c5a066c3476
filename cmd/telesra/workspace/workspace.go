// Package workspace is telesra's application layer. It owns an assessment's directory:
// assessment.yaml (who, when, what may be scanned and who authorised it) and the files kept
// beside it (scan results, answers, assets, the remediation plan, reports), the one atomic 0600
// writer every file goes through, and the use cases the verbs call: scan a scope (PlanScan),
// build the risk register (Analyse) and write the report set (WriteReports).
//
// It composes the domain packages (checks, questionnaire, report) but knows no check family:
// the registry of families reaches it from the command line's composition root.
package workspace

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"time"

	"github.com/telesra/telesra/templates/datafile"

	"go.yaml.in/yaml/v3"

	"github.com/telesra/telesra/checks"
)

// Assessment is assessment.yaml.
type Assessment struct {
	SchemaVersion  int            `yaml:"schema_version"`
	Organisation   Organisation   `yaml:"organisation"`
	Assessor       Assessor       `yaml:"assessor"`
	AssessmentDate string         `yaml:"assessment_date"`
	Scope          Scope          `yaml:"scope"`
	Authorisation  *Authorisation `yaml:"authorisation,omitempty"`
}

// Organisation is the covered entity assessed.
type Organisation struct {
	Name        string   `yaml:"name"`
	Address     string   `yaml:"address,omitempty"`
	Contact     string   `yaml:"contact,omitempty"`
	EPHISystems []string `yaml:"ephi_systems,omitempty"`
}

// Assessor is who performs the assessment.
type Assessor struct {
	Name         string `yaml:"name"`
	Organisation string `yaml:"organisation,omitempty"`
	Email        string `yaml:"email,omitempty"`
	// Qualifications and Independence are printed in the report's sign-off.
	Qualifications string `yaml:"qualifications,omitempty"`
	Independence   string `yaml:"independence,omitempty"`
}

// Scope is what may be scanned.
type Scope struct {
	Description string   `yaml:"description,omitempty"`
	Targets     []string `yaml:"targets"`
	Exclusions  []string `yaml:"exclusions,omitempty"`
	Ports       []int    `yaml:"ports,omitempty"`
}

// Authorisation records the written permission for active scanning.
type Authorisation struct {
	AuthorisedBy string `yaml:"authorised_by"`
	AuthorisedOn string `yaml:"authorised_on"`
	ExpiresOn    string `yaml:"expires_on,omitempty"`
	Reference    string `yaml:"reference,omitempty"`
}

// Workspace is a loaded workspace directory.
type Workspace struct {
	Layout
	Path       string // .../assessment.yaml
	Assessment Assessment
	Targets    []checks.Target // parsed scope targets, each with its file:line
	Exclusions []checks.Target
}

// Load reads and validates DIR/assessment.yaml. Errors name file:line:column and the field.
func Load(dir string) (*Workspace, error) {
	path := At(dir).AssessmentPath()
	data, err := ReadInput(path, AssessmentInput)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, inputErrorf("%s: no assessment workspace here (create one with: telesra init %s)", path, dir)
		}
		return nil, fmt.Errorf("read workspace: %w", err)
	}
	return Parse(dir, path, data)
}

// Parse validates the text of an assessment.yaml found at path.
func Parse(dir, path string, data []byte) (*Workspace, error) {
	root, err := datafile.ParseYAML(path, data)
	if err != nil {
		return nil, err
	}
	if err := datafile.ValidateNode(path, root, "assessment.schema.json"); err != nil {
		return nil, err
	}
	ws := &Workspace{Layout: At(dir), Path: path}
	if err := root.Decode(&ws.Assessment); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var errs datafile.FileErrors
	parse := func(list []string, key string) []checks.Target {
		var out []checks.Target
		for i, raw := range list {
			t, err := checks.ParseTarget(raw)
			if err != nil {
				errs = append(errs, datafile.At(path, root, err.Error(), "scope", key, strconv.Itoa(i)))
				continue
			}
			if n := datafile.Locate(root, "scope", key, strconv.Itoa(i)); n != nil {
				t.Source = checks.Source{File: path, Line: n.Line}
			}
			out = append(out, t)
		}
		return out
	}
	ws.Targets = parse(ws.Assessment.Scope.Targets, "targets")
	ws.Exclusions = parse(ws.Assessment.Scope.Exclusions, "exclusions")
	if a := ws.Assessment.Authorisation; a != nil {
		for _, d := range []struct{ field, v string }{{"authorised_on", a.AuthorisedOn}, {"expires_on", a.ExpiresOn}} {
			if d.v == "" {
				continue
			}
			if _, err := time.Parse(time.DateOnly, d.v); err != nil {
				errs = append(errs, datafile.At(path, root, "want a date such as 2026-11-22", "authorisation", d.field))
			}
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return ws, nil
}

// CheckAuthorisation refuses active scanning unless assessment.yaml records who authorised it,
// on a date that has come and not yet expired.
func (ws *Workspace) CheckAuthorisation(today time.Time) error {
	a := ws.Assessment.Authorisation
	if a == nil || a.AuthorisedBy == "" || a.AuthorisedOn == "" {
		return &AuthorisationError{Path: ws.Path, Why: "set authorisation.authorised_by and authorisation.authorised_on " +
			"(the person who gave written permission to scan, and when)"}
	}
	day := today.Format(time.DateOnly)
	if a.AuthorisedOn > day {
		return &AuthorisationError{Path: ws.Path, Why: fmt.Sprintf("authorisation starts on %s", a.AuthorisedOn)}
	}
	if a.ExpiresOn != "" && a.ExpiresOn < day {
		return &AuthorisationError{Path: ws.Path, Why: fmt.Sprintf("authorisation expired on %s", a.ExpiresOn)}
	}
	return nil
}

// Marshal renders assessment.yaml with comments that explain each section.
func (a Assessment) Marshal() ([]byte, error) {
	var doc yaml.Node
	if err := doc.Encode(a); err != nil {
		return nil, err
	}
	comments := map[string]string{
		"schema_version":  "telesra assessment workspace. Edit freely; `telesra scan -w DIR` validates it.",
		"organisation":    "The covered entity or business associate assessed.",
		"assessor":        "Who performs the assessment.",
		"assessment_date": "YYYY-MM-DD",
		"scope": "What may be scanned: hosts, host:port, URLs and CIDRs (at most /20 without --allow-large-scope).\n" +
			"Exclusions win over targets; nothing outside this list is ever contacted.",
		"authorisation": "Written permission for active scanning. telesra scan refuses to run without it.",
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if c, ok := comments[doc.Content[i].Value]; ok {
			doc.Content[i].HeadComment = c
		}
	}
	if a.Authorisation == nil {
		// Left as a commented template: an empty date would not validate, and an empty
		// authorisation must read as "not given", which is what scan checks.
		doc.FootComment = comments["authorisation"] + "\n" +
			"authorisation:\n" +
			"  authorised_by: \"name and role of the person who gave written permission\"\n" +
			"  authorised_on: \"YYYY-MM-DD\""
	}
	return datafile.EncodeYAML(&doc)
}

// Create makes DIR (0700) and writes DIR/assessment.yaml. It refuses to replace an existing file
// unless force is set.
func Create(dir string, a Assessment, force bool) (string, error) {
	data, err := a.Marshal()
	if err != nil {
		return "", err
	}
	path := At(dir).AssessmentPath()
	// The new file must itself be valid: init never writes what scan would reject.
	if _, err := Parse(dir, path, data); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create workspace: %w", err)
	}
	return path, WriteFile(path, data, force)
}
