package nuclei

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sync"
	"time"

	"github.com/telesra/telesra/checks/web"
)

// drainWait bounds how long Serve waits for running probes once its input has ended.
const drainWait = 5 * time.Second

// Serve is the worker loop: it reads web.Request values from in and writes web.Reply values to
// out, one JSON value a line, until in ends (telesra closed the pipe or died) or ctx ends. Probes
// run concurrently; replies are written as they finish.
func Serve(ctx context.Context, in io.Reader, out io.Writer) error {
	s := &server{enc: json.NewEncoder(out), probes: map[uint64]context.CancelFunc{}}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	dec := json.NewDecoder(in)
	var err error
	for {
		var req web.Request
		if err = dec.Decode(&req); err != nil {
			break
		}
		s.handle(ctx, &req)
	}
	if errors.Is(err, io.EOF) {
		err = nil
	} else {
		err = fmt.Errorf("read request: %w", err)
	}
	// telesra is gone or done: stop every probe, give them a moment to wind down, then stop.
	cancel()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(drainWait):
	}
	if s.eng != nil {
		s.eng.close()
	}
	if s.relay != nil {
		s.relay.close()
	}
	return err
}

type server struct {
	encMu sync.Mutex
	enc   *json.Encoder

	eng   *engine
	relay *relay

	mu     sync.Mutex
	probes map[uint64]context.CancelFunc
	wg     sync.WaitGroup
}

func (s *server) reply(r *web.Reply) {
	r.BlockedUpdateChecks = BlockedUpdateChecks()
	s.encMu.Lock()
	defer s.encMu.Unlock()
	// A write error means telesra is gone; the input then ends too.
	_ = s.enc.Encode(r)
}

func (s *server) handle(ctx context.Context, req *web.Request) {
	switch req.Op {
	case web.OpStart:
		s.reply(s.start(ctx, req))
	case web.OpProbe:
		if s.eng == nil || req.Probe == nil {
			s.reply(&web.Reply{ID: req.ID, Error: "probe before the engine started"})
			return
		}
		pctx, cancel := context.WithCancel(ctx)
		if !req.Probe.Deadline.IsZero() {
			pctx, cancel = context.WithDeadline(ctx, req.Probe.Deadline)
		}
		s.mu.Lock()
		s.probes[req.ID] = cancel
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			results := s.eng.run(pctx, req.Probe)
			rep := &web.Reply{ID: req.ID, Results: results}
			if err := pctx.Err(); err != nil {
				rep.Ended = err.Error()
			}
			s.mu.Lock()
			delete(s.probes, req.ID)
			s.mu.Unlock()
			cancel()
			s.reply(rep)
		}()
	case web.OpCancel:
		s.mu.Lock()
		cancel := s.probes[req.ID]
		s.mu.Unlock()
		if cancel != nil {
			cancel()
		}
	default:
		s.reply(&web.Reply{ID: req.ID, Error: fmt.Sprintf("unknown operation %q", req.Op)})
	}
}

func (s *server) start(ctx context.Context, req *web.Request) *web.Reply {
	rep := &web.Reply{ID: req.ID, RunDir: RunDir()}
	if s.eng != nil || req.Start == nil {
		rep.Error = "the engine can start once per worker"
		return rep
	}
	proxy := req.Start.Proxy
	if req.Start.ProxySocket != "" {
		// In a network namespace of its own the worker cannot reach telesra's loopback gate:
		// nuclei gets a loopback relay to the gate's unix socket instead.
		r, err := newRelay(req.Start.ProxySocket)
		if err != nil {
			rep.Error = err.Error()
			return rep
		}
		u, err := url.Parse(proxy)
		if err != nil {
			r.close()
			rep.Error = fmt.Sprintf("proxy URL: %v", err)
			return rep
		}
		u.Host = r.addr()
		proxy = u.String()
		s.relay = r
	}
	eng, err := start(ctx, req.Start, proxy)
	if err != nil {
		rep.Error = err.Error()
		return rep
	}
	s.eng = eng
	rep.Broken, rep.Refused = map[string]string{}, eng.refused
	for id, err := range eng.broken {
		if _, refused := eng.refused[id]; !refused {
			rep.Broken[id] = err.Error()
		}
	}
	return rep
}
