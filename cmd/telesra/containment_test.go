package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
)

// child is one run of telesra.
type child struct {
	home, tmp      string
	stdout, stderr string
	code           int
	trace          string // strace output, when traced
}

// runOpts say how to run telesra: in which HOME (the test makes and watches it), under strace,
// with which extra variables.
type runOpts struct {
	home   string
	strace bool
	env    []string
	exe    string // the program: telesra (this test binary) unless set, e.g. to the web worker
}

// runTelesra runs telesra with args. Its TMPDIR is a new empty directory, and its environment
// holds nothing but PATH, HOME, TMPDIR and o.env.
func runTelesra(t *testing.T, o runOpts, args ...string) *child {
	t.Helper()
	c := &child{home: o.home, tmp: t.TempDir()}
	exe := o.exe
	if exe == "" {
		exe = binary
	}
	name, argv := exe, args
	var traceFile string
	if o.strace {
		bin := checkstest.RequireBinary(t, "strace")
		traceFile = filepath.Join(t.TempDir(), "trace")
		name = bin
		// Every connect, every datagram and every write of the process, its threads and its
		// children (the web worker); execve tells the worker's pid; -s 0: no data.
		argv = append([]string{"-f", "-qq", "-s", "0", "-o", traceFile,
			"-e", "trace=connect,sendto,sendmsg,sendmmsg,write,close,listen,getsockname,execve", "-e", "signal=none", exe}, args...)
	}
	cmd := exec.Command(name, argv...)
	cmd.Env = append([]string{
		runMainEnv + "=1",
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + c.home,
		"TMPDIR=" + c.tmp,
		workerEnv + "=" + workerBin,
	}, o.env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		c.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run telesra: %v", err)
	}
	c.stdout, c.stderr = out.String(), errOut.String()
	if o.strace {
		data, err := os.ReadFile(traceFile)
		if err != nil || len(data) == 0 {
			t.Fatalf("strace wrote no trace (%v); stderr: %s", err, c.stderr)
		}
		c.trace = string(data)
	}
	return c
}

// watchHome makes an empty HOME and reports every write-like event directly inside it (anything
// written anywhere below it first creates an entry in it).
func watchHome(t *testing.T) (string, func() []string) {
	t.Helper()
	dir := t.TempDir()
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		t.Fatalf("inotify: %v", err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	mask := uint32(unix.IN_CREATE | unix.IN_MODIFY | unix.IN_ATTRIB | unix.IN_MOVED_TO | unix.IN_DELETE | unix.IN_CLOSE_WRITE)
	if _, err := unix.InotifyAddWatch(fd, dir, mask); err != nil {
		t.Fatalf("inotify watch %s: %v", dir, err)
	}
	return dir, func() []string {
		var events []string
		buf := make([]byte, 64<<10)
		for {
			n, err := unix.Read(fd, buf)
			if n <= 0 || err != nil {
				return events
			}
			for off := 0; off+unix.SizeofInotifyEvent <= n; {
				ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
				name := buf[off+unix.SizeofInotifyEvent : off+unix.SizeofInotifyEvent+int(ev.Len)]
				events = append(events, fmt.Sprintf("%s (mask %#x)", strings.TrimRight(string(name), "\x00"), ev.Mask))
				off += unix.SizeofInotifyEvent + int(ev.Len)
			}
		}
	}
}

// assertContained checks what every containment test requires of a finished run: HOME
// untouched (not even a file created and removed), TMPDIR left empty (the private run directory
// removed), and nothing on stderr but telesra's own lines.
func assertContained(t *testing.T, c *child, homeEvents []string, ours func(line string) bool) {
	t.Helper()
	if len(homeEvents) > 0 {
		t.Errorf("HOME was written: %v", homeEvents)
	}
	if left := listTree(c.home); len(left) > 0 {
		t.Errorf("HOME is not empty: %v", left)
	}
	if left := listTree(c.tmp); len(left) > 0 {
		t.Errorf("TMPDIR is not empty after the run: %v", left)
	}
	sc := bufio.NewScanner(strings.NewReader(c.stderr))
	for sc.Scan() {
		if line := sc.Text(); line != "" && (ours == nil || !ours(line)) {
			t.Errorf("stderr has a line that is not telesra's: %q", line)
		}
	}
}

func listTree(dir string) []string {
	var out []string
	_ = filepath.WalkDir(dir, func(p string, _ os.DirEntry, _ error) error {
		if p != dir {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// TestVersionIsContained: `telesra version` writes nothing into HOME, leaves no file behind,
// prints nothing but its line, and connects no socket but AF_UNIX ones: telesra links no nuclei,
// so cdncheck's initialiser (a UDP connect to Google's public DNS) never runs in it.
func TestVersionIsContained(t *testing.T) {
	home, events := watchHome(t)
	c := runTelesra(t, runOpts{home: home, strace: true}, "version")
	if c.code != 0 || !strings.HasPrefix(c.stdout, "telesra ") {
		t.Fatalf("version: exit %d, stdout %q, stderr %q", c.code, c.stdout, c.stderr)
	}
	assertContained(t, c, events(), nil)
	net := parseTrace(t, c.trace)
	if len(net.connects) > 0 || len(net.probes) > 0 {
		t.Errorf("telesra version connected sockets outside AF_UNIX: %v, cdncheck's probe: %v", net.connects, net.probes)
	}
}

// TestTelesraLinksNoNuclei: the main binary's dependencies name no projectdiscovery module;
// only the web worker links nuclei.
func TestTelesraLinksNoNuclei(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.Contains(p, "projectdiscovery") {
			t.Errorf("telesra links %s", p)
		}
	}
	worker, err := exec.Command("go", "list", "-deps", "github.com/telesra/telesra/cmd/telesra-web").Output()
	if err != nil || !strings.Contains(string(worker), "github.com/projectdiscovery/nuclei/v3/lib") {
		t.Errorf("the web worker does not link nuclei (%v): the test looks at the wrong package", err)
	}
}

// TestCommandsWithoutWebChecksConnectOnlyToTargets runs, under strace, the commands that run no
// web check: init, a scan of a loopback portal with the tls and transport families, report and
// risks list. Each connects to nothing but the declared target (the scan) or nothing at all, and
// none starts the web worker. (mfa and patch recognise products with the web worker's
// technology templates, so a scan with them starts it: TestRecognitionScanIsContained.)
func TestCommandsWithoutWebChecksConnectOnlyToTargets(t *testing.T) {
	srv := flawedServer(t)
	target := srv.Listener.Addr().String()
	ws := filepath.Join(t.TempDir(), "ws")
	steps := []struct {
		args    []string
		targets []string
	}{
		{[]string{"init", ws, "--org", "Strace Clinic", "--assessor", "Test", "--authorised-by", "Owner",
			"--authorised-on", "2026-01-01", "--target", target}, nil},
		{[]string{"scan", "-w", ws, "--checks", "tls,transport", "-f", "json"}, []string{target}},
		{[]string{"report", "-w", ws, "-f", "json,csv,markdown"}, nil},
		{[]string{"risks", "list", "-w", ws}, nil},
	}
	for _, st := range steps {
		home, events := watchHome(t)
		c := runTelesra(t, runOpts{home: home, strace: true}, st.args...)
		if c.code != 0 {
			t.Fatalf("telesra %v: exit %d\n%s", st.args, c.code, c.stderr)
		}
		// Their stderr is telesra's own (no nuclei is linked); HOME and TMPDIR are checked.
		assertContained(t, c, events(), func(string) bool { return true })
		net := parseTrace(t, c.trace)
		if bad := net.foreign(st.targets); len(bad) > 0 {
			t.Errorf("telesra %s connected to %v, which is not a declared target", st.args[0], bad)
		}
		if len(net.probes) > 0 || len(net.workers) > 0 {
			t.Errorf("telesra %s started the web worker (%v) or cdncheck's probe ran (%v)", st.args[0], net.workers, net.probes)
		}
		if st.targets != nil && !slices.Contains(net.connects, target) {
			t.Errorf("strace saw no connection to the target %s (connects: %v): the trace is not watching the scan", target, net.connects)
		}
	}
}

// TestScanIsContained runs a web scan through the telesra binary against a loopback server with
// an empty HOME: nothing may be written there, nothing but telesra's lines may reach stderr, and
// strace must show no connection to anything but the target (and the scan's own loopback gate).
func TestScanIsContained(t *testing.T) {
	srv := flawedServer(t)
	target := srv.Listener.Addr().String()

	home, events := watchHome(t)
	c := runTelesra(t, runOpts{home: home, strace: true}, "scan", "--checks", "web", "-f", "json", "http://"+target+"/")
	if c.code != 0 {
		t.Fatalf("scan: exit %d, stderr %q", c.code, c.stderr)
	}
	res, err := checks.DecodeResult([]byte(c.stdout))
	if err != nil {
		t.Fatalf("scan output: %v", err)
	}
	for _, want := range []string{"web.git-repository-exposed", "web.http-cookie-cleartext", "web.tech-nginx"} {
		if !slices.Contains(checkstest.FindingsOf(res, ""), want) {
			t.Errorf("the scan did not find %s: %v", want, checkstest.FindingsOf(res, ""))
		}
	}
	for _, a := range res.Attempts {
		if a.Status == checks.StatusError {
			t.Errorf("attempt %s on %s: %s (%s)", a.Check, a.Target, a.Reason, a.Error)
		}
	}
	// Without --quiet, telesra prints its progress and "Results written" lines; nothing else.
	assertContained(t, c, events(), func(line string) bool {
		return strings.HasPrefix(line, "telesra: ")
	})

	net := parseTrace(t, c.trace)
	if bad := net.foreign([]string{target}); len(bad) > 0 {
		t.Errorf("connections to something other than the target: %v", bad)
	}
	if !slices.Contains(net.connects, target) {
		t.Errorf("strace saw no connection to the target %s (connects: %v): the trace is not watching the scan", target, net.connects)
	}
	if len(net.toListeners) == 0 {
		t.Errorf("strace saw no connection to the worker's relay to the gate: nuclei did not go through it")
	}
	assertResidual(t, net)
}

// assertResidual checks the documented residual of a scan that starts the web worker (README,
// Privacy): one worker, and cdncheck's initialiser connecting a UDP socket to Google's public
// resolver once, in the worker only, inside the worker's own network namespace, where the kernel
// refuses it: no address (EADDRNOTAVAIL: the initialiser runs before the worker brings its
// loopback up) or no route (ENETUNREACH).
func assertResidual(t *testing.T, net *netTrace) {
	t.Helper()
	if len(net.workers) != 1 {
		t.Fatalf("the scan started %d web workers (%v), want 1", len(net.workers), net.workers)
	}
	if len(net.probes) != 1 {
		t.Fatalf("cdncheck's probe connects: %v, want exactly one (the worker's)", net.probes)
	}
	if p := net.probes[0]; p.pid != net.workers[0] || p.result != "EADDRNOTAVAIL" && p.result != "ENETUNREACH" {
		t.Errorf("cdncheck's probe: pid %s result %q; want the worker's (pid %s), refused by the kernel in its empty namespace",
			p.pid, p.result, net.workers[0])
	}
}

// TestRecognitionScanIsContained: mfa and patch recognise products with the web worker, so a
// scan with them (and no web check) starts it: it connects to nothing but the target, and its
// residual is exactly the web scan's.
func TestRecognitionScanIsContained(t *testing.T) {
	srv := flawedServer(t)
	target := srv.Listener.Addr().String()
	home, events := watchHome(t)
	c := runTelesra(t, runOpts{home: home, strace: true}, "scan", "--checks", "mfa,patch", "-f", "json", "http://"+target+"/")
	if c.code != 0 {
		t.Fatalf("scan: exit %d, stderr %q", c.code, c.stderr)
	}
	res, err := checks.DecodeResult([]byte(c.stdout))
	if err != nil {
		t.Fatalf("scan output: %v", err)
	}
	for _, a := range res.Attempts {
		if a.Status == checks.StatusError {
			t.Errorf("attempt %s on %s: %s (%s)", a.Check, a.Target, a.Reason, a.Error)
		}
	}
	assertContained(t, c, events(), func(line string) bool {
		return strings.HasPrefix(line, "telesra: ") || strings.HasPrefix(line, "warning: ")
	})
	net := parseTrace(t, c.trace)
	if bad := net.foreign([]string{target}); len(bad) > 0 {
		t.Errorf("connections to something other than the target: %v", bad)
	}
	assertResidual(t, net)
}

// TestWorkerIsContained: the web worker, which links nuclei, initialises everything and exits
// (--version) without writing into HOME, leaving files in TMPDIR or printing anything of
// nuclei's.
func TestWorkerIsContained(t *testing.T) {
	home, events := watchHome(t)
	c := runTelesra(t, runOpts{home: home, exe: workerBin}, "--version")
	if c.code != 0 || !strings.HasPrefix(c.stdout, "telesra-web ") {
		t.Fatalf("telesra-web --version: exit %d, stdout %q, stderr %q", c.code, c.stdout, c.stderr)
	}
	assertContained(t, c, events(), nil)
}

// TestInitOrder checks, in the web worker, the ordering argument runenv's containment rests on:
// its initialiser runs before package os, hence before every package that imports os (which any
// package touching files or the environment does); nuclei's config package among them.
func TestInitOrder(t *testing.T) {
	home, _ := watchHome(t)
	c := runTelesra(t, runOpts{home: home, exe: workerBin, env: []string{"GODEBUG=inittrace=1"}}, "--version")
	if c.code != 0 {
		t.Fatalf("telesra-web --version: exit %d: %s", c.code, c.stderr)
	}
	var order []string
	for _, line := range strings.Split(c.stderr, "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[0] == "init" {
			order = append(order, f[1])
		}
	}
	at := slices.Index(order, "github.com/telesra/telesra/checks/web/internal/runenv")
	if at < 0 {
		t.Fatalf("runenv did not initialise (inittrace: %d packages)", len(order))
	}
	if !slices.Contains(order[at:], "github.com/projectdiscovery/nuclei/v3/pkg/catalog/config") {
		t.Errorf("nuclei's config package is not initialised after runenv")
	}
	// Packages initialised earlier are fine only if they cannot touch files or the environment
	// through os: ask the go command for their imports.
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}{{range .Deps}} {{.}}{{end}}",
		"github.com/telesra/telesra/cmd/telesra-web").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	usesOS := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 {
			usesOS[f[0]] = f[0] == "os" || slices.Contains(f[1:], "os")
		}
	}
	for i, p := range order[:at] {
		if usesOS[p] {
			t.Errorf("%s (init #%d) imports os and initialised before runenv (#%d)", p, i, at)
		}
	}
}

// flawedServer is a plain-HTTP portal with a session cookie, no security headers, an nginx
// banner and a published .git directory.
func flawedServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "nginx/1.18.0")
		switch r.URL.Path {
		case "/":
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "x", Path: "/"})
			fmt.Fprint(w, `<form method="post" action="/login"><input type="password" name="p"></form>`)
		case "/.git/HEAD":
			fmt.Fprint(w, "ref: refs/heads/main\n")
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// netTrace is what strace saw of a run's network use.
type netTrace struct {
	connects    []string // "addr:port" of every inet connect
	toListeners []string // connects to sockets the process itself listens on
	probes      []probe  // cdncheck's IPv6 route probes (see parseTrace)
	workers     []string // pids of the web workers started
	sentOnProbe bool
	listening   map[string]bool
}

// probe is one connect of cdncheck's UDP probe: by which process, with what result ("" for
// success, else the errno's name).
type probe struct{ pid, result string }

var (
	traceLine  = regexp.MustCompile(`^(\d+)\s+(\w+)\((\d+)?(.*)$`)
	errnoOf    = regexp.MustCompile(`= -1 (E[A-Z]+)`)
	resumed    = regexp.MustCompile(`^(\d+)\s+<\.\.\. (\w+) resumed>(.*)$`)
	inet4      = regexp.MustCompile(`sa_family=AF_INET, sin_port=htons\((\d+)\), sin_addr=inet_addr\("([^"]+)"\)`)
	inet6      = regexp.MustCompile(`sa_family=AF_INET6, sin6_port=htons\((\d+)\).*inet_pton\(AF_INET6, "([^"]+)"`)
	cdnProbeIP = "2001:4860:4860::8888"
)

func parseTrace(t *testing.T, trace string) *netTrace {
	t.Helper()
	n := &netTrace{listening: map[string]bool{}}
	listenFDs := map[string]bool{}
	probeFDs := map[string]bool{}
	unfinished := map[string]int{} // pid -> index in n.probes of its probe connect still running
	for _, line := range strings.Split(trace, "\n") {
		if r := resumed.FindStringSubmatch(line); r != nil {
			if i, ok := unfinished[r[1]]; ok && r[2] == "connect" {
				if e := errnoOf.FindStringSubmatch(r[3]); e != nil {
					n.probes[i].result = e[1]
				}
				delete(unfinished, r[1])
			}
			continue
		}
		m := traceLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		pid, call, fd, rest := m[1], m[2], m[1]+"/"+m[3], m[4]
		if call == "execve" {
			if strings.Contains(rest, "/"+workerName+`"`) && !strings.Contains(rest, "= -1") {
				n.workers = append(n.workers, pid)
			}
			continue
		}
		addr := ""
		if a := inet4.FindStringSubmatch(rest); a != nil {
			addr = netJoin(a[2], a[1])
		} else if a := inet6.FindStringSubmatch(rest); a != nil {
			addr = netJoin(a[2], a[1])
		}
		// strace -f names threads, and Go may make a socket's listen and its getsockname on two
		// threads of one process: a listening socket is known by its descriptor number alone.
		switch call {
		case "listen":
			listenFDs[m[3]] = true
		case "getsockname":
			if listenFDs[m[3]] && addr != "" {
				n.listening[addr] = true
			}
		case "connect":
			if addr == "" {
				continue // AF_UNIX and the like: local
			}
			if strings.HasPrefix(addr, "["+cdnProbeIP+"]:") {
				// projectdiscovery/cdncheck's package initialiser connect(2)s a UDP socket to
				// Google's IPv6 resolver to learn whether an IPv6 route exists. A UDP connect sends
				// no packet; the test below proves nothing is ever sent on it.
				result := ""
				if e := errnoOf.FindStringSubmatch(rest); e != nil {
					result = e[1]
				}
				n.probes = append(n.probes, probe{pid: pid, result: result})
				if strings.Contains(rest, "<unfinished") {
					unfinished[pid] = len(n.probes) - 1
				}
				probeFDs[fd] = true
				continue
			}
			n.connects = append(n.connects, addr)
		case "write", "sendto", "sendmsg", "sendmmsg":
			if probeFDs[fd] {
				n.sentOnProbe = true
			}
		case "close":
			delete(probeFDs, fd)
		}
	}
	for _, c := range n.connects {
		if n.listening[c] {
			n.toListeners = append(n.toListeners, c)
		}
	}
	if n.sentOnProbe {
		t.Errorf("data was sent on cdncheck's UDP probe socket to %s", cdnProbeIP)
	}
	return n
}

func netJoin(host, port string) string {
	p, _ := strconv.Atoi(port)
	if strings.Contains(host, ":") {
		return fmt.Sprintf("[%s]:%d", host, p)
	}
	return fmt.Sprintf("%s:%d", host, p)
}

// foreign returns the connections that went neither to allowed addresses nor to a socket the
// process itself listened on (the gate nuclei's connections go through).
func (n *netTrace) foreign(allowed []string) []string {
	var out []string
	for _, c := range n.connects {
		if !slices.Contains(allowed, c) && !n.listening[c] {
			out = append(out, c)
		}
	}
	return out
}
