package cli

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/telesra/telesra/checks"
)

// TestScanDefaultsDoNotBrakeAnEstate: with scan's default flags, the runner's dialer opens
// connections to many addresses as fast as they accept them: 1,008 connections to 63 loopback
// addresses within 3 s. The old global default (200 new connections a second) allowed at most
// 620 in that time, however fast the hosts, and made a /24 take 50 s; politeness is per address
// (--host-conns 8), which this respects.
func TestScanDefaultsDoNotBrakeAnEstate(t *testing.T) {
	const hosts, perHost = 63, 16
	var o *ScanOptions
	var out, errOut bytes.Buffer
	cmd := NewCmdScan(testFactory(&out, &errOut), func(so *ScanOptions) error { o = so; return nil })
	cmd.SetArgs([]string{"127.0.2.1"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if o.HostConns != 8 || o.Rate != 0 || o.HostRate != 0 {
		t.Errorf("defaults: --host-conns %d --rate %g --host-rate %g, want 8, 0 (unlimited), 0 (off)", o.HostConns, o.Rate, o.HostRate)
	}

	var addrs []string
	var open, peak atomic.Int64
	for i := 1; i <= hosts; i++ {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.2.%d:0", i))
		if err != nil {
			t.Fatalf("listen on 127.0.2.%d: %v", i, err)
		}
		t.Cleanup(func() { ln.Close() })
		addrs = append(addrs, ln.Addr().String())
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go func() {
					defer c.Close()
					n := open.Add(1)
					for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
					}
					_, _ = c.Read(make([]byte, 1)) // until the client closes
					open.Add(-1)
				}()
			}
		}()
	}
	target, _ := checks.ParseTarget("127.0.2.0/26")
	scope, err := checks.NewScope(context.Background(), []checks.Target{target}, nil, checks.ScopeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d := checks.NewRunner(scope, runnerOptions(o, checks.Shard{})).Dialer()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for _, a := range addrs {
		for range perHost {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := d.DialContext(ctx, "tcp", a)
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					return
				}
				time.Sleep(time.Millisecond) // hold it, so the per-address limit is exercised
				c.Close()
			}()
		}
	}
	wg.Wait()
	if n := failed.Load(); n > 0 {
		t.Errorf("%d of %d connections to %d addresses failed within 3s with the default flags (first: %v): a global brake", n, hosts*perHost, hosts, firstErr.Load())
	}
	if p := peak.Load(); p > hosts*8 {
		t.Errorf("%d connections open at once across %d addresses, above --host-conns 8 each", p, hosts)
	}
}
