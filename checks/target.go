package checks

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// TargetKind says how a target was written.
type TargetKind int

const (
	// KindHost is a bare host name or address: its default ports are probed.
	KindHost TargetKind = iota
	// KindHostPort is host:port.
	KindHostPort
	// KindURL is scheme://host[:port][/path].
	KindURL
	// KindCIDR is a network prefix: each address's default ports are probed.
	KindCIDR
)

// Source is where a target was declared, so errors and SARIF results can point at the line.
type Source struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
}

func (s Source) String() string {
	if s.File == "" {
		return "command line"
	}
	if s.Line == 0 {
		return s.File
	}
	return fmt.Sprintf("%s:%d", s.File, s.Line)
}

// Target is one entry of a scope or of the command line, as the user wrote it.
type Target struct {
	Raw    string
	Kind   TargetKind
	Host   string       // host name (lower case) or address literal, without brackets
	Port   int          // 0 when not given
	Scheme string       // URL scheme or scheme hint, lower case
	Path   string       // URL path, "/" at least for URLs
	Prefix netip.Prefix // CIDR targets and address literals (a single-address prefix)
	Source Source
}

// IsAddr reports whether the target names an address or network rather than a host name.
func (t Target) IsAddr() bool { return t.Prefix.IsValid() }

func (t Target) String() string { return t.Raw }

// schemePorts are the schemes a URL target may use and their default ports. Besides http(s),
// a scheme tells service detection what to expect (smtp://host:25 means "speak SMTP, then
// STARTTLS"), which saves guessing.
var schemePorts = map[string]int{
	"http": 80, "https": 443,
	"smtp": 25, "submission": 587, "smtps": 465,
	"imap": 143, "imaps": 993,
	"pop3": 110, "pop3s": 995,
	"ftp": 21, "ftps": 990,
	"ssh": 22, "telnet": 23, "rdp": 3389, "vnc": 5900,
	"tls":  443,
	"ldap": 389, "ldaps": 636,
}

// SchemePort returns a scheme's default port, and whether the scheme is known.
func SchemePort(scheme string) (int, bool) {
	p, ok := schemePorts[scheme]
	return p, ok
}

// ParseTarget reads a host, host:port, URL or CIDR. IPv6 addresses may be bare ("::1"), in
// brackets with a port ("[::1]:443") or inside URLs.
func ParseTarget(s string) (Target, error) {
	raw := strings.TrimSpace(s)
	t := Target{Raw: raw}
	if raw == "" {
		return t, fmt.Errorf("empty target")
	}
	if strings.ContainsAny(raw, " \t\r\n") {
		return t, fmt.Errorf("target %q contains white space", raw)
	}
	switch {
	case strings.Contains(raw, "://"):
		return parseURLTarget(t)
	case strings.Contains(raw, "/"):
		return parseCIDRTarget(t)
	case strings.HasPrefix(raw, "[") && strings.HasSuffix(raw, "]"): // "[::1]"
		if _, err := netip.ParseAddr(raw[1 : len(raw)-1]); err != nil {
			return t, fmt.Errorf("target %q: invalid IPv6 address", raw)
		}
		t.Kind = KindHost
		return t, t.setHost(raw[1 : len(raw)-1])
	}
	if _, err := netip.ParseAddr(raw); err == nil || !strings.Contains(raw, ":") { // an address or a name
		t.Kind = KindHost
		return t, t.setHost(raw)
	}
	host, port, err := net.SplitHostPort(raw)
	if err != nil {
		return t, fmt.Errorf("target %q: want host, host:port, [IPv6]:port, a URL or a CIDR", raw)
	}
	t.Kind = KindHostPort
	if t.Port, err = parsePort(raw, port); err != nil {
		return t, err
	}
	return t, t.setHost(host)
}

func parseCIDRTarget(t Target) (Target, error) {
	addr, bits, _ := strings.Cut(t.Raw, "/")
	if strings.Contains(addr, "%") {
		return t, fmt.Errorf("target %q: zoned IPv6 addresses are not supported", t.Raw)
	}
	p, err := netip.ParsePrefix(t.Raw)
	if err != nil {
		if hint := urlHint(t.Raw); hint != "" {
			return t, fmt.Errorf("target %q: %s", t.Raw, hint)
		}
		if a, ok := nonStandardIPv4(addr); ok {
			return t, fmt.Errorf("target %q: %q is not a standard IPv4 address: write it as %s/%s", t.Raw, addr, a, bits)
		}
		return t, fmt.Errorf("target %q: invalid CIDR (want e.g. 10.0.0.0/24 or 2001:db8::/120)", t.Raw)
	}
	if p.Masked() != p {
		return t, fmt.Errorf("target %q: CIDR has host bits set (did you mean %s?)", t.Raw, canonicalPrefix(p.Masked()))
	}
	p = canonicalPrefix(p)
	if p.IsSingleIP() {
		if why := notHostAddr(p.Addr()); why != "" {
			return t, fmt.Errorf("target %q: %s", t.Raw, why)
		}
	}
	for _, m := range []netip.Prefix{multicast4, multicast6} {
		if m.Bits() <= p.Bits() && m.Contains(p.Addr()) {
			return t, fmt.Errorf("target %q: %s holds only multicast addresses, not host addresses", t.Raw, p)
		}
	}
	t.Kind, t.Prefix, t.Host = KindCIDR, p, p.Addr().String()
	return t, nil
}

var hostName = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$`)

// urlHint explains a target with a slash that is no CIDR but looks like a URL typed wrong:
// "http//host" or "https:/host" (a scheme without "://"), or "host/path" (no scheme at all).
func urlHint(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "/")
	if ok {
		scheme = strings.TrimSuffix(scheme, ":")
		if _, known := schemePorts[strings.ToLower(scheme)]; known {
			return fmt.Sprintf("not a URL: did you mean %q?", scheme+"://"+strings.TrimLeft(rest, "/"))
		}
	}
	host, _, _ := strings.Cut(raw, "/")
	if hostName.MatchString(host) && strings.ContainsAny(strings.ToLower(host), "abcdefghijklmnopqrstuvwxyz") {
		return fmt.Sprintf("a URL needs a scheme (did you mean %q?)", "https://"+raw)
	}
	return ""
}

func parseURLTarget(t Target) (Target, error) {
	u, err := url.Parse(t.Raw)
	if err != nil {
		return t, fmt.Errorf("target %q: invalid URL: %v", t.Raw, errorText(err))
	}
	t.Kind = KindURL
	t.Scheme = strings.ToLower(u.Scheme)
	def, ok := schemePorts[t.Scheme]
	if !ok {
		return t, fmt.Errorf("target %q: unsupported scheme %q", t.Raw, u.Scheme)
	}
	if u.User != nil {
		// Credentials in a target would end up in reports and result files.
		return t, fmt.Errorf("target %q: URLs must not carry user names or passwords", redactURL(u))
	}
	if u.Hostname() == "" {
		return t, fmt.Errorf("target %q: URL has no host", t.Raw)
	}
	t.Port = def
	if p := u.Port(); p != "" {
		if t.Port, err = parsePort(t.Raw, p); err != nil {
			return t, err
		}
	}
	t.Path = u.EscapedPath()
	if t.Path == "" {
		t.Path = "/"
	}
	if u.RawQuery != "" {
		t.Path += "?" + u.RawQuery
	}
	return t, t.setHost(u.Hostname())
}

func redactURL(u *url.URL) string {
	c := *u
	c.User = url.User("REDACTED")
	return c.String()
}

func errorText(err error) string {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err.Error()
	}
	return err.Error()
}

func parsePort(raw, p string) (int, error) {
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("target %q: port %q out of range (1-65535)", raw, p)
	}
	return n, nil
}

// setHost records a host name or an address in its one canonical spelling (see addr.go).
func (t *Target) setHost(h string) error {
	a, name, err := parseHost(h)
	if err != nil {
		return fmt.Errorf("target %q: %w", t.Raw, err)
	}
	if !a.IsValid() {
		t.Host = name
		return nil
	}
	// Refuse before building the prefix: a prefix drops the zone.
	if why := notHostAddr(a); why != "" {
		return fmt.Errorf("target %q: %s", t.Raw, why)
	}
	t.Host = a.String()
	t.Prefix = netip.PrefixFrom(a, a.BitLen())
	return nil
}

// validHostname applies RFC 1123: dot-separated labels of letters, digits and inner hyphens
// (underscores tolerated, as internal DNS often has them), at most 253 characters.
func validHostname(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}
