package checks

import (
	"context"
	"strings"
	"sync"
)

// Judge decides one check on one endpoint from the facts its probe gathered: the findings (none
// when the endpoint is fine), ErrNotApplicable, or an error (classified into the attempt's
// reason). c is the check being judged, for NewFinding.
type Judge[T any] func(ctx context.Context, env *Env, c *Check, facts T) ([]Finding, error)

// Define builds a check whose judgement rests on one probe's facts. The probe runs (once per
// endpoint, shared with every check that declares it) before judge; when it fails, the check
// fails with its error and judge is not called, so a failed probe can never read as a pass.
//
// meta carries the check's documentation and Applies; Define sets Probes (the service probe, then
// probe after the probes it Needs; whatever meta held is dropped) and, when empty, Family (the
// first element of the ID).
func Define[T any](meta Check, probe *Probe[T], judge Judge[T]) *Check {
	return DefineWith(meta, []ProbeRef{probe}, func(ctx context.Context, env *Env, c *Check) ([]Finding, error) {
		facts, err := probe.Get(ctx, env)
		if err != nil {
			return nil, err
		}
		return judge(ctx, env, c, facts)
	})
}

// DefineWith builds a check that gathers its facts itself: judge calls the Get of the probes it
// declares (none, or several). Define is the usual form; DefineWith is for a judgement that must
// run even when its probes fail, or that rests on no probe at all.
func DefineWith(meta Check, probes []ProbeRef, judge func(ctx context.Context, env *Env, c *Check) ([]Finding, error)) *Check {
	c := meta
	if c.Family == "" {
		c.Family, _, _ = strings.Cut(c.ID, ".")
	}
	c.Probes = closure(append([]ProbeRef{ServiceProbe}, probes...))
	c.evaluate = func(ctx context.Context, env *Env) ([]Finding, error) { return judge(ctx, env, &c) }
	return &c
}

// closure lists probes with the probes they need, each after what it needs and once.
func closure(probes []ProbeRef) []ProbeRef {
	var out []ProbeRef
	seen := map[ProbeRef]bool{}
	var visit func(p ProbeRef)
	visit = func(p ProbeRef) {
		if p == nil || seen[p] {
			return
		}
		seen[p] = true
		for _, n := range p.Info().Needs {
			visit(n)
		}
		out = append(out, p)
	}
	for _, p := range probes {
		visit(p)
	}
	return out
}

// ProbeRef is a probe as the registry and the docs see it, whatever facts it gathers. Only
// *Probe[T] implements it, so a ProbeRef is always a probe's identity.
type ProbeRef interface {
	Info() ProbeInfo
	probe()
}

// ProbeInfo documents a probe: what it sends and how many connections it opens.
type ProbeInfo struct {
	ID          string
	Description string
	Connections string
	Needs       []ProbeRef
}

// Probe gathers facts of type T from one endpoint. Each probe runs at most once per endpoint
// per scan, within the probe timeout, however many checks ask for it.
type Probe[T any] struct {
	ID          string // dotted and unique across families: "tls.enum"
	Description string // what it sends, for docs/checks.md
	Connections string // how many connections it opens, for docs/checks.md
	// Needs lists the probes whose Get Run calls: a check declaring this probe rests on them too.
	Needs []ProbeRef
	Run   func(ctx context.Context, env *Env) (T, error)
}

// Info documents the probe.
func (p *Probe[T]) Info() ProbeInfo {
	return ProbeInfo{ID: p.ID, Description: p.Description, Connections: p.Connections, Needs: p.Needs}
}

func (p *Probe[T]) probe() {}

// Get returns the probe's result for env's endpoint, running it on first use.
func (p *Probe[T]) Get(ctx context.Context, env *Env) (T, error) {
	return memoize(&env.memo, p, func() (T, error) {
		pctx, cancel := context.WithTimeout(ctx, env.ProbeTimeout)
		defer cancel()
		return p.Run(pctx, env)
	})
}

// memo holds one endpoint's probe results, keyed by the probe itself: two probes never share an
// entry, whatever their IDs.
type memo struct {
	mu      sync.Mutex
	entries map[ProbeRef]any // *Probe[T] -> *memoEntry[T]
}

type memoEntry[T any] struct {
	done chan struct{}
	v    T
	err  error
}

// memoize runs f once per probe and endpoint; concurrent callers wait for the first one.
func memoize[T any](m *memo, p *Probe[T], f func() (T, error)) (T, error) {
	m.mu.Lock()
	if m.entries == nil {
		m.entries = map[ProbeRef]any{}
	}
	if e, ok := m.entries[p]; ok {
		m.mu.Unlock()
		// Only memoize stores under p, always a *memoEntry[T]: the assertion cannot fail.
		me := e.(*memoEntry[T])
		<-me.done
		return me.v, me.err
	}
	me := &memoEntry[T]{done: make(chan struct{})}
	m.entries[p] = me
	m.mu.Unlock()
	defer close(me.done)
	me.v, me.err = f()
	return me.v, me.err
}
