package web

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/telesra/telesra/templates/hipaa"

	"github.com/telesra/telesra/templates/datafile"

	"go.yaml.in/yaml/v3"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/templates"
)

// Template is one nuclei template with the telesra metadata every template must carry. Ours
// are embedded (templates/nuclei); --templates DIR adds the user's.
type Template struct {
	ID          string // nuclei id; the check is "web." + ID
	File        string // as reported: "templates/nuclei/exposures/git.yaml" or the user's path
	Path        string // the file on disk for user templates (nuclei resolves helper files against it)
	Data        []byte
	Name        string
	Description string
	Remediation string
	Severity    checks.Severity
	HIPAA       []string
	References  []string
	Tech        *Tech    // the product a match recognises, if the template names one
	Requests    []string // what it sends, for the catalog: "GET /.git/HEAD"
	User        bool     // from --templates DIR
}

// CheckID is the ID of the check the template becomes.
func (t *Template) CheckID() string { return Family + "." + t.ID }

// Tech is the technology metadata of a recognition template.
type Tech struct {
	Product  string `yaml:"product"`
	Vendor   string `yaml:"vendor"`
	Category string `yaml:"category"`
}

// templateDoc is the part of a nuclei template telesra reads itself.
type templateDoc struct {
	ID   string `yaml:"id"`
	Info struct {
		Name        string    `yaml:"name"`
		Severity    string    `yaml:"severity"`
		Description string    `yaml:"description"`
		Remediation string    `yaml:"remediation"`
		Reference   stringSet `yaml:"reference"`
		Metadata    struct {
			Telesra struct {
				HIPAA      []string `yaml:"hipaa"`
				Technology *Tech    `yaml:"technology"`
			} `yaml:"telesra"`
		} `yaml:"metadata"`
	} `yaml:"info"`
	HTTP     []httpDoc `yaml:"http"`
	Requests []httpDoc `yaml:"requests"`
}

type httpDoc struct {
	Method string   `yaml:"method"`
	Path   []string `yaml:"path"`
	Raw    []string `yaml:"raw"`
}

// stringSet reads a YAML string or list of strings.
type stringSet []string

func (s *stringSet) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*s = []string{n.Value}
		return nil
	}
	var l []string
	if err := n.Decode(&l); err != nil {
		return err
	}
	*s = l
	return nil
}

// forbidden lists the top-level keys (protocols and modes) telesra refuses, with the reason. Only
// http templates run: their connections go through telesra's connection guard to the declared
// endpoint, and nothing else.
var forbidden = map[string]string{
	"code":       "protocol code is not allowed: it runs programs on this machine",
	"headless":   "protocol headless is not allowed: it drives a browser whose connections telesra cannot confine to the target",
	"javascript": "protocol javascript is not allowed: telesra runs no JavaScript templates (no template carries telesra's signature)",
	"flow":       "flow is not allowed: it is JavaScript (no template carries telesra's signature)",
	"dns":        "protocol dns is not allowed: it queries DNS resolvers, not the declared target",
	"whois":      "protocol whois is not allowed: it queries registries, not the declared target",
	"file":       "protocol file is not allowed: it reads files on this machine",
	"network":    "protocol network is not allowed: only http templates run (their connections go through telesra's scope guard)",
	"tcp":        "protocol tcp is not allowed: only http templates run (their connections go through telesra's scope guard)",
	"ssl":        "protocol ssl is not allowed: only http templates run (the tls family judges TLS)",
	"websocket":  "protocol websocket is not allowed: only http templates run",
	"workflows":  "workflows are not supported: each template is one check",
	"self-contained": "self-contained templates are not allowed: they send requests to hosts named in the template, " +
		"not to the declared target",
}

// forbiddenRequestKeys are http request modes that use nuclei's raw client, outside the
// transport telesra confines.
var forbiddenRequestKeys = map[string]string{
	"unsafe":   "unsafe (raw) requests are not allowed: they use a raw HTTP client outside telesra's connection guard",
	"race":     "race requests are not allowed: they use a raw HTTP client outside telesra's connection guard",
	"pipeline": "pipelined requests are not allowed: they use a raw HTTP client outside telesra's connection guard",
}

var placeholder = regexp.MustCompile(`\{\{(BaseURL|RootURL)\}\}`)

// ParseTemplate reads one template and checks everything telesra requires of it. The error names
// file:line:column and the field (datafile.FileError, FileErrors).
func ParseTemplate(file string, data []byte) (*Template, error) {
	root, err := datafile.ParseYAML(file, data)
	if err != nil {
		return nil, err
	}
	if root.Kind != yaml.MappingNode {
		return nil, &datafile.FileError{File: file, Line: root.Line, Column: root.Column, Msg: "a template is a YAML mapping"}
	}
	var errs datafile.FileErrors
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		why, bad := forbidden[k.Value]
		if k.Value == "self-contained" && v.Value != "true" {
			bad = false
		}
		if bad {
			errs = append(errs, &datafile.FileError{File: file, Line: k.Line, Column: k.Column, Field: k.Value, Msg: why})
		}
		if (k.Value == "http" || k.Value == "requests") && v.Kind == yaml.SequenceNode {
			for j, req := range v.Content {
				if req.Kind != yaml.MappingNode {
					continue
				}
				for m := 0; m+1 < len(req.Content); m += 2 {
					rk, rv := req.Content[m], req.Content[m+1]
					if why, bad := forbiddenRequestKeys[rk.Value]; bad && rv.Value == "true" {
						errs = append(errs, &datafile.FileError{File: file, Line: rk.Line, Column: rk.Column,
							Field: fmt.Sprintf("%s[%d].%s", k.Value, j, rk.Value), Msg: why})
					}
				}
			}
		}
	}
	// The DSL helpers and out-of-band markers a template uses are vetted by the worker with
	// nuclei's own expression parser (checks/web/nuclei), before nuclei compiles it.
	if len(errs) > 0 {
		return nil, errs
	}
	if err := datafile.ValidateNode(file, root, "nuclei-template.schema.json"); err != nil {
		return nil, err
	}
	var doc templateDoc
	if err := root.Decode(&doc); err != nil {
		return nil, &datafile.FileError{File: file, Line: root.Line, Column: root.Column, Msg: err.Error()}
	}
	if bad := hipaa.UnknownCitations(doc.Info.Metadata.Telesra.HIPAA); len(bad) > 0 {
		return nil, datafile.At(file, root, fmt.Sprintf("unknown HIPAA citations %s (see templates/hipaa/citations.yaml)", strings.Join(bad, ", ")),
			"info", "metadata", "telesra", "hipaa")
	}
	if len(doc.HTTP) == 0 && len(doc.Requests) == 0 {
		return nil, &datafile.FileError{File: file, Line: root.Line, Column: root.Column, Field: "http", Msg: "an http template needs at least one request"}
	}
	sev, err := checks.ParseSeverity(doc.Info.Severity)
	if err != nil {
		return nil, &datafile.FileError{File: file, Field: "info.severity", Msg: err.Error()}
	}
	t := &Template{
		ID:          doc.ID,
		File:        file,
		Data:        data,
		Name:        strings.TrimSpace(doc.Info.Name),
		Description: oneLine(doc.Info.Description),
		Remediation: oneLine(doc.Info.Remediation),
		Severity:    sev,
		HIPAA:       doc.Info.Metadata.Telesra.HIPAA,
		References:  doc.Info.Reference,
		Tech:        doc.Info.Metadata.Telesra.Technology,
	}
	for _, r := range append(doc.HTTP, doc.Requests...) {
		t.Requests = append(t.Requests, describeRequests(r)...)
	}
	return t, nil
}

// describeRequests renders a request block for the catalog: "GET /.git/HEAD".
func describeRequests(r httpDoc) []string {
	var out []string
	method := strings.ToUpper(r.Method)
	if method == "" {
		method = "GET"
	}
	for _, p := range r.Path {
		p = placeholder.ReplaceAllStringFunc(p, func(m string) string {
			if strings.Contains(m, "BaseURL") {
				return "<path>"
			}
			return ""
		})
		if p == "" {
			p = "/"
		}
		out = append(out, method+" "+p)
	}
	for _, raw := range r.Raw {
		line, _, _ := strings.Cut(strings.TrimSpace(raw), "\n")
		f := strings.Fields(line)
		if len(f) >= 2 {
			out = append(out, f[0]+" "+f[1])
		}
	}
	return out
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Pack is the set of templates a scan runs: ours, plus the user's valid ones.
type Pack struct {
	Templates []*Template
	// Rejected are the user's templates that failed validation; the scan skips them and runs the
	// others.
	Rejected []error
}

// EmbeddedPack parses telesra's own templates. They are tested, so any error is a defect of the
// build, returned for the caller to report.
func EmbeddedPack() ([]*Template, error) {
	ts, errs, err := embedded()
	if err != nil {
		return nil, err
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := duplicates(ts); err != nil {
		return nil, err
	}
	return ts, nil
}

// embedded parses every embedded template, returning the bad ones as errors.
func embedded() ([]*Template, []error, error) {
	var (
		out  []*Template
		errs []error
	)
	err := fs.WalkDir(templates.FS(), templates.NucleiDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isTemplateFile(p) {
			return err
		}
		data, err := fs.ReadFile(templates.FS(), p)
		if err != nil {
			return err
		}
		t, err := ParseTemplate(path.Join("templates", p), data)
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		out = append(out, t)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	sortTemplates(out)
	return out, errs, nil
}

// ErrTemplatesDir wraps every error about the --templates directory itself (missing, not a
// directory, unreadable): bad input, not a failure of telesra.
var ErrTemplatesDir = errors.New("templates directory")

// LoadDir parses every template under dir. Bad ones come back as errors naming file:line; the
// error return is for a directory that cannot be read at all.
func LoadDir(dir string) ([]*Template, []error, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrTemplatesDir, err)
	}
	if !info.IsDir() {
		return nil, nil, fmt.Errorf("%w: %s is not a directory", ErrTemplatesDir, dir)
	}
	var (
		out  []*Template
		bad  []error
		seen = map[string]string{}
	)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !isTemplateFile(p) {
			return nil
		}
		if !d.Type().IsRegular() {
			bad = append(bad, &datafile.FileError{File: p, Msg: "not a regular file"})
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if fi.Size() > maxTemplateBytes {
			bad = append(bad, &datafile.FileError{File: p, Msg: fmt.Sprintf("larger than %d KiB", maxTemplateBytes>>10)})
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			bad = append(bad, &datafile.FileError{File: p, Msg: err.Error()})
			return nil
		}
		t, err := ParseTemplate(p, data)
		if err != nil {
			bad = append(bad, err)
			return nil
		}
		if prev, dup := seen[t.ID]; dup {
			bad = append(bad, &datafile.FileError{File: p, Field: "id", Msg: fmt.Sprintf("id %q is also used by %s", t.ID, prev)})
			return nil
		}
		seen[t.ID] = p
		t.User = true
		if abs, err := filepath.Abs(p); err == nil {
			t.Path = abs
		}
		out = append(out, t)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrTemplatesDir, err)
	}
	sortTemplates(out)
	return out, bad, nil
}

// maxTemplateBytes bounds a user template: ours are a few KiB.
const maxTemplateBytes = 256 << 10

func isTemplateFile(p string) bool {
	ext := strings.ToLower(path.Ext(p))
	return ext == ".yaml" || ext == ".yml"
}

func duplicates(ts []*Template) error {
	seen := map[string]string{}
	for _, t := range ts {
		if prev, ok := seen[t.ID]; ok {
			return fmt.Errorf("%s: id %q is also used by %s", t.File, t.ID, prev)
		}
		seen[t.ID] = t.File
	}
	return nil
}

func sortTemplates(ts []*Template) {
	sort.Slice(ts, func(i, j int) bool { return ts[i].ID < ts[j].ID })
}

// NewPack combines our templates with the user's from dir ("" for none). A user template whose id
// is already taken by ours is rejected, not substituted: a finding's check ID must keep meaning
// what the catalog says.
func NewPack(dir string) (*Pack, error) {
	ours, err := EmbeddedPack()
	if err != nil {
		return nil, fmt.Errorf("embedded nuclei templates: %w", err)
	}
	p := &Pack{Templates: ours}
	if dir == "" {
		return p, nil
	}
	user, bad, err := LoadDir(dir)
	if err != nil {
		return nil, err
	}
	p.Rejected = bad
	taken := map[string]string{}
	for _, t := range ours {
		taken[t.ID] = t.File
	}
	for _, t := range user {
		if prev, ok := taken[t.ID]; ok {
			p.Rejected = append(p.Rejected, &datafile.FileError{File: t.File, Field: "id",
				Msg: fmt.Sprintf("id %q is one of telesra's own templates (%s); choose another id", t.ID, prev)})
			continue
		}
		p.Templates = append(p.Templates, t)
	}
	sortTemplates(p.Templates)
	return p, nil
}
