package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Runner starts the engine that runs the templates: the web worker, a process of its own, so
// that telesra never links nuclei.
type Runner interface {
	// Start starts an engine and compiles req's templates; the reply lists those nuclei would
	// not compile. A *MissingWorkerError says no worker could be found.
	Start(ctx context.Context, req *StartRequest) (Session, *Reply, error)
	// Isolated reports whether the engine runs in a network namespace of its own, where it
	// reaches the gate only through a unix socket (StartRequest.ProxySocket).
	Isolated() bool
}

// Session is a started engine.
type Session interface {
	// Probe runs every compiled template against one endpoint until ctx ends (req.Deadline
	// carries ctx's deadline); a cancelled probe returns what it found so far.
	Probe(ctx context.Context, req *ProbeRequest) (*Reply, error)
	// Close stops the engine.
	Close()
}

// MissingWorkerError says the web worker could not be found or built.
type MissingWorkerError struct{ Err error }

func (e *MissingWorkerError) Error() string {
	return fmt.Sprintf("web checks: no web worker (telesra-web): %v; install it beside telesra with `go install ./cmd/...` "+
		"or name it with $TELESRA_WEB_WORKER", e.Err)
}

func (e *MissingWorkerError) Unwrap() error { return e.Err }

// Worker is the Runner that starts the web worker binary (cmd/telesra-web) once per engine start.
type Worker struct {
	// Locate returns the worker binary's path; called at each start, so that nothing is looked
	// up (or built) for scans without web checks. A *MissingWorkerError passes through.
	Locate func() (string, error)
	// Namespace starts the worker in a network namespace of its own: as root a new network
	// namespace, otherwise new user and network namespaces where the kernel allows them.
	Namespace bool
	// Notice receives one line for the user (nil: dropped).
	Notice func(string)

	noticeOnce sync.Once
}

// namespaceRefused reports whether starting a process failed because the kernel refused its
// namespaces.
func namespaceRefused(err error) bool {
	return errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOSPC) ||
		errors.Is(err, syscall.EUSERS) || errors.Is(err, syscall.EACCES)
}

// Isolated implements Runner.
func (w *Worker) Isolated() bool { return w.Namespace }

// workerStartWait bounds the start request (nuclei's start and the pack's compilation).
const workerStartWait = 2 * time.Minute

// Start implements Runner.
func (w *Worker) Start(ctx context.Context, req *StartRequest) (Session, *Reply, error) {
	path, err := w.Locate()
	if err != nil {
		var missing *MissingWorkerError
		if !errors.As(err, &missing) {
			err = &MissingWorkerError{Err: err}
		}
		return nil, nil, err
	}
	p, err := startProcess(path, w.Namespace)
	if err != nil && w.Namespace && namespaceRefused(err) {
		// No namespaces here (a kernel or container that forbids them): the worker shares
		// telesra's network, still with the gate as its only way to the targets.
		w.noticeOnce.Do(func() {
			if w.Notice != nil {
				w.Notice(fmt.Sprintf("web checks: the web worker cannot have a network namespace of its own here (%v); "+
					"it shares telesra's network (see README, Privacy)", err))
			}
		})
		p, err = startProcess(path, false)
	}
	if err != nil {
		return nil, nil, err
	}
	sctx, cancel := context.WithTimeout(ctx, workerStartWait)
	defer cancel()
	rep, err := p.call(sctx, &Request{Op: OpStart, Start: req}, false)
	if err == nil && rep.Error != "" {
		err = errors.New(rep.Error)
	}
	if err != nil {
		p.Close()
		return nil, nil, fmt.Errorf("web checks: start the web worker %s: %w", path, err)
	}
	p.runDir = rep.RunDir
	return p, rep, nil
}

// process is a running web worker.
type process struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *tail
	exited chan struct{} // closed when the worker has exited and its replies are read
	runDir string

	sendMu sync.Mutex
	enc    *json.Encoder

	mu      sync.Mutex
	nextID  uint64
	pending map[uint64]chan *Reply
	dead    error // why the worker is gone
	closed  bool
}

func startProcess(path string, namespace bool) (*process, error) {
	cmd := exec.Command(path)
	// Its own process group: a Ctrl-C in the terminal is telesra's to handle (it cancels the
	// probes), not the worker's.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if namespace {
		isolate(cmd.SysProcAttr)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("web checks: start the web worker: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("web checks: start the web worker: %w", err)
	}
	p := &process{cmd: cmd, stdin: stdin, stderr: &tail{max: 4 << 10}, exited: make(chan struct{}),
		enc: json.NewEncoder(stdin), pending: map[uint64]chan *Reply{}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("web checks: start the web worker %s: %w", path, err)
	}
	go p.read(stdout)
	return p, nil
}

// maxReply bounds one reply line (a probe's results for every template).
const maxReply = 64 << 20

// read delivers the worker's replies until its stdout ends, then reaps it.
func (p *process) read(stdout io.Reader) {
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 0, 64<<10), maxReply)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue // not a reply (nothing of nuclei's should reach stdout, but it is not ours)
		}
		var rep Reply
		if err := json.Unmarshal(line, &rep); err != nil {
			continue
		}
		p.mu.Lock()
		ch := p.pending[rep.ID]
		delete(p.pending, rep.ID)
		p.mu.Unlock()
		if ch != nil {
			ch <- &rep
		}
	}
	readErr := sc.Err()
	if readErr != nil {
		// An oversized reply: the worker is of no further use.
		_ = p.cmd.Process.Kill()
	}
	waitErr := p.cmd.Wait()
	p.mu.Lock()
	why := "exited"
	if waitErr != nil {
		why = waitErr.Error()
	}
	if readErr != nil {
		why = fmt.Sprintf("%v, then killed", readErr)
	}
	if s := p.stderr.String(); s != "" {
		why += ": " + s
	}
	p.dead = fmt.Errorf("the web worker stopped (%s)", why)
	for id, ch := range p.pending {
		close(ch)
		delete(p.pending, id)
	}
	p.mu.Unlock()
	close(p.exited)
}

// send writes one request.
func (p *process) send(req *Request) error {
	p.sendMu.Lock()
	defer p.sendMu.Unlock()
	if err := p.enc.Encode(req); err != nil {
		return fmt.Errorf("send %s: %w", req.Op, err)
	}
	return nil
}

// call sends req and waits for its reply. When ctx ends first, a probe is cancelled and its
// partial results still awaited (for at most cancelWait); any other request gives up.
func (p *process) call(ctx context.Context, req *Request, cancellable bool) (*Reply, error) {
	ch := make(chan *Reply, 1)
	p.mu.Lock()
	if p.dead != nil {
		err := p.dead
		p.mu.Unlock()
		return nil, err
	}
	p.nextID++
	req.ID = p.nextID
	p.pending[req.ID] = ch
	p.mu.Unlock()
	forget := func() {
		p.mu.Lock()
		delete(p.pending, req.ID)
		p.mu.Unlock()
	}
	if err := p.send(req); err != nil {
		forget()
		return nil, p.why(err)
	}
	select {
	case rep, ok := <-ch:
		return p.received(rep, ok)
	case <-ctx.Done():
	}
	if !cancellable {
		forget()
		return nil, ctx.Err()
	}
	if err := p.send(&Request{ID: req.ID, Op: OpCancel}); err != nil {
		forget()
		return nil, p.why(err)
	}
	timer := time.NewTimer(cancelWait)
	defer timer.Stop()
	select {
	case rep, ok := <-ch:
		return p.received(rep, ok)
	case <-timer.C:
		forget()
		return nil, fmt.Errorf("no results %v after the probe was cancelled: %w", cancelWait, ctx.Err())
	}
}

func (p *process) received(rep *Reply, ok bool) (*Reply, error) {
	if !ok {
		return nil, p.why(nil)
	}
	return rep, nil
}

// why is the worker's death, when it is dead, else err.
func (p *process) why(err error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dead != nil {
		return p.dead
	}
	if err == nil {
		err = errors.New("the web worker stopped")
	}
	return err
}

// Probe implements Session.
func (p *process) Probe(ctx context.Context, req *ProbeRequest) (*Reply, error) {
	rep, err := p.call(ctx, &Request{Op: OpProbe, Probe: req}, true)
	if err != nil {
		return nil, err
	}
	if rep.Error != "" {
		return nil, errors.New(rep.Error)
	}
	return rep, nil
}

// stopWait bounds how long Close waits for the worker to wind down before killing it.
const stopWait = 10 * time.Second

// Close implements Session: it closes the worker's stdin, which makes it stop its probes and
// exit, and kills it if it has not exited within stopWait.
func (p *process) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	p.mu.Unlock()
	_ = p.stdin.Close()
	select {
	case <-p.exited:
		return
	case <-time.After(stopWait):
	}
	_ = p.cmd.Process.Kill()
	<-p.exited
	// A killed worker could not remove its private run directory.
	if p.runDir != "" && strings.HasPrefix(filepath.Base(p.runDir), "telesra-run-") {
		_ = os.RemoveAll(p.runDir)
	}
}

// tail keeps the last max bytes written to it (the worker's stderr, for error messages).
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if len(t.buf) > t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(b), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(strings.Fields(string(bytes.ToValidUTF8(t.buf, nil))), " ")
}

// EngineModule and EngineVersion name the nuclei release the worker runs (go.mod pins it; a
// test keeps the two in step), for `telesra version`, which does not link nuclei.
const (
	EngineModule  = "github.com/projectdiscovery/nuclei/v3"
	EngineVersion = "v3.11.1"
)
