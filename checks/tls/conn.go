package tls

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"

	"github.com/telesra/telesra/checks"
)

// STARTTLS dialects: the plaintext protocols whose servers upgrade a connection to TLS on
// request (RFC 3207, 2595, 4217).
const (
	startSMTP = "smtp"
	startIMAP = "imap"
	startPOP3 = "pop3"
	startFTP  = "ftp"
)

// errNoSTARTTLS: the plaintext service does not offer (or refuses) the upgrade to TLS.
var errNoSTARTTLS = errors.New("the service does not offer STARTTLS")

// starttlsFor decides how an endpoint speaks TLS: "" for TLS from the first byte, else the
// STARTTLS dialect. The target's scheme (smtp://host:25) wins over service detection, which wins
// over the port.
func starttlsFor(env *checks.Env) string {
	switch env.Endpoint.Scheme {
	case "smtp", "submission":
		return startSMTP
	case "imap":
		return startIMAP
	case "pop3":
		return startPOP3
	case "ftp":
		return startFTP
	case "https", "tls", "smtps", "imaps", "pop3s", "ftps", "ldaps":
		return ""
	}
	if env.Service.TLS {
		return ""
	}
	switch env.Service.Name {
	case checks.SvcSMTP:
		return startSMTP
	case checks.SvcIMAP:
		return startIMAP
	case checks.SvcPOP3:
		return startPOP3
	case checks.SvcFTP:
		return startFTP
	}
	return ""
}

// target opens the connections of one endpoint's TLS probes and counts them.
type target struct {
	env      *checks.Env
	starttls string
	sni      string
	conns    atomic.Int64
}

func newTarget(env *checks.Env) *target {
	return &target{env: env, starttls: starttlsFor(env), sni: env.Endpoint.SNI()}
}

// dial connects through the scan's dialer (scope, rate and per-host limits), bounds the whole
// exchange by one I/O timeout, and performs the STARTTLS upgrade when the service needs it.
func (t *target) dial(ctx context.Context) (net.Conn, error) {
	c, err := t.env.Dialer.DialContext(ctx, "tcp", t.env.Endpoint.HostPort())
	t.conns.Add(1)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(t.env.Deadline(ctx))
	if t.starttls != "" {
		if err := startTLS(c, t.starttls); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// maxLines bounds a plaintext greeting or reply: a hostile server cannot make us read forever.
const maxLines = 64

// startTLS asks a plaintext service to switch to TLS, reading each reply in full (multi-line
// replies included) and nothing after it, so the next byte on the connection is the server's TLS.
func startTLS(c net.Conn, dialect string) error {
	r := bufio.NewReaderSize(io.LimitReader(c, 64<<10), 4096)
	send := func(s string) error { _, err := io.WriteString(c, s+"\r\n"); return err }
	switch dialect {
	case startSMTP:
		if _, err := smtpReply(r, "220"); err != nil {
			return err
		}
		if err := send("EHLO telesra.invalid"); err != nil {
			return err
		}
		caps, err := smtpReply(r, "250")
		if err != nil {
			return err
		}
		if !strings.Contains(strings.ToUpper(caps), "STARTTLS") {
			return errNoSTARTTLS
		}
		if err := send("STARTTLS"); err != nil {
			return err
		}
		if _, err := smtpReply(r, "220"); err != nil {
			return fmt.Errorf("%w: %v", errNoSTARTTLS, err)
		}
	case startFTP:
		if _, err := smtpReply(r, "220"); err != nil {
			return err
		}
		if err := send("AUTH TLS"); err != nil {
			return err
		}
		if _, err := smtpReply(r, "234"); err != nil {
			return fmt.Errorf("%w: %v", errNoSTARTTLS, err)
		}
	case startPOP3:
		l, err := line(r)
		if err != nil {
			return err
		}
		if !strings.HasPrefix(l, "+OK") {
			return checks.Mismatch("not a POP3 greeting: "+checks.Clean(l, 100), nil)
		}
		if err := send("STLS"); err != nil {
			return err
		}
		if l, err = line(r); err != nil {
			return err
		}
		if !strings.HasPrefix(l, "+OK") {
			return fmt.Errorf("%w: %s", errNoSTARTTLS, checks.Clean(l, 100))
		}
	case startIMAP:
		l, err := line(r)
		if err != nil {
			return err
		}
		if !strings.HasPrefix(l, "* OK") && !strings.HasPrefix(l, "* PREAUTH") {
			return checks.Mismatch("not an IMAP greeting: "+checks.Clean(l, 100), nil)
		}
		if err := send("t1 STARTTLS"); err != nil {
			return err
		}
		for i := 0; ; i++ {
			if l, err = line(r); err != nil {
				return err
			}
			if strings.HasPrefix(l, "t1 ") {
				break
			}
			if i > maxLines {
				return checks.Mismatch("IMAP server never answered STARTTLS", nil)
			}
		}
		if !strings.HasPrefix(l, "t1 OK") {
			return fmt.Errorf("%w: %s", errNoSTARTTLS, checks.Clean(l, 100))
		}
	}
	if r.Buffered() > 0 {
		return checks.Mismatch("server sent data before the TLS handshake", nil)
	}
	return nil
}

func line(r *bufio.Reader) (string, error) {
	l, err := r.ReadString('\n')
	if err != nil {
		if errors.Is(err, io.EOF) && l == "" {
			return "", &checks.ProbeError{Reason: checks.ReasonReset, Err: errors.New("server closed the connection")}
		}
		return "", err
	}
	if len(l) > 4096 {
		return "", checks.Mismatch("reply line too long", nil)
	}
	return strings.TrimRight(l, "\r\n"), nil
}

// smtpReply reads a (multi-line) SMTP/FTP reply and checks its code.
func smtpReply(r *bufio.Reader, want string) (string, error) {
	var all strings.Builder
	for i := 0; i < maxLines; i++ {
		l, err := line(r)
		if err != nil {
			return "", err
		}
		all.WriteString(l + "\n")
		if len(l) < 3 {
			return "", checks.Mismatch("malformed reply: "+checks.Clean(l, 100), nil)
		}
		if len(l) == 3 || l[3] == ' ' {
			if l[:3] != want {
				return all.String(), checks.Mismatch(fmt.Sprintf("expected %s, got %s", want, checks.Clean(l, 100)), nil)
			}
			return all.String(), nil
		}
	}
	return "", checks.Mismatch("reply longer than 64 lines", nil)
}
