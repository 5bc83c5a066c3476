package checks

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// exchangeProbe behaves like the families' busiest probes (the TLS enumeration's parallel
// versions, nuclei's template threads): exchangeWorkers connections at a time, each reading the
// greeting, sending one request and waiting IOTimeout for the answer. Silence is noted and the
// probe goes on, as an enumeration goes on past a version that does not answer; the probe fails
// with a timeout when any request went unanswered.
const (
	exchangeWorkers = 8
	exchangeRounds  = 100
)

var exchangeProbe = &Probe[int]{ID: "test.exchange", Run: func(ctx context.Context, env *Env) (int, error) {
	var answered, silent atomic.Int64
	var wg sync.WaitGroup
	for range exchangeWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range exchangeRounds {
				if ctx.Err() != nil {
					return
				}
				if exchangeOnce(ctx, env) == nil {
					answered.Add(1)
				} else {
					silent.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return 0, ctx.Err()
	}
	if n := silent.Load(); n > 0 {
		return 0, &ProbeError{Reason: ReasonTimeout, Err: fmt.Errorf("%d of %d requests unanswered", n, n+answered.Load())}
	}
	return int(answered.Load()), nil
}}

func exchangeOnce(ctx context.Context, env *Env) error {
	c, err := env.Dialer.DialContext(ctx, "tcp", env.Endpoint.HostPort())
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(env.Deadline(ctx))
	br := bufio.NewReader(c)
	if _, err := br.ReadString('\n'); err != nil {
		return err
	}
	if _, err := io.WriteString(c, "NOOP\r\n"); err != nil {
		return err
	}
	_, err = br.ReadString('\n')
	return err
}

// TestRunnerStuckEndpointCostsOnlyItsOwnBudget: twenty endpoints and one that greets and then
// never answers, all on 127.0.0.1 under the default per-address limit. The stuck endpoint would
// hold every one of the address's connections for seconds at a time; it must end as its own
// timeout error while every other endpoint completes as if it were not there.
func TestRunnerStuckEndpointCostsOnlyItsOwnBudget(t *testing.T) {
	greetThenAnswer := func(c net.Conn) {
		_, _ = io.WriteString(c, "220 fast ESMTP\r\n")
		br := bufio.NewReader(c)
		for {
			if _, err := br.ReadString('\n'); err != nil {
				return
			}
			if _, err := io.WriteString(c, "250 ok\r\n"); err != nil {
				return
			}
		}
	}
	greetThenHang := func(c net.Conn) {
		_, _ = io.WriteString(c, "220 stuck ESMTP\r\n")
		_, _ = io.Copy(io.Discard, c) // reads every request, answers none
	}
	stuck := "127.0.0.1:" + strconv.Itoa(serveTCP(t, greetThenHang))
	targets := []string{stuck} // first, so it starts before the others as the worst case
	for range 20 {
		targets = append(targets, "127.0.0.1:"+strconv.Itoa(serveTCP(t, greetThenAnswer)))
	}
	check := Define(Check{ID: "test.exchange", Title: "t", Description: "d", Remediation: "r", Severity: Low,
		HIPAA: []string{"164.312(d)"}, Applies: func(s Service) bool { return s.Name == SvcSMTP }},
		exchangeProbe, func(context.Context, *Env, *Check, int) ([]Finding, error) { return nil, nil })

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	opt := Options{Checks: []*Check{check}, IOTimeout: time.Second, ProbeTimeout: 4 * time.Second, TargetTimeout: 8 * time.Second}
	res := runScan(t, ctx, opt, []string{"127.0.0.1"}, nil, targets...)
	if !res.Complete {
		t.Fatal("the scan did not complete")
	}
	for _, tg := range targets {
		a, ok := findAttempt(res, "test.exchange", tg)
		switch {
		case !ok:
			t.Errorf("%s: no attempt", tg)
		case tg == stuck && (a.Status != StatusError || a.Reason != ReasonTimeout):
			t.Errorf("stuck %s = %+v, want its own error/timeout", tg, a)
		case tg != stuck && a.Status != StatusCompleted:
			t.Errorf("%s = %s/%s %q, want completed: the stuck endpoint cost it its budget", tg, a.Status, a.Reason, a.Error)
		}
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Error("the scan outlived the test's minute")
	}
}
