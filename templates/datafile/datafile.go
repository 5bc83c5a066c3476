// Package datafile is the one way every input file is read: parsed, checked against its embedded
// JSON Schema, and reported with file:line:column when it is wrong.
package datafile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/telesra/telesra/templates"
)

// FileError is bad input in a file, with the position of the offending value.
type FileError struct {
	File   string
	Line   int
	Column int
	Field  string // "scope.targets[2]"; empty for syntax errors
	Msg    string
}

func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// FileErrors is every problem found in one file, in line order.
type FileErrors []*FileError

func (es FileErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// maxYAMLBytes bounds what we are willing to parse: input files are hand-written and small, and
// a YAML "billion laughs" document must not exhaust memory.
const maxYAMLBytes = 16 << 20

// DecodeYAML parses one YAML document, validates it against the embedded JSON Schema named
// schema (e.g. "assessment.schema.json"), and decodes it into v. Every error names file, line,
// column and field. Duplicate keys are errors, not silent overrides.
func DecodeYAML(file string, data []byte, schema string, v any) error {
	_, err := DecodeNode(file, data, schema, v)
	return err
}

// DecodeNode is DecodeYAML returning the parsed tree too, for parsers that check what a schema
// cannot say and place those errors with At.
func DecodeNode(file string, data []byte, schema string, v any) (*yaml.Node, error) {
	root, err := ParseYAML(file, data)
	if err != nil {
		return nil, err
	}
	if err := ValidateNode(file, root, schema); err != nil {
		return nil, err
	}
	if err := root.Decode(v); err != nil {
		return nil, yamlError(file, err)
	}
	return root, nil
}

// EncodeYAML renders v (a value or a *yaml.Node tree, comments kept) as the YAML files telesra
// writes are written: one document, two-space indentation.
func EncodeYAML(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ParseYAML parses exactly one YAML document into a node tree, rejecting duplicate keys and
// non-string keys. Callers that need positions for their own checks use the tree.
func ParseYAML(file string, data []byte) (*yaml.Node, error) {
	if len(data) > maxYAMLBytes {
		return nil, &FileError{File: file, Msg: fmt.Sprintf("file is larger than %d MiB", maxYAMLBytes>>20)}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &FileError{File: file, Line: 1, Msg: "file is empty"}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		return nil, yamlError(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &FileError{File: file, Line: extra.Line, Column: extra.Column, Msg: "more than one YAML document (remove the extra '---')"}
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlError(file, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if errs := checkKeys(file, root, ""); len(errs) > 0 {
		return nil, errs
	}
	return root, nil
}

var yamlLineRE = regexp.MustCompile(`line (\d+)(?:, column (\d+))?: (.*)`)

// yamlError turns the parser's "yaml: line 3: ..." into a FileError.
func yamlError(file string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		var fe FileErrors
		for _, e := range te.Errors {
			fe = append(fe, lineError(file, e))
		}
		return fe
	}
	return lineError(file, strings.TrimPrefix(err.Error(), "yaml: "))
}

func lineError(file, msg string) *FileError {
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		col, _ := strconv.Atoi(m[2])
		return &FileError{File: file, Line: line, Column: col, Msg: m[3]}
	}
	return &FileError{File: file, Msg: msg}
}

// checkKeys reports duplicate and non-scalar mapping keys anywhere in the tree.
func checkKeys(file string, n *yaml.Node, path string) FileErrors {
	var errs FileErrors
	switch n.Kind {
	case yaml.MappingNode:
		seen := map[string]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				errs = append(errs, &FileError{File: file, Line: k.Line, Column: k.Column, Field: path, Msg: "mapping keys must be plain strings"})
				continue
			}
			if k.Value == "<<" {
				errs = append(errs, &FileError{File: file, Line: k.Line, Column: k.Column, Field: path, Msg: "YAML merge keys (<<) are not supported"})
				continue
			}
			if prev, dup := seen[k.Value]; dup {
				errs = append(errs, &FileError{File: file, Line: k.Line, Column: k.Column, Field: joinField(path, k.Value),
					Msg: fmt.Sprintf("duplicate key %q (first defined at line %d)", k.Value, prev.Line)})
				continue
			}
			seen[k.Value] = k
			errs = append(errs, checkKeys(file, val, joinField(path, k.Value))...)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			errs = append(errs, checkKeys(file, c, fmt.Sprintf("%s[%d]", path, i))...)
		}
	case yaml.AliasNode:
		errs = append(errs, &FileError{File: file, Line: n.Line, Column: n.Column, Field: path, Msg: "YAML aliases (*name) are not supported"})
	}
	return errs
}

func joinField(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// ValidateNode checks a parsed tree against an embedded schema.
func ValidateNode(file string, root *yaml.Node, schema string) error {
	sch, err := compiled(schema)
	if err != nil {
		return err
	}
	inst, err := nodeValue(root)
	if err != nil {
		return &FileError{File: file, Line: root.Line, Column: root.Column, Msg: err.Error()}
	}
	err = sch.Validate(inst)
	var ve *jsonschema.ValidationError
	if err == nil {
		return nil
	} else if !errors.As(err, &ve) {
		return fmt.Errorf("%s: validate: %w", file, err)
	}
	p := message.NewPrinter(language.English)
	var out FileErrors
	seen := map[string]bool{}
	for _, leaf := range leaves(ve) {
		n, field := locate(root, leaf.InstanceLocation)
		msg := humanise(leaf.ErrorKind, p)
		key := fmt.Sprintf("%d:%d:%s", n.Line, n.Column, msg)
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, &FileError{File: file, Line: n.Line, Column: n.Column, Field: field, Msg: msg})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Column < out[j].Column
	})
	return out
}

// yamlWords names JSON Schema types as a YAML author knows them.
var yamlWords = map[string]string{"object": "a mapping", "array": "a list", "string": "text", "integer": "a whole number",
	"number": "a number", "boolean": "true or false", "null": "empty"}

// humanise words the two errors people meet most, a value outside a list and a value of the
// wrong type, as sentences: the validator's own text quotes Go values ("'yes', 'no', <nil>").
func humanise(k jsonschema.ErrorKind, p *message.Printer) string {
	switch k := k.(type) {
	case *kind.Enum:
		var words []string
		empty := false
		for _, w := range k.Want {
			switch w := w.(type) {
			case nil:
				empty = true
			case string, bool, float64, int, json.Number:
				words = append(words, fmt.Sprint(w))
			default:
				return k.LocalizedString(p)
			}
		}
		msg := "must be one of " + strings.Join(words, ", ")
		if empty {
			msg += ", or left empty"
		}
		return msg
	case *kind.Type:
		var want []string
		for _, w := range k.Want {
			if y, ok := yamlWords[w]; ok && w != "null" {
				want = append(want, y)
			}
		}
		got := yamlWords[k.Got]
		if got == "" {
			got = k.Got
		}
		if len(want) == 0 {
			return k.LocalizedString(p)
		}
		return fmt.Sprintf("must be %s, not %s", strings.Join(want, " or "), got)
	}
	return k.LocalizedString(p)
}

func leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

// At is a FileError at the node a path of mapping keys and sequence indexes names in a parsed
// file, its field the path as errors print it (["assets", "0", "ephi"] is assets[0].ephi).
// When the path names no node the error names the file alone.
func At(file string, root *yaml.Node, msg string, path ...string) *FileError {
	fe := &FileError{File: file, Field: fieldOf(path), Msg: msg}
	if n := Locate(root, path...); n != nil {
		fe.Line, fe.Column = n.Line, n.Column
	}
	return fe
}

// Locate returns the node at a path of mapping keys and sequence indexes, or nil.
func Locate(root *yaml.Node, path ...string) *yaml.Node {
	n, field := locate(root, path)
	if want := fieldOf(path); field != want {
		return nil
	}
	return n
}

func fieldOf(path []string) string {
	f := ""
	for _, tok := range path {
		if _, err := strconv.Atoi(tok); err == nil {
			f = fmt.Sprintf("%s[%s]", f, tok)
		} else {
			f = joinField(f, tok)
		}
	}
	return f
}

// locate walks a JSON-pointer path through the YAML tree and returns the deepest node found
// (its position) and the path as a field name.
func locate(n *yaml.Node, loc []string) (*yaml.Node, string) {
	field := ""
	for _, tok := range loc {
		switch n.Kind {
		case yaml.MappingNode:
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == tok {
					next = n.Content[i+1]
					break
				}
			}
			if next == nil {
				return n, field
			}
			field = joinField(field, tok)
			n = next
		case yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.Content) {
				return n, field
			}
			field = fmt.Sprintf("%s[%d]", field, i)
			n = n.Content[i]
		default:
			return n, field
		}
	}
	return n, field
}

// nodeValue converts a YAML tree into the plain values a JSON Schema validator expects. Dates
// stay strings (as written), so "format": "date" can judge them.
func nodeValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return nodeValue(n.Content[0])
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := nodeValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := nodeValue(c)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		return s, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, nil
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				return nil, err
			}
			return b, nil
		case "!!int", "!!float":
			var f float64
			if err := n.Decode(&f); err != nil {
				return nil, err
			}
			return json.Number(strconv.FormatFloat(f, 'f', -1, 64)), nil
		default:
			return n.Value, nil
		}
	}
	return nil, fmt.Errorf("unsupported YAML node at line %d", n.Line)
}

const schemaBase = "https://telesra.dev/schemas/"

var compiler = sync.OnceValues(func() (*jsonschema.Compiler, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for _, name := range templates.SchemaNames() {
		data, err := templates.ReadFile("schemas/" + name)
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("embedded schema %s: %w", name, err)
		}
		if err := c.AddResource(schemaBase+name, doc); err != nil {
			return nil, fmt.Errorf("embedded schema %s: %w", name, err)
		}
	}
	return c, nil
})

var (
	compiledMu sync.Mutex
	compiledBy = map[string]*jsonschema.Schema{}
)

func compiled(name string) (*jsonschema.Schema, error) {
	compiledMu.Lock()
	defer compiledMu.Unlock()
	if s, ok := compiledBy[name]; ok {
		return s, nil
	}
	c, err := compiler()
	if err != nil {
		return nil, err
	}
	s, err := c.Compile(schemaBase + name)
	if err != nil {
		return nil, fmt.Errorf("embedded schema %s: %w", name, err)
	}
	compiledBy[name] = s
	return s, nil
}

// ValidateJSON checks a JSON document (such as a scan result) against an embedded schema.
func ValidateJSON(schema string, data []byte) error {
	sch, err := compiled(schema)
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("parse JSON: %w", err)
	}
	return sch.Validate(inst)
}
