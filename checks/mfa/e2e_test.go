package mfa_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
	"github.com/telesra/telesra/checks/mfa"
	"github.com/telesra/telesra/report/scan"
)

// TestHostWithSSHAndBasicPortal scans one host (127.0.0.1, its ports discovered) that runs
// OpenSSH with passwords on and an HTTPS portal behind Basic authentication, and checks that both
// findings reach the JSON, SARIF and table outputs with their evidence: the SSH methods offered,
// the HTTP scheme and realm.
func TestHostWithSSHAndBasicPortal(t *testing.T) {
	sshPort, sshLog := sshd(t, "PasswordAuthentication yes\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes")
	site := &nginxSite{name: "portal", tls: true,
		extra: "    location / { auth_basic \"Riverside Staff Portal\"; auth_basic_user_file {{DIR}}/htpasswd; }"}
	authLog := nginxSites(t, []*nginxSite{site})

	fam := mfa.Family(mfa.Options{})
	res := checkstest.ScanWith(t, checks.Options{Checks: fam.Checks, Ports: []int{sshPort, site.port}}, "127.0.0.1")
	sshTarget, webTarget := fmt.Sprintf("127.0.0.1:%d", sshPort), fmt.Sprintf("127.0.0.1:%d", site.port)
	assertFindings(t, res, sshTarget, "mfa.ssh.password_auth")
	assertFindings(t, res, webTarget, "mfa.http.basic_auth")
	if len(res.Findings) != 2 {
		t.Fatalf("%d findings, want 2", len(res.Findings))
	}
	reg, err := checks.NewRegistry(fam)
	if err != nil {
		t.Fatal(err)
	}

	render := func(format string) []byte {
		w, err := scan.Formats.New(format, scan.Options{Registry: reg, Width: 400})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := w.Write(&b, res); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		return b.Bytes()
	}

	// evidenceOK checks one finding's evidence as a writer serialised it.
	evidenceOK := func(where, check string, ev map[string]any) {
		t.Helper()
		switch check {
		case "mfa.ssh.password_auth":
			var methods []string
			for _, m := range ev["methods"].([]any) {
				methods = append(methods, m.(string))
			}
			if !slices.Equal(methods, []string{"password", "publickey"}) {
				t.Errorf("%s: SSH methods %v", where, ev["methods"])
			}
			if !strings.HasPrefix(ev["banner"].(string), "SSH-2.0-OpenSSH") {
				t.Errorf("%s: banner %v", where, ev["banner"])
			}
		case "mfa.http.basic_auth":
			pages := ev["pages"].([]any)
			ch := pages[0].(map[string]any)["challenges"].([]any)[0].(map[string]any)
			if ch["scheme"] != "Basic" || ch["realm"] != "Riverside Staff Portal" {
				t.Errorf("%s: challenge %v", where, ch)
			}
		default:
			t.Errorf("%s: unexpected finding %s", where, check)
		}
	}

	var doc struct {
		Findings []struct {
			Check      string         `json:"check"`
			Target     string         `json:"target"`
			Severity   string         `json:"severity"`
			Confidence string         `json:"confidence"`
			HIPAA      []string       `json:"hipaa"`
			Evidence   map[string]any `json:"evidence"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(render("json"), &doc); err != nil {
		t.Fatal(err)
	}
	for _, f := range doc.Findings {
		evidenceOK("json", f.Check, f.Evidence)
		if f.Confidence != "confirmed" || !slices.Contains(f.HIPAA, "164.312(d)") {
			t.Errorf("json %s: %s %v", f.Check, f.Confidence, f.HIPAA)
		}
	}
	if len(doc.Findings) != 2 {
		t.Errorf("json has %d findings", len(doc.Findings))
	}

	var sarif struct {
		Runs []struct {
			Results []struct {
				RuleID     string         `json:"ruleId"`
				Level      string         `json:"level"`
				Properties map[string]any `json:"properties"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(render("sarif"), &sarif); err != nil {
		t.Fatal(err)
	}
	if len(sarif.Runs) != 1 || len(sarif.Runs[0].Results) != 2 {
		t.Fatalf("sarif: %+v", sarif)
	}
	for _, r := range sarif.Runs[0].Results {
		ev, _ := r.Properties["evidence"].(map[string]any)
		evidenceOK("sarif", r.RuleID, ev)
	}

	table := string(render("table"))
	for _, want := range []string{
		"mfa.ssh.password_auth", "SSH accepts password logins (methods offered: password, publickey)",
		"mfa.http.basic_auth", `HTTP Basic realm "Riverside Staff Portal" asks for a password alone`,
	} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}

	for _, m := range sshdMethods(t, sshLog) {
		if m != "none" {
			t.Errorf("sshd saw method %q", m)
		}
	}
	assertNoAuthorization(t, authLog)
}
