// Command tls is the TLS benchmark: it starts loopback endpoints (varied configurations on
// nginx, openssl s_server, Go crypto/tls and zcrypto, and a scale run of many endpoints on one
// nginx), then times telesra's TLS scan against nmap's ssl-enum-ciphers and ssl-cert, sslscan
// and testssl on the same endpoints, counts telesra's handshakes per endpoint against the
// budget, and repeats the comparison behind 25 ms of round-trip latency. Run it with
// bench/tls/run.sh, which builds telesra first.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

var outDir string

func main() {
	if err := benchmain(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type summary struct {
	When        time.Time    `json:"when"`
	CPUs        int          `json:"cpus"`
	Varied      []endpoint   `json:"varied_endpoints"`
	Runs        []toolRun    `json:"runs"`
	Handshakes  []handshakes `json:"handshakes"`
	ScaleDials  int64        `json:"scale_dials,omitempty"`
	LoadBefore  string       `json:"load_before"` // /proc/loadavg: other work on the machine skews the times
	LoadAfter   string       `json:"load_after"`
	LatencyMode string       `json:"latency_mode,omitempty"`
	NetemError  string       `json:"netem_error,omitempty"`
}

func benchmain() error {
	telesra := flag.String("telesra", "", "telesra binary to time (bench/tls/run.sh builds it)")
	out := flag.String("out", "", "results directory (default bench/results/tls-<time>)")
	testsslN := flag.Int("testssl-endpoints", 2, "testssl runs on this many of the varied endpoints (0: skip, -1: all); it takes minutes per endpoint")
	scale := flag.Int("scale", 200, "endpoints of the scale run on one nginx (0: skip)")
	scaleNmap := flag.Bool("scale-nmap", true, "also time nmap on the scale run")
	latency := flag.Duration("latency", 25*time.Millisecond, "round-trip latency of the latency run (0: skip)")
	estateHosts := flag.String("estate-hosts", "63,250", "host counts of the many-host runs on 127.0.2.x against nmap (empty: skip)")
	estatePorts := flag.Int("estate-ports", 4, "TLS ports per estate host; all of them (hosts x ports endpoints) make the large run")
	only := flag.String("only", "", "run only this part: lab, scale, estate or latency (empty: all)")
	latencyTestssl := flag.Bool("latency-testssl", false, "run testssl in the latency run too (very slow)")
	flag.Parse()
	if *telesra == "" {
		return fmt.Errorf("-telesra is required")
	}
	outDir = *out
	if outDir == "" {
		outDir = filepath.Join("bench", "results", "tls-"+time.Now().Format("20060102-150405"))
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "telesra-tlsbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	l, err := newLab(tmp)
	if err != nil {
		return err
	}
	defer l.close()
	s := &summary{When: time.Now().UTC(), CPUs: runtime.NumCPU(), LoadBefore: loadavg()}
	caFile := l.ca.certFile

	want := func(part string) bool { return *only == "" || *only == part }
	var hostCounts []int
	for _, f := range strings.Split(*estateHosts, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > 254 {
			return fmt.Errorf("-estate-hosts: %q is not a host count within 1-254", f)
		}
		hostCounts = append(hostCounts, n)
	}

	varied, err := l.startVaried()
	if err != nil {
		return err
	}
	s.Varied = varied
	logf("%d varied endpoints up", len(varied))
	if !want("lab") {
		*testsslN = 0
	}
	if !want("scale") {
		*scale = 0
	}
	if !want("latency") {
		*latency = 0
	}

	if want("lab") {
		// Default flags first: that is what users get. The fast flags second, for comparison.
		tel := runTelesra(*telesra, caFile, nil, varied, "telesra", false)
		s.Runs = append(s.Runs, tel)
		logf("telesra (default flags): %.2fs", tel.Seconds)
		fast := runTelesra(*telesra, caFile, nil, varied, "telesra fast flags", true)
		s.Runs = append(s.Runs, fast)
		logf("telesra (--rate 0 --host-conns 64): %.2fs", fast.Seconds)
		s.Handshakes = countHandshakes(caFile, varied)
		s.Runs = append(s.Runs, runNmap("nmap", nil, "127.0.0.1", varied))
		logf("nmap: %.2fs", s.Runs[len(s.Runs)-1].Seconds)
		s.Runs = append(s.Runs, runSSLScan("sslscan", nil, "127.0.0.1", varied))
		logf("sslscan: %.2fs", s.Runs[len(s.Runs)-1].Seconds)
	}
	if want("estate") && len(hostCounts) > 0 {
		if err := estateRuns(s, l, *telesra, caFile, hostCounts, *estatePorts); err != nil {
			return err
		}
	}
	if n := *testsslN; n != 0 {
		sub := varied
		if n > 0 && n < len(varied) {
			sub = varied[:n]
		}
		r := runTelesra(*telesra, caFile, nil, sub, "telesra (testssl subset)", false)
		s.Runs = append(s.Runs, r)
		logf("testssl on %d endpoints (minutes)...", len(sub))
		s.Runs = append(s.Runs, runTestssl("testssl", nil, "127.0.0.1", sub, 90*time.Minute))
		logf("testssl: %.1fs", s.Runs[len(s.Runs)-1].Seconds)
	}

	if *scale > 0 {
		eps, err := l.startScale(*scale)
		if err != nil {
			return err
		}
		r := runTelesra(*telesra, caFile, nil, eps, "telesra scale", false)
		s.Runs = append(s.Runs, r)
		logf("telesra scale (%d endpoints): %.2fs, %d MB", len(eps), r.Seconds, r.MaxRSSKB>>10)
		s.ScaleDials = scaleDials(caFile, eps)
		if *scaleNmap {
			r := runNmap("nmap scale", nil, "127.0.0.1", eps)
			s.Runs = append(s.Runs, r)
			logf("nmap scale: %.1fs", r.Seconds)
		}
	}

	if *latency > 0 {
		if err := latencyRun(s, l, varied, *telesra, caFile, *latency, *latencyTestssl); err != nil {
			return err
		}
	}
	s.LoadAfter = loadavg()
	writeJSON("summary.json", s)
	report(os.Stdout, s)
	fmt.Printf("\nResults and tool logs: %s\n", outDir)
	return nil
}

// latencyRun repeats the comparison behind the given round-trip time: through netem in a
// network namespace when the kernel allows it, else through userspace relays.
func latencyRun(s *summary, l *lab, varied []endpoint, telesra, caFile string, rtt time.Duration, withTestssl bool) error {
	host, listenHost := "127.0.0.1", "127.0.0.1"
	var prefix []string
	oneWay := rtt / 2
	ns, cleanup, err := setupNetem(rtt)
	defer cleanup()
	if err != nil {
		s.NetemError = err.Error()
		s.LatencyMode = fmt.Sprintf("userspace relay (%v each way; netem unavailable)", oneWay)
		logf("netem unavailable: %v\n  falling back to userspace relays", err)
	} else {
		host, listenHost, oneWay = ns.hostIP, ns.hostIP, 0
		prefix = []string{"ip", "netns", "exec", ns.name}
		s.LatencyMode = fmt.Sprintf("netem %v in network namespace %s", rtt, ns.name)
	}
	var eps []endpoint
	for _, e := range varied {
		r, err := startRelay(listenHost+":0", e.hostPort(), oneWay)
		if err != nil {
			return err
		}
		defer r.close()
		d := e
		d.Port = r.port()
		d.Target = strings.Replace(e.Target, fmt.Sprintf("127.0.0.1:%d", e.Port), fmt.Sprintf("%s:%d", host, d.Port), 1)
		eps = append(eps, d)
	}
	tag := fmt.Sprintf(" +%v", rtt)
	r := runTelesra(telesra, caFile, prefix, eps, "telesra"+tag, false)
	s.Runs = append(s.Runs, r)
	logf("telesra%s: %.2fs", tag, r.Seconds)
	for _, f := range []func() toolRun{
		func() toolRun { return runNmap("nmap"+tag, prefix, host, eps) },
		func() toolRun { return runSSLScan("sslscan"+tag, prefix, host, eps) },
	} {
		r := f()
		s.Runs = append(s.Runs, r)
		logf("%s: %.2fs", r.Tool, r.Seconds)
	}
	if withTestssl {
		r := runTestssl("testssl"+tag, prefix, host, eps, 4*time.Hour)
		s.Runs = append(s.Runs, r)
	}
	return nil
}

func logf(f string, a ...any) { fmt.Fprintf(os.Stderr, "bench: "+f+"\n", a...) }

// report prints the runs with each tool's time relative to telesra's on the same endpoints.
func report(w *os.File, s *summary) {
	base := map[string]float64{}
	for _, r := range s.Runs {
		if strings.HasPrefix(r.Tool, "telesra") {
			base[strings.TrimSpace(strings.TrimPrefix(r.Tool, "telesra"))] = r.Seconds
		}
	}
	group := func(tool string) string {
		switch {
		case strings.HasSuffix(tool, "scale"):
			return "scale"
		case strings.Contains(tool, "estate"):
			return tool[strings.Index(tool, "estate"):]
		case strings.Contains(tool, " +"):
			return tool[strings.Index(tool, "+"):]
		case tool == "testssl":
			return "(testssl subset)"
		case strings.HasPrefix(tool, "testssl +"):
			return tool[strings.Index(tool, "+"):]
		}
		return ""
	}
	fmt.Fprintf(w, "\nTLS benchmark, %d CPUs, %s (load average before: %s, after: %s)\n\n", s.CPUs, s.When.Format(time.RFC3339), s.LoadBefore, s.LoadAfter)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "tool\tendpoints\tseconds\tpeak RSS MB\ttelesra/tool\ttool/telesra\tnote")
	for _, r := range s.Runs {
		g := group(r.Tool)
		if strings.HasPrefix(r.Tool, "telesra") {
			g = strings.TrimSpace(strings.TrimPrefix(r.Tool, "telesra"))
		}
		ratio, inv := "-", "-"
		if b, ok := base[g]; ok && !strings.HasPrefix(r.Tool, "telesra") && r.Seconds > 0 {
			ratio, inv = fmt.Sprintf("%.3f", b/r.Seconds), fmt.Sprintf("%.1fx", r.Seconds/b)
		}
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%d\t%s\t%s\t%s\n", r.Tool, r.Endpoints, r.Seconds, r.MaxRSSKB>>10, ratio, inv, r.Error)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nHandshakes per endpoint (telesra, in-process Runner.Dialer().Dials(): detection, enumeration, certificate, HSTS)\n\n")
	tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "endpoint\tgrade\tdials\taccepted suites\tprotocols\tbudget (suites+protocols+10)\twithin")
	for _, h := range s.Handshakes {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%v\t%s\n", h.Endpoint, h.Grade, h.Dials, h.Accepted, h.Protocols, h.Budget, h.Dials <= int64(h.Budget), h.Error)
	}
	tw.Flush()
	if s.ScaleDials > 0 {
		fmt.Fprintf(w, "\nScale run: %d connections in total\n", s.ScaleDials)
	}
	if s.LatencyMode != "" {
		fmt.Fprintf(w, "\nLatency run: %s\n", s.LatencyMode)
		if s.NetemError != "" {
			fmt.Fprintf(w, "netem: %s\n", s.NetemError)
		}
	}
}

// loadavg is the 1, 5 and 15-minute load average, to judge how much else ran during the bench.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
