package tls

import (
	stdtls "crypto/tls"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	ztls "github.com/zmap/zcrypto/tls"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
)

// endpointCase is one configured server and what its configuration says it accepts.
type endpointCase struct {
	name       string
	port       int
	target     string
	want       map[uint16][]uint16 // version -> suites, in the server's order when serverOrder
	serverPref bool                // the configuration imposes the server's order
	check      func(t *testing.T, v *Verdict)
}

// fixture starts every accuracy server once: nginx (one process, several server blocks),
// openssl s_server, Go crypto/tls and zcrypto servers, with the PKI and DH parameters the
// configurations name.
type fixture struct {
	pki   *testPKI
	dir   string
	cases []*endpointCase
}

func genDH(t testing.TB, dir, name, param string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	out, err := exec.Command(checkstest.RequireBinary(t, "openssl"), "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "dh_param:"+param, "-out", p).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl genpkey: %v: %s", err, out)
	}
	return p
}

const (
	intermediateCiphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" +
		"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384"
	oldCiphers     = "ALL:!aNULL:!eNULL:@SECLEVEL=0"
	default13      = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"
	modern13       = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
	dualCiphers    = "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-SHA"
	tls11Ciphers   = "ECDHE-RSA-AES256-SHA:AES128-SHA:DHE-RSA-AES128-SHA:CAMELLIA256-SHA:@SECLEVEL=0"
	nullCiphers    = "eNULL:!aNULL:@SECLEVEL=0"
	anonCiphers    = "aNULL:@SECLEVEL=0"
	stapledCiphers = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384"
)

func newFixture(t *testing.T) *fixture {
	checkstest.RequireBinary(t, "nginx")
	checkstest.RequireBinary(t, "openssl")
	f := &fixture{pki: newPKI(t), dir: t.TempDir()}
	p := f.pki
	dh2048 := genDH(t, f.dir, "dh2048.pem", "ffdhe2048")
	dh1024 := genDH(t, f.dir, "dh1024.pem", "dh_1024_160")
	add := func(c *endpointCase) *endpointCase {
		if c.target == "" {
			c.target = fmt.Sprintf("127.0.0.1:%d", c.port)
		}
		f.cases = append(f.cases, c)
		return c
	}
	rsa := []string{"RSA"}

	// nginx: one process, five server blocks.
	ports := freePorts(t, 5)
	stapled := issue(t, f.dir, certSpec{Name: "stapled", DNS: []string{"localhost"}, IPs: []string{"127.0.0.1"}, OCSP: "http://127.0.0.1:9/ocsp"}, p.CA)
	ocsp := ocspResponse(t, f.dir, p, stapled)
	block := func(port int, extra string) string {
		return fmt.Sprintf("  server {\n    listen 127.0.0.1:%d ssl;\n    server_name localhost;\n    location / { return 200 \"ok\\n\"; }\n%s\n  }\n", port, extra)
	}
	conf := block(ports[0], fmt.Sprintf(`    ssl_certificate %s; ssl_certificate_key %s;
    ssl_protocols TLSv1.3; ssl_prefer_server_ciphers on;
    ssl_conf_command Ciphersuites %s;
    add_header Strict-Transport-Security "max-age=63072000" always;`, p.GoodECDSA.CertFile, p.GoodECDSA.KeyFile, modern13)) +
		block(ports[1], fmt.Sprintf(`    ssl_certificate %s; ssl_certificate_key %s;
    ssl_protocols TLSv1.2 TLSv1.3; ssl_prefer_server_ciphers off; ssl_dhparam %s;
    ssl_ciphers %s;
    add_header Strict-Transport-Security "max-age=600" always;`, p.Good.CertFile, p.Good.KeyFile, dh2048, intermediateCiphers)) +
		block(ports[2], fmt.Sprintf(`    ssl_certificate %s; ssl_certificate_key %s;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2; ssl_prefer_server_ciphers on; ssl_dhparam %s;
    ssl_ciphers "%s";`, p.Good.CertFile, p.Good.KeyFile, dh1024, oldCiphers)) +
		block(ports[3], fmt.Sprintf(`    ssl_certificate %s; ssl_certificate_key %s;
    ssl_certificate %s; ssl_certificate_key %s;
    ssl_protocols TLSv1.2; ssl_prefer_server_ciphers on;
    ssl_ciphers %s;`, p.Good.CertFile, p.Good.KeyFile, p.GoodECDSA.CertFile, p.GoodECDSA.KeyFile, dualCiphers)) +
		block(ports[4], fmt.Sprintf(`    ssl_certificate %s; ssl_certificate_key %s;
    ssl_protocols TLSv1.2; ssl_prefer_server_ciphers on; ssl_ciphers %s;
    ssl_stapling on; ssl_stapling_file %s;`, stapled.CertFile, stapled.KeyFile, stapledCiphers, ocsp))
	checkstest.Nginx(t, f.dir, conf, ports...)

	add(&endpointCase{name: "nginx modern (TLS 1.3 only, ECDSA)", port: ports[0], target: fmt.Sprintf("https://127.0.0.1:%d/", ports[0]), serverPref: true,
		want: map[uint16][]uint16{versionTLS13: opensslSuites(t, "tls1_3", modern13)},
		check: func(t *testing.T, v *Verdict) {
			if v.Grade != "A+" {
				t.Errorf("grade %s, want A+ (reasons %v)", v.Grade, v.Reasons)
			}
			if !v.Policies[2].Pass {
				t.Errorf("Mozilla modern should pass: %v %v", v.Policies[2].Failures, v.Policies[2].Unknown)
			}
		}})
	add(&endpointCase{name: "nginx intermediate (client order)", port: ports[1], target: fmt.Sprintf("https://127.0.0.1:%d/", ports[1]),
		want: map[uint16][]uint16{versionTLS12: opensslSuites(t, "tls1_2", intermediateCiphers, rsa...), versionTLS13: opensslSuites(t, "tls1_3", default13)},
		check: func(t *testing.T, v *Verdict) {
			if v.Report.Protocol(versionTLS12).Preference != "client" {
				t.Errorf("preference %q, want client", v.Report.Protocol(versionTLS12).Preference)
			}
			if v.Report.KeyExchange.DHBits != 2048 {
				t.Errorf("DH bits %d, want 2048", v.Report.KeyExchange.DHBits)
			}
			if v.Grade != "A" || !v.Policies[1].Pass {
				t.Errorf("grade %s (want A: HSTS too short for A+), intermediate %v", v.Grade, v.Policies[1].Failures)
			}
		}})
	add(&endpointCase{name: "nginx old (TLS 1.0-1.2, DH 1024)", port: ports[2], serverPref: true,
		want: map[uint16][]uint16{
			versionTLS10: opensslSuites(t, "tls1", oldCiphers, rsa...),
			versionTLS11: opensslSuites(t, "tls1_1", oldCiphers, rsa...),
			versionTLS12: opensslSuites(t, "tls1_2", oldCiphers, rsa...),
		},
		check: func(t *testing.T, v *Verdict) {
			if v.Report.KeyExchange.DHBits != 1024 {
				t.Errorf("DH bits %d, want 1024", v.Report.KeyExchange.DHBits)
			}
			if v.Grade != "B" || v.Report.FallbackSCSV != "honoured" {
				t.Errorf("grade %s (want B), fallback %s", v.Grade, v.Report.FallbackSCSV)
			}
			if v.Policies[0].Pass || v.Policies[0].Failures[0] != "TLS 1.0 offered" {
				t.Errorf("NIST: %v", v.Policies[0].Failures)
			}
		}})
	add(&endpointCase{name: "nginx dual certificate (RSA and ECDSA)", port: ports[3], serverPref: true,
		want: map[uint16][]uint16{versionTLS12: opensslSuites(t, "tls1_2", dualCiphers, "RSA", "ECDSA")},
		check: func(t *testing.T, v *Verdict) {
			var kinds []string
			for _, c := range v.Certificates {
				kinds = append(kinds, c.KeyType)
			}
			sort.Strings(kinds)
			if !slices.Equal(kinds, []string{"ECDSA", "RSA"}) {
				t.Errorf("certificates %v, want both ECDSA and RSA", kinds)
			}
		}})
	add(&endpointCase{name: "nginx OCSP stapling", port: ports[4], serverPref: true,
		want: map[uint16][]uint16{versionTLS12: opensslSuites(t, "tls1_2", stapledCiphers, rsa...)},
		check: func(t *testing.T, v *Verdict) {
			if len(v.Certificates) != 1 || !v.Certificates[0].OCSPStapled {
				t.Errorf("stapling not seen: %+v", v.Certificates)
			}
		}})

	// openssl s_server: one protocol, chosen suites in server order, a 1024-bit DH group.
	port := sServer(t, "-cert", p.Good.CertFile, "-key", p.Good.KeyFile, "-tls1_1", "-serverpref", "-cipher", tls11Ciphers, "-dhparam", dh1024)
	add(&endpointCase{name: "s_server TLS 1.1 only, server order", port: port, target: fmt.Sprintf("https://127.0.0.1:%d/", port), serverPref: true,
		want: map[uint16][]uint16{versionTLS11: opensslSuites(t, "tls1_1", tls11Ciphers, rsa...)},
		check: func(t *testing.T, v *Verdict) {
			if v.Report.KeyExchange.DHBits != 1024 {
				t.Errorf("DH bits %d, want 1024", v.Report.KeyExchange.DHBits)
			}
			if v.Grade != "C" {
				t.Errorf("grade %s, want C (no TLS 1.2): %v", v.Grade, v.Reasons)
			}
		}})
	port = sServer(t, "-cert", p.Good.CertFile, "-key", p.Good.KeyFile, "-tls1_2", "-cipher", nullCiphers)
	add(&endpointCase{name: "s_server NULL suites", port: port, target: fmt.Sprintf("https://127.0.0.1:%d/", port),
		want: map[uint16][]uint16{versionTLS12: opensslSuites(t, "tls1_2", nullCiphers, rsa...)},
		check: func(t *testing.T, v *Verdict) {
			if v.Grade != "F" {
				t.Errorf("grade %s, want F", v.Grade)
			}
		}})
	port = sServer(t, "-nocert", "-tls1_2", "-cipher", anonCiphers, "-dhparam", dh2048)
	add(&endpointCase{name: "s_server anonymous suites", port: port, target: fmt.Sprintf("https://127.0.0.1:%d/", port),
		want: map[uint16][]uint16{versionTLS12: opensslSuites(t, "tls1_2", anonCiphers, "None")},
		check: func(t *testing.T, v *Verdict) {
			if v.Grade != "F" || v.CertError == "" {
				t.Errorf("grade %s (want F), certificate error %q (want one: no certificate)", v.Grade, v.CertError)
			}
		}})

	// Go crypto/tls: 3DES and RC4, which Debian's OpenSSL 3 no longer offers.
	goSuites := []uint16{stdtls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, stdtls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
		stdtls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA, stdtls.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
		stdtls.TLS_ECDHE_RSA_WITH_RC4_128_SHA, stdtls.TLS_RSA_WITH_RC4_128_SHA}
	port = goServer(t, &stdtls.Config{Certificates: []stdtls.Certificate{p.Good.TLS}, MinVersion: stdtls.VersionTLS10, MaxVersion: stdtls.VersionTLS12,
		CipherSuites: goSuites}, "")
	add(&endpointCase{name: "Go crypto/tls with 3DES and RC4", port: port, target: fmt.Sprintf("https://127.0.0.1:%d/", port),
		want: goOracle(goSuites, versionTLS10, versionTLS11, versionTLS12)})

	// zcrypto: SSLv3 with export, DES, RC4 and 3DES suites.
	zcert, err := ztls.X509KeyPair(pemOf(t, p.Good.CertFile), pemOf(t, p.Good.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	zSuites := []uint16{ztls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, ztls.TLS_RSA_WITH_RC4_128_SHA, ztls.TLS_RSA_WITH_RC4_128_MD5, ztls.TLS_RSA_WITH_AES_128_CBC_SHA}
	port = zServer(t, &ztls.Config{Certificates: []ztls.Certificate{zcert}, MinVersion: ztls.VersionSSL30, MaxVersion: ztls.VersionSSL30,
		CipherSuites: zSuites, PreferServerCipherSuites: true})
	add(&endpointCase{name: "zcrypto SSLv3 only", port: port, serverPref: true,
		want: map[uint16][]uint16{versionSSL3: zSuites},
		check: func(t *testing.T, v *Verdict) {
			if v.Grade != "F" {
				t.Errorf("grade %s, want F (SSLv3 best protocol)", v.Grade)
			}
		}})
	return f
}

// goOracle lists configured suites per version as Go's crypto/tls supports them.
func goOracle(suites []uint16, versions ...uint16) map[uint16][]uint16 {
	all := append(stdtls.CipherSuites(), stdtls.InsecureCipherSuites()...)
	out := map[uint16][]uint16{}
	for _, v := range versions {
		for _, id := range suites {
			for _, s := range all {
				if s.ID == id && slices.Contains(s.SupportedVersions, v) {
					out[v] = append(out[v], id)
				}
			}
		}
	}
	return out
}

func names(ids []uint16) []string {
	var out []string
	for _, id := range ids {
		out = append(out, LookupSuite(id).Name)
	}
	return out
}

// TestAccuracy scans every fixture server in one run, as a user would, and checks that for
// each server the suites per protocol version are exactly its configuration (in its order,
// when it imposes one), and that versions it does not configure are refused.
func TestAccuracy(t *testing.T) {
	f := newFixture(t)
	fam, err := Family(f.pki.caOptions())
	if err != nil {
		t.Fatal(err)
	}
	var targets []string
	for _, c := range f.cases {
		targets = append(targets, c.target)
	}
	start := time.Now()
	// A 5 s I/O timeout: a CI machine busy compiling must not turn a slow accept into a finding.
	res := checkstest.ScanWith(t, checks.Options{Checks: fam.Checks, Workers: 16, HostConns: 64, IOTimeout: 5 * time.Second}, targets...)
	t.Logf("scanned %d endpoints in %v", len(targets), time.Since(start))
	verdicts := verdictsByTarget(t, res)
	for _, c := range f.cases {
		t.Run(c.name, func(t *testing.T) {
			v := verdicts[c.target]
			if v == nil {
				t.Fatalf("no TLS verdict for %s; attempts: %v", c.target, errorAttempts(res, c.target))
			}
			for _, p := range v.Report.Protocols {
				want := c.want[p.Version]
				var got []uint16
				for _, s := range p.Suites {
					got = append(got, s.ID)
				}
				if p.Version == versionSSL2 {
					if p.Offered {
						t.Errorf("SSLv2 offered: %v", p.SSLv2)
					}
					continue
				}
				if !c.serverPref || p.Preference != "server" {
					slices.Sort(got)
					want = slices.Clone(want)
					slices.Sort(want)
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s: got %d suites %v\nwant %d %v", p.Name, len(got), names(got), len(want), names(want))
				}
				if c.serverPref && len(want) > 1 && p.Preference != "server" {
					t.Errorf("%s: preference %q, want server", p.Name, p.Preference)
				}
			}
			if n := v.Report.Connections; n > budget(v.Report) {
				t.Errorf("%d connections, budget %d", n, budget(v.Report))
			}
			if c.check != nil {
				c.check(t, v)
			}
		})
	}
	t.Run("nmap agrees", func(t *testing.T) { nmapAgrees(t, f, verdicts) })
}

// budget is the issue's bound on handshakes per endpoint: accepted suites + protocols offered
// + 10, less the two connections outside the enumeration (service detection, HSTS).
func budget(r *Report) int {
	n := 0
	for _, p := range r.Protocols {
		n += len(p.Suites) + len(p.SSLv2)
		if p.Offered {
			n++
		}
	}
	return n + 10 - 2
}

func verdictsByTarget(t testing.TB, res *checks.Result) map[string]*Verdict {
	out := map[string]*Verdict{}
	for _, e := range res.Endpoints {
		if tv, ok := e.Verdicts["tls"]; ok {
			if v, ok := tv.Data.(*Verdict); ok {
				out[e.Target] = v
			}
		}
	}
	return out
}

// errorAttempts lists the distinct errors of a target's attempts, with the first check that met each.
func errorAttempts(res *checks.Result, target string) []string {
	var out []string
	seen := map[string]bool{}
	for _, a := range res.Attempts {
		if a.Target == target && a.Status == checks.StatusError && !seen[a.Error] {
			seen[a.Error] = true
			out = append(out, a.Check+": "+a.Error)
		}
	}
	for _, e := range res.Endpoints {
		if e.Target == target && e.Status != checks.StatusCompleted {
			out = append(out, "endpoint: "+e.Error)
		}
	}
	return out
}

func pemOf(t testing.TB, path string) []byte {
	t.Helper()
	b, err := readFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ocspResponse(t testing.TB, dir string, p *testPKI, leaf *testCert) string {
	t.Helper()
	bin := checkstest.RequireBinary(t, "openssl")
	caKey := filepath.Join(p.dir, "Telesra Test CA.key")
	caPEM := writeFile(t, dir, "ca-cert-only.pem", string(pemEncode(p.CA.Cert.Raw)))
	leafPEM := writeFile(t, dir, "stapled-leaf.pem", string(pemEncode(leaf.Cert.Raw)))
	index := writeFile(t, dir, "index.txt", fmt.Sprintf("V\t%s\t\t%X\tunknown\t%s\n",
		leaf.Cert.NotAfter.UTC().Format("060102150405Z"), leaf.Cert.SerialNumber, strings.ReplaceAll(leaf.Cert.Subject.String(), ",", "/")))
	req, resp := filepath.Join(dir, "ocsp.req"), filepath.Join(dir, "ocsp.der")
	run := func(args ...string) {
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v: %s", args, err, out)
		}
	}
	run("ocsp", "-issuer", caPEM, "-cert", leafPEM, "-reqout", req, "-no_nonce")
	run("ocsp", "-index", index, "-rsigner", caPEM, "-rkey", caKey, "-CA", caPEM, "-reqin", req, "-respout", resp, "-ndays", "2")
	return resp
}
