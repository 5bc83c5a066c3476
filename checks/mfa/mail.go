package mfa

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/lineproto"
)

// plaintextMechanisms are the SASL mechanisms that send the password itself.
var plaintextMechanisms = []string{"PLAIN", "LOGIN"}

// smtpFacts is what the server offered before TLS.
type smtpFacts struct {
	Greeting string   `json:"greeting"`
	Auth     []string `json:"auth_mechanisms,omitempty"`
	StartTLS bool     `json:"starttls"`
	ESMTP    bool     `json:"esmtp"`
}

var smtpProbe = &checks.Probe[smtpFacts]{ID: "mfa.mail.smtp", Run: readSMTP,
	Connections: "1",
	Description: "Reads the SMTP greeting, sends EHLO and QUIT; records AUTH mechanisms and STARTTLS as offered before TLS."}

// readSMTP reads the SMTP greeting and EHLO reply (the probe's Description says exactly what it sends).
func readSMTP(ctx context.Context, env *checks.Env) (smtpFacts, error) {
	var facts smtpFacts
	s, err := dialSession(ctx, env)
	if err != nil {
		return facts, err
	}
	defer s.Close()
	greet, err := s.Greeting(lineproto.SMTP)
	if err != nil {
		return facts, err
	}
	facts.Greeting = checks.FirstLine(greet.String(), 200)
	ehlo, err := s.Hello()
	if err != nil {
		return facts, fmt.Errorf("EHLO: %w", err)
	}
	if ehlo.Code == 250 {
		facts.ESMTP = true
		for _, l := range ehlo.Lines[1:] { // the first line greets; keywords follow
			w := words(strings.ReplaceAll(l, "=", " "))
			if len(w) == 0 {
				continue
			}
			switch w[0] {
			case "STARTTLS":
				facts.StartTLS = true
			case "AUTH":
				for _, m := range w[1:] {
					if m = checks.Clean(m, 40); !slices.Contains(facts.Auth, m) {
						facts.Auth = append(facts.Auth, m)
					}
				}
			}
		}
	}
	s.Quit(lineproto.SMTP)
	return facts, nil
}

// imapFacts is what the server offered before TLS.
type imapFacts struct {
	Greeting      string   `json:"greeting"`
	Capabilities  []string `json:"capabilities"`
	LoginDisabled bool     `json:"logindisabled"`
	StartTLS      bool     `json:"starttls"`
	Auth          []string `json:"auth_mechanisms,omitempty"`
}

var imapProbe = &checks.Probe[imapFacts]{ID: "mfa.mail.imap", Run: readIMAP,
	Connections: "1",
	Description: "Reads the IMAP greeting, sends CAPABILITY and LOGOUT; records LOGINDISABLED, STARTTLS and AUTH= mechanisms."}

// readIMAP reads the IMAP greeting and CAPABILITY reply.
func readIMAP(ctx context.Context, env *checks.Env) (imapFacts, error) {
	var facts imapFacts
	s, err := dialSession(ctx, env)
	if err != nil {
		return facts, err
	}
	defer s.Close()
	greet, err := s.Greeting(lineproto.IMAP)
	if err != nil {
		return facts, err
	}
	facts.Greeting = checks.FirstLine(greet.Text(), 200)
	untagged, status, err := s.Tagged("CAPABILITY")
	if err != nil {
		return facts, fmt.Errorf("IMAP CAPABILITY: %w", err)
	}
	if !lineproto.StatusOK(status) {
		return facts, checks.Mismatch("IMAP CAPABILITY failed: "+checks.FirstLine(status, 200), nil)
	}
	var caps []string
	for _, l := range untagged {
		if strings.HasPrefix(strings.ToUpper(l), "* CAPABILITY ") {
			caps = append(caps, words(l)[2:]...)
		}
	}
	for _, c := range caps {
		c = checks.Clean(c, 60)
		if slices.Contains(facts.Capabilities, c) {
			continue
		}
		facts.Capabilities = append(facts.Capabilities, c)
		switch {
		case c == "LOGINDISABLED":
			facts.LoginDisabled = true
		case c == "STARTTLS":
			facts.StartTLS = true
		case strings.HasPrefix(c, "AUTH="):
			facts.Auth = append(facts.Auth, strings.TrimPrefix(c, "AUTH="))
		}
	}
	s.Quit(lineproto.IMAP)
	return facts, nil
}

// pop3Facts is what the server offered before TLS.
type pop3Facts struct {
	Greeting     string   `json:"greeting"`
	CAPA         bool     `json:"capa"` // the server answered CAPA (RFC 2449)
	Capabilities []string `json:"capabilities,omitempty"`
	User         bool     `json:"user"`
	STLS         bool     `json:"stls"`
	SASL         []string `json:"sasl,omitempty"`
}

var pop3Probe = &checks.Probe[pop3Facts]{ID: "mfa.mail.pop3", Run: readPOP3,
	Connections: "1",
	Description: "Reads the POP3 greeting, sends CAPA and QUIT; records USER, STLS and SASL."}

// readPOP3 reads the POP3 greeting and CAPA reply.
func readPOP3(ctx context.Context, env *checks.Env) (pop3Facts, error) {
	var facts pop3Facts
	s, err := dialSession(ctx, env)
	if err != nil {
		return facts, err
	}
	defer s.Close()
	greet, err := s.Greeting(lineproto.POP3)
	if err != nil {
		return facts, err
	}
	facts.Greeting = checks.FirstLine(greet.Text(), 200)
	if err := s.Send("CAPA"); err != nil {
		return facts, err
	}
	first, err := s.Line()
	if err != nil {
		return facts, fmt.Errorf("read CAPA reply: %w", err)
	}
	if strings.HasPrefix(first, "+OK") {
		facts.CAPA = true
		lines, err := s.DotLines()
		if err != nil {
			return facts, fmt.Errorf("read CAPA reply: %w", err)
		}
		for _, l := range lines {
			w := words(l)
			if len(w) == 0 {
				continue
			}
			facts.Capabilities = append(facts.Capabilities, checks.Clean(strings.Join(w, " "), 80))
			switch w[0] {
			case "USER":
				facts.User = true
			case "STLS":
				facts.STLS = true
			case "SASL":
				for _, m := range w[1:] {
					facts.SASL = append(facts.SASL, checks.Clean(m, 40))
				}
			}
		}
	} else if !strings.HasPrefix(first, "-ERR") {
		return facts, checks.Mismatch("unexpected CAPA reply: "+checks.FirstLine(first, 200), nil)
	}
	s.Quit(lineproto.POP3)
	return facts, nil
}

// mailServices: the mail checks judge only what a server offers before any TLS; an implicit-TLS
// port (465, 993, 995) protects the password in transit and is left to the tls family.
func cleartextMail(name string) func(checks.Service) bool {
	return func(s checks.Service) bool { return s.Name == name && !s.TLS }
}

func plaintextOf(mechs []string) []string {
	var out []string
	for _, m := range mechs {
		if slices.Contains(plaintextMechanisms, strings.ToUpper(m)) {
			out = append(out, m)
		}
	}
	return out
}

func mailChecks() []*checks.Check {
	smtp := checks.Define(checks.Check{
		ID:       "mfa.mail.smtp_auth_cleartext",
		Title:    "SMTP offers password authentication before TLS",
		Severity: checks.High,
		HIPAA:    cleartextCitations,
		Applies:  cleartextMail(checks.SvcSMTP),
		Description: "Sends EHLO on the plaintext connection and reports AUTH advertised before STARTTLS (or on a port without " +
			"STARTTLS): mail clients then send the password (PLAIN, LOGIN: the password itself; challenge-response mechanisms: a " +
			"crackable hash) in the clear, and a password alone opens the mailbox. AUTH offered only after STARTTLS passes.",
		Connections: "shared with the mfa.mail.smtp probe (1)",
		Remediation: "Advertise AUTH only after STARTTLS (Postfix `smtpd_tls_auth_only = yes`, Exchange: require TLS on the " +
			"client connector), prefer implicit TLS on 465 for submission, and require MFA or app-specific tokens for mail accounts " +
			"(disable basic authentication where the mail service supports modern authentication).",
		References: []string{"https://www.rfc-editor.org/rfc/rfc4954#section-4", "https://www.rfc-editor.org/rfc/rfc8314"},
	}, smtpProbe, func(ctx context.Context, env *checks.Env, c *checks.Check, facts smtpFacts) ([]checks.Finding, error) {
		if len(facts.Auth) == 0 {
			return nil, nil
		}
		f := c.NewFinding(env, "")
		where := "on a connection without STARTTLS"
		if facts.StartTLS {
			where = "before STARTTLS"
		}
		f.Title = fmt.Sprintf("SMTP offers AUTH %s %s", strings.Join(facts.Auth, " "), where)
		if plain := plaintextOf(facts.Auth); len(plain) > 0 {
			f.Detail = detail(checks.Confirmed, "the SMTP server (%s) advertises AUTH %s %s: a client that logs in sends the password "+
				"itself in the clear, and the password alone opens the account.", facts.Greeting, strings.Join(facts.Auth, " "), where)
		} else {
			f.Severity = checks.Medium
			f.Detail = detail(checks.Confirmed, "the SMTP server (%s) advertises AUTH %s %s: the challenge-response crosses the network "+
				"in the clear where it can be captured and cracked offline, and the password alone opens the account.",
				facts.Greeting, strings.Join(facts.Auth, " "), where)
		}
		f.Evidence = map[string]any{"greeting": facts.Greeting, "auth_mechanisms": facts.Auth, "starttls": facts.StartTLS}
		return []checks.Finding{f}, nil
	})

	imap := checks.Define(checks.Check{
		ID:       "mfa.mail.imap_login_cleartext",
		Title:    "IMAP allows LOGIN before TLS",
		Severity: checks.High,
		HIPAA:    cleartextCitations,
		Applies:  cleartextMail(checks.SvcIMAP),
		Description: "Sends CAPABILITY on the plaintext connection and reports a server that does not announce LOGINDISABLED " +
			"(RFC 3501 6.2.3, RFC 9051) or that offers AUTH=PLAIN/LOGIN before STARTTLS: the password crosses in the clear and opens the mailbox alone.",
		Connections: "shared with the mfa.mail.imap probe (1)",
		Remediation: "Disable plaintext logins before TLS (Dovecot `disable_plaintext_auth = yes` / `auth_allow_cleartext = no`; " +
			"Exchange: `Set-ImapSettings -LoginType SecureLogin`), prefer implicit TLS on 993, and require MFA or app-specific tokens for mail.",
		References: []string{"https://www.rfc-editor.org/rfc/rfc9051#section-6.2.3", "https://www.rfc-editor.org/rfc/rfc8314"},
	}, imapProbe, func(ctx context.Context, env *checks.Env, c *checks.Check, facts imapFacts) ([]checks.Finding, error) {
		plain := plaintextOf(facts.Auth)
		if facts.LoginDisabled && len(plain) == 0 {
			return nil, nil
		}
		f := c.NewFinding(env, "")
		var how []string
		if !facts.LoginDisabled {
			how = append(how, "LOGIN (no LOGINDISABLED)")
		}
		for _, m := range plain {
			how = append(how, "AUTH="+m)
		}
		f.Title = fmt.Sprintf("IMAP accepts %s before TLS", strings.Join(how, ", "))
		f.Detail = detail(checks.Confirmed, "the IMAP server (%s) announces %s on the plaintext connection: a client sends the "+
			"password in the clear, and the password alone opens the mailbox.", facts.Greeting, strings.Join(how, " and "))
		f.Evidence = map[string]any{"greeting": facts.Greeting, "capabilities": facts.Capabilities, "starttls": facts.StartTLS}
		return []checks.Finding{f}, nil
	})

	pop := checks.Define(checks.Check{
		ID:       "mfa.mail.pop3_user_cleartext",
		Title:    "POP3 allows USER/PASS before TLS",
		Severity: checks.High,
		HIPAA:    cleartextCitations,
		Applies:  cleartextMail(checks.SvcPOP3),
		Description: "Sends CAPA on the plaintext connection and reports USER (RFC 2449) or SASL PLAIN/LOGIN offered before STLS: " +
			"the password crosses in the clear. A server without CAPA (RFC 1939 only) almost always takes USER/PASS: reported as potential.",
		Connections: "shared with the mfa.mail.pop3 probe (1)",
		Remediation: "Disable USER/PASS before STLS (Dovecot `disable_plaintext_auth = yes`), prefer implicit TLS on 995 or retire " +
			"POP3, and require MFA or app-specific tokens for mail.",
		References: []string{"https://www.rfc-editor.org/rfc/rfc2449#section-6.5", "https://www.rfc-editor.org/rfc/rfc2595#section-4"},
	}, pop3Probe, func(ctx context.Context, env *checks.Env, c *checks.Check, facts pop3Facts) ([]checks.Finding, error) {
		plain := plaintextOf(facts.SASL)
		f := c.NewFinding(env, "")
		f.Evidence = map[string]any{"greeting": facts.Greeting, "capa": facts.CAPA, "capabilities": facts.Capabilities, "stls": facts.STLS}
		switch {
		case facts.User || len(plain) > 0:
			var how []string
			if facts.User {
				how = append(how, "USER")
			}
			for _, m := range plain {
				how = append(how, "SASL "+m)
			}
			f.Title = fmt.Sprintf("POP3 offers %s before TLS", strings.Join(how, ", "))
			f.Detail = detail(checks.Confirmed, "the POP3 server (%s) lists %s in CAPA on the plaintext connection: a client sends the "+
				"password in the clear, and the password alone opens the mailbox.", facts.Greeting, strings.Join(how, " and "))
		case !facts.CAPA:
			f.Confidence = checks.Potential
			f.Title = "POP3 server without CAPA, USER/PASS probably accepted before TLS"
			f.Detail = detail(checks.Potential, "the POP3 server (%s) does not answer CAPA (RFC 2449), so it cannot say that it refuses "+
				"USER/PASS in the clear; servers of that age almost always accept it.", facts.Greeting)
		default:
			return nil, nil
		}
		return []checks.Finding{f}, nil
	})
	return []*checks.Check{smtp, imap, pop}
}
