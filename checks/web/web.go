// Package web is the web exposure family: telesra's own nuclei templates (templates/nuclei, each
// a check web.<template-id> with HIPAA citations), run by an embedded nuclei v3 engine against the
// HTTP endpoints of the scan. It is the only package that imports nuclei.
//
// nuclei is made to behave like part of a HIPAA tool: offline, quiet and contained.
//   - Files: package internal/runenv points HOME, XDG_* and NUCLEI_CONFIG_DIR into a private
//     0700 run directory before nuclei's package initialisers run; RemoveRunDir deletes it.
//   - Network: one engine per scan; every connection it makes goes through a SOCKS5 gate on
//     127.0.0.1 (random credentials) that dials with the scan's checks.Dialer (scope guard, rate
//     limit, per-host limit) and admits exactly the endpoint being probed. Targets carry their
//     pinned address, so nuclei never resolves a name; interactsh is off; the version check's
//     HTTP client is replaced by one that refuses every request; templates are never downloaded.
//   - Output: nuclei's loggers write into a bounded in-memory buffer, never to stderr; results
//     reach telesra through nuclei's output writer interface, never stdout.
package web

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/projectdiscovery/gologger"
	"github.com/projectdiscovery/gologger/levels"
	"github.com/projectdiscovery/nuclei/v3/pkg/catalog/config"
	pdhttp "github.com/projectdiscovery/utils/http"
	updateutils "github.com/projectdiscovery/utils/update"

	"github.com/telesra/telesra/checks/web/internal/runenv"
)

// Family is the family name and the prefix of every check ID.
const Family = "web"

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

// UserConfigDir is os.UserConfigDir as the process received its environment. XDG_CONFIG_HOME
// stays pointed into the private run directory while telesra runs (nuclei reads it throughout),
// so telesra's own per-user files, such as the patch knowledge base that `telesra feeds import`
// keeps, must be placed with this, never with os.UserConfigDir.
func UserConfigDir() (string, error) {
	// Someone (a test, say) pointed XDG_CONFIG_HOME elsewhere after start-up: honour that.
	if v := os.Getenv("XDG_CONFIG_HOME"); filepath.IsAbs(v) && !runenv.IsPrivate(v) {
		return v, nil
	}
	if v, ok := runenv.Original("XDG_CONFIG_HOME"); ok && filepath.IsAbs(v) {
		return v, nil
	}
	// HOME was handed back by Restore.
	home := os.Getenv("HOME")
	if home == "" || runenv.IsPrivate(home) {
		return "", errors.New("neither $XDG_CONFIG_HOME nor $HOME is defined")
	}
	return filepath.Join(home, ".config"), nil
}

// RemoveRunDir deletes the private run directory nuclei's files were confined to. main calls it
// on the way out (and test binaries from TestMain); nuclei must not be used afterwards.
func RemoveRunDir() error { return removeRunDir() }

// RemoveStaleRunDirs deletes the run directories of telesra processes that no longer exist: a
// process killed with SIGKILL (or a power cut) never reaches RemoveRunDir. A directory is stale
// when its name's PID is not a live process; it must be a real directory (not a link) owned by
// this user. A PID reused by another live process keeps its directory until that one ends. It
// returns the directories removed.
func RemoveStaleRunDirs() ([]string, error) {
	base := runenv.Parent()
	entries, err := os.ReadDir(base)
	if err != nil {
		return nil, fmt.Errorf("stale run directories: %w", err)
	}
	var removed []string
	for _, e := range entries {
		name := e.Name()
		rest, ok := strings.CutPrefix(name, runenv.DirPrefix)
		if !ok || !e.IsDir() {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		path := filepath.Join(base, name)
		fi, err := os.Lstat(path)
		if err != nil || !fi.IsDir() {
			continue
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Getuid() {
			continue
		}
		// Signal 0 checks existence only. EPERM: alive, someone else's.
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			continue
		}
		if err := os.RemoveAll(path); err == nil {
			removed = append(removed, path)
		}
	}
	return removed, nil
}
