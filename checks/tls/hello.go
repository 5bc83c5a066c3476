package tls

import (
	"crypto/ecdh"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	ztls "github.com/zmap/zcrypto/tls"
	"golang.org/x/crypto/cryptobyte"
)

// Protocol versions on the wire. SSL 2.0 has no TLS code point; 0x0002 is its own version field.
const (
	versionSSL2  uint16 = 0x0002
	versionSSL3  uint16 = 0x0300
	versionTLS10 uint16 = 0x0301
	versionTLS11 uint16 = 0x0302
	versionTLS12 uint16 = 0x0303
	versionTLS13 uint16 = 0x0304
)

// displayName is the version as people write it: "TLS 1.0", "SSL 3.0".
func displayName(v uint16) string {
	switch v {
	case versionSSL2:
		return "SSL 2.0"
	case versionSSL3:
		return "SSL 3.0"
	}
	return strings.Replace(versionName(v), "v", " ", 1)
}

// versionName is the version as nmap and the JSON name it: "TLSv1.0".
func versionName(v uint16) string {
	switch v {
	case versionSSL2:
		return "SSLv2"
	case versionSSL3:
		return "SSLv3"
	case versionTLS10:
		return "TLSv1.0"
	case versionTLS11:
		return "TLSv1.1"
	case versionTLS12:
		return "TLSv1.2"
	case versionTLS13:
		return "TLSv1.3"
	}
	return fmt.Sprintf("0x%04x", v)
}

// broadGroups are the supported_groups the scanner offers below TLS 1.3: every named curve of
// RFC 4492/8422 (so a server's ECDHE suites never look unsupported for want of its curve),
// brainpool, X25519/X448 and the RFC 7919 finite-field groups.
var broadGroups = func() []ztls.CurveID {
	var g []ztls.CurveID
	for id := 1; id <= 30; id++ {
		g = append(g, ztls.CurveID(id))
	}
	for id := 256; id <= 260; id++ {
		g = append(g, ztls.CurveID(id))
	}
	return g
}()

// groups13 are the TLS 1.3 groups: the X25519/ML-KEM hybrid, the curves and the FFDHE groups.
var groups13 = []uint16{0x001d, 0x0017, 0x0018, 0x0019, 0x001e, 0x11ec, 0x001f, 0x0020, 0x0021, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104}

// broadSigAlgs are the signature_algorithms offered: every RSA (PKCS#1 and PSS), ECDSA, EdDSA
// and DSA combination, so that a server holding any certificate can answer.
var broadSigAlgs = []uint16{
	0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b,
	0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602, 0x0203, 0x0201, 0x0202, 0x0101,
}

// helloOptions shape one SSLv3-TLS 1.2 ClientHello.
type helloOptions struct {
	sni      string
	compact  bool // retry shape: no compression offer, fewer extensions, for servers intolerant of big hellos
	fallback bool // add TLS_FALLBACK_SCSV (RFC 7507)
}

// clientHello12 builds an SSLv3-TLS 1.2 ClientHello record with zcrypto, which still speaks
// everything modern libraries dropped (SSLv3, export, anonymous, NULL, RC4, DES suites, the
// heartbeat extension): it writes the hello into a buffer instead of a connection, and the
// scanner sends those bytes itself so that it can stop reading at the ServerHello.
func clientHello12(version uint16, suites []uint16, o helloOptions) ([]byte, error) {
	cs := suites
	if o.fallback {
		cs = append(append([]uint16{}, suites...), 0x5600)
	}
	cfg := &ztls.Config{
		InsecureSkipVerify:       true,
		ServerName:               o.sni,
		MinVersion:               ztls.VersionSSL30,
		MaxVersion:               version,
		CipherSuites:             cs,
		ForceSuites:              true,
		CurvePreferences:         broadGroups,
		ExplicitCurvePreferences: true,
		SupportedPoints:          []uint8{0, 1, 2},
		CompressionMethods:       []uint8{1, 0}, // DEFLATE first: a server that compresses says so
		HeartbeatEnabled:         true,
		ExtendedMasterSecret:     true,
		SessionTicketsDisabled:   true,
	}
	for _, sa := range broadSigAlgs {
		cfg.SignatureAndHashes = append(cfg.SignatureAndHashes, ztls.SigAndHash{Hash: uint8(sa >> 8), Signature: uint8(sa)})
	}
	if o.compact {
		cfg.CompressionMethods = []uint8{0}
		cfg.HeartbeatEnabled, cfg.ExtendedMasterSecret, cfg.NoOcspStapling = false, false, true
		cfg.CurvePreferences = []ztls.CurveID{29, 23, 24, 25}
		cfg.SignatureAndHashes = cfg.SignatureAndHashes[:11]
		if version == versionSSL3 {
			cfg.CurvePreferences, cfg.SupportedPoints, cfg.ServerName = nil, []uint8{}, ""
		}
	}
	w := &helloSink{}
	err := ztls.Client(w, cfg).Handshake()
	if !errors.Is(err, errHelloWritten) && err != nil && len(w.buf) == 0 {
		return nil, fmt.Errorf("build ClientHello: %w", err)
	}
	// Keep only the handshake record(s): zcrypto may have written an alert after its read failed.
	var rec []byte
	for b := w.buf; len(b) >= 5; {
		n := 5 + (int(b[3])<<8 | int(b[4]))
		if n > len(b) {
			break
		}
		if b[0] == recordHandshake {
			rec = append(rec, b[:n]...)
		}
		b = b[n:]
	}
	if len(rec) == 0 {
		return nil, errors.New("build ClientHello: zcrypto wrote no handshake record")
	}
	if version == versionSSL3 {
		rec[1], rec[2] = 3, 0 // an SSLv3-only server may reject a TLS 1.0 record version
	}
	return rec, nil
}

var errHelloWritten = errors.New("hello captured")

// helloSink is the connection zcrypto writes its ClientHello into; reading from it ends the
// handshake there.
type helloSink struct{ buf []byte }

func (h *helloSink) Write(p []byte) (int, error)      { h.buf = append(h.buf, p...); return len(p), nil }
func (h *helloSink) Read([]byte) (int, error)         { return 0, errHelloWritten }
func (h *helloSink) Close() error                     { return nil }
func (h *helloSink) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (h *helloSink) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (h *helloSink) SetDeadline(time.Time) error      { return nil }
func (h *helloSink) SetReadDeadline(time.Time) error  { return nil }
func (h *helloSink) SetWriteDeadline(time.Time) error { return nil }

// keyShares holds the TLS 1.3 key shares one endpoint's hellos reuse: the scanner never
// finishes a TLS 1.3 handshake, so the shares only have to be well-formed points.
type keyShares struct {
	x25519, p256 []byte
}

func newKeyShares() (*keyShares, error) {
	a, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	b, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	return &keyShares{x25519: a.PublicKey().Bytes(), p256: b.PublicKey().Bytes()}, nil
}

// clientHello13 builds a TLS 1.3 ClientHello by hand. zcrypto predates TLS 1.3, and Go's
// crypto/tls neither offers the CCM, SM4 or integrity-only suites nor lets the caller choose the
// suites or their order, which enumeration needs.
func clientHello13(suites []uint16, sni string, ks *keyShares) ([]byte, error) {
	random := make([]byte, 32)
	sid := make([]byte, 32) // middlebox compatibility (RFC 8446 D.4)
	if _, err := rand.Read(random); err != nil {
		return nil, err
	}
	if _, err := rand.Read(sid); err != nil {
		return nil, err
	}
	var b cryptobyte.Builder
	b.AddUint8(recordHandshake)
	b.AddUint16(versionTLS10)
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint8(1) // client_hello
		b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddUint16(versionTLS12)
			b.AddBytes(random)
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(sid) })
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, s := range suites {
					b.AddUint16(s)
				}
			})
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(0) })
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				if sni != "" {
					ext(b, extServerName, func(b *cryptobyte.Builder) {
						b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
							b.AddUint8(0)
							b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(sni)) })
						})
					})
				}
				ext(b, extSupportedVersions, func(b *cryptobyte.Builder) {
					b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint16(versionTLS13) })
				})
				ext(b, extSupportedGroups, func(b *cryptobyte.Builder) {
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
						for _, g := range groups13 {
							b.AddUint16(g)
						}
					})
				})
				ext(b, extSignatureAlgorithms, func(b *cryptobyte.Builder) {
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
						for _, s := range broadSigAlgs {
							b.AddUint16(s)
						}
					})
				})
				ext(b, extKeyShare, func(b *cryptobyte.Builder) {
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
						b.AddUint16(0x001d)
						b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(ks.x25519) })
						b.AddUint16(0x0017)
						b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(ks.p256) })
					})
				})
				ext(b, extPSKModes, func(b *cryptobyte.Builder) {
					b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(1) })
				})
				ext(b, extPointFormats, func(b *cryptobyte.Builder) {
					b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(0) })
				})
				ext(b, extRenegotiationInfo, func(b *cryptobyte.Builder) { b.AddUint8(0) })
			})
		})
	})
	return b.Bytes()
}

func ext(b *cryptobyte.Builder, typ uint16, body func(*cryptobyte.Builder)) {
	b.AddUint16(typ)
	b.AddUint16LengthPrefixed(body)
}

// clientHelloSSL2 builds an SSL 2.0 CLIENT-HELLO offering every SSL 2.0 cipher kind, by hand:
// no maintained library still speaks SSL 2.0, and detecting it is the point.
func clientHelloSSL2() ([]byte, error) {
	challenge := make([]byte, 16)
	if _, err := rand.Read(challenge); err != nil {
		return nil, err
	}
	var m cryptobyte.Builder
	m.AddUint8(1) // CLIENT-HELLO
	m.AddUint16(versionSSL2)
	m.AddUint16(uint16(3 * len(sslv2Ciphers)))
	m.AddUint16(0) // session id length
	m.AddUint16(uint16(len(challenge)))
	for _, c := range sslv2Ciphers {
		m.AddUint24(c.code)
	}
	m.AddBytes(challenge)
	body, err := m.Bytes()
	if err != nil {
		return nil, err
	}
	return append([]byte{0x80 | byte(len(body)>>8), byte(len(body))}, body...), nil
}
