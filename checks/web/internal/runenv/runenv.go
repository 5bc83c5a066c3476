// Package runenv gives nuclei, and the libraries it pulls in, a private run directory before any
// of their package initialisers runs.
//
// Linking nuclei is enough to make a program, even `telesra version`, write files at start-up:
// nuclei's config package creates ~/.config/nuclei/.templates-config.json, uncover writes
// ~/.config/uncover/provider-config.yaml, golang.org/x/tools creates ~/.cache/goimports,
// projectdiscovery/utils probes HOME for writability with a temporary file, and tlsx runs
// `openssl version` and writes $TMPDIR/openssl.cnf. All of that happens in package initialisers,
// before main runs, and reads HOME, XDG_CONFIG_HOME, XDG_CACHE_HOME, NUCLEI_CONFIG_DIR and TMPDIR.
//
// This package's init points those variables into a fresh 0700 directory. (PATH is left alone:
// hiding openssl from tlsx would also hide xclip from the clipboard package the questionnaire's
// forms use, which probes PATH in its initialiser too; tlsx's openssl.cnf lands in the private
// TMPDIR.) It runs before every one of those initialisers by
// construction: since Go 1.21 the runtime initialises packages in import-path order, always
// picking the first package whose imports are all initialised. This package imports only syscall
// (and errors, which syscall needs), both dependencies of package os; so it becomes ready before
// os is initialised and, as "github.com/telesra/..." sorts before "os", it is initialised before
// os. Every package that touches files or the environment imports os, so it comes later. A test
// (cmd/telesra, GODEBUG=inittrace=1) checks the order in the real binary.
//
// HOME and TMPDIR are handed back by Restore once nuclei's initialisers have run (package web
// calls it from its init, which runs after all of them because web imports nuclei).
// XDG_CONFIG_HOME, XDG_CACHE_HOME and NUCLEI_CONFIG_DIR keep pointing into the run directory for the
// life of the process, because nuclei also reads them while it runs (its template index cache,
// the machine-id file of its update check). telesra's own code must therefore never rely on
// os.UserConfigDir or os.UserCacheDir.
//
// Imports are restricted to what package os itself imports: adding any other import may break
// the ordering argument above.
package runenv

import (
	"errors"
	"syscall"
)

// dirName prefixes the run directory's name in the system temporary directory:
// telesra-run-PID-MICROSECONDS-N.
const dirName = "telesra-run-"

// DirPrefix is how every run directory's name starts, for finding those left behind.
const DirPrefix = dirName

var (
	dir    string // the private run directory; "" if it could not be created
	dirErr error  // why it could not be created
	saved  []savedVar
	// originals holds every variable this package changed, as the process received it, for code
	// that must place the user's own files (Original).
	originals []savedVar
)

type savedVar struct {
	key, value string
	set        bool
}

func init() {
	tmp, ok := syscall.Getenv("TMPDIR")
	if !ok || tmp == "" {
		tmp = "/tmp"
	}
	var err error
	dir, err = makeDir(tmp)
	if err != nil {
		dir, dirErr = "", err
	}
	base := dir
	if base == "" {
		// Nothing can be created below /dev/null: libraries fail to write instead of writing to
		// the real HOME. The web family refuses to start an engine (Err reports why).
		base = "/dev/null/telesra-run"
	}
	for _, sub := range []string{"home", "tmp", "config", "cache"} {
		if dir != "" {
			_ = syscall.Mkdir(base+"/"+sub, 0o700)
		}
	}
	set("HOME", base+"/home", true)
	set("TMPDIR", base+"/tmp", true)
	set("XDG_CONFIG_HOME", base+"/config", false)
	set("XDG_CACHE_HOME", base+"/cache", false)
	set("NUCLEI_CONFIG_DIR", base+"/config/nuclei", false)
}

// set points key at value, remembering the old value when the variable is handed back later.
func set(key, value string, restore bool) {
	old, ok := syscall.Getenv(key)
	originals = append(originals, savedVar{key: key, value: old, set: ok})
	if restore {
		saved = append(saved, savedVar{key: key, value: old, set: ok})
	}
	_ = syscall.Setenv(key, value)
}

// Original returns a variable this package changed as the process received it, and whether it
// was set then. For other variables it reports false.
func Original(key string) (string, bool) {
	for _, o := range originals {
		if o.key == key {
			return o.value, o.set
		}
	}
	return "", false
}

// makeDir creates a new 0700 directory under parent. mkdir never follows a symbolic link and
// fails when the name exists, so a name planted by someone else is skipped, not reused.
func makeDir(parent string) (string, error) {
	pid := itoa(syscall.Getpid())
	var tv syscall.Timeval
	_ = syscall.Gettimeofday(&tv)
	stamp := itoa(int(tv.Usec))
	var last error
	for i := range 100 {
		p := parent + "/" + dirName + pid + "-" + stamp + "-" + itoa(i)
		err := syscall.Mkdir(p, 0o700)
		if err == nil {
			return p, nil
		}
		last = err
		if !errors.Is(err, syscall.EEXIST) {
			break
		}
	}
	return "", last
}

// itoa formats a non-negative int (strconv is not among os's imports).
func itoa(n int) string {
	if n <= 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// Restore hands HOME and TMPDIR back as they were when the process started. Package web
// calls it from its init, after nuclei's initialisers; calling it again does nothing.
func Restore() {
	for _, s := range saved {
		if s.set {
			_ = syscall.Setenv(s.key, s.value)
		} else {
			_ = syscall.Unsetenv(s.key)
		}
	}
	saved = nil
}

// IsPrivate reports whether path lies inside the private run directory (or the unusable
// stand-in used when it could not be created).
func IsPrivate(path string) bool {
	base := dir
	if base == "" {
		base = "/dev/null/telesra-run"
	}
	return path == base || len(path) > len(base) && path[:len(base)] == base && path[len(base)] == '/'
}

// Dir is the private run directory ("" when it could not be created; see Err).
func Dir() string { return dir }

// Err says why the run directory could not be created (nil when it was).
func Err() error { return dirErr }
