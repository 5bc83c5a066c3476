package estate

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"time"

	"golang.org/x/crypto/ssh"
)

// staffRealm is the Basic-auth realm of the demo's staff portal.
const staffRealm = "Riverside Staff Portal"

// startSSH serves an SSH server that offers password logins (mfa.ssh.password_auth). It only
// advertises methods: every password and key is refused, and no session is ever opened.
func startSSH(e *Estate) error {
	ln, err := listen(portSSH)
	if err != nil {
		return err
	}
	stop, err := serveSSH(ln, nil)
	if err != nil {
		ln.Close()
		return err
	}
	e.closers = append(e.closers, stop)
	e.Services = append(e.Services, Service{
		Family: "mfa",
		Name:   "Remote admin (SSH)",
		Asset:  "Remote administration", EPHI: []string{"EHR"}, Internet: true,
		Target:     ln.Addr().String(),
		Weaknesses: []string{"SSH accepts password logins"},
	})
	return nil
}

// errDemoRefuses is every demo login's answer.
var errDemoRefuses = errors.New("demo server: logins are never accepted")

// serveSSH runs the demo SSH server on ln; onAuth, when set, hears the method of every
// authentication attempt (tests use it to prove the scan sends only "none"). The returned func
// stops the server.
func serveSSH(ln net.Listener, onAuth func(method string)) (func(), error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("ssh host key: %w", err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		return nil, fmt.Errorf("ssh host key: %w", err)
	}
	cfg := &ssh.ServerConfig{
		ServerVersion: "SSH-2.0-OpenSSH_8.2p1 Ubuntu-4ubuntu0.5",
		PasswordCallback: func(ssh.ConnMetadata, []byte) (*ssh.Permissions, error) {
			return nil, errDemoRefuses
		},
		PublicKeyCallback: func(ssh.ConnMetadata, ssh.PublicKey) (*ssh.Permissions, error) {
			return nil, errDemoRefuses
		},
		AuthLogCallback: func(_ ssh.ConnMetadata, method string, _ error) {
			if onAuth != nil {
				onAuth(method)
			}
		},
	}
	cfg.AddHostKey(signer)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				// A client that stalls must not keep a goroutine forever.
				_ = c.SetDeadline(time.Now().Add(30 * time.Second))
				sc, chans, reqs, err := ssh.NewServerConn(c, cfg)
				if err != nil {
					return // every login is refused: this is the normal end
				}
				sc.Close()
				go ssh.DiscardRequests(reqs)
				for nc := range chans {
					_ = nc.Reject(ssh.Prohibited, "demo server")
				}
			}()
		}
	}()
	return func() { ln.Close() }, nil
}

// startStaffPortal serves a staff portal behind HTTP Basic authentication over HTTPS
// (mfa.http.basic_auth): TLS protects the password, but a password alone opens it.
func startStaffPortal(e *Estate) error {
	cfg, err := selfSignedTLS()
	if err != nil {
		return err
	}
	ln, err := listen(portStaffPortal)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: staffPortal(), ReadHeaderTimeout: 5 * time.Second, TLSConfig: cfg, ErrorLog: quietLog}
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	e.closers = append(e.closers, func() { _ = srv.Close() })
	e.Services = append(e.Services, Service{
		Family: "mfa",
		Name:   "Staff portal (HTTPS, Basic auth)",
		Asset:  "Staff portal", EPHI: []string{"EHR"}, Internet: true,
		Target:     "https://" + ln.Addr().String() + "/",
		Weaknesses: []string{"HTTP Basic authentication: a password alone opens it"},
	})
	return nil
}

// staffPortal asks every request for a password and accepts none.
func staffPortal() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf("Basic realm=%q, charset=\"UTF-8\"", staffRealm))
		http.Error(w, "401 Unauthorized: staff sign-in required", http.StatusUnauthorized)
	})
}

// selfSignedTLS makes a certificate for 127.0.0.1, valid for a day: the demo's TLS is real, its
// trust is not (which the tls family reports).
func selfSignedTLS() (*tls.Config, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("demo certificate: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "staff.riverside.test", Organization: []string{"Riverside Family Telehealth (demo)"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"staff.riverside.test"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("demo certificate: %w", err)
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
	}, nil
}
