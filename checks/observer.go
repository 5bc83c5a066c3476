package checks

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Progress is the runner's account of a scan in progress.
type Progress struct {
	Phase    string // "discovery" (probing ports of host and network targets) or "scan"
	Total    int    // endpoints (in discovery: host:port pairs to probe)
	Done     int
	Findings int
	Errors   int    // endpoints that could not be scanned
	Last     string // the endpoint that finished last
}

// Observer receives progress. The runner calls it from many goroutines, one call at a time.
type Observer interface {
	Update(Progress)
	Finish(Progress)
}

// NopObserver shows nothing (--quiet).
type NopObserver struct{}

func (NopObserver) Update(Progress) {}
func (NopObserver) Finish(Progress) {}

// LineObserver writes a plain line at most every Every (a CI log, a pipe): no escape codes, no
// carriage returns.
type LineObserver struct {
	W     io.Writer
	Every time.Duration
	Now   func() time.Time

	mu    sync.Mutex
	last  time.Time
	phase string
}

// Update prints when the interval has passed or the phase changed.
func (o *LineObserver) Update(p Progress) {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.now()
	if p.Phase == o.phase && now.Sub(o.last) < o.Every {
		return
	}
	o.phase, o.last = p.Phase, now
	fmt.Fprintln(o.W, ProgressLine(p))
}

// Finish prints the final count.
func (o *LineObserver) Finish(p Progress) {
	o.mu.Lock()
	defer o.mu.Unlock()
	fmt.Fprintln(o.W, ProgressLine(p))
}

func (o *LineObserver) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// ProgressLine renders progress in one line of plain text.
func ProgressLine(p Progress) string {
	if p.Phase == "discovery" {
		return fmt.Sprintf("telesra: discovering services: %d/%d ports probed", p.Done, p.Total)
	}
	return fmt.Sprintf("telesra: scanned %d/%d endpoints, %d findings, %d unreachable", p.Done, p.Total, p.Findings, p.Errors)
}
