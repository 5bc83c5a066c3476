package mfa

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/telesra/telesra/checks"
)

// pageLimit is the most of one page the crawl reads: login pages are small; a larger page is
// judged on its first 512 KiB and the attempt says so if nothing was found in it.
const pageLimit = 512 << 10

// loginPaths are the well-known login paths the crawl asks for on the endpoint's own origin, in
// this order: generic ones first, then the products the fingerprints recognise.
var loginPaths = []string{
	"/login", "/admin", "/portal", "/remote", "/vpn",
	"/owa/",                                 // Outlook Web App
	"/remote/login",                         // FortiGate SSL-VPN
	"/vpn/index.html",                       // Citrix Gateway
	"/logon/LogonPoint/index.html",          // Citrix Gateway (NetScaler 12+)
	"/dana-na/auth/url_default/welcome.cgi", // Pulse / Ivanti Connect Secure
	"/RDWeb/",                               // RD Web Access
	"/adfs/ls/idpinitiatedsignon.aspx",      // AD FS
	"/global-protect/login.esp",             // GlobalProtect
	"/cgi-bin/welcome",                      // SonicWall SMA
	"/+CSCOE+/logon.html",                   // Cisco ASA WebVPN
	"/interface/login/login.php",            // OpenEMR
	"/MyChart/",                             // Epic MyChart
}

// crawlConcurrency bounds the crawl's parallel requests (the dialer's per-host limit still
// applies): enough to finish within the probe budget on a slow server, few enough to be polite.
const crawlConcurrency = 4

// pageFacts is what one fetched page told us. The body itself is not kept.
type pageFacts struct {
	Path          string             `json:"path"`
	URL           string             `json:"url"`
	Status        int                `json:"status"`
	Challenges    []checks.Challenge `json:"challenges,omitempty"` // password-carrying schemes only
	NoChallenge   bool               `json:"-"`                    // 401 without any WWW-Authenticate
	Title         string             `json:"title,omitempty"`
	PasswordForms []checks.Form      `json:"password_forms,omitempty"`
	SecondFactor  string             `json:"second_factor,omitempty"` // the sign of a second factor seen
	Products      []checks.Technology
}

// crawlFacts is the whole crawl of one endpoint.
type crawlFacts struct {
	Pages []pageFacts
	// incomplete is why the crawl cannot vouch for "nothing here": a page that failed, looped or
	// was larger than the limit. A check that found nothing returns it instead of a pass.
	incomplete error
}

var crawlProbe = &checks.Probe[*crawlFacts]{ID: "mfa.http.crawl",
	Connections: fmt.Sprintf("1 per request: at most %d, each following at most %d same-origin redirects", 1+len(loginPaths), checks.MaxRedirects),
	Description: "GETs the endpoint's path and a fixed list of well-known login paths on the same origin, reading at most " +
		fmt.Sprintf("%d KiB of each page; never submits a form.", pageLimit>>10),
	Run: crawl}

func crawl(ctx context.Context, env *checks.Env) (*crawlFacts, error) {
	client := env.HTTPClient()
	facts := &crawlFacts{}
	var mu sync.Mutex
	seen := map[string]bool{}
	fetch := func(path string) error {
		page, err := env.Get(ctx, client, path, pageLimit)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			err = fmt.Errorf("GET %s: %w", path, err)
			if facts.incomplete == nil {
				facts.incomplete = err
			}
			return err
		}
		switch {
		case page.RedirectLimit:
			if facts.incomplete == nil {
				facts.incomplete = &checks.ProbeError{Reason: checks.ReasonProtocolMismatch,
					Err: fmt.Errorf("GET %s: still redirecting after %d same-origin redirects (a redirect loop?)", path, checks.MaxRedirects)}
			}
		case page.Truncated:
			if facts.incomplete == nil {
				facts.incomplete = &checks.ProbeError{Reason: checks.ReasonTooLarge,
					Err: fmt.Errorf("GET %s: page larger than %d KiB; only its first %d KiB were read", path, pageLimit>>10, pageLimit>>10)}
			}
		}
		if seen[page.URL] {
			return nil // two paths, one page (a redirect to the same login)
		}
		seen[page.URL] = true
		facts.Pages = append(facts.Pages, judgePage(path, page))
		return nil
	}

	landing := env.Endpoint.Path
	if landing == "" {
		landing = "/"
	}
	if err := fetch(landing); err != nil {
		// The landing page did not answer: asking for a dozen more pages would only wait longer.
		return facts, err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(crawlConcurrency)
	for _, p := range loginPaths {
		if p == landing {
			continue
		}
		g.Go(func() error {
			if gctx.Err() != nil {
				return nil
			}
			_ = fetch(p)
			return nil
		})
	}
	_ = g.Wait()
	sort.Slice(facts.Pages, func(i, j int) bool { return facts.Pages[i].URL < facts.Pages[j].URL })
	return facts, nil
}

// judgePage reads what matters about one page: its challenges, password forms, signs of a
// second factor, and which products it looks like.
func judgePage(path string, p *checks.Page) pageFacts {
	pf := pageFacts{Path: path, URL: checks.Clean(p.URL, 300), Status: p.Status}
	if p.Status == http.StatusUnauthorized || p.Status == http.StatusProxyAuthRequired {
		all := checks.Challenges(p.Header)
		pf.NoChallenge = len(all) == 0
		for _, c := range all {
			if checks.PasswordSchemes[strings.ToLower(c.Scheme)] {
				pf.Challenges = append(pf.Challenges, c)
			}
		}
	}
	var doc checks.HTMLDoc
	ct := strings.ToLower(p.Header.Get("Content-Type"))
	if strings.Contains(ct, "html") || ct == "" && len(p.Body) > 0 {
		doc = checks.ParseHTML(p.Body, p.URL)
		pf.Title = doc.Title
		pf.PasswordForms = doc.PasswordForms()
	}
	lower := strings.ToLower(string(p.Body))
	if len(pf.PasswordForms) > 0 {
		pf.SecondFactor = secondFactorSign(pf.PasswordForms, strings.ToLower(doc.Text))
	}
	for _, fp := range fingerprints {
		if ev := fp.match(doc.Title, lower, p.Header, len(pf.PasswordForms) > 0); ev != "" {
			pf.Products = append(pf.Products, checks.Technology{
				Product: fp.Product, Vendor: fp.Vendor, Category: fp.Category,
				Source: "telesra fingerprint " + fp.ID, Evidence: checks.Clean(ev+" at "+p.URL, 300),
			})
		}
	}
	return pf
}

// secondFactorFields are parts of input names that ask for a second factor.
var secondFactorFields = []string{"otp", "totp", "mfa", "2fa", "twofactor", "two_factor", "passcode", "verification", "authcode", "auth_code", "securitycode", "security_code", "tokencode", "token_code"}

// secondFactorText are phrases of a login page that announce a second factor.
var secondFactorText = []string{
	"one-time code", "one-time password", "one time password", "verification code", "authenticator app",
	"two-factor", "two factor", "2-step", "two-step", "multi-factor", "multifactor", "security key", "passkey",
	"duo security", "okta verify", "rsa securid",
}

// secondFactorSign returns what suggests that the login asks for more than a password, or "".
func secondFactorSign(forms []checks.Form, lowerText string) string {
	for _, f := range forms {
		if f.OneTimeCode {
			return "an input with autocomplete=one-time-code"
		}
		for _, in := range f.Inputs {
			typ, name, _ := strings.Cut(strings.ToLower(in), ":")
			if typ == "hidden" {
				continue // CSRF tokens and state, not a second factor
			}
			for _, s := range secondFactorFields {
				if strings.Contains(name, s) {
					return "an input named " + name
				}
			}
		}
	}
	for _, s := range secondFactorText {
		if strings.Contains(lowerText, s) {
			return fmt.Sprintf("the page mentions %q", s)
		}
	}
	return ""
}

// productsFacts are the portal products recognised on an endpoint.
type productsFacts struct {
	Products   []checks.Technology
	incomplete error // the recognizer failed
}

// httpChecks holds the HTTP checks and the recognizer they share.
type httpChecks struct {
	recognizer checks.Recognizer
	products   *checks.Probe[*productsFacts]
}

// productsProbeID names the products probe; each family instance builds its own probe around its
// recognizer.
const productsProbeID = "mfa.http.products"

func newHTTPChecks(r checks.Recognizer) *httpChecks {
	h := &httpChecks{recognizer: r}
	h.products = &checks.Probe[*productsFacts]{ID: productsProbeID, Run: h.recognize, Needs: []checks.ProbeRef{crawlProbe},
		Connections: "0 of its own (the recognizer's, when one is configured)",
		Description: "Matches the crawled pages against the family's fingerprints of remote-access, webmail and EHR portals, and asks " +
			"the configured recognizer (the web family's nuclei templates) what the endpoint runs."}
	return h
}

// recognize merges the family's fingerprints of the crawled pages with the recognizer's
// technologies, keeping the portal categories, one entry per product.
func (h *httpChecks) recognize(ctx context.Context, env *checks.Env) (*productsFacts, error) {
	crawled, err := crawlProbe.Get(ctx, env)
	out := &productsFacts{}
	if err != nil {
		return out, err
	}
	var all []checks.Technology
	for _, p := range crawled.Pages {
		all = append(all, p.Products...)
	}
	if h.recognizer != nil {
		techs, rerr := h.recognizer.Recognize(ctx, env)
		if rerr != nil {
			out.incomplete = fmt.Errorf("recognize products: %w", rerr)
		}
		for _, t := range techs {
			if portalCategories[strings.ToLower(t.Category)] {
				t.Product, t.Vendor, t.Version = checks.Clean(t.Product, 100), checks.Clean(t.Vendor, 100), checks.Clean(t.Version, 60)
				t.Source, t.Evidence = checks.Clean(t.Source, 200), checks.Clean(t.Evidence, 300)
				all = append(all, t)
			}
		}
	}
	seen := map[string]bool{}
	for _, t := range all {
		key := strings.ToLower(t.Product)
		if t.Product == "" || seen[key] {
			continue
		}
		seen[key] = true
		out.Products = append(out.Products, t)
	}
	return out, nil
}

// orIncomplete returns the findings, or, when there are none, the reason the crawl cannot vouch
// for their absence.
func orIncomplete(fs []checks.Finding, errs ...error) ([]checks.Finding, error) {
	if len(fs) > 0 {
		return fs, nil
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return nil, nil
}

func (h *httpChecks) checks() []*checks.Check {
	return []*checks.Check{h.basicAuth(), h.passwordForm(), h.portal()}
}

func (h *httpChecks) basicAuth() *checks.Check {
	c := checks.Define(checks.Check{
		ID:       "mfa.http.basic_auth",
		Title:    "HTTP authentication by password alone",
		Severity: checks.High,
		HIPAA:    cleartextCitations,
		Applies:  services(checks.SvcHTTP),
		Description: "Reads the 401 answers of the crawled pages (the endpoint's path and the well-known login paths) and reports " +
			"every challenge in a password scheme (Basic, Digest, NTLM, Negotiate) with its realm: the browser's password prompt, with " +
			"no room for a second factor. High over plain HTTP (the password crosses the network readable), medium over TLS. A 401 " +
			"without any WWW-Authenticate challenge is reported as a protocol error, not a pass.",
		Connections: "shared with the mfa.http.crawl probe",
		Remediation: "Put the application behind a login that enforces MFA (an identity provider with SSO, or a reverse proxy " +
			"with MFA such as an authenticating gateway), or restrict it to the VPN; never serve Basic authentication over plain HTTP.",
		References: []string{"https://www.rfc-editor.org/rfc/rfc9110#section-11", "https://pages.nist.gov/800-63-3/sp800-63b.html"},
	}, crawlProbe, func(ctx context.Context, env *checks.Env, c *checks.Check, facts *crawlFacts) ([]checks.Finding, error) {
		type seen struct {
			URL        string             `json:"url"`
			Challenges []checks.Challenge `json:"challenges"`
		}
		var (
			pages   []seen
			labels  []string
			schemes []string
			bare    error
		)
		for _, p := range facts.Pages {
			if p.NoChallenge && bare == nil {
				bare = checks.Mismatch(fmt.Sprintf("%s answered 401 without a WWW-Authenticate challenge", p.URL), nil)
			}
			if len(p.Challenges) == 0 {
				continue
			}
			pages = append(pages, seen{URL: p.URL, Challenges: p.Challenges})
			for _, ch := range p.Challenges {
				l := ch.Scheme
				if ch.Realm != "" {
					l += fmt.Sprintf(" realm %q", ch.Realm)
				}
				if !slices.Contains(labels, l) {
					labels = append(labels, l)
				}
				if !slices.Contains(schemes, ch.Scheme) {
					schemes = append(schemes, ch.Scheme)
				}
			}
		}
		if len(pages) == 0 {
			return orIncomplete(nil, facts.incomplete, bare)
		}
		f := c.NewFinding(env, "")
		f.Title = "HTTP " + strings.Join(labels, ", ") + " asks for a password alone"
		if env.Service.TLS {
			f.Severity = checks.Medium
			f.HIPAA = slices.Clone(citations)
			f.Detail = detail(checks.Confirmed, "%s answers with the challenge %s: the browser's password prompt, which has no second "+
				"factor. TLS protects the password in transit, but a guessed or reused password is enough.", pages[0].URL, strings.Join(labels, ", "))
		} else {
			f.Severity = checks.High
			f.Detail = detail(checks.Confirmed, "%s answers with the challenge %s over plain HTTP: the password alone opens it, and it "+
				"crosses the network readable by anyone on the path (Basic sends it base64-encoded, not encrypted).", pages[0].URL, strings.Join(labels, ", "))
		}
		f.Evidence = map[string]any{"pages": pages, "schemes": schemes, "tls": env.Service.TLS}
		return []checks.Finding{f}, nil
	})
	return c
}

func (h *httpChecks) passwordForm() *checks.Check {
	c := checks.Define(checks.Check{
		ID:       "mfa.http.password_form",
		Title:    "Web login form with no sign of a second factor",
		Severity: checks.Medium,
		HIPAA:    citations,
		Applies:  services(checks.SvcHTTP),
		Description: "Parses the crawled pages and reports password fields whose page shows no sign of a second factor (a one-time-code " +
			"input, an OTP or verification field, a mention of an authenticator, security key or two-step login). The second factor may " +
			"come after the password, which only a login would show: the finding is potential, \"verify MFA is enforced\". A page " +
			"recognised as a remote-access or EHR portal is reported by mfa.http.remote_access_portal instead. No form is ever submitted.",
		Connections: "shared with the mfa.http.crawl probe",
		Remediation: "Verify that this login enforces MFA for every account (TOTP, push, FIDO2/WebAuthn), or put it behind an identity " +
			"provider or VPN that does; block it from the internet if only staff use it.",
		References: []string{"https://pages.nist.gov/800-63-3/sp800-63b.html"},
	}, h.products, func(ctx context.Context, env *checks.Env, c *checks.Check, prods *productsFacts) ([]checks.Finding, error) {
		facts, err := crawlProbe.Get(ctx, env)
		if err != nil {
			return nil, err
		}
		if len(prods.Products) > 0 {
			return nil, nil // the portal finding names the product and carries the login
		}
		type login struct {
			URL   string        `json:"url"`
			Title string        `json:"title,omitempty"`
			Forms []checks.Form `json:"forms"`
		}
		var (
			logins []login
			signs  []string
		)
		for _, p := range facts.Pages {
			if len(p.PasswordForms) == 0 {
				continue
			}
			if p.SecondFactor != "" {
				signs = append(signs, p.URL+": "+p.SecondFactor)
				continue
			}
			logins = append(logins, login{URL: p.URL, Title: p.Title, Forms: p.PasswordForms})
		}
		if len(logins) == 0 {
			return orIncomplete(nil, facts.incomplete, prods.incomplete)
		}
		f := c.NewFinding(env, "")
		f.Confidence = checks.Potential
		f.Title = "Password login with no sign of a second factor: verify MFA is enforced"
		var urls []string
		for _, l := range logins {
			urls = append(urls, l.URL)
		}
		f.Detail = detail(checks.Potential, "%s asks for a password and shows no sign of a second factor (no one-time-code field, no "+
			"mention of an authenticator or security key). The second factor may come after the password, which only a login would "+
			"show: verify MFA is enforced.", strings.Join(urls, ", "))
		ev := map[string]any{"logins": logins}
		if len(signs) > 0 {
			ev["pages_with_second_factor"] = signs
		}
		f.Evidence = ev
		return []checks.Finding{f}, nil
	})
	return c
}

func (h *httpChecks) portal() *checks.Check {
	var names []string
	for _, fp := range fingerprints {
		names = append(names, fp.Product)
	}
	c := checks.Define(checks.Check{
		ID:       "mfa.http.remote_access_portal",
		Title:    "Remote-access, webmail or EHR portal on the network",
		Severity: checks.High,
		HIPAA:    citations,
		Applies:  services(checks.SvcHTTP),
		Description: "Recognises remote-access, webmail and patient or EHR portals on the crawled pages by the family's fingerprints (" +
			strings.Join(names, ", ") + ") and, when one is configured, by the web family's nuclei templates, and names the product. " +
			"These portals open the network or the records to whoever holds a password and are the first thing attackers try; " +
			"whether MFA is enforced cannot be seen without logging in, so the finding is potential.",
		Connections: "shared with the mfa.http.crawl probe (and the recognizer's, when configured)",
		Remediation: "Enforce MFA on the portal for every account (the product's own MFA, or SAML/OIDC to an identity provider that " +
			"requires it), restrict it to the VPN or known addresses where possible, and keep it patched: these products are exploited " +
			"within days of each advisory.",
		References: []string{"https://www.cisa.gov/known-exploited-vulnerabilities-catalog", "https://pages.nist.gov/800-63-3/sp800-63b.html"},
	}, h.products, func(ctx context.Context, env *checks.Env, c *checks.Check, prods *productsFacts) ([]checks.Finding, error) {
		facts, err := crawlProbe.Get(ctx, env)
		if err != nil {
			return nil, err
		}
		var out []checks.Finding
		for _, t := range prods.Products {
			f := c.NewFinding(env, strings.ToLower(t.Product))
			f.Confidence = checks.Potential
			name := t.Product
			if t.Vendor != "" && !strings.Contains(strings.ToLower(name), strings.ToLower(t.Vendor)) {
				name += " (" + t.Vendor + ")"
			}
			f.Title = fmt.Sprintf("%s portal reachable: verify MFA is enforced", name)
			f.Detail = detail(checks.Potential, "the endpoint runs %s (recognised by %s: %s). Portals like this open the network or "+
				"the records to whoever holds a password; whether it requires a second factor cannot be seen without logging in: "+
				"verify MFA is enforced.", name, t.Source, t.Evidence)
			ev := map[string]any{"product": t.Product, "source": t.Source}
			if t.Vendor != "" {
				ev["vendor"] = t.Vendor
			}
			if t.Category != "" {
				ev["category"] = t.Category
			}
			if t.Version != "" {
				ev["version"] = t.Version
			}
			if t.Evidence != "" {
				ev["matched"] = t.Evidence
			}
			var logins []string
			for _, p := range facts.Pages {
				if len(p.PasswordForms) > 0 || len(p.Challenges) > 0 {
					logins = append(logins, p.URL)
				}
			}
			if len(logins) > 0 {
				ev["login_pages"] = logins
			}
			f.Evidence = ev
			out = append(out, f)
		}
		return orIncomplete(out, facts.incomplete, prods.incomplete)
	})
	return c
}
