package mfa_test

import (
	"io"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
	tlscheck "github.com/telesra/telesra/checks/tls"
)

// TestTelnetPlainPrompt: a telnet service that sends its login prompt without any IAC option
// negotiation (embedded consoles, busybox-style daemons), on a port other than 23, with and
// without the telnet:// scheme. It is telnet: the telnet finding appears, and the TLS family,
// scanned alongside as in a real scan, does not apply to it (no error attempts).
func TestTelnetPlainPrompt(t *testing.T) {
	console := func(text string) string {
		return serve(t, func(c net.Conn) {
			_, _ = c.Write([]byte(text))
			_, _ = io.Copy(io.Discard, c)
		})
	}
	prompt := console("\r\nclinic-ups login: ")
	menu := console("UPS console 2.1\r\n1) status\r\n") // no prompt: only the scheme says telnet
	tlsFam, err := tlscheck.Family(tlscheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cs := slices.Concat(mfaChecks(), tlsFam.Checks)
	cases := []struct {
		target     string
		confidence checks.Confidence
	}{
		{prompt, checks.Confirmed},
		{"telnet://" + prompt, checks.Confirmed},
		{"telnet://" + menu, checks.Potential},
	}
	for _, tc := range cases {
		t.Run(tc.target, func(t *testing.T) {
			res := checkstest.Scan(t, cs, tc.target)
			ep := res.Endpoints[0]
			if ep.Service == nil || ep.Service.Name != checks.SvcTelnet {
				t.Fatalf("service = %+v (%s), want telnet", ep.Service, ep.Error)
			}
			tgt := ep.Target
			assertFindings(t, res, tgt, "mfa.legacy.telnet")
			f := finding(t, res, "mfa.legacy.telnet")
			if f.Confidence != tc.confidence {
				t.Errorf("telnet finding %s, want %s (evidence %v)", f.Confidence, tc.confidence, f.Evidence)
			}
			if p, _ := f.Evidence["prompt"].(string); tc.confidence == checks.Confirmed && !strings.Contains(p, "login:") {
				t.Errorf("prompt evidence %q", p)
			}
			for _, a := range res.Attempts {
				if a.Status == checks.StatusError {
					t.Errorf("%s: error %s (%s)", a.Check, a.Reason, a.Error)
				}
				if strings.HasPrefix(a.Check, "tls.") && a.Status != checks.StatusNotApplicable {
					t.Errorf("%s on a telnet service: %s", a.Check, a.Status)
				}
			}
		})
	}
}
