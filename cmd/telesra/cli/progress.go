package cli

import (
	"fmt"
	"sync"
	"time"

	"charm.land/bubbles/v2/progress"
	"github.com/charmbracelet/x/ansi"

	"github.com/telesra/telesra/checks"
)

// newObserver picks how a scan shows progress: a bar redrawn in place on a terminal, a plain
// line every few seconds otherwise (CI logs), nothing with --quiet.
func newObserver(io *IOStreams) checks.Observer {
	switch {
	case io.Quiet:
		return checks.NopObserver{}
	case io.Animate():
		return &barObserver{io: io, bar: progress.New(progress.WithWidth(30), progress.WithDefaultBlend())}
	}
	return &checks.LineObserver{W: io.ErrOut, Every: 5 * time.Second}
}

// barObserver draws "[bar] 12/40 endpoints · 7 findings" on stderr, at most ten times a second.
type barObserver struct {
	io   *IOStreams
	bar  progress.Model
	mu   sync.Mutex
	last time.Time
}

func (b *barObserver) Update(p checks.Progress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if time.Since(b.last) < 100*time.Millisecond && p.Done != p.Total {
		return
	}
	b.last = time.Now()
	b.draw(p)
}

func (b *barObserver) Finish(p checks.Progress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.draw(p)
	fmt.Fprint(b.io.ErrOut, "\r\x1b[2K")
}

func (b *barObserver) draw(p checks.Progress) {
	pct := 0.0
	if p.Total > 0 {
		pct = float64(p.Done) / float64(p.Total)
	}
	what := "endpoints"
	if p.Phase == "discovery" {
		what = "ports probed"
	}
	line := fmt.Sprintf("%s %d/%d %s · %d findings", b.bar.ViewAs(pct), p.Done, p.Total, what, p.Findings)
	if !b.io.ColorErr() {
		line = ansi.Strip(line)
	}
	fmt.Fprint(b.io.ErrOut, "\r\x1b[2K"+ansi.Truncate(line, b.io.TermWidth()-1, "…"))
}
