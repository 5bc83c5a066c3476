package estate

import (
	"crypto/ecdsa"
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
)

const bookingPage = `<!doctype html>
<html><head><title>Riverside Family Telehealth - Book a video visit</title></head>
<body>
<h1>Book a video visit</h1>
<form method="post" action="/book">
  <label>Name <input name="name"></label>
  <label>Date of birth <input name="dob" type="date"></label>
  <label>Reason for visit <textarea name="reason"></textarea></label>
  <button type="submit">Request appointment</button>
</form>
</body></html>
`

// startWebPortal serves the practice's booking portal over HTTPS the way a rushed deployment
// leaves it: no security headers, a session cookie without Secure, HttpOnly or SameSite, an
// outdated server banner and the site's .git directory published with it (the web family's
// templates find each of these).
func startWebPortal(e *Estate) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "nginx/1.18.0")
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "session_id", Value: "demo-3f9a1c", Path: "/"})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, bookingPage)
	})
	mux.HandleFunc("/.git/HEAD", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "nginx/1.18.0")
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "ref: refs/heads/main\n")
	})
	mux.HandleFunc("/book", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "demo portal: booking disabled", http.StatusForbidden)
	})
	cert, err := selfSigned("booking.riverside.test")
	if err != nil {
		return err
	}
	ln, err := listen(portWebPortal)
	if err != nil {
		return err
	}
	tln := tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ErrorLog: quietLog}
	go func() {
		if err := srv.Serve(tln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the demo reports what the scan sees; a dead server shows as unreachable
		}
	}()
	e.closers = append(e.closers, func() { _ = srv.Close() })
	e.Services = append(e.Services, Service{
		Family: "web",
		Name:   "Booking portal (HTTPS)",
		Asset:  "Booking portal", EPHI: []string{"Patient portal"}, Internet: true,
		Target: "https://" + ln.Addr().String() + "/",
		Weaknesses: []string{
			"no security headers (HSTS, CSP, X-Frame-Options, X-Content-Type-Options, Referrer-Policy)",
			"session cookie without Secure, HttpOnly or SameSite",
			"the site's .git directory is published (/.git/HEAD)",
		},
	})
	return nil
}

// selfSigned makes a throwaway certificate for a demo server (the demo never trusts it; the
// scan inspects, it does not trust).
func selfSigned(name string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: name, Organization: []string{"Riverside Family Telehealth (demo)"}},
		DNSNames:     []string{name},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(90 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
