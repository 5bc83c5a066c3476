package patch

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	debversion "github.com/knqyf263/go-deb-version"
	rpmversion "github.com/knqyf263/go-rpm-version"
)

// Ecosystem names one way of ordering version strings. A banner's upstream version, a Debian
// package revision and an RPM release each have their own rules, and comparing one with the rules
// of another gives wrong answers ("9.2p1" < "9.2" under semver, "1.0.2k" a pre-release).
type Ecosystem string

const (
	// Upstream orders vendor release numbers: 1.22.1, 1.0.2k (OpenSSL letter releases sort
	// after 1.0.2), 10.2.9-h1 (a PAN-OS hotfix sorts after 10.2.9), v18.19.0, 3.0.0-alpha1 and
	// 9.0.0.M1 (pre-releases sort before the release).
	Upstream Ecosystem = "upstream"
	// OpenSSH orders OpenSSH releases: 9.2p1 < 9.2p2 < 9.3p1. A version without a portable
	// suffix (OpenBSD's own "9.8", Red Hat's "8.7") is the same release as its p1.
	OpenSSH Ecosystem = "openssh"
	// Deb orders Debian and Ubuntu package versions: [epoch:]upstream[-revision], with ~
	// sorting before everything (dpkg --compare-versions).
	Deb Ecosystem = "deb"
	// RPM orders Red Hat family package versions: [epoch:]version[-release] (rpmvercmp).
	RPM Ecosystem = "rpm"
)

// maxVersionLen bounds what we parse: real versions are short, and a hostile banner must not make
// a comparison expensive.
const maxVersionLen = 128

// Version is a version string parsed in one ecosystem. The zero Version is invalid.
type Version struct {
	eco Ecosystem
	raw string
	deb debversion.Version // Deb, and Upstream/OpenSSH after normalisation
	rpm rpmversion.Version
}

// ErrVersion is wrapped by every parse error.
var ErrVersion = errors.New("invalid version")

// ParseVersion parses s in ecosystem eco.
func ParseVersion(eco Ecosystem, s string) (Version, error) {
	v := Version{eco: eco, raw: s}
	if s == "" || len(s) > maxVersionLen {
		return Version{}, fmt.Errorf("%w %q: empty or longer than %d bytes", ErrVersion, trimForError(s), maxVersionLen)
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return Version{}, fmt.Errorf("%w %q: control, space or non-ASCII character", ErrVersion, trimForError(s))
		}
	}
	switch eco {
	case Upstream, OpenSSH:
		n, err := normaliseUpstream(s, eco == OpenSSH)
		if err != nil {
			return Version{}, err
		}
		d, err := debversion.NewVersion(n)
		if err != nil {
			return Version{}, fmt.Errorf("%w %q: %v", ErrVersion, s, err)
		}
		v.deb = d
	case Deb:
		if !debRE.MatchString(s) || strings.HasSuffix(s, "-") {
			return Version{}, fmt.Errorf("%w %q: not a Debian package version", ErrVersion, s)
		}
		d, err := debversion.NewVersion(s)
		if err != nil {
			return Version{}, fmt.Errorf("%w %q: %v", ErrVersion, s, err)
		}
		v.deb = d
	case RPM:
		if !rpmRE.MatchString(s) || strings.HasSuffix(s, "-") {
			return Version{}, fmt.Errorf("%w %q: not an RPM version", ErrVersion, s)
		}
		v.rpm = rpmversion.NewVersion(s)
	default:
		return Version{}, fmt.Errorf("%w: unknown ecosystem %q", ErrVersion, eco)
	}
	return v, nil
}

// MustVersion is ParseVersion for literals in tests and tables.
func MustVersion(eco Ecosystem, s string) Version {
	v, err := ParseVersion(eco, s)
	if err != nil {
		panic(err)
	}
	return v
}

// String is the version as written.
func (v Version) String() string { return v.raw }

// Ecosystem is the ordering the version was parsed in.
func (v Version) Ecosystem() Ecosystem { return v.eco }

// IsZero reports the zero (invalid) Version.
func (v Version) IsZero() bool { return v.eco == "" }

// Compare orders v and w: -1, 0 or +1. Versions of different ecosystems do not compare; Compare
// panics on them because that is a programming error, not bad input.
func (v Version) Compare(w Version) int {
	if v.eco != w.eco || v.eco == "" {
		panic(fmt.Sprintf("patch: comparing %q (%s) with %q (%s)", v.raw, v.eco, w.raw, w.eco))
	}
	var c int
	if v.eco == RPM {
		c = v.rpm.Compare(w.rpm)
	} else {
		c = v.deb.Compare(w.deb)
	}
	switch {
	case c < 0:
		return -1
	case c > 0:
		return 1
	}
	return 0
}

// Compare parses a and b in eco and orders them.
func Compare(eco Ecosystem, a, b string) (int, error) {
	va, err := ParseVersion(eco, a)
	if err != nil {
		return 0, err
	}
	vb, err := ParseVersion(eco, b)
	if err != nil {
		return 0, err
	}
	return va.Compare(vb), nil
}

var (
	// dpkg: optional numeric epoch, then upstream[-revision] starting with a digit, in the
	// characters deb-version(5) allows (no further colons).
	debRE = regexp.MustCompile(`^(?:[0-9]{1,9}:)?[0-9][A-Za-z0-9.+~-]*$`)
	// RPM: optional numeric epoch, then version[-release] of alphanumerics and separators.
	rpmRE = regexp.MustCompile(`^(?:[0-9]{1,9}:)?[A-Za-z0-9][A-Za-z0-9._+~^-]*$`)

	upstreamCharsRE = regexp.MustCompile(`^[0-9][0-9a-z.+~]*$`)
	// A pre-release marker after a number: 3.0.0-alpha1, 1.0rc2, 9.0.0.M1, 2.0-beta.
	preReleaseRE = regexp.MustCompile(`([0-9])[-_.]?(alpha|beta|rc|pre|preview|dev)([0-9]*)`)
	milestoneRE  = regexp.MustCompile(`([0-9])[-_.]m([0-9]+)`)
	portableRE   = regexp.MustCompile(`p[0-9]+$`)
	plainRE      = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*$`)
)

// normaliseUpstream rewrites a vendor version into a dpkg upstream version that orders the way the
// vendor means it. No library orders vendor versions this way (semver libraries read "1.0.2k" and
// "9.2p1" as pre-releases), while dpkg's well-tested algorithm does once pre-release markers
// become "~" and hotfix dashes become dots.
func normaliseUpstream(s string, openssh bool) (string, error) {
	n := strings.ToLower(s)
	n = strings.TrimPrefix(n, "v")
	n = preReleaseRE.ReplaceAllString(n, "$1~$2$3")
	n = milestoneRE.ReplaceAllString(n, "$1~m$2")
	n = strings.NewReplacer("-", ".", "_", ".").Replace(n)
	if !upstreamCharsRE.MatchString(n) {
		return "", fmt.Errorf("%w %q: want digits, letters and . + ~ - _, starting with a digit", ErrVersion, trimForError(s))
	}
	if openssh && plainRE.MatchString(n) && !portableRE.MatchString(n) {
		n += "p1"
	}
	return n, nil
}

func trimForError(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}
