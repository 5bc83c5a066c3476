package tls

import (
	"context"
	"net"
	"sync/atomic"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/lineproto"
)

// starttlsFor decides how an endpoint speaks TLS: "" for TLS from the first byte, else the
// STARTTLS dialect. The target's scheme (smtp://host:25) wins over service detection, which wins
// over the port.
func starttlsFor(env *checks.Env) lineproto.Dialect {
	switch env.Endpoint.Scheme {
	case "smtp", "submission":
		return lineproto.SMTP
	case "imap":
		return lineproto.IMAP
	case "pop3":
		return lineproto.POP3
	case "ftp":
		return lineproto.FTP
	case "https", "tls", "smtps", "imaps", "pop3s", "ftps", "ldaps":
		return ""
	}
	if env.Service.TLS {
		return ""
	}
	switch env.Service.Name {
	case checks.SvcSMTP:
		return lineproto.SMTP
	case checks.SvcIMAP:
		return lineproto.IMAP
	case checks.SvcPOP3:
		return lineproto.POP3
	case checks.SvcFTP:
		return lineproto.FTP
	}
	return ""
}

// target opens the connections of one endpoint's TLS probes and counts them.
type target struct {
	env      *checks.Env
	starttls lineproto.Dialect
	sni      string
	conns    atomic.Int64
}

func newTarget(env *checks.Env) *target {
	return &target{env: env, starttls: starttlsFor(env), sni: env.Endpoint.SNI()}
}

// dial connects through the scan's dialer (scope, rate and per-host limits), performs the
// STARTTLS upgrade when the service needs it (lineproto.ErrNoSTARTTLS when it declines), and
// bounds the TLS exchange that follows by one I/O timeout.
func (t *target) dial(ctx context.Context) (net.Conn, error) {
	c, err := t.env.Dialer.DialContext(ctx, "tcp", t.env.Endpoint.HostPort())
	t.conns.Add(1)
	if err != nil {
		return nil, err
	}
	if t.starttls != "" {
		if err := lineproto.New(ctx, c, t.env.Deadline).StartTLS(t.starttls); err != nil {
			c.Close()
			return nil, err
		}
	}
	_ = c.SetDeadline(t.env.Deadline(ctx))
	return c, nil
}
