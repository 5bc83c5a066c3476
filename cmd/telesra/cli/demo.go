package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/cmd/telesra/estate"
	"github.com/telesra/telesra/cmd/telesra/workspace"
)

// DemoOptions are `telesra demo`'s inputs.
type DemoOptions struct {
	Scan  ScanOptions
	Dir   string
	Force bool
}

// NewCmdDemo builds `telesra demo [DIR]`.
func NewCmdDemo(f *Factory, runF func(*DemoOptions) error) *cobra.Command {
	o := &DemoOptions{Scan: ScanOptions{IO: f.IO, Now: f.Now, Tool: f.Tool(), Resolver: f.Resolver, Registry: f.Registry}}
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
	} else if _, err := os.Stat(filepath.Join(dir, workspace.AssessmentFile)); err == nil && !o.Force {
		return &workspace.ExistsError{Path: filepath.Join(dir, workspace.AssessmentFile)}
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
		SchemaVersion:  1,
		Organisation:   workspace.Organisation{Name: "Riverside Family Telehealth (demo)", EPHISystems: []string{"Patient portal", "EHR", "Video visits"}},
		Assessor:       workspace.Assessor{Name: "telesra demo"},
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
	if !io.Quiet {
		fmt.Fprintf(io.ErrOut, "Demo practice: %d services on 127.0.0.1\n", len(est.Services))
		for _, s := range est.Services {
			fmt.Fprintf(io.ErrOut, "  %-32s %s\n", s.Name, s.Target)
		}
		fmt.Fprintf(io.ErrOut, "Workspace: %s\n\n", path)
	}

	so := o.Scan
	so.Workspace = dir
	so.Family.CAFile = est.CAFile
	so.Format = "table"
	so.Output = ""
	so.Rate = 0 // loopback, our own servers
	so.Workers, so.HostConns = 16, 16
	so.Timeout, so.ProbeTimeout, so.TargetTimeout = 3*time.Second, 30*time.Second, 2*time.Minute
	plan, err := planScan(ctx, &so)
	if err != nil {
		return err
	}
	res, err := executeScan(ctx, &so, plan)
	if err != nil {
		return err
	}
	if err := finishScan(ctx, &so, plan, res); err != nil {
		var nt *NoTargetError
		if errors.As(err, &nt) {
			return fmt.Errorf("demo estate could not be scanned: %w", err)
		}
		return err
	}
	if !io.Quiet {
		fmt.Fprintf(io.ErrOut, "\nThe demo workspace is %s (results: %s).\n", dir, filepath.Join(dir, workspace.ScanFile))
	}
	return nil
}

// demoTargets is exported for tests: the demo's scope must only ever name loopback addresses.
func demoTargets(e *estate.Estate) ([]checks.Target, error) {
	var out []checks.Target
	for _, t := range e.Targets() {
		pt, err := checks.ParseTarget(t)
		if err != nil {
			return nil, err
		}
		out = append(out, pt)
	}
	return out, nil
}
