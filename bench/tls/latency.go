package main

import (
	"fmt"
	"net"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// relay forwards TCP connections to a backend, delaying each direction by oneWay: a userspace
// stand-in for netem when the kernel has no sch_netem. The first client bytes wait one more
// round trip, which the TCP handshake would have cost on a real network.
type relay struct {
	ln      net.Listener
	backend string
	oneWay  time.Duration
	wg      sync.WaitGroup
}

func startRelay(listenAddr, backend string, oneWay time.Duration) (*relay, error) {
	ln, err := net.Listen("tcp", listenAddr)
	if err != nil {
		return nil, err
	}
	r := &relay{ln: ln, backend: backend, oneWay: oneWay}
	go r.accept()
	return r, nil
}

func (r *relay) port() int { return r.ln.Addr().(*net.TCPAddr).Port }

func (r *relay) close() { r.ln.Close() }

func (r *relay) accept() {
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		go func() {
			b, err := net.Dial("tcp", r.backend)
			if err != nil {
				c.Close()
				return
			}
			done := make(chan struct{}, 2)
			go func() { pump(b, c, r.oneWay, 2*r.oneWay); done <- struct{}{} }()
			go func() { pump(c, b, r.oneWay, 0); done <- struct{}{} }()
			<-done
			<-done
			c.Close()
			b.Close()
		}()
	}
}

type chunk struct {
	at   time.Time
	data []byte // nil: end of stream
}

// pump copies src to dst, each chunk delivered delay after it was read (order kept).
func pump(dst, src net.Conn, delay, firstExtra time.Duration) {
	ch := make(chan chunk, 4096)
	go func() {
		defer close(ch)
		extra := firstExtra
		for {
			buf := make([]byte, 32<<10)
			n, err := src.Read(buf)
			if n > 0 {
				ch <- chunk{at: time.Now().Add(delay + extra), data: buf[:n]}
				extra = 0
			}
			if err != nil {
				ch <- chunk{at: time.Now().Add(delay)}
				return
			}
		}
	}()
	for c := range ch {
		time.Sleep(time.Until(c.at))
		if c.data == nil {
			if tc, ok := dst.(*net.TCPConn); ok {
				_ = tc.CloseWrite()
			} else {
				dst.Close()
			}
			continue
		}
		if _, err := dst.Write(c.data); err != nil {
			src.Close()
			for range ch {
			}
			return
		}
	}
}

// netns is a network namespace joined to the host by a veth pair whose host side delays every
// packet with netem.
type netns struct {
	name   string
	hostIP string
}

const (
	nsName   = "telesra-tlsbench"
	vethHost = "tlsb0"
	vethNS   = "tlsb1"
)

// setupNetem builds the namespace and the netem qdisc. It returns the exact command that
// failed (and its output) when the kernel or the sandbox does not allow it.
func setupNetem(rtt time.Duration) (*netns, func(), error) {
	cleanup := func() {
		_ = exec.Command("ip", "netns", "del", nsName).Run()
		_ = exec.Command("ip", "link", "del", vethHost).Run()
	}
	cleanup()
	steps := [][]string{
		{"ip", "netns", "add", nsName},
		{"ip", "link", "add", vethHost, "type", "veth", "peer", "name", vethNS},
		{"ip", "link", "set", vethNS, "netns", nsName},
		{"ip", "addr", "add", "10.231.0.1/24", "dev", vethHost},
		{"ip", "link", "set", vethHost, "up"},
		{"ip", "netns", "exec", nsName, "ip", "addr", "add", "10.231.0.2/24", "dev", vethNS},
		{"ip", "netns", "exec", nsName, "ip", "link", "set", vethNS, "up"},
		{"ip", "netns", "exec", nsName, "ip", "link", "set", "lo", "up"},
		// Packets toward the namespace wait the whole round trip; replies go straight back.
		{"tc", "qdisc", "add", "dev", vethHost, "root", "netem", "delay", fmt.Sprintf("%dms", rtt.Milliseconds())},
	}
	for _, s := range steps {
		if out, err := exec.Command(s[0], s[1:]...).CombinedOutput(); err != nil {
			cleanup()
			return nil, func() {}, fmt.Errorf("`%s` failed: %v: %s", strings.Join(s, " "), err, strings.TrimSpace(string(out)))
		}
	}
	return &netns{name: nsName, hostIP: "10.231.0.1"}, cleanup, nil
}
