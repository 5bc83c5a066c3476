package tls

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	stdtls "crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// testCert is a certificate generated for a test, with its key, as PEM files and as a
// crypto/tls certificate.
type testCert struct {
	Cert     *x509.Certificate
	Key      crypto.Signer
	CertFile string // PEM: leaf then issuer chain
	KeyFile  string
	TLS      stdtls.Certificate
}

// certSpec describes a certificate to issue.
type certSpec struct {
	Name      string // file name stem and CN
	DNS       []string
	IPs       []string
	KeyType   string // "rsa" (default), "ecdsa"
	RSABits   int    // default 2048
	SigAlg    x509.SignatureAlgorithm
	NotBefore time.Time
	NotAfter  time.Time
	OCSP      string // AIA OCSP responder URL
	CA        bool
}

// issue creates a certificate signed by parent (nil: self-signed) and writes it to dir.
func issue(t testing.TB, dir string, spec certSpec, parent *testCert) *testCert {
	t.Helper()
	var key crypto.Signer
	var err error
	switch spec.KeyType {
	case "ecdsa":
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		bits := spec.RSABits
		if bits == 0 {
			bits = 2048
		}
		key, err = rsa.GenerateKey(rand.Reader, bits)
	}
	if err != nil {
		t.Fatal(err)
	}
	if spec.NotBefore.IsZero() {
		spec.NotBefore = time.Now().Add(-24 * time.Hour)
	}
	if spec.NotAfter.IsZero() {
		spec.NotAfter = time.Now().Add(200 * 24 * time.Hour)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tpl := &x509.Certificate{
		SerialNumber:       serial,
		Subject:            pkix.Name{CommonName: spec.Name, Organization: []string{"telesra test"}},
		NotBefore:          spec.NotBefore,
		NotAfter:           spec.NotAfter,
		DNSNames:           spec.DNS,
		SignatureAlgorithm: spec.SigAlg,
		KeyUsage:           x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:        []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, ip := range spec.IPs {
		tpl.IPAddresses = append(tpl.IPAddresses, net.ParseIP(ip))
	}
	if spec.OCSP != "" {
		tpl.OCSPServer = []string{spec.OCSP}
	}
	if spec.CA {
		tpl.IsCA, tpl.BasicConstraintsValid = true, true
		tpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
		tpl.ExtKeyUsage = nil
	}
	signer, issuerCert := key, tpl
	if parent != nil {
		signer, issuerCert = parent.Key, parent.Cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, issuerCert, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	tc := &testCert{Cert: cert, Key: key}
	chain := [][]byte{der}
	pemChain := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if parent != nil {
		chain = append(chain, parent.Cert.Raw)
		pemChain = append(pemChain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: parent.Cert.Raw})...)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	tc.CertFile = filepath.Join(dir, spec.Name+".pem")
	tc.KeyFile = filepath.Join(dir, spec.Name+".key")
	if err := os.WriteFile(tc.CertFile, pemChain, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tc.KeyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	tc.TLS = stdtls.Certificate{Certificate: chain, PrivateKey: key, Leaf: cert}
	return tc
}

// testPKI is a test CA and the certificates the tests serve.
type testPKI struct {
	dir                                 string
	CA                                  *testCert
	Good, GoodECDSA, Expired, WrongHost *testCert
	Weak                                *testCert // RSA 1024, SHA-1 signature
	SelfSigned                          *testCert
}

func newPKI(t testing.TB) *testPKI {
	t.Helper()
	dir := t.TempDir()
	p := &testPKI{dir: dir}
	p.CA = issue(t, dir, certSpec{Name: "Telesra Test CA", CA: true, NotBefore: time.Now().Add(-3 * 365 * 24 * time.Hour),
		NotAfter: time.Now().Add(3650 * 24 * time.Hour)}, nil)
	p.Good = issue(t, dir, certSpec{Name: "good", DNS: []string{"localhost", "portal.test"}, IPs: []string{"127.0.0.1"}}, p.CA)
	p.GoodECDSA = issue(t, dir, certSpec{Name: "good-ecdsa", KeyType: "ecdsa", DNS: []string{"localhost"}, IPs: []string{"127.0.0.1"},
		NotAfter: time.Now().Add(80 * 24 * time.Hour)}, p.CA) // within Mozilla modern's 90 days
	p.Expired = issue(t, dir, certSpec{Name: "expired", DNS: []string{"localhost"}, IPs: []string{"127.0.0.1"},
		NotBefore: time.Now().Add(-400 * 24 * time.Hour), NotAfter: time.Now().Add(-10 * 24 * time.Hour)}, p.CA)
	p.WrongHost = issue(t, dir, certSpec{Name: "wrong-host", DNS: []string{"ehr.other-practice.test"}, IPs: []string{"127.0.0.2"}}, p.CA)
	p.Weak = issue(t, dir, certSpec{Name: "weak", RSABits: 1024, SigAlg: x509.SHA1WithRSA, DNS: []string{"localhost"}, IPs: []string{"127.0.0.1"}}, p.CA)
	p.SelfSigned = issue(t, dir, certSpec{Name: "self-signed", DNS: []string{"localhost"}, IPs: []string{"127.0.0.1"}}, nil)
	return p
}

// caFile writes the CA certificate alone, for --ca-file.
// caOptions trusts the test CA as --ca-file ca-only.pem would.
func (p *testPKI) caOptions() Options {
	return Options{CAFile: filepath.Join(p.dir, "ca-only.pem"), CA: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.CA.Cert.Raw})}
}

func pemEncode(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
