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
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
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

// Profile is what a demo asset is to the practice's care, for the demo's inventory: how much
// ePHI it holds (none, some or bulk), roughly how many records, and its criticality for care
// (confidentiality, integrity, availability: low, moderate or high).
type Profile struct {
	Held    string
	Records int
	C, I, A string
}

// profiles are the demo practice's own judgement of its scanned assets, by asset name: the
// patient portal and the EHR links carry the clinical record, so their integrity and
// availability matter to care; the scheduler and booking portal hold appointments only.
var profiles = map[string]Profile{
	"Patient portal":        {Held: "bulk", Records: 4200, C: "high", I: "high", A: "high"},
	"Remote administration": {Held: "some", C: "high", I: "high", A: "moderate"},
	"Staff portal":          {Held: "some", C: "high", I: "high", A: "high"},
	"Appointment scheduler": {Held: "some", C: "moderate", I: "moderate", A: "moderate"},
	"Video visits":          {Held: "some", C: "high", I: "low", A: "high"},
	"EHR interface gateway": {Held: "some", C: "high", I: "high", A: "high"},
	"Billing system":        {Held: "some", C: "moderate", I: "moderate", A: "low"},
	"Lab results API":       {Held: "some", C: "high", I: "high", A: "moderate"},
	"Booking portal":        {Held: "some", C: "moderate", I: "low", A: "moderate"},
}

// Profile is the service's asset profile; the zero Profile for an asset the demo does not rate.
func (s Service) Profile() Profile { return profiles[s.Asset] }

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

// lockWait bounds how long a demo waits for another one on this machine to finish.
const lockWait = 2 * time.Minute

// Start brings up every demo service on 127.0.0.1, on its preferred port when free.
func Start(ctx context.Context) (*Estate, error) {
	e := &Estate{}
	// Two demos at once would compete for the preferred ports, and the loser's services would
	// land on random ports: its targets, finding IDs and risk IDs would not match any other run.
	// So demos on one machine take turns (a demo lasts seconds); the lock goes with the process.
	if release, err := lockDemo(ctx); err == nil {
		e.closers = append(e.closers, release)
	}
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

// lockDemo takes the machine-wide demo lock (an flock on a file in the temporary directory),
// waiting at most lockWait. Failing to lock only costs the stable ports, so errors are returned
// for the caller to ignore.
func lockDemo(ctx context.Context) (func(), error) {
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "telesra-demo.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(lockWait)
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return func() { _ = unix.Flock(int(f.Fd()), unix.LOCK_UN); f.Close() }, nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) || time.Now().After(deadline) || ctx.Err() != nil {
			f.Close()
			return nil, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// basePort is where the demo's services like to live, so that two demo runs name the same
// targets (and `telesra diff` can compare them). Each service has its own offset; a busy port
// falls back to one the kernel picks.
//
// It sits below Linux's ephemeral range (32768-60999): a port in that range may be held for a
// moment by any outgoing connection's local end, and a scan makes thousands.
const basePort = 29470

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
