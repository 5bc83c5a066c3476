// Package tls is the TLS check family: it enumerates an endpoint's SSL/TLS protocol versions and
// cipher suites exactly and in the server's order, reads its certificates and key exchange,
// tests protocol weaknesses (renegotiation, compression, downgrade protection, Heartbleed, HSTS),
// and grades the endpoint against SSL Labs' caps, NIST SP 800-52r2 and Mozilla's profiles, every
// finding mapped to the HIPAA transmission-security and authentication standards.
//
// The package is named tls after its directory; inside it, Go's crypto/tls is imported as
// stdtls and zcrypto's as ztls.
//
// One probe (tls.enum) does the network work once per endpoint: ClientHellos built by zcrypto
// for SSLv3 to TLS 1.2 (it still speaks export, anonymous, NULL, RC4 and DES suites and the
// heartbeat extension), hand-built ones for TLS 1.3 and SSL 2.0, each read only up to the
// ServerHello. Every check is a cheap judgement over that probe's report.
package tls

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/telesra/telesra/checks"
)

// Options configure the family.
type Options struct {
	// CA is the text of a PEM file of extra trust anchors (a practice's internal CA): chains
	// ending in one of them are trusted as well as chains ending in a system root. The command
	// line reads the file (within its size limit); CAFile names it in errors.
	CA     []byte
	CAFile string
}

// family holds what the checks of one scan share.
type family struct {
	roots func() (*x509.CertPool, error)
	cert  *checks.Probe[*CertReport]
	grade *checks.Probe[*Verdict]
}

// Family returns the TLS checks. A CA file that holds no certificate or a bad one is an error
// naming the file (and the line of a bad block), before any packet is sent.
func Family(o Options) (*checks.Family, error) {
	var extra []*x509.Certificate
	if o.CAFile != "" || len(o.CA) > 0 {
		var err error
		if extra, err = ParseCAFile(o.CAFile, o.CA); err != nil {
			return nil, err
		}
	}
	f := &family{}
	f.roots = sync.OnceValues(func() (*x509.CertPool, error) {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool() // no system roots (a minimal container): only --ca-file is trusted
		}
		for _, c := range extra {
			pool.AddCert(c)
		}
		return pool, nil
	})
	f.cert = certProbe(f.roots)
	f.grade = &checks.Probe[*Verdict]{ID: "tls.grade", Run: f.runGrade,
		Needs: []checks.ProbeRef{enumProbe, f.cert, heartbleedProbe, hstsProbe}}
	return &checks.Family{
		Name:  "tls",
		Title: "TLS",
		Description: "SSL/TLS protocol versions and cipher suites (exact, in server order), key exchange, certificates, " +
			"renegotiation, compression, downgrade protection, Heartbleed and HSTS, with STARTTLS for SMTP, IMAP, POP3 and FTP; " +
			"graded A+ to F (T, M) and judged against NIST SP 800-52r2 and Mozilla's profiles.",
		Checks: f.checks(),
	}, nil
}

// ParseCAFile parses the text of a PEM file of CA certificates found at path. Errors name the
// file and the line of the offending block.
func ParseCAFile(path string, data []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	rest := data
	for {
		start := len(data) - len(rest)
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		line := 1 + bytes.Count(data[:start+max(bytes.Index(data[start:], []byte("-----BEGIN")), 0)], []byte("\n"))
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: certificate does not parse: %v", path, line, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no PEM CERTIFICATE block found (--ca-file wants PEM CA certificates)", path)
	}
	return out, nil
}

// appliesTLS: endpoints that speak TLS, mail and file-transfer services that may upgrade with
// STARTTLS, and unknown services (an endpoint that answered nothing is tried, and fails as an
// error attempt rather than passing unexamined).
func appliesTLS(s checks.Service) bool {
	return s.TLS || s.Is(checks.SvcSMTP, checks.SvcIMAP, checks.SvcPOP3, checks.SvcFTP, checks.SvcUnknown)
}

// report returns the enumeration, or ErrNotApplicable for a plaintext service without STARTTLS
// (tls.starttls.missing reports that one).
func report(ctx context.Context, env *checks.Env) (*Report, error) {
	rep, err := enumProbe.Get(ctx, env)
	if err != nil {
		return nil, err
	}
	if rep.NoSTARTTLS {
		return nil, checks.ErrNotApplicable
	}
	return rep, nil
}

// runGrade gathers every probe, grades the endpoint and publishes the verdict, once per endpoint
// whichever check asks first. A failed enumeration publishes why there is no grade.
func (f *family) runGrade(ctx context.Context, env *checks.Env) (*Verdict, error) {
	var (
		hsts    *HSTSResult
		hstsErr error
	)
	g := errgroup.Group{}
	g.Go(func() error {
		if isHTTPS(env.Service) {
			hsts, hstsErr = hstsProbe.Get(ctx, env)
		}
		return nil
	})
	rep, err := enumProbe.Get(ctx, env)
	if err != nil {
		_ = g.Wait()
		env.Publish("tls", checks.Verdict{Line: "not graded: " + checks.Clean(err.Error(), 200)})
		return nil, err
	}
	if rep.NoSTARTTLS {
		_ = g.Wait()
		env.Publish("tls", checks.Verdict{Line: "no TLS: " + rep.STARTTLS + " without STARTTLS"})
		return nil, checks.ErrNotApplicable
	}
	certs, certErr := f.cert.Get(ctx, env)
	hb, hbErr := heartbleedProbe.Get(ctx, env)
	_ = g.Wait()
	if hbErr != nil {
		hb = nil
	}
	v := grade(gradeInput{rep: rep, certs: certs, certErr: certErr, hb: hb, hsts: hsts, hstsErr: hstsErr,
		https: isHTTPS(env.Service), byName: env.Endpoint.IsName()})
	env.Publish("tls", checks.Verdict{Line: v.Line(), Data: &v})
	return &v, nil
}

// publish makes sure the verdict is computed and published (memoised: once per endpoint).
func (f *family) publish(ctx context.Context, env *checks.Env) {
	_, _ = f.grade.Get(ctx, env)
}
