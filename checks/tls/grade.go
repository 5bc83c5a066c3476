package tls

import (
	"fmt"
	"slices"
	"strings"
)

// Verdict is the TLS family's judgement of one endpoint, published with the scan result: an
// SSL Labs-style grade and pass/fail against NIST SP 800-52r2 and Mozilla's profiles, each
// failure named.
type Verdict struct {
	Grade          string            `json:"grade"`                      // A+, A, A-, B, C, F, T (trust), M (name mismatch)
	GradeIfTrusted string            `json:"grade_if_trusted,omitempty"` // the letter behind a T or M
	Reasons        []string          `json:"reasons,omitempty"`          // each cap applied: "B: TLS 1.0 offered"
	Policies       []PolicyResult    `json:"policies"`
	Report         *Report           `json:"tls"`
	Certificates   []*CertInfo       `json:"certificates,omitempty"`
	CertError      string            `json:"certificate_error,omitempty"`
	Heartbleed     *HeartbleedResult `json:"heartbleed,omitempty"`
	HSTS           *HSTSResult       `json:"hsts,omitempty"`
	HSTSError      string            `json:"hsts_error,omitempty"`
}

// PolicyResult is pass/fail against one policy, with every rule that failed.
type PolicyResult struct {
	Name     string   `json:"name"`
	Pass     bool     `json:"pass"`
	Failures []string `json:"failures,omitempty"`
	Unknown  []string `json:"unknown,omitempty"` // rules that could not be judged (a probe failed)
	Notes    []string `json:"notes,omitempty"`   // observations that do not fail the policy
}

// gradeInput is everything the grade needs; certificates, Heartbleed and HSTS may be missing
// when their probes failed (the grade then says what it could not judge).
type gradeInput struct {
	rep     *Report
	certs   *CertReport
	certErr error
	hb      *HeartbleedResult
	hsts    *HSTSResult
	hstsErr error
	https   bool // an HTTPS service, where HSTS applies
	byName  bool // the target was declared by host name (a name mismatch is then certain)
}

var letters = []string{"A+", "A", "A-", "B", "C", "D", "E", "F"}

// grade applies the SSL Labs caps of the policy reference (../shared/reference/tls-policy.md).
func grade(in gradeInput) Verdict {
	v := Verdict{Report: in.rep, Heartbleed: in.hb, HSTS: in.hsts}
	if in.certs != nil {
		v.Certificates = in.certs.Certificates
	}
	if in.certErr != nil {
		v.CertError = in.certErr.Error()
	}
	if in.hstsErr != nil {
		v.HSTSError = in.hstsErr.Error()
	}
	rep := in.rep
	letter := "A"
	capAt := func(l, why string) {
		v.Reasons = append(v.Reasons, l+": "+why)
		if slices.Index(letters, l) > slices.Index(letters, letter) {
			letter = l
		}
	}
	suites := suiteSets(rep)
	best := uint16(0)
	for _, p := range rep.Protocols {
		if p.Offered {
			best = max(best, p.Version)
		}
	}
	// F
	if rep.Offered(versionSSL2) {
		capAt("F", "SSLv2 offered")
	}
	if best == versionSSL3 {
		capAt("F", "SSLv3 is the best protocol offered")
	}
	for _, c := range []struct{ name, class string }{{"export", "export"}, {"anonymous", "anonymous"}, {"NULL", "NULL"}} {
		if len(suites[c.class]) > 0 {
			capAt("F", c.name+" cipher suites offered")
		}
	}
	if in.hb != nil && in.hb.Vulnerable {
		capAt("F", "vulnerable to Heartbleed")
	}
	var trust, mismatch []string
	if in.certs != nil {
		for _, c := range in.certs.Certificates {
			if c.KeyType == "RSA" && c.KeyBits < 1024 || c.KeyType == "DSA" && c.KeyBits < 1024 {
				capAt("F", fmt.Sprintf("%s key of %d bits", c.KeyType, c.KeyBits))
			} else if w := c.weakKey(); w != "" {
				capAt("B", "certificate key "+w)
			}
			for _, w := range c.WeakSignatures {
				if strings.Contains(w, "MD5") || strings.Contains(w, "MD2") {
					capAt("F", w)
				} else {
					trust = append(trust, w)
				}
			}
			switch {
			case !c.Trusted && c.SelfSigned:
				trust = append(trust, "self-signed certificate")
			case !c.Trusted:
				trust = append(trust, "certificate chain not trusted")
			}
			if c.Expired {
				trust = append(trust, "certificate expired")
			}
			if c.NotYetValid {
				trust = append(trust, "certificate not yet valid")
			}
			// By address, a certificate naming only DNS names may be right for the names clients
			// use: only a certificate with other addresses (or a name target) is a sure mismatch.
			if !c.HostnameMatch && (in.byName || len(c.IPAddresses) > 0) {
				mismatch = append(mismatch, "certificate does not name "+c.Hostname)
			}
		}
	}
	// C
	if !rep.Offered(versionTLS12) && !rep.Offered(versionTLS13) {
		capAt("C", "no TLS 1.2 or 1.3")
	}
	for _, p := range rep.Protocols {
		if p.Version < versionTLS11 || !p.Offered {
			continue
		}
		for _, s := range p.Suites {
			if s.TDES || s.RC4 {
				capAt("C", fmt.Sprintf("%s with %s", s.Weak(), p.Name))
				break
			}
		}
	}
	if rep.Compression {
		capAt("C", "TLS compression (CRIME)")
	}
	if rep.Offered(versionSSL3) {
		capAt("C", "SSLv3 offered (POODLE)")
	}
	// B
	for _, ver := range []uint16{versionTLS10, versionTLS11} {
		if rep.Offered(ver) {
			capAt("B", displayName(ver)+" offered")
		}
	}
	switch rep.KeyExchange.ForwardSecrecy {
	case "none":
		capAt("B", "no forward secrecy")
	case "some":
		capAt("B", "forward secrecy not preferred")
	}
	if len(suites["aead"]) == 0 {
		capAt("B", "no AEAD cipher suite")
	}
	if len(suites["RC4"]) > 0 {
		capAt("B", "RC4 offered")
	}
	if rep.KeyExchange.DHBits > 0 && rep.KeyExchange.DHBits < 2048 {
		capAt("B", fmt.Sprintf("DH group of %d bits", rep.KeyExchange.DHBits))
	}
	if rep.KeyExchange.ExportRSABits > 0 {
		capAt("F", fmt.Sprintf("export RSA key of %d bits", rep.KeyExchange.ExportRSABits))
	}
	if len(rep.KeyExchange.WeakCurves) > 0 {
		capAt("B", "weak ECDH curve "+strings.Join(rep.KeyExchange.WeakCurves, ", "))
	}
	// A- (warnings)
	if hasBelow13(rep) && !rep.SecureRenegotiation {
		capAt("A-", "no secure renegotiation (RFC 5746)")
	}
	if rep.FallbackSCSV == "missing" {
		capAt("A-", "TLS_FALLBACK_SCSV not honoured")
	}
	// A+: no warning at all and HSTS for at least 180 days.
	if letter == "A" && in.https && in.hsts != nil && in.hsts.Valid && in.hsts.MaxAge >= hstsMinAge {
		letter = "A+"
	}
	v.Grade = letter
	switch {
	case len(trust) > 0:
		v.GradeIfTrusted, v.Grade = letter, "T"
		for _, t := range trust {
			v.Reasons = append(v.Reasons, "T: "+t)
		}
		for _, m := range mismatch {
			v.Reasons = append(v.Reasons, "M: "+m)
		}
	case len(mismatch) > 0:
		v.GradeIfTrusted, v.Grade = letter, "M"
		for _, m := range mismatch {
			v.Reasons = append(v.Reasons, "M: "+m)
		}
	}
	if in.certErr != nil && in.certs == nil {
		v.Reasons = append(v.Reasons, "certificate not judged: "+in.certErr.Error())
	}
	v.Policies = []PolicyResult{nist(in), mozillaIntermediate(in), mozillaModern(in)}
	return v
}

// Line is the verdict in one line for the table output.
func (v Verdict) Line() string {
	g := "grade " + v.Grade
	if v.GradeIfTrusted != "" {
		g += " (" + v.GradeIfTrusted + " if trusted)"
	}
	parts := []string{g}
	for i, p := range v.Policies {
		name := p.Name
		if i == 2 {
			name = "modern" // "Mozilla intermediate ... · modern ..." reads as one family
		}
		switch {
		case p.Pass:
			parts = append(parts, name+" pass")
		case i == 0 && len(p.Failures) > 0:
			parts = append(parts, fmt.Sprintf("%s fail (%s)", name, p.Failures[0]))
		default:
			parts = append(parts, name+" fail")
		}
	}
	return strings.Join(parts, " · ")
}

// suiteSets groups accepted suites by weakness class, with the versions that accept them.
func suiteSets(rep *Report) map[string][]string {
	out := map[string][]string{}
	for _, p := range rep.Protocols {
		for _, s := range p.Suites {
			add := func(class string) { out[class] = append(out[class], p.Name+" "+s.Name) }
			if s.Null {
				add("NULL")
			}
			if s.Anon {
				add("anonymous")
			}
			if s.Export {
				add("export")
			}
			if s.RC4 {
				add("RC4")
			}
			if s.DES {
				add("DES")
			}
			if s.TDES {
				add("3DES")
			}
			if s.AEAD {
				add("aead")
			}
			if !s.FS {
				add("nofs")
			}
		}
	}
	for k, v := range out {
		out[k] = slices.Compact(v)
	}
	return out
}

func hasBelow13(rep *Report) bool {
	for _, p := range rep.Protocols {
		if p.Offered && p.Version >= versionSSL3 && p.Version <= versionTLS12 {
			return true
		}
	}
	return false
}

// nistSuites12 are the TLS 1.2 suites of NIST SP 800-52r2 section 3.3.1.1 (ephemeral ECDH/DH
// with AES in GCM, CCM or CBC, authenticated by ECDSA, RSA or DSA), plus the RSA key transport
// suites its transition list still allows.
func nistSuite12(s Suite) bool {
	if !strings.HasPrefix(s.Cipher, "AES_") {
		return false
	}
	switch s.Kex + "_" + s.Auth {
	case "ECDHE_ECDSA", "ECDHE_RSA", "DHE_RSA", "DHE_DSS", "RSA_RSA":
	default:
		return false
	}
	return s.MAC == "AEAD" || s.MAC == "SHA" || s.MAC == "SHA256" || s.MAC == "SHA384"
}

var nistSuites13 = map[uint16]bool{0x1301: true, 0x1302: true, 0x1304: true, 0x1305: true}

// nist judges NIST SP 800-52 Rev. 2, the reference HHS points to for data in motion.
func nist(in gradeInput) PolicyResult {
	rep := in.rep
	r := PolicyResult{Name: "NIST 800-52r2"}
	fail := func(f string, a ...any) { r.Failures = append(r.Failures, fmt.Sprintf(f, a...)) }
	for _, ver := range []uint16{versionSSL2, versionSSL3, versionTLS10, versionTLS11} {
		if rep.Offered(ver) {
			fail("%s offered", displayName(ver))
		}
	}
	if !rep.Offered(versionTLS12) {
		fail("TLS 1.2 not offered")
	}
	if !rep.Offered(versionTLS13) {
		fail("TLS 1.3 not offered")
	}
	// ChaCha20-Poly1305 is not in NIST's lists but is sound and in Mozilla's: the policy
	// reference says to report it as "not NIST-listed", never as a weakness.
	var bad, chacha []string
	for _, p := range rep.Protocols {
		for _, s := range p.Suites {
			listed := p.Version == versionTLS13 && nistSuites13[s.ID] || p.Version != versionTLS13 && nistSuite12(s.Suite)
			switch {
			case listed:
			case strings.HasPrefix(s.Cipher, "CHACHA20_POLY1305") && s.FS:
				chacha = append(chacha, s.Name)
			default:
				bad = append(bad, s.Name)
			}
		}
	}
	if len(bad) > 0 {
		fail("suites not NIST-listed: %s", listSome(sortedUnique(bad), 4))
	}
	if len(chacha) > 0 {
		r.Notes = append(r.Notes, "not NIST-listed (not weak): "+strings.Join(sortedUnique(chacha), ", "))
	}
	kx := rep.KeyExchange
	if kx.DHBits > 0 && kx.DHBits < 2048 {
		fail("DH group of %d bits (at least 2048)", kx.DHBits)
	}
	if len(kx.WeakCurves) > 0 {
		fail("weak ECDH curves %s", strings.Join(kx.WeakCurves, ", "))
	}
	if hasBelow13(rep) && !rep.SecureRenegotiation {
		fail("no secure renegotiation (renegotiation_info)")
	}
	if rep.Offered(versionTLS12) && !rep.ExtendedMasterSecret {
		fail("no extended master secret")
	}
	if rep.FallbackSCSV == "missing" && !rep.Offered(versionTLS13) {
		fail("TLS_FALLBACK_SCSV not honoured")
	}
	if in.certs == nil {
		r.Unknown = append(r.Unknown, "certificate rules (certificate not read)")
	} else {
		for _, c := range in.certs.Certificates {
			switch {
			case c.KeyType == "RSA" && c.KeyBits < 2048, c.KeyType == "DSA" && c.KeyBits < 2048:
				fail("%s key of %d bits (at least 2048)", c.KeyType, c.KeyBits)
			case c.KeyType == "ECDSA" && c.Curve != "P-256" && c.Curve != "P-384":
				fail("ECDSA key on %s (P-256 or P-384)", c.Curve)
			}
			for _, w := range c.WeakSignatures {
				fail("%s", w)
			}
			if len(c.DNSNames) == 0 && len(c.IPAddresses) == 0 {
				fail("certificate without subjectAltName")
			}
			if !c.ServerAuthEKU {
				fail("certificate without the serverAuth extended key usage")
			}
			if c.ValidityDays > 3*366 {
				fail("certificate valid for %d days (at most 3 years)", c.ValidityDays)
			}
			if c.Expired {
				fail("certificate expired")
			}
			if !c.Trusted {
				fail("certificate not trusted")
			}
			if !c.HostnameMatch && (in.byName || len(c.IPAddresses) > 0) {
				fail("certificate does not name %s", c.Hostname)
			}
			if len(c.OCSPServers) > 0 && !c.OCSPStapled {
				fail("no OCSP stapling (status_request)")
			}
		}
	}
	r.Pass = len(r.Failures) == 0 && len(r.Unknown) == 0
	return r
}

// mozillaIntermediate12 are the TLS 1.2 suites of Mozilla's intermediate profile (5.7).
var mozillaIntermediate12 = map[uint16]bool{
	0xC02B: true, 0xC02F: true, 0xC02C: true, 0xC030: true, 0xCCA9: true, 0xCCA8: true, 0x009E: true, 0x009F: true, 0xCCAA: true,
}

var mozilla13 = map[uint16]bool{0x1301: true, 0x1302: true, 0x1303: true}

func mozillaIntermediate(in gradeInput) PolicyResult {
	rep := in.rep
	r := PolicyResult{Name: "Mozilla intermediate"}
	fail := func(f string, a ...any) { r.Failures = append(r.Failures, fmt.Sprintf(f, a...)) }
	for _, ver := range []uint16{versionSSL2, versionSSL3, versionTLS10, versionTLS11} {
		if rep.Offered(ver) {
			fail("%s offered", displayName(ver))
		}
	}
	if !rep.Offered(versionTLS12) && !rep.Offered(versionTLS13) {
		fail("neither TLS 1.2 nor TLS 1.3 offered")
	}
	var bad []string
	for _, p := range rep.Protocols {
		for _, s := range p.Suites {
			if p.Version == versionTLS13 && !mozilla13[s.ID] || p.Version == versionTLS12 && !mozillaIntermediate12[s.ID] {
				bad = append(bad, s.Name)
			}
		}
	}
	if len(bad) > 0 {
		fail("suites outside the profile: %s", listSome(sortedUnique(bad), 4))
	}
	if kx := rep.KeyExchange; kx.DHBits > 0 && kx.DHBits < 2048 {
		fail("DH group of %d bits (at least 2048)", kx.DHBits)
	}
	certRules(&r, in, 366)
	r.Pass = len(r.Failures) == 0 && len(r.Unknown) == 0
	return r
}

func mozillaModern(in gradeInput) PolicyResult {
	rep := in.rep
	r := PolicyResult{Name: "Mozilla modern"}
	fail := func(f string, a ...any) { r.Failures = append(r.Failures, fmt.Sprintf(f, a...)) }
	for _, p := range rep.Protocols {
		if p.Offered && p.Version != versionTLS13 {
			fail("%s offered", displayName(p.Version))
		}
	}
	if !rep.Offered(versionTLS13) {
		fail("TLS 1.3 not offered")
	}
	if p := rep.Protocol(versionTLS13); p != nil {
		var bad []string
		for _, s := range p.Suites {
			if !mozilla13[s.ID] {
				bad = append(bad, s.Name)
			}
		}
		if len(bad) > 0 {
			fail("TLS 1.3 suites outside the profile: %s", strings.Join(bad, ", "))
		}
	}
	certRules(&r, in, 90)
	if in.certs != nil {
		for _, c := range in.certs.Certificates {
			if c.KeyType != "ECDSA" {
				fail("%s certificate (modern wants ECDSA P-256 or P-384)", c.KeyType)
			}
			if len(c.OCSPServers) > 0 && !c.OCSPStapled {
				fail("no OCSP stapling")
			}
		}
	}
	if in.https {
		switch {
		case in.hsts == nil:
			r.Unknown = append(r.Unknown, "HSTS (the HTTPS page could not be fetched)")
		case !in.hsts.Valid:
			fail("no HSTS")
		case in.hsts.MaxAge < 63072000:
			fail("HSTS max-age %d (at least 63072000)", in.hsts.MaxAge)
		}
	}
	r.Pass = len(r.Failures) == 0 && len(r.Unknown) == 0
	return r
}

// certRules are Mozilla's certificate rules shared by both profiles.
func certRules(r *PolicyResult, in gradeInput, maxDays int) {
	if in.certs == nil {
		r.Unknown = append(r.Unknown, "certificate rules (certificate not read)")
		return
	}
	for _, c := range in.certs.Certificates {
		if c.KeyType == "RSA" && c.KeyBits < 2048 {
			r.Failures = append(r.Failures, fmt.Sprintf("RSA key of %d bits (at least 2048)", c.KeyBits))
		}
		if c.KeyType == "ECDSA" && c.Curve != "P-256" && c.Curve != "P-384" {
			r.Failures = append(r.Failures, "ECDSA key on "+c.Curve)
		}
		if c.ValidityDays > maxDays {
			r.Failures = append(r.Failures, fmt.Sprintf("certificate lifetime %d days (at most %d)", c.ValidityDays, maxDays))
		}
	}
}

func sortedUnique(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

func listSome(s []string, n int) string {
	if len(s) <= n {
		return strings.Join(s, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(s[:n], ", "), len(s)-n)
}
