package patch

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestCompareOrders pins the orderings each ecosystem exists for.
func TestCompareOrders(t *testing.T) {
	tests := []struct {
		eco  Ecosystem
		a, b string
		want int
	}{
		// OpenSSH: portable suffixes, and Red Hat's/OpenBSD's bare release numbers.
		{OpenSSH, "9.2p1", "9.8p1", -1},
		{OpenSSH, "9.8p1", "9.8p2", -1},
		{OpenSSH, "9.8p2", "9.9p1", -1},
		{OpenSSH, "8.7", "8.7p1", 0},
		{OpenSSH, "8.7", "8.5p1", 1},
		{OpenSSH, "6.6.1p1", "6.6p1", 1},
		{OpenSSH, "10.0p1", "9.9p2", 1},
		{OpenSSH, "4.3p2", "4.4p1", -1},
		// Upstream: letter releases, hotfixes, pre-releases, prefixes.
		{Upstream, "1.0.2k", "1.0.2", 1},
		{Upstream, "1.0.2k", "1.0.2u", -1},
		{Upstream, "0.9.8zh", "0.9.8za", 1},
		{Upstream, "10.2.9-h1", "10.2.9", 1},
		{Upstream, "10.2.9-h1", "10.2.10", -1},
		{Upstream, "11.1.2-h3", "11.1.2-h12", -1},
		{Upstream, "3.0.0-alpha1", "3.0.0", -1},
		{Upstream, "3.0.0-beta2", "3.0.0-alpha9", 1},
		{Upstream, "1.0rc2", "1.0", -1},
		{Upstream, "9.0.0.M1", "9.0.0", -1},
		{Upstream, "v18.19.0", "18.19.0", 0},
		{Upstream, "1.22.1", "1.9.15", 1},
		{Upstream, "15.2.2562.17", "15.2.1544.4", 1},
		{Upstream, "2019.78", "2020.81", -1},
		// dpkg: epochs, revisions, tilde, Ubuntu and Debian security suffixes.
		{Deb, "1:9.2p1-2+deb12u3", "1:9.2p1-2+deb12u2", 1},
		{Deb, "1:9.2p1-2+deb12u10", "1:9.2p1-2+deb12u3", 1},
		{Deb, "1:9.2p1-2", "1:9.2p1-2+deb12u3", -1},
		{Deb, "1:8.9p1-3ubuntu0.6", "1:8.9p1-3ubuntu0.10", -1},
		{Deb, "1:9.6p1-3ubuntu13", "1:9.6p1-3ubuntu13.3", -1},
		{Deb, "1:1.0", "2.0", 1},
		{Deb, "2.4.62-1~deb11u1", "2.4.62-1", -1},
		{Deb, "1.0~rc1-1", "1.0-1", -1},
		{Deb, "7.6p1-4ubuntu0.7+esm3", "7.6p1-4ubuntu0.7", 1},
		// RPM: releases with dist tags, epochs, tilde and caret.
		{RPM, "8.7p1-38.el9_4.1", "8.7p1-38.el9", 1},
		{RPM, "8.7p1-38.el9", "8.7p1-34.el9", 1},
		{RPM, "1.0.1e-16.el6_5.7", "1.0.1e-16.el6_5.4", 1},
		{RPM, "1:1.20.1-14.el9", "1.22.1-1.el9", 1},
		{RPM, "1.0~rc1-1", "1.0-1", -1},
		{RPM, "1.0^git1-1", "1.0-1", 1},
		{RPM, "2.4.6-97.el7_9.1", "2.4.6-97.el7_9", 1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s_vs_%s", tt.eco, tt.a, tt.b), func(t *testing.T) {
			got, err := Compare(tt.eco, tt.a, tt.b)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Compare(%s, %q, %q) = %d, want %d", tt.eco, tt.a, tt.b, got, tt.want)
			}
			if back, _ := Compare(tt.eco, tt.b, tt.a); back != -tt.want {
				t.Errorf("Compare(%s, %q, %q) = %d, want %d", tt.eco, tt.b, tt.a, back, -tt.want)
			}
		})
	}
}

// TestParseVersionRejects covers input a banner or a feed may carry that is not a version.
func TestParseVersionRejects(t *testing.T) {
	bad := []struct {
		eco Ecosystem
		s   string
	}{
		{Upstream, ""},
		{Upstream, "latest"},
		{Upstream, "1.2 3"},
		{Upstream, "1.2\x1b[31m"},
		{Upstream, "1.2é"},
		{Upstream, strings.Repeat("1.", 100)},
		{OpenSSH, "p1"},
		{Deb, "a:1.0"},
		{Deb, "1:"},
		{Deb, "1.0-"},
		{Deb, "1:2:3"},
		{RPM, ":1.0"},
		{RPM, "1.0 el9"},
		{Ecosystem("semver"), "1.0"},
	}
	for _, b := range bad {
		if v, err := ParseVersion(b.eco, b.s); err == nil {
			t.Errorf("ParseVersion(%s, %q) = %v, want an error", b.eco, b.s, v)
		} else if !errors.Is(err, ErrVersion) {
			t.Errorf("ParseVersion(%s, %q): error %v does not wrap ErrVersion", b.eco, b.s, err)
		}
	}
}

// genVersion draws realistic versions of an ecosystem: what banners and feeds contain, with the
// separators and suffixes each ecosystem treats specially.
func genVersion(r *rand.Rand, eco Ecosystem) string {
	part := func() string {
		if r.IntN(6) == 0 {
			return fmt.Sprint(r.IntN(3000))
		}
		return fmt.Sprint(r.IntN(12))
	}
	n := 1 + r.IntN(4)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = part()
	}
	up := strings.Join(parts, ".")
	suffixes := map[Ecosystem][]string{
		Upstream: {"", "", "k", "zh", "-h1", "-h12", "-alpha1", "-rc2", ".M1", "+dfsg", "~rc1", "a"},
		OpenSSH:  {"", "p1", "p2", "p1", ""},
		Deb:      {"", "p1", "~rc1", "+dfsg", "a"},
		RPM:      {"", "p1", "~rc1", "^git1", "a"},
	}[eco]
	up += suffixes[r.IntN(len(suffixes))]
	switch eco {
	case Deb:
		revs := []string{"", "-1", "-2+deb12u3", "-3ubuntu0.10", "-1~deb11u1", "-0ubuntu0.18.04.17", "-4ubuntu0.7+esm3", "-2", "-10+deb9u7"}
		v := up + revs[r.IntN(len(revs))]
		if r.IntN(3) == 0 {
			v = fmt.Sprintf("%d:%s", r.IntN(3), v)
		}
		return v
	case RPM:
		rels := []string{"", "-1", "-38.el9", "-38.el9_4.1", "-16.el6_5.7", "-97.el7_9.1", "-1.fc40", "-3.amzn2"}
		v := up + rels[r.IntN(len(rels))]
		if r.IntN(4) == 0 {
			v = fmt.Sprintf("%d:%s", r.IntN(3), v)
		}
		return v
	}
	return up
}

// TestCompareTotalOrder checks, on versions drawn the way banners and feeds write them, that each
// ecosystem's comparison is a total order: reflexive, antisymmetric, transitive, and that parsing
// the string a Version prints gives back an equal Version (round trip).
func TestCompareTotalOrder(t *testing.T) {
	for _, eco := range []Ecosystem{Upstream, OpenSSH, Deb, RPM} {
		t.Run(string(eco), func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(len(eco))))
			var vs []Version
			for len(vs) < 160 {
				s := genVersion(r, eco)
				v, err := ParseVersion(eco, s)
				if err != nil {
					t.Fatalf("generated %q does not parse: %v", s, err)
				}
				vs = append(vs, v)
			}
			for _, a := range vs {
				if a.Compare(a) != 0 {
					t.Fatalf("%q != itself", a)
				}
				back, err := ParseVersion(eco, a.String())
				if err != nil || back.Compare(a) != 0 || back.String() != a.String() {
					t.Fatalf("round trip of %q gave %q (%v)", a, back, err)
				}
				for _, b := range vs {
					if a.Compare(b) != -b.Compare(a) {
						t.Fatalf("antisymmetry: %q vs %q = %d, reverse %d", a, b, a.Compare(b), b.Compare(a))
					}
				}
			}
			// Transitivity: sort, then every later element is >= every earlier one.
			sorted := slices.Clone(vs)
			slices.SortFunc(sorted, Version.Compare)
			for i := range sorted {
				for j := i + 1; j < len(sorted); j++ {
					if sorted[i].Compare(sorted[j]) > 0 {
						t.Fatalf("not transitive: %q sorted before %q but compares greater", sorted[i], sorted[j])
					}
				}
			}
		})
	}
}

// checkOrderProperties is the fuzz oracle: for any three strings that parse, the comparison must
// behave as a total order and survive a round trip.
func checkOrderProperties(t *testing.T, eco Ecosystem, a, b, c string) {
	va, errA := ParseVersion(eco, a)
	vb, errB := ParseVersion(eco, b)
	vc, errC := ParseVersion(eco, c)
	for _, e := range []error{errA, errB, errC} {
		if e != nil && !errors.Is(e, ErrVersion) {
			t.Fatalf("parse error %v does not wrap ErrVersion", e)
		}
	}
	if errA != nil || errB != nil || errC != nil {
		return
	}
	if va.Compare(va) != 0 {
		t.Fatalf("%q != itself", a)
	}
	if va.Compare(vb) != -vb.Compare(va) {
		t.Fatalf("antisymmetry: %q vs %q", a, b)
	}
	if va.Compare(vb) <= 0 && vb.Compare(vc) <= 0 && va.Compare(vc) > 0 {
		t.Fatalf("transitivity: %q <= %q <= %q but %q > %q", a, b, c, a, c)
	}
	if back, err := ParseVersion(eco, va.String()); err != nil || back.Compare(va) != 0 {
		t.Fatalf("round trip of %q: %v", a, err)
	}
}

func FuzzCompareUpstream(f *testing.F) {
	for _, s := range [][3]string{{"1.0.2k", "1.0.2", "1.0.2u"}, {"10.2.9-h1", "10.2.10", "3.0.0-alpha1"}, {"9.2p1", "9.2", "v18.19.0"}, {"1.0rc2", "1.0", "9.0.0.M1"}} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, a, b, c string) {
		checkOrderProperties(t, Upstream, a, b, c)
		checkOrderProperties(t, OpenSSH, a, b, c)
	})
}

func FuzzCompareDeb(f *testing.F) {
	for _, s := range [][3]string{{"1:9.2p1-2+deb12u3", "1:9.2p1-2", "9.2p1"}, {"1:8.9p1-3ubuntu0.10", "1.0~rc1-1", "2.4.62-1~deb11u1"}} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, a, b, c string) { checkOrderProperties(t, Deb, a, b, c) })
}

func FuzzCompareRPM(f *testing.F) {
	for _, s := range [][3]string{{"8.7p1-38.el9_4.1", "8.7p1-38.el9", "1:1.0-1"}, {"1.0~rc1-1", "1.0^git1-1", "1.0-1"}} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, a, b, c string) { checkOrderProperties(t, RPM, a, b, c) })
}
