package checks

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestParseTargetCanonicalAddressForms: an IPv4 address written as IPv4-mapped IPv6 is the IPv4
// address, in every way a target can be written, so that an exclusion in one form covers a
// connection in the other.
func TestParseTargetCanonicalAddressForms(t *testing.T) {
	cases := []struct {
		in     string
		kind   TargetKind
		host   string
		port   int
		prefix string
	}{
		{"::ffff:127.0.0.1", KindHost, "127.0.0.1", 0, "127.0.0.1/32"},
		{"::FFFF:7f00:1", KindHost, "127.0.0.1", 0, "127.0.0.1/32"},
		{"0:0:0:0:0:ffff:127.0.0.1", KindHost, "127.0.0.1", 0, "127.0.0.1/32"},
		{"[::ffff:127.0.0.1]", KindHost, "127.0.0.1", 0, "127.0.0.1/32"},
		{"[::ffff:127.0.0.5]:8443", KindHostPort, "127.0.0.5", 8443, "127.0.0.5/32"},
		{"https://[::ffff:127.0.0.1]:8443/", KindURL, "127.0.0.1", 8443, "127.0.0.1/32"},
		{"http://[::ffff:7f00:1]/", KindURL, "127.0.0.1", 80, "127.0.0.1/32"},
		{"::ffff:127.0.0.4/126", KindCIDR, "127.0.0.4", 0, "127.0.0.4/30"},
		{"::ffff:127.0.0.1/128", KindCIDR, "127.0.0.1", 0, "127.0.0.1/32"},
		{"::ffff:127.0.0.0/104", KindCIDR, "127.0.0.0", 0, "127.0.0.0/8"},
		{"::ffff:0:0/96", KindCIDR, "0.0.0.0", 0, "0.0.0.0/0"},
		{"2001:DB8::1", KindHost, "2001:db8::1", 0, "2001:db8::1/128"},
		{"[2001:0db8:0000::1]:22", KindHostPort, "2001:db8::1", 22, "2001:db8::1/128"},
	}
	for _, c := range cases {
		tg, err := ParseTarget(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if tg.Kind != c.kind || tg.Host != c.host || tg.Port != c.port || tg.Prefix.String() != c.prefix {
			t.Errorf("%q = kind %d host %q port %d prefix %s; want kind %d host %q port %d prefix %s",
				c.in, tg.Kind, tg.Host, tg.Port, tg.Prefix, c.kind, c.host, c.port, c.prefix)
		}
		if tg.Raw != c.in {
			t.Errorf("%q: Raw = %q, want the text as written", c.in, tg.Raw)
		}
	}
}

// TestParseTargetRefusesAmbiguousAndNonHostAddresses: the inet_aton forms of IPv4 (a single
// number, octal, hexadecimal, fewer than four parts, a trailing dot) are refused with the
// canonical spelling; unspecified, multicast, broadcast and zoned addresses are refused in every
// way a target can be written.
func TestParseTargetRefusesAmbiguousAndNonHostAddresses(t *testing.T) {
	const as127 = "write it as 127.0.0.1"
	cases := []struct{ in, want string }{
		// inet_aton forms, bare, host:port, URL and CIDR.
		{"2130706433", as127},
		{"0177.0.0.1", as127},
		{"0x7f.0.0.1", as127},
		{"0X7F000001", as127},
		{"017700000001", as127},
		{"127.1", as127},
		{"127.0.1", as127},
		{"127.0.0.1.", as127},
		{"127.000.000.001", as127},
		{"2130706433:8443", as127},
		{"0177.0.0.1:22", as127},
		{"http://2130706433/", as127},
		{"https://0x7f.1:8443/login", as127},
		{"http://0177.0.0.1./", as127},
		{"0177.0.0.0/8", "write it as 127.0.0.0/8"},
		{"2130706432/8", "write it as 127.0.0.0/8"},
		{"999.0.0.1", "not a valid host name or address"},
		{"portal.example.123", "not a valid host name or address"},
		{"0x7g.0.0.1", "not a valid host name or address"},
		// Unspecified, in every form.
		{"0.0.0.0", "unspecified address"},
		{"0.0.0.0/32", "unspecified address"},
		{"0.0.0.0:443", "unspecified address"},
		{"http://0.0.0.0:8080/", "unspecified address"},
		{"::", "unspecified address"},
		{"::/128", "unspecified address"},
		{"[::]", "unspecified address"},
		{"[::]:443", "unspecified address"},
		{"https://[::]/", "unspecified address"},
		{"::ffff:0.0.0.0", "unspecified address"},
		{"::ffff:0.0.0.0/128", "unspecified address"},
		{"0", "write it as 0.0.0.0"},
		// Multicast and broadcast.
		{"224.0.0.1", "multicast address"},
		{"224.0.0.1/32", "multicast address"},
		{"239.1.1.1:80", "multicast address"},
		{"224.0.0.0/4", "multicast"},
		{"ff02::1", "multicast address"},
		{"[ff02::1]:80", "multicast address"},
		{"http://[ff02::1]/", "multicast address"},
		{"ff02::/16", "multicast"},
		{"::ffff:224.0.0.1", "multicast address"},
		{"255.255.255.255", "broadcast address"},
		{"255.255.255.255/32", "broadcast address"},
		{"255.255.255.255:80", "broadcast address"},
		{"http://255.255.255.255/", "broadcast address"},
		// Zoned IPv6: refused, never silently un-zoned.
		{"fe80::1%lo", "zoned IPv6"},
		{"[fe80::1%lo]", "zoned IPv6"},
		{"[fe80::1%lo]:443", "zoned IPv6"},
		{"https://[fe80::1%25lo]/", "zoned IPv6"},
		{"fe80::1%lo/128", "zoned IPv6"},
	}
	for _, c := range cases {
		tg, err := ParseTarget(c.in)
		if err == nil {
			t.Errorf("ParseTarget(%q) accepted it (host %q, prefix %s); want an error containing %q", c.in, tg.Host, tg.Prefix, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), strconv.Quote(c.in)) {
			t.Errorf("ParseTarget(%q) = %v; want an error naming the target and containing %q", c.in, err, c.want)
		}
	}
}

// countingListenerOn accepts connections on host (a loopback address) and counts them.
func countingListenerOn(t *testing.T, host string) (int, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	return serveTCPOn(t, host, func(net.Conn) { n.Add(1) }), &n
}

// waitCount waits (at most two seconds) for n to reach want, so a control connection that was
// made is seen before the count is judged.
func waitCount(n *atomic.Int64, want int64) int64 {
	for deadline := time.Now().Add(2 * time.Second); n.Load() < want && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	return n.Load()
}

// TestExclusionFormsContactNothing: an exclusion of 127.0.0.1 written in any accepted form keeps
// every connection to it away, whether the connection names 127.0.0.1, its IPv4-mapped IPv6 form,
// or a host name resolving to either. A real listener counts what arrives.
func TestExclusionFormsContactNothing(t *testing.T) {
	port, seen := countingListenerOn(t, "127.0.0.1")
	p := strconv.Itoa(port)
	ctx := context.Background()
	res := mapResolver{
		"mapped.test": {netip.MustParseAddr("::ffff:127.0.0.1")},
		"plain.test":  {netip.MustParseAddr("127.0.0.1")},
	}
	exclusions := []string{
		"127.0.0.1", "::ffff:127.0.0.1", "[::ffff:127.0.0.1]", "[::ffff:127.0.0.1]:" + p,
		"http://[::ffff:127.0.0.1]:" + p + "/", "::ffff:127.0.0.0/120", "::ffff:127.0.0.0/126",
		"::ffff:0:0/96", "::/80", "mapped.test", "plain.test:" + p,
	}
	dials := []string{"127.0.0.1:" + p, "[::ffff:127.0.0.1]:" + p, "[0:0:0:0:0:ffff:7f00:1]:" + p,
		"mapped.test:" + p, "MAPPED.test.:" + p, "plain.test:" + p}
	for _, ex := range exclusions {
		scope, err := NewScope(ctx, mustTargets(t, "127.0.0.0/24", "mapped.test", "plain.test"), mustTargets(t, ex), ScopeOptions{Resolver: res})
		if err != nil {
			t.Fatalf("exclusion %q: %v", ex, err)
		}
		for _, target := range []string{"127.0.0.1:" + p, "[::ffff:127.0.0.1]:" + p, "mapped.test:" + p} {
			if err := scope.Admit(ctx, mustTargets(t, target)[0], res, false); !IsScopeRefusal(err) {
				t.Errorf("exclusion %q: Admit(%s) = %v, want a refusal", ex, target, err)
			}
		}
		d := NewDialer(scope, DialerOptions{Resolver: res})
		d.Pin("plain.test", netip.MustParseAddr("::ffff:127.0.0.1"))
		for _, a := range dials {
			if c, err := d.DialContext(ctx, "tcp", a); !IsScopeRefusal(err) {
				t.Errorf("exclusion %q: dial %s = %v, want a refusal", ex, a, err)
				if c != nil {
					c.Close()
				}
			}
		}
		if d.Dials() != 0 {
			t.Errorf("exclusion %q: %d connection(s) opened", ex, d.Dials())
		}
	}
	time.Sleep(50 * time.Millisecond)
	if n := seen.Load(); n != 0 {
		t.Fatalf("the excluded listener saw %d connection(s)", n)
	}
	// Control: without the exclusion the same dial arrives, so the zero above means something.
	scope, _ := NewScope(ctx, mustTargets(t, "127.0.0.0/24"), nil, ScopeOptions{Resolver: res})
	c, err := NewDialer(scope, DialerOptions{Resolver: res}).DialContext(ctx, "tcp", "[::ffff:127.0.0.1]:"+p)
	if err != nil {
		t.Fatalf("control dial: %v", err)
	}
	c.Close()
	if n := waitCount(seen, 1); n != 1 {
		t.Fatalf("control: listener saw %d connection(s), want 1", n)
	}
}

// TestDialerRefusesNumericHostForms: a host such as 2130706433 or 0x7f.1 (from a redirect, say)
// is refused before any lookup, naming the canonical address, whatever the resolver would make
// of it.
func TestDialerRefusesNumericHostForms(t *testing.T) {
	port, seen := countingListenerOn(t, "127.0.0.1")
	p := strconv.Itoa(port)
	scope, err := NewScope(context.Background(), mustTargets(t, "127.0.0.0/24"), mustTargets(t, "127.0.0.1"), ScopeOptions{Resolver: mapResolver{}})
	if err != nil {
		t.Fatal(err)
	}
	d := NewDialer(scope, DialerOptions{Resolver: failingResolver{t}})
	for _, h := range []string{"2130706433", "0177.0.0.1", "0x7f.1", "127.1", "127.0.0.1."} {
		_, err := d.DialContext(context.Background(), "tcp", net.JoinHostPort(h, p))
		if !IsScopeRefusal(err) || !strings.Contains(err.Error(), "127.0.0.1") {
			t.Errorf("dial %s: %v, want a refusal naming 127.0.0.1", h, err)
		}
	}
	time.Sleep(50 * time.Millisecond)
	if n := seen.Load(); n != 0 || d.Dials() != 0 {
		t.Fatalf("listener saw %d connection(s), dials %d", n, d.Dials())
	}
}

// TestNonHostAddressesContactNothing: 0.0.0.0 and :: reach loopback services on Linux, so the
// guard refuses them (and multicast, broadcast and zoned addresses) however they arrive: a
// declared name resolving to one, a literal, a mapped form; listeners on 127.0.0.1 and ::1
// excluded by 127.0.0.0/8 and ::1 must see nothing.
func TestNonHostAddressesContactNothing(t *testing.T) {
	port4, seen4 := countingListenerOn(t, "127.0.0.1")
	port6, seen6 := countingListenerOn(t, "::1")
	p4, p6 := strconv.Itoa(port4), strconv.Itoa(port6)
	ctx := context.Background()
	res := mapResolver{
		"blocked.test":   {netip.MustParseAddr("0.0.0.0")},
		"blocked6.test":  {netip.MustParseAddr("::")},
		"mappedany.test": {netip.MustParseAddr("::ffff:0.0.0.0")},
		"zoned.test":     {netip.MustParseAddr("fe80::1%lo")},
		"group.test":     {netip.MustParseAddr("224.0.0.1")},
	}
	scope, err := NewScope(ctx, mustTargets(t, "blocked.test", "blocked6.test", "mappedany.test", "zoned.test", "group.test", "0.0.0.0/31", "::/127"),
		mustTargets(t, "127.0.0.0/8", "::1"), ScopeOptions{Resolver: res})
	if err != nil {
		t.Fatal(err)
	}
	d := NewDialer(scope, DialerOptions{Resolver: res})
	for _, a := range []string{"blocked.test:" + p4, "blocked6.test:" + p6, "mappedany.test:" + p4, "zoned.test:" + p6,
		"group.test:" + p4, "0.0.0.0:" + p4, "[::]:" + p6, "[::ffff:0.0.0.0]:" + p4, "[fe80::1%lo]:" + p6} {
		if c, err := d.DialContext(ctx, "tcp", a); !IsScopeRefusal(err) {
			t.Errorf("dial %s = %v, want a refusal", a, err)
			if c != nil {
				c.Close()
			}
		}
	}
	for _, target := range []string{"blocked.test:" + p4, "blocked6.test:" + p6} {
		if err := scope.Admit(ctx, mustTargets(t, target)[0], res, false); !IsScopeRefusal(err) || !strings.Contains(err.Error(), "not a host address") {
			t.Errorf("Admit(%s) = %v, want a refusal: not a host address", target, err)
		}
	}
	time.Sleep(50 * time.Millisecond)
	if seen4.Load() != 0 || seen6.Load() != 0 || d.Dials() != 0 {
		t.Fatalf("listeners saw %d (127.0.0.1) and %d (::1) connection(s), dials %d", seen4.Load(), seen6.Load(), d.Dials())
	}
}
