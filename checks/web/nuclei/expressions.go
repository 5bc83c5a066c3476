package nuclei

import (
	"fmt"
	"strings"

	"github.com/projectdiscovery/nuclei/v3/pkg/protocols/common/marker"
	"go.yaml.in/yaml/v3"

	"github.com/telesra/telesra/templates/datafile"
)

// vetTemplate parses a template's YAML (escapes resolved) and refuses the DSL helpers and
// out-of-band markers it uses; nil when it uses none telesra does not allow.
func vetTemplate(file string, data []byte) datafile.FileErrors {
	root, err := datafile.ParseYAML(file, data)
	if err != nil {
		return datafile.FileErrors{{File: file, Msg: err.Error()}}
	}
	return vetExpressions(file, root)
}

// vetExpressions refuses the DSL helpers and out-of-band markers a template uses, judged on the
// decoded YAML (escapes such as "\x72esolve" resolved, aliases followed), never on its text. It
// reads every string of the template, keys included: nuclei evaluates {{...}} markers in paths,
// headers, bodies, raw requests, payloads, variables, matchers and extractors alike, and whole
// expressions in the dsl lists of matchers and extractors.
func vetExpressions(file string, root *yaml.Node) datafile.FileErrors {
	v := &vetter{file: file, seen: map[walked]bool{}, budget: maxExpressionBytes}
	v.walk(root, "", false)
	return v.errs
}

// maxExpressionBytes bounds what one template costs to vet: every {{ ... }} span is parsed,
// which is quadratic in the markers of one string. Real templates use a few KiB.
const maxExpressionBytes = 32 << 20

type vetter struct {
	file     string
	seen     map[walked]bool
	budget   int
	overflow bool
	errs     datafile.FileErrors
	reported map[string]bool // line + helper, so an alias does not repeat an error
}

// walked is a node as read: an anchored string reached again through an alias under a dsl key
// is read again, as a whole expression this time.
type walked struct {
	n   *yaml.Node
	dsl bool
}

func (v *vetter) walk(n *yaml.Node, field string, dsl bool) {
	if n == nil || v.seen[walked{n, dsl}] {
		return
	}
	v.seen[walked{n, dsl}] = true
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			v.walk(c, field, false)
		}
	case yaml.AliasNode:
		v.walk(n.Alias, field, dsl)
	case yaml.SequenceNode:
		for i, c := range n.Content {
			v.walk(c, fmt.Sprintf("%s[%d]", field, i), dsl)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			name := k.Value
			if field != "" {
				name = field + "." + k.Value
			}
			v.walk(k, name, false)
			// A dsl list (matchers and extractors of type dsl) is whole expressions.
			v.walk(val, name, k.Value == "dsl")
		}
	case yaml.ScalarNode:
		v.scalar(n, field, dsl)
	}
}

func (v *vetter) scalar(n *yaml.Node, field string, dsl bool) {
	// Decode as nuclei will (a !!binary string is base64 in the file); check the raw value too.
	var s string
	if err := n.Decode(&s); err != nil {
		s = n.Value
	}
	for _, text := range uniqueStrings(s, n.Value) {
		if marker.HasInteractshURLMarker(text) {
			v.add(n, field, 0, "", "interactsh (out-of-band) requests are not allowed: they contact a third-party server")
		}
		if dsl {
			v.calls(n, field, text, 0, text)
		}
		v.markers(n, field, text)
	}
}

// markers checks what nuclei may evaluate inside {{ }}. nuclei's own FindExpressions pairs each
// {{ with the first }} that closes a valid expression, given the variables of the moment; to
// cover every pairing it could make, each {{ is tried with every later }}.
func (v *vetter) markers(n *yaml.Node, field, s string) {
	opens := indexAll(s, marker.ParenthesisOpen)
	if len(opens) == 0 {
		return
	}
	closes := indexAll(s, marker.ParenthesisClose)
	for _, i := range opens {
		start := i + len(marker.ParenthesisOpen)
		for _, j := range closes {
			if j < start {
				continue
			}
			if v.budget -= j - start; v.budget < 0 {
				if !v.overflow {
					v.overflow = true
					v.add(n, field, 0, "", fmt.Sprintf("too many {{ }} expressions to check (more than %d MiB to parse): telesra cannot vet this template",
						maxExpressionBytes>>20))
				}
				return
			}
			v.calls(n, field, s, start, s[start:j])
		}
	}
}

// calls reports each refused helper an expression calls; at is the expression's offset in s, to
// find its line.
func (v *vetter) calls(n *yaml.Node, field, s string, at int, expr string) {
	if !strings.Contains(expr, "(") {
		return
	}
	for _, name := range parseCalls(expr) {
		if why := helperRefusal(name); why != "" {
			v.add(n, field, strings.Count(s[:at], "\n"), name, fmt.Sprintf("the DSL helper %s() is not allowed: %s", name, why))
		}
	}
}

// add records an error at the scalar's line; in a literal block (raw requests, bodies) the
// expression's own line is known exactly.
func (v *vetter) add(n *yaml.Node, field string, lineInValue int, helper, msg string) {
	line := n.Line
	if n.Style&yaml.LiteralStyle != 0 {
		line += 1 + lineInValue
	}
	key := fmt.Sprintf("%d\x00%s\x00%s", line, helper, msg)
	if v.reported == nil {
		v.reported = map[string]bool{}
	}
	if v.reported[key] {
		return
	}
	v.reported[key] = true
	v.errs = append(v.errs, &datafile.FileError{File: v.file, Line: line, Column: n.Column, Field: field, Msg: msg})
}

func indexAll(s, sub string) []int {
	var out []int
	for off := 0; ; {
		i := strings.Index(s[off:], sub)
		if i < 0 {
			return out
		}
		out = append(out, off+i)
		off += i + 1
	}
}

func uniqueStrings(a, b string) []string {
	if a == b {
		return []string{a}
	}
	return []string{a, b}
}
