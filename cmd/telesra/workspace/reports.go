package workspace

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
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
	CSVPlain  bool     // csv without a byte order mark and with LF line ends
	Now       time.Time
	// Tools lists what the assessment relied on, for the methodology section (it may depend on
	// the analysis: the scan's tool version, the bank, the scoring rules).
	Tools func(*Analysis) []report.Tool
	// Version is the telesra building the reports, part of an approval's digest.
	Version string
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
	// An approval counts only while the inputs are those it approved (InputsDigest).
	if r.Approvals, err = a.Workspace.ReportApprovals(req.Version); err != nil {
		return nil, err
	}
	set := &ReportSet{Report: r, Analysis: a}
	var files []report.Format
	for _, fm := range formats {
		files = append(files, fm.Files()...)
	}
	set.Paths, err = writeSet(out, files, r, report.Options{CSVPlain: req.CSVPlain})
	return set, err
}

// writeSet writes the report files into out as a set, so that a failure half-way (a full disk,
// a renderer's error) leaves the previous set whole rather than some files of each:
//
//  1. every destination is checked first: a directory, a link or another user's file where a
//     report goes fails before anything is written;
//  2. every file is rendered and synced into a private 0700 directory inside out (the same file
//     system, so the renames below are atomic); a failure here removes it and touches nothing;
//  3. the previous files are hard-linked into that directory, then the new ones renamed into
//     place one by one; if a rename fails, the ones already moved are put back from the links.
//
// What is left is the renaming loop itself, a few renames in one directory: a crash (power
// loss, kill -9) during it can leave some files new and some old, with the rest of the new set in
// a .telesra-reports-* directory in out. A reader listing out during those microseconds can see
// the same mix.
func writeSet(out string, files []report.Format, r *report.Report, opts report.Options) ([]string, error) {
	for _, file := range files {
		path := filepath.Join(out, file.File)
		if fi, err := os.Lstat(path); err == nil {
			if err := replaceable(path, fi); err != nil {
				return nil, err
			}
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
	}
	tmp, err := os.MkdirTemp(out, ".telesra-reports-*") // 0700
	if err != nil {
		return nil, fmt.Errorf("write reports: %w", err)
	}
	defer os.RemoveAll(tmp)
	for _, file := range files {
		w := file.New(opts)
		render := func(dst io.Writer) error { return w.Write(dst, r) }
		if err := WriteWith(filepath.Join(tmp, file.File), false, render); err != nil {
			return nil, fmt.Errorf("reports not written, the previous ones are kept: %w", err)
		}
	}
	// Keep the previous files, to put them back if a rename fails.
	kept := map[string]bool{}
	for _, file := range files {
		err := os.Link(filepath.Join(out, file.File), filepath.Join(tmp, file.File+BackupSuffix))
		switch {
		case err == nil:
			kept[file.File] = true
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("reports not written, the previous ones are kept: keep %s: %w", file.File, err)
		}
	}
	var paths []string
	for i, file := range files {
		path := filepath.Join(out, file.File)
		if err := os.Rename(filepath.Join(tmp, file.File), path); err != nil {
			restore(out, tmp, files[:i], kept)
			return nil, fmt.Errorf("reports not written, the previous ones are kept: %w", err)
		}
		paths = append(paths, path)
	}
	if err := syncDir(out); err != nil {
		return paths, fmt.Errorf("write reports: %w", err)
	}
	return paths, nil
}

// restore puts back the previous files of a set whose renaming failed half-way: a kept file is
// renamed back, a file that did not exist before is removed.
func restore(out, tmp string, moved []report.Format, kept map[string]bool) {
	for _, file := range moved {
		path := filepath.Join(out, file.File)
		if kept[file.File] {
			_ = os.Rename(filepath.Join(tmp, file.File+BackupSuffix), path)
		} else {
			_ = os.Remove(path)
		}
	}
	_ = syncDir(out)
}
