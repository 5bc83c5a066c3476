package scan

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/report/scan/sariftest"
)

// unreachable is a scan that reached nothing: every endpoint refused or silent.
func unreachable() *checks.Result {
	start := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	r := &checks.Result{SchemaVersion: checks.ResultSchemaVersion, Tool: checks.Tool{Name: "telesra", Version: "dev"},
		StartedAt: start, FinishedAt: start.Add(3 * time.Second), Complete: true,
		Scope:  checks.ScopeDoc{Source: "command line", Targets: []string{"127.0.0.1"}},
		Checks: []string{"tls.cert.expired", "tls.protocol.tls1_0"}}
	for _, ep := range []string{"127.0.0.1:443", "127.0.0.1:8443", "127.0.0.1:993"} {
		r.Endpoints = append(r.Endpoints, checks.EndpointResult{Target: ep, Host: "127.0.0.1", Port: 1, Status: checks.StatusError,
			Reason: checks.ReasonRefused, Error: "connection refused"})
		for _, c := range r.Checks {
			r.Attempts = append(r.Attempts, checks.Attempt{Check: c, Target: ep, Status: checks.StatusError, Reason: checks.ReasonRefused})
		}
	}
	r.Finalize()
	return r
}

type sarifDoc struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Version string `json:"version"`
				Rules   []struct {
					ID         string         `json:"id"`
					HelpURI    string         `json:"helpUri"`
					Properties map[string]any `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results     []map[string]any `json:"results"`
		Invocations []struct {
			ExecutionSuccessful bool `json:"executionSuccessful"`
			Notifications       []struct {
				Level   string `json:"level"`
				Message struct {
					Text string `json:"text"`
				} `json:"message"`
			} `json:"toolExecutionNotifications"`
		} `json:"invocations"`
	} `json:"runs"`
}

func writeSARIF(t *testing.T, r *checks.Result, reg *checks.Registry) ([]byte, sarifDoc) {
	t.Helper()
	var buf bytes.Buffer
	if err := (SARIF{Registry: reg}).Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	validateSARIF(t, buf.Bytes())
	var doc sarifDoc
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil || len(doc.Runs) != 1 || len(doc.Runs[0].Invocations) != 1 {
		t.Fatalf("SARIF: %v", err)
	}
	return buf.Bytes(), doc
}

// GitHub closes every open alert missing from an upload: a scan that reached nothing must not
// look like a clean one.
func TestSARIFUnreachableScanIsNotSuccessful(t *testing.T) {
	_, reg := fixture(t)
	data, doc := writeSARIF(t, unreachable(), reg)
	inv := doc.Runs[0].Invocations[0]
	if inv.ExecutionSuccessful {
		t.Error("an all-unreachable scan says executionSuccessful: true")
	}
	if len(inv.Notifications) != 3 {
		t.Fatalf("%d notifications, want one per endpoint (3):\n%s", len(inv.Notifications), data)
	}
	for i, ep := range []string{"127.0.0.1:443", "127.0.0.1:8443", "127.0.0.1:993"} {
		n := inv.Notifications[i]
		if n.Level != "error" || !strings.Contains(n.Message.Text, ep) || !strings.Contains(n.Message.Text, "refused") {
			t.Errorf("notification %d = %+v; want an error naming %s and why", i, n, ep)
		}
	}
	if res := doc.Runs[0].Results; res == nil || len(res) != 0 {
		t.Errorf("results = %v; want an empty array", res)
	}

	// The fixture reached two endpoints and not the third: still not a successful execution.
	res, _ := fixture(t)
	_, doc = writeSARIF(t, res, reg)
	if inv := doc.Runs[0].Invocations[0]; inv.ExecutionSuccessful || len(inv.Notifications) != 1 ||
		!strings.Contains(inv.Notifications[0].Message.Text, "10.0.0.7:443") {
		t.Errorf("partly unreachable scan: %+v; want executionSuccessful false and one notification for 10.0.0.7:443", inv)
	}
}

// The SARIF a reader gets holds what telesra found, not go-sarif's defaults; every rule links
// its documentation; info findings raise no alert; a rule's precision follows the confidence
// of its findings; the version is one a viewer can compare.
func TestSARIFHasNoDefaultNoise(t *testing.T) {
	res, reg := fixture(t)
	res.Findings = append(res.Findings,
		checks.Finding{ID: "info1", Check: "tls.cert.expired", Target: "10.0.0.5:80", Severity: checks.Info, Confidence: checks.Confirmed, Title: "observation"},
		checks.Finding{ID: "pot1", Check: "transport.cleartext_http", Target: "10.0.0.6:443", Severity: checks.High, Confidence: checks.Potential, Title: "maybe"})
	res.Tool.Version = "dev"
	res.Finalize()
	data, doc := writeSARIF(t, res, reg)
	if m := regexp.MustCompile(`: -1\b|: \[\]|: \{\}`).FindAll(data, -1); len(m) > 0 {
		t.Errorf("%d default values (-1, [] or {}) in the SARIF", len(m))
	}
	run := doc.Runs[0]
	if v := run.Tool.Driver.Version; v == "" || v[0] < '0' || v[0] > '9' {
		t.Errorf("driver.version = %q; SARIF viewers compare versions that start with a digit", v)
	}
	for _, r := range run.Tool.Driver.Rules {
		want := "https://github.com/telesra/telesra/blob/main/docs/checks.md#" + strings.ReplaceAll(r.ID, ".", "")
		if r.HelpURI != want {
			t.Errorf("rule %s helpUri = %q; want %q", r.ID, r.HelpURI, want)
		}
	}
	for _, r := range run.Results {
		if r["ruleId"] == "tls.cert.expired" && strings.Contains(r["message"].(map[string]any)["text"].(string), "observation") {
			t.Error("an info finding is a SARIF result (GitHub shows it as an alert)")
		}
	}
	prec := map[string]any{}
	for _, r := range run.Tool.Driver.Rules {
		prec[r.ID] = r.Properties["precision"]
	}
	if prec["transport.cleartext_http"] != "medium" || prec["tls.cert.expired"] != "high" {
		t.Errorf("precision = %v; want medium for a rule with confirmed and potential findings, high for confirmed only", prec)
	}
}

func TestSARIFPassesMultitoolGitHubRules(t *testing.T) {
	res, reg := fixture(t)
	abs, _ := fixture(t) // a workspace outside the checkout: its file is an absolute path
	for i := range abs.Endpoints {
		abs.Endpoints[i].Source.File = "/srv/assessments/acme 2026/assessment.yaml"
	}
	for name, r := range map[string]*checks.Result{"fixture": res, "unreachable": unreachable(), "absolute source": abs} {
		data, _ := writeSARIF(t, r, reg)
		if bad := sariftest.Multitool(t, data); len(bad) > 0 {
			t.Errorf("%s: the Multitool reports %d error(s) or warning(s):\n%s", name, len(bad), strings.Join(bad, "\n"))
		}
	}
}
