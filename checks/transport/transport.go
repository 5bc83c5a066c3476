// Package transport judges how services carry data: today, web services that speak plain HTTP,
// where patient data and passwords cross the network readable by anyone on the path.
package transport

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/telesra/telesra/checks"
)

// newCleartextHTTP builds transport.cleartext_http.
func newCleartextHTTP() *checks.Check {
	return checks.Define(checks.Check{
		ID:    "transport.cleartext_http",
		Title: "Web service without TLS",
		Description: "GETs the endpoint's page over plain HTTP (following at most 5 redirects on the same origin) and reads it: " +
			"a page that asks for a password, or a 401 challenge (Basic, Digest, NTLM, Negotiate), sends credentials in the clear (high); " +
			"any other page that is not a redirect to HTTPS may carry ePHI in the clear (medium). A plain-HTTP port that only redirects to HTTPS passes.",
		Connections: "1 per request: 1-6",
		Severity:    checks.High,
		HIPAA:       []string{"164.312(e)(1)", "164.312(e)(2)(ii)"},
		Remediation: "Serve the site only over HTTPS (TLS 1.2 or later) and make plain HTTP answer with a permanent redirect to the HTTPS URL; " +
			"add Strict-Transport-Security so browsers never use HTTP again. Never accept passwords over HTTP.",
		References: []string{
			"https://csrc.nist.gov/pubs/sp/800/52/r2/final",
			"https://www.hhs.gov/hipaa/for-professionals/breach-notification/guidance/index.html",
		},
		Applies: func(s checks.Service) bool { return s.Name == checks.SvcHTTP && !s.TLS },
	}, pageProbe, judgeCleartext)
}

// Family returns the transport checks.
func Family() *checks.Family {
	return &checks.Family{
		Name:        "transport",
		Title:       "Transport security",
		Description: "Services that carry data without encryption.",
		Checks:      []*checks.Check{newCleartextHTTP()},
	}
}

// pageProbe fetches the landing page once per endpoint.
var pageProbe = &checks.Probe[*checks.Page]{
	ID:          "transport.page",
	Description: "GET of the endpoint's path over plain HTTP, following same-origin redirects (at most 5), body read up to 1 MiB.",
	Connections: "1-6",
	Run: func(ctx context.Context, env *checks.Env) (*checks.Page, error) {
		return env.Get(ctx, env.HTTPClient(), env.Endpoint.Path, 0)
	},
}

func judgeCleartext(_ context.Context, env *checks.Env, c *checks.Check, page *checks.Page) ([]checks.Finding, error) {
	if isHTTPSRedirect(page) {
		return nil, nil
	}
	f := c.NewFinding(env, "")
	ev := map[string]any{"url": checks.Clean(page.URL, 300), "status": page.Status}
	if s := page.Header.Get("Server"); s != "" {
		ev["server"] = checks.Clean(s, 200)
	}
	var creds []string
	if page.Status == http.StatusUnauthorized || page.Status == http.StatusProxyAuthRequired {
		var chs []checks.Challenge
		for _, c := range checks.Challenges(page.Header) {
			if checks.PasswordSchemes[strings.ToLower(c.Scheme)] {
				chs = append(chs, c)
				creds = append(creds, fmt.Sprintf("an HTTP %s challenge (realm %q)", c.Scheme, c.Realm))
			}
		}
		if len(chs) > 0 {
			ev["auth_challenges"] = chs
		}
	}
	if isHTML(page) {
		doc := checks.ParseHTML(page.Body, page.URL)
		if forms := doc.PasswordForms(); len(forms) > 0 {
			ev["password_forms"] = forms
			creds = append(creds, fmt.Sprintf("a password form posting to %s", forms[0].Action))
			for _, fm := range forms {
				if strings.HasPrefix(fm.Action, "https://") {
					// The form posts to HTTPS, but the page itself can be altered in transit to
					// post elsewhere: still a cleartext credential risk.
					ev["form_posts_to_https"] = true
				}
			}
		}
		if doc.Title != "" {
			ev["title"] = doc.Title
		}
	}
	if len(creds) > 0 {
		f.Severity = checks.High
		f.Title = "Login served over plain HTTP"
		f.Detail = fmt.Sprintf("%s serves %s without TLS: passwords and any ePHI behind the login cross the network in the clear, "+
			"readable and alterable by anyone on the path.", page.URL, strings.Join(creds, " and "))
	} else {
		f.Severity = checks.Medium
		f.Detail = fmt.Sprintf("%s answers over plain HTTP (status %d) instead of redirecting to HTTPS: whatever it serves or receives, "+
			"including ePHI, crosses the network unencrypted.", page.URL, page.Status)
	}
	f.Evidence = ev
	return []checks.Finding{f}, nil
}

// isHTTPSRedirect reports a plain-HTTP answer that only sends the browser to HTTPS.
func isHTTPSRedirect(p *checks.Page) bool {
	if p.Status < 300 || p.Status > 399 {
		return false
	}
	loc, err := url.Parse(p.Header.Get("Location"))
	return err == nil && strings.EqualFold(loc.Scheme, "https")
}

func isHTML(p *checks.Page) bool {
	ct := strings.ToLower(p.Header.Get("Content-Type"))
	return strings.Contains(ct, "html") || ct == "" && len(p.Body) > 0
}
