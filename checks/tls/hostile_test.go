package tls

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
)

// TestHostileServers scans servers that never answer, answer garbage, reset mid-handshake,
// drip one byte a second, or send a 1 MB certificate chain, next to a normal server. Each
// hostile endpoint must end within its budget with error attempts (never a pass), memory stays
// bounded, and the normal server's results are the same as when it is scanned alone.
func TestHostileServers(t *testing.T) {
	p := newPKI(t)
	good := fmt.Sprintf("https://127.0.0.1:%d/", goServer(t, modernCfg(p.Good), "max-age=31536000"))
	hostiles := map[string]string{}
	for _, kind := range []string{"silent", "garbage", "reset", "drip"} {
		hostiles[kind] = fmt.Sprintf("127.0.0.1:%d", hostile(t, kind))
	}
	hostiles["1 MB chain"] = fmt.Sprintf("127.0.0.1:%d", (&script{versions: []uint16{versionTLS12}, suites: []uint16{0xC02F, 0xC030},
		cert: p.Good.Cert.Raw, chainBytes: 1 << 20}).serve(t))

	fam, err := Family(p.caOptions())
	if err != nil {
		t.Fatal(err)
	}
	opt := checks.Options{Checks: fam.Checks, IOTimeout: 2 * time.Second, ProbeTimeout: 10 * time.Second, TargetTimeout: 20 * time.Second,
		Workers: 8, HostConns: 64}
	alone := checkstest.ScanWith(t, opt, good)

	targets := []string{good}
	for _, tg := range hostiles {
		targets = append(targets, tg)
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	res := checkstest.ScanWith(t, opt, targets...)
	took := time.Since(start)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	t.Logf("scan with hostile servers took %v, allocated %d KiB", took, (after.TotalAlloc-before.TotalAlloc)>>10)
	if took > opt.TargetTimeout+5*time.Second {
		t.Errorf("scan took %v, beyond the target budget %v", took, opt.TargetTimeout)
	}
	// 1 MB is read at most flightBudget at a time: a scan that read the chain whole on every
	// handshake would allocate tens of megabytes.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("allocated %d MiB scanning hostile servers", alloc>>20)
	}

	for kind, tg := range hostiles {
		t.Run(kind, func(t *testing.T) {
			for _, f := range checkstest.FindingsOf(res, tg) {
				// The 1 MB-chain server's ServerHellos are real: its protocol findings are too.
				if kind != "1 MB chain" || f != "tls.protocol.no_tls1_3" {
					t.Errorf("finding %s on a hostile server", f)
				}
			}
			var errs, completed []string
			for _, a := range res.Attempts {
				if a.Target != tg {
					continue
				}
				switch a.Status {
				case checks.StatusError:
					errs = append(errs, a.Check+" ("+string(a.Reason)+")")
				case checks.StatusCompleted:
					completed = append(completed, a.Check)
				}
			}
			if kind == "1 MB chain" {
				// The ServerHellos are genuine: protocol verdicts stand; the chain is refused.
				a, _ := checkstest.Attempt(res, "tls.cert.expired", tg)
				if a.Status != checks.StatusError || a.Reason != checks.ReasonTooLarge {
					t.Errorf("certificate check on a 1 MB chain: %+v, want an error attempt (response-too-large)", a)
				}
				if !slices.Contains(completed, "tls.protocol.tls1_0") {
					t.Errorf("protocol checks should complete: %v", completed)
				}
				return
			}
			if len(completed) > 0 {
				t.Errorf("checks passed on a hostile server: %v", completed)
			}
			if len(errs) == 0 {
				t.Errorf("no error attempts recorded")
			}
			t.Logf("%d error attempts, e.g. %s", len(errs), errs[0])
		})
	}
	t.Run("normal server unaffected", func(t *testing.T) {
		got, want := checkstest.FindingsOf(res, good), checkstest.FindingsOf(alone, good)
		if !slices.Equal(got, want) {
			t.Errorf("findings next to hostile servers %v, alone %v", got, want)
		}
		va, vb := verdictsByTarget(t, res)[good], verdictsByTarget(t, alone)[good]
		if va == nil || vb == nil || va.Grade != vb.Grade || va.Line() != vb.Line() {
			t.Errorf("verdict differs: %v vs %v", va, vb)
		}
	})
}
