package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/logrusorgru/aurora/v4"
	"github.com/projectdiscovery/gologger"
	"github.com/projectdiscovery/gologger/formatter"
	"github.com/projectdiscovery/gologger/levels"
	nuclei "github.com/projectdiscovery/nuclei/v3/lib"
	"github.com/projectdiscovery/nuclei/v3/pkg/core"
	"github.com/projectdiscovery/nuclei/v3/pkg/input/provider"
	"github.com/projectdiscovery/nuclei/v3/pkg/output"
	"github.com/projectdiscovery/nuclei/v3/pkg/protocols"
	"github.com/projectdiscovery/nuclei/v3/pkg/protocols/common/contextargs"
	nucleitemplates "github.com/projectdiscovery/nuclei/v3/pkg/templates"
	"github.com/projectdiscovery/nuclei/v3/pkg/types"
	"github.com/projectdiscovery/nuclei/v3/pkg/types/scanstrategy"
	"github.com/projectdiscovery/utils/errkit"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/web/internal/runenv"
)

// Engine is the nuclei engine of one scan, shared by the web checks and the Recognizer. It starts
// when the first holder opens it (the web family's Open, or a family bound with Bind) and stops
// when the last one releases it.
type Engine struct {
	pack   *Pack
	notice func(string)
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
}

// instance is a running nuclei engine.
type instance struct {
	sdk      *nuclei.NucleiEngine
	gate     *gate
	runnable []*Template      // compiled when the engine started
	broken   map[string]error // template id -> why nuclei would not compile it
	started  time.Duration
}

// NewEngine prepares an engine for a pack; nothing starts until Open.
func NewEngine(p *Pack, notice func(string)) *Engine {
	e := &Engine{pack: p, notice: notice}
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

// engineTimeout bounds one nuclei request; the probe's own budget bounds the whole run.
const engineTimeout = 10 * time.Second

func (e *Engine) start(ctx context.Context) (*instance, error) {
	if err := runenv.Err(); err != nil {
		return nil, fmt.Errorf("web checks: cannot create nuclei's private directory, refusing to start it: %w", err)
	}
	// Before nuclei compiles anything: a template's variables are evaluated as it is parsed.
	confineHelpers()
	began := time.Now()
	g, err := newGate()
	if err != nil {
		return nil, err
	}
	threads := e.TemplateThreads
	if threads <= 0 {
		threads = defaultTemplateThreads
	}
	maxBody := e.MaxBody
	if maxBody <= 0 {
		maxBody = checks.MaxBody
	}
	logger := &gologger.Logger{}
	logger.SetFormatter(formatter.NewCLI(true))
	logger.SetWriter(nucleiLog)
	logger.SetMaxLevel(levels.LevelWarning)

	o := types.DefaultOptions()
	o.Logger = logger
	o.Silent, o.NoColor = true, true
	o.NoInteractsh = true
	o.DisableHTTPProbe = true
	o.AliveSocksProxy = g.URL()
	o.Timeout = int(engineTimeout / time.Second)
	o.Retries = 0
	// Every template must run on every endpoint: an endpoint nuclei skipped after errors would
	// look clean. The probe budget bounds a slow endpoint instead.
	o.NoHostErrors = true
	o.RateLimit, o.RateLimitDuration = 0, 0 // --rate limits connections at the checks.Dialer
	o.BulkSize = 1
	o.TemplateThreads = threads
	o.ResponseReadSize = int(maxBody)
	o.ScanStrategy = scanstrategy.HostSpray.String()
	o.ExcludeTags = []string{}

	sdk, err := nuclei.NewNucleiEngineCtx(context.WithoutCancel(ctx),
		nuclei.WithOptions(o),
		nuclei.WithLogger(logger),
		nuclei.DisableUpdateCheck(),
		nuclei.WithTemporaryDirectory(runenv.Dir()),
	)
	if err != nil {
		g.close()
		return nil, fmt.Errorf("web checks: start nuclei: %w%s", err, nucleiLog.tail())
	}
	inst := &instance{sdk: sdk, gate: g, broken: map[string]error{}}
	// Compile everything once now, so that a template nuclei rejects is reported once, and
	// dropped, instead of failing on every endpoint.
	base := sdk.GetExecuterOptions()
	for _, t := range e.pack.Templates {
		if _, err := compileTemplate(t, base); err != nil {
			inst.broken[t.ID] = err
			if e.notice != nil {
				e.notice(fmt.Sprintf("%s: nuclei cannot compile this template: %v; it is skipped, the others run", t.File, cleanErr(err)))
			}
			continue
		}
		inst.runnable = append(inst.runnable, t)
	}
	inst.started = time.Since(began)
	e.starts.Add(1)
	return inst, nil
}

func (in *instance) close() {
	in.sdk.Close()
	in.gate.close()
}

func (e *Engine) closeInstance() {
	e.refused.Add(e.inst.gate.refused.Load())
	e.late.Add(e.inst.gate.late.Load())
	e.inst.close()
	e.inst = nil
}

// compileTemplate parses and compiles one template for execution with options. nuclei reads the
// output writer and the template path out of the options it compiled with, so each probe
// compiles its own copy with its own writer.
func compileTemplate(t *Template, base *protocols.ExecutorOptions) (*nucleitemplates.Template, error) {
	o := base.Copy()
	o.TemplatePath = templatePath(t)
	tpl, err := nucleitemplates.ParseTemplateFromReader(bytes.NewReader(t.Data), nil, o)
	if err != nil {
		return nil, err
	}
	if tpl == nil {
		return nil, errors.New("nuclei returned no template")
	}
	tpl.Path = o.TemplatePath
	return tpl, nil
}

// templatePath is what nuclei reports a template as: the real file for the user's (helper
// files resolve against it), a name that is no file for ours (they reference none).
func templatePath(t *Template) string {
	if t.Path != "" {
		return t.Path
	}
	return "telesra:" + t.File
}

// run is the web.nuclei probe: the whole pack against one HTTP endpoint.
func (e *Engine) run(ctx context.Context, env *checks.Env) (*outcome, error) {
	inst, err := e.current()
	if err != nil {
		return nil, &checks.ProbeError{Reason: checks.ReasonInternal, Err: err}
	}
	if env.Service.Scheme() == "" {
		return nil, checks.ErrNotApplicable
	}
	sess, release, err := inst.gate.open(ctx, env)
	if err != nil {
		return nil, err
	}
	defer release()

	col := newCollector()
	po := inst.sdk.Options().Copy()
	// nuclei's SOCKS TLS dialer fills in an empty ServerName of a transport's shared tls.Config
	// from each dial, concurrently (a data race); a preset one is only read. Go sends no SNI for
	// an IP literal.
	po.SNI = env.Endpoint.Host
	eo := inst.sdk.GetExecuterOptions().Copy()
	eo.Options = po
	eo.Output = col
	var tpls []*nucleitemplates.Template
	for _, t := range inst.runnable {
		col.expect(templatePath(t), t.ID)
		tpl, err := compileTemplate(t, eo)
		if err != nil {
			col.fail(t.ID, uncompiled(err))
			continue
		}
		tpls = append(tpls, tpl)
	}
	for id, err := range inst.broken {
		col.fail(id, uncompiled(err))
	}
	mi := contextargs.NewMetaInput()
	mi.Input = targetURL(env)
	// The pinned address: nuclei then never resolves the name (its resolver would ask public
	// DNS servers), and the gate dials the address the scope admitted.
	mi.CustomIP = env.Endpoint.Addr.String()
	eng := core.New(po)
	eng.SetExecuterOptions(eo)
	eng.ExecuteScanWithOpts(ctx, tpls, &provider.SimpleInputProvider{Inputs: []*contextargs.MetaInput{mi}}, true)

	out := col.outcome()
	out.gateErr = sess.firstError()
	out.ctxErr = ctx.Err()
	out.refused = inst.gate.refusedAddrs()
	return out, nil
}

// uncompiled is the attempt error of a template nuclei would not compile.
func uncompiled(err error) error {
	return &checks.ProbeError{Reason: checks.ReasonInternal, Err: fmt.Errorf("nuclei cannot compile this template: %s", cleanErr(err))}
}

// targetURL is the endpoint as nuclei's {{BaseURL}}: origin plus the declared path.
func targetURL(env *checks.Env) string {
	p := env.Endpoint.Path
	if p == "" {
		p = "/"
	}
	return env.Origin() + p
}

// outcome is what one probe learned, per template.
type outcome struct {
	results map[string]*templateResult
	gateErr error    // the first connection error at the gate
	ctxErr  error    // the probe's budget ran out or the scan was cancelled
	refused []string // addresses the gate refused (nuclei asked for something not being scanned)
}

type templateResult struct {
	matches  []match
	requests int
	err      error // first request error, compile error or skip
}

// match is one matched request, as nuclei reported it (not yet cleaned).
type match struct {
	URL       string
	Matcher   string
	Extracted []string
}

// collector is nuclei's output writer for one probe.
type collector struct {
	mu      sync.Mutex
	byPath  map[string]string
	results map[string]*templateResult
}

func newCollector() *collector {
	return &collector{byPath: map[string]string{}, results: map[string]*templateResult{}}
}

func (c *collector) expect(path, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byPath[path] = id
	if c.results[id] == nil {
		c.results[id] = &templateResult{}
	}
}

func (c *collector) get(id string) *templateResult {
	r := c.results[id]
	if r == nil {
		r = &templateResult{}
		c.results[id] = r
	}
	return r
}

func (c *collector) fail(id string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r := c.get(id); r.err == nil {
		r.err = err
	}
}

func (c *collector) outcome() *outcome {
	c.mu.Lock()
	defer c.mu.Unlock()
	return &outcome{results: c.results}
}

func (c *collector) Close()                                          {}
func (c *collector) Colorizer() *aurora.Aurora                       { return aurora.New(aurora.WithColors(false)) }
func (c *collector) ResultCount() int                                { return 0 }
func (c *collector) RequestStatsLog(_, _ string)                     {}
func (c *collector) WriteStoreDebugData(_, _, _, _ string)           {}
func (c *collector) WriteFailure(*output.InternalWrappedEvent) error { return nil }

// Write receives a match, or nuclei's note that it skipped the template.
func (c *collector) Write(ev *output.ResultEvent) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.get(ev.TemplateID)
	if ev.Error != "" && !ev.MatcherStatus {
		if r.err == nil {
			r.err = errors.New(ev.Error)
		}
		return nil
	}
	u := ev.Matched
	if u == "" {
		u = ev.URL
	}
	r.matches = append(r.matches, match{URL: u, Matcher: ev.MatcherName, Extracted: ev.ExtractedResults})
	return nil
}

// Request is called for every request a template sends, with its error.
func (c *collector) Request(templatePath, _, _ string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id, ok := c.byPath[templatePath]
	if !ok {
		return
	}
	r := c.get(id)
	r.requests++
	if err != nil && r.err == nil {
		r.err = err
	}
}

// result judges one template on one endpoint: its matches, or why it could not say.
func (o *outcome) result(id string) ([]match, error) {
	r := o.results[id]
	switch {
	case r == nil:
		return nil, &checks.ProbeError{Reason: checks.ReasonInternal, Err: fmt.Errorf("template %s was not run", id)}
	case len(r.matches) > 0:
		return r.matches, nil
	case r.err != nil:
		var pe *checks.ProbeError
		if errors.As(r.err, &pe) {
			return nil, pe
		}
		return nil, o.classify(r.err)
	case r.requests == 0:
		if o.ctxErr != nil {
			return nil, &checks.ProbeError{Reason: checks.ReasonTimeout, Err: fmt.Errorf("template did not run before the probe ended: %w", o.ctxErr)}
		}
		return nil, &checks.ProbeError{Reason: checks.ReasonInternal, Err: errors.New("template sent no request")}
	}
	return nil, nil
}

// classify gives a nuclei error (a string wrapped many times) the reason of the typed error the
// gate saw, or one read from its text.
func (o *outcome) classify(err error) error {
	msg := strings.ToLower(err.Error())
	for _, addr := range o.refused {
		if strings.Contains(msg, strings.ToLower(addr)) {
			return &checks.ProbeError{Reason: checks.ReasonOutOfScope,
				Err: fmt.Errorf("nuclei tried to reach %s, which is not the endpoint being scanned; refused (%s)", addr, cleanErr(err))}
		}
	}
	if o.gateErr != nil {
		return &checks.ProbeError{Reason: checks.Classify(o.gateErr), Err: fmt.Errorf("%s (connection: %v)", cleanErr(err), o.gateErr)}
	}
	reason := checks.ReasonOther
	switch {
	case o.ctxErr != nil, strings.Contains(msg, "deadline"), strings.Contains(msg, "timeout"), strings.Contains(msg, "timed out"):
		reason = checks.ReasonTimeout
	case strings.Contains(msg, "refused"):
		reason = checks.ReasonRefused
	case strings.Contains(msg, "reset"), strings.Contains(msg, "eof"), strings.Contains(msg, "broken pipe"):
		reason = checks.ReasonReset
	case strings.Contains(msg, "tls"), strings.Contains(msg, "handshake"), strings.Contains(msg, "certificate"):
		reason = checks.ReasonTLSFailure
	}
	return &checks.ProbeError{Reason: reason, Err: errors.New(cleanErr(err))}
}

// cleanErr flattens nuclei's multi-line error chains into one line.
func cleanErr(err error) string {
	return checks.Clean(strings.Join(strings.Fields(err.Error()), " "), 400)
}

// permanent marks an error so that retryablehttp does not retry it.
func permanent(err error) error { return errkit.FromError(err).SetKind(errkit.ErrKindNetworkPermanent) }

// phoneHomeBlocked counts requests nuclei's update machinery tried to make.
var phoneHomeBlocked atomic.Int64

// BlockedUpdateChecks is how many requests nuclei's update and version checks attempted in this
// process (each was refused without leaving it).
func BlockedUpdateChecks() int64 { return phoneHomeBlocked.Load() }

// logBuffer keeps the last lines nuclei logged: nothing of nuclei's reaches stderr, but its last
// words go into error messages.
type logBuffer struct {
	mu    sync.Mutex
	lines []string
}

var nucleiLog = &logBuffer{}

const logKeep = 100

func (b *logBuffer) Write(data []byte, _ levels.Level) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lines = append(b.lines, checks.Clean(strings.TrimSpace(string(data)), 400))
	if len(b.lines) > logKeep {
		b.lines = append(b.lines[:0], b.lines[len(b.lines)-logKeep:]...)
	}
}

// NucleiLog returns what nuclei logged lately (for tests and diagnostics).
func NucleiLog() []string {
	nucleiLog.mu.Lock()
	defer nucleiLog.mu.Unlock()
	return append([]string(nil), nucleiLog.lines...)
}

func (b *logBuffer) tail() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.lines) == 0 {
		return ""
	}
	n := min(3, len(b.lines))
	return " (nuclei: " + strings.Join(b.lines[len(b.lines)-n:], "; ") + ")"
}

func removeRunDir() error {
	if runenv.Dir() == "" {
		return nil
	}
	return os.RemoveAll(runenv.Dir())
}

// sortMatches orders matches by URL for stable findings.
func sortMatches(ms []match) {
	sort.Slice(ms, func(i, j int) bool {
		if ms[i].URL != ms[j].URL {
			return ms[i].URL < ms[j].URL
		}
		return ms[i].Matcher < ms[j].Matcher
	})
}
