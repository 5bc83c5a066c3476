package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/telesra/telesra/templates/datafile"

	"github.com/charmbracelet/x/ansi"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/telesra/telesra/checks"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const goldenDir = "../../testdata/golden/scan"

// fixture is a result covering what writers must render: severities, a suppressed finding, an
// expired suppression, an error attempt, a not-applicable attempt, an unreachable endpoint,
// verdicts, and hostile text in a finding.
func fixture(t *testing.T) (*checks.Result, *checks.Registry) {
	t.Helper()
	mk := func(id, title string, sev checks.Severity, cites ...string) *checks.Check {
		return checks.DefineWith(checks.Check{ID: id, Title: title, Description: title + ": what it probes.",
			Severity: sev, HIPAA: cites, Remediation: "Fix " + title + ".", References: []string{"https://csrc.nist.gov/pubs/sp/800/52/r2/final"}},
			nil, func(context.Context, *checks.Env, *checks.Check) ([]checks.Finding, error) { return nil, nil })
	}
	reg, err := checks.NewRegistry(
		&checks.Family{Name: "tls", Title: "TLS", Description: "TLS", Checks: []*checks.Check{
			mk("tls.protocol.tls1_0", "TLS 1.0 accepted", checks.Medium, "164.312(e)(1)", "164.312(e)(2)(ii)"),
			mk("tls.cert.expired", "Certificate expired", checks.High, "164.312(e)(1)"),
		}},
		&checks.Family{Name: "transport", Title: "Transport", Description: "Transport", Checks: []*checks.Check{
			mk("transport.cleartext_http", "Web service without TLS", checks.High, "164.312(e)(1)", "164.312(d)"),
		}},
	)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	exp := &checks.Suppression{Check: "tls.protocol.tls1_0", Target: "10.0.0.9:*", Reason: "lab analyser", Expires: "2026-10-31", ApprovedBy: "Dr A. Lee",
		Source: checks.Source{File: ".telesra-ignore.yaml", Line: 8}}
	sup := &checks.Suppression{Check: "tls.protocol.tls1_0", Target: "10.0.0.6:*", Reason: "replaced in December", Expires: "2026-12-31", ApprovedBy: "J. Smith",
		Source: checks.Source{File: ".telesra-ignore.yaml", Line: 2}}
	src := checks.Source{File: "assessment.yaml", Line: 14}
	r := &checks.Result{
		SchemaVersion: checks.ResultSchemaVersion,
		Tool:          checks.Tool{Name: "telesra", Version: "v1.0.0"},
		StartedAt:     start, FinishedAt: start.Add(42 * time.Second), Complete: true,
		Scope:  checks.ScopeDoc{Source: "assessment.yaml", Targets: []string{"10.0.0.0/28"}, Exclusions: []string{"10.0.0.1"}},
		Checks: []string{"tls.protocol.tls1_0", "tls.cert.expired", "transport.cleartext_http"},
		Endpoints: []checks.EndpointResult{
			{Target: "10.0.0.5:80", Host: "10.0.0.5", Address: "10.0.0.5", Port: 80, Status: checks.StatusCompleted, Source: src,
				Service: &checks.Service{Name: "http", HTTP: &checks.HTTPInfo{Status: 200, Server: "nginx"}}},
			{Target: "10.0.0.6:443", Host: "10.0.0.6", Address: "10.0.0.6", Port: 443, Status: checks.StatusCompleted, Source: src,
				Service:  &checks.Service{Name: "http", TLS: true, TLSHandshake: true},
				Verdicts: map[string]checks.Verdict{"tls": {Line: "grade C · NIST 800-52r2 fail (TLS 1.0 offered)"}}},
			{Target: "10.0.0.7:443", Host: "10.0.0.7", Address: "10.0.0.7", Port: 443, Status: checks.StatusError, Reason: checks.ReasonTimeout,
				Error: "port open but no answer to a TLS ClientHello", Source: src},
		},
		Attempts: []checks.Attempt{
			{Check: "tls.cert.expired", Target: "10.0.0.5:80", Status: checks.StatusNotApplicable},
			{Check: "tls.protocol.tls1_0", Target: "10.0.0.5:80", Status: checks.StatusNotApplicable},
			{Check: "transport.cleartext_http", Target: "10.0.0.5:80", Status: checks.StatusCompleted, Findings: 1, DurationMS: 12},
			{Check: "tls.cert.expired", Target: "10.0.0.6:443", Status: checks.StatusCompleted, Findings: 1, DurationMS: 40},
			{Check: "tls.protocol.tls1_0", Target: "10.0.0.6:443", Status: checks.StatusCompleted, Findings: 1, DurationMS: 40},
			{Check: "transport.cleartext_http", Target: "10.0.0.6:443", Status: checks.StatusNotApplicable},
			{Check: "tls.cert.expired", Target: "10.0.0.7:443", Status: checks.StatusError, Reason: checks.ReasonTimeout, Error: "port open but no answer to a TLS ClientHello"},
			{Check: "tls.protocol.tls1_0", Target: "10.0.0.7:443", Status: checks.StatusError, Reason: checks.ReasonTimeout, Error: "port open but no answer to a TLS ClientHello"},
			{Check: "transport.cleartext_http", Target: "10.0.0.7:443", Status: checks.StatusError, Reason: checks.ReasonTimeout, Error: "port open but no answer to a TLS ClientHello"},
		},
		Findings: []checks.Finding{
			{ID: checks.FindingID("transport.cleartext_http", "10.0.0.5:80", ""), Check: "transport.cleartext_http", Target: "10.0.0.5:80",
				Severity: checks.High, Confidence: checks.Confirmed, Title: "Login served over plain HTTP",
				Detail:   "http://10.0.0.5/ serves a password form | without TLS; banner was \\x1b[31mred",
				Evidence: map[string]any{"url": "http://10.0.0.5/", "status": 200}, HIPAA: []string{"164.312(e)(1)", "164.312(d)"},
				Remediation: "Serve the site only over HTTPS."},
			{ID: checks.FindingID("tls.cert.expired", "10.0.0.6:443", ""), Check: "tls.cert.expired", Target: "10.0.0.6:443",
				Severity: checks.High, Confidence: checks.Confirmed, Title: "Certificate expired", Detail: "The certificate expired on 2026-10-01.",
				Evidence: map[string]any{"not_after": "2026-10-01T00:00:00Z"}, HIPAA: []string{"164.312(e)(1)"}, Remediation: "Renew it."},
			{ID: checks.FindingID("tls.protocol.tls1_0", "10.0.0.6:443", ""), Check: "tls.protocol.tls1_0", Target: "10.0.0.6:443",
				Severity: checks.Medium, Confidence: checks.Confirmed, Title: "TLS 1.0 accepted", Detail: "The server accepts TLS 1.0.",
				HIPAA: []string{"164.312(e)(1)", "164.312(e)(2)(ii)"}, Remediation: "Disable TLS 1.0.", Suppression: sup},
		},
		Suppressions: checks.SuppressionReport{File: ".telesra-ignore.yaml", Suppressed: 1, Expired: []*checks.Suppression{exp}},
	}
	r.Finalize()
	return r, reg
}

func TestWritersGolden(t *testing.T) {
	res, reg := fixture(t)
	files := map[string]string{"json": "result.json", "sarif": "result.sarif", "junit": "result.xml", "markdown": "result.md", "table": "result.txt"}
	for format, file := range files {
		t.Run(format, func(t *testing.T) {
			w, err := Formats.New(format, Options{Registry: reg, Threshold: checks.High, Width: 110})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := w.Write(&buf, res); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(goldenDir, file)
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s differs from %s (run with -update and review the diff):\n%s", format, path, buf.String())
			}
			if strings.Contains(buf.String(), "\x1b") {
				t.Errorf("%s output contains a raw escape character", format)
			}
		})
	}
}

func TestJSONMatchesResultSchema(t *testing.T) {
	res, _ := fixture(t)
	var buf bytes.Buffer
	if err := (JSON{}).Write(&buf, res); err != nil {
		t.Fatal(err)
	}
	if err := datafile.ValidateJSON("scan-result.schema.json", buf.Bytes()); err != nil {
		t.Fatalf("the JSON output does not match its own schema: %v", err)
	}
	back, err := checks.DecodeResult(buf.Bytes())
	if err != nil || len(back.Findings) != 3 || back.Findings[2].Suppression == nil {
		t.Fatalf("round trip: %v", err)
	}
}

// ValidateSARIF checks a SARIF document against the OASIS SARIF 2.1.0 schema (errata 01) and
// the parts GitHub code scanning relies on. Exported through a test helper file for the CLI
// tests.
func validateSARIF(t *testing.T, data []byte) {
	t.Helper()
	schemaPath := "../../testdata/schemas/sarif-schema-2.1.0.json"
	if err := ValidateSARIFFile(schemaPath, data); err != nil {
		t.Fatal(err)
	}
}

func TestSARIFValidatesAndSuitsGitHub(t *testing.T) {
	res, reg := fixture(t)
	var buf bytes.Buffer
	if err := (SARIF{Registry: reg}).Write(&buf, res); err != nil {
		t.Fatal(err)
	}
	validateSARIF(t, buf.Bytes())
	var doc struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID         string         `json:"id"`
						Properties map[string]any `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID              string            `json:"ruleId"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
				Locations           []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }    `json:"artifactLocation"`
						Region           struct{ StartLine int } `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				Suppressions []any `json:"suppressions"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	run := doc.Runs[0]
	if len(run.Tool.Driver.Rules) != 3 {
		t.Errorf("rules = %d, want one per check", len(run.Tool.Driver.Rules))
	}
	for _, r := range run.Tool.Driver.Rules {
		if s, _ := r.Properties["security-severity"].(string); s == "" {
			t.Errorf("rule %s has no security-severity", r.ID)
		}
	}
	for _, r := range run.Results {
		if r.PartialFingerprints[FingerprintKey] == "" {
			t.Errorf("result %s has no partial fingerprint", r.RuleID)
		}
		loc := r.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URI != "assessment.yaml" || loc.Region.StartLine != 14 {
			t.Errorf("result %s anchored at %s:%d, want assessment.yaml:14", r.RuleID, loc.ArtifactLocation.URI, loc.Region.StartLine)
		}
	}
	if n := len(run.Results[2].Suppressions); n != 1 {
		t.Errorf("the suppressed finding carries %d SARIF suppressions", n)
	}
}

func TestJUnitCountsFailuresAtThreshold(t *testing.T) {
	res, _ := fixture(t)
	for _, c := range []struct {
		threshold checks.Severity
		failures  int
	}{{checks.High, 2}, {checks.Critical, 0}, {checks.Low, 2}} { // the medium one is suppressed
		var buf bytes.Buffer
		if err := (JUnit{Threshold: c.threshold}).Write(&buf, res); err != nil {
			t.Fatal(err)
		}
		var suites struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Errors   int `xml:"errors,attr"`
		}
		if err := xml.Unmarshal(buf.Bytes(), &suites); err != nil {
			t.Fatal(err)
		}
		// 10.0.0.7:443 is unreachable: one error case for the endpoint, not one per check.
		if suites.Tests != 7 || suites.Failures != c.failures || suites.Errors != 1 {
			t.Errorf("threshold %s: tests %d failures %d errors %d", c.threshold, suites.Tests, suites.Failures, suites.Errors)
		}
	}
}

// compile-time use of the validator package, so a schema change shows here first.
var _ = jsonschema.Draft4

func TestFormatsFollowTheNamingRule(t *testing.T) {
	if err := Formats.Check(); err != nil {
		t.Fatal(err)
	}
	// The names -f accepted before the registries shared one shape, and "md" with them.
	for _, name := range []string{"json", "sarif", "junit", "markdown", "md", "table"} {
		if _, ok := Formats.Lookup(name); !ok {
			t.Errorf("-f %s is no longer accepted", name)
		}
	}
}

// On a narrow terminal no line of the table is wider than the terminal; in a file (width 0)
// nothing is cut.
func TestTableFitsTheTerminal(t *testing.T) {
	res, reg := fixture(t)
	res.Endpoints[2].Error = "port open but no answer to a TLS ClientHello within 5s; the service may speak another protocol or drop unknown clients"
	res.Findings[0].Check = "mfa.http.remote_access_portal"
	res.Findings[0].Target = "[2001:db8:85a3::8a2e:370:7334]:8443"
	for _, width := range []int{80, 72} {
		var buf bytes.Buffer
		if err := (Table{Width: width}).Write(&buf, res); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(buf.String(), "\n") {
			if n := ansi.StringWidth(line); n > width {
				t.Errorf("width %d: a line of %d:\n%s", width, n, line)
			}
		}
		if !strings.Contains(buf.String(), "mfa.http.remote_access_portal") || !strings.Contains(buf.String(), "[2001:db8:85a3::8a2e:370:7334]:8443") {
			t.Errorf("width %d: a check ID or target was cut or wrapped:\n%s", width, buf.String())
		}
	}
	var buf bytes.Buffer
	if err := (Table{}).Write(&buf, res); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "…") || !strings.Contains(buf.String(), "drop unknown clients") {
		t.Errorf("a table for a file cuts text:\n%s", buf.String())
	}
	_ = reg
}

// A server banner is hostile text: Markdown renderers (GitHub job summaries among them) pass
// raw HTML through, so the summary escapes it.
func TestMarkdownEscapesHTML(t *testing.T) {
	res, _ := fixture(t)
	res.Findings[0].Title = `<script>alert(1)</script> & <img src=x onerror=alert(2)>`
	res.Endpoints[2].Error = "banner <b>nginx</b>"
	var buf bytes.Buffer
	if err := (Markdown{Threshold: checks.High}).Write(&buf, res); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); strings.Contains(out, "<script") || strings.Contains(out, "<img") || strings.Contains(out, "<b>") ||
		!strings.Contains(out, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img") {
		t.Errorf("HTML passes through the Markdown:\n%s", out)
	}
}
