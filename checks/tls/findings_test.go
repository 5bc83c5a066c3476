//go:debug rsa1024min=0

// The directive above lets the test build the 512-bit export RSA key a 1999-era server would
// use; telesra itself never generates one.

package tls

import (
	"bufio"
	"crypto/rand"
	"crypto/rsa"
	stdtls "crypto/tls"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	ztls "github.com/zmap/zcrypto/tls"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
	"github.com/telesra/telesra/report/scan"
)

// findingCase is a server built to show (or not show) particular weaknesses.
type findingCase struct {
	name   string
	target string
	want   []string // checks that must report a finding
	not    []string // checks that must not
	exact  bool     // want is the complete list of findings
	check  func(t *testing.T, res *checks.Result, v *Verdict)
}

// starttlsServer speaks a plaintext mail or file-transfer dialect and upgrades to TLS on
// request when offer is set.
func starttlsServer(t testing.TB, dialect string, offer bool, cfg *stdtls.Config) int {
	t.Helper()
	ln := listen(t)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				br := bufio.NewReader(c)
				say := func(s string) { _, _ = io.WriteString(c, s) }
				read := func() string { l, _ := br.ReadString('\n'); return strings.TrimSpace(l) }
				upgrade := false
				switch dialect {
				case "smtp":
					say("220 mail.practice.test ESMTP\r\n")
					read()
					if offer {
						say("250-mail.practice.test\r\n250-STARTTLS\r\n250 SIZE 10240000\r\n")
					} else {
						say("250-mail.practice.test\r\n250 SIZE 10240000\r\n")
					}
					if read() == "STARTTLS" && offer {
						say("220 2.0.0 Ready to start TLS\r\n")
						upgrade = true
					}
				case "imap":
					say("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n")
					if strings.HasSuffix(read(), "STARTTLS") {
						say("t1 OK Begin TLS negotiation now\r\n")
						upgrade = true
					}
				case "pop3":
					say("+OK POP3 ready\r\n")
					if read() == "STLS" {
						say("+OK Begin TLS\r\n")
						upgrade = true
					}
				case "ftp":
					say("220 FTP ready\r\n")
					if read() == "AUTH TLS" {
						say("234 AUTH TLS OK\r\n")
						upgrade = true
					}
				}
				if upgrade && br.Buffered() == 0 {
					_ = stdtls.Server(c, cfg).Handshake()
				}
			}()
		}
	}()
	return portOf(ln)
}

func TestFindings(t *testing.T) {
	checkstest.RequireBinary(t, "openssl")
	p := newPKI(t)
	dir := t.TempDir()
	rogueCA := issue(t, dir, certSpec{Name: "Rogue CA", CA: true}, nil)
	untrusted := issue(t, dir, certSpec{Name: "untrusted", DNS: []string{"localhost"}, IPs: []string{"127.0.0.1"}}, rogueCA)
	soon := issue(t, dir, certSpec{Name: "soon", DNS: []string{"localhost"}, IPs: []string{"127.0.0.1"}, NotAfter: time.Now().Add(10 * 24 * time.Hour)}, p.CA)
	future := issue(t, dir, certSpec{Name: "future", DNS: []string{"localhost"}, IPs: []string{"127.0.0.1"}, NotBefore: time.Now().Add(10 * 24 * time.Hour),
		NotAfter: time.Now().Add(100 * 24 * time.Hour)}, p.CA)
	long := issue(t, dir, certSpec{Name: "long", DNS: []string{"localhost"}, IPs: []string{"127.0.0.1"}, NotAfter: time.Now().Add(900 * 24 * time.Hour)}, p.CA)
	ocspURL := issue(t, dir, certSpec{Name: "ocsp-url", DNS: []string{"localhost"}, IPs: []string{"127.0.0.1"}, OCSP: "http://127.0.0.1:9/ocsp"}, p.CA)

	modern := func(c *testCert) *stdtls.Config {
		return &stdtls.Config{Certificates: []stdtls.Certificate{c.TLS}, MinVersion: stdtls.VersionTLS12,
			CipherSuites: []uint16{stdtls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, stdtls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384}}
	}
	url := func(port int) string { return fmt.Sprintf("https://127.0.0.1:%d/", port) }
	hp := func(port int) string { return fmt.Sprintf("127.0.0.1:%d", port) }
	sserver := func(c *testCert, extra ...string) int {
		return sServer(t, append([]string{"-cert", c.CertFile, "-key", c.KeyFile}, extra...)...)
	}
	certChecks := []string{"tls.cert.expired", "tls.cert.not_yet_valid", "tls.cert.expiring_soon", "tls.cert.untrusted", "tls.cert.self_signed",
		"tls.cert.hostname_mismatch", "tls.cert.weak_key", "tls.cert.weak_signature", "tls.cert.long_validity", "tls.cert.no_ocsp_stapling"}
	others := func(keep ...string) []string {
		var out []string
		for _, c := range certChecks {
			if !slices.Contains(keep, c) {
				out = append(out, c)
			}
		}
		return out
	}
	year := "max-age=31536000"

	zcert, err := ztls.X509KeyPair(pemOf(t, p.Good.CertFile), pemOf(t, p.Good.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	exportKey, err := rsa.GenerateKey(rand.Reader, 512)
	if err != nil {
		t.Fatal(err)
	}

	cases := []*findingCase{
		{name: "clean modern server", target: url(goServer(t, modern(p.Good), year)), exact: true,
			check: func(t *testing.T, _ *checks.Result, v *Verdict) {
				if v.Grade != "A+" {
					t.Errorf("grade %s, want A+: %v", v.Grade, v.Reasons)
				}
			}},
		{name: "expired", target: url(goServer(t, modern(p.Expired), year)), want: []string{"tls.cert.expired"}, not: others("tls.cert.expired"),
			check: wantGrade("T")},
		{name: "not yet valid", target: url(goServer(t, modern(future), year)), want: []string{"tls.cert.not_yet_valid"}, not: others("tls.cert.not_yet_valid")},
		{name: "expiring soon", target: url(goServer(t, modern(soon), year)), want: []string{"tls.cert.expiring_soon"}, not: others("tls.cert.expiring_soon")},
		{name: "untrusted chain", target: url(goServer(t, modern(untrusted), year)), want: []string{"tls.cert.untrusted"}, not: others("tls.cert.untrusted"),
			check: wantGrade("T")},
		{name: "long validity", target: url(goServer(t, modern(long), year)), want: []string{"tls.cert.long_validity"}, not: others("tls.cert.long_validity")},
		{name: "OCSP not stapled", target: url(goServer(t, modern(ocspURL), year)), want: []string{"tls.cert.no_ocsp_stapling"}, not: others("tls.cert.no_ocsp_stapling")},
		{name: "wrong host by address (s_server)", target: hp(sserver(p.WrongHost)), want: []string{"tls.cert.hostname_mismatch"},
			not: others("tls.cert.hostname_mismatch"), check: wantGrade("M")},
		{name: "wrong host by name (s_server)", target: fmt.Sprintf("localhost:%d", sserver(p.WrongHost)), want: []string{"tls.cert.hostname_mismatch"},
			check: func(t *testing.T, res *checks.Result, v *Verdict) {
				for _, f := range res.Findings {
					if f.Check == "tls.cert.hostname_mismatch" && (f.Confidence != checks.Confirmed || !strings.Contains(f.Detail, "ehr.other-practice.test")) {
						t.Errorf("mismatch by name should be confirmed and name the certificate's host: %+v", f)
					}
				}
			}},
		{name: "self-signed (s_server)", target: hp(sserver(p.SelfSigned)), want: []string{"tls.cert.self_signed"}, not: others("tls.cert.self_signed")},
		{name: "RSA-1024 SHA-1 (s_server)", target: hp(sserver(p.Weak, "-cipher", "DEFAULT:@SECLEVEL=0")), want: []string{"tls.cert.weak_key", "tls.cert.weak_signature"},
			not: others("tls.cert.weak_key", "tls.cert.weak_signature", "tls.cert.untrusted"), check: wantGrade("T")},
		{name: "TLS 1.2 only, RSA key exchange, no HSTS", target: url(goServer(t, &stdtls.Config{Certificates: []stdtls.Certificate{p.Good.TLS},
			MinVersion: stdtls.VersionTLS12, MaxVersion: stdtls.VersionTLS12, CipherSuites: []uint16{stdtls.TLS_RSA_WITH_AES_128_CBC_SHA}}, "")),
			want: []string{"tls.protocol.no_tls1_3", "tls.cipher.no_forward_secrecy", "tls.cipher.no_aead", "tls.hsts.missing"}, exact: true, check: wantGrade("B")},
		{name: "short HSTS", target: url(goServer(t, modern(p.Good), "max-age=600")), want: []string{"tls.hsts.short"}, exact: true, check: wantGrade("A")},
		{name: "SSLv2 (scripted)", target: hp((&script{versions: []uint16{versionTLS12}, suites: []uint16{0xC02F}, cert: p.Good.Cert.Raw,
			sslv2: []uint32{0x010080, 0x0700C0}}).serve(t)), want: []string{"tls.protocol.sslv2"},
			check: func(t *testing.T, _ *checks.Result, v *Verdict) {
				if got := v.Report.Protocol(versionSSL2).SSLv2; !slices.Equal(got, []string{"SSL_CK_RC4_128_WITH_MD5", "SSL_CK_DES_192_EDE3_CBC_WITH_MD5"}) {
					t.Errorf("SSLv2 ciphers %v", got)
				}
				wantGrade("F")(t, nil, v)
			}},
		{name: "Heartbleed (scripted)", target: hp((&script{versions: []uint16{versionTLS10, versionTLS11, versionTLS12}, suites: []uint16{0xC02F, 0xC013},
			cert: p.Good.Cert.Raw, heartbeat: true, heartbleed: true}).serve(t)), want: []string{"tls.heartbleed", "tls.fallback_scsv.missing"}, check: wantGrade("F")},
		{name: "heartbeat without Heartbleed (scripted)", target: hp((&script{versions: []uint16{versionTLS12}, suites: []uint16{0xC02F},
			cert: p.Good.Cert.Raw, heartbeat: true}).serve(t)), not: []string{"tls.heartbleed"},
			check: func(t *testing.T, _ *checks.Result, v *Verdict) {
				if v.Heartbleed == nil || !v.Heartbleed.Tested || v.Heartbleed.Vulnerable {
					t.Errorf("heartbeat server should be tested and found not vulnerable: %+v", v.Heartbleed)
				}
			}},
		{name: "compression, no secure renegotiation (scripted)", target: hp((&script{versions: []uint16{versionTLS12}, suites: []uint16{0xC02F},
			cert: p.Good.Cert.Raw, compress: true, noReneg: true}).serve(t)), want: []string{"tls.compression", "tls.reneg.insecure"}, check: wantGrade("C")},
		{name: "export, DES, no fallback protection (zcrypto)", target: hp(zServer(t, &ztls.Config{Certificates: []ztls.Certificate{zcert},
			MinVersion: ztls.VersionTLS10, MaxVersion: ztls.VersionTLS12, ExportRSAKey: exportKey, PreferServerCipherSuites: true,
			CipherSuites: []uint16{ztls.TLS_RSA_WITH_AES_128_CBC_SHA, ztls.TLS_RSA_EXPORT_WITH_RC4_40_MD5, ztls.TLS_RSA_EXPORT_WITH_DES40_CBC_SHA, ztls.TLS_DHE_RSA_WITH_DES_CBC_SHA}})),
			want: []string{"tls.cipher.export", "tls.cipher.des", "tls.cipher.rc4", "tls.kex.weak_dh", "tls.fallback_scsv.missing", "tls.protocol.tls1_0", "tls.protocol.tls1_1"},
			check: func(t *testing.T, _ *checks.Result, v *Verdict) {
				if v.Report.KeyExchange.ExportRSABits != 512 {
					t.Errorf("export RSA key %d bits, want 512", v.Report.KeyExchange.ExportRSABits)
				}
				wantGrade("F")(t, nil, v)
			}},
		{name: "3DES and RC4 (Go)", target: url(goServer(t, &stdtls.Config{Certificates: []stdtls.Certificate{p.Good.TLS}, MinVersion: stdtls.VersionTLS12,
			CipherSuites: []uint16{stdtls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, stdtls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA, stdtls.TLS_ECDHE_RSA_WITH_RC4_128_SHA}}, year)),
			want: []string{"tls.cipher.3des", "tls.cipher.rc4"}, exact: true, check: wantGrade("C")},
		{name: "SMTP with STARTTLS (scheme)", target: fmt.Sprintf("smtp://127.0.0.1:%d/", starttlsServer(t, "smtp", true, modern(p.Good))),
			not: []string{"tls.starttls.missing"}, check: wantStartTLS("smtp")},
		{name: "SMTP with STARTTLS (detected)", target: hp(starttlsServer(t, "smtp", true, modern(p.Good))), not: []string{"tls.starttls.missing"}, check: wantStartTLS("smtp")},
		{name: "IMAP with STARTTLS", target: fmt.Sprintf("imap://127.0.0.1:%d/", starttlsServer(t, "imap", true, modern(p.Good))), check: wantStartTLS("imap")},
		{name: "POP3 with STLS", target: fmt.Sprintf("pop3://127.0.0.1:%d/", starttlsServer(t, "pop3", true, modern(p.Good))), check: wantStartTLS("pop3")},
		{name: "FTP with AUTH TLS", target: fmt.Sprintf("ftp://127.0.0.1:%d/", starttlsServer(t, "ftp", true, modern(p.Good))), check: wantStartTLS("ftp")},
		{name: "SMTP without STARTTLS", target: fmt.Sprintf("smtp://127.0.0.1:%d/", starttlsServer(t, "smtp", false, nil)), want: []string{"tls.starttls.missing"}, exact: true},
	}
	fam, err := Family(p.caOptions())
	if err != nil {
		t.Fatal(err)
	}
	var targets []string
	for _, c := range cases {
		targets = append(targets, c.target)
	}
	res := checkstest.ScanWith(t, checks.Options{Checks: fam.Checks, Workers: 32, HostConns: 64, IOTimeout: 5 * time.Second}, targets...)
	verdicts := verdictsByTarget(t, res)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := checkstest.FindingsOf(res, c.target)
			if errs := errorAttempts(res, c.target); len(errs) > 0 {
				t.Errorf("error attempts: %v", errs)
			}
			for _, w := range c.want {
				if !slices.Contains(got, w) {
					t.Errorf("missing finding %s; got %v", w, got)
				}
			}
			for _, n := range c.not {
				if slices.Contains(got, n) {
					t.Errorf("unexpected finding %s; got %v", n, got)
				}
			}
			if c.exact {
				want := slices.Clone(c.want)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("findings %v, want exactly %v", got, want)
				}
			}
			for _, f := range res.Findings {
				if f.Target == c.target && (len(f.HIPAA) == 0 || f.Detail == "" || f.Evidence == nil && f.Check != "tls.compression") {
					t.Errorf("finding %s lacks citations, detail or evidence: %+v", f.Check, f)
				}
			}
			if c.check != nil {
				if verdicts[c.target] == nil {
					t.Fatalf("no TLS verdict")
				}
				c.check(t, res, verdicts[c.target])
			}
		})
	}

	t.Run("table shows the grade line", func(t *testing.T) {
		var b strings.Builder
		if err := (scan.Table{Width: 400}).Write(&b, res); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "grade A+ · NIST 800-52r2") {
			t.Errorf("table output lacks the TLS verdict line:\n%s", b.String())
		}
	})
}

func wantGrade(g string) func(*testing.T, *checks.Result, *Verdict) {
	return func(t *testing.T, _ *checks.Result, v *Verdict) {
		t.Helper()
		if v == nil {
			t.Fatal("no verdict")
		}
		if v.Grade != g {
			t.Errorf("grade %s, want %s: %v", v.Grade, g, v.Reasons)
		}
	}
}

func wantStartTLS(dialect string) func(*testing.T, *checks.Result, *Verdict) {
	return func(t *testing.T, _ *checks.Result, v *Verdict) {
		t.Helper()
		if v == nil {
			t.Fatal("no verdict")
		}
		if v.Report.STARTTLS != dialect || !v.Report.Offered(versionTLS12) || !v.Report.Offered(versionTLS13) {
			t.Errorf("STARTTLS %q, protocols %v", v.Report.STARTTLS, offeredNames(v.Report))
		}
	}
}

func modernCfg(c *testCert) *stdtls.Config {
	return &stdtls.Config{Certificates: []stdtls.Certificate{c.TLS}, MinVersion: stdtls.VersionTLS12,
		CipherSuites: []uint16{stdtls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, stdtls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384}}
}
