// Package nuclei is the web worker's engine: nuclei v3 embedded, offline, quiet and contained,
// serving telesra's web family over JSON lines (Serve). With checks/web/internal/runenv it is
// the only code that imports nuclei, and only the worker binary (cmd/telesra-web) links it, so
// nuclei's package initialisers never run in telesra itself.
//
// nuclei is made to behave like part of a HIPAA tool:
//   - Files: package internal/runenv points HOME, XDG_* and NUCLEI_CONFIG_DIR into a private
//     0700 run directory before nuclei's package initialisers run; RemoveRunDir deletes it.
//   - Network: every connection nuclei makes goes through the SOCKS5 gate telesra runs (random
//     credentials), which admits exactly the endpoint being probed and dials it with the scan's
//     checks.Dialer. Targets carry their pinned address, so nuclei never resolves a name;
//     interactsh is off; the version check's HTTP client refuses every request; templates are
//     never downloaded.
//   - Output: nuclei's loggers write into a bounded in-memory buffer, never to stderr; results
//     reach telesra as replies on stdout, nothing else is written there.
package nuclei

import (
	"errors"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/projectdiscovery/gologger"
	"github.com/projectdiscovery/gologger/levels"
	"github.com/projectdiscovery/nuclei/v3/pkg/catalog/config"
	"github.com/projectdiscovery/utils/errkit"
	pdhttp "github.com/projectdiscovery/utils/http"
	updateutils "github.com/projectdiscovery/utils/update"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/web/internal/runenv"
)

// init finishes the containment begun by runenv. It must run after nuclei's package
// initialisers, which it does because this package imports nuclei (a package is initialised
// after all of its imports); it cannot wait for a constructor because nuclei's global logger and
// update-check client are used by whatever code first touches nuclei.
func init() {
	runenv.Restore()
	// nuclei and its libraries log through gologger's global logger (to stderr by default) and
	// gologger.Fatal exits the process: route everything into memory instead.
	gologger.DefaultLogger.SetWriter(nucleiLog)
	gologger.DefaultLogger.SetMaxLevel(levels.LevelWarning)
	// The SDK calls installer.NucleiSDKVersionCheck on every engine start (once per process)
	// whatever its options say; that client is built on updateutils.DefaultHttpClient, so a
	// transport that refuses everything keeps the request on this machine.
	updateutils.DefaultHttpClient.Transport = refuseTransport{}
	config.DefaultConfig.DisableUpdateCheck()
	// After reading a body up to its limit, nuclei drains up to MaxBodyRead (4 MB) more so the
	// connection can be reused: a hostile 50 MB answer would cost 5 MB per request. Drain nothing;
	// such a connection is closed instead.
	pdhttp.MaxBodyRead = 0
}

// errPhoneHome is what any request of nuclei's update machinery gets.
var errPhoneHome = errors.New("telesra: nuclei's update and version checks are disabled")

type refuseTransport struct{}

func (refuseTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	phoneHomeBlocked.Add(1)
	if req.Body != nil {
		_ = req.Body.Close()
	}
	return nil, permanent(errPhoneHome)
}

// permanent marks an error so that retryablehttp does not retry it.
func permanent(err error) error { return errkit.FromError(err).SetKind(errkit.ErrKindNetworkPermanent) }

// phoneHomeBlocked counts requests nuclei's update machinery tried to make.
var phoneHomeBlocked atomic.Int64

// BlockedUpdateChecks is how many requests nuclei's update and version checks attempted in this
// process (each was refused without leaving it).
func BlockedUpdateChecks() int64 { return phoneHomeBlocked.Load() }

// logBuffer keeps the last lines nuclei logged: nothing of nuclei's reaches stderr, but its last
// words go into error messages.
type logBuffer struct {
	mu    sync.Mutex
	lines []string
}

var nucleiLog = &logBuffer{}

const logKeep = 100

func (b *logBuffer) Write(data []byte, _ levels.Level) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lines = append(b.lines, checks.Clean(strings.TrimSpace(string(data)), 400))
	if len(b.lines) > logKeep {
		b.lines = append(b.lines[:0], b.lines[len(b.lines)-logKeep:]...)
	}
}

func (b *logBuffer) tail() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.lines) == 0 {
		return ""
	}
	n := min(3, len(b.lines))
	return " (nuclei: " + strings.Join(b.lines[len(b.lines)-n:], "; ") + ")"
}

// RunDir is the private run directory nuclei's files are confined to ("" when it could not be
// created).
func RunDir() string { return runenv.Dir() }

// RemoveRunDir deletes the private run directory. The worker calls it on the way out; nuclei
// must not be used afterwards.
func RemoveRunDir() error {
	if runenv.Dir() == "" {
		return nil
	}
	return os.RemoveAll(runenv.Dir())
}
