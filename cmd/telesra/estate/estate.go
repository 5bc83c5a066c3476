// Package estate is the demo's practice network: a handful of deliberately weak services
// started inside the process on 127.0.0.1, so `telesra demo` shows every part of telesra
// without touching any other machine.
package estate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"
)

// Service is one demo server.
type Service struct {
	Name       string   // what a practice would call it
	Target     string   // how the scope names it: host:port or URL on 127.0.0.1
	Weaknesses []string // what the scan should find, in words
	Family     string   // the check family whose weaknesses it shows ("tls", "mfa", ...)
	// What the service is to the practice, for the demo's assets.yaml: the asset, the ePHI
	// systems it serves (names from the demo's organisation.ephi_systems) and whether the
	// internet reaches it.
	Asset    string
	EPHI     []string
	Internet bool
}

// Estate is the running demo network.
type Estate struct {
	Services []Service
	// CAFile is the demo practice's internal CA (PEM), which the demo scan trusts as a practice
	// would give telesra its own (--ca-file).
	CAFile  string
	closers []func()
}

// starters start each demo server. Check families add theirs here.
var starters = []func(*Estate) error{
	startPortal,
	startSSH,
	startStaffPortal,
	startScheduler,
	startTLS,
	startWebPortal,
}

// Start brings up every demo service on 127.0.0.1 (port 0: the kernel picks free ports).
func Start(ctx context.Context) (*Estate, error) {
	e := &Estate{}
	for _, start := range starters {
		if err := start(e); err != nil {
			e.Close()
			return nil, fmt.Errorf("start demo estate: %w", err)
		}
	}
	return e, nil
}

// Targets lists the services' targets, for the demo's scope.
func (e *Estate) Targets() []string {
	out := make([]string, len(e.Services))
	for i, s := range e.Services {
		out[i] = s.Target
	}
	return out
}

// Close stops every service.
func (e *Estate) Close() {
	for i := len(e.closers) - 1; i >= 0; i-- {
		e.closers[i]()
	}
	e.closers = nil
}

// basePort is where the demo's services like to live, so that two demo runs name the same
// targets (and `telesra diff` can compare them). Each service has its own offset; a busy port
// falls back to one the kernel picks.
const basePort = 47800

// Port offsets of the demo services (basePort + offset): one per service, stable across runs.
const (
	portPortal = iota
	portSSH
	portStaffPortal
	portScheduler
	portTLSPortal
	portTLSLegacy
	portTLSExpired
	portTLSWrongHost
	portWebPortal
)

// listen opens a loopback listener on basePort+offset, or any free port; the estate never binds
// anything but 127.0.0.1.
func listen(offset int) (net.Listener, error) {
	if ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", basePort+offset)); err == nil {
		return ln, nil
	}
	return net.Listen("tcp", "127.0.0.1:0")
}

// quietLog swallows the demo servers' own error logs (the hundreds of TLS handshakes a scan
// abandons on purpose): the demo's output is the scan's.
var quietLog = log.New(io.Discard, "", 0)

// serveHTTP serves h on a new loopback listener and returns its address.
func (e *Estate) serveHTTP(offset int, h http.Handler) (string, error) {
	ln, err := listen(offset)
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ErrorLog: quietLog}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the demo reports what the scan sees; a dead server shows as unreachable
		}
	}()
	e.closers = append(e.closers, func() { _ = srv.Close() })
	return ln.Addr().String(), nil
}
