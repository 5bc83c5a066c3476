package mfa

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"

	"github.com/telesra/telesra/checks"
)

// maxConversation bounds what a line protocol's server may send us in one probe: a greeting, a
// capability list and a goodbye fit easily; an endless banner does not.
const maxConversation = 64 << 10

// maxLine bounds one line of a line protocol.
const maxLine = 4096

// errTooMuch is what a hostile server that talks without end gets.
var errTooMuch = &checks.ProbeError{Reason: checks.ReasonTooLarge, Err: fmt.Errorf("server sent more than %d KiB", maxConversation>>10)}

// boundedReader hands out at most n bytes, then errTooMuch (not io.EOF: the server did not stop,
// we did).
type boundedReader struct {
	r io.Reader
	n int64
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, errTooMuch
	}
	if int64(len(p)) > b.n {
		p = p[:b.n]
	}
	n, err := b.r.Read(p)
	b.n -= int64(n)
	return n, err
}

// session is one conversation with a line-protocol server (SMTP, IMAP, POP3, FTP): a bounded
// reader, a writer, and a fresh deadline for every step so that a slow but honest server gets
// IOTimeout per answer while the probe's context still bounds the whole.
type session struct {
	ctx  context.Context
	env  *checks.Env
	conn net.Conn
	r    *textproto.Reader
	w    *textproto.Writer
}

// dialSession connects to the endpoint through the scan's dialer, in TLS when the service
// speaks TLS from the first byte.
func dialSession(ctx context.Context, env *checks.Env) (*session, error) {
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
	br := bufio.NewReaderSize(&boundedReader{r: c, n: maxConversation}, maxLine)
	return &session{
		ctx:  ctx,
		env:  env,
		conn: c,
		r:    textproto.NewReader(br),
		w:    textproto.NewWriter(bufio.NewWriter(c)),
	}, nil
}

func (s *session) Close() error { return s.conn.Close() }

func (s *session) step() { _ = s.conn.SetDeadline(s.env.Deadline(s.ctx)) }

// line reads one line, refusing lines longer than maxLine (textproto itself has no limit).
func (s *session) line() (string, error) {
	s.step()
	l, err := s.r.ReadLine()
	if err != nil {
		return "", s.fail(err)
	}
	if len(l) > maxLine {
		return "", &checks.ProbeError{Reason: checks.ReasonTooLarge, Err: fmt.Errorf("line longer than %d bytes", maxLine)}
	}
	return l, nil
}

// send writes one command line.
func (s *session) send(format string, args ...any) error {
	s.step()
	if err := s.w.PrintfLine(format, args...); err != nil {
		return s.fail(err)
	}
	return nil
}

// response reads an SMTP/FTP-style reply (three digits, "-" continuations).
func (s *session) response() (int, string, error) {
	s.step()
	code, msg, err := s.r.ReadResponse(0)
	if err != nil {
		var perr textproto.ProtocolError
		if errors.As(err, &perr) {
			return 0, "", checks.Mismatch("malformed reply", err)
		}
		var terr *textproto.Error
		if !errors.As(err, &terr) {
			return 0, "", s.fail(err)
		}
	}
	return code, msg, nil
}

// fail names the context's end rather than the closed connection it caused.
func (s *session) fail(err error) error {
	if s.ctx.Err() != nil {
		return s.ctx.Err()
	}
	return err
}

// quit says goodbye politely, ignoring the answer: the facts are already in hand.
func (s *session) quit(cmd string) {
	_ = s.conn.SetDeadline(s.env.Deadline(s.ctx))
	_ = s.w.PrintfLine("%s", cmd)
	_, _ = s.r.ReadLine()
}

// words splits a capability line into upper-case words.
func words(s string) []string {
	return strings.Fields(strings.ToUpper(s))
}
