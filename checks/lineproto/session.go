// Package lineproto is the client side of the plaintext line protocols a scan meets before any
// TLS (SMTP, IMAP, POP3, FTP): the greeting, single- and multi-line replies, capability
// listings and the STARTTLS upgrade. A Session is bounded in everything a hostile server
// controls (line length, lines per reply, bytes per session, time per reply), and every error it
// returns is a *checks.ProbeError carrying the attempt reason the runner records.
package lineproto

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/telesra/telesra/checks"
)

// Bounds on what a server may send. Real greetings, EHLO/CAPA/FEAT listings and goodbyes are a
// few dozen lines of under a hundred bytes; anything past these is a server that does not stop.
const (
	MaxLine       = 4096     // bytes in one line, CR LF excluded
	MaxReplyLines = 200      // lines in one reply (a multi-line SMTP/FTP reply, IMAP untagged lines, a POP3 listing)
	MaxSession    = 64 << 10 // bytes the server may send in one session
)

// Session is one conversation with a line-protocol server. Each command and each reply gets a
// fresh deadline from the scan's I/O timeout, so a slow but honest server is judged per answer,
// while a drip-feeding one cannot stretch one reply past one timeout; the probe's context bounds
// the whole.
type Session struct {
	ctx      context.Context
	conn     net.Conn
	deadline func(context.Context) time.Time
	r        *bufio.Reader
	tag      int
}

// New starts a session on an open connection. deadline is the scan's per-step deadline
// (checks.Env.Deadline). The connection stays the caller's to close; when ctx ends the scan's
// Dialer closes it, and the session reports the context's end rather than the closed socket.
func New(ctx context.Context, c net.Conn, deadline func(context.Context) time.Time) *Session {
	return &Session{
		ctx:      ctx,
		conn:     c,
		deadline: deadline,
		// The buffer is one maximal line: bufio.Reader.ReadSlice reports ErrBufferFull instead
		// of reading a giant line whole.
		r: bufio.NewReaderSize(&budgetReader{r: c, n: MaxSession}, MaxLine+2),
	}
}

// Conn is the session's connection.
func (s *Session) Conn() net.Conn { return s.conn }

// Close closes the connection.
func (s *Session) Close() error { return s.conn.Close() }

// errTooMuch is what a server that talks without end gets.
var errTooMuch = tooLarge("server sent more than %d KiB", MaxSession>>10)

func tooLarge(format string, args ...any) error {
	return &checks.ProbeError{Reason: checks.ReasonTooLarge, Err: fmt.Errorf(format, args...)}
}

// budgetReader hands out at most n bytes, then errTooMuch. io.LimitReader would say io.EOF,
// which reads as the server hanging up (reset): here the server did not stop, we did.
type budgetReader struct {
	r io.Reader
	n int64
}

func (b *budgetReader) Read(p []byte) (int, error) {
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

// arm gives the next step (one command, one reply) its deadline.
func (s *Session) arm() { _ = s.conn.SetDeadline(s.deadline(s.ctx)) }

// fail classifies an I/O error once, for every caller: the context's end when that is what
// closed the connection, else checks.Classify's reading of the error (timeout, reset,
// response-too-large ...).
func (s *Session) fail(what string, err error) error {
	if s.ctx.Err() != nil {
		err = s.ctx.Err()
	}
	if what != "" {
		err = fmt.Errorf("%s: %w", what, err)
	}
	return &checks.ProbeError{Reason: checks.Classify(err), Err: err}
}

// Send writes one command line.
func (s *Session) Send(format string, args ...any) error {
	line := fmt.Sprintf(format, args...)
	if strings.ContainsAny(line, "\r\n") {
		return &checks.ProbeError{Reason: checks.ReasonInternal, Err: fmt.Errorf("command %q spans lines", line)}
	}
	s.arm()
	if _, err := io.WriteString(s.conn, line+"\r\n"); err != nil {
		return s.fail("write "+firstWord(line), err)
	}
	return nil
}

// Line reads one line (CR LF removed) under a fresh deadline.
func (s *Session) Line() (string, error) {
	s.arm()
	return s.line()
}

// line reads one line under the current deadline. It is written on bufio.Reader.ReadSlice
// rather than net/textproto because textproto reads a line of any length whole and has no bound
// on a reply's lines; the replies' grammar on top of it is a few lines per dialect.
func (s *Session) line() (string, error) {
	b, err := s.r.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return "", tooLarge("line longer than %d bytes", MaxLine)
	case errors.Is(err, io.EOF):
		return "", s.fail("", errClosed)
	case err != nil:
		return "", s.fail("", err) // the net error names the read already
	}
	b = b[:len(b)-1]
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return string(b), nil
}

// errClosed is the server hanging up, at a line's start or in its middle.
var errClosed = &checks.ProbeError{Reason: checks.ReasonReset, Err: errors.New("server closed the connection")}

// Quit says goodbye politely (QUIT, or LOGOUT for IMAP) and ignores the answer: the facts are
// already in hand.
func (s *Session) Quit(d Dialect) {
	cmd := "QUIT"
	if d == IMAP {
		cmd = s.nextTag() + " LOGOUT"
	}
	if s.Send("%s", cmd) == nil {
		_, _ = s.Line()
	}
}

// buffered reports whether the server sent bytes the session has read but no one consumed.
func (s *Session) buffered() bool { return s.r.Buffered() > 0 }

func firstWord(s string) string {
	w, _, _ := strings.Cut(s, " ")
	return w
}
