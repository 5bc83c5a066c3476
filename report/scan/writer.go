// Package scan renders a scan result (checks.Result) in the formats CI systems and people read:
// json (the canonical document), sarif, junit, markdown and table. One writer per format, each
// in its own file; adding a format is adding a file and an entry in Formats, whose shape and
// naming rule (report/format) the report formats share.
package scan

import (
	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/report/format"
)

// Writer renders a result.
type Writer = format.Writer[*checks.Result]

// Options carry what some writers need beyond the result.
type Options struct {
	Registry  *checks.Registry // check metadata (SARIF rules, JUnit class names)
	Threshold checks.Severity  // findings at or above it fail (JUnit) or are marked (markdown)
	Color     bool             // table: ANSI colour
	Width     int              // table: terminal width (0: a file, nothing wrapped or cut)
}

// Format is one scan format.
type Format = format.Format[*checks.Result, Options]

// Formats lists the scan formats for --format and -o FORMAT=FILE, sorted by name; a file
// name's extension picks one for -o FILE.
var Formats = format.Formats[*checks.Result, Options]{
	{Name: format.JSON, Description: "the canonical result document", Ext: ".json",
		New: func(Options) Writer { return JSON{} }},
	{Name: "junit", Description: "JUnit XML: one test case per check and target", Ext: ".xml",
		New: func(o Options) Writer { return JUnit{Threshold: o.Threshold} }},
	{Name: format.Markdown, Aliases: format.MarkdownAliases, Description: "a job summary", Ext: ".md",
		New: func(o Options) Writer { return Markdown{Threshold: o.Threshold} }},
	{Name: "sarif", Description: "SARIF 2.1.0 for code scanning", Ext: ".sarif",
		New: func(o Options) Writer { return SARIF{Registry: o.Registry} }},
	{Name: "table", Description: "a table for a terminal", Ext: ".txt",
		New: func(o Options) Writer { return Table{Color: o.Color, Width: o.Width} }},
}
