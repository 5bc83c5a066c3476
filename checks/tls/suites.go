package tls

import (
	"fmt"
	"slices"
	"strings"
)

// Suite is a cipher suite described by what a verdict needs: how keys are exchanged and
// authenticated, the bulk cipher and its strength, and the weakness classes it belongs to. The
// attributes are read from the IANA name, which spells them out.
type Suite struct {
	ID     uint16 `json:"id"`
	Name   string `json:"name"`
	Kex    string `json:"kex"`    // RSA, DHE, ECDHE, DH, ECDH, PSK, DHE_PSK, ECDHE_PSK, RSA_PSK, SRP, KRB5, GOST, ...; "any" for TLS 1.3
	Auth   string `json:"auth"`   // RSA, DSS, ECDSA, anon, PSK, SRP, KRB5, ...; "any" for TLS 1.3
	Cipher string `json:"cipher"` // AES_128_GCM, 3DES_EDE_CBC, RC4_128, NULL, ...
	Bits   int    `json:"bits"`   // symmetric strength in bits (3DES: 112)
	MAC    string `json:"mac"`    // SHA, SHA256, MD5, ... ("AEAD" for AEAD ciphers)

	TLS13  bool `json:"-"` // a TLS 1.3 suite (never valid below 1.3)
	Export bool `json:"-"`
	Anon   bool `json:"-"`
	Null   bool `json:"-"` // no encryption
	RC4    bool `json:"-"`
	DES    bool `json:"-"` // single DES (56 or 40 bits)
	TDES   bool `json:"-"` // triple DES
	AEAD   bool `json:"-"`
	FS     bool `json:"-"` // forward secrecy: ephemeral key exchange with authentication
}

// String is the suite's IANA name.
func (s Suite) String() string { return s.Name }

// Weak says why a suite is weak in the sense of the policies (NULL, anonymous, export, RC4, DES,
// 3DES), or "" when it is none of those.
func (s Suite) Weak() string {
	switch {
	case s.Null:
		return "NULL"
	case s.Anon:
		return "anonymous"
	case s.Export:
		return "export"
	case s.RC4:
		return "RC4"
	case s.DES:
		return "DES"
	case s.TDES:
		return "3DES"
	}
	return ""
}

// suitesByID describes every suite the scanner knows. offerTLS12 and offerTLS13 are the suites
// offered for SSLv3-TLS 1.2 and for TLS 1.3, in the order the scanner offers them: weakest first.
// A server that follows the client's order then picks differently from one that follows its own
// (which puts strong suites first), so the enumeration itself usually tells the two apart
// without an extra handshake.
var suitesByID, offerTLS12, offerTLS13 = suiteTables()

// tls13Only are the suites valid only in TLS 1.3 (RFC 8446, 8998, 9150); the ECCPWD suites (RFC
// 8492) are valid in both and are offered in both, as nmap does.
var tls13Only = map[uint16]bool{
	0x1301: true, 0x1302: true, 0x1303: true, 0x1304: true, 0x1305: true,
	0x00C6: true, 0x00C7: true, 0xC0B4: true, 0xC0B5: true,
}

func suiteTables() (byID map[uint16]Suite, tls12, tls13 []uint16) {
	byID = map[uint16]Suite{}
	for _, e := range cipherSuiteNames {
		s := parseSuite(e.id, e.name)
		byID[e.id] = s
		if s.TLS13 || strings.Contains(s.Name, "ECCPWD") {
			tls13 = append(tls13, e.id)
		}
		if !s.TLS13 {
			tls12 = append(tls12, e.id)
		}
	}
	byStrength := func(ids []uint16) {
		slices.SortStableFunc(ids, func(a, b uint16) int {
			sa, sb := byID[a], byID[b]
			if d := strengthRank(sa) - strengthRank(sb); d != 0 {
				return d
			}
			if d := sa.Bits - sb.Bits; d != 0 {
				return d
			}
			return int(a) - int(b)
		})
	}
	byStrength(tls12)
	byStrength(tls13)
	return byID, tls12, tls13
}

// LookupSuite describes a suite by code point; unknown code points get a generic name.
func LookupSuite(id uint16) Suite {
	if s, ok := suitesByID[id]; ok {
		return s
	}
	return Suite{ID: id, Name: fmt.Sprintf("UNKNOWN_0x%04X", id), Kex: "unknown", Auth: "unknown", Cipher: "unknown"}
}

// strengthRank orders suites from weakest to strongest for the offer order and for listing
// suites of servers that follow the client's order.
func strengthRank(s Suite) int {
	switch {
	case s.Null || s.Anon || s.Export:
		return 0
	case s.Bits < 112:
		return 1
	case s.RC4:
		return 2
	case s.TDES || strings.HasPrefix(s.Cipher, "IDEA") || strings.HasPrefix(s.Cipher, "FORTEZZA"):
		return 3
	case !s.FS && !s.AEAD:
		return 4
	case s.FS && !s.AEAD:
		return 5
	case !s.FS && s.AEAD:
		return 6
	}
	return 7
}

var macNames = map[string]bool{
	"SHA": true, "SHA256": true, "SHA384": true, "MD5": true, "RMD": true, "IMIT": true,
	"GOSTR3411": true, "OMAC": true, "SM3": true, "L": true, "S": true,
}

// parseSuite reads a suite's attributes from its IANA name:
// TLS_<kex>[_<auth>][_EXPORT]_WITH_<cipher>_<mac>, or TLS_<cipher>_<hash> in TLS 1.3.
func parseSuite(id uint16, name string) Suite {
	s := Suite{ID: id, Name: name}
	n := strings.TrimSuffix(strings.TrimSuffix(name, "-draft"), "_OLD")
	n = strings.TrimPrefix(strings.TrimPrefix(n, "TLS_"), "SSL_")
	if tls13Only[id] {
		s.TLS13, s.Kex, s.Auth, s.FS = true, "any", "any", true
		i := strings.LastIndexByte(n, '_')
		s.Cipher, s.MAC = n[:i], n[i+1:]
		if s.Cipher == "SHA256" || s.Cipher == "SHA384" { // RFC 9150 integrity-only suites
			s.Cipher = "NULL"
		}
		s.setCipher()
		return s
	}
	left, right, ok := strings.Cut(n, "_WITH_")
	if !ok {
		// Drafts that put NULL before WITH or omit it: ECMQV_ECDSA_NULL_SHA.
		i := strings.LastIndex(n, "_NULL_")
		left, right = n[:max(i, 0)], "NULL"+n[i+len("_NULL"):]
	}
	if strings.HasSuffix(left, "_NULL") { // TLS_ECDH_anon_NULL_WITH_SHA-draft
		left, right = strings.TrimSuffix(left, "_NULL"), "NULL_"+right
	}
	var kx []string
	for _, t := range strings.Split(left, "_") {
		if strings.HasPrefix(t, "EXPORT") {
			s.Export = true
			continue
		}
		kx = append(kx, t)
	}
	switch {
	case len(kx) == 1 && (kx[0] == "RSA" || kx[0] == "PSK" || kx[0] == "KRB5" || kx[0] == "NULL" || kx[0] == "ECCPWD"):
		s.Kex, s.Auth = kx[0], kx[0]
	case kx[0] == "SRP": // SRP_SHA, SRP_SHA_RSA, SRP_SHA_DSS
		s.Kex, s.Auth = "SRP", "SRP"
		if len(kx) == 3 {
			s.Auth = kx[2]
		}
	case kx[0] == "PSK" && len(kx) == 2: // PSK_DHE (RFC 6655 CCM)
		s.Kex, s.Auth = "DHE_PSK", "PSK"
	case len(kx) == 2 && kx[1] == "PSK":
		s.Kex, s.Auth = kx[0]+"_PSK", "PSK"
	case strings.HasPrefix(kx[0], "GOST"):
		s.Kex, s.Auth = "GOST", "GOST"
	case kx[0] == "RSA" && len(kx) == 2: // RSA_FIPS
		s.Kex, s.Auth = "RSA", "RSA"
	case kx[0] == "FORTEZZA":
		s.Kex, s.Auth = "FORTEZZA", "FORTEZZA"
	case len(kx) >= 2:
		s.Kex, s.Auth = kx[0], kx[1]
	default:
		s.Kex, s.Auth = strings.Join(kx, "_"), strings.Join(kx, "_")
	}
	s.Anon = s.Auth == "anon" || s.Kex == "NULL"
	if strings.HasSuffix(right, "_CCM") || strings.HasSuffix(right, "_CCM_8") {
		s.Cipher, s.MAC = right, "AEAD"
	} else if i := strings.LastIndexByte(right, '_'); i > 0 && macNames[right[i+1:]] {
		s.Cipher, s.MAC = right[:i], right[i+1:]
		if s.MAC == "L" || s.MAC == "S" { // GOST MGM_L / MGM_S
			s.Cipher, s.MAC = right, "AEAD"
		}
	} else {
		s.Cipher = right
	}
	s.setCipher()
	switch s.Kex {
	case "DHE", "ECDHE", "DHE_PSK", "ECDHE_PSK", "ECCPWD":
		s.FS = !s.Anon
	}
	return s
}

// setCipher fills the strength and weakness flags from the bulk cipher's name.
func (s *Suite) setCipher() {
	c := s.Cipher
	switch {
	case c == "NULL" || c == "NULL_NULL":
		s.Null, s.Bits = true, 0
	case strings.HasPrefix(c, "RC4"):
		s.RC4 = true
		s.Bits = bitsIn(c, 128)
	case strings.HasPrefix(c, "3DES"):
		s.TDES, s.Bits = true, 112
	case strings.HasPrefix(c, "DES40") || c == "DES_CBC_40":
		s.DES, s.Bits = true, 40
	case strings.HasPrefix(c, "DES"):
		s.DES, s.Bits = true, 56
	case strings.HasPrefix(c, "RC2"):
		s.Bits = bitsIn(c, 40)
	case strings.HasPrefix(c, "FORTEZZA"):
		s.Bits = 80
	case strings.HasPrefix(c, "CHACHA20"), strings.HasPrefix(c, "28147"), strings.HasPrefix(c, "KUZNYECHIK"), strings.HasPrefix(c, "MAGMA"):
		s.Bits = 256
	case strings.HasPrefix(c, "IDEA"), strings.HasPrefix(c, "SEED"), strings.HasPrefix(c, "SM4"):
		s.Bits = 128
	default: // AES_128_GCM, CAMELLIA_256_CBC, ARIA_128_GCM
		s.Bits = bitsIn(c, 128)
	}
	if s.Export && s.Bits > 56 {
		s.Bits = 56 // RSA_EXPORT1024_WITH_RC4_56: the 56 is in the name; plain EXPORT suites are 40
	}
	s.AEAD = strings.Contains(c, "GCM") || strings.Contains(c, "CCM") || strings.Contains(c, "POLY1305") || strings.Contains(c, "MGM")
	if s.AEAD {
		s.MAC = "AEAD"
	}
}

// bitsIn finds the key size in a cipher name ("AES_256_GCM" -> 256, "RC4_40" -> 40).
func bitsIn(c string, def int) int {
	for _, t := range strings.Split(c, "_") {
		switch t {
		case "40", "56", "64", "128", "192", "256":
			var n int
			fmt.Sscan(t, &n)
			return n
		}
	}
	return def
}

// sslv2Ciphers are the seven SSL 2.0 cipher kinds (three-byte codes).
var sslv2Ciphers = []struct {
	code uint32
	name string
}{
	{0x010080, "SSL_CK_RC4_128_WITH_MD5"},
	{0x020080, "SSL_CK_RC4_128_EXPORT40_WITH_MD5"},
	{0x030080, "SSL_CK_RC2_128_CBC_WITH_MD5"},
	{0x040080, "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5"},
	{0x050080, "SSL_CK_IDEA_128_CBC_WITH_MD5"},
	{0x060040, "SSL_CK_DES_64_CBC_WITH_MD5"},
	{0x0700C0, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5"},
}

func sslv2CipherName(code uint32) string {
	for _, c := range sslv2Ciphers {
		if c.code == code {
			return c.name
		}
	}
	return fmt.Sprintf("SSL_CK_UNKNOWN_0x%06X", code)
}
