package checkstest

import (
	"net"
	"slices"
	"sync"
	"testing"
	"time"
)

// Trap stands in for an address outside the scan: it counts every TCP connection or UDP
// datagram it receives.
type Trap struct {
	Addr  string // host:port on 127.0.0.5
	udp   bool
	mu    sync.Mutex
	from  []string // source addresses, in arrival order
	close func()
}

// NewTrap starts a TCP (or, with udp, UDP) trap on 127.0.0.5 until the test ends.
func NewTrap(t testing.TB, udp bool) *Trap {
	t.Helper()
	tr := &Trap{udp: udp}
	if udp {
		pc, err := net.ListenPacket("udp", "127.0.0.5:0")
		if err != nil {
			t.Fatal(err)
		}
		tr.Addr, tr.close = pc.LocalAddr().String(), func() { pc.Close() }
		go func() {
			buf := make([]byte, 2048)
			for {
				_, from, err := pc.ReadFrom(buf)
				if err != nil {
					return
				}
				tr.record(from.String())
			}
		}()
	} else {
		ln, err := net.Listen("tcp", "127.0.0.5:0")
		if err != nil {
			t.Fatal(err)
		}
		tr.Addr, tr.close = ln.Addr().String(), func() { ln.Close() }
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				tr.record(c.RemoteAddr().String())
				c.Close()
			}
		}()
	}
	t.Cleanup(tr.close)
	return tr
}

func (tr *Trap) record(from string) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.from = append(tr.from, from)
}

// Received returns how many connections (datagrams) arrived before now. It sends one of its own
// and waits (at most 5 s) for the trap to see it: everything sent earlier has been seen by then.
func (tr *Trap) Received(t testing.TB) int {
	t.Helper()
	network := "tcp"
	if tr.udp {
		network = "udp"
	}
	c, err := net.Dial(network, tr.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if tr.udp {
		_, _ = c.Write([]byte("sentinel"))
	}
	mine := c.LocalAddr().String()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		tr.mu.Lock()
		if i := slices.Index(tr.from, mine); i >= 0 {
			tr.mu.Unlock()
			return i
		}
		tr.mu.Unlock()
	}
	t.Fatalf("the trap at %s did not see the test's own connection", tr.Addr)
	return 0
}
