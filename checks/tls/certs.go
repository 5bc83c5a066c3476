package tls

import (
	"context"
	"crypto/dsa" //nolint:staticcheck // to name the key type of DSA certificates we find
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	stdtls "crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/telesra/telesra/checks"
)

// CertReport is the certificate analysis of one endpoint: one entry per certificate the server
// holds (a server may hold an RSA and an ECDSA certificate).
type CertReport struct {
	Certificates []*CertInfo `json:"certificates"`
}

// CertInfo describes one certificate chain as served.
type CertInfo struct {
	Source             string      `json:"source"` // which handshake served it
	KeyType            string      `json:"key_type"`
	KeyBits            int         `json:"key_bits"`
	Curve              string      `json:"curve,omitempty"`
	Subject            string      `json:"subject"`
	Issuer             string      `json:"issuer"`
	DNSNames           []string    `json:"dns_names,omitempty"`
	IPAddresses        []string    `json:"ip_addresses,omitempty"`
	NotBefore          time.Time   `json:"not_before"`
	NotAfter           time.Time   `json:"not_after"`
	ValidityDays       int         `json:"validity_days"`
	DaysLeft           int         `json:"days_left"`
	Expired            bool        `json:"expired"`
	NotYetValid        bool        `json:"not_yet_valid"`
	SignatureAlgorithm string      `json:"signature_algorithm"`
	SHA256             string      `json:"sha256"`
	SelfSigned         bool        `json:"self_signed"`
	Trusted            bool        `json:"trusted"`
	TrustError         string      `json:"trust_error,omitempty"`
	Hostname           string      `json:"hostname_checked"`
	HostnameMatch      bool        `json:"hostname_match"`
	OCSPStapled        bool        `json:"ocsp_stapled"`
	OCSPServers        []string    `json:"ocsp_servers,omitempty"`
	ServerAuthEKU      bool        `json:"server_auth_eku"`
	Chain              []ChainCert `json:"chain"`
	// WeakSignatures names certificates in the served chain (not trust anchors) signed with MD5
	// or SHA-1.
	WeakSignatures []string `json:"weak_signatures,omitempty"`

	leaf *x509.Certificate
}

// ChainCert is one certificate of the served chain.
type ChainCert struct {
	Subject            string    `json:"subject"`
	Issuer             string    `json:"issuer"`
	SignatureAlgorithm string    `json:"signature_algorithm"`
	NotAfter           time.Time `json:"not_after"`
}

// certProbe analyses the certificates: the chains read in the clear during the enumeration, or,
// for a TLS 1.3-only server (whose certificate is encrypted), one full handshake.
func certProbe(roots func() (*x509.CertPool, error)) *checks.Probe[*CertReport] {
	return &checks.Probe[*CertReport]{ID: "tls.cert", Run: func(ctx context.Context, env *checks.Env) (*CertReport, error) {
		rep, err := enumProbe.Get(ctx, env)
		if err != nil {
			return nil, err
		}
		if rep.NoSTARTTLS {
			return nil, checks.ErrNotApplicable
		}
		pool, err := roots()
		if err != nil {
			return nil, err
		}
		out := &CertReport{}
		for _, f := range rep.Flights {
			ci, err := analyzeChain(f.Chain, f.OCSP, env.Endpoint.Host, pool, env.Now())
			if err != nil {
				return nil, err
			}
			ci.Source = fmt.Sprintf("%s handshake (%s key exchange)", versionName(f.Version), f.Auth)
			out.Certificates = append(out.Certificates, ci)
		}
		if len(out.Certificates) > 0 {
			return out, nil
		}
		if rep.FlightError != nil {
			return nil, fmt.Errorf("read the certificate chain: %w", rep.FlightError)
		}
		if !rep.Offered(versionTLS13) {
			// Observed, not failed: there is no certificate to judge (tls.cipher.anon reports why).
			return nil, fmt.Errorf("%w: the server presents no certificate (it offers only anonymous or certificate-less suites)", checks.ErrNotApplicable)
		}
		ci, err := tls13Certificate(ctx, env, pool)
		if err != nil {
			return nil, err
		}
		out.Certificates = append(out.Certificates, ci)
		return out, nil
	}, Connections: "0-1", Needs: []checks.ProbeRef{enumProbe},
		Description: "Certificate analysis of the chains read during the enumeration: verification against the system roots " +
			"and --ca-file, dates, host name, key, signatures, stapling. A TLS 1.3-only server costs one full TLS 1.3 handshake (Go crypto/tls)."}
}

// tls13Certificate completes one TLS 1.3 handshake with Go's crypto/tls to read the encrypted
// certificate and its staple.
func tls13Certificate(ctx context.Context, env *checks.Env, pool *x509.CertPool) (*CertInfo, error) {
	t := newTarget(env)
	c, err := t.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	cfg := checks.ClientTLSConfig(t.sni)
	cfg.MinVersion, cfg.MaxVersion, cfg.NextProtos = stdtls.VersionTLS13, stdtls.VersionTLS13, nil
	tc := stdtls.Client(c, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, &checks.ProbeError{Reason: checks.Classify(err), Err: fmt.Errorf("TLS 1.3 handshake for the certificate: %w", err)}
	}
	cs := tc.ConnectionState()
	var chain [][]byte
	for _, crt := range cs.PeerCertificates {
		chain = append(chain, crt.Raw)
	}
	ci, err := analyzeChain(chain, cs.OCSPResponse, env.Endpoint.Host, pool, env.Now())
	if err != nil {
		return nil, err
	}
	ci.Source = "TLSv1.3 handshake"
	return ci, nil
}

// analyzeChain judges a served chain: trust (system roots plus --ca-file), dates, host name,
// key and signatures, stapling.
func analyzeChain(der [][]byte, ocsp []byte, host string, roots *x509.CertPool, now time.Time) (*CertInfo, error) {
	if len(der) == 0 {
		return nil, &checks.ProbeError{Reason: checks.ReasonTLSFailure, Err: errors.New("the server sent an empty certificate chain")}
	}
	leaf, err := x509.ParseCertificate(der[0])
	if err != nil {
		return nil, &checks.ProbeError{Reason: checks.ReasonTLSFailure, Err: fmt.Errorf("the server's certificate does not parse: %w", err)}
	}
	ci := &CertInfo{
		leaf:               leaf,
		Subject:            leaf.Subject.String(),
		Issuer:             leaf.Issuer.String(),
		DNSNames:           leaf.DNSNames,
		NotBefore:          leaf.NotBefore.UTC(),
		NotAfter:           leaf.NotAfter.UTC(),
		ValidityDays:       int(leaf.NotAfter.Sub(leaf.NotBefore).Hours() / 24),
		DaysLeft:           int(leaf.NotAfter.Sub(now).Hours() / 24),
		SignatureAlgorithm: leaf.SignatureAlgorithm.String(),
		Expired:            now.After(leaf.NotAfter),
		NotYetValid:        now.Before(leaf.NotBefore),
		OCSPStapled:        len(ocsp) > 0,
		OCSPServers:        leaf.OCSPServer,
		Hostname:           host,
	}
	sum := sha256.Sum256(leaf.Raw)
	ci.SHA256 = hex.EncodeToString(sum[:])
	for _, ip := range leaf.IPAddresses {
		ci.IPAddresses = append(ci.IPAddresses, ip.String())
	}
	ci.KeyType, ci.KeyBits, ci.Curve = publicKeyInfo(leaf)
	ci.ServerAuthEKU = len(leaf.ExtKeyUsage) == 0
	for _, u := range leaf.ExtKeyUsage {
		ci.ServerAuthEKU = ci.ServerAuthEKU || u == x509.ExtKeyUsageServerAuth || u == x509.ExtKeyUsageAny
	}
	ci.SelfSigned = isSelfSigned(leaf)
	inter := x509.NewCertPool()
	for i, d := range der {
		c := leaf
		if i > 0 {
			if c, err = x509.ParseCertificate(d); err != nil {
				ci.Chain = append(ci.Chain, ChainCert{Subject: "(unparseable certificate)"})
				continue
			}
			inter.AddCert(c)
		}
		ci.Chain = append(ci.Chain, ChainCert{Subject: c.Subject.String(), Issuer: c.Issuer.String(),
			SignatureAlgorithm: c.SignatureAlgorithm.String(), NotAfter: c.NotAfter.UTC()})
		if i > 0 && isSelfSigned(c) {
			continue // a trust anchor's own signature protects nothing
		}
		if w := weakSignature(c.SignatureAlgorithm); w != "" {
			ci.WeakSignatures = append(ci.WeakSignatures, fmt.Sprintf("%s signed with %s", subjectName(c), w))
		}
	}
	ci.HostnameMatch = leaf.VerifyHostname(host) == nil
	// Trust is judged at a moment the leaf is valid: expiry is its own finding.
	at := now
	switch {
	case ci.Expired:
		at = leaf.NotAfter.Add(-time.Minute)
	case ci.NotYetValid:
		at = leaf.NotBefore.Add(time.Minute)
	}
	_, verr := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	ci.Trusted = verr == nil
	if verr != nil {
		ci.TrustError = checks.Clean(verr.Error(), 300)
	}
	return ci, nil
}

// isSelfSigned: issued by itself (the signature is not checked, so that SHA-1 and MD5
// self-signed certificates, which Go refuses to verify, are still recognised).
func isSelfSigned(c *x509.Certificate) bool {
	if string(c.RawIssuer) != string(c.RawSubject) {
		return false
	}
	return len(c.AuthorityKeyId) == 0 || string(c.AuthorityKeyId) == string(c.SubjectKeyId)
}

func weakSignature(a x509.SignatureAlgorithm) string {
	switch a {
	case x509.MD2WithRSA:
		return "MD2"
	case x509.MD5WithRSA:
		return "MD5"
	case x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
		return "SHA-1"
	}
	return ""
}

func subjectName(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return "CN=" + c.Subject.CommonName
	}
	return c.Subject.String()
}

func publicKeyInfo(c *x509.Certificate) (typ string, bits int, curve string) {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen(), ""
	case *ecdsa.PublicKey:
		return "ECDSA", k.Curve.Params().BitSize, k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519", 256, ""
	case *dsa.PublicKey:
		return "DSA", k.P.BitLen(), ""
	}
	return strings.TrimSuffix(c.PublicKeyAlgorithm.String(), "PublicKey"), 0, ""
}

// keyInfo is the leaf key as nmap prints it for a suite's key exchange: "rsa 2048".
func keyInfo(chain [][]byte) string {
	if len(chain) == 0 {
		return ""
	}
	c, err := x509.ParseCertificate(chain[0])
	if err != nil {
		return ""
	}
	t, b, curve := publicKeyInfo(c)
	if curve != "" {
		return curve
	}
	return fmt.Sprintf("%s %d", strings.ToLower(t), b)
}

// weakKey says why a certificate key is below 112-bit security (NIST SP 800-57), or "".
func (ci *CertInfo) weakKey() string {
	switch ci.KeyType {
	case "RSA", "DSA":
		if ci.KeyBits < 2048 {
			return fmt.Sprintf("%s %d bits", ci.KeyType, ci.KeyBits)
		}
	case "ECDSA":
		if ci.KeyBits < 224 {
			return fmt.Sprintf("ECDSA %s (%d bits)", ci.Curve, ci.KeyBits)
		}
	}
	return ""
}
