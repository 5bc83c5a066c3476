package checks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
	"golang.org/x/time/rate"
)

// Dialer is the only way a check opens a connection. Before each dial it asks the scope; then it
// waits for a connection slot, for its address's rate limit (when set) and for the global rate
// limit. The connection it returns gives its
// slot back on Close, and is closed when the dial's context ends, so a cancelled scan unblocks
// every read at once.
//
// Slots come from the per-address limit (HostConns), shared fairly between the endpoints of one
// address: the runner gives each endpoint a Lane, a fixed share of its address's slots reserved
// before the endpoint's time budget starts, and a dial carrying that lane (in its context) waits
// only for the lane's own slots. So an endpoint that holds its connections open (a server that
// accepts and never answers) spends its own share and its own budget, never another endpoint's;
// the per-address total stays within HostConns. A dial without a lane (discovery, or another
// address) takes a single slot of the address's limit.
//
// Politeness is per address: HostConns bounds the load one server sees at once, and HostRate
// (off by default) bounds how fast it sees new connections. The global Rate is only for a
// fragile network path (a VPN, a firewall's connection table): a global brake protects no single
// server, since each sees 1/Nth of it, yet makes a large estate slow.
//
// The slot is taken before the rate-limit tokens, so a token is spent only by a dial that can go
// out at once: waiting for a slot never builds a queue of reservations that would push later
// dials past their deadlines.
type Dialer struct {
	scope     *Scope
	resolver  Resolver
	limiter   *rate.Limiter
	hostRate  float64
	hostConns int64
	connect   time.Duration

	mu     sync.Mutex
	hosts  map[netip.Addr]*semaphore.Weighted
	rates  map[netip.Addr]*rate.Limiter
	pinned map[string]netip.Addr

	dials   atomic.Int64
	refused atomic.Int64
}

// DialerOptions tune a Dialer.
type DialerOptions struct {
	Rate           float64       // new connections per second across the scan; <= 0: unlimited
	HostRate       float64       // new connections per second to one address; <= 0: unlimited
	HostConns      int           // concurrent connections per address; <= 0: 8
	ConnectTimeout time.Duration // TCP connect; <= 0: 5s
	Resolver       Resolver      // nil: the system resolver
}

// NewDialer returns a dialer that refuses anything outside scope.
func NewDialer(scope *Scope, opt DialerOptions) *Dialer {
	d := &Dialer{
		scope:     scope,
		resolver:  opt.Resolver,
		limiter:   rate.NewLimiter(rate.Inf, 1),
		hostRate:  opt.HostRate,
		hostConns: int64(opt.HostConns),
		connect:   opt.ConnectTimeout,
		hosts:     map[netip.Addr]*semaphore.Weighted{},
		rates:     map[netip.Addr]*rate.Limiter{},
		pinned:    map[string]netip.Addr{},
	}
	if d.resolver == nil {
		d.resolver = net.DefaultResolver
	}
	if opt.Rate > 0 {
		burst := int(opt.Rate / 10)
		d.limiter = rate.NewLimiter(rate.Limit(opt.Rate), max(burst, 1))
	}
	if d.hostConns <= 0 {
		d.hostConns = 8
	}
	if d.connect <= 0 {
		d.connect = 5 * time.Second
	}
	return d
}

// Pin records the address a host name was resolved to when the scan started, so that every
// later connection goes to the address the scope admitted (no second lookup, no rebinding).
func (d *Dialer) Pin(name string, addr netip.Addr) {
	if addr.Zone() == "" {
		addr = addr.Unmap() // one spelling per host: one connection limit, one scope decision
	}
	d.mu.Lock()
	d.pinned[name] = addr
	d.mu.Unlock()
}

// Dials is the number of connections opened so far (for benchmarks and tests).
func (d *Dialer) Dials() int64 { return d.dials.Load() }

// Refusals is the number of connections the scope guard refused.
func (d *Dialer) Refusals() int64 { return d.refused.Load() }

// Resolve returns the address a connection to host would use, after the scope allowed it.
// The host is read as targets are (parseHost), so a redirect to http://2130706433/ is refused
// before any lookup, and an IPv4-mapped address is dialled, and judged, as the IPv4 address.
func (d *Dialer) Resolve(ctx context.Context, host string, port int) (netip.Addr, error) {
	a, name, err := parseHost(host)
	if err != nil {
		d.refused.Add(1)
		return netip.Addr{}, &ScopeError{Target: net.JoinHostPort(host, strconv.Itoa(port)), Why: err.Error()}
	}
	if a.IsValid() {
		if err := d.scope.Permit("", a, port); err != nil {
			d.refused.Add(1)
			return netip.Addr{}, err
		}
		return a, nil
	}
	host = name
	d.mu.Lock()
	a, ok := d.pinned[host]
	d.mu.Unlock()
	if ok {
		if err := d.scope.Permit(host, a, port); err != nil {
			d.refused.Add(1)
			return netip.Addr{}, err
		}
		return a, nil
	}
	// A name the scan did not start with (a redirect, say). Refuse before any lookup when
	// nothing in scope could admit it.
	if !d.scope.declaresName(host) && !d.scope.hasAddrIncludes() {
		d.refused.Add(1)
		return netip.Addr{}, &ScopeError{Target: net.JoinHostPort(host, strconv.Itoa(port)), Why: "not in the declared scope"}
	}
	addrs, err := d.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return netip.Addr{}, &ProbeError{Reason: ReasonUnresolved, Err: fmt.Errorf("resolve %s: %w", host, err)}
	}
	for _, a := range addrs {
		if err := d.scope.Permit(host, a, port); err != nil {
			d.refused.Add(1)
			return netip.Addr{}, err
		}
	}
	return addrs[0].Unmap(), nil
}

// DialContext opens a TCP connection to address ("host:port") if the scope allows it.
func (d *Dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, portStr, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("dial %q: %w", address, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 1 || port > 65535 {
		return nil, fmt.Errorf("dial %q: invalid port", address)
	}
	addr, err := d.Resolve(ctx, host, port)
	if err != nil {
		return nil, err
	}
	sem := d.hostSem(addr)
	if l := laneOf(ctx); l != nil && l.addr == addr {
		sem = l.slots
	}
	if err := sem.Acquire(ctx, 1); err != nil {
		return nil, ctxError(ctx, err)
	}
	if hl := d.hostLimiter(addr); hl != nil {
		if err := hl.Wait(ctx); err != nil {
			sem.Release(1)
			return nil, rateError(ctx, "the address's", err)
		}
	}
	if err := d.limiter.Wait(ctx); err != nil {
		sem.Release(1)
		return nil, rateError(ctx, "the scan's", err)
	}
	nd := net.Dialer{Timeout: d.connect}
	if network == "" || network == "tcp4" || network == "tcp6" {
		network = "tcp"
	}
	conn, err := nd.DialContext(ctx, network, netip.AddrPortFrom(addr, uint16(port)).String())
	d.dials.Add(1)
	if err != nil {
		sem.Release(1)
		return nil, err
	}
	c := &guardedConn{Conn: conn, sem: sem}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	c.mu.Lock()
	c.stop = stop
	c.mu.Unlock()
	return c, nil
}

// rateError is a wait for a rate-limit token that failed: the scan was cancelled, or the next
// token comes after the dial's deadline, which is this probe's budget running out (a timeout,
// not a fault of the target).
func rateError(ctx context.Context, whose string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return &ProbeError{Reason: ReasonTimeout, Err: fmt.Errorf("wait for %s rate limit: %w", whose, err)}
}

// hostLimiter is addr's rate limiter, nil when HostRate is off. Its burst is 1: an address sees
// its new connections spread evenly, never in a volley.
func (d *Dialer) hostLimiter(a netip.Addr) *rate.Limiter {
	if d.hostRate <= 0 {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	l, ok := d.rates[a]
	if !ok {
		l = rate.NewLimiter(rate.Limit(d.hostRate), 1)
		d.rates[a] = l
	}
	return l
}

func ctxError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func (d *Dialer) hostSem(a netip.Addr) *semaphore.Weighted {
	d.mu.Lock()
	defer d.mu.Unlock()
	s, ok := d.hosts[a]
	if !ok {
		s = semaphore.NewWeighted(d.hostConns)
		d.hosts[a] = s
	}
	return s
}

// Lane is one endpoint's share of its address's connection slots: dials to the endpoint's
// address whose context carries the lane (WithLane) take the lane's slots only.
type Lane struct {
	addr  netip.Addr
	share int64
	host  *semaphore.Weighted // the address's slots, share of which the lane holds
	slots *semaphore.Weighted // the lane's own
	once  sync.Once
}

// HostConns is the per-address connection limit.
func (d *Dialer) HostConns() int { return int(d.hostConns) }

// OpenLane reserves share slots of addr's connection limit (at most the whole limit), waiting
// until they are free. Close gives them back.
func (d *Dialer) OpenLane(ctx context.Context, addr netip.Addr, share int) (*Lane, error) {
	n := min(max(int64(share), 1), d.hostConns)
	addr = addr.Unmap()
	host := d.hostSem(addr)
	if err := host.Acquire(ctx, n); err != nil {
		return nil, ctxError(ctx, err)
	}
	return &Lane{addr: addr, share: n, host: host, slots: semaphore.NewWeighted(n)}, nil
}

// Close returns the lane's share to its address once every connection dialed in it has closed
// (they close when their dial's context ends), so the address never has more than HostConns
// connections open. It does not wait for them.
func (l *Lane) Close() {
	l.once.Do(func() {
		go func() {
			_ = l.slots.Acquire(context.Background(), l.share)
			l.host.Release(l.share)
		}()
	})
}

type laneKey struct{}

// WithLane returns a context whose dials to the lane's address use the lane's slots.
func WithLane(ctx context.Context, l *Lane) context.Context {
	return context.WithValue(ctx, laneKey{}, l)
}

func laneOf(ctx context.Context) *Lane {
	l, _ := ctx.Value(laneKey{}).(*Lane)
	return l
}

type guardedConn struct {
	net.Conn
	sem  *semaphore.Weighted
	once sync.Once
	mu   sync.Mutex
	stop func() bool // unregisters the context hook
}

func (c *guardedConn) Close() error {
	err := net.ErrClosed
	c.once.Do(func() {
		c.mu.Lock()
		if c.stop != nil {
			c.stop()
		}
		c.mu.Unlock()
		err = c.Conn.Close()
		c.sem.Release(1)
	})
	return err
}

// IsScopeRefusal reports whether err is the scope guard's refusal.
func IsScopeRefusal(err error) bool { return errors.Is(err, ErrOutOfScope) }
