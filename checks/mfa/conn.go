package mfa

import (
	"context"
	"crypto/tls"
	"fmt"
	"strings"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/lineproto"
)

// dialSession connects to a line-protocol endpoint (SMTP, IMAP, POP3, FTP) through the scan's
// dialer, in TLS when the service speaks TLS from the first byte, and starts a bounded session
// on it.
func dialSession(ctx context.Context, env *checks.Env) (*lineproto.Session, error) {
	c, err := env.Dialer.DialContext(ctx, "tcp", env.Endpoint.HostPort())
	if err != nil {
		return nil, err
	}
	if env.Service.TLS {
		_ = c.SetDeadline(env.Deadline(ctx))
		cfg := checks.ClientTLSConfig(env.Endpoint.SNI())
		cfg.NextProtos = nil
		tc := tls.Client(c, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			c.Close()
			return nil, &checks.ProbeError{Reason: checks.ReasonTLSFailure, Err: fmt.Errorf("TLS handshake: %w", err)}
		}
		c = tc
	}
	return lineproto.New(ctx, c, env.Deadline), nil
}

// words splits a capability line into upper-case words.
func words(s string) []string {
	return strings.Fields(strings.ToUpper(s))
}
