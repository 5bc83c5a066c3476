package checks

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// One spelling per address, so that a target, an exclusion and the address about to be dialled
// compare equal however each was written:
//
//   - IPv4-mapped IPv6 (::ffff:127.0.0.1, ::ffff:127.0.0.4/126) is the IPv4 address or network:
//     the kernel connects to the IPv4 host.
//   - The inet_aton forms of IPv4 (2130706433, 0177.0.0.1, 0x7f.1, 127.1, 127.0.0.1.) are
//     refused with the dotted-quad spelling. Resolvers disagree about them (glibc reads 0177 as
//     octal, Go's resolver not at all), which is why they are used to slip past filters: reading
//     them as a name would let an exclusion exclude nothing, and reading them as an address would
//     make a report name a host the user did not recognise.
//   - Zoned IPv6 (fe80::1%lo) is refused: a prefix cannot carry a zone, so accepting it would
//     drop the zone silently and compare the wrong address.
//   - Unspecified, multicast and broadcast addresses name no host; 0.0.0.0 and :: even reach the
//     machine's own loopback services.

var (
	broadcast4  = netip.AddrFrom4([4]byte{255, 255, 255, 255})
	multicast4  = netip.MustParsePrefix("224.0.0.0/4")
	multicast6  = netip.MustParsePrefix("ff00::/8")
	mapped6Bits = 96 // the ::ffff:0:0/96 prefix of IPv4-mapped addresses
)

// notHostAddr says why a connection to a must not be made, or "" when a is a host address.
// It looks at a as given: callers unmap (after checking the zone, which Unmap drops).
func notHostAddr(a netip.Addr) string {
	switch {
	case a.Zone() != "":
		return fmt.Sprintf("%s: zoned IPv6 addresses are not supported", a)
	case a.IsUnspecified():
		return fmt.Sprintf("%s is the unspecified address, not a host address", a)
	case a.IsMulticast():
		return fmt.Sprintf("%s is a multicast address, not a host address", a)
	case a == broadcast4:
		return fmt.Sprintf("%s is the broadcast address, not a host address", a)
	}
	return ""
}

// parseHost reads a host as written in a target or handed to the dialer. It returns an address
// (IPv4-mapped IPv6 unmapped; a zone kept, for the caller to refuse) or a host name (lower case,
// without the root's dot).
func parseHost(h string) (netip.Addr, string, error) {
	if a, err := netip.ParseAddr(h); err == nil {
		if a.Zone() != "" {
			return a, "", nil
		}
		return a.Unmap(), "", nil
	}
	if a, ok := nonStandardIPv4(h); ok {
		return netip.Addr{}, "", fmt.Errorf("%q is not a standard IPv4 address: write it as %s", h, a)
	}
	name := strings.ToLower(strings.TrimSuffix(h, "."))
	if endsInNumber(name) || !validHostname(name) {
		return netip.Addr{}, "", fmt.Errorf("%q is not a valid host name or address", name)
	}
	return netip.Addr{}, name, nil
}

// nonStandardIPv4 returns the address an inet_aton form of IPv4 stands for, and whether h is
// one. A dotted quad netip reads is not one.
func nonStandardIPv4(h string) (netip.Addr, bool) {
	if _, err := netip.ParseAddr(h); err == nil {
		return netip.Addr{}, false
	}
	name := strings.ToLower(strings.TrimSuffix(h, "."))
	if !endsInNumber(name) {
		return netip.Addr{}, false
	}
	return parseInetAton(name)
}

// canonicalPrefix turns an IPv4-mapped IPv6 network into the IPv4 network. A wider IPv6
// network that contains the mapped range stays IPv6 (exclusions still cover its IPv4 hosts).
func canonicalPrefix(p netip.Prefix) netip.Prefix {
	if p.Addr().Is4In6() && p.Bits() >= mapped6Bits {
		return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-mapped6Bits)
	}
	return p
}

// mapped is an IPv4 address as IPv4-mapped IPv6, to compare it with IPv6 networks.
func mapped(a netip.Addr) netip.Addr { return netip.AddrFrom16(a.As16()) }

// endsInNumber applies the WHATWG URL standard's test: a host whose last label is a decimal or
// 0x-hexadecimal number is meant as an IPv4 address (no top-level domain is numeric).
func endsInNumber(h string) bool {
	labels := strings.Split(h, ".")
	last := labels[len(labels)-1]
	if last == "" {
		return false
	}
	if hex, ok := strings.CutPrefix(last, "0x"); ok {
		return strings.Trim(hex, "0123456789abcdef") == ""
	}
	return strings.Trim(last, "0123456789") == ""
}

// parseInetAton reads IPv4 as inet_aton(3) does: one to four parts, each decimal, octal (a
// leading 0) or hexadecimal (0x); the last part fills the remaining bytes.
func parseInetAton(s string) (netip.Addr, bool) {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var v uint64
	for i, p := range parts {
		n, ok := inetPart(p)
		if !ok {
			return netip.Addr{}, false
		}
		last := i == len(parts)-1
		if !last && n > 255 || last && n >= 1<<(8*(4-i)) {
			return netip.Addr{}, false
		}
		if last {
			v = v<<(8*(4-i)) | n
		} else {
			v = v<<8 | n
		}
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

func inetPart(p string) (uint64, bool) {
	base := 10
	switch {
	case strings.HasPrefix(p, "0x"):
		p, base = p[2:], 16
		if p == "" {
			return 0, true // inet_aton reads a bare "0x" as zero
		}
	case len(p) > 1 && p[0] == '0':
		p, base = p[1:], 8
	}
	if p == "" || strings.ContainsAny(p, "+-_") {
		return 0, false
	}
	n, err := strconv.ParseUint(p, base, 32)
	return n, err == nil
}
