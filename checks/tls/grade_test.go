package tls

import (
	"slices"
	"strings"
	"testing"
)

// synthetic builds a report from version -> suite IDs.
func synthetic(suites map[uint16][]uint16, mod func(*Report)) *Report {
	r := &Report{SecureRenegotiation: true, ExtendedMasterSecret: true, FallbackSCSV: "not-needed"}
	for _, v := range []uint16{versionSSL2, versionSSL3, versionTLS10, versionTLS11, versionTLS12, versionTLS13} {
		p := &Protocol{Name: versionName(v), Version: v, Offered: len(suites[v]) > 0, Preference: "server"}
		for _, id := range suites[v] {
			p.Suites = append(p.Suites, SuiteResult{Suite: LookupSuite(id)})
		}
		r.Protocols = append(r.Protocols, p)
	}
	if suites[versionSSL2] != nil {
		r.Protocol(versionSSL2).SSLv2 = []string{"SSL_CK_RC4_128_WITH_MD5"}
	}
	r.KeyExchange.ForwardSecrecy = "all"
	for _, p := range r.Protocols {
		for _, s := range p.Suites {
			if !s.FS {
				r.KeyExchange.ForwardSecrecy = "preferred"
			}
		}
	}
	if mod != nil {
		mod(r)
	}
	return r
}

func goodCert(mod func(*CertInfo)) *CertReport {
	c := &CertInfo{KeyType: "ECDSA", KeyBits: 256, Curve: "P-256", Trusted: true, HostnameMatch: true, Hostname: "portal.test",
		DNSNames: []string{"portal.test"}, ValidityDays: 80, DaysLeft: 60, ServerAuthEKU: true}
	if mod != nil {
		mod(c)
	}
	return &CertReport{Certificates: []*CertInfo{c}}
}

func TestGrade(t *testing.T) {
	modern := map[uint16][]uint16{versionTLS13: {0x1301, 0x1302, 0x1303}}
	intermediate := map[uint16][]uint16{versionTLS12: {0xC02F, 0xC030}, versionTLS13: {0x1301, 0x1302}}
	legacy := map[uint16][]uint16{versionTLS10: {0xC013, 0x002F}, versionTLS11: {0xC013, 0x002F}, versionTLS12: {0xC02F, 0xC013, 0x000A}}
	twoYears := &HSTSResult{Present: true, Valid: true, MaxAge: 63072000}
	tests := []struct {
		name      string
		in        gradeInput
		grade     string
		ifTrusted string
		reason    string // a reason that must be listed
		pass      []bool // NIST, Mozilla intermediate, Mozilla modern
		failure   string // a failure that must be named (any policy)
	}{
		{name: "modern with long HSTS", in: gradeInput{rep: synthetic(modern, nil), certs: goodCert(nil), hsts: twoYears, https: true, byName: true},
			grade: "A+", pass: []bool{false, true, true}, failure: "TLS 1.2 not offered"},
		{name: "intermediate without HSTS", in: gradeInput{rep: synthetic(intermediate, nil), certs: goodCert(func(c *CertInfo) { c.KeyType, c.KeyBits, c.Curve = "RSA", 2048, "" }),
			https: true, hsts: &HSTSResult{}, byName: true},
			grade: "A", pass: []bool{true, true, false}, failure: "RSA certificate (modern wants ECDSA P-256 or P-384)"},
		{name: "legacy with 3DES", in: gradeInput{rep: synthetic(legacy, func(r *Report) { r.FallbackSCSV = "honoured" }), certs: goodCert(nil)},
			grade: "C", reason: "C: 3DES with TLSv1.2", pass: []bool{false, false, false}, failure: "TLS 1.0 offered"},
		{name: "SSLv2", in: gradeInput{rep: synthetic(map[uint16][]uint16{versionSSL2: {}, versionTLS12: {0xC02F}}, func(r *Report) { r.Protocol(versionSSL2).Offered = true }), certs: goodCert(nil)},
			grade: "F", reason: "F: SSLv2 offered", failure: "SSL 2.0 offered"},
		{name: "Heartbleed", in: gradeInput{rep: synthetic(intermediate, nil), certs: goodCert(nil), hb: &HeartbleedResult{Tested: true, Vulnerable: true}},
			grade: "F", reason: "F: vulnerable to Heartbleed"},
		{name: "untrusted", in: gradeInput{rep: synthetic(intermediate, nil), certs: goodCert(func(c *CertInfo) { c.Trusted = false })},
			grade: "T", ifTrusted: "A", reason: "T: certificate chain not trusted", failure: "certificate not trusted"},
		{name: "SHA-1 intermediate", in: gradeInput{rep: synthetic(intermediate, nil), certs: goodCert(func(c *CertInfo) { c.WeakSignatures = []string{"CN=Old CA signed with SHA-1"} })},
			grade: "T", ifTrusted: "A", reason: "T: CN=Old CA signed with SHA-1"},
		{name: "name mismatch", in: gradeInput{rep: synthetic(intermediate, nil), certs: goodCert(func(c *CertInfo) { c.HostnameMatch = false }), byName: true},
			grade: "M", ifTrusted: "A", reason: "M: certificate does not name portal.test"},
		{name: "mismatch by address, DNS-only certificate", in: gradeInput{rep: synthetic(intermediate, nil), certs: goodCert(func(c *CertInfo) { c.HostnameMatch = false })},
			grade: "A"},
		{name: "1024-bit DH, no secure renegotiation", in: gradeInput{rep: synthetic(intermediate, func(r *Report) { r.KeyExchange.DHBits, r.SecureRenegotiation = 1024, false }), certs: goodCert(nil)},
			grade: "B", reason: "A-: no secure renegotiation (RFC 5746)", failure: "DH group of 1024 bits (at least 2048)"},
		{name: "compression", in: gradeInput{rep: synthetic(intermediate, func(r *Report) { r.Compression = true }), certs: goodCert(nil)},
			grade: "C", reason: "C: TLS compression (CRIME)"},
		{name: "certificate unreadable", in: gradeInput{rep: synthetic(intermediate, nil), certErr: errTooLarge},
			grade: "A", reason: "certificate not judged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := grade(tt.in)
			if v.Grade != tt.grade || v.GradeIfTrusted != tt.ifTrusted {
				t.Errorf("grade %s (%s if trusted), want %s (%s): %v", v.Grade, v.GradeIfTrusted, tt.grade, tt.ifTrusted, v.Reasons)
			}
			if tt.reason != "" && !slices.ContainsFunc(v.Reasons, func(r string) bool { return strings.HasPrefix(r, tt.reason) }) {
				t.Errorf("reasons %v lack %q", v.Reasons, tt.reason)
			}
			for i, want := range tt.pass {
				if v.Policies[i].Pass != want {
					t.Errorf("%s pass=%v, want %v: %v", v.Policies[i].Name, v.Policies[i].Pass, want, v.Policies[i].Failures)
				}
			}
			if tt.failure != "" {
				found := false
				for _, p := range v.Policies {
					found = found || slices.Contains(p.Failures, tt.failure)
				}
				if !found {
					t.Errorf("no policy names %q: %+v", tt.failure, v.Policies)
				}
			}
			if line := v.Line(); !strings.HasPrefix(line, "grade "+v.Grade) || !strings.Contains(line, "NIST 800-52r2") || !strings.Contains(line, "modern") {
				t.Errorf("line %q", line)
			}
		})
	}
}
