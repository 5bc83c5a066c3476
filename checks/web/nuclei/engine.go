package nuclei

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/logrusorgru/aurora/v4"
	"github.com/projectdiscovery/gologger"
	"github.com/projectdiscovery/gologger/formatter"
	"github.com/projectdiscovery/gologger/levels"
	nucleisdk "github.com/projectdiscovery/nuclei/v3/lib"
	"github.com/projectdiscovery/nuclei/v3/pkg/core"
	"github.com/projectdiscovery/nuclei/v3/pkg/input/provider"
	"github.com/projectdiscovery/nuclei/v3/pkg/output"
	"github.com/projectdiscovery/nuclei/v3/pkg/protocols"
	"github.com/projectdiscovery/nuclei/v3/pkg/protocols/common/contextargs"
	nucleitemplates "github.com/projectdiscovery/nuclei/v3/pkg/templates"
	"github.com/projectdiscovery/nuclei/v3/pkg/types"
	"github.com/projectdiscovery/nuclei/v3/pkg/types/scanstrategy"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/web"
	"github.com/telesra/telesra/checks/web/internal/runenv"
	"github.com/telesra/telesra/templates/datafile"
)

// engine is a running nuclei engine with the templates it compiled.
type engine struct {
	sdk      *nucleisdk.NucleiEngine
	runnable []web.WireTemplate
	broken   map[string]error               // template id -> why nuclei would not compile it (or it was refused)
	refused  map[string]datafile.FileErrors // template id -> the DSL helpers it may not call
}

// defaultTemplateThreads is how many templates run at once on one endpoint when the request
// does not say.
const defaultTemplateThreads = 6

// engineTimeout bounds one nuclei request; the probe's own budget bounds the whole run.
const engineTimeout = 10 * time.Second

// start starts nuclei with telesra's options; proxy is the gate's SOCKS5 URL.
func start(ctx context.Context, req *web.StartRequest, proxy string) (*engine, error) {
	if err := runenv.Err(); err != nil {
		return nil, fmt.Errorf("cannot create nuclei's private directory, refusing to start it: %w", err)
	}
	threads := req.Threads
	if threads <= 0 {
		threads = defaultTemplateThreads
	}
	maxBody := req.MaxBody
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
	o.AliveSocksProxy = proxy
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

	// Before nuclei compiles anything (a template's variables are evaluated as it is parsed):
	// the helpers telesra does not allow fail at run time too, whatever builds the expression.
	confineHelpers()
	sdk, err := nucleisdk.NewNucleiEngineCtx(context.WithoutCancel(ctx),
		nucleisdk.WithOptions(o),
		nucleisdk.WithLogger(logger),
		nucleisdk.DisableUpdateCheck(),
		nucleisdk.WithTemporaryDirectory(runenv.Dir()),
	)
	if err != nil {
		return nil, fmt.Errorf("start nuclei: %w%s", err, nucleiLog.tail())
	}
	e := &engine{sdk: sdk, broken: map[string]error{}, refused: map[string]datafile.FileErrors{}}
	// Compile everything once now, so that a template nuclei rejects is reported once, and
	// dropped, instead of failing on every endpoint. A template calling a DSL helper telesra
	// does not allow is refused before nuclei parses it (its variables are evaluated then).
	base := sdk.GetExecuterOptions()
	for _, t := range req.Templates {
		if fes := vetTemplate(t.File, t.Data); len(fes) > 0 {
			e.refused[t.ID], e.broken[t.ID] = fes, fes
			continue
		}
		if _, err := compileTemplate(t, base); err != nil {
			e.broken[t.ID] = err
			continue
		}
		e.runnable = append(e.runnable, t)
	}
	return e, nil
}

func (e *engine) close() { e.sdk.Close() }

// compileTemplate parses and compiles one template for execution with options. nuclei reads the
// output writer and the template path out of the options it compiled with, so each probe
// compiles its own copy with its own writer.
func compileTemplate(t web.WireTemplate, base *protocols.ExecutorOptions) (*nucleitemplates.Template, error) {
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
func templatePath(t web.WireTemplate) string {
	if t.Path != "" {
		return t.Path
	}
	return "telesra:" + t.File
}

// run is the whole pack against one HTTP endpoint, until ctx ends.
func (e *engine) run(ctx context.Context, p *web.ProbeRequest) map[string]*web.WireResult {
	col := newCollector()
	po := e.sdk.Options().Copy()
	// nuclei's SOCKS TLS dialer fills in an empty ServerName of a transport's shared tls.Config
	// from each dial, concurrently (a data race); a preset one is only read. Go sends no SNI for
	// an IP literal.
	po.SNI = p.SNI
	eo := e.sdk.GetExecuterOptions().Copy()
	eo.Options = po
	eo.Output = col
	var tpls []*nucleitemplates.Template
	for _, t := range e.runnable {
		col.expect(templatePath(t), t.ID)
		tpl, err := compileTemplate(t, eo)
		if err != nil {
			col.fail(t.ID, web.Uncompiled(err))
			continue
		}
		tpls = append(tpls, tpl)
	}
	for id, err := range e.broken {
		col.fail(id, web.Uncompiled(err))
	}
	mi := contextargs.NewMetaInput()
	mi.Input = p.URL
	// The pinned address: nuclei then never resolves the name (its resolver would ask public
	// DNS servers), and the gate dials the address the scope admitted.
	mi.CustomIP = p.CustomIP
	eng := core.New(po)
	eng.SetExecuterOptions(eo)
	eng.ExecuteScanWithOpts(ctx, tpls, &provider.SimpleInputProvider{Inputs: []*contextargs.MetaInput{mi}}, true)
	return col.wire()
}

// collector is nuclei's output writer for one probe.
type collector struct {
	mu      sync.Mutex
	byPath  map[string]string
	results map[string]*result
}

type result struct {
	matches  []web.Match
	requests int
	err      error
}

func newCollector() *collector {
	return &collector{byPath: map[string]string{}, results: map[string]*result{}}
}

func (c *collector) expect(path, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byPath[path] = id
	if c.results[id] == nil {
		c.results[id] = &result{}
	}
}

func (c *collector) get(id string) *result {
	r := c.results[id]
	if r == nil {
		r = &result{}
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

func (c *collector) wire() map[string]*web.WireResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]*web.WireResult, len(c.results))
	for id, r := range c.results {
		out[id] = web.NewWireResult(r.matches, r.requests, r.err)
	}
	return out
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
	r.matches = append(r.matches, web.Match{URL: u, Matcher: ev.MatcherName, Extracted: ev.ExtractedResults})
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
