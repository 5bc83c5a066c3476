package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/patch"
	"github.com/telesra/telesra/cmd/telesra/workspace"
	"github.com/telesra/telesra/report"
	"github.com/telesra/telesra/report/register"
)

// ReportOptions are `telesra report`'s inputs.
type ReportOptions struct {
	IO       *IOStreams
	Now      func() time.Time
	Version  string
	Registry func(FamilyOptions) (*checks.Registry, []*checks.Family, error)

	Workspace string
	Formats   []string
	OutDir    string
}

// NewCmdReport builds `telesra report`.
func NewCmdReport(f *Factory, runF func(*ReportOptions) error) *cobra.Command {
	o := &ReportOptions{IO: f.IO, Now: f.Now, Version: f.Version, Registry: f.Registry}
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write the risk register and the reports (PDF, XLSX, CSV, JSON, Markdown, OSCAL)",
		Long: `Build the scored risk register of a workspace from its scan results (scan.json), its
questionnaire answers (answers.yaml), its asset map (assets.yaml) and its remediation plan
(remediation.yaml), and write it in the formats asked for.

A report can be written at any point: until the questionnaire is fully answered and a complete
scan is in, it is marked DRAFT with the percentage complete. Formats:
` + formatList() + `
Files are written 0600 and atomically into -o (default DIR/reports); an output directory that
cannot be written is refused before anything is read.`,
		Example: `  telesra report -w acme-2026
  telesra report -w acme-2026 -f pdf,xlsx -o /secure/share/acme
  telesra report -w acme-2026 -f oscal`,
		Args: maxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			return reportRun(o)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&o.Workspace, "workspace", "w", ".", "assessment workspace `DIR`")
	fl.StringSliceVarP(&o.Formats, "format", "f", report.Formats.Names(), "formats, comma-separated: "+strings.Join(report.Formats.Names(), ", "))
	fl.StringVarP(&o.OutDir, "output", "o", "", "output `DIR` (default DIR/reports; created if missing)")
	return cmd
}

func formatList() string {
	var b strings.Builder
	for _, f := range report.Formats {
		var files []string
		for _, o := range f.Files() {
			files = append(files, o.File)
		}
		fmt.Fprintf(&b, "  %-8s %s (%s)\n", f.Name, f.Description, strings.Join(files, ", "))
	}
	return b.String()
}

func reportRun(o *ReportOptions) error {
	paths, _, err := writeReports(o)
	if err != nil {
		return err
	}
	for _, p := range paths {
		fmt.Fprintln(o.IO.Out, p)
	}
	return nil
}

// writeReports does the work of `telesra report` and returns the files written.
func writeReports(o *ReportOptions) ([]string, *report.Report, error) {
	var formats []report.Format
	seen := map[string]bool{}
	for _, name := range o.Formats {
		fm, ok := report.Formats.Lookup(name)
		if !ok {
			return nil, nil, usageErrorf("unknown report format %q (want %s)", name, strings.Join(report.Formats.Names(), ", "))
		}
		if !seen[fm.Name] {
			seen[fm.Name] = true
			formats = append(formats, fm)
		}
	}
	out := o.OutDir
	if out == "" {
		out = filepath.Join(o.Workspace, "reports")
	}
	if err := prepareOutDir(out); err != nil {
		return nil, nil, err
	}
	now := o.Now()
	a, err := loadAssessment(o.Workspace, now)
	if err != nil {
		return nil, nil, err
	}
	r := a.report(now, o.tools(a))
	var written []string
	for _, fm := range formats {
		for _, out1 := range fm.Files() {
			path := filepath.Join(out, out1.File)
			if err := workspace.WriteWith(path, true, func(w io.Writer) error { return out1.New(report.Options{}).Write(w, r) }); err != nil {
				return written, nil, err
			}
			written = append(written, path)
		}
	}
	if !o.IO.Quiet {
		counts := r.Register.Counts()
		open := 0
		for _, n := range counts {
			open += n
		}
		overall := "none open"
		if l := r.Register.Overall(); l > 0 {
			overall = l.String()
		}
		status := "final"
		if r.Completion.Draft {
			status = r.Completion.Label() + " (" + strings.Join(r.Completion.Reasons, "; ") + ")"
		}
		fmt.Fprintf(o.IO.ErrOut, "Risk register: %d risks, %d open, overall %s; %s\n", len(r.Register.Risks), open, overall, status)
		if a.assets == nil && a.scan != nil && len(a.scan.Findings) > 0 {
			fmt.Fprintf(o.IO.ErrOut, "note: no %s: every scanned service is assumed to handle ePHI (see docs/scoring.md)\n", register.AssetsFile)
		}
	}
	return written, r, nil
}

// prepareOutDir creates the output directory if needed and proves it writable, before any
// work: a report that cannot be saved must fail at once, not after rendering.
func prepareOutDir(dir string) error {
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return usageErrorf("output %s is not a directory", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return usageErrorf("output directory %s cannot be created: %v", dir, err)
	}
	probe, err := os.CreateTemp(dir, ".telesra-probe-*")
	if err != nil {
		return usageErrorf("output directory %s is not writable", dir)
	}
	name := probe.Name()
	probe.Close()
	return os.Remove(name)
}

// tools lists what the assessment relied on, for the report's methodology: telesra, the check
// families, the patch knowledge base's sources and dates, the question bank, the citation
// table and the scoring rules.
func (o *ReportOptions) tools(a *assessment) []report.Tool {
	tools := []report.Tool{{Name: "telesra", Version: o.Version, Source: "github.com/telesra/telesra"}}
	if a.scan != nil && a.scan.Tool.Version != "" && a.scan.Tool.Version != o.Version {
		tools = append(tools, report.Tool{Name: "telesra (scan)", Version: a.scan.Tool.Version, Source: "scan.json of " + a.scan.FinishedAt.UTC().Format("2006-01-02")})
	}
	if o.Registry != nil {
		if _, fams, err := o.Registry(FamilyOptions{}); err == nil {
			for _, f := range fams {
				tools = append(tools, report.Tool{Name: "Check family " + f.Name, Version: fmt.Sprintf("%d checks", len(f.Checks)), Source: f.Title})
			}
		}
	}
	// The patch family's knowledge base, with the date each source reflects: an auditor needs to
	// know how current "end of life" and "known exploited" were.
	if dir, err := kbDir(""); err == nil {
		if srcs, err := patch.KnowledgeBaseInfo(dir); err == nil {
			for _, src := range srcs {
				origin := src.Origin
				if len(src.URLs) > 0 {
					origin = src.URLs[0]
				}
				tools = append(tools, report.Tool{Name: "Knowledge base: " + src.Name, Version: "data of " + src.Date, Source: origin})
			}
		}
	}
	n := 0
	for _, s := range a.bank.Sections {
		n += len(s.Questions)
	}
	tools = append(tools,
		report.Tool{Name: "Question bank", Version: fmt.Sprintf("%d questions in %d sections", n, len(a.bank.Sections)), Source: "questionnaire/bank (embedded)"},
		report.Tool{Name: "HIPAA Security Rule citations", Version: "45 CFR Part 164 Subpart C (eCFR)", Source: "templates/hipaa/citations.yaml"},
		report.Tool{Name: "Scoring rules", Version: a.reg.Rules.Version, Source: register.RulesFile + " (NIST SP 800-30 Rev. 1)"},
	)
	return tools
}
