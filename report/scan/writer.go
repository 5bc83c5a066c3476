// Package scan renders a scan result (checks.Result) in the formats CI systems and people read:
// json (the canonical document), sarif, junit, markdown and table. One writer per format, each
// in its own file; adding a format is adding a file and a line to Formats.
package scan

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/telesra/telesra/checks"
)

// Writer renders a result.
type Writer interface {
	Write(w io.Writer, r *checks.Result) error
}

// Options carry what some writers need beyond the result.
type Options struct {
	Registry  *checks.Registry // check metadata (SARIF rules, JUnit class names)
	Threshold checks.Severity  // findings at or above it fail (JUnit) or are marked (markdown)
	Color     bool             // table: ANSI colour
	Width     int              // table: terminal width (0: 100)
}

// Formats maps each --format name to its writer.
var Formats = map[string]func(Options) Writer{
	"json":     func(Options) Writer { return JSON{} },
	"sarif":    func(o Options) Writer { return SARIF{Registry: o.Registry} },
	"junit":    func(o Options) Writer { return JUnit{Threshold: o.Threshold} },
	"markdown": func(o Options) Writer { return Markdown{Threshold: o.Threshold} },
	"table":    func(o Options) Writer { return Table{Color: o.Color, Width: o.Width} },
}

// FormatNames lists the formats, sorted.
func FormatNames() []string {
	var out []string
	for k := range Formats {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// New returns the writer for a format name.
func New(format string, o Options) (Writer, error) {
	f, ok := Formats[strings.ToLower(format)]
	if !ok {
		return nil, fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(FormatNames(), ", "))
	}
	return f(o), nil
}
