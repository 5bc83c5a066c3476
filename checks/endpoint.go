package checks

import (
	"net"
	"net/netip"
	"strconv"
)

// Endpoint is one concrete host:port the scan talks to, derived from a target: a host name (for
// SNI and Host headers) pinned to the address the scope admitted.
type Endpoint struct {
	Host   string     // host name as declared, or the address literal
	Addr   netip.Addr // the address every connection goes to
	Port   int
	Scheme string // from a URL or scheme target ("https", "smtp"); empty when not given
	Path   string // URL path; "/" when not given
	URL    bool   // declared as a URL: findings name the URL
	Source Source // where the target was declared
}

// HostPort is "host:port" with the declared name (brackets for IPv6).
func (e Endpoint) HostPort() string { return net.JoinHostPort(e.Host, strconv.Itoa(e.Port)) }

// AddrPort is the pinned address and port.
func (e Endpoint) AddrPort() netip.AddrPort { return netip.AddrPortFrom(e.Addr, uint16(e.Port)) }

// String names the endpoint in findings: the URL when it was declared as one, else host:port.
func (e Endpoint) String() string {
	if !e.URL {
		return e.HostPort()
	}
	u := e.Scheme + "://"
	if def, ok := SchemePort(e.Scheme); ok && def == e.Port {
		h := e.Host
		if a, err := netip.ParseAddr(h); err == nil && a.Is6() {
			h = "[" + h + "]"
		}
		u += h
	} else {
		u += e.HostPort()
	}
	p := e.Path
	if p == "" {
		p = "/"
	}
	return u + p
}

// IsName reports whether the endpoint was declared by host name (not by address).
func (e Endpoint) IsName() bool {
	_, err := netip.ParseAddr(e.Host)
	return err != nil
}
