package workspace

import (
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/telesra/telesra/report"
)

// ReportRequest asks for a report set.
type ReportRequest struct {
	Workspace string
	Formats   []string // report format names; duplicates are written once
	OutDir    string   // "" : DIR/reports
	Now       time.Time
	// Tools lists what the assessment relied on, for the methodology section (it may depend on
	// the analysis: the scan's tool version, the bank, the scoring rules).
	Tools func(*Analysis) []report.Tool
}

// ReportSet is what WriteReports produced.
type ReportSet struct {
	Paths    []string
	Report   *report.Report
	Analysis *Analysis
}

// WriteReports builds the workspace's risk register and writes it in every format asked for.
// Unknown formats and an output directory that cannot be written are refused before anything
// is read.
func WriteReports(req ReportRequest) (*ReportSet, error) {
	var formats []report.Format
	seen := map[string]bool{}
	for _, name := range req.Formats {
		fm, ok := report.Formats.Lookup(name)
		if !ok {
			return nil, inputErrorf("unknown report format %q (want %s)", name, strings.Join(report.Formats.Names(), ", "))
		}
		if !seen[fm.Name] {
			seen[fm.Name] = true
			formats = append(formats, fm)
		}
	}
	out := req.OutDir
	if out == "" {
		out = At(req.Workspace).ReportsDir()
	}
	if err := PrepareDir(out); err != nil {
		return nil, err
	}
	a, err := Analyse(req.Workspace, req.Now)
	if err != nil {
		return nil, err
	}
	var tools []report.Tool
	if req.Tools != nil {
		tools = req.Tools(a)
	}
	r := a.Document(req.Now, tools)
	set := &ReportSet{Report: r, Analysis: a}
	for _, fm := range formats {
		for _, file := range fm.Files() {
			path := filepath.Join(out, file.File)
			w := file.New(report.Options{})
			if err := WriteWith(path, true, func(out io.Writer) error { return w.Write(out, r) }); err != nil {
				return set, err
			}
			set.Paths = append(set.Paths, path)
		}
	}
	return set, nil
}
