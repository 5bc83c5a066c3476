package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/cmd/telesra/workspace"
	"github.com/telesra/telesra/report/scan"
)

// ScanOptions are `telesra scan`'s inputs.
type ScanOptions struct {
	IO       *IOStreams
	Now      func() time.Time
	Tool     checks.Tool
	Resolver checks.Resolver
	Registry func(FamilyOptions) (*checks.Registry, []*checks.Family, error)

	Targets         []string
	TargetsFile     string
	Workspace       string
	Checks          []string
	FailOn          string
	Format          string
	Outputs         []string // FILE or FORMAT=FILE, repeatable; none: stdout
	IgnoreFile      string
	Exclude         []string
	Ports           string
	Rate            float64
	Workers         int
	HostConns       int
	Timeout         time.Duration
	ProbeTimeout    time.Duration
	TargetTimeout   time.Duration
	AllowLargeScope bool
	Family          FamilyOptions
}

// NewCmdScan builds `telesra scan`.
func NewCmdScan(f *Factory, runF func(*ScanOptions) error) *cobra.Command {
	o := &ScanOptions{IO: f.IO, Now: f.Now, Tool: f.Tool(), Resolver: f.Resolver, Registry: f.Registry}
	cmd := &cobra.Command{
		Use:   "scan [TARGET...]",
		Short: "Scan targets and report findings mapped to HIPAA",
		Long: `Scan the declared estate: service detection, then every selected check family.

Targets are hosts (their common service ports are probed), host:port, URLs
(https://portal.example.org/, smtp://mail.example.org:25) and CIDRs (at most /20 without
--allow-large-scope). With -w, the workspace's scope is the limit: a target outside it is
refused before any packet is sent, and with no TARGET the whole scope is scanned.

Results go to stdout (a table on a terminal, JSON otherwise) or to -o. Human messages go to
stderr. See 'telesra help exit-codes' for what the exit code means in CI.`,
		Example: `  telesra scan 10.20.0.5:443 https://portal.acme.example/
  telesra scan -w acme-2026 -f sarif -o telesra.sarif --fail-on high
  telesra scan --targets-file targets.txt --checks tls,mfa -f junit -o telesra.xml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Targets = args
			if runF != nil {
				return runF(o)
			}
			return scanRun(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&o.Workspace, "workspace", "w", "", "assessment workspace `DIR` (its scope limits the scan; results saved to DIR/scan.json)")
	fl.StringVar(&o.TargetsFile, "targets-file", "", "read targets from `FILE`, one per line (# comments)")
	fl.StringSliceVar(&o.Checks, "checks", nil, "check families or IDs to run, comma-separated (default all; see telesra checks list)")
	fl.StringVar(&o.FailOn, "fail-on", "", "exit 1 when an unsuppressed finding is at or above `SEVERITY` (critical, high, medium, low, info)")
	fl.StringVarP(&o.Format, "format", "f", "", "output format: "+strings.Join(scan.Formats.Names(), ", ")+" (default table on a terminal, json otherwise)")
	fl.StringArrayVarP(&o.Outputs, "output", "o", nil, "write results to `FILE` (0600, atomically) instead of stdout; FORMAT=FILE picks the format, repeat for several (-o sarif=r.sarif -o junit=r.xml)")
	fl.StringVar(&o.IgnoreFile, "ignore-file", "", "suppressions `FILE` (default "+checks.DefaultIgnoreFile+" in the workspace or current directory, if present)")
	fl.StringArrayVar(&o.Exclude, "exclude", nil, "never contact this host, address, host:port or CIDR (repeatable)")
	fl.StringVar(&o.Ports, "ports", "", "ports probed on targets without a port, e.g. 22,80,443,8000-8010 (default: clinic service list)")
	fl.Float64Var(&o.Rate, "rate", 200, "at most this many new connections per second (0: unlimited)")
	fl.IntVar(&o.Workers, "workers", 16, "endpoints scanned at once")
	fl.IntVar(&o.HostConns, "host-conns", 8, "concurrent connections per address")
	fl.DurationVar(&o.Timeout, "timeout", 5*time.Second, "timeout of one connect or read")
	fl.DurationVar(&o.ProbeTimeout, "probe-timeout", 60*time.Second, "time budget of one probe")
	fl.DurationVar(&o.TargetTimeout, "target-timeout", 3*time.Minute, "time budget of one endpoint (all its checks)")
	fl.BoolVar(&o.AllowLargeScope, "allow-large-scope", false, "allow networks wider than /20")
	fl.StringVar(&o.Family.KBDir, "kb-dir", "", "patch knowledge-base `DIR` of imported feeds (default: the user configuration directory's telesra/kb)")
	fl.StringVar(&o.Family.CAFile, "ca-file", "", "trust the CA certificates in PEM `FILE` (an internal CA) when verifying TLS chains, besides the system roots")
	fl.StringVar(&o.Family.TemplatesDir, "templates", "", "also run the nuclei templates in `DIR` (each needs telesra's metadata; see telesra templates validate)")
	o.Family.Notice = func(msg string) {
		if !o.IO.Quiet {
			fmt.Fprintf(o.IO.ErrOut, "warning: %s\n", msg)
		}
	}
	return cmd
}

// scanPlan is everything a scan needs, checked before the first packet.
type scanPlan struct {
	ws       *workspace.Workspace
	targets  []checks.Target
	scope    *checks.Scope
	scopeDoc checks.ScopeDoc
	registry *checks.Registry
	families []*checks.Family
	selected []*checks.Check
	ignore   *checks.Suppressions
	ports    []int
	failOn   *checks.Severity
	outputs  []output
}

// output is one rendering of the result: a format and its file ("" for stdout).
type output struct {
	format string
	path   string
	writer scan.Writer
}

func scanRun(ctx context.Context, o *ScanOptions) error {
	plan, err := planScan(ctx, o)
	if err != nil {
		return err
	}
	res, err := executeScan(ctx, o, plan)
	if err != nil {
		return err
	}
	return finishScan(ctx, o, plan, res)
}

// planScan validates every input. Anything wrong here is exit 2, and nothing has been sent.
func planScan(ctx context.Context, o *ScanOptions) (*scanPlan, error) {
	p := &scanPlan{}
	var err error
	if o.FailOn != "" {
		s, err := checks.ParseSeverity(o.FailOn)
		if err != nil {
			return nil, &UsageError{Err: fmt.Errorf("--fail-on: %w", err)}
		}
		p.failOn = &s
	}
	threshold := checks.Low
	if p.failOn != nil {
		threshold = *p.failOn
	}
	if p.ports, err = parsePorts(o.Ports); err != nil {
		return nil, &UsageError{Err: err}
	}
	p.registry, p.families, err = o.Registry(o.Family)
	if err != nil {
		return nil, err
	}
	if p.selected, err = p.registry.Select(o.Checks); err != nil {
		return nil, &UsageError{Err: err}
	}
	if p.outputs, err = planOutputs(o, scan.Options{Registry: p.registry, Threshold: threshold, Width: o.IO.TermWidth()}); err != nil {
		return nil, err
	}

	// Targets: arguments, a targets file, or the workspace scope.
	for i, a := range o.Targets {
		t, err := checks.ParseTarget(a)
		if err != nil {
			return nil, &UsageError{Err: err}
		}
		t.Source = checks.Source{Line: i + 1}
		p.targets = append(p.targets, t)
	}
	if o.TargetsFile != "" {
		ts, err := checks.LoadTargetsFile(o.TargetsFile)
		if err != nil {
			return nil, err
		}
		p.targets = append(p.targets, ts...)
	}
	var excl []checks.Target
	for _, e := range o.Exclude {
		t, err := checks.ParseTarget(e)
		if err != nil {
			return nil, &UsageError{Err: fmt.Errorf("--exclude: %w", err)}
		}
		excl = append(excl, t)
	}
	scopeOpt := checks.ScopeOptions{AllowLarge: o.AllowLargeScope, Resolver: o.Resolver}
	if o.Workspace != "" {
		if p.ws, err = workspace.Load(o.Workspace); err != nil {
			return nil, err
		}
		if err := p.ws.CheckAuthorisation(o.Now()); err != nil {
			return nil, err
		}
		if len(p.ws.Targets) == 0 {
			return nil, usageErrorf("%s: scope.targets is empty: nothing may be scanned", p.ws.Path)
		}
		ws := p.ws
		p.scope, err = checks.NewScope(ctx, ws.Targets, append(append([]checks.Target{}, ws.Exclusions...), excl...), scopeOpt)
		if err != nil {
			return nil, err
		}
		if len(p.targets) == 0 {
			p.targets = ws.Targets
		} else {
			for _, t := range p.targets {
				if err := p.scope.Admit(ctx, t, o.Resolver, o.AllowLargeScope); err != nil {
					return nil, err
				}
			}
		}
		if p.ports == nil && len(ws.Assessment.Scope.Ports) > 0 {
			p.ports = ws.Assessment.Scope.Ports
		}
		p.scopeDoc = checks.ScopeDoc{Source: ws.Path, Targets: ws.Assessment.Scope.Targets, Exclusions: ws.Assessment.Scope.Exclusions}
	} else {
		if len(p.targets) == 0 {
			return nil, usageErrorf("no targets: give TARGET arguments, --targets-file FILE or -w DIR")
		}
		p.scope, err = checks.NewScope(ctx, p.targets, excl, scopeOpt)
		if err != nil {
			return nil, err
		}
		for _, t := range p.targets {
			if err := p.scope.Admit(ctx, t, o.Resolver, o.AllowLargeScope); err != nil {
				return nil, err
			}
		}
		src := "command line"
		if o.TargetsFile != "" {
			src = o.TargetsFile
		}
		p.scopeDoc = checks.ScopeDoc{Source: src, Targets: rawTargets(p.targets), Exclusions: o.Exclude}
	}

	if p.ignore, err = loadIgnore(o); err != nil {
		return nil, err
	}
	return p, nil
}

func rawTargets(ts []checks.Target) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Raw
	}
	return out
}

// planOutputs resolves -f and -o: "-o FILE" takes -f or the file's extension, "-o FORMAT=FILE"
// names its format, and without -o the result goes to stdout (a table on a terminal, JSON
// otherwise). Every output directory is checked before the scan starts.
func planOutputs(o *ScanOptions, wo scan.Options) ([]output, error) {
	var outs []output
	add := func(format, path string) error {
		opts := wo
		opts.Color = path == "" && o.IO.ColorOut()
		w, err := scan.Formats.New(format, opts)
		if err != nil {
			return &UsageError{Err: err}
		}
		if path != "" {
			if err := workspace.CheckWritableDir(path); err != nil {
				return &UsageError{Err: err}
			}
		}
		outs = append(outs, output{format: format, path: path, writer: w})
		return nil
	}
	for _, spec := range o.Outputs {
		format, path, explicit := strings.Cut(spec, "=")
		if _, known := scan.Formats.Lookup(format); !explicit || !known {
			format, path = o.Format, spec
			if format == "" {
				format = formatForFile(path)
			}
		}
		if path == "" {
			return nil, usageErrorf("--output %q: no file name", spec)
		}
		if err := add(format, path); err != nil {
			return nil, err
		}
	}
	if len(outs) == 0 {
		format := o.Format
		if format == "" {
			format = "json"
			if o.IO.OutTTY {
				format = "table"
			}
		}
		if err := add(format, ""); err != nil {
			return nil, err
		}
	}
	return outs, nil
}

// formatForFile guesses a format from a file name's extension (JSON when in doubt).
func formatForFile(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".sarif":
		return "sarif"
	case ".xml":
		return "junit"
	case ".md":
		return "markdown"
	case ".txt":
		return "table"
	}
	return "json"
}

// loadIgnore reads --ignore-file, or the default file in the workspace or current directory.
func loadIgnore(o *ScanOptions) (*checks.Suppressions, error) {
	if o.IgnoreFile != "" {
		return checks.LoadSuppressions(o.IgnoreFile)
	}
	var candidates []string
	if o.Workspace != "" {
		candidates = append(candidates, filepath.Join(o.Workspace, checks.DefaultIgnoreFile))
	}
	candidates = append(candidates, checks.DefaultIgnoreFile)
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			return checks.LoadSuppressions(c)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return nil, nil
}

// parsePorts reads "22,80,443,8000-8010".
func parsePorts(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []int
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.Atoi(lo)
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || a < 1 || b > 65535 || a > b {
			return nil, fmt.Errorf("--ports: %q is not a port or range within 1-65535", part)
		}
		if len(out)+b-a+1 > 4096 {
			return nil, fmt.Errorf("--ports: more than 4096 ports")
		}
		for p := a; p <= b; p++ {
			out = append(out, p)
		}
	}
	return out, nil
}

func executeScan(ctx context.Context, o *ScanOptions, p *scanPlan) (*checks.Result, error) {
	obs := newObserver(o.IO)
	runner := checks.NewRunner(p.scope, checks.Options{
		Checks:        p.selected,
		Families:      p.families,
		Workers:       o.Workers,
		HostConns:     o.HostConns,
		Rate:          o.Rate,
		IOTimeout:     o.Timeout,
		ProbeTimeout:  o.ProbeTimeout,
		TargetTimeout: o.TargetTimeout,
		Ports:         p.ports,
		Observer:      obs,
		Now:           o.Now,
		Resolver:      o.Resolver,
		Tool:          o.Tool,
	})
	res, err := runner.Run(ctx, p.targets)
	if err != nil {
		return nil, err
	}
	res.Scope = p.scopeDoc
	n, expired := p.ignore.Apply(res.Findings, o.Now())
	if p.ignore != nil {
		res.Suppressions = checks.SuppressionReport{File: p.ignore.File, Suppressed: n, Expired: expired}
	}
	res.Finalize()
	return res, nil
}

// finishScan writes the results (even when interrupted) and turns the outcome into the exit
// status.
func finishScan(ctx context.Context, o *ScanOptions, p *scanPlan, res *checks.Result) error {
	var saved string
	if p.ws != nil {
		path := filepath.Join(p.ws.Dir, workspace.ScanFile)
		var buf bytes.Buffer
		if err := (scan.JSON{}).Write(&buf, res); err != nil {
			return err
		}
		if err := workspace.WriteFile(path, buf.Bytes(), true); err != nil {
			return err
		}
		saved = path
	}
	var written []string
	for _, out := range p.outputs {
		if out.path == "" {
			if err := out.writer.Write(o.IO.Out, res); err != nil {
				return err
			}
			continue
		}
		if err := workspace.WriteWith(out.path, true, func(w io.Writer) error { return out.writer.Write(w, res) }); err != nil {
			return err
		}
		written = append(written, out.path)
	}
	if len(written) > 0 {
		saved = strings.Join(written, ", ")
	}
	if !o.IO.Quiet {
		for _, s := range res.Suppressions.Expired {
			fmt.Fprintf(o.IO.ErrOut, "warning: %s: suppression of %s expired on %s and no longer applies (approved by %s)\n",
				s.Source, firstNonEmpty(s.ID, s.Check), s.Expires, s.ApprovedBy)
		}
		if saved != "" {
			fmt.Fprintf(o.IO.ErrOut, "Results written to %s\n", saved)
		}
	}
	switch {
	case !res.Complete || ctx.Err() != nil:
		return &InterruptedError{Saved: saved}
	case res.Totals.Scanned == 0:
		return &NoTargetError{Endpoints: res.Totals.Endpoints}
	case p.failOn != nil && res.AtOrAbove(*p.failOn) > 0:
		return &FindingsError{Count: res.AtOrAbove(*p.failOn), Threshold: *p.failOn}
	}
	return nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
