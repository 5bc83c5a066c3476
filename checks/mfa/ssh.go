package mfa

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/telesra/telesra/checks"
)

// sshUser is the user name of the "none" request. OpenSSH answers with the same method list for
// any user (it hides which accounts exist); a neutral name keeps the probe honest in the logs.
const sshUser = "telesra-probe"

// sshClientVersion identifies the probe in the server's logs.
const sshClientVersion = "SSH-2.0-telesra"

// maxSSHPreLines bounds the lines a server may send before its version line (RFC 4253 4.2
// allows some; an endless stream is hostile).
const maxSSHPreLines = 32

// sshFacts is what one SSH connection told us.
type sshFacts struct {
	Banner       string   // the server's version line
	Methods      []string // the methods listed in answer to "none"
	NoneAccepted bool     // the "none" request succeeded: no credential at all
	AuthBanner   string   // SSH_MSG_USERAUTH_BANNER text, first line
	HostKey      string   // host key type
}

// errStopAuth ends the authentication as soon as the server has listed its methods: the probe
// never goes on to a real method.
var errStopAuth = errors.New("telesra: stop after listing the authentication methods")

var sshProbe = &checks.Probe[sshFacts]{ID: "mfa.ssh",
	Connections: "1",
	Description: "Reads the SSH banner, completes the key exchange and sends one `none` authentication request as user `" + sshUser +
		"`; records the methods the server lists, then disconnects. Never sends a password or key.",
	Run: probeSSH}

func probeSSH(ctx context.Context, env *checks.Env) (sshFacts, error) {
	var facts sshFacts
	raw, err := env.Dialer.DialContext(ctx, "tcp", env.Endpoint.HostPort())
	if err != nil {
		return facts, err
	}
	defer raw.Close()

	_ = raw.SetDeadline(env.Deadline(ctx))
	br := bufio.NewReaderSize(raw, 512)
	version, err := readSSHVersion(br)
	if err != nil {
		return facts, probeFailed(ctx, "read SSH version", err)
	}
	facts.Banner = checks.FirstLine(version, 255)

	// x/crypto reads the version line itself: replay it, then whatever followed it in the buffer,
	// then the connection.
	conn := &replayConn{Conn: raw, r: io.MultiReader(strings.NewReader(version+"\r\n"), br)}

	algos := ssh.SupportedAlgorithms()
	insecure := ssh.InsecureAlgorithms()
	cfg := &ssh.ClientConfig{
		Config: ssh.Config{
			// Old servers still take passwords: talk to them with whatever they speak. We inspect;
			// nothing we send is secret.
			KeyExchanges: append(algos.KeyExchanges, insecure.KeyExchanges...),
			Ciphers:      append(algos.Ciphers, insecure.Ciphers...),
			MACs:         append(algos.MACs, insecure.MACs...),
		},
		User:              sshUser,
		ClientVersion:     sshClientVersion,
		HostKeyAlgorithms: append(algos.HostKeys, insecure.HostKeys...),
		HostKeyCallback: func(_ string, _ net.Addr, key ssh.PublicKey) error {
			facts.HostKey = key.Type()
			return nil // inspection, not trust
		},
		BannerCallback: func(msg string) error {
			facts.AuthBanner = checks.FirstLine(strings.TrimSpace(msg), 200)
			return nil
		},
		// Called after the "none" request failed, with the methods the server lists. Stopping
		// here is what guarantees that no password, key or keyboard-interactive exchange follows.
		AuthCallback: func(ac *ssh.ClientAuthContext) (ssh.AuthMethod, error) {
			facts.Methods = cleanMethods(ac.AllowedMethods)
			return nil, errStopAuth
		},
	}
	// The whole handshake gets a few round trips' worth of time: x/crypto takes no context, so
	// the deadline (and the dialer's close on ctx end) is what bounds it.
	_ = raw.SetDeadline(deadlineIn(ctx, 3*env.IOTimeout))
	c, _, _, err := ssh.NewClientConn(conn, env.Endpoint.HostPort(), cfg)
	switch {
	case err == nil:
		// "none" succeeded: the server let us in without any credential. Leave at once.
		facts.NoneAccepted = true
		c.Close()
		return facts, nil
	case errors.Is(err, errStopAuth):
		return facts, nil
	}
	if ctx.Err() != nil {
		return facts, ctx.Err()
	}
	var algErr *ssh.AlgorithmNegotiationError
	if errors.As(err, &algErr) {
		return facts, checks.Mismatch("SSH key exchange: no algorithm in common", err)
	}
	return facts, probeFailed(ctx, "SSH handshake", err)
}

// deadlineIn is now+d, but never past ctx's deadline.
func deadlineIn(ctx context.Context, d time.Duration) time.Time {
	t := time.Now().Add(d)
	if dl, ok := ctx.Deadline(); ok && dl.Before(t) {
		return dl
	}
	return t
}

// readSSHVersion returns the "SSH-" line (without CR LF), skipping at most maxSSHPreLines
// other lines; each line may be 255 bytes at most (RFC 4253 4.2).
func readSSHVersion(br *bufio.Reader) (string, error) {
	for i := 0; i <= maxSSHPreLines; i++ {
		line, err := readBoundedLine(br, 255)
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(line, "SSH-") {
			if !strings.HasPrefix(line, "SSH-2.0-") && !strings.HasPrefix(line, "SSH-1.99-") {
				return "", checks.Mismatch(fmt.Sprintf("SSH protocol version %q is not 2.0", checks.Clean(line, 60)), nil)
			}
			return line, nil
		}
	}
	return "", checks.Mismatch(fmt.Sprintf("no SSH version line within %d lines", maxSSHPreLines+1), nil)
}

// readBoundedLine reads one line of at most max bytes (CR LF excluded).
func readBoundedLine(br *bufio.Reader, max int) (string, error) {
	var line []byte
	for {
		b, err := br.ReadByte()
		if err != nil {
			return "", err
		}
		if b == '\n' {
			return string(bytes.TrimSuffix(line, []byte{'\r'})), nil
		}
		line = append(line, b)
		if len(line) > max {
			return "", &checks.ProbeError{Reason: checks.ReasonProtocolMismatch,
				Err: fmt.Errorf("banner line longer than %d bytes without end of line", max)}
		}
	}
}

// replayConn is a connection whose first bytes come from r.
type replayConn struct {
	net.Conn
	r io.Reader
}

func (c *replayConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// cleanMethods makes the server's method names safe to store, sorted and unique.
func cleanMethods(ms []string) []string {
	var out []string
	for _, m := range ms {
		if m = checks.Clean(m, 40); m != "" && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	slices.Sort(out)
	return out
}

func sshEvidence(f sshFacts) map[string]any {
	ev := map[string]any{"banner": f.Banner, "methods": f.Methods, "user": sshUser}
	if f.NoneAccepted {
		ev["none_accepted"] = true
	}
	if f.HostKey != "" {
		ev["host_key"] = f.HostKey
	}
	if f.AuthBanner != "" {
		ev["auth_banner"] = f.AuthBanner
	}
	return ev
}

func sshChecks() []*checks.Check {
	pw := checks.Define(checks.Check{
		ID:       "mfa.ssh.password_auth",
		Title:    "SSH accepts password logins",
		Severity: checks.High,
		HIPAA:    citations,
		Applies:  services(checks.SvcSSH),
		Description: "Asks the SSH server which authentication methods it accepts (one `none` request, as RFC 4252 5.2 allows) " +
			"and reports `password` among them: anyone who guesses, phishes or reuses a password gets a shell. A server that demands a " +
			"second method after the password (OpenSSH `AuthenticationMethods password,keyboard-interactive`) lists only `password` " +
			"at this stage and cannot be told apart without logging in, which the probe never does.",
		Connections: "shared with the mfa.ssh probe (1)",
		Remediation: "Set `PasswordAuthentication no` (OpenSSH) and use keys or certificates, ideally with a second factor " +
			"(`AuthenticationMethods publickey,keyboard-interactive` with an OTP PAM module, or FIDO2 `sk-` keys); " +
			"or put SSH behind a VPN that enforces MFA.",
		References: []string{"https://www.rfc-editor.org/rfc/rfc4252#section-5.2", "https://man.openbsd.org/sshd_config#AuthenticationMethods"},
	}, sshProbe, func(ctx context.Context, env *checks.Env, c *checks.Check, facts sshFacts) ([]checks.Finding, error) {
		if !slices.Contains(facts.Methods, "password") {
			return nil, nil
		}
		f := c.NewFinding(env, "")
		f.Title = fmt.Sprintf("SSH accepts password logins (methods offered: %s)", strings.Join(facts.Methods, ", "))
		f.Detail = detail(checks.Confirmed, "the SSH server %s lists the methods %s for a login; `password` lets anyone holding a "+
			"guessed, phished or reused password in with nothing else.", facts.Banner, joinQuoted(facts.Methods))
		f.Evidence = sshEvidence(facts)
		return []checks.Finding{f}, nil
	})

	ki := checks.Define(checks.Check{
		ID:       "mfa.ssh.keyboard_interactive",
		Title:    "SSH keyboard-interactive login without password method",
		Severity: checks.Medium,
		HIPAA:    citations,
		Applies:  services(checks.SvcSSH),
		Description: "Reports an SSH server that lists `keyboard-interactive` but not `password` in answer to the `none` request: " +
			"the prompts may be a one-time-password challenge (MFA) or just the password asked another way (PAM); only a login would tell, " +
			"so the finding is potential.",
		Connections: pw.Connections,
		Remediation: "Verify what the keyboard-interactive prompts ask: if only a password, enforce a second factor (an OTP PAM module " +
			"with `AuthenticationMethods publickey,keyboard-interactive`) or disable it (`KbdInteractiveAuthentication no`).",
		References: []string{"https://www.rfc-editor.org/rfc/rfc4256"},
	}, sshProbe, func(ctx context.Context, env *checks.Env, c *checks.Check, facts sshFacts) ([]checks.Finding, error) {
		if !slices.Contains(facts.Methods, "keyboard-interactive") || slices.Contains(facts.Methods, "password") {
			return nil, nil
		}
		f := c.NewFinding(env, "")
		f.Confidence = checks.Potential
		f.Title = fmt.Sprintf("SSH keyboard-interactive login, may be password only (methods offered: %s)", strings.Join(facts.Methods, ", "))
		f.Detail = detail(checks.Potential, "the SSH server %s lists %s; keyboard-interactive may be an OTP prompt (a second factor) "+
			"or the password asked through PAM. The probe does not log in, so it cannot tell.", facts.Banner, joinQuoted(facts.Methods))
		f.Evidence = sshEvidence(facts)
		return []checks.Finding{f}, nil
	})

	none := checks.Define(checks.Check{
		ID:       "mfa.ssh.no_auth",
		Title:    "SSH login without any credential",
		Severity: checks.Critical,
		HIPAA:    citations,
		Applies:  services(checks.SvcSSH),
		Description: "Reports an SSH server that accepts the `none` authentication method: the probe's request, which carries no " +
			"credential, succeeded. The probe disconnects at once without opening a session.",
		Connections: pw.Connections,
		Remediation: "Require authentication: disable empty passwords (`PermitEmptyPasswords no`) and any `none`-auth accounts, " +
			"and require keys plus a second factor.",
		References: []string{"https://www.rfc-editor.org/rfc/rfc4252#section-5.2"},
	}, sshProbe, func(ctx context.Context, env *checks.Env, c *checks.Check, facts sshFacts) ([]checks.Finding, error) {
		if !facts.NoneAccepted {
			return nil, nil
		}
		f := c.NewFinding(env, "")
		f.Title = "SSH accepts logins without any credential (method none)"
		f.Detail = detail(checks.Confirmed, "the SSH server %s accepted the `none` authentication request for user %q: "+
			"anyone reaching the port gets in without a password.", facts.Banner, sshUser)
		f.Evidence = sshEvidence(facts)
		return []checks.Finding{f}, nil
	})
	return []*checks.Check{pw, ki, none}
}
