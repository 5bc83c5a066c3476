package cli

import (
	"context"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/telesra/telesra/checks/checkstest"
)

// localhostOnly is the system resolver for "localhost" (/etc/hosts) and a test failure for any
// other name: an address form must never reach a resolver, and no query may leave the machine.
type localhostOnly struct{ t *testing.T }

func (r localhostOnly) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if host == "localhost" {
		return net.DefaultResolver.LookupNetIP(ctx, network, host)
	}
	r.t.Errorf("looked up %q: only localhost may be resolved", host)
	return nil, &net.DNSError{Err: "not found", Name: host, IsNotFound: true}
}

func runNoLookups(t *testing.T, args ...string) runResult {
	t.Helper()
	return runWith(t, nil, func(f *Factory) { f.Resolver = localhostOnly{t} }, args...)
}

// listenOn accepts connections on a loopback address and counts them; it returns the port.
func listenOn(t *testing.T, host string) (string, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	addr := checkstest.ServeTCPOn(t, host, 5*time.Second, func(net.Conn) { n.Add(1) })
	_, port, _ := net.SplitHostPort(addr)
	return port, &n
}

// TestScanExclusionFormsContactNothing: an exclusion written as IPv4-mapped IPv6 (bare, CIDR,
// [addr]:port) covers the IPv4 host, and one written in an inet_aton form (2130706433,
// 0177.0.0.1, 0x7f.1) is refused as bad input naming the canonical address, never ignored; the
// same through --exclude and through assessment.yaml. Listeners on the excluded addresses see
// nothing.
func TestScanExclusionFormsContactNothing(t *testing.T) {
	p1, seen1 := listenOn(t, "127.0.0.1")
	p5, seen5 := listenOn(t, "127.0.0.5")
	p6, seen6 := listenOn(t, "127.0.0.6")
	cases := []struct {
		excl, target, ports, want string
	}{
		{"::ffff:127.0.0.1", "127.0.0.1:" + p1, "", `excluded by "::ffff:127.0.0.1"`},
		{"::ffff:127.0.0.0/104", "127.0.0.1:" + p1, "", `excluded by "::ffff:127.0.0.0/104"`},
		{"::ffff:127.0.0.4/126", "127.0.0.6:" + p6, "", `excluded by "::ffff:127.0.0.4/126"`},
		{"[::ffff:127.0.0.5]:" + p5, "127.0.0.5:" + p5, "", `excluded by "[::ffff:127.0.0.5]:` + p5 + `"`},
		{"2130706433", "127.0.0.1:" + p1, "", `target "2130706433": "2130706433" is not a standard IPv4 address: write it as 127.0.0.1`},
		{"0177.0.0.1", "127.0.0.1:" + p1, "", "write it as 127.0.0.1"},
		{"0x7f.1", "127.0.0.1:" + p1, "", "write it as 127.0.0.1"},
		{"0177.0.0.5:" + p5, "127.0.0.5:" + p5, "", "write it as 127.0.0.5"},
	}
	for _, c := range cases {
		t.Run("--exclude "+c.excl, func(t *testing.T) {
			r := runNoLookups(t, "scan", c.target, "--exclude", c.excl, "--checks", "transport", "-q", "-f", "json")
			if r.code != ExitUsage || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", r.code, r.stderr, c.want)
			}
		})
		t.Run("assessment.yaml "+c.excl, func(t *testing.T) {
			ws := makeWorkspace(t, []string{"127.0.0.0/24"}, []string{c.excl})
			r := runNoLookups(t, "scan", "-w", ws, c.target, "--checks", "transport", "-q", "-f", "json")
			if r.code != ExitUsage || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", r.code, r.stderr, c.want)
			}
			if strings.Contains(c.want, "write it as") && !strings.Contains(r.stderr, "assessment.yaml:11:7: scope.exclusions[0]") {
				t.Errorf("the error does not name the file, line and field: %q", r.stderr)
			}
			if _, err := os.Stat(filepath.Join(ws, "scan.json")); err == nil {
				t.Error("a refused scan wrote results")
			}
		})
	}
	// The whole declared network is expanded and the mapped exclusions are skipped.
	for _, c := range []struct{ excl, port string }{{"::ffff:127.0.0.4/126", p6}, {"[::ffff:127.0.0.5]:" + p5, p5}, {"::ffff:127.0.0.1", p1}} {
		t.Run("network scan minus "+c.excl, func(t *testing.T) {
			ws := makeWorkspace(t, []string{"127.0.0.0/29"}, []string{c.excl})
			r := runNoLookups(t, "scan", "-w", ws, "--ports", c.port, "--checks", "transport", "-q", "-f", "json")
			if r.code == ExitUsage || r.code == ExitFailure {
				t.Errorf("exit %d, stderr %q", r.code, r.stderr)
			}
		})
	}
	time.Sleep(50 * time.Millisecond)
	if seen1.Load() != 0 || seen5.Load() != 0 || seen6.Load() != 0 {
		t.Fatalf("excluded listeners saw connections: 127.0.0.1 %d, 127.0.0.5 %d, 127.0.0.6 %d", seen1.Load(), seen5.Load(), seen6.Load())
	}
}

// TestScanRefusesUnspecifiedTargets: 0.0.0.0 and :: reach loopback services on Linux, so as a
// target they are refused in every form (bare, CIDR, host:port, URL, mapped, a targets file,
// assessment.yaml) with exit 2, and listeners on 127.0.0.1 and ::1 that the user excluded see
// nothing.
func TestScanRefusesUnspecifiedTargets(t *testing.T) {
	p4, seen4 := listenOn(t, "127.0.0.1")
	p6, seen6 := listenOn(t, "::1")
	dir := t.TempDir()
	targets := filepath.Join(dir, "targets.txt")
	writeFile(t, targets, "# estate\n::/128\n")
	ws := makeWorkspace(t, []string{"0.0.0.0/32"}, []string{"127.0.0.0/8", "::1"})
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"0.0.0.0/32", "--ports", p4, "--exclude", "127.0.0.0/8"}, `target "0.0.0.0/32": 0.0.0.0 is the unspecified address, not a host address`},
		{[]string{"::/128", "--ports", p6, "--exclude", "::1"}, `target "::/128": :: is the unspecified address`},
		{[]string{"0.0.0.0:" + p4, "--exclude", "127.0.0.0/8"}, "unspecified address"},
		{[]string{"[::]:" + p6, "--exclude", "::1"}, "unspecified address"},
		{[]string{"http://0.0.0.0:" + p4 + "/", "--exclude", "127.0.0.0/8"}, "unspecified address"},
		{[]string{"https://[::]:" + p6 + "/", "--exclude", "::1"}, "unspecified address"},
		{[]string{"[::ffff:0.0.0.0]:" + p4, "--exclude", "127.0.0.0/8"}, "unspecified address"},
		{[]string{"--targets-file", targets, "--ports", p6, "--exclude", "::1"}, `targets.txt:2: target "::/128"`},
		{[]string{"-w", ws, "--ports", p4}, "assessment.yaml:9:7: scope.targets[0]: target \"0.0.0.0/32\": 0.0.0.0 is the unspecified address"},
		{[]string{"127.0.0.1:" + p4, "--exclude", "0.0.0.0/32"}, "--exclude: target \"0.0.0.0/32\""},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			r := runNoLookups(t, append([]string{"scan", "--checks", "transport", "-q", "-f", "json"}, c.args...)...)
			if r.code != ExitUsage || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", r.code, r.stderr, c.want)
			}
		})
	}
	time.Sleep(50 * time.Millisecond)
	if seen4.Load() != 0 || seen6.Load() != 0 {
		t.Fatalf("listeners saw %d (127.0.0.1) and %d (::1) connection(s)", seen4.Load(), seen6.Load())
	}
	// Control: the ::1 listener counts what reaches it.
	if r := runNoLookups(t, "scan", "[::1]:"+p6, "--checks", "transport", "-q", "-f", "json"); r.code == ExitUsage {
		t.Fatalf("control scan: exit %d, %s", r.code, r.stderr)
	}
	for deadline := time.Now().Add(2 * time.Second); seen6.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if seen6.Load() == 0 {
		t.Fatal("control: the ::1 listener saw no connection")
	}
}
