package patch

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/telesra/telesra/checks"
)

// TestParseSSHFields checks the normalisation of SSH identification strings into product,
// version, distribution, release and package.
func TestParseSSHFields(t *testing.T) {
	tests := []struct {
		banner                                 string
		product, version, distro, release, pkg string
	}{
		{"SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6", "openssh", "8.9p1", "ubuntu", "", "8.9p1-3ubuntu0.6"},
		{"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3", "openssh", "9.2p1", "debian", "12", "9.2p1-2+deb12u3"},
		{"SSH-2.0-OpenSSH_7.4p1 Raspbian-10+deb9u7", "openssh", "7.4p1", "raspbian", "9", "7.4p1-10+deb9u7"},
		{"SSH-2.0-OpenSSH_7.4", "openssh", "7.4", "", "", ""},
		{"SSH-2.0-OpenSSH_9.7 FreeBSD-20240318", "openssh", "9.7", "freebsd", "", ""},
		{"SSH-2.0-OpenSSH_6.6.1_hpn13v11 FreeBSD-20140420", "openssh", "6.6.1", "freebsd", "", ""},
		{"SSH-2.0-OpenSSH_for_Windows_9.5", "openssh", "9.5", "", "", ""},
		{"SSH-2.0-dropbear_2022.83", "dropbear", "2022.83", "", "", ""},
		{"SSH-2.0-mod_sftp", "proftpd", "", "", "", ""},
		{"SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n", "openssh", "8.9p1", "ubuntu", "", "8.9p1-3ubuntu0.6"},
	}
	for _, tt := range tests {
		fps := ParseSSH(tt.banner)
		if len(fps) != 1 {
			t.Fatalf("%q: %d fingerprints", tt.banner, len(fps))
		}
		fp := fps[0]
		got := []string{fp.Product, fp.Version, fp.Distro, fp.Release, fp.Package}
		want := []string{tt.product, tt.version, tt.distro, tt.release, tt.pkg}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%q: got %q, want %q", tt.banner, got, want)
				break
			}
		}
		if fp.Source != SrcSSH || fp.Evidence == "" {
			t.Errorf("%q: source %q evidence %q", tt.banner, fp.Source, fp.Evidence)
		}
	}
	for _, notSSH := range []string{"", "HTTP/1.1 200 OK", "SSH-", "SSH-2.0-", "ssh-2.0-OpenSSH_9.2p1"} {
		if fps := ParseSSH(notSSH); len(fps) != 0 {
			t.Errorf("ParseSSH(%q) = %+v, want nothing", notSSH, fps)
		}
	}
}

// TestHostileBanners feeds what a hostile or broken server may send: escape sequences, control
// characters, invalid UTF-8, megabyte lines. Nothing may reach a report or terminal raw, and a huge
// banner must cost no more than a short one.
func TestHostileBanners(t *testing.T) {
	kb := embeddedKB(t)
	ansi := "\x1b[2J\x1b[31mpwned\x1b[0m\x07"
	huge := strings.Repeat("A", 1<<20)
	inputs := map[string][]Fingerprint{
		"ssh ansi in comment":   ParseSSH("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3 " + ansi),
		"ssh ansi in software":  ParseSSH("SSH-2.0-Evil" + ansi + "_1.0"),
		"ssh 1 MiB":             ParseSSH("SSH-2.0-OpenSSH_9.2p1 " + huge),
		"ssh 1 MiB software":    ParseSSH("SSH-2.0-" + huge),
		"server ansi":           ParseProductHeader(SrcServer, "nginx/1.16.1 "+ansi+"/1.0 ("+ansi+")"),
		"server 1 MiB":          ParseProductHeader(SrcServer, "Apache/2.4.6 ("+huge+")"),
		"server 1 MiB token":    ParseProductHeader(SrcServer, "A"+huge+"/1.0"),
		"server invalid utf8":   ParseProductHeader(SrcServer, "nginx/1.2\xff\xfe.3 (\xc3\x28)"),
		"greeting ansi":         ParseGreeting("220 (vsFTPd 3.0.3" + ansi + ")"),
		"greeting exim ansi":    ParseGreeting("220 " + ansi + " ESMTP Exim 4.87 " + ansi),
		"greeting 1 MiB":        ParseGreeting("220 " + huge + " ESMTP Exim 4.87"),
		"generator ansi":        ParseGenerator("WordPress" + ansi + " 6.4.2"),
		"generator 1 MiB":       ParseGenerator(huge),
		"bidi override":         ParseProductHeader(SrcServer, "nginx/1.16.1 (\u202eutnubU)"),
		"ssh nul and backspace": ParseSSH("SSH-2.0-OpenSSH_9.2p1\x00\x08 Debian-2"),
	}
	for name, fps := range inputs {
		t.Run(name, func(t *testing.T) {
			for _, fp := range fps {
				for field, v := range map[string]string{"product": fp.Product, "name": fp.Name, "version": fp.Version, "distro": fp.Distro,
					"release": fp.Release, "package": fp.Package, "evidence": fp.Evidence} {
					if strings.ContainsAny(v, "\x1b\x07\x00\x08\u202e") || !utf8.ValidString(v) {
						t.Errorf("%s %q carries raw control characters", field, v)
					}
					if len(v) > 1200 {
						t.Errorf("%s is %d bytes: a hostile banner must be cut", field, len(v))
					}
				}
			}
			// The assessment and its verdict line stay clean as well.
			for _, r := range Assess(kb, fps, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) {
				if l := r.Line(); l != checks.Clean(l, 0) {
					t.Errorf("verdict line %q is not clean", l)
				}
			}
		})
	}
	// The escape survives as visible text, so an assessor sees that the server tried.
	fps := ParseSSH("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3 " + ansi)
	if !strings.Contains(fps[0].Evidence, `\x1b[2J`) {
		t.Errorf("evidence %q should show the escape as \\x1b", fps[0].Evidence)
	}
}

// TestParseBannerIsCheapForHugeInput guards the bound: parsing a 1 MiB banner inspects at most
// maxBannerBytes, so it costs about what a short banner costs (measured by allocation, which
// does not depend on machine speed).
func TestParseBannerIsCheapForHugeInput(t *testing.T) {
	huge := "SSH-2.0-OpenSSH_9.2p1 " + strings.Repeat("x", 1<<20)
	allocs := testing.AllocsPerRun(5, func() { ParseSSH(huge) })
	short := testing.AllocsPerRun(5, func() { ParseSSH("SSH-2.0-OpenSSH_9.2p1 " + strings.Repeat("x", 900)) })
	if allocs > short+5 {
		t.Errorf("a 1 MiB banner allocates %.0f times, a short one %.0f: the input is not bounded", allocs, short)
	}
}

func TestParseHTTPHeaders(t *testing.T) {
	h := http.Header{}
	h.Set("Server", "Apache/2.4.7 (Ubuntu) PHP/5.5.9-1ubuntu4.29")
	h.Add("X-Powered-By", "PHP/5.5.9-1ubuntu4.29")
	h.Set("X-AspNet-Version", "4.0.30319")
	h.Set("X-OWA-Version", "15.1.2507.39")
	fps := ParseHTTP(h, "Joomla! - Open Source Content Management")
	want := map[string]string{"apache": "2.4.7", "php": "5.5.9", "asp.net": "4.0.30319", "exchange": "15.1.2507.39", "joomla!": ""}
	got := map[string]string{}
	for _, fp := range fps {
		got[fp.Product] = fp.Version
		if fp.Product == "php" && (fp.Distro != "ubuntu" || fp.Package != "5.5.9-1ubuntu4.29") {
			t.Errorf("php: distro %q package %q", fp.Distro, fp.Package)
		}
	}
	for p, v := range want {
		if gv, ok := got[p]; !ok || gv != v {
			t.Errorf("%s: got %q (present %v), want %q; all %v", p, gv, ok, v, got)
		}
	}
	if fps := ParseHTTP(http.Header{"X-Owa-Version": {"15.1; rm -rf"}}, ""); len(fps) != 0 {
		t.Errorf("a malformed X-OWA-Version must be ignored, got %+v", fps)
	}
}

func TestParseCertificate(t *testing.T) {
	cert := &x509.Certificate{Subject: pkix.Name{CommonName: "FGT60FTK20000000", Organization: []string{"Fortinet"}},
		Issuer: pkix.Name{CommonName: "support", Organization: []string{"Fortinet Ltd."}}}
	fps := ParseCertificate(cert)
	if len(fps) != 1 || fps[0].Product != "fortigate" || fps[0].Version != "" {
		t.Fatalf("got %+v", fps)
	}
	kb := embeddedKB(t)
	if p := kb.Lookup(fps[0].Product); p == nil || p.ID != "fortios" {
		t.Errorf("the certificate hint should resolve to FortiOS, got %v", p)
	}
	plain := &x509.Certificate{Subject: pkix.Name{CommonName: "portal.example.org"}, Issuer: pkix.Name{CommonName: "R11", Organization: []string{"Let's Encrypt"}}}
	if fps := ParseCertificate(plain); len(fps) != 0 {
		t.Errorf("a public certificate names no appliance, got %+v", fps)
	}
}

// TestRecognizerTechnologies covers products found by the web family's recognizer, where
// appliances' versions come from (FortiOS, PAN-OS): confidence follows the same rules.
func TestRecognizerTechnologies(t *testing.T) {
	kb := embeddedKB(t)
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	fps := FromTechnologies([]checks.Technology{
		{Product: "FortiOS", Vendor: "Fortinet", Version: "7.2.3", Source: "fortios-version-detect", Evidence: "login page hash"},
		{Product: "PAN-OS", Version: "10.2.9-h1", Source: "panos-detect"},
		{Product: "nginx", Version: "1.16.1", Source: "tech-detect"},
		{Product: "", Version: "1.0", Source: "junk"},
	})
	if len(fps) != 3 {
		t.Fatalf("%d fingerprints", len(fps))
	}
	byProduct := map[string]Report{}
	for _, r := range Assess(kb, fps, now) {
		byProduct[r.Product] = r
		if r.Disclosed {
			t.Errorf("%s: a recognizer's inference is not a disclosure by the server", r.Product)
		}
	}
	forti := byProduct["fortios"]
	var ids []string
	for _, v := range forti.Vulns {
		ids = append(ids, v.ID+" "+string(v.Confidence))
	}
	want := "CVE-2023-27997 potential,CVE-2024-21762 potential"
	if strings.Join(ids, ",") != want {
		t.Errorf("FortiOS 7.2.3: %v, want %s", ids, want)
	}
	if pan := byProduct["panos"]; len(pan.Vulns) != 0 {
		t.Errorf("PAN-OS 10.2.9-h1 has the CVE-2024-3400 fix, got %+v", pan.Vulns)
	}
	if n := byProduct["nginx"]; n.EOL == nil || n.EOL.Confidence != checks.Confirmed {
		t.Errorf("nginx 1.16.1 from a recognizer: EOL %+v", n.EOL)
	}
	// Merged with the Server header, one product remains and the header's disclosure counts.
	h := http.Header{"Server": {"nginx/1.16.1"}}
	rs := Assess(kb, append(ParseHTTP(h, ""), fps[2]), now)
	if len(rs) != 1 || !rs[0].Disclosed || len(rs[0].Sources) != 2 {
		t.Errorf("merged report: %+v", rs)
	}
}

// TestESMPackage: a package from Ubuntu Pro ESM carries "+esm" and is still supported even though
// the release is past standard support.
func TestESMPackage(t *testing.T) {
	kb := embeddedKB(t)
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rs := Assess(kb, ParseSSH("SSH-2.0-OpenSSH_7.6p1 Ubuntu-4ubuntu0.7+esm3"), now)
	if len(rs) != 1 || rs[0].EOL != nil || rs[0].Support != Supported {
		t.Errorf("ESM package: %+v", rs)
	}
}

// TestUnknownCycleOlderThanKnown: a version older than every branch the snapshot records is past
// end of life when the oldest recorded branch is.
func TestUnknownCycleOlderThanKnown(t *testing.T) {
	kb := embeddedKB(t)
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rs := Assess(kb, ParseProductHeader(SrcServer, "nginx/0.7.67"), now)
	if len(rs) != 1 || rs[0].EOL == nil || rs[0].EOL.Confidence != checks.Confirmed {
		t.Fatalf("nginx 0.7.67: %+v", rs)
	}
	// A release newer than the snapshot is never called end of life.
	rs = Assess(kb, ParseProductHeader(SrcServer, "nginx/1.33.2"), now)
	if len(rs) != 1 || rs[0].EOL != nil || rs[0].Support != Unknown {
		t.Fatalf("nginx 1.33.2: %+v", rs)
	}
}

func FuzzParseBanner(f *testing.F) {
	for _, s := range []string{
		"SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6", "SSH-1.99-OpenSSH_3.9p1", "SSH-2.0-dropbear_2019.78",
		"Apache/2.4.6 (CentOS) OpenSSL/1.0.2k-fips PHP/5.4.16", "nginx/1.18.0 (Ubuntu)", "Jetty(9.4.43.v20210629)",
		"220 mail ESMTP Exim 4.87", "* OK Cyrus IMAP v3.0.8-Debian-3.0.8-6+deb10u4 server ready", "PHP/7.2.24-0ubuntu0.18.04.17",
		"220 (vsFTPd 2.3.4)\x1b[31m", "WordPress 6.4.2",
	} {
		f.Add(s)
	}
	kb := embeddedKB(f)
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		var fps []Fingerprint
		fps = append(fps, ParseSSH(s)...)
		fps = append(fps, ParseSSH("SSH-2.0-"+s)...)
		fps = append(fps, ParseProductHeader(SrcServer, s)...)
		fps = append(fps, ParseGreeting(s)...)
		fps = append(fps, ParseGenerator(s)...)
		fps = append(fps, FromTechnologies([]checks.Technology{{Product: s, Version: s}})...)
		for _, fp := range fps {
			for _, v := range []string{fp.Product, fp.Name, fp.Version, fp.Distro, fp.Release, fp.Package, fp.Evidence} {
				if v != checks.Clean(v, 0) {
					t.Fatalf("uncleaned field %q from %q", v, s)
				}
			}
		}
		for _, r := range Assess(kb, fps, now) {
			if l := r.Line(); l != checks.Clean(l, 0) {
				t.Fatalf("uncleaned verdict %q", l)
			}
			for _, v := range r.Vulns {
				if v.Confidence != checks.Confirmed && v.Confidence != checks.Potential {
					t.Fatalf("confidence %q", v.Confidence)
				}
			}
		}
	})
}
