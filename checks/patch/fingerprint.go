package patch

import (
	"crypto/x509"
	"net/http"
	"regexp"
	"strings"

	"github.com/telesra/telesra/checks"
)

// Fingerprint is one product an endpoint revealed, normalised, with the raw evidence kept.
type Fingerprint struct {
	// Product is the name as announced, lower case ("openssh", "microsoft-iis"); the knowledge
	// base resolves it to a product through its aliases.
	Product string `json:"product"`
	Name    string `json:"name"`              // as announced, for people ("Microsoft-IIS")
	Version string `json:"version,omitempty"` // upstream version as announced ("8.9p1")
	// Distro is the distribution the banner names ("ubuntu", "centos", "red hat enterprise
	// linux"), lower case; Release is its release when the banner tells it ("12" from
	// "+deb12u3", "18.04" from "ubuntu0.18.04").
	Distro  string `json:"distro,omitempty"`
	Release string `json:"release,omitempty"`
	// Package is the distribution package version the banner gives, without the epoch
	// ("8.9p1-3ubuntu0.6").
	Package  string `json:"package,omitempty"`
	Platform string `json:"platform,omitempty"` // "windows" when the banner says so
	Source   string `json:"source"`             // ssh-banner, http-server, x-powered-by, smtp-greeting, ...
	Evidence string `json:"evidence"`           // the text it came from, cleaned
	// Disclosed: the service announced the version itself (a banner or header), as opposed to a
	// version inferred by a recognizer.
	Disclosed bool `json:"disclosed"`
}

// Fingerprint sources.
const (
	SrcSSH         = "ssh-banner"
	SrcServer      = "http-server"
	SrcPoweredBy   = "x-powered-by"
	SrcAspNet      = "x-aspnet-version"
	SrcOWA         = "x-owa-version"
	SrcGenerator   = "generator"
	SrcGreeting    = "greeting"
	SrcCertificate = "certificate"
	SrcRecognizer  = "recognizer"
)

// maxBannerBytes bounds what the parsers look at. Real banners are short (SSH allows 255 bytes); a
// hostile server sending a megabyte line must not cost more than this.
const maxBannerBytes = 1024

// bound cuts s to its first line and maxBannerBytes.
func bound(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > maxBannerBytes {
		s = s[:maxBannerBytes]
	}
	return s
}

// evidence is the cleaned form of raw text kept with a fingerprint.
func evidence(s string) string { return checks.Clean(s, 300) }

var (
	sshIdentRE     = regexp.MustCompile(`^SSH-([0-9.]+)-(\S+)(?:[ \t]+(.*))?$`)
	opensshRE      = regexp.MustCompile(`^OpenSSH_(for_Windows_)?([0-9]+(?:\.[0-9]+)*(?:p[0-9]+)?)`)
	sshSoftwareRE  = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9.]*?)[_/-]v?([0-9]+(?:\.[0-9]+)*[a-z0-9]*)`)
	sshCommentRE   = regexp.MustCompile(`^(Ubuntu|Debian|Raspbian|FreeBSD|NetBSD)-(\S+)`)
	debMarkerRE    = regexp.MustCompile(`[+~]deb([0-9]{1,2})u[0-9]+`)
	ubuntuMarkerRE = regexp.MustCompile(`ubuntu[0-9.]*?(1[4-9]\.(?:04|10)|2[0-9]\.(?:04|10))`)
	elMarkerRE     = regexp.MustCompile(`\.el([0-9]{1,2})(?:[_.]|$)`)
	amznMarkerRE   = regexp.MustCompile(`\.amzn([0-9]{1,4})`)
	versionRE      = regexp.MustCompile(`^v?([0-9]+(?:\.[0-9A-Za-z]+)*)(.*)$`)
)

// ParseSSH reads an SSH identification string ("SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6").
func ParseSSH(banner string) []Fingerprint {
	raw := bound(banner)
	m := sshIdentRE.FindStringSubmatch(raw)
	if m == nil {
		return nil
	}
	software, comments := m[2], m[3]
	fp := Fingerprint{Source: SrcSSH, Evidence: evidence(raw), Name: software}
	if strings.HasPrefix(software, "mod_sftp") {
		// ProFTPD's SFTP module: "mod_sftp" or "mod_sftp/0.9.9".
		fp.Product, fp.Name = "proftpd", "ProFTPD mod_sftp"
		if _, v, ok := strings.Cut(software, "/"); ok {
			fp.Name += " " + v
		}
	} else if o := opensshRE.FindStringSubmatch(software); o != nil {
		fp.Product, fp.Name, fp.Version = "openssh", "OpenSSH", o[2]
		if o[1] != "" {
			fp.Platform = "windows"
		}
	} else if s := sshSoftwareRE.FindStringSubmatch(software); s != nil {
		fp.Product, fp.Name, fp.Version = strings.ToLower(s[1]), s[1], s[2]
	} else {
		name := software
		if i := strings.IndexAny(name, "_/"); i > 0 {
			name = name[:i]
		}
		fp.Product, fp.Name = strings.ToLower(name), name
	}
	fp.Name = checks.Clean(fp.Name, 60)
	fp.Product = checks.Clean(fp.Product, 60)
	if c := sshCommentRE.FindStringSubmatch(comments); c != nil {
		fp.Distro = strings.ToLower(c[1])
		if fp.Distro == "ubuntu" || fp.Distro == "debian" || fp.Distro == "raspbian" {
			if fp.Version != "" && validPackageRevision(c[2]) {
				fp.Package = fp.Version + "-" + c[2]
				fp.Release = releaseFromPackage(fp.Package)
			}
		}
	}
	fp.Disclosed = fp.Version != ""
	return []Fingerprint{fp}
}

var revisionRE = regexp.MustCompile(`^[0-9A-Za-z.+~]{1,64}$`)

func validPackageRevision(s string) bool { return revisionRE.MatchString(s) }

// releaseFromPackage reads the distribution release from a package version's markers:
// "+deb12u3" is Debian 12, "ubuntu0.18.04" is Ubuntu 18.04, ".el9_4" is RHEL 9.
func releaseFromPackage(pkg string) string {
	if m := debMarkerRE.FindStringSubmatch(pkg); m != nil {
		return m[1]
	}
	if m := ubuntuMarkerRE.FindStringSubmatch(pkg); m != nil {
		return m[1]
	}
	if m := elMarkerRE.FindStringSubmatch(pkg); m != nil {
		return m[1]
	}
	if m := amznMarkerRE.FindStringSubmatch(pkg); m != nil {
		return m[1]
	}
	return ""
}

// distroFromPackage names the distribution a package version's suffix belongs to.
func distroFromPackage(pkg string) string {
	l := strings.ToLower(pkg)
	switch {
	case strings.Contains(l, "ubuntu"):
		return "ubuntu"
	case debMarkerRE.MatchString(l), strings.Contains(l, "+deb"), strings.Contains(l, "debian"):
		return "debian"
	case elMarkerRE.MatchString(l):
		return "rhel"
	case amznMarkerRE.MatchString(l):
		return "amazon"
	}
	return ""
}

// splitVersion separates an announced version from a distribution package suffix:
// "8.1.2-1ubuntu2.14" is PHP 8.1.2 in Ubuntu package 8.1.2-1ubuntu2.14; "1.0.2k-fips" is
// OpenSSL 1.0.2k built for FIPS (a Red Hat family build); "10.2.9-h1" stays whole (a PAN-OS
// hotfix is part of the version).
func splitVersion(s string) (version, pkg, distro string, fips bool) {
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return "", "", "", false
	}
	version, rest := m[1], m[2]
	if rest == "" {
		return version, "", "", false
	}
	lrest := strings.ToLower(rest)
	if lrest == "-fips" {
		return version, "", "", true
	}
	if d := distroFromPackage(lrest); d != "" && (rest[0] == '-' || rest[0] == '+' || rest[0] == '~') && validPackageRevision(rest[1:]) {
		return version, version + rest, d, false
	}
	// Anything else that looks like part of a version (hotfix "-h1", "+dfsg") stays with it.
	if (rest[0] == '-' || rest[0] == '+' || rest[0] == '~') && validPackageRevision(rest[1:]) && len(rest) <= 16 {
		return version + rest, "", "", false
	}
	return version, "", "", false
}

// productToken is one "Name/Version" of a Server or X-Powered-By header.
type productToken struct{ name, version string }

var (
	tokenRE   = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9._!+-]*)(?:/(\S*))?$`)
	jettyRE   = regexp.MustCompile(`\bJetty\(([^()\s]{1,60})\)`)
	commentRE = regexp.MustCompile(`\(([^()]{1,80})\)`)
)

// splitHeader cuts a product-list header ("Apache/2.4.6 (CentOS) OpenSSL/1.0.2k-fips PHP/5.4.16")
// into its product tokens and parenthesised comments.
func splitHeader(v string) ([]productToken, []string) {
	v = jettyRE.ReplaceAllString(v, "Jetty/$1") // Jetty writes its version in parentheses
	var comments []string
	for _, m := range commentRE.FindAllStringSubmatch(v, 8) {
		comments = append(comments, strings.TrimSpace(m[1]))
	}
	stripped := commentRE.ReplaceAllString(v, " ")
	var toks []productToken
	for _, f := range strings.Fields(stripped) {
		if len(toks) >= 8 {
			break
		}
		if m := tokenRE.FindStringSubmatch(f); m != nil {
			toks = append(toks, productToken{m[1], m[2]})
		}
	}
	return toks, comments
}

// distroComments maps the comments servers print after their version to a distribution or a
// platform.
func distroComment(comments []string) (distro, platform string) {
	for _, c := range comments {
		l := strings.ToLower(strings.TrimSpace(c))
		switch {
		case l == "win64" || l == "win32" || strings.HasPrefix(l, "windows"):
			platform = "windows"
		case l == "unix" || l == "linux" || strings.Contains(l, "openssl"):
		case l == "debian gnu/linux":
			distro = "debian"
		case l == "linux/suse":
			distro = "suse"
		default:
			if distro == "" {
				distro = l
			}
		}
	}
	return distro, platform
}

// ParseProductHeader reads a Server or X-Powered-By header.
func ParseProductHeader(source, value string) []Fingerprint {
	raw := bound(value)
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	toks, comments := splitHeader(raw)
	distro, platform := distroComment(comments)
	distro = checks.Clean(distro, 40)
	var out []Fingerprint
	for _, t := range toks {
		name := t.name
		if name == "xxxxxxxx-xxxxx" {
			name = "FortiGate" // FortiOS's administrative interface replaces its Server header with this
		}
		fp := Fingerprint{Product: strings.ToLower(name), Name: checks.Clean(name, 60), Source: source, Evidence: evidence(raw),
			Distro: distro, Platform: platform}
		if t.version != "" {
			v, pkg, d, _ := splitVersion(t.version)
			fp.Version = checks.Clean(v, 60)
			if pkg != "" {
				fp.Package = checks.Clean(pkg, 80)
				if fp.Distro == "" {
					fp.Distro = d
				}
				fp.Release = releaseFromPackage(pkg)
			}
		}
		fp.Product = checks.Clean(fp.Product, 60)
		fp.Disclosed = fp.Version != ""
		out = append(out, fp)
	}
	return out
}

var (
	generatorRE = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9!._ -]*?)\s+v?([0-9]+(?:\.[0-9]+)*)\b`)
	owaRE       = regexp.MustCompile(`^[0-9]+(\.[0-9]+){1,3}$`)
)

// ParseGenerator reads a generator meta tag or X-Generator header ("WordPress 6.4.2",
// "Drupal 10 (https://www.drupal.org)").
func ParseGenerator(value string) []Fingerprint {
	raw := bound(value)
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	fp := Fingerprint{Source: SrcGenerator, Evidence: evidence(raw)}
	if m := generatorRE.FindStringSubmatch(raw); m != nil {
		fp.Name, fp.Version = strings.TrimSpace(m[1]), m[2]
	} else {
		name := raw
		if i := strings.IndexAny(name, "-(,;"); i > 0 {
			name = name[:i]
		}
		fp.Name = strings.TrimSpace(name)
	}
	if fp.Name == "" {
		return nil
	}
	fp.Name = checks.Clean(fp.Name, 60)
	fp.Product = strings.ToLower(fp.Name)
	fp.Disclosed = fp.Version != ""
	return []Fingerprint{fp}
}

// ParseHTTP reads the product headers of a response and the generator tag of its page.
func ParseHTTP(h http.Header, generator string) []Fingerprint {
	var out []Fingerprint
	if v := h.Get("Server"); v != "" {
		out = append(out, ParseProductHeader(SrcServer, v)...)
	}
	for _, v := range h.Values("X-Powered-By") {
		out = append(out, ParseProductHeader(SrcPoweredBy, v)...)
	}
	if v := strings.TrimSpace(bound(h.Get("X-AspNet-Version"))); v != "" {
		out = append(out, Fingerprint{Product: "asp.net", Name: "ASP.NET", Version: versionOnly(v), Source: SrcAspNet,
			Evidence: evidence("X-AspNet-Version: " + v), Disclosed: versionOnly(v) != ""})
	}
	if v := strings.TrimSpace(bound(h.Get("X-AspNetMvc-Version"))); v != "" {
		out = append(out, Fingerprint{Product: "asp.net mvc", Name: "ASP.NET MVC", Version: versionOnly(v), Source: SrcAspNet,
			Evidence: evidence("X-AspNetMvc-Version: " + v), Disclosed: versionOnly(v) != ""})
	}
	if v := strings.TrimSpace(bound(h.Get("X-OWA-Version"))); v != "" && owaRE.MatchString(v) {
		out = append(out, Fingerprint{Product: "exchange", Name: "Microsoft Exchange", Version: v, Source: SrcOWA,
			Evidence: evidence("X-OWA-Version: " + v), Disclosed: true})
	}
	if v := strings.TrimSpace(bound(h.Get("MicrosoftSharePointTeamServices"))); v != "" {
		out = append(out, Fingerprint{Product: "sharepoint", Name: "Microsoft SharePoint", Version: versionOnly(v), Source: SrcServer,
			Evidence: evidence("MicrosoftSharePointTeamServices: " + v), Disclosed: versionOnly(v) != ""})
	}
	for _, g := range []string{h.Get("X-Generator"), generator} {
		out = append(out, ParseGenerator(g)...)
	}
	return out
}

func versionOnly(s string) string {
	v, _, _, _ := splitVersion(strings.TrimSpace(s))
	return checks.Clean(v, 60)
}

// greeting is one pattern of a server-first protocol's greeting.
type greeting struct {
	re      *regexp.Regexp
	product string
	name    string
	version int // submatch index of the version, 0 for none
	distro  int // submatch index of a distribution comment, 0 for none
}

var greetings = []greeting{
	// SMTP
	{regexp.MustCompile(`\bESMTP Exim ([0-9][0-9.]*)`), "exim", "Exim", 1, 0},
	{regexp.MustCompile(`\bESMTP Postfix(?: \(([^)]{1,40})\))?`), "postfix", "Postfix", 0, 1},
	{regexp.MustCompile(`\bSendmail ([0-9][0-9.]*)(?:/[0-9.]+)?`), "sendmail", "Sendmail", 1, 0},
	{regexp.MustCompile(`Microsoft ESMTP MAIL Service, Version: ([0-9.]+)`), "microsoft esmtp mail service", "Microsoft SMTP service", 1, 0},
	{regexp.MustCompile(`Microsoft ESMTP MAIL Service`), "microsoft esmtp", "Microsoft ESMTP (Exchange or IIS SMTP)", 0, 0},
	{regexp.MustCompile(`\bOpenSMTPD\b`), "opensmtpd", "OpenSMTPD", 0, 0},
	{regexp.MustCompile(`MailEnable Service, Version: ([0-9][0-9.-]*)`), "mailenable", "MailEnable", 1, 0},
	{regexp.MustCompile(`\bMDaemon ([0-9][0-9.]*)`), "mdaemon", "MDaemon", 1, 0},
	{regexp.MustCompile(`Kerio Connect ([0-9][0-9.]*)`), "kerio connect", "Kerio Connect", 1, 0},
	{regexp.MustCompile(`\bHaraka/([0-9][0-9.]*)`), "haraka", "Haraka", 1, 0},
	{regexp.MustCompile(`\bhMailServer\b`), "hmailserver", "hMailServer", 0, 0},
	// FTP
	{regexp.MustCompile(`\(vsFTPd ([0-9][0-9.]*)\)`), "vsftpd", "vsftpd", 1, 0},
	{regexp.MustCompile(`ProFTPD ([0-9][0-9.]*[a-z]?[0-9]*) Server(?: \(([^)]{1,40})\))?`), "proftpd", "ProFTPD", 1, 2},
	{regexp.MustCompile(`\bProFTPD\b`), "proftpd", "ProFTPD", 0, 0},
	{regexp.MustCompile(`FileZilla Server(?: version)? ([0-9][0-9.]*)`), "filezilla server", "FileZilla Server", 1, 0},
	{regexp.MustCompile(`\bPure-FTPd\b`), "pure-ftpd", "Pure-FTPd", 0, 0},
	{regexp.MustCompile(`Microsoft FTP Service`), "microsoft ftp service", "Microsoft FTP Service", 0, 0},
	{regexp.MustCompile(`Serv-U FTP Server v([0-9][0-9.]*)`), "serv-u", "Serv-U", 1, 0},
	// POP3 and IMAP
	{regexp.MustCompile(`\bDovecot(?: \(([^)]{1,40})\))? ready`), "dovecot", "Dovecot", 0, 1},
	{regexp.MustCompile(`Cyrus (?:IMAP4?|POP3) v([0-9][0-9.]*)(?:-(\S+))?`), "cyrus imap", "Cyrus IMAP", 1, 0},
	{regexp.MustCompile(`Microsoft Exchange (?:POP3|IMAP4) service is ready`), "exchange", "Microsoft Exchange", 0, 0},
	{regexp.MustCompile(`\bCourier-IMAP\b`), "courier-imap", "Courier-IMAP", 0, 0},
	{regexp.MustCompile(`Qpopper \(version ([0-9][0-9.]*)\)`), "qpopper", "Qpopper", 1, 0},
}

// ParseGreeting reads the greeting of an SMTP, FTP, POP3 or IMAP server.
func ParseGreeting(line string) []Fingerprint {
	raw := bound(line)
	for _, g := range greetings {
		m := g.re.FindStringSubmatch(raw)
		if m == nil {
			continue
		}
		fp := Fingerprint{Product: g.product, Name: g.name, Source: SrcGreeting, Evidence: evidence(raw)}
		if g.version > 0 {
			fp.Version = checks.Clean(strings.TrimSuffix(m[g.version], "."), 40)
		}
		if g.distro > 0 && m[g.distro] != "" {
			fp.Distro = checks.Clean(strings.ToLower(m[g.distro]), 40)
		}
		if g.product == "cyrus imap" && len(m) > 2 && m[2] != "" {
			// "v3.0.8-Debian-3.0.8-6+deb10u4": the package version follows the distribution name.
			if d, pkg, ok := strings.Cut(m[2], "-"); ok && validPackageRevision(strings.ReplaceAll(pkg, "-", ".")) {
				fp.Distro, fp.Package = checks.Clean(strings.ToLower(d), 40), checks.Clean(pkg, 80)
				fp.Release = releaseFromPackage(pkg)
			}
		}
		fp.Disclosed = fp.Version != ""
		return []Fingerprint{fp}
	}
	return nil
}

// certificateHints are organisation or common-name fragments that name an appliance. A
// certificate never gives the version; it tells what the device is when nothing else does.
var certificateHints = []struct{ fragment, product, name string }{
	{"fortinet", "fortigate", "Fortinet FortiGate"},
	{"fortigate", "fortigate", "Fortinet FortiGate"},
	{"palo alto networks", "pan-os", "Palo Alto Networks PAN-OS"},
	{"sonicwall", "sonicwall", "SonicWall"},
	{"sophos", "sophos", "Sophos firewall"},
	{"watchguard", "watchguard", "WatchGuard Firebox"},
	{"synology", "synology", "Synology DiskStation"},
	{"qnap", "qnap", "QNAP NAS"},
	{"idrac", "idrac", "Dell iDRAC"},
	{"vmware", "vmware", "VMware"},
	{"plesk", "plesk", "Plesk"},
	{"ubiquiti", "ubiquiti", "Ubiquiti"},
}

// ParseCertificate returns the appliance a certificate's subject or issuer names, if any.
func ParseCertificate(cert *x509.Certificate) []Fingerprint {
	if cert == nil {
		return nil
	}
	var names []string
	for _, n := range []struct {
		org, ou []string
		cn      string
	}{{cert.Subject.Organization, cert.Subject.OrganizationalUnit, cert.Subject.CommonName},
		{cert.Issuer.Organization, cert.Issuer.OrganizationalUnit, cert.Issuer.CommonName}} {
		names = append(names, n.org...)
		names = append(names, n.ou...)
		names = append(names, n.cn)
	}
	for _, h := range certificateHints {
		for _, n := range names {
			if strings.Contains(strings.ToLower(n), h.fragment) {
				return []Fingerprint{{Product: h.product, Name: h.name, Source: SrcCertificate,
					Evidence: evidence("certificate subject " + cert.Subject.String() + ", issuer " + cert.Issuer.String())}}
			}
		}
	}
	return nil
}

// FromTechnologies turns what a Recognizer found into fingerprints.
func FromTechnologies(ts []checks.Technology) []Fingerprint {
	var out []Fingerprint
	for _, t := range ts {
		if strings.TrimSpace(t.Product) == "" {
			continue
		}
		fp := Fingerprint{
			Product: strings.ToLower(checks.Clean(t.Product, 60)), Name: checks.Clean(t.Product, 60),
			Source: SrcRecognizer + ":" + checks.Clean(t.Source, 80), Evidence: evidence(t.Evidence),
		}
		if t.Version != "" {
			v, pkg, d, _ := splitVersion(t.Version)
			fp.Version = checks.Clean(v, 60)
			if pkg != "" {
				fp.Package, fp.Distro, fp.Release = checks.Clean(pkg, 80), d, releaseFromPackage(pkg)
			}
		}
		out = append(out, fp)
	}
	return out
}
