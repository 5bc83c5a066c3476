package checks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// pageCheck is a minimal HTTP check used to exercise the runner: one finding per HTTP endpoint,
// after fetching its page.
func pageCheck() *Check {
	return Define(Check{
		ID: "test.page", Family: "test", Title: "page seen", Description: "fetches /", Remediation: "none",
		Severity: Medium, HIPAA: []string{"164.312(e)(1)"},
		Applies: func(s Service) bool { return s.Name == SvcHTTP },
	}, testPageProbe, func(_ context.Context, env *Env, c *Check, p *Page) ([]Finding, error) {
		f := c.NewFinding(env, "")
		f.Evidence = map[string]any{"url": p.URL, "status": p.Status}
		return []Finding{f}, nil
	})
}

var testPageProbe = &Probe[*Page]{ID: "test.page", Run: func(ctx context.Context, env *Env) (*Page, error) {
	return env.Get(ctx, env.HTTPClient(), "/", 0)
}}

// judged builds a test check whose judgement rests on no probe.
func judged(id string, applies func(Service) bool, judge func(context.Context, *Env) ([]Finding, error)) *Check {
	return DefineWith(Check{ID: id, Title: "t", Description: "d", Remediation: "r", Severity: Low, HIPAA: []string{"164.312(d)"}, Applies: applies},
		nil, func(ctx context.Context, env *Env, _ *Check) ([]Finding, error) { return judge(ctx, env) })
}

func runScan(t *testing.T, ctx context.Context, opt Options, include, exclude []string, targets ...string) *Result {
	t.Helper()
	scope, err := NewScope(ctx, mustTargets(t, include...), mustTargets(t, exclude...), ScopeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if opt.Tool.Name == "" {
		opt.Tool = Tool{Name: "telesra", Version: "test"}
	}
	res, err := NewRunner(scope, opt).Run(ctx, mustTargets(t, targets...))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// funcObserver calls a function on every update.
type funcObserver func(Progress)

func (f funcObserver) Update(p Progress) { f(p) }
func (f funcObserver) Finish(Progress)   {}

func TestRunnerCancelKeepsPartialResults(t *testing.T) {
	fast := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "hello") }))
	defer fast.Close()
	// The tarpit accepts and never says a word.
	tarpit := serveTCP(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	fastT := "127.0.0.1:" + strconv.Itoa(portOf(t, fast.URL))
	slowT := "127.0.0.1:" + strconv.Itoa(tarpit)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cancelledAt atomic.Int64
	obs := funcObserver(func(p Progress) {
		if p.Phase == "scan" && p.Last == fastT {
			cancelledAt.Store(time.Now().UnixNano())
			cancel() // Ctrl-C once the fast endpoint is done
		}
	})
	opt := Options{Checks: []*Check{pageCheck()}, Observer: obs, IOTimeout: 30 * time.Second, ProbeTimeout: time.Minute, TargetTimeout: time.Minute}
	res := runScan(t, ctx, opt, []string{"127.0.0.1"}, nil, fastT, slowT)
	stopped := time.Since(time.Unix(0, cancelledAt.Load()))
	if cancelledAt.Load() == 0 {
		t.Fatal("the fast endpoint never finished")
	}
	if stopped > time.Second {
		t.Errorf("stopped %v after cancellation, want under 1s", stopped)
	}
	if res.Complete {
		t.Error("an interrupted scan says complete")
	}
	if len(res.Findings) != 1 || res.Findings[0].Target != fastT {
		t.Errorf("findings = %+v, want the fast endpoint's", res.Findings)
	}
	a, ok := findAttempt(res, "test.page", slowT)
	if !ok || a.Status != StatusError || a.Reason != ReasonCancelled {
		t.Errorf("tarpit attempt = %+v, want error/cancelled", a)
	}
}

func findAttempt(r *Result, check, target string) (Attempt, bool) {
	for _, a := range r.Attempts {
		if a.Check == check && a.Target == target {
			return a, true
		}
	}
	return Attempt{}, false
}

func TestRunnerNeverFollowsOutOfScope(t *testing.T) {
	var outside atomic.Int64
	out := serveTCP(t, func(c net.Conn) { outside.Add(1) })
	in := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Redirect to a different loopback port: another origin, outside the scope.
		http.Redirect(w, r, fmt.Sprintf("http://127.0.0.1:%d/login", out), http.StatusFound)
	}))
	defer in.Close()
	inT := "127.0.0.1:" + strconv.Itoa(portOf(t, in.URL))
	res := runScan(t, context.Background(), Options{Checks: []*Check{pageCheck()}, IOTimeout: 2 * time.Second}, []string{inT}, nil, inT)
	if n := outside.Load(); n != 0 {
		t.Fatalf("the out-of-scope server saw %d connection(s)", n)
	}
	if len(res.Findings) != 1 || res.Findings[0].Evidence["status"] != http.StatusFound {
		t.Errorf("want the redirect itself reported, not followed: %+v", res.Findings)
	}
}

func TestDialerRefusesBeforeAnyPacket(t *testing.T) {
	var seen atomic.Int64
	port := serveTCP(t, func(c net.Conn) { seen.Add(1) })
	target := "127.0.0.1:" + strconv.Itoa(port)
	scope, err := NewScope(context.Background(), mustTargets(t, "127.0.0.0/24"), mustTargets(t, "127.0.0.1"), ScopeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d := NewDialer(scope, DialerOptions{})
	_, err = d.DialContext(context.Background(), "tcp", target)
	if !IsScopeRefusal(err) {
		t.Fatalf("dial of an excluded address: %v", err)
	}
	time.Sleep(50 * time.Millisecond)
	if seen.Load() != 0 || d.Dials() != 0 || d.Refusals() != 1 {
		t.Errorf("listener saw %d, dials %d, refusals %d", seen.Load(), d.Dials(), d.Refusals())
	}
}

func TestRunnerFailedProbeIsNeverAPass(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	target := "127.0.0.1:" + strconv.Itoa(portOf(t, srv.URL))
	failing := judged("test.broken", nil, func(context.Context, *Env) ([]Finding, error) {
		return nil, &ProbeError{Reason: ReasonTLSFailure, Err: errors.New("handshake failure")}
	})
	panicky := judged("test.panic", nil, func(context.Context, *Env) ([]Finding, error) { panic("bug") })
	notHTTP := judged("test.ssh", func(s Service) bool { return s.Name == SvcSSH },
		func(context.Context, *Env) ([]Finding, error) { return nil, nil })
	res := runScan(t, context.Background(), Options{Checks: []*Check{failing, panicky, notHTTP, pageCheck()}}, []string{target}, nil, target)
	want := map[string]struct {
		status Status
		reason Reason
	}{
		"test.broken": {StatusError, ReasonTLSFailure},
		"test.panic":  {StatusError, ReasonInternal},
		"test.ssh":    {StatusNotApplicable, ""},
		"test.page":   {StatusCompleted, ""},
	}
	for id, w := range want {
		a, ok := findAttempt(res, id, target)
		if !ok || a.Status != w.status || a.Reason != w.reason {
			t.Errorf("%s attempt = %+v, want %s/%s", id, a, w.status, w.reason)
		}
	}
}

func TestRunnerDiscoversOpenPortsOnly(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	open := portOf(t, srv.URL)
	closedLn, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := closedLn.Addr().(*net.TCPAddr).Port
	closedLn.Close()
	opt := Options{Checks: []*Check{pageCheck()}, Ports: []int{open, closed}}
	// A /30 on loopback: .1 and .2 are its hosts; our server listens on 127.0.0.1 only, and .2
	// is excluded, so exactly one endpoint remains.
	res := runScan(t, context.Background(), opt, []string{"127.0.0.0/30"}, []string{"127.0.0.2"}, "127.0.0.0/30")
	if len(res.Endpoints) != 1 || res.Endpoints[0].Target != "127.0.0.1:"+strconv.Itoa(open) {
		t.Fatalf("endpoints = %+v", res.Endpoints)
	}
}

func TestDialerPerHostLimit(t *testing.T) {
	var cur, peak atomic.Int64
	port := serveTCP(t, func(c net.Conn) {
		n := cur.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
		cur.Add(-1)
	})
	target := "127.0.0.1:" + strconv.Itoa(port)
	scope, _ := NewScope(context.Background(), mustTargets(t, target), nil, ScopeOptions{})
	d := NewDialer(scope, DialerOptions{HostConns: 2})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := d.DialContext(context.Background(), "tcp", target)
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, c) // until the server hangs up
			c.Close()
		}()
	}
	wg.Wait()
	if p := peak.Load(); p > 2 || p == 0 {
		t.Errorf("peak concurrent connections = %d, limit 2", p)
	}
}

func TestDialerRateLimit(t *testing.T) {
	port := serveTCP(t, func(c net.Conn) {})
	target := "127.0.0.1:" + strconv.Itoa(port)
	scope, _ := NewScope(context.Background(), mustTargets(t, target), nil, ScopeOptions{})
	d := NewDialer(scope, DialerOptions{Rate: 20})
	start := time.Now()
	for i := 0; i < 11; i++ {
		c, err := d.DialContext(context.Background(), "tcp", target)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	// 20 per second with a burst of 2: eleven dials cannot take less than ~450 ms.
	if el := time.Since(start); el < 400*time.Millisecond {
		t.Errorf("11 dials at --rate 20 took %v", el)
	}
}

func TestRunnerTargetBudget(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	target := "127.0.0.1:" + strconv.Itoa(portOf(t, srv.URL))
	slow := judged("test.a_slow", nil, func(ctx context.Context, _ *Env) ([]Finding, error) {
		<-ctx.Done() // a probe that would run forever
		return nil, ctx.Err()
	})
	after := judged("test.b_after", nil, func(context.Context, *Env) ([]Finding, error) { return nil, nil })
	start := time.Now()
	res := runScan(t, context.Background(), Options{Checks: []*Check{slow, after}, TargetTimeout: 300 * time.Millisecond}, []string{target}, nil, target)
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("a 300ms target budget took %v", el)
	}
	if !res.Complete {
		t.Error("a target timeout is not an interruption: the scan completed")
	}
	for _, id := range []string{"test.a_slow", "test.b_after"} {
		if a, _ := findAttempt(res, id, target); a.Status != StatusError || a.Reason != ReasonTimeout {
			t.Errorf("%s = %+v, want error/timeout", id, a)
		}
	}
}

func TestLineObserverThrottles(t *testing.T) {
	var buf strings.Builder
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	o := &LineObserver{W: &buf, Every: 5 * time.Second, Now: func() time.Time { return now }}
	o.Update(Progress{Phase: "scan", Total: 10})
	o.Update(Progress{Phase: "scan", Total: 10, Done: 1})
	now = now.Add(6 * time.Second)
	o.Update(Progress{Phase: "scan", Total: 10, Done: 2, Findings: 3})
	o.Finish(Progress{Phase: "scan", Total: 10, Done: 10, Findings: 4, Errors: 1})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	want := []string{
		"telesra: scanned 0/10 endpoints, 0 findings, 0 unreachable",
		"telesra: scanned 2/10 endpoints, 3 findings, 0 unreachable",
		"telesra: scanned 10/10 endpoints, 4 findings, 1 unreachable",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines:\n%s", buf.String())
	}
	if strings.ContainsAny(buf.String(), "\r\x1b") {
		t.Error("a line observer wrote control characters")
	}
}
