package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/telesra/telesra/cmd/telesra/workspace"
	"github.com/telesra/telesra/report"
)

// ReportApproveOptions are `telesra report approve`'s inputs.
type ReportApproveOptions struct {
	IO      *IOStreams
	Now     func() time.Time
	Version string

	Workspace string
	By, Role  string
	Statement string
	List      bool
}

// NewCmdReportApprove builds `telesra report approve`.
func NewCmdReportApprove(f *Factory, runF func(*ReportApproveOptions) error) *cobra.Command {
	o := &ReportApproveOptions{IO: f.IO, Now: f.Now, Version: f.Version}
	cmd := &cobra.Command{
		Use:   "approve --by NAME --role ROLE [--statement TEXT] | --list",
		Short: "Record an approval of the assessment as it is now (saved in approvals.yaml)",
		Long: `Record in DIR/approvals.yaml that NAME, in ROLE, approved the assessment today. The
approval is bound to what was approved by a digest: SHA-256 over assessment.yaml, scan.json,
answers.yaml, assets.yaml, remediation.yaml and the scan runs under scans/, with telesra's own
version and those of its scoring and reconciliation rules (docs/files.md says exactly how). Every report built
while the inputs have that digest says "Approved by NAME (ROLE) on DATE"; once an input changes
(an answer, a risk's owner, a new scan) the approval is superseded: the report says it is not
approved and names the approval as one of an earlier state.

Refused, with exit 2 and approvals.yaml unchanged: a report that would be a DRAFT (its reasons
are listed; finish them first), a blank --by or --role, and the same person approving the same
inputs twice. The previous approvals.yaml is kept as approvals.yaml.bak.

The digest detects a change to the inputs after an approval; it is not a signature: anyone who
can write the workspace can write approvals.yaml.

--list prints every approval with whether it is current or superseded.`,
		Example: `  telesra report approve -w acme-2026 --by "Dr A. Lee" --role "Practice owner"
  telesra report approve -w acme-2026 --by "Maria Lopez" --role "Security official" \
      --statement "Reviewed with the practice's management on 2026-11-22"
  telesra report approve -w acme-2026 --list`,
		Args: maxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			fl := cmd.Flags()
			if o.List {
				if fl.Changed("by") || fl.Changed("role") || fl.Changed("statement") {
					return usageErrorf("--list prints the approvals: give it without --by, --role or --statement")
				}
			} else {
				var missing []string
				for _, name := range []string{"by", "role"} {
					if !fl.Changed(name) {
						missing = append(missing, "--"+name)
					}
				}
				if len(missing) > 0 {
					return usageErrorf("approve needs --by and --role (who approves, and in what role): %s missing", joinFlags(missing))
				}
			}
			if runF != nil {
				return runF(o)
			}
			return reportApproveRun(o)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&o.Workspace, "workspace", "w", ".", "assessment workspace `DIR`")
	fl.StringVar(&o.By, "by", "", "who approves `NAME`")
	fl.StringVar(&o.Role, "role", "", "their `ROLE` (practice owner, security official)")
	fl.StringVar(&o.Statement, "statement", "", "what the approver states, printed with the approval (optional)")
	fl.BoolVar(&o.List, "list", false, "list the approvals, current or superseded, instead of recording one")
	return cmd
}

func joinFlags(fs []string) string {
	if len(fs) == 2 {
		return fs[0] + " and " + fs[1]
	}
	return fs[0]
}

func reportApproveRun(o *ReportApproveOptions) error {
	if o.List {
		as, err := workspace.ListApprovals(o.Workspace, o.Version)
		if err != nil {
			return err
		}
		if len(as) == 0 && !o.IO.Quiet {
			fmt.Fprintf(o.IO.ErrOut, "No approval has been recorded in %s\n", o.Workspace)
		}
		return printApprovals(o.IO.Out, as)
	}
	a, err := workspace.Approve(workspace.ApproveRequest{Workspace: o.Workspace, By: o.By, Role: o.Role, Statement: o.Statement, Now: o.Now(), Tool: o.Version})
	if err != nil {
		return err
	}
	if !o.IO.Quiet {
		fmt.Fprintf(o.IO.ErrOut, "Recorded the approval by %s (%s) on %s of inputs sha256 %s in %s; reports built from these inputs say Approved\n",
			oneLineText(a.By, 0), oneLineText(a.Role, 0), a.Date, report.ShortDigest(a.Digest), workspace.At(o.Workspace).ApprovalsPath())
	}
	return nil
}

// printApprovals lists approvals on stdout, one a line: state, date, who, role, digest.
func printApprovals(w io.Writer, as []report.Approval) error {
	for _, a := range as {
		state := "superseded (the inputs changed since)"
		if a.Current {
			state = "current"
		}
		if _, err := fmt.Fprintf(w, "%s  %s (%s)  sha256 %s  %s\n", a.Date, oneLineText(a.By, 0), oneLineText(a.Role, 0),
			report.ShortDigest(a.Digest), state); err != nil {
			return err
		}
	}
	return nil
}
