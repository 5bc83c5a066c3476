package checks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sort"
)

// MaxScopeAddrs is the largest network (a /20 in IPv4) a scope or target may name without
// --allow-large-scope: a typo such as 10.0.0.0/8 must not become a sweep of 16 million hosts.
const MaxScopeAddrs = 4096

// ErrOutOfScope is wrapped by every refusal of the scope guard.
var ErrOutOfScope = errors.New("out of scope")

// ScopeError names the target or address the guard refused and why.
type ScopeError struct {
	Target string
	Why    string
	Source Source
}

func (e *ScopeError) Error() string {
	src := ""
	if e.Source.File != "" {
		src = " (" + e.Source.String() + ")"
	}
	return fmt.Sprintf("%s%s: refused, out of scope: %s", e.Target, src, e.Why)
}

func (e *ScopeError) Unwrap() error { return ErrOutOfScope }

// Resolver looks up host names. The system resolver (net.DefaultResolver, which reads
// /etc/hosts and /etc/resolv.conf) is the only one telesra uses; tests substitute a map.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Scope is what may be contacted: the declared targets minus the exclusions. Exclusions always
// win. Host names in either list are resolved once, when the scope is prepared, so that a name
// and its addresses are treated alike.
type Scope struct {
	include []scopeEntry
	exclude []scopeEntry
	// Declared keeps the targets as written, for result documents.
	Declared   []Target
	Exclusions []Target
}

type scopeEntry struct {
	t     Target
	name  string         // host name, when the entry is one
	addrs []netip.Prefix // the entry's networks (a name's resolved addresses as single-address prefixes)
	port  int            // 0: any port
}

// ScopeOptions tune NewScope.
type ScopeOptions struct {
	AllowLarge bool
	Resolver   Resolver // nil: net.DefaultResolver
}

// NewScope prepares a scope: it checks network sizes and resolves host names (system resolver).
// A name that does not resolve stays in scope by name only.
func NewScope(ctx context.Context, include, exclude []Target, opt ScopeOptions) (*Scope, error) {
	res := opt.Resolver
	if res == nil {
		res = net.DefaultResolver
	}
	s := &Scope{Declared: include, Exclusions: exclude}
	for _, t := range include {
		if err := checkSize(t, opt.AllowLarge); err != nil {
			return nil, err
		}
		s.include = append(s.include, newEntry(ctx, res, t))
	}
	for _, t := range exclude {
		s.exclude = append(s.exclude, newEntry(ctx, res, t))
	}
	return s, nil
}

func checkSize(t Target, allowLarge bool) error {
	if t.Kind != KindCIDR || allowLarge {
		return nil
	}
	if hostBits := t.Prefix.Addr().BitLen() - t.Prefix.Bits(); hostBits > 12 {
		return &ScopeError{Target: t.Raw, Source: t.Source,
			Why: fmt.Sprintf("network is wider than %d addresses (/20); pass --allow-large-scope if this is intended", MaxScopeAddrs)}
	}
	return nil
}

func newEntry(ctx context.Context, res Resolver, t Target) scopeEntry {
	e := scopeEntry{t: t, port: t.Port}
	if t.IsAddr() {
		e.addrs = []netip.Prefix{t.Prefix}
		return e
	}
	e.name = t.Host
	if addrs, err := res.LookupNetIP(ctx, "ip", t.Host); err == nil {
		for _, a := range addrs {
			a = a.Unmap()
			e.addrs = append(e.addrs, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	return e
}

func (e scopeEntry) matches(name string, addr netip.Addr, port int) bool {
	if e.port != 0 && port != 0 && e.port != port {
		return false
	}
	if e.name != "" && name != "" && e.name == name {
		return true
	}
	if addr.IsValid() {
		for _, p := range e.addrs {
			if p.Contains(addr) {
				return true
			}
		}
	}
	return false
}

// Excluded reports whether an exclusion covers the name, the address or the port of a host.
// An IPv4 address is also looked for in IPv6 exclusions as its IPv4-mapped form, so that an
// exclusion such as ::/80 covers the IPv4 hosts inside it: exclusions err on the side of
// excluding, while includes only ever admit what they spell.
func (s *Scope) Excluded(name string, addr netip.Addr, port int) (Target, bool) {
	addr = addr.Unmap()
	for _, e := range s.exclude {
		if e.matches(name, addr, port) || addr.Is4() && e.matches("", mapped(addr), port) {
			return e.t, true
		}
	}
	return Target{}, false
}

// Permit decides one connection: name (may be empty) resolved to addr, port. It is called
// before every dial. An address that names no host (0.0.0.0 and :: reach loopback) is refused
// whatever the scope says, so a declared name resolving to one is refused too.
func (s *Scope) Permit(name string, addr netip.Addr, port int) error {
	if addr.Zone() == "" { // Unmap drops a zone; keep it for the refusal below
		addr = addr.Unmap()
	}
	label := net.JoinHostPort(addr.String(), fmt.Sprint(port))
	if name != "" && name != addr.String() {
		label = fmt.Sprintf("%s (%s)", net.JoinHostPort(name, fmt.Sprint(port)), addr)
	}
	if why := notHostAddr(addr); why != "" {
		return &ScopeError{Target: label, Why: why}
	}
	if ex, ok := s.Excluded(name, addr, port); ok {
		return &ScopeError{Target: label, Why: fmt.Sprintf("excluded by %q", ex.Raw), Source: ex.Source}
	}
	for _, e := range s.include {
		if e.matches(name, addr, port) {
			return nil
		}
	}
	return &ScopeError{Target: label, Why: "not in the declared scope"}
}

// Admit decides whether a target the user asked for lies inside the scope, before anything is
// resolved for it or sent to it. Host names are resolved with res; every address must be
// permitted, so a name that resolves to an excluded address is refused.
func (s *Scope) Admit(ctx context.Context, t Target, res Resolver, allowLarge bool) error {
	if err := checkSize(t, allowLarge); err != nil {
		return err
	}
	refuse := func(why string) error { return &ScopeError{Target: t.Raw, Why: why, Source: t.Source} }
	switch {
	case t.Kind == KindCIDR:
		// A network is admitted when an include covers it entirely; excluded addresses inside it
		// are skipped when it is expanded.
		for _, e := range s.include {
			if e.port != 0 {
				continue
			}
			for _, p := range e.addrs {
				if p.Bits() <= t.Prefix.Bits() && p.Contains(t.Prefix.Addr()) {
					if ex, ok := s.excludesWhole(t.Prefix); ok {
						return refuse(fmt.Sprintf("excluded by %q", ex.Raw))
					}
					return nil
				}
			}
		}
		return refuse("network is not inside a declared target")
	case t.IsAddr():
		return s.Permit("", t.Prefix.Addr(), t.Port)
	}
	if ex, ok := s.Excluded(t.Host, netip.Addr{}, t.Port); ok {
		return refuse(fmt.Sprintf("excluded by %q", ex.Raw))
	}
	if !s.declaresName(t.Host) && !s.hasAddrIncludes() {
		// Nothing could admit it: refuse without even a DNS query.
		return refuse("not in the declared scope")
	}
	if res == nil {
		res = net.DefaultResolver
	}
	addrs, err := res.LookupNetIP(ctx, "ip", t.Host)
	if err != nil || len(addrs) == 0 {
		if s.declaresName(t.Host) {
			return nil // declared by name; the scan will report it unresolvable
		}
		return refuse("host name does not resolve, and it is not declared by name")
	}
	for _, a := range addrs {
		if err := s.Permit(t.Host, a, t.Port); err != nil {
			var se *ScopeError
			if errors.As(err, &se) {
				return refuse(fmt.Sprintf("resolves to %s, %s", a.Unmap(), se.Why))
			}
			return err
		}
	}
	return nil
}

func (s *Scope) excludesWhole(p netip.Prefix) (Target, bool) {
	forms := []netip.Prefix{p}
	if p.Addr().Is4() { // as Excluded: an IPv6 exclusion covers the IPv4-mapped network
		forms = append(forms, netip.PrefixFrom(mapped(p.Addr()), p.Bits()+mapped6Bits))
	}
	for _, e := range s.exclude {
		if e.port != 0 {
			continue
		}
		for _, ep := range e.addrs {
			for _, f := range forms {
				if ep.Bits() <= f.Bits() && ep.Contains(f.Addr()) {
					return e.t, true
				}
			}
		}
	}
	return Target{}, false
}

func (s *Scope) declaresName(name string) bool {
	for _, e := range s.include {
		if e.name == name {
			return true
		}
	}
	return false
}

func (s *Scope) hasAddrIncludes() bool {
	for _, e := range s.include {
		if e.name == "" {
			return true
		}
	}
	return false
}

// Names returns the declared host names, sorted (for documents).
func (s *Scope) Names() []string {
	var out []string
	for _, e := range s.include {
		if e.name != "" {
			out = append(out, e.name)
		}
	}
	sort.Strings(out)
	return out
}
