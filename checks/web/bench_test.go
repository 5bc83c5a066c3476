package web

// The web family's benchmarks (bench/web/run.sh runs them beside the nuclei CLI). They live with
// the family because only this package and the composition root may import it; the servers they
// scan are bench/web's.

import (
	"context"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	webbench "github.com/telesra/telesra/bench/web"
	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
)

// BenchmarkEngineStart is starting and stopping the nuclei engine with the whole pack compiled
// (target: under 1 s).
func BenchmarkEngineStart(b *testing.B) {
	_, eng, err := New(withWorker(Options{}))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		release, err := eng.Open(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		release()
	}
}

// BenchmarkPack1Server and BenchmarkPack100Servers are a whole web scan (service detection,
// engine start, every template) through the real runner (target for 100: under 30 s and 500 MB
// on 2 cores). peak-MB is the most memory the Go runtime held during the scan, servers included
// (they run in the same process).
func BenchmarkPack1Server(b *testing.B)    { benchScan(b, 1) }
func BenchmarkPack100Servers(b *testing.B) { benchScan(b, 100) }

// portalFindings is what the pack finds on one Portal: the four missing headers, the session
// cookie without HttpOnly or SameSite and sent over plain HTTP, .git, .env and the nginx banner.
const portalFindings = 10

func benchScan(b *testing.B, n int) {
	s, err := webbench.StartServers(n)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	fam, eng, err := New(withWorker(Options{}))
	if err != nil {
		b.Fatal(err)
	}
	var peak uint64
	for b.Loop() {
		stop := sampleMemory(&peak)
		res := checkstest.ScanWith(b, checks.Options{Checks: fam.Checks, Families: []*checks.Family{fam},
			Workers: 16, HostConns: 8, TargetTimeout: 2 * time.Minute}, s.URLs...)
		stop()
		if res.Totals.Scanned != n || res.Totals.Errors != 0 {
			b.Fatalf("scanned %d of %d, %d errors", res.Totals.Scanned, n, res.Totals.Errors)
		}
		for _, a := range res.Attempts {
			if a.Status == checks.StatusError {
				b.Fatalf("attempt %s on %s: %s %s", a.Check, a.Target, a.Reason, a.Error)
			}
		}
		if got := len(res.Findings); got != n*portalFindings {
			b.Fatalf("%d findings, want %d", got, n*portalFindings)
		}
	}
	if eng.Refused() != 0 {
		b.Fatalf("the gate refused %d connections", eng.Refused())
	}
	b.ReportMetric(float64(eng.Late())/float64(b.N), "late-dials/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
	b.ReportMetric(float64(vmHWM())/(1<<20), "peak-RSS-MB")
}

// sampleMemory records the highest total memory the Go runtime maps, every 10 ms, until stopped.
func sampleMemory(peak *uint64) func() {
	sample := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > *peak {
				*peak = v
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// vmHWM is the process's peak resident set size so far (Linux), in bytes.
func vmHWM() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
