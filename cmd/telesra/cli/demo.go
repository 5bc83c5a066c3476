package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/telesra/telesra/report/register"

	"github.com/spf13/cobra"

	"github.com/telesra/telesra/cmd/telesra/estate"
	"github.com/telesra/telesra/cmd/telesra/workspace"
	"github.com/telesra/telesra/questionnaire"
)

// DemoOptions are `telesra demo`'s inputs.
type DemoOptions struct {
	Scan   ScanOptions
	Report ReportOptions // the report half: its version, families and knowledge base
	Dir    string
	Force  bool
}

// NewCmdDemo builds `telesra demo [DIR]`.
func NewCmdDemo(f *Factory, runF func(*DemoOptions) error) *cobra.Command {
	o := &DemoOptions{Scan: ScanOptions{IO: f.IO, Now: f.Now, Tool: f.Tool(), Resolver: f.Resolver, Registry: f.Registry},
		Report: *newReportOptions(f)}
	cmd := &cobra.Command{
		Use:   "demo [DIR]",
		Short: "Assess a built-in demo practice on 127.0.0.1 (nothing leaves the machine)",
		Long: `Start a small, deliberately weak practice network inside this process on 127.0.0.1,
write an assessment workspace scoped to exactly those services, scan it, and show the results.

DIR defaults to a new directory under the system temporary directory. The demo never
contacts any address but 127.0.0.1 and stops its servers when it ends.`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.Dir = args[0]
			}
			if runF != nil {
				return runF(o)
			}
			return demoRun(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.Force, "force", false, "reuse DIR even if it already holds a workspace")
	return cmd
}

func demoRun(ctx context.Context, o *DemoOptions) error {
	io := o.Scan.IO
	dir := o.Dir
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "telesra-demo-"); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	} else if _, err := os.Stat(workspace.At(dir).AssessmentPath()); err == nil && !o.Force {
		return &workspace.ExistsError{Path: workspace.At(dir).AssessmentPath()}
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}

	est, err := estate.Start(ctx)
	if err != nil {
		return err
	}
	defer est.Close()

	today := o.Scan.Now().Format(time.DateOnly)
	a := workspace.Assessment{
		SchemaVersion: 1,
		Organisation:  workspace.Organisation{Name: "Riverside Family Telehealth (demo)", EPHISystems: []string{"Patient portal", "EHR", "Video visits"}},
		Assessor: workspace.Assessor{Name: "telesra demo",
			Qualifications: "None: a demonstration run by the tool itself, not a qualified assessor",
			Independence:   "Not applicable: the demo practice and its services are generated on this computer"},
		AssessmentDate: today,
		Scope: workspace.Scope{
			Description: "The demo estate: services started by `telesra demo` on 127.0.0.1 only.",
			Targets:     est.Targets(),
		},
		Authorisation: &workspace.Authorisation{
			AuthorisedBy: "telesra demo (loopback services it started itself)",
			AuthorisedOn: today,
		},
	}
	path, err := workspace.Create(dir, a, true)
	if err != nil {
		return err
	}
	// The sample answers give the demo report its questionnaire half; answers already in DIR
	// (someone answered the demo's questionnaire) are kept.
	ws := workspace.At(dir)
	answersNote := "sample answers of a small practice with gaps"
	if _, err := os.Stat(ws.AnswersPath()); err == nil {
		answersNote = "kept the answers already there"
	} else if err := ws.SaveAnswers(questionnaire.DefaultBank(), questionnaire.SampleAnswers()); err != nil {
		return err
	}
	if !io.Quiet {
		fmt.Fprintf(io.ErrOut, "Demo practice: %d services on 127.0.0.1\n", len(est.Services))
		width := 0
		for _, s := range est.Services {
			width = max(width, len(s.Name))
		}
		for _, s := range est.Services {
			fmt.Fprintf(io.ErrOut, "  %-*s  %s\n", width, s.Name, s.Target)
		}
		fmt.Fprintf(io.ErrOut, "Workspace: %s\nQuestionnaire: %s (%s)\n\n", path, ws.AnswersPath(), answersNote)
	}

	so := o.Scan
	so.Workspace = dir
	so.Family.CAFile = est.CAFile
	so.Format = "table"
	so.Outputs = nil
	so.Rate = 0 // loopback, our own servers
	so.Workers, so.HostConns = 16, 16
	so.Timeout, so.ProbeTimeout, so.TargetTimeout = 3*time.Second, 30*time.Second, 2*time.Minute
	prep, err := prepareScan(ctx, &so)
	if err != nil {
		return err
	}
	res, saved, err := prep.plan.Run(ctx)
	if err != nil {
		return err
	}
	if err := finishScan(ctx, &so, prep, res, saved); err != nil {
		var nt *NoTargetError
		if errors.As(err, &nt) {
			return fmt.Errorf("demo estate could not be scanned: %w", err)
		}
		return err
	}
	if err := writeDemoAssets(ws, est); err != nil {
		return err
	}
	// The report half of the demo: the PDF and the workbook of the demo assessment.
	ro := o.Report
	ro.IO, ro.Now, ro.Workspace, ro.Formats, ro.OutDir = io, o.Scan.Now, dir, []string{"pdf", "xlsx"}, ws.ReportsDir()
	set, err := writeReports(&ro)
	if err != nil {
		return fmt.Errorf("demo report: %w", err)
	}
	paths := set.Paths
	fmt.Fprintln(io.Out, "\nReports:")
	for _, p := range paths {
		fmt.Fprintln(io.Out, "  "+p)
	}
	if !io.Quiet {
		fmt.Fprintf(io.ErrOut, "\nThe demo workspace is %s (results: %s).\n", dir, ws.ScanPath())
		fmt.Fprintf(io.ErrOut, "Next: telesra risks list -w %s   (then run the demo again into another directory, change\n"+
			"an answer or a risk's status there, and compare the two: telesra diff %s OTHER)\n", dir, dir)
	}
	return nil
}

// demoInventory is the demo practice's ePHI beyond its scanned services, as its answers
// describe it (questionnaire/sample/answers.yaml): Microsoft 365 mail, the NAS for scanned
// documents and its cloud backup, four laptops and two front-desk desktops, the practice phones,
// the cloud EHR, Zoom for Healthcare, the reminder-text service and an answering service without
// a BAA. It holds every asset the answers imply (templates/risk/asset-seeds.yaml), so `telesra
// assets seed` adds nothing to it.
const demoInventory = `  - name: EHR (cloud, vendor-hosted)
    kind: cloud-service
    ephi: [EHR]
    ephi_held: bulk
    records: 4200
    criticality: {confidentiality: high, integrity: high, availability: high}
    exposure: internet
    owner: Maria Lopez
  - name: Zoom for Healthcare
    kind: cloud-service
    ephi: [Video visits]
    ephi_held: some
    criticality: {confidentiality: high, integrity: low, availability: high}
    exposure: internet
  - name: Microsoft 365 mail
    kind: cloud-service
    ephi_held: bulk
    records: 3000
    criticality: {confidentiality: high, integrity: moderate, availability: moderate}
    exposure: internet
    flows:
      - {to: "Billing and answering service", what: "appointment messages and callback requests"}
  - name: Scanned-documents NAS
    kind: storage
    ephi_held: bulk
    records: 2500
    criticality: {confidentiality: high, integrity: moderate, availability: moderate}
    exposure: internal
    flows:
      - {to: "Cloud backup", what: "nightly backup of scanned intake forms and referrals"}
  - name: Cloud backup
    kind: cloud-service
    ephi_held: bulk
    records: 2500
    criticality: {confidentiality: high, integrity: high, availability: moderate}
    exposure: internet
  - name: Clinician laptops (4, BitLocker)
    kind: laptop
    ephi_held: some
    records: 150
    criticality: {confidentiality: high, integrity: moderate, availability: moderate}
    exposure: device
    flows:
      - {to: "EHR (cloud, vendor-hosted)", what: "visit notes"}
      - {to: "Zoom for Healthcare", what: "video visits from home"}
  - name: Front-desk desktops (2, not encrypted)
    kind: workstation
    ephi_held: some
    records: 200
    criticality: {confidentiality: high, integrity: moderate, availability: high}
    exposure: internal
    flows:
      - {to: "Scanned-documents NAS", what: "scanned intake forms"}
  - name: Practice and staff phones
    kind: phone
    ephi_held: some
    records: 50
    criticality: {confidentiality: high, integrity: low, availability: low}
    exposure: device
    flows:
      - {to: "Microsoft 365 mail", what: "work email read on staff phones"}
  - name: Appointment reminder texts (SMS service)
    kind: cloud-service
    ephi_held: some
    records: 1800
    criticality: {confidentiality: moderate, integrity: moderate, availability: low}
    exposure: internet
  - name: Billing and answering service
    kind: vendor
    ephi_held: some
    criticality: {confidentiality: moderate, integrity: low, availability: moderate}
    exposure: internet
  - name: Paper intake forms
    kind: paper-flow
    ephi_held: some
    criticality: {confidentiality: moderate, integrity: moderate, availability: low}
    exposure: internal
    flows:
      - {to: "Scanned-documents NAS", what: "scanned at the front desk, then shredded"}
`

// writeDemoAssets writes the demo workspace's inventory (assets.yaml), unless one is already
// there (someone edited it): each scanned service with the ePHI systems it serves and whether a
// real practice would expose it to the internet, then the non-scanned assets of demoInventory.
func writeDemoAssets(ws workspace.Layout, est *estate.Estate) error {
	path := ws.AssetsPath()
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	var b strings.Builder
	b.WriteString("# The demo practice's inventory of ePHI: the scanned services, then the devices, cloud services,\n" +
		"# vendors and paper flows no scan reaches, with the ePHI each holds, its criticality for care,\n" +
		"# its exposure and how ePHI moves between them. telesra report rates impact per asset from it\n" +
		"# (docs/scoring.md). Edit it by hand or with telesra assets add / rm.\nschema_version: 2\nassets:\n")
	for _, s := range est.Services {
		exposure := register.ExposureInternal
		if s.Internet {
			exposure = register.ExposureInternet
		}
		pr := s.Profile()
		fmt.Fprintf(&b, "  - name: %q\n    kind: service\n    targets: [%q]\n    ephi: [%s]\n    ephi_held: %s\n",
			s.Asset, globEscape(s.Target), quoteList(s.EPHI), cmp.Or(pr.Held, register.HeldSome))
		if pr.Records > 0 {
			fmt.Fprintf(&b, "    records: %d\n", pr.Records)
		}
		if pr.C != "" {
			fmt.Fprintf(&b, "    criticality: {confidentiality: %s, integrity: %s, availability: %s}\n", pr.C, pr.I, pr.A)
		}
		fmt.Fprintf(&b, "    exposure: %s\n", exposure)
	}
	b.WriteString(demoInventory)
	return workspace.WriteFile(path, []byte(b.String()), false)
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// globEscape makes a target match itself as an assets.yaml pattern.
func globEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "*", `\*`, "?", `\?`, "[", `\[`).Replace(s)
}
