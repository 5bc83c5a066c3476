package checks

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
)

// mapResolver answers from a map; it never sends a query.
type mapResolver map[string][]netip.Addr

func (m mapResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := m[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "not found", Name: host, IsNotFound: true}
}

func mustTargets(t *testing.T, ss ...string) []Target {
	t.Helper()
	var out []Target
	for _, s := range ss {
		tg, err := ParseTarget(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tg)
	}
	return out
}

func TestScopeExclusionsWin(t *testing.T) {
	ctx := context.Background()
	res := mapResolver{
		"portal.clinic.test":  {netip.MustParseAddr("10.0.0.10")},
		"ehr.clinic.test":     {netip.MustParseAddr("10.0.0.20"), netip.MustParseAddr("10.0.0.1")},
		"printer.clinic.test": {netip.MustParseAddr("10.0.0.30")},
	}
	s, err := NewScope(ctx, mustTargets(t, "10.0.0.0/24", "portal.clinic.test", "192.168.1.5:443"),
		mustTargets(t, "10.0.0.1", "printer.clinic.test", "10.0.0.40:22"), ScopeOptions{Resolver: res})
	if err != nil {
		t.Fatal(err)
	}
	allow := []struct {
		name string
		addr string
		port int
	}{
		{"", "10.0.0.7", 80},
		{"portal.clinic.test", "10.0.0.10", 443},
		{"", "192.168.1.5", 443},
		{"", "10.0.0.40", 443}, // only port 22 of .40 is excluded
	}
	for _, a := range allow {
		if err := s.Permit(a.name, netip.MustParseAddr(a.addr), a.port); err != nil {
			t.Errorf("Permit(%s %s:%d) = %v", a.name, a.addr, a.port, err)
		}
	}
	deny := []struct {
		name, addr string
		port       int
		why        string
	}{
		{"", "10.0.0.1", 443, `excluded by "10.0.0.1"`},
		{"", "10.0.0.30", 80, `excluded by "printer.clinic.test"`}, // an excluded name's address
		{"", "10.0.0.40", 22, `excluded by "10.0.0.40:22"`},
		{"", "192.168.1.5", 22, "not in the declared scope"}, // host:port scope covers one port
		{"", "10.0.1.7", 80, "not in the declared scope"},
		{"other.test", "172.16.0.1", 80, "not in the declared scope"},
	}
	for _, d := range deny {
		err := s.Permit(d.name, netip.MustParseAddr(d.addr), d.port)
		if err == nil || !strings.Contains(err.Error(), d.why) || !errors.Is(err, ErrOutOfScope) {
			t.Errorf("Permit(%s:%d) = %v, want %q", d.addr, d.port, err, d.why)
		}
	}
	// A name that resolves to an excluded address is refused, even though the other address
	// and the network are in scope.
	err = s.Admit(ctx, mustTargets(t, "ehr.clinic.test:443")[0], res, false)
	if err == nil || !strings.Contains(err.Error(), "resolves to 10.0.0.1") {
		t.Errorf("Admit(ehr) = %v", err)
	}
	if err := s.Admit(ctx, mustTargets(t, "https://portal.clinic.test/")[0], res, false); err != nil {
		t.Errorf("Admit(portal URL) = %v", err)
	}
	if err := s.Admit(ctx, mustTargets(t, "10.0.0.0/28")[0], res, false); err != nil {
		t.Errorf("Admit(sub-network) = %v", err)
	}
	if err := s.Admit(ctx, mustTargets(t, "10.0.0.0/23")[0], res, false); err == nil {
		t.Error("Admit accepted a network wider than the scope")
	}
	// An undeclared name is refused without a lookup when only names could admit it.
	s2, _ := NewScope(ctx, mustTargets(t, "portal.clinic.test"), nil, ScopeOptions{Resolver: res})
	if err := s2.Admit(ctx, mustTargets(t, "evil.test")[0], failingResolver{t}, false); err == nil {
		t.Error("undeclared name admitted")
	}
}

// failingResolver fails the test if anything is looked up.
type failingResolver struct{ t *testing.T }

func (f failingResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	f.t.Errorf("looked up %q: nothing should have been resolved", host)
	return nil, errors.New("no")
}

func TestScopeLargeNetworks(t *testing.T) {
	ctx := context.Background()
	if _, err := NewScope(ctx, mustTargets(t, "10.0.0.0/19"), nil, ScopeOptions{}); err == nil || !strings.Contains(err.Error(), "--allow-large-scope") {
		t.Errorf("a /19 scope: %v", err)
	}
	if _, err := NewScope(ctx, mustTargets(t, "10.0.0.0/20", "2001:db8::/116"), nil, ScopeOptions{}); err != nil {
		t.Errorf("a /20 and a /116: %v", err)
	}
	if _, err := NewScope(ctx, mustTargets(t, "2001:db8::/64"), nil, ScopeOptions{}); err == nil {
		t.Error("an IPv6 /64 scope was accepted without --allow-large-scope")
	}
	if _, err := NewScope(ctx, mustTargets(t, "10.0.0.0/8"), nil, ScopeOptions{AllowLarge: true}); err != nil {
		t.Errorf("allowed large scope: %v", err)
	}
}

// TestScopeSystemResolver uses the real system resolver on "localhost" (/etc/hosts): a name that
// resolves to an excluded loopback address is refused.
func TestScopeSystemResolver(t *testing.T) {
	ctx := context.Background()
	s, err := NewScope(ctx, mustTargets(t, "localhost", "127.0.0.0/24", "::1"), mustTargets(t, "127.0.0.1"), ScopeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Admit(ctx, mustTargets(t, "localhost:8443")[0], nil, false)
	if err == nil || !strings.Contains(err.Error(), "excluded") {
		t.Errorf("localhost with 127.0.0.1 excluded: %v", err)
	}
	if err := s.Admit(ctx, mustTargets(t, "127.0.0.2:8443")[0], nil, false); err != nil {
		t.Errorf("127.0.0.2: %v", err)
	}
	if err := s.Admit(ctx, mustTargets(t, "[::1]:8443")[0], nil, false); err != nil {
		t.Errorf("::1: %v", err)
	}
}
