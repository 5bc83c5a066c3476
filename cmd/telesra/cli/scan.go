package cli

import (
	"context"
	"fmt"
	"io"
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
	FailOnPotential bool
	Format          string
	Outputs         []string // FILE or FORMAT=FILE, repeatable; none: stdout
	IgnoreFile      string
	Exclude         []string
	Ports           string
	Rate            float64
	HostRate        float64
	Workers         int
	HostConns       int
	Timeout         time.Duration
	ProbeTimeout    time.Duration
	TargetTimeout   time.Duration
	AllowLargeScope bool
	Shard           string // K/N; "": the whole scan
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

Targets and exclusions name an address one way: IPv4 as a dotted quad (2130706433, 0177.0.0.1
and 127.1 are refused with the dotted-quad spelling), and ::ffff:10.0.0.5 is 10.0.0.5.
Unspecified (0.0.0.0, ::), multicast, broadcast and zoned IPv6 addresses are refused.

Politeness is per address, not global: at most --host-conns connections (default 8) are
open to one address at a time, and --host-rate (default off) spaces new connections to one
address. The global --rate is off by default: a global brake protects no single server (with
200 connections a second over 63 hosts, each sees 3), yet it made a /24 take 50 s instead of 3.
Set --rate for a fragile path (a VPN, a small firewall's connection table) and --host-rate
for fragile servers.

Results go to stdout (a table on a terminal, JSON otherwise) or to -o. Human messages go to
stderr. See 'telesra help exit-codes' for what the exit code means in CI.`,
		Example: `  telesra scan 10.20.0.5:443 https://portal.acme.example/
  telesra scan -w acme-2026 -f sarif -o telesra.sarif --fail-on high
  telesra scan --targets-file targets.txt --checks tls,mfa -f junit -o telesra.xml
  telesra scan -w acme-2026 --shard 2/4 -o shard-2.json   # then: telesra merge shard-*.json -o scan.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Targets = args
			if runF != nil {
				return runF(o)
			}
			return scanRun(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&o.Workspace, "workspace", "w", "", "assessment workspace `DIR` (its scope limits the scan; each run saved under DIR/scans/ and combined into DIR/scan.json)")
	fl.StringVar(&o.TargetsFile, "targets-file", "", "read targets from `FILE`, one per line (# comments)")
	fl.StringSliceVar(&o.Checks, "checks", nil, "check families or IDs to run, comma-separated (default all; see telesra checks list)")
	fl.StringVar(&o.FailOn, "fail-on", "", "exit 1 when an unsuppressed finding is at or above `SEVERITY` (critical, high, medium, low, info)")
	fl.BoolVar(&o.FailOnPotential, "fail-on-potential", false, "let potential findings (a version-only match, an unprobed condition) trip --fail-on too")
	fl.StringVarP(&o.Format, "format", "f", "", "output format: "+strings.Join(scan.Formats.Names(), ", ")+" (default table on a terminal, json otherwise)")
	fl.StringArrayVarP(&o.Outputs, "output", "o", nil, "write results to `FILE` (0600, atomically; a device or pipe is written to, - is stdout) instead of stdout; FORMAT=FILE picks the format, repeat for several (-o sarif=r.sarif -o junit=r.xml)")
	fl.StringVar(&o.IgnoreFile, "ignore-file", "", "suppressions `FILE` (default "+workspace.IgnoreFile+" in the workspace or current directory, if present)")
	fl.StringArrayVar(&o.Exclude, "exclude", nil, "never contact this host, address, host:port or CIDR (repeatable)")
	fl.StringVar(&o.Ports, "ports", "", "ports probed on targets without a port, e.g. 22,80,443,8000-8010 (default: clinic service list)")
	fl.Float64Var(&o.Rate, "rate", 0, "at most this many new connections per second across the whole scan (0: unlimited; for a fragile network path)")
	fl.Float64Var(&o.HostRate, "host-rate", 0, "at most this many new connections per second to one address (0: unlimited; for fragile servers)")
	fl.IntVar(&o.Workers, "workers", 16, "endpoints scanned at once")
	fl.IntVar(&o.HostConns, "host-conns", 8, "concurrent connections per address (the default politeness)")
	fl.DurationVar(&o.Timeout, "timeout", 5*time.Second, "timeout of one connect or read")
	fl.DurationVar(&o.ProbeTimeout, "probe-timeout", 60*time.Second, "time budget of one probe")
	fl.DurationVar(&o.TargetTimeout, "target-timeout", 3*time.Minute, "time budget of one endpoint (all its checks)")
	fl.BoolVar(&o.AllowLargeScope, "allow-large-scope", false, "allow networks wider than /20")
	fl.StringVar(&o.Shard, "shard", "", "scan only part `K/N` of the endpoints (chosen by a hash of each endpoint, the same on every machine); combine the N results with telesra merge (docs/scale.md)")
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

// output is one rendering of the result: a format and its file ("" for stdout).
type output struct {
	format string
	path   string
	writer scan.Writer
}

// scanPrep is a scan checked before its first packet: the workspace's plan, the exit
// threshold and the outputs.
type scanPrep struct {
	plan    *workspace.ScanPlan
	failOn  *checks.Severity
	outputs []output
}

func scanRun(ctx context.Context, o *ScanOptions) error {
	p, err := prepareScan(ctx, o)
	if err != nil {
		return err
	}
	res, saved, err := p.plan.Run(ctx)
	if err != nil {
		return err
	}
	return finishScan(ctx, o, p, res, saved)
}

// prepareScan validates every input: the flags here, the scope and the selection in the
// workspace's PlanScan. Anything wrong is exit 2, and nothing has been sent.
func prepareScan(ctx context.Context, o *ScanOptions) (*scanPrep, error) {
	p := &scanPrep{}
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
	ports, err := parsePorts(o.Ports)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	var shard checks.Shard
	if o.Shard != "" {
		if shard, err = checks.ParseShard(o.Shard); err != nil {
			return nil, usageErrorf("--shard: %w", err)
		}
	}
	fo := o.Family
	if fo.Now == nil {
		fo.Now = o.Now
	}
	registry, families, err := o.Registry(fo)
	if err != nil {
		return nil, err
	}
	if _, err := registry.Select(o.Checks); err != nil {
		return nil, &UsageError{Err: err}
	}
	if p.outputs, err = planOutputs(o, scan.Options{Registry: registry, Threshold: threshold}); err != nil {
		return nil, err
	}
	p.plan, err = workspace.PlanScan(ctx, workspace.ScanRequest{
		Workspace: o.Workspace, Targets: o.Targets, TargetsFile: o.TargetsFile, Exclude: o.Exclude,
		Ports: ports, AllowLargeScope: o.AllowLargeScope,
		Registry: registry, Families: families, Checks: o.Checks, IgnoreFile: o.IgnoreFile,
		Runner: runnerOptions(o, shard),
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// runnerOptions are the runner's limits, timeouts and collaborators from the flags.
func runnerOptions(o *ScanOptions, shard checks.Shard) checks.Options {
	return checks.Options{
		Shard:         shard,
		Workers:       o.Workers,
		HostConns:     o.HostConns,
		Rate:          o.Rate,
		HostRate:      o.HostRate,
		IOTimeout:     o.Timeout,
		ProbeTimeout:  o.ProbeTimeout,
		TargetTimeout: o.TargetTimeout,
		Observer:      newObserver(o.IO),
		Now:           o.Now,
		Resolver:      o.Resolver,
		Tool:          o.Tool,
	}
}

// planOutputs resolves -f and -o: "-o FILE" takes -f or the file's extension, "-o FORMAT=FILE"
// names its format, and without -o the result goes to stdout (a table on a terminal, JSON
// otherwise). Every output directory is checked before the scan starts.
func planOutputs(o *ScanOptions, wo scan.Options) ([]output, error) {
	var outs []output
	add := func(format, path string) error {
		opts := wo
		opts.Color = path == "" && o.IO.ColorOut()
		opts.Width = 0 // a file: nothing wrapped or cut
		if path == "" {
			opts.Width = o.IO.TableWidth()
		}
		w, err := scan.Formats.New(format, opts)
		if err != nil {
			return &UsageError{Err: err}
		}
		if path != "" {
			if err := workspace.CheckOutput(path); err != nil {
				return err
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
		if path == "-" {
			path = "" // standard output
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

// formatForFile picks a format from a file name's extension (JSON when in doubt).
func formatForFile(path string) string {
	if f, ok := scan.Formats.ForFile(path); ok {
		return f.Name
	}
	return "json"
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

// finishScan writes the results (even when interrupted) and turns the outcome into the exit
// status.
func finishScan(ctx context.Context, o *ScanOptions, p *scanPrep, res *checks.Result, saved string) error {
	var written []string
	for _, out := range p.outputs {
		if out.path == "" {
			if err := out.writer.Write(o.IO.Out, res); err != nil {
				return err
			}
			continue
		}
		if err := workspace.WriteOutput(out.path, true, func(w io.Writer) error { return out.writer.Write(w, res) }); err != nil {
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
	case res.Totals.Scanned == 0 && (res.Shard == nil || res.Totals.Endpoints > 0):
		// A part of a spread scan may hold no endpoint at all: that is not a failure of the part.
		return &NoTargetError{Endpoints: res.Totals.Endpoints}
	case p.failOn != nil && res.Failing(*p.failOn, o.FailOnPotential) > 0:
		return &FindingsError{Count: res.Failing(*p.failOn, o.FailOnPotential), Threshold: *p.failOn}
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
