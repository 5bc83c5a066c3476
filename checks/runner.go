package checks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"
)

// DefaultPorts are probed on targets given without a port: the services a clinic exposes
// (web, remote access, mail, file transfer, legacy consoles).
var DefaultPorts = []int{21, 22, 23, 25, 80, 110, 143, 443, 465, 587, 993, 995, 3389, 5900, 8080, 8443}

// Options tune a scan.
type Options struct {
	Checks        []*Check  // the selected checks
	Families      []*Family // families whose Open hook runs when one of their checks is selected
	Workers       int       // endpoints scanned at once; <= 0: 16
	HostConns     int       // concurrent connections per address; <= 0: 8
	Rate          float64   // new connections per second across the scan; <= 0: unlimited
	HostRate      float64   // new connections per second to one address; <= 0: unlimited
	IOTimeout     time.Duration
	ProbeTimeout  time.Duration
	TargetTimeout time.Duration
	Ports         []int // for host and network targets; nil: DefaultPorts
	// Shard scans only the endpoints of one part of the scan (see Shard); zero: all of them.
	Shard    Shard
	Observer Observer
	Now      func() time.Time
	Resolver Resolver
	Tool     Tool
}

func (o *Options) defaults() {
	if o.Workers <= 0 {
		o.Workers = 16
	}
	if o.IOTimeout <= 0 {
		o.IOTimeout = 5 * time.Second
	}
	if o.ProbeTimeout <= 0 {
		o.ProbeTimeout = 60 * time.Second
	}
	if o.TargetTimeout <= 0 {
		o.TargetTimeout = 3 * time.Minute
	}
	if o.Ports == nil {
		o.Ports = DefaultPorts
	}
	if o.Observer == nil {
		o.Observer = NopObserver{}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
}

// Runner scans targets inside a scope.
type Runner struct {
	opts   Options
	scope  *Scope
	dialer *Dialer
}

// NewRunner prepares a scan. Every connection goes through a Dialer bound to scope.
func NewRunner(scope *Scope, opts Options) *Runner {
	opts.defaults()
	return &Runner{
		opts:  opts,
		scope: scope,
		dialer: NewDialer(scope, DialerOptions{
			Rate: opts.Rate, HostRate: opts.HostRate, HostConns: opts.HostConns, ConnectTimeout: opts.IOTimeout, Resolver: opts.Resolver,
		}),
	}
}

// Dialer exposes the scan's dialer (for counting connections in tests and benchmarks).
func (r *Runner) Dialer() *Dialer { return r.dialer }

// candidate is an endpoint to scan, or the error that kept it from being one.
type candidate struct {
	ep       Endpoint
	err      error
	discover bool // found by probing a default port: keep only if open
}

// Run scans the targets. When ctx is cancelled it stops within a second and returns what it has,
// with Complete false. The error is for a scan that could not start at all.
func (r *Runner) Run(ctx context.Context, targets []Target) (*Result, error) {
	o := r.opts
	res := &Result{
		SchemaVersion: ResultSchemaVersion,
		Tool:          o.Tool,
		StartedAt:     o.Now().UTC(),
	}
	for _, c := range o.Checks {
		res.Checks = append(res.Checks, c.ID)
	}
	if !o.Shard.Whole() {
		res.Shard = &Shard{K: o.Shard.K, N: o.Shard.N}
	}

	cands := r.shard(r.expand(ctx, targets))
	cands = r.discover(ctx, cands)

	closers, err := r.openFamilies(ctx)
	defer func() {
		for _, c := range closers {
			c()
		}
	}()
	if err != nil {
		return nil, err
	}

	var (
		mu   sync.Mutex
		prog = Progress{Phase: "scan", Total: len(cands)}
	)
	record := func(er EndpointResult, atts []Attempt, fs []Finding) {
		mu.Lock()
		defer mu.Unlock()
		res.Endpoints = append(res.Endpoints, er)
		res.Attempts = append(res.Attempts, atts...)
		res.Findings = append(res.Findings, fs...)
		prog.Done++
		prog.Findings += len(fs)
		if er.Status != StatusCompleted {
			prog.Errors++
		}
		prog.Last = er.Target
		o.Observer.Update(prog)
	}
	o.Observer.Update(prog)

	// Each endpoint first waits for its lane (its share of the address's connections), then for a
	// worker: an endpoint waiting for its address to have room holds no worker that could scan
	// another address, and its time budget starts only once both are its own.
	shares := r.laneShares(cands)
	workers := semaphore.NewWeighted(int64(o.Workers))
	var wg sync.WaitGroup
	for _, c := range cands {
		if ctx.Err() != nil {
			record(r.notRun(c, ctx.Err()))
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lane *Lane
			if share := shares[c.ep.Addr]; c.err == nil && share > 0 {
				l, err := r.dialer.OpenLane(ctx, c.ep.Addr, share)
				if err != nil {
					record(r.notRun(c, err))
					return
				}
				defer l.Close()
				lane = l
			}
			if err := workers.Acquire(ctx, 1); err != nil {
				record(r.notRun(c, ctx.Err()))
				return
			}
			defer workers.Release(1)
			record(r.scanEndpoint(ctx, c, lane))
		}()
	}
	wg.Wait()

	res.FinishedAt = o.Now().UTC()
	res.Complete = ctx.Err() == nil
	o.Observer.Finish(prog)
	res.Finalize()
	return res, nil
}

func (r *Runner) openFamilies(ctx context.Context) ([]func(), error) {
	used := map[string]bool{}
	for _, c := range r.opts.Checks {
		used[c.Family] = true
	}
	var closers []func()
	for _, f := range r.opts.Families {
		if f.Open == nil || !used[f.Name] {
			continue
		}
		closeF, err := f.Open(ctx)
		if err != nil {
			return closers, fmt.Errorf("start %s checks: %w", f.Name, err)
		}
		if closeF != nil {
			closers = append(closers, closeF)
		}
	}
	return closers, nil
}

// expand turns targets into endpoints: host:port and URLs directly, hosts and networks as one
// candidate per default port (kept if open).
func (r *Runner) expand(ctx context.Context, targets []Target) []candidate {
	var out []candidate
	seen := map[string]bool{}
	add := func(c candidate) {
		key := c.ep.String() + "|" + c.ep.Addr.String()
		if !seen[key] {
			seen[key] = true
			out = append(out, c)
		}
	}
	for _, t := range targets {
		base := Endpoint{Host: t.Host, Port: t.Port, Scheme: t.Scheme, Path: t.Path, URL: t.Kind == KindURL, Source: t.Source}
		if t.Kind == KindCIDR {
			for _, a := range hostAddrs(t.Prefix) {
				if _, excluded := r.scope.Excluded("", a, 0); excluded || notHostAddr(a) != "" {
					continue
				}
				for _, p := range r.opts.Ports {
					ep := base
					ep.Host, ep.Addr, ep.Port = a.String(), a, p
					if _, excluded := r.scope.Excluded("", a, p); !excluded {
						add(candidate{ep: ep, discover: true})
					}
				}
			}
			continue
		}
		addr, err := r.resolve(ctx, t)
		if err != nil {
			ep := base
			if ep.Port == 0 {
				ep.Port = r.opts.Ports[0]
			}
			add(candidate{ep: ep, err: err})
			continue
		}
		base.Addr = addr
		if t.Kind != KindHost {
			add(candidate{ep: base})
			continue
		}
		for _, p := range r.opts.Ports {
			ep := base
			ep.Port = p
			if _, excluded := r.scope.Excluded(t.Host, addr, p); !excluded {
				add(candidate{ep: ep, discover: true})
			}
		}
	}
	return out
}

// shard keeps the candidates of the scan's part, before discovery, so that a part probes only
// its own ports.
func (r *Runner) shard(cands []candidate) []candidate {
	if r.opts.Shard.Whole() {
		return cands
	}
	out := cands[:0]
	for _, c := range cands {
		if r.opts.Shard.Holds(c.ep.String()) {
			out = append(out, c)
		}
	}
	return out
}

// resolve pins a target to the first of its addresses the scope permits.
func (r *Runner) resolve(ctx context.Context, t Target) (netip.Addr, error) {
	if t.IsAddr() {
		return t.Prefix.Addr(), nil
	}
	addrs, err := r.opts.Resolver.LookupNetIP(ctx, "ip", t.Host)
	if err != nil || len(addrs) == 0 {
		return netip.Addr{}, &ProbeError{Reason: ReasonUnresolved, Err: fmt.Errorf("resolve %s: %v", t.Host, err)}
	}
	var firstErr error
	for _, a := range addrs {
		a = a.Unmap()
		if err := r.scope.Permit(t.Host, a, t.Port); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		r.dialer.Pin(t.Host, a)
		return a, nil
	}
	return netip.Addr{}, firstErr
}

// hostAddrs lists a network's host addresses (IPv4 networks larger than /31 lose their network
// and broadcast addresses).
func hostAddrs(p netip.Prefix) []netip.Addr {
	var out []netip.Addr
	for a := p.Addr(); p.Contains(a); a = a.Next() {
		out = append(out, a)
		if !a.Next().IsValid() {
			break
		}
	}
	if p.Addr().Is4() && p.Bits() < 31 && len(out) > 2 {
		out = out[1 : len(out)-1]
	}
	return out
}

// discover connects to each candidate found by port expansion and keeps the open ones.
func (r *Runner) discover(ctx context.Context, cands []candidate) []candidate {
	var probe []int
	for i, c := range cands {
		if c.discover && c.err == nil {
			probe = append(probe, i)
		}
	}
	if len(probe) == 0 {
		return cands
	}
	open := make([]bool, len(cands))
	var (
		mu   sync.Mutex
		prog = Progress{Phase: "discovery", Total: len(probe)}
	)
	g := errgroup.Group{}
	g.SetLimit(r.opts.Workers * 4)
	for _, i := range probe {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			dctx, cancel := context.WithTimeout(ctx, r.opts.IOTimeout)
			defer cancel()
			c, err := r.dialer.DialContext(dctx, "tcp", cands[i].ep.HostPort())
			if err == nil {
				c.Close()
			}
			mu.Lock()
			open[i] = err == nil
			prog.Done++
			r.opts.Observer.Update(prog)
			mu.Unlock()
			return nil
		})
	}
	_ = g.Wait()
	var out []candidate
	for i, c := range cands {
		if !c.discover || c.err != nil || open[i] {
			c.discover = false
			out = append(out, c)
		}
	}
	return out
}

func (r *Runner) endpointResult(c candidate) EndpointResult {
	er := EndpointResult{Target: c.ep.String(), Host: c.ep.Host, Port: c.ep.Port, Source: c.ep.Source}
	if c.ep.Addr.IsValid() {
		er.Address = c.ep.Addr.String()
	}
	return er
}

// notRun records an endpoint the scan never reached: every selected check is an error attempt,
// never a pass.
func (r *Runner) notRun(c candidate, err error) (EndpointResult, []Attempt, []Finding) {
	er := r.endpointResult(c)
	er.Status, er.Reason, er.Error = StatusError, Classify(err), Clean(err.Error(), 300)
	atts := make([]Attempt, 0, len(r.opts.Checks))
	for _, ch := range r.opts.Checks {
		atts = append(atts, Attempt{Check: ch.ID, Target: er.Target, Status: StatusError, Reason: er.Reason, Error: er.Error})
	}
	return er, atts, nil
}

// minLaneShare is the smallest share of an address's connections an endpoint gets (when the
// limit allows): probes run several connections at once (the TLS enumeration's versions, a
// crawl), and one slot would serialise them all.
const minLaneShare = 2

// laneShares divides each address's connection limit between its endpoints: the whole limit for
// a lone endpoint, half each for two, and so on down to minLaneShare, at which point endpoints
// beyond limit/minLaneShare wait for a lane to free up instead of shrinking everyone's share.
// The share is fixed for the endpoint's scan, so what it may use never depends on what its
// neighbours do.
func (r *Runner) laneShares(cands []candidate) map[netip.Addr]int {
	count := map[netip.Addr]int{}
	for _, c := range cands {
		if c.err == nil && c.ep.Addr.IsValid() {
			count[c.ep.Addr]++
		}
	}
	limit := r.dialer.HostConns()
	out := make(map[netip.Addr]int, len(count))
	for a, n := range count {
		out[a] = max(limit/n, min(limit, minLaneShare))
	}
	return out
}

func (r *Runner) scanEndpoint(ctx context.Context, c candidate, lane *Lane) (EndpointResult, []Attempt, []Finding) {
	if c.err != nil {
		return r.notRun(c, c.err)
	}
	tctx, cancel := context.WithTimeout(ctx, r.opts.TargetTimeout)
	defer cancel()
	if lane != nil {
		tctx = WithLane(tctx, lane)
	}
	env := &Env{
		Endpoint:     c.ep,
		Dialer:       r.dialer,
		IOTimeout:    r.opts.IOTimeout,
		ProbeTimeout: r.opts.ProbeTimeout,
		Now:          r.opts.Now,
	}
	svc, err := ServiceProbe.Get(tctx, env)
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return r.notRun(c, err)
	}
	env.Service = svc
	er := r.endpointResult(c)
	er.Service = &svc
	er.Status = StatusCompleted

	var (
		atts []Attempt
		fs   []Finding
	)
	for _, ch := range r.opts.Checks {
		a := Attempt{Check: ch.ID, Target: er.Target}
		if tctx.Err() != nil {
			a.Status, a.Reason, a.Error = StatusError, Classify(ctxCause(ctx, tctx)), "not run: "+ctxCause(ctx, tctx).Error()
			atts = append(atts, a)
			continue
		}
		if ch.Applies != nil && !ch.Applies(svc) {
			a.Status = StatusNotApplicable
			atts = append(atts, a)
			continue
		}
		start := time.Now()
		found, err := evaluate(tctx, ch, env)
		a.DurationMS = durationMS(time.Since(start))
		switch {
		case errors.Is(err, ErrNotApplicable):
			a.Status = StatusNotApplicable
		case err != nil:
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			a.Status, a.Reason, a.Error = StatusError, Classify(err), Clean(err.Error(), 300)
		default:
			a.Status, a.Findings = StatusCompleted, len(found)
			fs = append(fs, found...)
		}
		atts = append(atts, a)
	}
	env.verdicts.Range(func(k, v any) bool {
		if er.Verdicts == nil {
			er.Verdicts = map[string]Verdict{}
		}
		er.Verdicts[k.(string)] = v.(Verdict)
		return true
	})
	return er, atts, fs
}

// ctxCause says why a target's context ended: the user's cancellation or the target budget.
func ctxCause(parent, target context.Context) error {
	if parent.Err() != nil {
		return parent.Err()
	}
	return &ProbeError{Reason: ReasonTimeout, Err: errors.New("target time budget exhausted")}
}

// evaluate runs one check, turning a panic in a check into an error attempt: one broken check
// must not take the scan, or the other checks' results, with it.
func evaluate(ctx context.Context, ch *Check, env *Env) (fs []Finding, err error) {
	defer func() {
		if p := recover(); p != nil {
			fs, err = nil, &ProbeError{Reason: ReasonInternal, Err: fmt.Errorf("check %s panicked: %v", ch.ID, p)}
		}
	}()
	fs, err = ch.evaluate(ctx, env)
	for i := range fs {
		fs[i].Detail = CleanText(fs[i].Detail, 4000)
		fs[i].Title = Clean(fs[i].Title, 300)
		if fs[i].Severity > ch.Severity {
			fs[i].Severity = ch.Severity
		}
	}
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].ID < fs[j].ID })
	return fs, err
}
