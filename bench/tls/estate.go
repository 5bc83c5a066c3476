package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// estatePort is the first TLS port of every estate address; an address's further ports follow
// it. The addresses are 127.0.2.x, so the ports are free whatever 127.0.0.1 runs.
const estatePort = 44300

// startEstate runs one nginx serving TLS on hosts loopback addresses (127.0.2.1 upwards), ports
// TLS ports each: a many-host estate, as a practice's /24 looks to a scanner, where each
// server sees only its own share of the scan. The endpoints are in host-major order of port:
// the first hosts endpoints are each address's first port.
func (l *lab) startEstate(hosts, ports int) ([]endpoint, error) {
	if hosts < 1 || hosts > 254 {
		return nil, fmt.Errorf("estate: %d hosts, want 1-254 (127.0.2.0/24)", hosts)
	}
	dir := filepath.Join(l.dir, "nginx-estate")
	for _, sub := range []string{"logs", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, err
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "daemon off;\nworker_processes 2;\nworker_rlimit_nofile 16384;\npid %s/nginx.pid;\nerror_log %s/logs/error.log crit;\nevents { worker_connections 8192; }\n", dir, dir)
	fmt.Fprintf(&b, "http {\n access_log off;\n client_body_temp_path %[1]s/tmp/b; proxy_temp_path %[1]s/tmp/p; fastcgi_temp_path %[1]s/tmp/f; uwsgi_temp_path %[1]s/tmp/u; scgi_temp_path %[1]s/tmp/s;\n", dir)
	fmt.Fprintf(&b, " ssl_certificate %s; ssl_certificate_key %s; ssl_protocols TLSv1.2 TLSv1.3;\n", l.good.certFile, l.good.keyFile)
	b.WriteString(" ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA;\n")
	var eps []endpoint
	for p := range ports {
		for h := 1; h <= hosts; h++ {
			addr := fmt.Sprintf("127.0.2.%d", h)
			port := estatePort + p
			fmt.Fprintf(&b, " server {\n  listen %s:%d ssl;\n  location / { return 200 \"ok\\n\"; }\n  add_header Strict-Transport-Security \"max-age=31536000\" always;\n }\n", addr, port)
			eps = append(eps, endpoint{Name: fmt.Sprintf("estate %s:%d", addr, port), Kind: "nginx", Port: port, Addr: addr,
				Target: net.JoinHostPort(addr, fmt.Sprint(port))})
		}
	}
	b.WriteString("}\n")
	var addrs []string
	for _, e := range eps {
		addrs = append(addrs, e.Target)
	}
	if err := l.runNginx(dir, b.String(), addrs); err != nil {
		return nil, err
	}
	return eps, nil
}

// waitAddr waits (at most 15 s) until something accepts on addr.
func waitAddr(addr string) error {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("nothing listens on %s", addr)
}

// runNmapEstate times nmap's ssl-enum-ciphers over the estate's first port on hosts addresses,
// given as one range as a user would (127.0.2.1-63).
func runNmapEstate(name string, hosts int) toolRun {
	return run(name, hosts, 30*time.Minute, nil, "nmap", "-Pn", "-n", "-sT", "-p", fmt.Sprint(estatePort),
		"--script", "ssl-enum-ciphers", fmt.Sprintf("127.0.2.1-%d", hosts))
}

// estateRuns times telesra with default flags against nmap on the first port of each host count,
// then telesra alone on every endpoint of the estate (its time and peak RSS).
func estateRuns(s *summary, l *lab, telesra, caFile string, hostCounts []int, ports int) error {
	most := 0
	for _, h := range hostCounts {
		most = max(most, h)
	}
	eps, err := l.startEstate(most, ports)
	if err != nil {
		return err
	}
	for _, h := range hostCounts {
		tag := fmt.Sprintf("estate %d hosts", h)
		r := runTelesra(telesra, caFile, nil, eps[:h], "telesra "+tag, false)
		s.Runs = append(s.Runs, r)
		logf("telesra %s: %.2fs, %d MB", tag, r.Seconds, r.MaxRSSKB>>10)
		n := runNmapEstate("nmap "+tag, h)
		s.Runs = append(s.Runs, n)
		logf("nmap %s: %.2fs", tag, n.Seconds)
	}
	if ports > 1 {
		tag := fmt.Sprintf("estate %d endpoints", len(eps))
		r := runTelesra(telesra, caFile, nil, eps, "telesra "+tag, false)
		s.Runs = append(s.Runs, r)
		logf("telesra %s: %.2fs, %d MB", tag, r.Seconds, r.MaxRSSKB>>10)
	}
	return nil
}
