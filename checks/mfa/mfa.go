// Package mfa finds the internet-reachable logins that a password alone opens: SSH, RDP, web
// logins and remote-access portals, mail and the legacy password protocols (telnet, FTP, VNC).
//
// It learns what each service accepts from what the service itself announces (SSH's answer to
// the "none" method, RDP's negotiation response, a 401 challenge, EHLO, CAPABILITY, CAPA, FEAT,
// the VNC security types) and never tries a credential. The one exception is FTP's anonymous
// user, whose whole point is that it needs none.
package mfa

import (
	"context"
	"fmt"
	"strings"

	"github.com/telesra/telesra/checks"
)

// Options configure the family.
type Options struct {
	// Recognizer, when set, names the products an HTTP endpoint runs (the web family's nuclei
	// engine). The mfa family's own fingerprints recognise the common remote-access portals
	// without it.
	Recognizer checks.Recognizer
}

// Name is the family's name and the first element of its check IDs.
const Name = "mfa"

// citations are what every check of the family cites: a password alone does not authenticate
// a person (164.312(d)) and leaves access control to one guessable secret (164.312(a)(1)).
var citations = []string{"164.312(d)", "164.312(a)(1)"}

// cleartextCitations add transmission security for checks whose password also crosses the
// network unencrypted.
var cleartextCitations = []string{"164.312(d)", "164.312(a)(1)", "164.312(e)(1)"}

// Family returns the mfa checks.
func Family(o Options) *checks.Family {
	h := newHTTPChecks(o.Recognizer)
	var cs []*checks.Check
	cs = append(cs, sshChecks()...)
	cs = append(cs, rdpChecks()...)
	cs = append(cs, h.checks()...)
	cs = append(cs, mailChecks()...)
	cs = append(cs, legacyChecks()...)
	return &checks.Family{
		Name:  Name,
		Title: "MFA exposure",
		Description: "Logins reachable from the network that a password alone opens (SSH, RDP, web logins and portals, mail, " +
			"telnet, FTP, VNC), learned from what each service announces; no credential is ever tried (FTP's anonymous user aside).",
		Checks: cs,
	}
}

// services applies a check to endpoints offering one of these services.
func services(names ...string) func(checks.Service) bool {
	return func(s checks.Service) bool { return s.Is(names...) }
}

// confidenceWord is how a finding's detail states its confidence.
func confidenceWord(c checks.Confidence) string {
	if c == checks.Potential {
		return "Potential"
	}
	return "Confirmed"
}

// detail writes a finding's text: the confidence first, so no reader mistakes an inference for an
// observation.
func detail(c checks.Confidence, format string, args ...any) string {
	return confidenceWord(c) + ": " + fmt.Sprintf(format, args...)
}

// joinQuoted lists strings for a detail line.
func joinQuoted(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}

// probeFailed wraps a protocol-level surprise so that the attempt reads as a mismatch with the
// reason, not as a generic error.
func probeFailed(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	switch checks.Classify(err) {
	case checks.ReasonOther, checks.ReasonInternal:
		return checks.Mismatch(what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
