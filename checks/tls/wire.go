package tls

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"golang.org/x/crypto/cryptobyte"

	"github.com/telesra/telesra/checks"
)

// This file reads the server's side of a handshake: TLS records, handshake messages, the
// ServerHello and the rest of the server's first flight, and SSL 2.0's SERVER-HELLO. It is
// written by hand (on golang.org/x/crypto/cryptobyte) because the scanner must stop where no TLS
// library stops: right after the ServerHello, or after ServerHelloDone without ever sending a
// key exchange, and read what libraries treat as fatal (an alert, an SSLv2 answer, a TLS 1.3
// HelloRetryRequest) as data.

const (
	recordChangeCipherSpec = 20
	recordAlert            = 21
	recordHandshake        = 22
	recordApplicationData  = 23
	recordHeartbeat        = 24

	typeServerHello       = 2
	typeCertificate       = 11
	typeServerKeyExchange = 12
	typeCertRequest       = 13
	typeServerHelloDone   = 14
	typeCertificateStatus = 22

	extServerName          = 0
	extStatusRequest       = 5
	extSupportedGroups     = 10
	extPointFormats        = 11
	extSignatureAlgorithms = 13
	extHeartbeat           = 15
	extExtendedMaster      = 23
	extSupportedVersions   = 43
	extPSKModes            = 45
	extKeyShare            = 51
	extRenegotiationInfo   = 0xff01

	alertInappropriateFallback = 86

	// maxRecord is the largest record a server may send (RFC 5246 6.2.3: 2^14 + 2048).
	maxRecord = 16384 + 2048
	// helloBudget bounds what one enumeration handshake reads before the ServerHello is complete.
	helloBudget = 64 << 10
	// flightBudget bounds what a handshake that reads the whole first flight (certificate chain,
	// key exchange) may read: far above any real chain, far below what a hostile server could
	// make us hold.
	flightBudget = 128 << 10
)

// helloRetryRandom marks a TLS 1.3 HelloRetryRequest (RFC 8446 4.1.3).
var helloRetryRandom = sha256.Sum256([]byte("HelloRetryRequest"))

// refusal is a server's "no" to a ClientHello: a fatal alert, or the connection closed before
// the server sent anything. Enumeration reads it as "not accepted", never as an error.
type refusal struct {
	alert  int // alert description, or -1 when the connection was closed without one
	detail string
}

func (r *refusal) Error() string {
	if r.alert < 0 {
		return "server closed the connection without answering the ClientHello" + r.detail
	}
	return fmt.Sprintf("server refused with alert %s (%d)", alertName(r.alert), r.alert)
}

func isRefusal(err error) (*refusal, bool) {
	var r *refusal
	ok := errors.As(err, &r)
	return r, ok
}

// errTooLarge: the server sent more than the read budget allows (a hostile certificate chain).
var errTooLarge = errors.New("server's handshake flight exceeds the read limit")

// serverReader reads one connection's answer within a byte budget. It distinguishes a refusal
// (alert, or closed before the first byte) from a failure (timeout, reset after data, garbage).
type serverReader struct {
	r      *bufio.Reader
	budget int
	got    int    // bytes read so far
	hs     []byte // handshake bytes not yet returned as messages
}

func newServerReader(c net.Conn, budget int) *serverReader {
	return &serverReader{r: bufio.NewReaderSize(c, 4096), budget: budget}
}

func (s *serverReader) full(p []byte) error {
	if s.got+len(p) > s.budget {
		return &checks.ProbeError{Reason: checks.ReasonTooLarge, Err: fmt.Errorf("%w (%d bytes)", errTooLarge, s.budget)}
	}
	n, err := io.ReadFull(s.r, p)
	s.got += n
	if err != nil {
		if s.got == 0 && closedQuietly(err) {
			return &refusal{alert: -1}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return &checks.ProbeError{Reason: checks.ReasonReset, Err: fmt.Errorf("server closed the connection mid-handshake after %d bytes", s.got)}
		}
		return err
	}
	return nil
}

// closedQuietly: EOF or a reset before the server sent a byte, which is how many servers refuse
// a protocol version they do not speak.
func closedQuietly(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// record reads one TLS record.
func (s *serverReader) record() (typ uint8, vers uint16, body []byte, err error) {
	var h [5]byte
	if err := s.full(h[:]); err != nil {
		return 0, 0, nil, err
	}
	typ, vers = h[0], uint16(h[1])<<8|uint16(h[2])
	n := int(h[3])<<8 | int(h[4])
	if typ < recordChangeCipherSpec || typ > recordHeartbeat || h[1] != 3 {
		return 0, 0, nil, checks.Mismatch(fmt.Sprintf("not TLS: the server answered % x", h[:]), nil)
	}
	if n > maxRecord {
		return 0, 0, nil, checks.Mismatch(fmt.Sprintf("TLS record of %d bytes exceeds the protocol maximum", n), nil)
	}
	body = make([]byte, n)
	if err := s.full(body); err != nil {
		return 0, 0, nil, err
	}
	return typ, vers, body, nil
}

// message returns the next handshake message. An alert is returned as a refusal (fatal) or
// skipped (warning); a ChangeCipherSpec (TLS 1.3 middlebox compatibility) is skipped.
func (s *serverReader) message() (typ uint8, body []byte, err error) {
	for {
		if len(s.hs) >= 4 {
			n := int(s.hs[1])<<16 | int(s.hs[2])<<8 | int(s.hs[3])
			if n > s.budget {
				return 0, nil, &checks.ProbeError{Reason: checks.ReasonTooLarge, Err: fmt.Errorf("%w: a %d-byte handshake message", errTooLarge, n)}
			}
			if len(s.hs) >= 4+n {
				typ, body = s.hs[0], s.hs[4:4+n]
				s.hs = s.hs[4+n:]
				return typ, body, nil
			}
		}
		rt, _, rb, err := s.record()
		if err != nil {
			return 0, nil, err
		}
		switch rt {
		case recordHandshake:
			s.hs = append(s.hs, rb...)
		case recordAlert:
			if len(rb) < 2 {
				return 0, nil, checks.Mismatch("malformed alert record", nil)
			}
			if rb[0] == 1 && len(s.hs) == 0 && rb[1] != 0 { // warning (unrecognized_name, say): keep reading
				continue
			}
			return 0, nil, &refusal{alert: int(rb[1])}
		case recordChangeCipherSpec:
			continue
		default:
			return 0, nil, checks.Mismatch(fmt.Sprintf("unexpected TLS record type %d during the handshake", rt), nil)
		}
	}
}

// serverHello is what a ServerHello (or a TLS 1.3 HelloRetryRequest) says.
type serverHello struct {
	Version     uint16 // negotiated: supported_versions when present, else the legacy field
	Suite       uint16
	Compression uint8
	HRR         bool
	Group       uint16 // TLS 1.3 key_share (or the HRR's requested group)
	Extensions  map[uint16][]byte
}

func (h *serverHello) has(ext uint16) bool { _, ok := h.Extensions[ext]; return ok }

func parseServerHello(body []byte) (*serverHello, error) {
	s := cryptobyte.String(body)
	h := &serverHello{Extensions: map[uint16][]byte{}}
	var random, sid []byte
	if !s.ReadUint16(&h.Version) || !s.ReadBytes(&random, 32) || !s.ReadUint8LengthPrefixed((*cryptobyte.String)(&sid)) ||
		!s.ReadUint16(&h.Suite) || !s.ReadUint8(&h.Compression) {
		return nil, checks.Mismatch("malformed ServerHello", nil)
	}
	h.HRR = bytes.Equal(random, helloRetryRandom[:])
	if !s.Empty() {
		var exts cryptobyte.String
		if !s.ReadUint16LengthPrefixed(&exts) {
			return nil, checks.Mismatch("malformed ServerHello extensions", nil)
		}
		for !exts.Empty() {
			var typ uint16
			var data cryptobyte.String
			if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&data) {
				return nil, checks.Mismatch("malformed ServerHello extension", nil)
			}
			h.Extensions[typ] = data
		}
	}
	if v, ok := h.Extensions[extSupportedVersions]; ok && len(v) == 2 {
		h.Version = uint16(v[0])<<8 | uint16(v[1])
	}
	if ks, ok := h.Extensions[extKeyShare]; ok && len(ks) >= 2 {
		h.Group = uint16(ks[0])<<8 | uint16(ks[1])
	}
	return h, nil
}

// flight is the rest of a TLS 1.2-and-below server's first flight, read up to ServerHelloDone:
// everything in it travels in the clear, so no key exchange is needed to learn it.
type flight struct {
	Chain  [][]byte // DER, leaf first
	OCSP   []byte   // stapled OCSP response
	SKE    []byte   // ServerKeyExchange body
	Done   bool     // ServerHelloDone was read
	ReqCrt bool     // the server asked for a client certificate
}

// readFlight reads messages up to ServerHelloDone.
func readFlight(r *serverReader) (*flight, error) {
	f := &flight{}
	for i := 0; i < 16; i++ {
		typ, body, err := r.message()
		if err != nil {
			return f, err
		}
		switch typ {
		case typeCertificate:
			s := cryptobyte.String(body)
			var list cryptobyte.String
			if !s.ReadUint24LengthPrefixed(&list) {
				return f, checks.Mismatch("malformed Certificate message", nil)
			}
			for !list.Empty() {
				var der cryptobyte.String
				if !list.ReadUint24LengthPrefixed(&der) {
					return f, checks.Mismatch("malformed certificate in the chain", nil)
				}
				f.Chain = append(f.Chain, der)
			}
		case typeCertificateStatus:
			s := cryptobyte.String(body)
			var st uint8
			var resp cryptobyte.String
			if s.ReadUint8(&st) && st == 1 && s.ReadUint24LengthPrefixed(&resp) {
				f.OCSP = resp
			}
		case typeServerKeyExchange:
			f.SKE = body
		case typeCertRequest:
			f.ReqCrt = true
		case typeServerHelloDone:
			f.Done = true
			return f, nil
		default:
			return f, checks.Mismatch(fmt.Sprintf("unexpected handshake message %d in the server's flight", typ), nil)
		}
	}
	return f, checks.Mismatch("server's flight has no ServerHelloDone", nil)
}

// kexParams is what a ServerKeyExchange reveals about the ephemeral key.
type kexParams struct {
	DHBits    int    // finite-field DH prime size
	Curve     uint16 // named curve
	Explicit  bool   // explicit curve parameters
	ExportRSA int    // temporary RSA key of an export suite
}

// parseSKE reads the parameters at the start of a ServerKeyExchange for a suite's key exchange.
func parseSKE(s Suite, body []byte) (kexParams, bool) {
	var p kexParams
	b := cryptobyte.String(body)
	if s.Kex == "DHE_PSK" || s.Kex == "ECDHE_PSK" {
		var hint cryptobyte.String
		if !b.ReadUint16LengthPrefixed(&hint) {
			return p, false
		}
	}
	switch {
	case s.Kex == "DHE" || s.Kex == "DH" && s.Anon || s.Kex == "DHE_PSK":
		var prime cryptobyte.String
		if !b.ReadUint16LengthPrefixed(&prime) {
			return p, false
		}
		p.DHBits = bitLen(prime)
		return p, p.DHBits > 0
	case s.Kex == "ECDHE" || s.Kex == "ECDH" && s.Anon || s.Kex == "ECDHE_PSK":
		var ct uint8
		if !b.ReadUint8(&ct) {
			return p, false
		}
		if ct == 3 {
			return p, b.ReadUint16(&p.Curve)
		}
		p.Explicit = true
		return p, true
	case s.Kex == "RSA" && s.Export:
		var mod cryptobyte.String
		if !b.ReadUint16LengthPrefixed(&mod) {
			return p, false
		}
		p.ExportRSA = bitLen(mod)
		return p, p.ExportRSA > 0
	}
	return p, false
}

func bitLen(b []byte) int {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	if len(b) == 0 {
		return 0
	}
	n := (len(b) - 1) * 8
	for x := b[0]; x != 0; x >>= 1 {
		n++
	}
	return n
}

// readSSLv2ServerHello reads SSL 2.0's SERVER-HELLO: the cipher kinds the server shares with us.
func readSSLv2ServerHello(r *serverReader) ([]uint32, error) {
	var h [2]byte
	if err := r.full(h[:]); err != nil {
		return nil, err
	}
	if h[0]&0x80 == 0 {
		if h[0] == recordAlert || h[0] == recordHandshake {
			return nil, &refusal{alert: -1, detail: " (it answered SSL 2.0 in TLS)"}
		}
		return nil, checks.Mismatch(fmt.Sprintf("not SSL: the server answered % x", h[:]), nil)
	}
	n := int(h[0]&0x7f)<<8 | int(h[1])
	if n > maxRecord {
		return nil, checks.Mismatch("oversized SSL 2.0 record", nil)
	}
	body := make([]byte, n)
	if err := r.full(body); err != nil {
		return nil, err
	}
	s := cryptobyte.String(body)
	var typ, hit, certType uint8
	var vers, certLen, specLen, idLen uint16
	if !s.ReadUint8(&typ) || typ != 4 || !s.ReadUint8(&hit) || !s.ReadUint8(&certType) || !s.ReadUint16(&vers) ||
		!s.ReadUint16(&certLen) || !s.ReadUint16(&specLen) || !s.ReadUint16(&idLen) || !s.Skip(int(certLen)) || specLen%3 != 0 {
		if typ == 0 { // SSL 2.0 ERROR message
			return nil, &refusal{alert: -1, detail: " (SSL 2.0 error message)"}
		}
		return nil, checks.Mismatch("malformed SSL 2.0 SERVER-HELLO", nil)
	}
	var out []uint32
	for i := 0; i < int(specLen)/3; i++ {
		var c uint32
		if !s.ReadUint24(&c) {
			return nil, checks.Mismatch("malformed SSL 2.0 cipher list", nil)
		}
		out = append(out, c)
	}
	return out, nil
}

var alertNames = map[int]string{
	0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 21: "decryption_failed", 22: "record_overflow",
	30: "decompression_failure", 40: "handshake_failure", 41: "no_certificate", 42: "bad_certificate",
	43: "unsupported_certificate", 44: "certificate_revoked", 45: "certificate_expired", 46: "certificate_unknown",
	47: "illegal_parameter", 48: "unknown_ca", 49: "access_denied", 50: "decode_error", 51: "decrypt_error",
	60: "export_restriction", 70: "protocol_version", 71: "insufficient_security", 80: "internal_error",
	86: "inappropriate_fallback", 90: "user_canceled", 100: "no_renegotiation", 109: "missing_extension",
	110: "unsupported_extension", 112: "unrecognized_name", 113: "bad_certificate_status_response",
	115: "unknown_psk_identity", 116: "certificate_required", 120: "no_application_protocol",
}

func alertName(d int) string {
	if n, ok := alertNames[d]; ok {
		return n
	}
	return "unknown"
}
