package estate

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/telesra/telesra/cmd/telesra/workspace"
)

// startTLS serves the practice's HTTPS services: a well-configured patient portal, and three
// with the TLS weaknesses assessments find most often in clinics: a legacy gateway still on
// TLS 1.0/1.1 with 3DES, a certificate left to expire, and a certificate copied from another
// host. Their certificates come from a demo internal CA generated at start, whose root the
// demo gives the scan (CAFile) as a practice would give its own.
func startTLS(e *Estate) error {
	dir, err := os.MkdirTemp("", "telesra-demo-ca-")
	if err != nil {
		return err
	}
	e.closers = append(e.closers, func() { _ = os.RemoveAll(dir) })
	now := time.Now()
	ca, err := newDemoCert(certTemplate{cn: "Riverside Family Telehealth Internal CA", ca: true, from: now.AddDate(-2, 0, 0), to: now.AddDate(8, 0, 0)}, nil)
	if err != nil {
		return err
	}
	e.CAFile = filepath.Join(dir, "riverside-internal-ca.pem")
	if err := workspace.WriteFile(e.CAFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Certificate[0]}), true); err != nil {
		return err
	}
	modern := func(c tls.Certificate) *tls.Config {
		return &tls.Config{Certificates: []tls.Certificate{c}, MinVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305}}
	}
	services := []struct {
		offset     int
		name       string
		asset      string
		ephi       string
		internet   bool
		cert       certTemplate
		config     func(tls.Certificate) *tls.Config
		hsts       string
		weaknesses []string
	}{
		{portTLSPortal, "Video visits (HTTPS)", "Video visits", "Video visits", true, certTemplate{cn: "portal.riverside.example", ips: []string{"127.0.0.1"}, from: now.AddDate(0, 0, -10), to: now.AddDate(0, 0, 80)},
			modern, "max-age=63072000; includeSubDomains", []string{"none: TLS 1.2/1.3, ECDHE with AES-GCM, HSTS (grade A+)"}},
		{portTLSLegacy, "EHR interface gateway (legacy TLS)", "EHR interface gateway", "EHR", false, certTemplate{cn: "ehr-gw.riverside.example", ips: []string{"127.0.0.1"}, rsa: true, from: now.AddDate(0, -2, 0), to: now.AddDate(0, 10, 0)},
			func(c tls.Certificate) *tls.Config {
				return &tls.Config{Certificates: []tls.Certificate{c}, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS12,
					CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA}}
			}, "", []string{"TLS 1.0 and 1.1 offered", "3DES suites (SWEET32)", "RSA key exchange without forward secrecy", "no AEAD suite", "no HSTS"}},
		{portTLSExpired, "Billing system (expired certificate)", "Billing system", "EHR", false, certTemplate{cn: "billing.riverside.example", ips: []string{"127.0.0.1"}, from: now.AddDate(-1, 0, -20), to: now.AddDate(0, 0, -20)},
			modern, "max-age=31536000", []string{"certificate expired 20 days ago"}},
		{portTLSWrongHost, "Lab results API (certificate of another host)", "Lab results API", "EHR", true, certTemplate{cn: "labs.partner-clinic.example", dns: []string{"labs.partner-clinic.example"}, ips: []string{"10.20.0.15"},
			from: now.AddDate(0, 0, -30), to: now.AddDate(0, 0, 60)},
			modern, "max-age=31536000", []string{"certificate names labs.partner-clinic.example and 10.20.0.15, not this address"}},
	}
	for _, s := range services {
		cert, err := newDemoCert(s.cert, &ca)
		if err != nil {
			return err
		}
		ln, err := listen(s.offset)
		if err != nil {
			return err
		}
		cfg := s.config(cert)
		cfg.NextProtos = []string{"http/1.1"}
		hsts := s.hsts
		srv := &http.Server{
			Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if hsts != "" {
					w.Header().Set("Strict-Transport-Security", hsts)
				}
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprintf(w, "<!doctype html><title>%s</title><h1>%s</h1>\n", s.name, s.name)
			}),
			ReadHeaderTimeout: 5 * time.Second,
			ErrorLog:          quietLog,
		}
		go func() {
			if err := srv.Serve(tls.NewListener(ln, cfg)); err != nil && !errors.Is(err, http.ErrServerClosed) {
				_ = err // the scan reports an unreachable service
			}
		}()
		e.closers = append(e.closers, func() { _ = srv.Close() })
		e.Services = append(e.Services, Service{Family: "tls", Name: s.name, Target: "https://" + ln.Addr().String() + "/", Weaknesses: s.weaknesses,
			Asset: s.asset, EPHI: []string{s.ephi}, Internet: s.internet})
	}
	return nil
}

// certTemplate describes a demo certificate.
type certTemplate struct {
	cn       string
	dns      []string
	ips      []string
	ca, rsa  bool
	from, to time.Time
}

// newDemoCert issues a certificate (ECDSA P-256, or RSA 2048 for the legacy suites) signed by
// parent, or self-signed when parent is nil.
func newDemoCert(t certTemplate, parent *tls.Certificate) (tls.Certificate, error) {
	var key crypto.Signer
	var err error
	if t.rsa {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return tls.Certificate{}, err
	}
	tpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: t.cn, Organization: []string{"Riverside Family Telehealth (demo)"}},
		NotBefore:    t.from,
		NotAfter:     t.to,
		DNSNames:     append([]string{t.cn}, t.dns...),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, ip := range t.ips {
		tpl.IPAddresses = append(tpl.IPAddresses, net.ParseIP(ip))
	}
	if t.ca {
		tpl.DNSNames, tpl.ExtKeyUsage = nil, nil
		tpl.IsCA, tpl.BasicConstraintsValid = true, true
		tpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	}
	issuer, signer := tpl, key
	var chain [][]byte
	if parent != nil {
		issuer = parent.Leaf
		signer = parent.PrivateKey.(crypto.Signer)
		chain = parent.Certificate
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, issuer, key.Public(), signer)
	if err != nil {
		return tls.Certificate{}, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: append([][]byte{der}, chain...), PrivateKey: key, Leaf: leaf}, nil
}
