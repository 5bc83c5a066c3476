package checks

import (
	"context"
	"net"
	"slices"
	"sync"
	"testing"
	"time"
)

// acceptLog listens on addr:0 and records when each connection arrived, closing it at once.
type acceptLog struct {
	mu sync.Mutex
	at []time.Time
}

func listenLog(t *testing.T, addr string) (string, *acceptLog) {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(addr, "0"))
	if err != nil {
		t.Fatalf("listen on %s: %v", addr, err)
	}
	t.Cleanup(func() { ln.Close() })
	log := &acceptLog{}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			log.mu.Lock()
			log.at = append(log.at, time.Now())
			log.mu.Unlock()
			c.Close()
		}
	}()
	return ln.Addr().String(), log
}

func (l *acceptLog) times() []time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := slices.Clone(l.at)
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// TestHostRateSpacesConnectionsPerAddress: with --host-rate R, one address sees its k-th new
// connection no sooner than k/R after the first dial (burst 1), and the limit is per address:
// two addresses dialled together each get their own tokens, so together they see more than one
// address alone could. Every dial runs under a deadline, so the test is bounded.
func TestHostRateSpacesConnectionsPerAddress(t *testing.T) {
	const hostRate = 4.0 // a token every 250ms
	const perAddr = 8
	addrA, logA := listenLog(t, "127.0.0.1")
	addrB, logB := listenLog(t, "127.0.0.2")
	scope, err := NewScope(context.Background(), mustTargets(t, "127.0.0.0/24"), nil, ScopeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d := NewDialer(scope, DialerOptions{HostRate: hostRate, HostConns: perAddr})
	// The deadline admits the tokens at 0, 250, 500, 750 and 1000ms: at most 5 per address.
	ctx, cancel := context.WithTimeout(context.Background(), 1100*time.Millisecond)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for _, a := range []string{addrA, addrB} {
		for range perAddr {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if c, err := d.DialContext(ctx, "tcp", a); err == nil {
					c.Close()
				}
			}()
		}
	}
	wg.Wait()
	time.Sleep(50 * time.Millisecond) // let the listeners log the last accepts
	const maxPerAddr = 5
	total := 0
	for name, log := range map[string]*acceptLog{addrA: logA, addrB: logB} {
		ts := log.times()
		total += len(ts)
		if len(ts) == 0 || len(ts) > maxPerAddr {
			t.Errorf("%s accepted %d connections in 1.1s at --host-rate %g, want 1..%d", name, len(ts), hostRate, maxPerAddr)
		}
		for k, at := range ts {
			// Token k is not issued before start + k/R; scheduling can only make it later.
			earliest := start.Add(time.Duration(float64(k)/hostRate*float64(time.Second)) - 10*time.Millisecond)
			if at.Before(earliest) {
				t.Errorf("%s: connection %d arrived %v after the first dial, before its token at %v",
					name, k+1, at.Sub(start).Round(time.Millisecond), time.Duration(float64(k)/hostRate*float64(time.Second)))
			}
		}
	}
	if total <= maxPerAddr {
		t.Errorf("both addresses together accepted %d connections, want more than one address's %d: the rate must be per address", total, maxPerAddr)
	}
}
