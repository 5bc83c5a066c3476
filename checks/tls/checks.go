package tls

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/telesra/telesra/checks"
)

// HIPAA citations the checks name.
var (
	hipaaTransmission = []string{"164.312(e)(1)", "164.312(e)(2)(ii)"}
	hipaaIntegrity    = []string{"164.312(e)(1)", "164.312(e)(2)(i)", "164.312(e)(2)(ii)"}
	hipaaServerAuth   = []string{"164.312(e)(1)", "164.312(d)"}
)

const (
	refNIST    = "https://csrc.nist.gov/pubs/sp/800/52/r2/final"
	refMozilla = "https://wiki.mozilla.org/Security/Server_Side_TLS"
	refHHS     = "https://www.hhs.gov/hipaa/for-professionals/breach-notification/guidance/index.html"

	connEnum = "none of its own: judged from the tls.enum probe"
	connCert = "none of its own: judged from the tls.cert probe (chains read during tls.enum; one TLS 1.3 handshake for TLS 1.3-only servers)"
)

// judgeFunc is how a tls check judges an endpoint.
type judgeFunc = func(ctx context.Context, env *checks.Env, c *checks.Check) ([]checks.Finding, error)

// graded makes a judgement publish the endpoint's verdict as well (computed once per endpoint,
// whichever check runs first), even when the judgement fails: a failed enumeration still
// publishes why there is no grade.
func (f *family) graded(judge judgeFunc) judgeFunc {
	return func(ctx context.Context, env *checks.Env, c *checks.Check) ([]checks.Finding, error) {
		fs, err := judge(ctx, env, c)
		f.publish(ctx, env)
		return fs, err
	}
}

// The probes tls checks rest on; Define adds the service probe and what each probe needs.
var (
	onEnum       = []checks.ProbeRef{enumProbe}
	onHeartbleed = []checks.ProbeRef{heartbleedProbe}
	onHSTS       = []checks.ProbeRef{hstsProbe}
)

func (f *family) checks() []*checks.Check {
	return []*checks.Check{
		f.versionCheck("tls.protocol.sslv2", versionSSL2, checks.High, "SSL 2.0 offered",
			"SSL 2.0 is broken beyond repair (DROWN lets an attacker decrypt TLS sessions that share the key)."),
		f.versionCheck("tls.protocol.sslv3", versionSSL3, checks.High, "SSL 3.0 offered",
			"SSL 3.0's CBC padding is exploitable (POODLE) and its RC4 suites are broken."),
		f.versionCheck("tls.protocol.tls1_0", versionTLS10, checks.Medium, "TLS 1.0 offered",
			"TLS 1.0 has no AEAD suites, relies on SHA-1/MD5 in its PRF, and is exposed to BEAST-class attacks; NIST SP 800-52r2 and PCI DSS retired it."),
		f.versionCheck("tls.protocol.tls1_1", versionTLS11, checks.Medium, "TLS 1.1 offered",
			"TLS 1.1 has no AEAD suites and relies on SHA-1/MD5 in its PRF; NIST SP 800-52r2 and the browsers retired it (RFC 8996)."),
		f.noTLS12(),
		f.noTLS13(),
		f.suiteCheck("tls.cipher.null", "NULL", checks.High, "NULL cipher suites offered",
			"NULL suites authenticate but do not encrypt: ePHI crosses the network in the clear.", hipaaIntegrity),
		f.suiteCheck("tls.cipher.anon", "anonymous", checks.High, "Anonymous cipher suites offered",
			"Anonymous suites do not authenticate the server: anyone on the path can impersonate it and read or alter the traffic.",
			[]string{"164.312(e)(1)", "164.312(e)(2)(i)", "164.312(e)(2)(ii)", "164.312(d)"}),
		f.suiteCheck("tls.cipher.export", "export", checks.High, "Export cipher suites offered",
			"Export suites use 40- or 56-bit keys and 512-bit RSA/DH, breakable in hours (FREAK, Logjam).", hipaaTransmission),
		f.suiteCheck("tls.cipher.rc4", "RC4", checks.Medium, "RC4 cipher suites offered",
			"RC4's keystream biases let an attacker recover repeated plaintext such as cookies and passwords (RFC 7465 prohibits it).", hipaaTransmission),
		f.suiteCheck("tls.cipher.3des", "3DES", checks.Medium, "3DES cipher suites offered",
			"3DES has a 64-bit block: after about 32 GB on one connection, blocks collide and leak plaintext (SWEET32); NIST disallows it after 2023.", hipaaTransmission),
		f.suiteCheck("tls.cipher.des", "DES", checks.High, "Single-DES cipher suites offered",
			"Single DES has a 56-bit (or 40-bit) key that commodity hardware exhausts in a day.", hipaaTransmission),
		f.noForwardSecrecy(),
		f.noAEAD(),
		f.weakDH(),
		f.certExpired(),
		f.certNotYetValid(),
		f.certExpiringSoon(),
		f.certUntrusted(),
		f.certSelfSigned(),
		f.certHostname(),
		f.certWeakKey(),
		f.certWeakSignature(),
		f.certLongValidity(),
		f.certNoStapling(),
		f.renegotiation(),
		f.compression(),
		f.fallbackSCSV(),
		f.heartbleed(),
		f.hstsMissing(),
		f.hstsShort(),
		f.starttlsMissing(),
	}
}

// suitesOf lists a version's accepted suite names.
func suitesOf(p *Protocol) []string {
	var out []string
	for _, s := range p.Suites {
		out = append(out, s.Name)
	}
	return out
}

func (f *family) versionCheck(id string, v uint16, sev checks.Severity, title, why string) *checks.Check {
	name := displayName(v)
	return checks.DefineWith(checks.Check{
		ID: id, Title: title, Severity: sev, HIPAA: hipaaTransmission,
		Description: fmt.Sprintf("Reports %s when the server completes a ServerHello for it. %s", name, why),
		Remediation: fmt.Sprintf("Disable %s: offer TLS 1.2 and TLS 1.3 only (nginx: ssl_protocols TLSv1.2 TLSv1.3; Apache: SSLProtocol -all +TLSv1.2 +TLSv1.3; "+
			"IIS/Windows: disable it under SCHANNEL\\Protocols). Check first that no device still needs it, and plan its replacement if one does.", name),
		References:  []string{refNIST, "https://www.rfc-editor.org/rfc/rfc8996", refMozilla},
		Applies:     appliesTLS,
		Connections: connEnum,
	}, onEnum, f.graded(func(ctx context.Context, env *checks.Env, c *checks.Check) ([]checks.Finding, error) {
		rep, err := report(ctx, env)
		if err != nil {
			return nil, err
		}
		p := rep.Protocol(v)
		if p == nil || !p.Offered {
			return nil, nil
		}
		fd := c.NewFinding(env, "")
		ev := map[string]any{"protocol": p.Name, "preference": p.Preference}
		var list []string
		if v == versionSSL2 {
			list = p.SSLv2
			ev["ciphers"] = p.SSLv2
		} else {
			list = suitesOf(p)
			ev["suites"] = list
		}
		fd.Detail = fmt.Sprintf("%s accepts %s with %d cipher suite(s): %s. %s", env.Endpoint.String(), name, len(list), listSome(list, 6), why)
		fd.Evidence = ev
		return []checks.Finding{fd}, nil
	}))
}

func (f *family) noTLS12() *checks.Check {
	return checks.DefineWith(checks.Check{
		ID: "tls.protocol.no_tls1_2", Title: "TLS 1.2 not offered", Severity: checks.High, HIPAA: hipaaTransmission,
		Description: "Reports a server that does not accept TLS 1.2, the version NIST SP 800-52r2 requires every server to support. " +
			"High when it offers neither TLS 1.2 nor 1.3 (only legacy protocols remain); low when it offers TLS 1.3 only (secure, but clients without TLS 1.3 cannot connect).",
		Remediation: "Enable TLS 1.2 (with ECDHE and AES-GCM suites) alongside TLS 1.3; upgrade the TLS library if it cannot.",
		Applies:     appliesTLS,
		Connections: connEnum,
		References:  []string{refNIST},
	}, onEnum, f.graded(func(ctx context.Context, env *checks.Env, c *checks.Check) ([]checks.Finding, error) {
		rep, err := report(ctx, env)
		if err != nil {
			return nil, err
		}
		if rep.Offered(versionTLS12) {
			return nil, nil
		}
		fd := c.NewFinding(env, "")
		fd.Evidence = map[string]any{"offered": offeredNames(rep), "tls1_2_refusal": rep.Protocol(versionTLS12).Refusal}
		if rep.Offered(versionTLS13) {
			fd.Severity = checks.Low
			fd.Detail = fmt.Sprintf("%s offers TLS 1.3 but not TLS 1.2: secure, but outside NIST SP 800-52r2, which requires TLS 1.2 support, and closed to clients without TLS 1.3.", env.Endpoint)
		} else {
			fd.Detail = fmt.Sprintf("%s offers neither TLS 1.2 nor TLS 1.3, only %s: every connection uses a protocol NIST SP 800-52r2 does not allow.",
				env.Endpoint, strings.Join(offeredNames(rep), ", "))
		}
		return []checks.Finding{fd}, nil
	}))
}

func (f *family) noTLS13() *checks.Check {
	return checks.DefineWith(checks.Check{
		ID: "tls.protocol.no_tls1_3", Title: "TLS 1.3 not offered", Severity: checks.Low, HIPAA: hipaaTransmission,
		Description: "Reports a server that does not accept TLS 1.3, which NIST SP 800-52r2 expects servers to support since January 2024 " +
			"(it removes legacy key exchange and encrypts the certificate).",
		Remediation: "Enable TLS 1.3 (nginx: ssl_protocols TLSv1.2 TLSv1.3 with OpenSSL 1.1.1 or later; Windows Server 2022 or later).",
		Applies:     appliesTLS,
		Connections: connEnum,
		References:  []string{refNIST},
	}, onEnum, f.graded(func(ctx context.Context, env *checks.Env, c *checks.Check) ([]checks.Finding, error) {
		rep, err := report(ctx, env)
		if err != nil {
			return nil, err
		}
		if rep.Offered(versionTLS13) {
			return nil, nil
		}
		fd := c.NewFinding(env, "")
		fd.Detail = fmt.Sprintf("%s does not accept TLS 1.3 (%s); it offers %s.", env.Endpoint, rep.Protocol(versionTLS13).Refusal, strings.Join(offeredNames(rep), ", "))
		fd.Evidence = map[string]any{"offered": offeredNames(rep)}
		return []checks.Finding{fd}, nil
	}))
}

func offeredNames(rep *Report) []string {
	var out []string
	for _, p := range rep.Protocols {
		if p.Offered {
			out = append(out, p.Name)
		}
	}
	return out
}

// classSuites lists the accepted suites of a weakness class by version.
func classSuites(rep *Report, match func(Suite) bool) (byVersion map[string][]string, all []string) {
	byVersion = map[string][]string{}
	for _, p := range rep.Protocols {
		for _, s := range p.Suites {
			if match(s.Suite) {
				byVersion[p.Name] = append(byVersion[p.Name], s.Name)
				all = append(all, s.Name)
			}
		}
	}
	return byVersion, sortedUnique(all)
}

var classMatch = map[string]func(Suite) bool{
	"NULL":      func(s Suite) bool { return s.Null },
	"anonymous": func(s Suite) bool { return s.Anon },
	"export":    func(s Suite) bool { return s.Export },
	"RC4":       func(s Suite) bool { return s.RC4 },
	"3DES":      func(s Suite) bool { return s.TDES },
	"DES":       func(s Suite) bool { return s.DES },
}

func (f *family) suiteCheck(id, class string, sev checks.Severity, title, why string, hipaa []string) *checks.Check {
	match := classMatch[class]
	return checks.DefineWith(checks.Check{
		ID: id, Title: title, Severity: sev, HIPAA: hipaa,
		Description: fmt.Sprintf("Reports every %s cipher suite the server accepts, per protocol version, from the exact enumeration. %s", class, why),
		Remediation: fmt.Sprintf("Remove the %s suites from the server's cipher list (nginx/OpenSSL: append :!%s to ssl_ciphers, or use Mozilla's "+
			"intermediate list; Windows: disable them with Disable-TlsCipherSuite or the SSL Cipher Suite Order policy).", class, opensslClass[class]),
		References:  []string{refNIST, refMozilla},
		Applies:     appliesTLS,
		Connections: connEnum,
	}, onEnum, f.graded(func(ctx context.Context, env *checks.Env, c *checks.Check) ([]checks.Finding, error) {
		rep, err := report(ctx, env)
		if err != nil {
			return nil, err
		}
		byVersion, all := classSuites(rep, match)
		if len(all) == 0 {
			return nil, nil
		}
		fd := c.NewFinding(env, "")
		var vs []string
		for _, p := range rep.Protocols {
			if len(byVersion[p.Name]) > 0 {
				vs = append(vs, p.Name)
			}
		}
		fd.Detail = fmt.Sprintf("%s accepts %d %s suite(s) (%s) with %s. %s", env.Endpoint, len(all), class, listSome(all, 4), strings.Join(vs, ", "), why)
		fd.Evidence = map[string]any{"suites": byVersion}
		return []checks.Finding{fd}, nil
	}))
}

var opensslClass = map[string]string{"NULL": "eNULL", "anonymous": "aNULL", "export": "EXP", "RC4": "RC4", "3DES": "3DES", "DES": "DES"}

func (f *family) noForwardSecrecy() *checks.Check {
	return checks.DefineWith(checks.Check{
		ID: "tls.cipher.no_forward_secrecy", Title: "Forward secrecy not enforced", Severity: checks.Medium, HIPAA: hipaaTransmission,
		Description: "Judges the key exchange of the accepted suites: without an ephemeral (EC)DHE exchange, whoever later obtains the server's private key " +
			"can decrypt every recorded session. Medium when no suite has forward secrecy or the server prefers one without; low when forward secrecy is " +
			"preferred but RSA key-transport suites remain.",
		Remediation: "Prefer ECDHE suites and remove the TLS_RSA_WITH_* key-transport suites (nginx: ssl_ciphers from Mozilla's intermediate profile, which are all ECDHE/DHE).",
		References:  []string{refNIST, refMozilla},
		Applies:     appliesTLS,
		Connections: connEnum,
	}, onEnum, f.graded(func(ctx context.Context, env *checks.Env, c *checks.Check) ([]checks.Finding, error) {
		rep, err := report(ctx, env)
		if err != nil {
			return nil, err
		}
		byVersion, all := classSuites(rep, func(s Suite) bool { return !s.FS })
		if len(all) == 0 {
			return nil, nil
		}
		fd := c.NewFinding(env, "")
		fd.Evidence = map[string]any{"suites_without_forward_secrecy": byVersion, "forward_secrecy": rep.KeyExchange.ForwardSecrecy}
		switch rep.KeyExchange.ForwardSecrecy {
		case "none":
			fd.Detail = fmt.Sprintf("No suite %s accepts has forward secrecy: a stolen private key decrypts every recorded session.", env.Endpoint)
		case "some":
			fd.Detail = fmt.Sprintf("%s offers forward-secret suites but prefers %d without (%s): most clients get no forward secrecy.", env.Endpoint, len(all), listSome(all, 3))
		default:
			fd.Severity = checks.Low
			fd.Detail = fmt.Sprintf("%s prefers forward-secret suites but still accepts %d without (%s), which a client or attacker can choose.", env.Endpoint, len(all), listSome(all, 3))
		}
		return []checks.Finding{fd}, nil
	}))
}

func (f *family) noAEAD() *checks.Check {
	return checks.DefineWith(checks.Check{
		ID: "tls.cipher.no_aead", Title: "No AEAD cipher suite", Severity: checks.Medium, HIPAA: hipaaIntegrity,
		Description: "Reports a server that accepts no authenticated-encryption suite (AES-GCM, AES-CCM, ChaCha20-Poly1305): every connection then uses " +
			"CBC with MAC-then-encrypt, the construction behind Lucky13 and POODLE-class padding attacks.",
		Remediation: "Enable TLS 1.2 with ECDHE-…-AES128-GCM-SHA256 / AES256-GCM-SHA384 / CHACHA20-POLY1305 suites, and TLS 1.3.",
		Applies:     appliesTLS,
		Connections: connEnum,
		References:  []string{refNIST},
	}, onEnum, f.graded(func(ctx context.Context, env *checks.Env, c *checks.Check) ([]checks.Finding, error) {
		rep, err := report(ctx, env)
		if err != nil {
			return nil, err
		}
		if _, aead := classSuites(rep, func(s Suite) bool { return s.AEAD }); len(aead) > 0 {
			return nil, nil
		}
		_, all := classSuites(rep, func(Suite) bool { return true })
		if len(all) == 0 {
			return nil, nil // SSL 2.0 only: the protocol findings say it all
		}
		fd := c.NewFinding(env, "")
		fd.Detail = fmt.Sprintf("None of the %d suites %s accepts is an AEAD suite (%s).", len(all), env.Endpoint, listSome(all, 4))
		fd.Evidence = map[string]any{"suites": all}
		return []checks.Finding{fd}, nil
	}))
}

func (f *family) weakDH() *checks.Check {
	return checks.DefineWith(checks.Check{
		ID: "tls.kex.weak_dh", Title: "Weak key exchange parameters", Severity: checks.High, HIPAA: hipaaTransmission,
		Description: "Reads the ServerKeyExchange of the first DHE, ECDHE and export handshake of each version: a finite-field DH group under 2048 bits " +
			"(Logjam; under 1024 bits high), an export RSA key, or an elliptic curve under 224 bits or with explicit parameters gives less than the " +
			"112-bit security NIST SP 800-57 requires.",
		Remediation: "Use a 2048-bit or larger DH group (nginx: ssl_dhparam with the RFC 7919 ffdhe2048 file from Mozilla) or drop DHE suites for ECDHE; " +
			"offer only the curves X25519, P-256 and P-384; remove export suites.",
		References:  []string{refNIST, "https://weakdh.org/"},
		Applies:     appliesTLS,
		Connections: connEnum,
	}, onEnum, f.graded(func(ctx context.Context, env *checks.Env, c *checks.Check) ([]checks.Finding, error) {
		rep, err := report(ctx, env)
		if err != nil {
			return nil, err
		}
		kx := rep.KeyExchange
		var weak []string
		sev := checks.Medium
		if kx.DHBits > 0 && kx.DHBits < 2048 {
			weak = append(weak, fmt.Sprintf("DH group of %d bits", kx.DHBits))
			if kx.DHBits < 1024 {
				sev = checks.High
			}
		}
		if kx.ExportRSABits > 0 {
			weak = append(weak, fmt.Sprintf("export RSA key of %d bits", kx.ExportRSABits))
			sev = checks.High
		}
		for _, cv := range kx.WeakCurves {
			weak = append(weak, "curve "+cv)
		}
		if kx.ExplicitCurve {
			weak = append(weak, "explicit (unnamed) curve parameters")
		}
		if len(weak) == 0 {
			return nil, nil
		}
		fd := c.NewFinding(env, "")
		fd.Severity = sev
		fd.Detail = fmt.Sprintf("%s negotiates %s: below the 112-bit security NIST SP 800-52r2 requires, so recorded sessions can be decrypted by an attacker "+
			"who breaks the key exchange.", env.Endpoint, strings.Join(weak, ", "))
		fd.Evidence = map[string]any{"key_exchange": kx}
		return []checks.Finding{fd}, nil
	}))
}

// certCheck builds a check judged per certificate.
func (f *family) certCheck(meta checks.Check, judge func(env *checks.Env, ci *CertInfo, fd *checks.Finding) bool) *checks.Check {
	meta.Connections = connCert
	if meta.HIPAA == nil {
		meta.HIPAA = hipaaServerAuth
	}
	if meta.References == nil {
		meta.References = []string{refNIST}
	}
	meta.Applies = appliesTLS
	return checks.DefineWith(meta, []checks.ProbeRef{f.cert}, f.graded(func(ctx context.Context, env *checks.Env, c *checks.Check) ([]checks.Finding, error) {
		if _, err := report(ctx, env); err != nil {
			return nil, err
		}
		cr, err := f.cert.Get(ctx, env)
		if err != nil {
			return nil, err
		}
		var out []checks.Finding
		for _, ci := range cr.Certificates {
			fd := c.NewFinding(env, strings.ToLower(ci.KeyType))
			fd.Evidence = map[string]any{"subject": ci.Subject, "issuer": ci.Issuer, "not_before": ci.NotBefore, "not_after": ci.NotAfter,
				"sha256": ci.SHA256, "key": fmt.Sprintf("%s %d", ci.KeyType, ci.KeyBits), "source": ci.Source}
			if judge(env, ci, &fd) {
				out = append(out, fd)
			}
		}
		return out, nil
	}))
}

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func (f *family) certExpired() *checks.Check {
	return f.certCheck(checks.Check{
		ID: "tls.cert.expired", Title: "Certificate expired", Severity: checks.High,
		Description: "Compares the served certificate's notAfter with the scan time: clients refuse an expired certificate, and users taught to click " +
			"through the warning will click through an attacker's too.",
		Remediation: "Renew the certificate and install it with its intermediates; automate renewal (ACME/certbot, or your internal CA's auto-enrolment) and monitor expiry.",
	}, func(env *checks.Env, ci *CertInfo, fd *checks.Finding) bool {
		if !ci.Expired {
			return false
		}
		fd.Detail = fmt.Sprintf("The certificate %s of %s expired on %s (%d days ago).", ci.Subject, env.Endpoint, day(ci.NotAfter), -ci.DaysLeft)
		return true
	})
}

func (f *family) certNotYetValid() *checks.Check {
	return f.certCheck(checks.Check{
		ID: "tls.cert.not_yet_valid", Title: "Certificate not yet valid", Severity: checks.High,
		Description: "Compares the served certificate's notBefore with the scan time: clients refuse a certificate that is not valid yet (often a wrong clock on the issuing host).",
		Remediation: "Fix the clock of the host that issued the certificate and reissue it, or wait until its start date before deploying it.",
	}, func(env *checks.Env, ci *CertInfo, fd *checks.Finding) bool {
		if !ci.NotYetValid {
			return false
		}
		fd.Detail = fmt.Sprintf("The certificate %s of %s is valid only from %s.", ci.Subject, env.Endpoint, day(ci.NotBefore))
		return true
	})
}

func (f *family) certExpiringSoon() *checks.Check {
	return f.certCheck(checks.Check{
		ID: "tls.cert.expiring_soon", Title: "Certificate expires within 30 days", Severity: checks.Medium,
		Description: "Reports a valid certificate that expires within 30 days of the scan (medium within 7 days), before it takes the service down.",
		Remediation: "Renew the certificate now and automate renewal.",
	}, func(env *checks.Env, ci *CertInfo, fd *checks.Finding) bool {
		if ci.Expired || ci.NotYetValid || ci.DaysLeft >= 30 {
			return false
		}
		fd.Severity = checks.Low
		if ci.DaysLeft < 7 {
			fd.Severity = checks.Medium
		}
		fd.Detail = fmt.Sprintf("The certificate %s of %s expires on %s, in %d days.", ci.Subject, env.Endpoint, day(ci.NotAfter), ci.DaysLeft)
		return true
	})
}

func (f *family) certUntrusted() *checks.Check {
	return f.certCheck(checks.Check{
		ID: "tls.cert.untrusted", Title: "Certificate chain not trusted", Severity: checks.High,
		Description: "Verifies the served chain (leaf and intermediates as sent) against the system roots plus --ca-file, for server authentication, at a moment " +
			"the leaf is valid (expiry is its own finding). A missing intermediate, an unknown CA or a wrong key usage fails. Self-signed leaves are reported " +
			"by tls.cert.self_signed instead.",
		Remediation: "Serve a certificate from a CA the clients trust with its full intermediate chain; for an internal CA, distribute its root to the clients " +
			"and scan with --ca-file so telesra trusts it too.",
	}, func(env *checks.Env, ci *CertInfo, fd *checks.Finding) bool {
		if ci.Trusted || ci.SelfSigned {
			return false
		}
		fd.Detail = fmt.Sprintf("The chain served by %s (%s, issued by %s) does not verify: %s.", env.Endpoint, ci.Subject, ci.Issuer, ci.TrustError)
		fd.Evidence["chain"] = ci.Chain
		fd.Evidence["error"] = ci.TrustError
		return true
	})
}

func (f *family) certSelfSigned() *checks.Check {
	return f.certCheck(checks.Check{
		ID: "tls.cert.self_signed", Title: "Self-signed certificate", Severity: checks.High,
		Description: "Reports a leaf certificate issued by itself that is not a trust anchor given with --ca-file: clients cannot authenticate the server, " +
			"and users learn to accept the warning an attacker's certificate would raise.",
		Remediation: "Replace it with a certificate from a public CA, or from the practice's internal CA whose root is deployed to every client (then scan with --ca-file).",
	}, func(env *checks.Env, ci *CertInfo, fd *checks.Finding) bool {
		if !ci.SelfSigned || ci.Trusted {
			return false
		}
		fd.Detail = fmt.Sprintf("%s serves a self-signed certificate (%s) that no client trusts by default.", env.Endpoint, ci.Subject)
		return true
	})
}

func (f *family) certHostname() *checks.Check {
	return f.certCheck(checks.Check{
		ID: "tls.cert.hostname_mismatch", Title: "Certificate does not match the host name", Severity: checks.Medium,
		Description: "Checks that the certificate names the target as scanned (the name sent in SNI, or the address when the target is an address, " +
			"matched against its IP subjectAltNames). A target declared by address whose certificate names only DNS names is a potential mismatch: " +
			"clients using one of those names are fine.",
		Remediation: "Issue the certificate for every name (and, if clients use it, address) the service is reached by, in the subjectAltName.",
	}, func(env *checks.Env, ci *CertInfo, fd *checks.Finding) bool {
		if ci.HostnameMatch {
			return false
		}
		names := append(slices.Clone(ci.DNSNames), ci.IPAddresses...)
		fd.Evidence["names"] = names
		fd.Evidence["hostname"] = ci.Hostname
		if !env.Endpoint.IsName() && len(ci.IPAddresses) == 0 {
			fd.Confidence, fd.Severity = checks.Potential, checks.Low
			fd.Detail = fmt.Sprintf("%s was scanned by address, and its certificate names only %s: clients that connect by address get a certificate error. "+
				"Scan it by the name clients use to confirm.", env.Endpoint, listSome(names, 4))
			return true
		}
		fd.Detail = fmt.Sprintf("The certificate of %s names %s, not %s: clients reject it (or users learn to click through).", env.Endpoint, listSome(names, 4), ci.Hostname)
		return true
	})
}

func (f *family) certWeakKey() *checks.Check {
	return f.certCheck(checks.Check{
		ID: "tls.cert.weak_key", Title: "Weak certificate key", Severity: checks.High,
		Description: "Reads the certificate's public key: RSA or DSA under 2048 bits, or an elliptic curve under 224 bits, gives less than the 112-bit security NIST " +
			"SP 800-52r2 requires (high under 1024 bits, which is factorable today).",
		Remediation: "Reissue the certificate with an RSA 2048-bit (or larger) key or an ECDSA P-256/P-384 key.",
	}, func(env *checks.Env, ci *CertInfo, fd *checks.Finding) bool {
		w := ci.weakKey()
		if w == "" {
			return false
		}
		fd.Severity = checks.Medium
		if ci.KeyBits < 1024 && ci.KeyType != "ECDSA" {
			fd.Severity = checks.High
		}
		fd.Detail = fmt.Sprintf("The certificate of %s has a %s key.", env.Endpoint, w)
		return true
	})
}

func (f *family) certWeakSignature() *checks.Check {
	return f.certCheck(checks.Check{
		ID: "tls.cert.weak_signature", Title: "Certificate signed with a weak hash", Severity: checks.High,
		HIPAA: []string{"164.312(e)(1)", "164.312(e)(2)(i)", "164.312(d)"},
		Description: "Reads the signature algorithm of every certificate the server sends except trust anchors: MD5 or MD2 (high; collisions forged in practice) " +
			"or SHA-1 (medium; chosen-prefix collisions demonstrated, and browsers reject SHA-1 chains).",
		Remediation: "Reissue the certificate (and any intermediate) with a SHA-256 or stronger signature.",
	}, func(env *checks.Env, ci *CertInfo, fd *checks.Finding) bool {
		if len(ci.WeakSignatures) == 0 {
			return false
		}
		fd.Severity = checks.Medium
		for _, w := range ci.WeakSignatures {
			if strings.Contains(w, "MD5") || strings.Contains(w, "MD2") {
				fd.Severity = checks.High
			}
		}
		fd.Detail = fmt.Sprintf("%s serves %s.", env.Endpoint, strings.Join(ci.WeakSignatures, "; "))
		fd.Evidence["weak_signatures"] = ci.WeakSignatures
		fd.Evidence["chain"] = ci.Chain
		return true
	})
}

func (f *family) certLongValidity() *checks.Check {
	return f.certCheck(checks.Check{
		ID: "tls.cert.long_validity", Title: "Certificate validity period too long", Severity: checks.Low,
		Description: "Reports a certificate valid for more than 398 days (the CA/Browser Forum limit browsers enforce for public certificates; NIST SP 800-52r2 " +
			"caps server certificates at 3 years): a long-lived key is more likely to leak unnoticed and is not rotated.",
		Remediation: "Issue certificates for at most 398 days (90 days with automated renewal is better).",
	}, func(env *checks.Env, ci *CertInfo, fd *checks.Finding) bool {
		if ci.ValidityDays <= 398 {
			return false
		}
		fd.Detail = fmt.Sprintf("The certificate of %s is valid for %d days (%s to %s).", env.Endpoint, ci.ValidityDays, day(ci.NotBefore), day(ci.NotAfter))
		return true
	})
}

func (f *family) certNoStapling() *checks.Check {
	return f.certCheck(checks.Check{
		ID: "tls.cert.no_ocsp_stapling", Title: "OCSP response not stapled", Severity: checks.Low,
		Description: "For a certificate that names an OCSP responder, checks that the server staples the OCSP response (status_request): without it, clients " +
			"either skip revocation checking or leak the site they visit to the CA. NIST SP 800-52r2 and Mozilla expect stapling.",
		Remediation: "Enable OCSP stapling (nginx: ssl_stapling on; ssl_stapling_verify on; with a resolver) and make sure the server can reach the responder.",
	}, func(env *checks.Env, ci *CertInfo, fd *checks.Finding) bool {
		if ci.OCSPStapled || len(ci.OCSPServers) == 0 {
			return false
		}
		fd.Detail = fmt.Sprintf("%s does not staple an OCSP response although its certificate names the responder %s.", env.Endpoint, ci.OCSPServers[0])
		return true
	})
}

func (f *family) renegotiation() *checks.Check {
	return checks.DefineWith(checks.Check{
		ID: "tls.reneg.insecure", Title: "Secure renegotiation not supported", Severity: checks.Medium,
		HIPAA: []string{"164.312(e)(1)", "164.312(e)(2)(i)"},
		Description: "Reads the renegotiation_info extension (0xff01) in every SSLv3-TLS 1.2 ServerHello of the enumeration: a server without RFC 5746 " +
			"support lets an attacker splice their own request in front of a client's session (CVE-2009-3555).",
		Remediation: "Upgrade the TLS library (every maintained one supports RFC 5746) or disable renegotiation.",
		References:  []string{refNIST, "https://www.rfc-editor.org/rfc/rfc5746"},
		Applies:     appliesTLS,
		Connections: connEnum,
	}, onEnum, f.graded(func(ctx context.Context, env *checks.Env, c *checks.Check) ([]checks.Finding, error) {
		rep, err := report(ctx, env)
		if err != nil {
			return nil, err
		}
		if !hasBelow13(rep) || rep.SecureRenegotiation {
			return nil, nil
		}
		fd := c.NewFinding(env, "")
		fd.Detail = fmt.Sprintf("%s answered SSLv3-TLS 1.2 ClientHellos without the renegotiation_info extension: it does not implement RFC 5746 secure renegotiation.", env.Endpoint)
		fd.Evidence = map[string]any{"offered": offeredNames(rep)}
		return []checks.Finding{fd}, nil
	}))
}

func (f *family) compression() *checks.Check {
	return checks.DefineWith(checks.Check{
		ID: "tls.compression", Title: "TLS compression enabled", Severity: checks.High, HIPAA: hipaaTransmission,
		Description: "Every SSLv3-TLS 1.2 ClientHello offers DEFLATE before NULL compression; a ServerHello choosing DEFLATE means the server compresses, " +
			"which lets an attacker who can inject requests recover secrets such as session cookies (CRIME).",
		Remediation: "Disable TLS compression (OpenSSL: SSL_OP_NO_COMPRESSION, the default since 1.1.0; upgrade old builds).",
		References:  []string{refNIST, "https://nvd.nist.gov/vuln/detail/CVE-2012-4929"},
		Applies:     appliesTLS,
		Connections: connEnum,
	}, onEnum, f.graded(func(ctx context.Context, env *checks.Env, c *checks.Check) ([]checks.Finding, error) {
		rep, err := report(ctx, env)
		if err != nil {
			return nil, err
		}
		if !rep.Compression {
			return nil, nil
		}
		fd := c.NewFinding(env, "")
		fd.Detail = fmt.Sprintf("%s chose DEFLATE compression when offered: TLS compression exposes secrets to CRIME.", env.Endpoint)
		return []checks.Finding{fd}, nil
	}))
}

func (f *family) fallbackSCSV() *checks.Check {
	return checks.DefineWith(checks.Check{
		ID: "tls.fallback_scsv.missing", Title: "Downgrade protection (TLS_FALLBACK_SCSV) missing", Severity: checks.Medium, HIPAA: hipaaTransmission,
		Description: "When the server offers a version below TLS 1.2 and a higher one, sends one ClientHello for its second-best version carrying " +
			"TLS_FALLBACK_SCSV (RFC 7507): a server that accepts it instead of answering inappropriate_fallback lets an attacker force clients down to the " +
			"weaker version. Medium when SSL 3.0 is offered (POODLE), low otherwise.",
		Remediation: "Upgrade the TLS library (OpenSSL 1.0.1j+ honours the SCSV), or better, disable the versions below TLS 1.2.",
		References:  []string{refNIST, "https://www.rfc-editor.org/rfc/rfc7507"},
		Connections: "1 handshake (in tls.enum) when versions below TLS 1.2 are offered",
		Applies:     appliesTLS,
	}, onEnum, f.graded(func(ctx context.Context, env *checks.Env, c *checks.Check) ([]checks.Finding, error) {
		rep, err := report(ctx, env)
		if err != nil {
			return nil, err
		}
		if rep.FallbackSCSV != "missing" {
			if rep.FallbackSCSV == "unknown" {
				return nil, &checks.ProbeError{Reason: checks.ReasonTLSFailure, Err: fmt.Errorf("fallback test inconclusive: %s", rep.FallbackDetail)}
			}
			return nil, nil
		}
		fd := c.NewFinding(env, "")
		fd.Severity = checks.Low
		if rep.Offered(versionSSL3) {
			fd.Severity = checks.Medium
		}
		fd.Detail = rep.FallbackDetail + ": nothing stops an attacker from forcing clients onto the weaker version."
		fd.Evidence = map[string]any{"offered": offeredNames(rep)}
		return []checks.Finding{fd}, nil
	}))
}

func (f *family) heartbleed() *checks.Check {
	return checks.DefineWith(checks.Check{
		ID: "tls.heartbleed", Title: "Heartbleed (CVE-2014-0160)", Severity: checks.Critical,
		HIPAA: []string{"164.312(e)(1)", "164.312(e)(2)(ii)", "164.312(a)(1)"},
		Description: "When the server negotiates the heartbeat extension, sends one heartbeat request that claims 256 bytes and carries none, after " +
			"the server's first flight: a server that answers with data reads past its buffer and leaks memory (private keys, passwords, ePHI). " +
			"The leaked bytes are counted, never kept.",
		Remediation: "Upgrade OpenSSL (1.0.1g or later) at once, then revoke and reissue the certificate and reset credentials that crossed the service, " +
			"since memory may have leaked for years.",
		References:  []string{"https://heartbleed.com/", "https://nvd.nist.gov/vuln/detail/CVE-2014-0160"},
		Connections: "0-1 (only when the heartbeat extension is negotiated)",
		Applies:     appliesTLS,
	}, onHeartbleed, f.graded(func(ctx context.Context, env *checks.Env, c *checks.Check) ([]checks.Finding, error) {
		hb, err := heartbleedProbe.Get(ctx, env)
		if err != nil {
			return nil, err
		}
		if !hb.Vulnerable {
			return nil, nil
		}
		fd := c.NewFinding(env, "")
		fd.Detail = fmt.Sprintf("%s is vulnerable to Heartbleed: %s.", env.Endpoint, hb.Detail)
		fd.Evidence = map[string]any{"leaked_bytes": hb.Leaked, "requested": heartbleedAsk}
		return []checks.Finding{fd}, nil
	}))
}

func (f *family) hstsMissing() *checks.Check {
	return checks.DefineWith(checks.Check{
		ID: "tls.hsts.missing", Title: "HSTS not set", Severity: checks.Medium, HIPAA: hipaaTransmission,
		Description: "GETs the HTTPS page (redirects not followed) and reads Strict-Transport-Security: without it (or with a header browsers ignore), " +
			"a browser that types the address or follows an http:// link can be downgraded to plain HTTP by anyone on the path (SSL stripping).",
		Remediation: "Send Strict-Transport-Security: max-age=63072000; includeSubDomains on every HTTPS response (nginx: add_header Strict-Transport-Security " +
			"\"max-age=63072000; includeSubDomains\" always;), once every subdomain serves HTTPS.",
		References:  []string{"https://www.rfc-editor.org/rfc/rfc6797", refMozilla},
		Connections: "1 (the tls.hsts probe)",
		Applies:     isHTTPS,
	}, onHSTS, f.graded(func(ctx context.Context, env *checks.Env, c *checks.Check) ([]checks.Finding, error) {
		h, err := hstsProbe.Get(ctx, env)
		if err != nil {
			return nil, err
		}
		if h.Valid {
			return nil, nil
		}
		fd := c.NewFinding(env, "")
		fd.Evidence = map[string]any{"url": h.URL, "status": h.Status, "header": h.Header}
		if h.Present {
			fd.Detail = fmt.Sprintf("%s sends a Strict-Transport-Security header browsers ignore (%q: no valid max-age).", h.URL, h.Header)
		} else {
			fd.Detail = fmt.Sprintf("%s (status %d) sends no Strict-Transport-Security header: browsers may be downgraded to plain HTTP.", h.URL, h.Status)
		}
		return []checks.Finding{fd}, nil
	}))
}

func (f *family) hstsShort() *checks.Check {
	return checks.DefineWith(checks.Check{
		ID: "tls.hsts.short", Title: "HSTS max-age under 180 days", Severity: checks.Low, HIPAA: hipaaTransmission,
		Description: "Reads the Strict-Transport-Security max-age: under 180 days (15552000 s) the protection lapses for users who visit less often " +
			"(and SSL Labs withholds A+); max-age=0 switches HSTS off.",
		Remediation: "Set max-age to at least 31536000 (one year; Mozilla recommends 63072000).",
		References:  []string{"https://www.rfc-editor.org/rfc/rfc6797", refMozilla},
		Connections: "none of its own: judged from the tls.hsts probe",
		Applies:     isHTTPS,
	}, onHSTS, f.graded(func(ctx context.Context, env *checks.Env, c *checks.Check) ([]checks.Finding, error) {
		h, err := hstsProbe.Get(ctx, env)
		if err != nil {
			return nil, err
		}
		if !h.Valid || h.MaxAge >= hstsMinAge {
			return nil, nil
		}
		fd := c.NewFinding(env, "")
		if h.MaxAge == 0 {
			fd.Severity = checks.Medium
		}
		fd.Detail = fmt.Sprintf("%s sets HSTS for %d seconds (%.0f days), under the 180 days that keep returning users protected.", h.URL, h.MaxAge, float64(h.MaxAge)/86400)
		fd.Evidence = map[string]any{"url": h.URL, "header": h.Header, "max_age": h.MaxAge}
		return []checks.Finding{fd}, nil
	}))
}

func (f *family) starttlsMissing() *checks.Check {
	return checks.DefineWith(checks.Check{
		ID: "tls.starttls.missing", Title: "Mail or file transfer without STARTTLS", Severity: checks.High,
		HIPAA: []string{"164.312(e)(1)", "164.312(e)(2)(ii)", "164.312(d)"},
		Description: "For SMTP, IMAP, POP3 and FTP services without implicit TLS, asks for the upgrade (EHLO then STARTTLS, STARTTLS, STLS, AUTH TLS): a service " +
			"that does not offer it carries messages, files and passwords in the clear. High for IMAP, POP3 and FTP (user passwords); medium for SMTP.",
		Remediation: "Enable STARTTLS with a valid certificate (Postfix: smtpd_tls_security_level = may; Dovecot: ssl = required; vsftpd: ssl_enable=YES, " +
			"force_local_logins_ssl=YES) or move the service to its implicit-TLS port.",
		References: []string{refNIST, "https://www.rfc-editor.org/rfc/rfc8314"},
		Applies: func(s checks.Service) bool {
			return !s.TLS && s.Is(checks.SvcSMTP, checks.SvcIMAP, checks.SvcPOP3, checks.SvcFTP)
		},
		Connections: "none of its own: the first tls.enum connection asks for STARTTLS",
	}, onEnum, f.graded(func(ctx context.Context, env *checks.Env, c *checks.Check) ([]checks.Finding, error) {
		rep, err := enumProbe.Get(ctx, env)
		if err != nil {
			return nil, err
		}
		if !rep.NoSTARTTLS {
			return nil, nil
		}
		fd := c.NewFinding(env, "")
		if env.Service.Name == checks.SvcSMTP {
			fd.Severity = checks.Medium
		}
		fd.Detail = fmt.Sprintf("The %s service at %s does not offer STARTTLS: everything it carries, passwords included, crosses the network in the clear.",
			strings.ToUpper(env.Service.Name), env.Endpoint)
		fd.Evidence = map[string]any{"service": env.Service.Name, "banner": env.Service.Banner}
		return []checks.Finding{fd}, nil
	}))
}
