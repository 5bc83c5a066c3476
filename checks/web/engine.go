package web

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/telesra/telesra/checks"
)

// Engine is the nuclei engine of one scan, shared by the web checks and the Recognizer. It runs
// in the web worker, a process of its own (see Runner); the Engine holds the worker's session
// and the gate its connections go through. It starts when the first holder opens it (the web
// family's Open, or a family bound with Bind) and stops when the last one releases it.
type Engine struct {
	pack   *Pack
	notice func(string)
	runner Runner
	probe  *checks.Probe[*outcome]

	// Settings, fixed before the first Open.
	TemplateThreads int   // templates run at once on one endpoint; <= 0: defaultTemplateThreads
	MaxBody         int64 // bytes of a response body nuclei reads; <= 0: checks.MaxBody

	mu   sync.Mutex
	refs int
	inst *instance

	starts  atomic.Int64
	refused atomic.Int64
	late    atomic.Int64
	blocked atomic.Int64
}

// instance is a running engine: the worker's session and the gate.
type instance struct {
	sess   Session
	gate   *gate
	broken map[string]error // template id -> why nuclei would not compile it
	// missing says why no worker could be started: the web checks of the scan are then error
	// attempts naming it, and the other families run.
	missing error
}

// NewEngine prepares an engine for a pack, run by runner; nothing starts until Open.
func NewEngine(p *Pack, runner Runner, notice func(string)) *Engine {
	e := &Engine{pack: p, runner: runner, notice: notice}
	e.probe = &checks.Probe[*outcome]{ID: ProbeID, Run: e.run,
		Description: "Runs every template of the pack (nuclei v3, offline, no interactsh, no redirects to other hosts) once " +
			"against the endpoint's URL; each template's requests are listed with its check. Responses are read up to 1 MiB.",
		Connections: fmt.Sprintf("at most %d requests per HTTP endpoint (%d templates), over keep-alive connections, at most %d at once",
			countRequests(p.Templates), len(p.Templates), defaultTemplateThreads),
	}
	return e
}

// ProbeID is the probe that runs the whole pack on an endpoint once.
const ProbeID = "web.nuclei"

// Templates returns the templates of the engine's pack.
func (e *Engine) Templates() []*Template { return e.pack.Templates }

// Open starts the engine if it is not running and holds it until the returned func is called.
func (e *Engine) Open(ctx context.Context) (func(), error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.inst == nil {
		inst, err := e.start(ctx)
		if err != nil {
			return nil, err
		}
		e.inst = inst
	}
	e.refs++
	var once sync.Once
	return func() { once.Do(e.release) }, nil
}

func (e *Engine) release() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.refs--
	if e.refs == 0 && e.inst != nil {
		e.closeInstance()
	}
}

// Bind makes a family that uses the Recognizer (mfa, patch) hold the engine for its scan, so
// recognition works when only that family's checks are selected.
func (e *Engine) Bind(f *checks.Family) {
	prev := f.Open
	f.Open = func(ctx context.Context) (func(), error) {
		release, err := e.Open(ctx)
		if err != nil {
			return nil, err
		}
		if prev == nil {
			return release, nil
		}
		closeF, err := prev(ctx)
		if err != nil {
			release()
			return nil, err
		}
		return func() {
			if closeF != nil {
				closeF()
			}
			release()
		}, nil
	}
}

// Starts counts engine starts (for tests: one per scan).
func (e *Engine) Starts() int64 { return e.starts.Load() }

// Late counts connections nuclei's HTTP transport started for an endpoint after its probe had
// ended (dials it finishes in the background for its idle pool), all refused.
func (e *Engine) Late() int64 { return e.late.Load() }

// Refused counts the connections nuclei asked for that were not to the endpoint being probed,
// all refused, since the engine was created (for tests and benchmarks: it should stay 0).
func (e *Engine) Refused() int64 { return e.refused.Load() }

// BlockedUpdateChecks is how many requests nuclei's update and version checks attempted in the
// worker of the latest scan (each was refused without leaving it).
func (e *Engine) BlockedUpdateChecks() int64 { return e.blocked.Load() }

func (e *Engine) noteBlocked(n int64) {
	for {
		old := e.blocked.Load()
		if n <= old || e.blocked.CompareAndSwap(old, n) {
			return
		}
	}
}

func (e *Engine) current() (*instance, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.inst == nil {
		return nil, errors.New("web checks: the nuclei engine is not running (the family using it was not opened; see web.Engine.Bind)")
	}
	return e.inst, nil
}

// defaultTemplateThreads is how many templates run at once on one endpoint: each holds at most one
// connection, within the scan's per-host limit (--host-conns, default 8).
const defaultTemplateThreads = 6

func (e *Engine) start(ctx context.Context) (*instance, error) {
	if e.runner == nil {
		return &instance{missing: errors.New("web checks: no web worker is configured")}, nil
	}
	g, err := newGate(e.runner.Isolated())
	if err != nil {
		return nil, err
	}
	req := &StartRequest{Proxy: g.URL(), ProxySocket: g.socket(), Threads: e.TemplateThreads, MaxBody: e.MaxBody}
	for _, t := range e.pack.Templates {
		req.Templates = append(req.Templates, WireTemplate{ID: t.ID, File: t.File, Path: t.Path, Data: t.Data})
	}
	sess, rep, err := e.runner.Start(ctx, req)
	var missing *MissingWorkerError
	if errors.As(err, &missing) {
		g.close()
		if e.notice != nil {
			e.notice(err.Error() + "; the web checks of this scan end as errors")
		}
		return &instance{missing: err}, nil
	}
	if err != nil {
		g.close()
		return nil, err
	}
	e.noteBlocked(rep.BlockedUpdateChecks)
	inst := &instance{sess: sess, gate: g, broken: map[string]error{}}
	for _, t := range e.pack.Templates {
		if fes, refused := rep.Refused[t.ID]; refused {
			inst.broken[t.ID] = fes
			if e.notice != nil {
				e.notice(fmt.Sprintf("%v; this template is skipped, the others run", fes))
			}
			continue
		}
		if msg, bad := rep.Broken[t.ID]; bad {
			inst.broken[t.ID] = errors.New(msg)
			if e.notice != nil {
				e.notice(fmt.Sprintf("%s: nuclei cannot compile this template: %s; it is skipped, the others run", t.File, cleanErr(errors.New(msg))))
			}
		}
	}
	e.starts.Add(1)
	return inst, nil
}

func (e *Engine) closeInstance() {
	if e.inst.sess != nil {
		e.inst.sess.Close()
	}
	if e.inst.gate != nil {
		e.refused.Add(e.inst.gate.refused.Load())
		e.late.Add(e.inst.gate.late.Load())
		e.inst.gate.close()
	}
	e.inst = nil
}

// run is the web.nuclei probe: the whole pack against one HTTP endpoint, in the worker.
func (e *Engine) run(ctx context.Context, env *checks.Env) (*outcome, error) {
	inst, err := e.current()
	if err != nil {
		return nil, &checks.ProbeError{Reason: checks.ReasonInternal, Err: err}
	}
	if env.Service.Scheme() == "" {
		return nil, checks.ErrNotApplicable
	}
	if inst.missing != nil {
		return nil, &checks.ProbeError{Reason: checks.ReasonInternal, Err: inst.missing}
	}
	sess, release, err := inst.gate.open(ctx, env)
	if err != nil {
		return nil, err
	}
	defer release()

	req := &ProbeRequest{URL: targetURL(env), CustomIP: env.Endpoint.Addr.String(), SNI: env.Endpoint.Host}
	if d, ok := ctx.Deadline(); ok {
		req.Deadline = d
	}
	rep, err := inst.sess.Probe(ctx, req)
	if err != nil {
		reason := checks.ReasonInternal
		if ctx.Err() != nil {
			reason = checks.ReasonTimeout
		}
		return nil, &checks.ProbeError{Reason: reason, Err: fmt.Errorf("web worker: %w", err)}
	}
	e.noteBlocked(rep.BlockedUpdateChecks)
	out := outcomeOf(rep.Results)
	out.gateErr = sess.firstError()
	out.ctxErr = ctx.Err()
	if out.ctxErr == nil && rep.Ended != "" {
		// The worker's clock reached the deadline a moment before ours did.
		out.ctxErr = fmt.Errorf("%s (in the web worker)", rep.Ended)
	}
	out.refused = inst.gate.refusedAddrs()
	return out, nil
}

// targetURL is the endpoint as nuclei's {{BaseURL}}: origin plus the declared path.
func targetURL(env *checks.Env) string {
	p := env.Endpoint.Path
	if p == "" {
		p = "/"
	}
	return env.Origin() + p
}

// cancelWait bounds how long a cancelled probe waits for the worker's partial results.
const cancelWait = 10 * time.Second
