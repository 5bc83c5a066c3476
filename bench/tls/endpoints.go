package main

import (
	"bufio"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	ztls "github.com/zmap/zcrypto/tls"
)

// endpoint is one benchmark server.
type endpoint struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"` // nginx, s_server, go, zcrypto
	Port   int    `json:"port"`
	Addr   string `json:"addr,omitempty"` // the listening address; "": 127.0.0.1
	Target string `json:"target"`         // as telesra is given it
}

func (e endpoint) hostPort() string {
	if e.Addr != "" {
		return fmt.Sprintf("%s:%d", e.Addr, e.Port)
	}
	return fmt.Sprintf("127.0.0.1:%d", e.Port)
}

// lab holds the servers and everything to stop them.
type lab struct {
	dir      string
	closers  []func()
	ca       *cert
	good     *cert
	ecdsa    *cert
	expired  *cert
	wrong    *cert
	dh2048   string
	dh1024   string
	openssl  string
	nginxBin string
}

func (l *lab) close() {
	for i := len(l.closers) - 1; i >= 0; i-- {
		l.closers[i]()
	}
}

type cert struct {
	x509     *x509.Certificate
	key      crypto.Signer
	certFile string
	keyFile  string
	tls      tls.Certificate
}

func newLab(dir string) (*lab, error) {
	l := &lab{dir: dir}
	var err error
	if l.openssl, err = exec.LookPath("openssl"); err != nil {
		return nil, err
	}
	if l.nginxBin, err = lookSbin("nginx"); err != nil {
		return nil, err
	}
	now := time.Now()
	if l.ca, err = l.issue("bench-ca", "rsa", nil, true, now.AddDate(-3, 0, 0), now.AddDate(10, 0, 0), nil); err != nil {
		return nil, err
	}
	if l.good, err = l.issue("good", "rsa", []string{"localhost"}, false, now.AddDate(0, 0, -1), now.AddDate(0, 0, 200), l.ca); err != nil {
		return nil, err
	}
	if l.ecdsa, err = l.issue("good-ecdsa", "ecdsa", []string{"localhost"}, false, now.AddDate(0, 0, -1), now.AddDate(0, 0, 80), l.ca); err != nil {
		return nil, err
	}
	if l.expired, err = l.issue("expired", "rsa", []string{"localhost"}, false, now.AddDate(-1, 0, 0), now.AddDate(0, 0, -5), l.ca); err != nil {
		return nil, err
	}
	if l.wrong, err = l.issue("wrong-host", "rsa", []string{"ehr.other-practice.test"}, false, now.AddDate(0, 0, -1), now.AddDate(0, 0, 100), l.ca); err != nil {
		return nil, err
	}
	for _, d := range []struct {
		out   *string
		param string
	}{{&l.dh2048, "ffdhe2048"}, {&l.dh1024, "dh_1024_160"}} {
		*d.out = filepath.Join(dir, d.param+".pem")
		if out, err := exec.Command(l.openssl, "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "dh_param:"+d.param, "-out", *d.out).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("openssl genpkey: %v: %s", err, out)
		}
	}
	return l, nil
}

func lookSbin(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, d := range []string{"/usr/sbin", "/sbin"} {
		if _, err := os.Stat(filepath.Join(d, name)); err == nil {
			return filepath.Join(d, name), nil
		}
	}
	return "", fmt.Errorf("%s not found", name)
}

// issue creates a certificate whose IP SAN is 127.0.0.1 (10.0.0.99 for the wrong host).
func (l *lab) issue(name, keyType string, dns []string, isCA bool, from, to time.Time, parent *cert) (*cert, error) {
	var key crypto.Signer
	var err error
	if keyType == "ecdsa" {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	} else {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	if err != nil {
		return nil, err
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: name}, NotBefore: from, NotAfter: to, DNSNames: dns,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	if name == "wrong-host" {
		tpl.IPAddresses = []net.IP{net.ParseIP("10.0.0.99")}
	} else if !isCA {
		tpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	}
	if isCA {
		tpl.IsCA, tpl.BasicConstraintsValid, tpl.KeyUsage, tpl.ExtKeyUsage = true, true, x509.KeyUsageCertSign, nil
	}
	issuer, signer := tpl, key
	if parent != nil {
		issuer, signer = parent.x509, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, issuer, key.Public(), signer)
	if err != nil {
		return nil, err
	}
	c := &cert{key: key}
	if c.x509, err = x509.ParseCertificate(der); err != nil {
		return nil, err
	}
	chain := [][]byte{der}
	pemChain := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if parent != nil {
		chain = append(chain, parent.x509.Raw)
		pemChain = append(pemChain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: parent.x509.Raw})...)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	c.certFile, c.keyFile = filepath.Join(l.dir, name+".pem"), filepath.Join(l.dir, name+".key")
	if err := os.WriteFile(c.certFile, pemChain, 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(c.keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		return nil, err
	}
	c.tls = tls.Certificate{Certificate: chain, PrivateKey: key, Leaf: c.x509}
	return c, nil
}

// freePorts returns n distinct free loopback ports for servers that bind themselves (nginx,
// s_server): the listeners stay open until all n are chosen, so no port is handed out twice.
func freePorts(n int) ([]int, error) {
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	var out []int
	for i := 0; i < n; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		lns = append(lns, ln)
		out = append(out, ln.Addr().(*net.TCPAddr).Port)
	}
	return out, nil
}

// nginxBlock is one server block of a bench nginx.
type nginxBlock struct {
	name string
	conf string // ssl directives
}

// startNginx runs one nginx with the blocks, each on its own port.
func (l *lab) startNginx(tag string, workers int, blocks []nginxBlock) ([]endpoint, error) {
	dir := filepath.Join(l.dir, "nginx-"+tag)
	for _, sub := range []string{"logs", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, err
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "daemon off;\nworker_processes %d;\npid %s/nginx.pid;\nerror_log %s/logs/error.log crit;\nevents { worker_connections 4096; }\n", workers, dir, dir)
	fmt.Fprintf(&b, "http {\n access_log off;\n client_body_temp_path %[1]s/tmp/b; proxy_temp_path %[1]s/tmp/p; fastcgi_temp_path %[1]s/tmp/f; uwsgi_temp_path %[1]s/tmp/u; scgi_temp_path %[1]s/tmp/s;\n", dir)
	var eps []endpoint
	ports, err := freePorts(len(blocks))
	if err != nil {
		return nil, err
	}
	for i, bl := range blocks {
		port := ports[i]
		fmt.Fprintf(&b, " server {\n  listen 127.0.0.1:%d ssl;\n  location / { return 200 \"ok\\n\"; }\n  %s\n }\n", port, bl.conf)
		eps = append(eps, endpoint{Name: bl.name, Kind: "nginx", Port: port, Target: fmt.Sprintf("https://127.0.0.1:%d/", port)})
	}
	b.WriteString("}\n")
	var addrs []string
	for _, e := range eps {
		addrs = append(addrs, fmt.Sprintf("127.0.0.1:%d", e.Port))
	}
	if err := l.runNginx(dir, b.String(), addrs); err != nil {
		return nil, err
	}
	return eps, nil
}

// runNginx starts nginx with conf (written in dir), stopped when the lab closes, and waits until
// every addr accepts.
func (l *lab) runNginx(dir, conf string, addrs []string) error {
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		return err
	}
	cmd := exec.Command(l.nginxBin, "-c", path, "-p", dir, "-e", filepath.Join(dir, "logs", "error.log"))
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	l.closers = append(l.closers, func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	for _, a := range addrs {
		if err := waitAddr(a); err != nil {
			return err
		}
	}
	return nil
}

func (l *lab) startSServer(name string, args ...string) (endpoint, error) {
	ports, err := freePorts(1)
	if err != nil {
		return endpoint{}, err
	}
	port := ports[0]
	cmd := exec.Command(l.openssl, append([]string{"s_server", "-accept", fmt.Sprintf("127.0.0.1:%d", port), "-www", "-quiet"}, args...)...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return endpoint{}, err
	}
	l.closers = append(l.closers, func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	return endpoint{Name: name, Kind: "s_server", Port: port, Target: fmt.Sprintf("https://127.0.0.1:%d/", port)}, waitAddr(fmt.Sprintf("127.0.0.1:%d", port))
}

func (l *lab) startGo(name string, cfg *tls.Config, hsts string) (endpoint, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return endpoint{}, err
	}
	cfg.NextProtos = []string{"http/1.1"}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if hsts != "" {
			w.Header().Set("Strict-Transport-Security", hsts)
		}
		fmt.Fprintln(w, "ok")
	}), ReadHeaderTimeout: 5 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	go func() { _ = srv.Serve(tls.NewListener(ln, cfg)) }()
	l.closers = append(l.closers, func() { _ = srv.Close() })
	port := ln.Addr().(*net.TCPAddr).Port
	return endpoint{Name: name, Kind: "go", Port: port, Target: fmt.Sprintf("https://127.0.0.1:%d/", port)}, nil
}

func (l *lab) startZcrypto(name string, cfg *ztls.Config) (endpoint, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return endpoint{}, err
	}
	l.closers = append(l.closers, func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				tc := ztls.Server(c, cfg)
				if tc.Handshake() != nil {
					return
				}
				// Answer only after the request: an early answer is an unsolicited response to Go's client.
				if req, err := http.ReadRequest(bufio.NewReader(tc)); err == nil {
					req.Body.Close()
					_, _ = tc.Write([]byte("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"))
				}
			}()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	return endpoint{Name: name, Kind: "zcrypto", Port: port, Target: fmt.Sprintf("127.0.0.1:%d", port)}, nil
}

// startVaried starts the benchmark's varied endpoints: modern, intermediate, legacy and broken
// configurations across nginx, openssl s_server, Go crypto/tls and zcrypto.
func (l *lab) startVaried() ([]endpoint, error) {
	cert := func(c *cert) string {
		return fmt.Sprintf("ssl_certificate %s; ssl_certificate_key %s;", c.certFile, c.keyFile)
	}
	eps, err := l.startNginx("varied", 1, []nginxBlock{
		{"nginx modern (TLS 1.3, ECDSA)", cert(l.ecdsa) + ` ssl_protocols TLSv1.3; add_header Strict-Transport-Security "max-age=63072000" always;`},
		{"nginx intermediate (TLS 1.2/1.3, DHE 2048)", cert(l.good) + " ssl_protocols TLSv1.2 TLSv1.3; ssl_dhparam " + l.dh2048 + ";" +
			" ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384;" +
			` add_header Strict-Transport-Security "max-age=31536000" always;`},
		{"nginx old (TLS 1.0-1.2, ALL, DHE 1024)", cert(l.good) + " ssl_protocols TLSv1 TLSv1.1 TLSv1.2; ssl_prefer_server_ciphers on; ssl_dhparam " + l.dh1024 + `; ssl_ciphers "ALL:@SECLEVEL=0";`},
		{"nginx dual certificate", cert(l.good) + " " + cert(l.ecdsa) + " ssl_protocols TLSv1.2 TLSv1.3; ssl_prefer_server_ciphers on; ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20:ECDHE+AES;"},
	})
	if err != nil {
		return nil, err
	}
	for _, s := range []struct {
		name string
		args []string
	}{
		{"s_server TLS 1.1 only, DHE 1024", []string{"-cert", l.good.certFile, "-key", l.good.keyFile, "-tls1_1", "-serverpref", "-dhparam", l.dh1024, "-cipher", "DEFAULT:@SECLEVEL=0"}},
		{"s_server expired certificate", []string{"-cert", l.expired.certFile, "-key", l.expired.keyFile}},
		{"s_server anonymous and NULL suites", []string{"-cert", l.good.certFile, "-key", l.good.keyFile, "-tls1_2", "-cipher", "aNULL:eNULL:@SECLEVEL=0", "-dhparam", l.dh2048}},
	} {
		e, err := l.startSServer(s.name, s.args...)
		if err != nil {
			return nil, err
		}
		eps = append(eps, e)
	}
	legacy := &tls.Config{Certificates: []tls.Certificate{l.good.tls}, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_128_CBC_SHA,
			tls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_RC4_128_SHA, tls.TLS_RSA_WITH_RC4_128_SHA}}
	e, err := l.startGo("Go crypto/tls legacy (3DES, RC4)", legacy, "")
	if err != nil {
		return nil, err
	}
	eps = append(eps, e)
	if e, err = l.startGo("Go crypto/tls wrong-host certificate", &tls.Config{Certificates: []tls.Certificate{l.wrong.tls}}, "max-age=600"); err != nil {
		return nil, err
	}
	eps = append(eps, e)
	zc, err := ztls.X509KeyPair(mustRead(l.good.certFile), mustRead(l.good.keyFile))
	if err != nil {
		return nil, err
	}
	if e, err = l.startZcrypto("zcrypto SSLv3 only", &ztls.Config{Certificates: []ztls.Certificate{zc}, MinVersion: ztls.VersionSSL30, MaxVersion: ztls.VersionSSL30,
		CipherSuites: []uint16{ztls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, ztls.TLS_RSA_WITH_RC4_128_SHA, ztls.TLS_RSA_WITH_AES_128_CBC_SHA}, PreferServerCipherSuites: true}); err != nil {
		return nil, err
	}
	eps = append(eps, e)
	return eps, nil
}

// startScale starts one nginx serving n endpoints with the intermediate configuration.
func (l *lab) startScale(n int) ([]endpoint, error) {
	blocks := make([]nginxBlock, n)
	for i := range blocks {
		blocks[i] = nginxBlock{fmt.Sprintf("scale %d", i), fmt.Sprintf("ssl_certificate %s; ssl_certificate_key %s; ssl_protocols TLSv1.2 TLSv1.3;"+
			" ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA;"+
			` add_header Strict-Transport-Security "max-age=31536000" always;`, l.good.certFile, l.good.keyFile)}
	}
	return l.startNginx("scale", 2, blocks)
}

func mustRead(p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		panic(err)
	}
	return b
}
