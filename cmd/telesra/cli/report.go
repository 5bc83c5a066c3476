package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/telesra/telesra/report/register"

	"github.com/spf13/cobra"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/cmd/telesra/workspace"
	"github.com/telesra/telesra/report"
)

// ReportOptions are `telesra report`'s inputs.
type ReportOptions struct {
	IO       *IOStreams
	Now      func() time.Time
	Version  string
	Registry func(FamilyOptions) (*checks.Registry, []*checks.Family, error)
	KB       func(dir string) (KnowledgeBase, error)

	Workspace string
	Formats   []string
	OutDir    string
	CSVPlain  bool
}

// NewCmdReport builds `telesra report`.
func NewCmdReport(f *Factory, runF func(*ReportOptions) error) *cobra.Command {
	o := newReportOptions(f)
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
cannot be written is refused before anything is read.

A final report can be approved (telesra report approve): reports then say who approved it, for
as long as the inputs are those approved.`,
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
	fl.BoolVar(&o.CSVPlain, "csv-plain", false, "write the CSV without a UTF-8 byte order mark and with LF line ends (the default opens in Excel)")
	cmd.AddCommand(NewCmdReportApprove(f, nil))
	return cmd
}

func newReportOptions(f *Factory) *ReportOptions {
	o := &ReportOptions{IO: f.IO, Now: f.Now, Version: f.Version, KB: f.openKB}
	if f.Families != nil {
		o.Registry = f.Registry
	}
	return o
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
	set, err := writeReports(o)
	if err != nil {
		return err
	}
	for _, p := range set.Paths {
		fmt.Fprintln(o.IO.Out, p)
	}
	return nil
}

// writeReports runs the workspace's report use case and tells the user what the register says.
func writeReports(o *ReportOptions) (*workspace.ReportSet, error) {
	// A report set is written as a whole while no other writer changes what it reads.
	lock, err := workspace.At(o.Workspace).Lock()
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	set, err := workspace.WriteReports(workspace.ReportRequest{Workspace: o.Workspace, Formats: o.Formats, OutDir: o.OutDir, Version: o.Version,
		CSVPlain: o.CSVPlain, Now: o.Now(), Tools: o.tools})
	if err != nil {
		return nil, err
	}
	if !o.IO.Quiet {
		r := set.Report
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
		if a := set.Analysis; a.Assets == nil && a.Scan != nil && len(a.Scan.Findings) > 0 {
			fmt.Fprintf(o.IO.ErrOut, "note: no %s: every scanned service is assumed to handle ePHI (see docs/scoring.md)\n", workspace.AssetsFile)
		}
	}
	return set, nil
}

// tools lists what the assessment relied on, for the report's methodology: telesra, the check
// families, the patch knowledge base's sources and dates, the question bank, the citation
// table and the scoring rules.
func (o *ReportOptions) tools(a *workspace.Analysis) []report.Tool {
	tools := []report.Tool{{Name: "telesra", Version: o.Version, Source: "github.com/telesra/telesra"}}
	if a.Scan != nil && a.Scan.Tool.Version != "" && a.Scan.Tool.Version != o.Version {
		tools = append(tools, report.Tool{Name: "telesra (scan)", Version: a.Scan.Tool.Version, Source: workspace.ScanFile + " of " + a.Scan.FinishedAt.UTC().Format("2006-01-02")})
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
	if kb, err := o.KB(""); err == nil {
		if srcs, err := kb.Sources(); err == nil {
			for _, src := range srcs {
				origin := src.Origin
				if len(src.URLs) > 0 {
					origin = src.URLs[0]
				}
				t := report.Tool{Name: "Knowledge base: " + src.Name, Version: "data of " + src.Date, Source: origin}
				if age := sourceAge(src.Date, o.Now()); age >= 0 {
					t.Version += fmt.Sprintf(", %d days old", age)
					if age > staleAfterDays {
						t.Warning = fmt.Sprintf("%s of %s is %d days old", src.Name, src.Date, age)
					}
				}
				tools = append(tools, t)
			}
		}
	}
	n := 0
	for _, s := range a.Bank.Sections {
		n += len(s.Questions)
	}
	tools = append(tools,
		report.Tool{Name: "Question bank", Version: fmt.Sprintf("%d questions in %d sections", n, len(a.Bank.Sections)), Source: "questionnaire/bank (embedded)"},
		report.Tool{Name: "HIPAA Security Rule citations", Version: "45 CFR Part 164 Subpart C (eCFR)", Source: "templates/hipaa/citations.yaml"},
		report.Tool{Name: "Scoring rules", Version: a.Register.Rules.Version, Source: register.RulesFile + " (NIST SP 800-30 Rev. 1)"},
	)
	return tools
}
