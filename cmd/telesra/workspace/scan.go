package workspace

import (
	"context"
	"os"
	"time"

	"github.com/telesra/telesra/checks"
)

// ScanRequest is everything a scan is asked to do. Targets, exclusions and the selection are
// the user's words, parsed and checked by PlanScan.
type ScanRequest struct {
	// Workspace is the assessment directory whose scope limits the scan; "" scans the targets
	// alone (their own scope).
	Workspace   string
	Targets     []string // TARGET arguments
	TargetsFile string   // one target per line
	Exclude     []string // never contacted, whatever the scope says
	// Ports probed on targets given without a port; nil: the workspace's, else the defaults.
	Ports           []int
	AllowLargeScope bool
	// Registry is every check telesra knows (composed by the command line); Checks selects
	// among them (families, IDs or prefixes; none: all).
	Registry *checks.Registry
	Families []*checks.Family
	Checks   []string
	// IgnoreFile is a suppressions file; "" reads the default one in the workspace or the
	// current directory, if present.
	IgnoreFile string
	// Runner tunes the scan (workers, limits, timeouts, observer, clock, resolver, tool); its
	// Checks, Families and Ports are filled by PlanScan.
	Runner checks.Options
}

// ScanPlan is a scan checked before its first packet: scope, targets, selection, suppressions.
type ScanPlan struct {
	Workspace *Workspace // nil for a scan of command-line targets
	Targets   []checks.Target
	Scope     *checks.Scope
	ScopeDoc  checks.ScopeDoc
	Registry  *checks.Registry
	Selected  []*checks.Check
	Ignore    *checks.Suppressions

	opts      checks.Options
	selection []string // --checks as given, recorded with the run
}

// PlanScan validates every input of a scan. Anything wrong here is an InputError (or a
// FileError naming file:line, a ScopeError, an AuthorisationError), and nothing has been sent.
func PlanScan(ctx context.Context, req ScanRequest) (*ScanPlan, error) {
	if req.Runner.Now == nil {
		req.Runner.Now = time.Now
	}
	p := &ScanPlan{Registry: req.Registry, opts: req.Runner, selection: req.Checks}
	var err error
	if p.Selected, err = req.Registry.Select(req.Checks); err != nil {
		return nil, &InputError{Err: err}
	}
	ports := req.Ports

	// Targets: arguments, a targets file, or the workspace scope.
	for i, a := range req.Targets {
		t, err := checks.ParseTarget(a)
		if err != nil {
			return nil, &InputError{Err: err}
		}
		t.Source = checks.Source{Line: i + 1}
		p.Targets = append(p.Targets, t)
	}
	if req.TargetsFile != "" {
		data, err := ReadInput(req.TargetsFile, TargetsInput)
		if err != nil {
			return nil, err
		}
		ts, err := checks.ParseTargetsFile(req.TargetsFile, data)
		if err != nil {
			return nil, err
		}
		p.Targets = append(p.Targets, ts...)
	}
	var excl []checks.Target
	for _, e := range req.Exclude {
		t, err := checks.ParseTarget(e)
		if err != nil {
			return nil, inputErrorf("--exclude: %w", err)
		}
		excl = append(excl, t)
	}
	resolver := req.Runner.Resolver
	scopeOpt := checks.ScopeOptions{AllowLarge: req.AllowLargeScope, Resolver: resolver}
	if req.Workspace != "" {
		ws, err := Load(req.Workspace)
		if err != nil {
			return nil, err
		}
		now := req.Runner.Now
		if err := ws.CheckAuthorisation(now()); err != nil {
			return nil, err
		}
		if len(ws.Targets) == 0 {
			return nil, inputErrorf("%s: scope.targets is empty: nothing may be scanned", ws.Path)
		}
		p.Workspace = ws
		p.Scope, err = checks.NewScope(ctx, ws.Targets, append(append([]checks.Target{}, ws.Exclusions...), excl...), scopeOpt)
		if err != nil {
			return nil, err
		}
		if len(p.Targets) == 0 {
			p.Targets = ws.Targets
		} else {
			for _, t := range p.Targets {
				if err := p.Scope.Admit(ctx, t, resolver, req.AllowLargeScope); err != nil {
					return nil, err
				}
			}
		}
		if ports == nil && len(ws.Assessment.Scope.Ports) > 0 {
			ports = ws.Assessment.Scope.Ports
		}
		p.ScopeDoc = checks.ScopeDoc{Source: ws.Path, Targets: ws.Assessment.Scope.Targets, Exclusions: ws.Assessment.Scope.Exclusions}
	} else {
		if len(p.Targets) == 0 {
			return nil, inputErrorf("no targets: give TARGET arguments, --targets-file FILE or -w DIR")
		}
		p.Scope, err = checks.NewScope(ctx, p.Targets, excl, scopeOpt)
		if err != nil {
			return nil, err
		}
		for _, t := range p.Targets {
			if err := p.Scope.Admit(ctx, t, resolver, req.AllowLargeScope); err != nil {
				return nil, err
			}
		}
		src := "command line"
		if req.TargetsFile != "" {
			src = req.TargetsFile
		}
		p.ScopeDoc = checks.ScopeDoc{Source: src, Targets: rawTargets(p.Targets), Exclusions: req.Exclude}
	}
	if p.Ignore, err = loadIgnore(req); err != nil {
		return nil, err
	}
	p.opts.Checks, p.opts.Families, p.opts.Ports = p.Selected, req.Families, ports
	return p, nil
}

func rawTargets(ts []checks.Target) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Raw
	}
	return out
}

// loadIgnore reads the suppressions file: the one asked for, or the default file in the
// workspace or the current directory.
func loadIgnore(req ScanRequest) (*checks.Suppressions, error) {
	if req.IgnoreFile != "" {
		return readSuppressions(req.IgnoreFile)
	}
	var candidates []string
	if req.Workspace != "" {
		candidates = append(candidates, At(req.Workspace).IgnorePath())
	}
	candidates = append(candidates, IgnoreFile)
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			return readSuppressions(c)
		} else if !os.IsNotExist(err) {
			return nil, err
		}
	}
	return nil, nil
}

// readSuppressions reads and validates a suppressions file.
func readSuppressions(path string) (*checks.Suppressions, error) {
	data, err := ReadInput(path, SuppressionsInput)
	if err != nil {
		return nil, err
	}
	return checks.ParseSuppressions(path, data)
}

// Run scans, applies the suppressions and, for a workspace, saves the run under DIR/scans/ (even
// when the scan was interrupted: it is then marked incomplete) and rewrites DIR/scan.json as the
// combination of every run (see Combine). It returns this run's result and the run file saved
// ("" without a workspace).
func (p *ScanPlan) Run(ctx context.Context) (*checks.Result, string, error) {
	runner := checks.NewRunner(p.Scope, p.opts)
	res, err := runner.Run(ctx, p.Targets)
	if err != nil {
		return nil, "", err
	}
	res.Scope = p.ScopeDoc
	now := p.opts.Now
	n, expired := p.Ignore.Apply(res.Findings, now())
	if p.Ignore != nil {
		res.Suppressions = checks.SuppressionReport{File: p.Ignore.File, Suppressed: n, Expired: expired}
	}
	res.Finalize()
	if p.Workspace == nil {
		return res, "", nil
	}
	path, err := p.saveRun(res)
	if err != nil {
		return nil, "", err
	}
	return res, path, nil
}
