package lineproto

import (
	"fmt"
	"strings"

	"github.com/telesra/telesra/checks"
)

// Reply is an SMTP or FTP reply (RFC 5321 4.2, RFC 959 4.2): its three-digit code and the text
// of each of its lines, code and separator removed.
type Reply struct {
	Code  int
	Lines []string
}

// Text is the reply's lines joined by newlines.
func (r Reply) Text() string { return strings.Join(r.Lines, "\n") }

// String is the reply as the server wrote its first line: "220 mail.example ESMTP".
func (r Reply) String() string { return fmt.Sprintf("%03d %s", r.Code, r.Text()) }

// Offers reports whether a capability listing (EHLO keywords after the greeting line, FTP FEAT
// features) names keyword as the first word of one of its lines.
func (r Reply) Offers(keyword string) bool {
	for i, l := range r.Lines {
		if i == 0 {
			continue // the EHLO greeting line, FTP's "Features:"
		}
		if w := strings.Fields(l); len(w) > 0 && strings.EqualFold(w[0], keyword) {
			return true
		}
	}
	return false
}

// Reply reads one SMTP or FTP reply, multi-line replies included, under one deadline.
func (s *Session) Reply() (Reply, error) {
	s.arm()
	l, err := s.line()
	if err != nil {
		return Reply{}, err
	}
	code, more, text, ok := codeLine(l)
	if !ok {
		return Reply{}, checks.Mismatch("malformed reply: "+checks.Clean(l, 100), nil)
	}
	rep := Reply{Code: code, Lines: []string{text}}
	for more {
		if len(rep.Lines) >= MaxReplyLines {
			return rep, tooLarge("reply longer than %d lines", MaxReplyLines)
		}
		l, err := s.line()
		if err != nil {
			return rep, err
		}
		c, m, t, ok := codeLine(l)
		if !ok || c != code {
			// FTP lets the lines between the first and the last say anything (RFC 959 4.2);
			// like net/textproto, keep them whole.
			rep.Lines = append(rep.Lines, l)
			continue
		}
		rep.Lines, more = append(rep.Lines, t), m
	}
	return rep, nil
}

// Cmd sends one SMTP or FTP command and reads its reply.
func (s *Session) Cmd(format string, args ...any) (Reply, error) {
	if err := s.Send(format, args...); err != nil {
		return Reply{}, err
	}
	return s.Reply()
}

// codeLine splits "250-text" (more follows), "250 text" and "250" (last line).
func codeLine(l string) (code int, more bool, text string, ok bool) {
	if len(l) < 3 || l[0] < '1' || l[0] > '5' || !isDigit(l[1]) || !isDigit(l[2]) {
		return 0, false, "", false
	}
	code = int(l[0]-'0')*100 + int(l[1]-'0')*10 + int(l[2]-'0')
	switch {
	case len(l) == 3:
		return code, false, "", true
	case l[3] == ' ':
		return code, false, l[4:], true
	case l[3] == '-':
		return code, true, l[4:], true
	}
	return 0, false, "", false
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// Tagged sends an IMAP command under a fresh tag (t1, t2 ...) and reads to its tagged
// completion, under one deadline: the untagged lines ("* ...") before it and the status that
// follows the tag ("OK ...", "NO ...", "BAD ...").
func (s *Session) Tagged(cmd string) (untagged []string, status string, err error) {
	tag := s.nextTag()
	if err := s.Send("%s %s", tag, cmd); err != nil {
		return nil, "", err
	}
	s.arm()
	for range MaxReplyLines {
		l, err := s.line()
		if err != nil {
			return untagged, "", err
		}
		if t, rest, ok := strings.Cut(l, " "); ok && strings.EqualFold(t, tag) {
			return untagged, rest, nil
		}
		untagged = append(untagged, l)
	}
	return untagged, "", tooLarge("IMAP %s answered with more than %d lines", firstWord(cmd), MaxReplyLines)
}

// nextTag is a fresh IMAP command tag.
func (s *Session) nextTag() string {
	s.tag++
	return fmt.Sprintf("t%d", s.tag)
}

// StatusOK reports whether an IMAP status ("OK ...") or a POP3 status line ("+OK ...") is
// positive.
func StatusOK(status string) bool {
	u := strings.ToUpper(status)
	return u == "OK" || strings.HasPrefix(u, "OK ") || u == "+OK" || strings.HasPrefix(u, "+OK ")
}

// DotLines reads the body of a POP3 multi-line response (RFC 1939 3), after its +OK line, up to
// the terminating "." and with dot-stuffing undone, under one deadline.
func (s *Session) DotLines() ([]string, error) {
	s.arm()
	var lines []string
	for range MaxReplyLines {
		l, err := s.line()
		if err != nil {
			return lines, err
		}
		if l == "." {
			return lines, nil
		}
		lines = append(lines, strings.TrimPrefix(l, "."))
	}
	return lines, tooLarge("POP3 listing longer than %d lines", MaxReplyLines)
}
