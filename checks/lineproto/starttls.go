package lineproto

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/telesra/telesra/checks"
)

// Dialect is a plaintext protocol whose servers upgrade a connection to TLS on request
// (RFC 3207, RFC 2595, RFC 4217).
type Dialect string

const (
	SMTP Dialect = "smtp"
	IMAP Dialect = "imap"
	POP3 Dialect = "pop3"
	FTP  Dialect = "ftp"
)

func (d Dialect) name() string { return strings.ToUpper(string(d)) }

func (d Dialect) article() string {
	if d == POP3 {
		return "a POP3"
	}
	return "an " + d.name()
}

// ErrNoSTARTTLS is the service answering, in its protocol, that it will not upgrade to TLS:
// EHLO without STARTTLS, or a negative reply to STARTTLS, STLS or AUTH TLS. It is classified
// tls-failure: the server spoke its protocol correctly, and no TLS is to be had.
var ErrNoSTARTTLS = errors.New("the service does not offer STARTTLS")

func noSTARTTLS(format string, args ...any) error {
	return &checks.ProbeError{Reason: checks.ReasonTLSFailure, Err: fmt.Errorf("%w: "+format, append([]any{ErrNoSTARTTLS}, args...)...)}
}

// refused is a server that answered in its protocol and declined the session (SMTP 554, FTP
// 421, IMAP * BYE, POP3 -ERR): not a mismatch, the protocol is the one expected.
func refused(d Dialect, greeting string) error {
	return &checks.ProbeError{Reason: checks.ReasonRefused, Err: fmt.Errorf("%s server refused the session: %s", d.name(), checks.Clean(greeting, 200))}
}

// Greeting reads the server's greeting. It returns the greeting (for IMAP and POP3, a Reply
// with one line and no code) also when the server refuses the session, so that the caller can
// record what it said.
func (s *Session) Greeting(d Dialect) (Reply, error) {
	switch d {
	case SMTP, FTP:
		rep, err := s.Reply()
		if err != nil {
			return rep, wrap("read "+d.name()+" greeting", err)
		}
		switch {
		case rep.Code == 220:
			return rep, nil
		case rep.Code >= 400:
			return rep, refused(d, rep.String())
		}
		return rep, checks.Mismatch("not "+d.article()+" greeting: "+checks.Clean(rep.String(), 100), nil)
	case IMAP, POP3:
		l, err := s.Line()
		if err != nil {
			return Reply{}, wrap("read "+d.name()+" greeting", err)
		}
		rep := Reply{Lines: []string{l}}
		u := strings.ToUpper(l)
		switch {
		case d == IMAP && (strings.HasPrefix(u, "* OK") || strings.HasPrefix(u, "* PREAUTH")),
			d == POP3 && strings.HasPrefix(l, "+OK"):
			return rep, nil
		case d == IMAP && strings.HasPrefix(u, "* BYE"), d == POP3 && strings.HasPrefix(l, "-ERR"):
			return rep, refused(d, l)
		}
		return rep, checks.Mismatch("not "+d.article()+" greeting: "+checks.Clean(l, 100), nil)
	}
	return Reply{}, unknown(d)
}

func unknown(d Dialect) error {
	return &checks.ProbeError{Reason: checks.ReasonInternal, Err: fmt.Errorf("unknown line protocol %q", d)}
}

// wrap prefixes an error's message and keeps its reason.
func wrap(what string, err error) error {
	return &checks.ProbeError{Reason: checks.Classify(err), Err: fmt.Errorf("%s: %w", what, err)}
}

// Hello sends EHLO with the address literal of our side of the connection (RFC 5321 4.1.3: we
// have no domain to claim) and reads the reply. The code is the caller's to judge: a server that
// only speaks HELO answers 5xx.
func (s *Session) Hello() (Reply, error) {
	return s.Cmd("EHLO %s", addressLiteral(s.conn.LocalAddr()))
}

func addressLiteral(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok {
		if ta.IP.To4() == nil {
			return "[IPv6:" + ta.IP.String() + "]"
		}
		return "[" + ta.IP.String() + "]"
	}
	return "[127.0.0.1]"
}

// StartTLS asks the server to switch to TLS with the fewest round trips its dialect allows:
// greeting, then EHLO and STARTTLS (SMTP), STARTTLS (IMAP), STLS (POP3) or AUTH TLS (FTP). It
// reads each reply whole and nothing after it, so on success the connection's next byte is the
// server's TLS handshake. A server that declines returns ErrNoSTARTTLS (tls-failure); a server
// that fails any other way keeps its class (a timeout is not evidence that STARTTLS is missing).
func (s *Session) StartTLS(d Dialect) error {
	if _, err := s.Greeting(d); err != nil {
		return err
	}
	switch d {
	case SMTP:
		ehlo, err := s.Hello()
		if err != nil {
			return wrap("EHLO", err)
		}
		if ehlo.Code != 250 || !ehlo.Offers("STARTTLS") {
			return noSTARTTLS("EHLO answered %s", checks.Clean(firstLine(ehlo.String()), 100))
		}
		rep, err := s.Cmd("STARTTLS")
		if err != nil {
			return wrap("STARTTLS", err)
		}
		if rep.Code != 220 {
			return noSTARTTLS("STARTTLS answered %s", checks.Clean(firstLine(rep.String()), 100))
		}
	case FTP:
		rep, err := s.Cmd("AUTH TLS")
		if err != nil {
			return wrap("AUTH TLS", err)
		}
		if rep.Code != 234 {
			return noSTARTTLS("AUTH TLS answered %s", checks.Clean(firstLine(rep.String()), 100))
		}
	case IMAP:
		_, status, err := s.Tagged("STARTTLS")
		if err != nil {
			return wrap("STARTTLS", err)
		}
		if !StatusOK(status) {
			return noSTARTTLS("STARTTLS answered %s", checks.Clean(status, 100))
		}
	case POP3:
		if err := s.Send("STLS"); err != nil {
			return err
		}
		l, err := s.Line()
		if err != nil {
			return wrap("STLS", err)
		}
		switch {
		case strings.HasPrefix(l, "-ERR"):
			return noSTARTTLS("STLS answered %s", checks.Clean(l, 100))
		case !strings.HasPrefix(l, "+OK"):
			return checks.Mismatch("not a POP3 answer to STLS: "+checks.Clean(l, 100), nil)
		}
	}
	// Anything the server sent after its go-ahead would be read as if TLS had protected it
	// (the STARTTLS command-injection class, CVE-2011-0411): refuse to go on.
	if s.buffered() {
		return checks.Mismatch("server sent data before the TLS handshake", nil)
	}
	return nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
