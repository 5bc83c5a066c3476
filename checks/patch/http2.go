package patch

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"strings"

	"github.com/telesra/telesra/checks"
)

// http2Offer reports how the endpoint offers HTTP/2: "h2" when a TLS endpoint selects h2 in ALPN,
// "h2c" when a cleartext endpoint accepts an upgrade to it, "" when it does not. It costs one
// connection, bounded by the endpoint's I/O timeout, and reads at most one status line.
func http2Offer(ctx context.Context, env *checks.Env) (string, error) {
	conn, err := env.Dialer.DialContext(ctx, "tcp", env.Endpoint.HostPort())
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if env.IOTimeout > 0 {
		_ = conn.SetDeadline(env.Deadline(ctx))
	}
	if env.Service.TLS {
		cfg := checks.ClientTLSConfig(env.Endpoint.SNI())
		cfg.NextProtos = []string{"h2", "http/1.1"}
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return "", fmt.Errorf("ALPN handshake: %w", err)
		}
		if tc.ConnectionState().NegotiatedProtocol == "h2" {
			return "h2", nil
		}
		return "", nil
	}
	// RFC 7540 section 3.2: an HTTP/1.1 request asking to upgrade; a server that speaks h2c
	// answers 101 Switching Protocols. An empty SETTINGS payload is valid.
	req := "OPTIONS * HTTP/1.1\r\nHost: " + env.Endpoint.HostPort() + "\r\nUser-Agent: " + checks.UserAgent +
		"\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: \r\n\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		return "", err
	}
	// ReadSlice fails on a line longer than the buffer: a hostile server cannot make it grow.
	line, err := bufio.NewReaderSize(conn, 512).ReadSlice('\n')
	if err != nil {
		return "", fmt.Errorf("h2c upgrade: %w", err)
	}
	if f := strings.Fields(string(line)); len(f) >= 2 && f[1] == "101" {
		return "h2c", nil
	}
	return "", nil
}
