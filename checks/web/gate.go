package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/armon/go-socks5"

	"github.com/telesra/telesra/checks"
)

// gate is the only way out for nuclei's connections: a SOCKS5 server on 127.0.0.1 that nuclei's
// HTTP transport is configured to use (its AliveSocksProxy option). nuclei has no hook to
// replace its dialer, but it does honour a proxy for every HTTP connection, plain and TLS, and
// hands the proxy the host name unresolved. The gate admits exactly the endpoints whose probe is
// running (one session per host:port) and dials them with that endpoint's checks.Dialer, so the
// scan's scope guard, rate limit and per-host connection limit apply to nuclei as to every other
// check, and its connections close when the probe's context ends. Anything else is refused and
// counted. Random credentials keep other local users off it.
type gate struct {
	ln         net.Listener
	sockDir    string // the private directory of ln's unix socket ("" for TCP)
	user, pass string
	done       chan struct{}

	mu       sync.Mutex
	sessions map[string]*session      // by lower-case host:port
	free     map[string]chan struct{} // closed when the key's session ends
	finished map[string]bool          // endpoints whose probe has ended

	refused atomic.Int64 // connections to anything that was never being probed
	late    atomic.Int64 // connections to an endpoint after its probe ended
	badMu   sync.Mutex
	bad     []string // addresses refused, in order (bounded)
}

// session is one endpoint's probe, as seen by the gate.
type session struct {
	ctx context.Context
	env *checks.Env

	mu      sync.Mutex
	dialErr error // the first dial error (typed: scope refusal, refused, timeout, ...)
}

// newGate starts a gate on 127.0.0.1, or, with unixSocket, on a unix socket in a new private
// 0700 directory (for a worker in a network namespace of its own, which has a loopback of its
// own but shares the file system).
func newGate(unixSocket bool) (*gate, error) {
	var (
		ln      net.Listener
		sockDir string
		err     error
	)
	if unixSocket {
		if sockDir, err = os.MkdirTemp("", "telesra-gate-"); err == nil {
			if ln, err = net.Listen("unix", filepath.Join(sockDir, "gate")); err != nil {
				_ = os.RemoveAll(sockDir)
			}
		}
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		return nil, fmt.Errorf("web checks: start connection gate: %w", err)
	}
	g := &gate{
		ln:       ln,
		sockDir:  sockDir,
		user:     randomToken(),
		pass:     randomToken(),
		done:     make(chan struct{}),
		sessions: map[string]*session{},
		free:     map[string]chan struct{}{},
		finished: map[string]bool{},
	}
	srv, err := socks5.New(&socks5.Config{
		Credentials: socks5.StaticCredentials{g.user: g.pass},
		Resolver:    noResolver{},
		Rules:       &socks5.PermitCommand{EnableConnect: true},
		Logger:      log.New(io.Discard, "", 0),
		Dial:        g.dial,
	})
	if err != nil {
		_ = ln.Close()
		if sockDir != "" {
			_ = os.RemoveAll(sockDir)
		}
		return nil, fmt.Errorf("web checks: start connection gate: %w", err)
	}
	go func() {
		defer close(g.done)
		_ = srv.Serve(ln)
	}()
	return g, nil
}

func randomToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// URL is the proxy URL nuclei is given. For a unix socket gate its host is a placeholder the
// worker replaces with its relay's address.
func (g *gate) URL() string {
	host := g.ln.Addr().String()
	if g.sockDir != "" {
		host = "127.0.0.1:1"
	}
	u := url.URL{Scheme: "socks5", User: url.UserPassword(g.user, g.pass), Host: host}
	return u.String()
}

// socket is the gate's unix socket path ("" for a TCP gate).
func (g *gate) socket() string {
	if g.sockDir == "" {
		return ""
	}
	return g.ln.Addr().String()
}

func (g *gate) close() {
	_ = g.ln.Close()
	<-g.done
	if g.sockDir != "" {
		_ = os.RemoveAll(g.sockDir)
	}
}

func gateKey(hostport string) string { return strings.ToLower(hostport) }

// open admits env's endpoint for the life of ctx, waiting while another probe of the same
// host:port runs (nuclei's results and the gate's sessions are told apart by host:port).
func (g *gate) open(ctx context.Context, env *checks.Env) (*session, func(), error) {
	key := gateKey(env.Endpoint.HostPort())
	for {
		g.mu.Lock()
		wait, busy := g.free[key]
		if !busy {
			s := &session{ctx: ctx, env: env}
			ch := make(chan struct{})
			g.sessions[key], g.free[key] = s, ch
			g.mu.Unlock()
			var once sync.Once
			return s, func() {
				once.Do(func() {
					g.mu.Lock()
					delete(g.sessions, key)
					delete(g.free, key)
					g.finished[key] = true
					g.mu.Unlock()
					close(ch)
				})
			}, nil
		}
		g.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
}

// errProbeEnded is a connection to an endpoint whose probe has ended.
var errProbeEnded = errors.New("the probe of this endpoint has ended")

// errNotEndpoint is a connection nuclei asked for that is not the endpoint being probed.
var errNotEndpoint = errors.New("not the endpoint being scanned")

// dial is called by the SOCKS server for each CONNECT.
func (g *gate) dial(_ context.Context, network, addr string) (net.Conn, error) {
	key := gateKey(addr)
	g.mu.Lock()
	s, finished := g.sessions[key], g.finished[key]
	g.mu.Unlock()
	if s == nil && finished && network == "tcp" {
		// Go's HTTP transport finishes dials in the background for its idle pool after the
		// request that started them was served: late, for the endpoint just probed, refused.
		g.late.Add(1)
		return nil, errProbeEnded
	}
	if s == nil || network != "tcp" {
		g.refused.Add(1)
		g.badMu.Lock()
		if len(g.bad) < 100 {
			g.bad = append(g.bad, addr)
		}
		g.badMu.Unlock()
		return nil, &checks.ScopeError{Target: addr, Why: errNotEndpoint.Error()}
	}
	conn, err := s.env.Dialer.DialContext(s.ctx, "tcp", addr)
	s.mu.Lock()
	if err != nil && s.dialErr == nil {
		s.dialErr = err
	}
	s.mu.Unlock()
	return conn, err
}

// refusedAddrs returns the addresses the gate refused so far.
func (g *gate) refusedAddrs() []string {
	g.badMu.Lock()
	defer g.badMu.Unlock()
	return append([]string(nil), g.bad...)
}

func (s *session) firstError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dialErr
}

// noResolver keeps host names as they are: the gate resolves nothing itself, the endpoint's
// checks.Dialer uses the address the scope admitted.
type noResolver struct{}

func (noResolver) Resolve(ctx context.Context, _ string) (context.Context, net.IP, error) {
	return ctx, nil, nil
}
