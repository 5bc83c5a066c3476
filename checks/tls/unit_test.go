package tls

import (
	"slices"
	"strings"
	"testing"

	"github.com/telesra/telesra/templates/hipaa"

	"github.com/telesra/telesra/checks"
)

func TestParseSuite(t *testing.T) {
	tests := []struct {
		id                                 uint16
		kex, auth, cipher                  string
		bits                               int
		null, anon, export, rc4, des, tdes bool
		aead, fs, tls13                    bool
	}{
		{id: 0xC02F, kex: "ECDHE", auth: "RSA", cipher: "AES_128_GCM", bits: 128, aead: true, fs: true},
		{id: 0x0035, kex: "RSA", auth: "RSA", cipher: "AES_256_CBC", bits: 256},
		{id: 0x000A, kex: "RSA", auth: "RSA", cipher: "3DES_EDE_CBC", bits: 112, tdes: true},
		{id: 0x0005, kex: "RSA", auth: "RSA", cipher: "RC4_128", bits: 128, rc4: true},
		{id: 0x0003, kex: "RSA", auth: "RSA", cipher: "RC4_40", bits: 40, rc4: true, export: true},
		{id: 0x0014, kex: "DHE", auth: "RSA", cipher: "DES40_CBC", bits: 40, des: true, export: true, fs: true},
		{id: 0x0015, kex: "DHE", auth: "RSA", cipher: "DES_CBC", bits: 56, des: true, fs: true},
		{id: 0x0034, kex: "DH", auth: "anon", cipher: "AES_128_CBC", bits: 128, anon: true},
		{id: 0xC018, kex: "ECDH", auth: "anon", cipher: "AES_128_CBC", bits: 128, anon: true},
		{id: 0x0002, kex: "RSA", auth: "RSA", cipher: "NULL", bits: 0, null: true},
		{id: 0x0000, kex: "NULL", auth: "NULL", cipher: "NULL_NULL", bits: 0, null: true, anon: true},
		{id: 0xCCA9, kex: "ECDHE", auth: "ECDSA", cipher: "CHACHA20_POLY1305", bits: 256, aead: true, fs: true},
		{id: 0xC0AC, kex: "ECDHE", auth: "ECDSA", cipher: "AES_128_CCM", bits: 128, aead: true, fs: true},
		{id: 0x00AA, kex: "DHE_PSK", auth: "PSK", cipher: "AES_128_GCM", bits: 128, aead: true, fs: true},
		{id: 0x0064, kex: "RSA", auth: "RSA", cipher: "RC4_56", bits: 56, rc4: true, export: true},
		{id: 0x1301, kex: "any", auth: "any", cipher: "AES_128_GCM", bits: 128, aead: true, fs: true, tls13: true},
		{id: 0x1305, kex: "any", auth: "any", cipher: "AES_128_CCM_8", bits: 128, aead: true, fs: true, tls13: true},
		{id: 0xC0B4, kex: "any", auth: "any", cipher: "NULL", bits: 0, null: true, fs: true, tls13: true},
	}
	for _, tt := range tests {
		s := LookupSuite(tt.id)
		got := []any{s.Kex, s.Auth, s.Cipher, s.Bits, s.Null, s.Anon, s.Export, s.RC4, s.DES, s.TDES, s.AEAD, s.FS, s.TLS13}
		want := []any{tt.kex, tt.auth, tt.cipher, tt.bits, tt.null, tt.anon, tt.export, tt.rc4, tt.des, tt.tdes, tt.aead, tt.fs, tt.tls13}
		if !slices.Equal(got, want) {
			t.Errorf("%s:\n got  %v\n want %v", s.Name, got, want)
		}
	}
	// Offer order: weakest first, so client-order servers are told apart by their first pick.
	if first, last := LookupSuite(offerTLS12[0]), LookupSuite(offerTLS12[len(offerTLS12)-1]); first.Weak() == "" || !last.AEAD || !last.FS {
		t.Errorf("offer order starts with %s and ends with %s", first.Name, last.Name)
	}
	if len(offerTLS13) != 13 {
		t.Errorf("%d TLS 1.3 suites offered, want 13 (5 RFC 8446, 2 SM4, 2 integrity-only, 4 ECCPWD)", len(offerTLS13))
	}
}

// TestClientHelloShapes reads back the hellos the scanner sends.
func TestClientHelloShapes(t *testing.T) {
	for _, v := range []uint16{versionSSL3, versionTLS10, versionTLS12} {
		rec, err := clientHello12(v, offerTLS12, helloOptions{sni: "portal.test", fallback: true})
		if err != nil {
			t.Fatal(err)
		}
		if rec[0] != recordHandshake || rec[5] != 1 {
			t.Fatalf("%s: not a ClientHello record: % x", versionName(v), rec[:6])
		}
		if rv := uint16(rec[1])<<8 | uint16(rec[2]); rv != min(v, versionTLS10) {
			t.Errorf("%s: record version %#x", versionName(v), rv)
		}
		ch, ok := parseClientHelloForTest(rec[9:])
		if !ok {
			t.Fatalf("%s: ClientHello does not parse", versionName(v))
		}
		if ch.version != v {
			t.Errorf("hello version %#x, want %#x", ch.version, v)
		}
		if want := append(slices.Clone(offerTLS12), 0x5600); !slices.Equal(ch.suites, want) {
			t.Errorf("%s: %d suites offered, want %d in the offer order plus the fallback SCSV", versionName(v), len(ch.suites), len(want))
		}
		if !slices.Equal(ch.compression, []uint8{1, 0}) {
			t.Errorf("compression methods %v, want DEFLATE then NULL", ch.compression)
		}
		for _, e := range []uint16{extServerName, extSupportedGroups, extRenegotiationInfo, extHeartbeat, extStatusRequest} {
			if !ch.exts[e] {
				t.Errorf("%s: extension %#x missing", versionName(v), e)
			}
		}
		if v == versionTLS12 && !ch.exts[extSignatureAlgorithms] {
			t.Errorf("TLS 1.2 hello without signature_algorithms")
		}
	}
	full, err := clientHello12(versionTLS12, offerTLS12, helloOptions{})
	if err != nil {
		t.Fatal(err)
	}
	compact, err := clientHello12(versionTLS12, compactSuites(offerTLS12), helloOptions{compact: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(full)-5 < 512 || len(compact)-5 > 255 || len(compactSuites(offerTLS12)) != chunkSize {
		t.Errorf("full hello %d bytes (want over 512), compact %d bytes with %d suites (want at most 255 with %d)",
			len(full)-5, len(compact)-5, len(compactSuites(offerTLS12)), chunkSize)
	}
	ks, err := newKeyShares()
	if err != nil {
		t.Fatal(err)
	}
	rec, err := clientHello13(offerTLS13, "", ks)
	if err != nil {
		t.Fatal(err)
	}
	ch, ok := parseClientHelloForTest(rec[9:])
	if !ok || !slices.Equal(ch.suites, offerTLS13) || !ch.exts[extSupportedVersions] || !ch.exts[extKeyShare] || ch.exts[extServerName] {
		t.Errorf("TLS 1.3 hello: %+v", ch)
	}
	if sv := ch.extData[extSupportedVersions]; !slices.Equal(sv, []byte{2, 3, 4}) {
		t.Errorf("supported_versions % x, want TLS 1.3 only", sv)
	}
	v2, err := clientHelloSSL2()
	if err != nil {
		t.Fatal(err)
	}
	if v2[0]&0x80 == 0 || v2[2] != 1 || len(v2) != 2+9+3*7+16 {
		t.Errorf("SSLv2 hello % x", v2)
	}
}

func TestParseHSTS(t *testing.T) {
	tests := []struct {
		in    string
		age   int64
		sub   bool
		valid bool
	}{
		{"max-age=31536000; includeSubDomains", 31536000, true, true},
		{`max-age="600"`, 600, false, true},
		{"MAX-AGE=0", 0, false, true},
		{"includeSubDomains", 0, true, false},
		{"max-age=abc", 0, false, false},
		{"max-age=1; max-age=2", 0, false, false},
	}
	for _, tt := range tests {
		age, sub, _, valid := parseHSTS(tt.in)
		if age != tt.age || sub != tt.sub || valid != tt.valid {
			t.Errorf("%q: age %d sub %v valid %v", tt.in, age, sub, valid)
		}
	}
}

func TestParseCAFile(t *testing.T) {
	p := newPKI(t)
	ca := p.caOptions()
	if certs, err := ParseCAFile(ca.CAFile, ca.CA); err != nil || len(certs) != 1 {
		t.Fatalf("good CA file: %v (%d certificates)", err, len(certs))
	}
	if _, err := ParseCAFile("bad.pem", []byte("# internal CA\n\n-----BEGIN CERTIFICATE-----\nMIIBAA==\n-----END CERTIFICATE-----\n")); err == nil || !strings.Contains(err.Error(), "bad.pem:3:") {
		t.Errorf("bad certificate: %v, want an error naming bad.pem:3", err)
	}
	if _, err := Family(Options{CAFile: "empty.pem", CA: []byte("not a certificate\n")}); err == nil || !strings.Contains(err.Error(), "empty.pem: no PEM CERTIFICATE") {
		t.Errorf("empty file: %v", err)
	}
}

// TestRegistry: the family registers (IDs, citations, remediation) and names every check the
// issue asks for.
func TestRegistry(t *testing.T) {
	fam, err := Family(Options{})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := checks.NewRegistry(fam)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"tls.protocol.sslv2", "tls.protocol.sslv3", "tls.protocol.tls1_0", "tls.protocol.tls1_1", "tls.protocol.no_tls1_2",
		"tls.protocol.no_tls1_3", "tls.cipher.null", "tls.cipher.anon", "tls.cipher.export", "tls.cipher.rc4", "tls.cipher.3des", "tls.cipher.des",
		"tls.cipher.no_forward_secrecy", "tls.cipher.no_aead", "tls.kex.weak_dh", "tls.cert.expired", "tls.cert.not_yet_valid", "tls.cert.expiring_soon",
		"tls.cert.untrusted", "tls.cert.self_signed", "tls.cert.hostname_mismatch", "tls.cert.weak_key", "tls.cert.weak_signature", "tls.reneg.insecure",
		"tls.compression", "tls.fallback_scsv.missing", "tls.heartbleed", "tls.hsts.missing", "tls.hsts.short"} {
		c, ok := reg.Lookup(id)
		if !ok {
			t.Errorf("check %s missing", id)
			continue
		}
		if !slices.Contains(c.HIPAA, "164.312(e)(1)") {
			t.Errorf("%s does not cite 164.312(e)(1)", id)
		}
		if bad := hipaa.UnknownCitations(c.HIPAA); len(bad) > 0 {
			t.Errorf("%s: unknown citations %v", id, bad)
		}
	}
}
