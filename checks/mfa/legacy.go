package mfa

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/lineproto"
)

// Telnet commands (RFC 854).
const (
	telIAC  = 255
	telDONT = 254
	telDO   = 253
	telWONT = 252
	telWILL = 251
	telSB   = 250
	telSE   = 240
)

// telnetWait is how long the probe listens for a login prompt: telnet servers negotiate options
// first and print the prompt a moment later.
const telnetWait = 3 * time.Second

// maxTelnet bounds what the probe reads from a telnet server.
const maxTelnet = 16 << 10

var telnetPrompt = regexp.MustCompile(`(?i)(login|username|user name|user|password|passcode)\s*:\s*$`)

type telnetFacts struct {
	Banner string // first line of text, cleaned
	Prompt string // the login prompt seen, cleaned
}

var telnetProbe = &checks.Probe[telnetFacts]{ID: "mfa.legacy.telnet", Run: readTelnet,
	Connections: "1",
	Description: "Reads what the telnet server sends for a moment, refusing every option it negotiates; looks for a login prompt. Sends nothing else."}

// readTelnet reads what a telnet server sends, refusing every option it negotiates.
func readTelnet(ctx context.Context, env *checks.Env) (telnetFacts, error) {
	var facts telnetFacts
	c, err := env.Dialer.DialContext(ctx, "tcp", env.Endpoint.HostPort())
	if err != nil {
		return facts, err
	}
	defer c.Close()
	stop := deadlineIn(ctx, max(telnetWait, env.IOTimeout))
	var (
		text, raw []byte
		buf       = make([]byte, 2048)
		pending   []byte // an IAC sequence split across reads
	)
	for len(raw) < maxTelnet {
		_ = c.SetDeadline(stop)
		n, err := c.Read(buf)
		raw = append(raw, buf[:n]...)
		data := append(pending, buf[:n]...)
		var reply []byte
		var t []byte
		t, reply, pending = telnetParse(data)
		if len(text) < maxTelnet {
			text = append(text, t...)
		}
		if len(reply) > 0 {
			// Refuse every option: we want the prompt, not a session.
			_ = c.SetWriteDeadline(env.Deadline(ctx))
			if _, werr := c.Write(reply); werr != nil {
				break
			}
		}
		if m := telnetPrompt.FindSubmatch(bytes.TrimRight(text, "\x00")); m != nil {
			facts.Prompt = checks.Clean(string(m[0]), 60)
			break
		}
		if err != nil {
			if ctx.Err() != nil {
				return facts, ctx.Err()
			}
			if len(raw) == 0 {
				return facts, probeFailed(ctx, "telnet server sent nothing", err)
			}
			if !errors.Is(err, os.ErrDeadlineExceeded) && !errors.Is(err, io.EOF) {
				return facts, probeFailed(ctx, "read telnet", err)
			}
			break
		}
	}
	for _, l := range strings.Split(string(text), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			facts.Banner = checks.FirstLine(l, 200)
			break
		}
	}
	return facts, nil
}

// telnetParse separates text from IAC sequences, returning the text, the refusals to send
// (WONT for each DO, DONT for each WILL) and an incomplete sequence to keep for the next read.
func telnetParse(b []byte) (text, reply, rest []byte) {
	for i := 0; i < len(b); i++ {
		if b[i] != telIAC {
			text = append(text, b[i])
			continue
		}
		if i+1 >= len(b) {
			return text, reply, append([]byte(nil), b[i:]...)
		}
		switch cmd := b[i+1]; cmd {
		case telIAC: // escaped 255
			text = append(text, telIAC)
			i++
		case telDO, telDONT, telWILL, telWONT:
			if i+2 >= len(b) {
				return text, reply, append([]byte(nil), b[i:]...)
			}
			opt := b[i+2]
			switch cmd {
			case telDO:
				reply = append(reply, telIAC, telWONT, opt)
			case telWILL:
				reply = append(reply, telIAC, telDONT, opt)
			}
			i += 2
		case telSB:
			end := bytes.Index(b[i:], []byte{telIAC, telSE})
			if end < 0 {
				if len(b)-i > 1024 {
					return text, reply, nil // an endless subnegotiation: drop it
				}
				return text, reply, append([]byte(nil), b[i:]...)
			}
			i += end + 1
		default:
			i++
		}
	}
	return text, reply, nil
}

// ftpAnonymousPassword is the conventional anonymous password (RFC 1635): an address-like string
// that names the tool, no one's credential.
const ftpAnonymousPassword = "telesra@example.invalid"

type ftpFacts struct {
	Greeting    string   `json:"greeting"`
	Features    []string `json:"features,omitempty"`
	AuthTLS     bool     `json:"auth_tls"`     // FEAT lists AUTH TLS or AUTH SSL
	TLSRequired bool     `json:"tls_required"` // USER was refused until TLS
	Anonymous   bool     `json:"anonymous"`    // anonymous login accepted
	UserReply   string   `json:"user_reply,omitempty"`
	PassReply   string   `json:"pass_reply,omitempty"`
}

var tlsRequiredRE = regexp.MustCompile(`(?i)\b(tls|ssl|encrypt|auth\b|secure)`)

var ftpProbe = &checks.Probe[ftpFacts]{ID: "mfa.legacy.ftp", Run: readFTP,
	Connections: "1",
	Description: "Reads the FTP greeting, sends FEAT, then USER anonymous (and PASS with a placeholder address if asked) and QUIT. " +
		"No other user is ever tried."}

// readFTP reads the FTP greeting and FEAT reply and tries the anonymous login.
func readFTP(ctx context.Context, env *checks.Env) (ftpFacts, error) {
	var facts ftpFacts
	s, err := dialSession(ctx, env)
	if err != nil {
		return facts, err
	}
	defer s.Close()
	greet, err := s.Greeting(lineproto.FTP)
	if err != nil {
		return facts, err
	}
	facts.Greeting = checks.FirstLine(greet.String(), 200)
	feat, err := s.Cmd("FEAT")
	if err != nil {
		return facts, fmt.Errorf("FEAT: %w", err)
	}
	if feat.Code == 211 {
		for i, l := range feat.Lines {
			if i == 0 || i == len(feat.Lines)-1 && !strings.HasPrefix(l, " ") {
				continue // "Features:" and "End"
			}
			f := checks.Clean(strings.TrimSpace(l), 80)
			if f == "" {
				continue
			}
			facts.Features = append(facts.Features, f)
			if u := strings.ToUpper(f); strings.HasPrefix(u, "AUTH ") && (strings.Contains(u, "TLS") || strings.Contains(u, "SSL")) {
				facts.AuthTLS = true
			}
		}
	}
	user, err := s.Cmd("USER anonymous")
	if err != nil {
		return facts, fmt.Errorf("USER: %w", err)
	}
	facts.UserReply = checks.FirstLine(user.String(), 200)
	switch {
	case user.Code == 230:
		facts.Anonymous = true
	case user.Code == 331 || user.Code == 332:
		pass, err := s.Cmd("PASS %s", ftpAnonymousPassword)
		if err != nil {
			return facts, fmt.Errorf("PASS: %w", err)
		}
		facts.PassReply = checks.FirstLine(pass.String(), 200)
		facts.Anonymous = pass.Code == 230
	case user.Code == 534 || user.Code == 530 && tlsRequiredRE.MatchString(user.Text()):
		facts.TLSRequired = true
	}
	s.Quit(lineproto.FTP)
	return facts, nil
}

// VNC security types (RFB, RFC 6143 7.2.1 and the IANA registry).
var vncTypes = map[byte]string{
	1: "None", 2: "VNC Authentication", 5: "RA2", 6: "RA2ne", 16: "Tight", 17: "Ultra", 18: "TLS", 19: "VeNCrypt",
	20: "GTK-VNC SASL", 21: "MD5 hash", 22: "Colin Dean xvp", 30: "Apple Remote Desktop", 113: "MSLogonII",
}

func vncTypeName(t byte) string {
	if n, ok := vncTypes[t]; ok {
		return fmt.Sprintf("%s (%d)", n, t)
	}
	return fmt.Sprintf("type %d", t)
}

type vncFacts struct {
	Version string `json:"version"`
	Types   []byte `json:"-"`
	Names   []string
}

var rfbVersionRE = regexp.MustCompile(`^RFB (\d{3})\.(\d{3})\n$`)

var vncProbe = &checks.Probe[vncFacts]{ID: "mfa.legacy.vnc", Run: readVNC,
	Connections: "1",
	Description: "Reads the RFB version, answers with the version both speak (3.3, 3.7 or 3.8), reads the security types offered and disconnects without choosing one."}

// readVNC reads the RFB version and the security types a VNC server offers.
func readVNC(ctx context.Context, env *checks.Env) (vncFacts, error) {
	var facts vncFacts
	c, err := env.Dialer.DialContext(ctx, "tcp", env.Endpoint.HostPort())
	if err != nil {
		return facts, err
	}
	defer c.Close()
	_ = c.SetDeadline(env.Deadline(ctx))
	var ver [12]byte
	if _, err := io.ReadFull(c, ver[:]); err != nil {
		return facts, probeFailed(ctx, "read RFB version", err)
	}
	m := rfbVersionRE.FindSubmatch(ver[:])
	if m == nil {
		return facts, checks.Mismatch(fmt.Sprintf("not an RFB version: %q", checks.Clean(string(ver[:]), 20)), nil)
	}
	major, _ := strconv.Atoi(string(m[1]))
	minor, _ := strconv.Atoi(string(m[2]))
	facts.Version = fmt.Sprintf("%d.%d", major, minor)
	modern := major > 3 || minor >= 7
	reply := "RFB 003.003\n"
	if modern {
		reply = "RFB 003.008\n"
		if major == 3 && minor == 7 {
			reply = "RFB 003.007\n"
		}
	}
	_ = c.SetDeadline(env.Deadline(ctx))
	if _, err := io.WriteString(c, reply); err != nil {
		return facts, probeFailed(ctx, "send RFB version", err)
	}
	if modern {
		var n [1]byte
		if _, err := io.ReadFull(c, n[:]); err != nil {
			return facts, probeFailed(ctx, "read security types", err)
		}
		if n[0] == 0 {
			return facts, vncRefusal(c)
		}
		facts.Types = make([]byte, n[0])
		if _, err := io.ReadFull(c, facts.Types); err != nil {
			return facts, probeFailed(ctx, "read security types", err)
		}
	} else {
		var t [4]byte
		if _, err := io.ReadFull(c, t[:]); err != nil {
			return facts, probeFailed(ctx, "read security type", err)
		}
		v := binary.BigEndian.Uint32(t[:])
		if v == 0 {
			return facts, vncRefusal(c)
		}
		if v > 255 {
			return facts, checks.Mismatch(fmt.Sprintf("RFB 3.3 security type %d", v), nil)
		}
		facts.Types = []byte{byte(v)}
	}
	for _, t := range facts.Types {
		facts.Names = append(facts.Names, vncTypeName(t))
	}
	return facts, nil
}

// vncRefusal reads the reason a VNC server gives for refusing the connection (too many
// authentication failures, say).
func vncRefusal(c io.Reader) error {
	var l [4]byte
	reason := ""
	if _, err := io.ReadFull(c, l[:]); err == nil {
		n := min(binary.BigEndian.Uint32(l[:]), 512)
		b := make([]byte, n)
		k, _ := io.ReadFull(c, b)
		reason = checks.Clean(string(b[:k]), 200)
	}
	return fmt.Errorf("VNC server refused the connection: %q", reason)
}

func legacyChecks() []*checks.Check {
	tel := checks.Define(checks.Check{
		ID:       "mfa.legacy.telnet",
		Title:    "Telnet login",
		Severity: checks.High,
		HIPAA:    cleartextCitations,
		Applies:  services(checks.SvcTelnet),
		Description: "Reports a telnet service: logins by password alone, sent with everything else in the clear. The probe refuses " +
			"every option the server negotiates and reads for a few seconds; a login prompt makes the finding confirmed, a telnet " +
			"service without one (a menu, a device console) potential. It never types anything.",
		Connections: "shared with the mfa.legacy.telnet probe (1)",
		Remediation: "Turn telnet off and use SSH with keys and MFA; if a device only speaks telnet, reach it only through a VPN " +
			"or jump host that enforces MFA, and replace it.",
		References: []string{"https://www.rfc-editor.org/rfc/rfc854"},
	}, telnetProbe, func(ctx context.Context, env *checks.Env, c *checks.Check, facts telnetFacts) ([]checks.Finding, error) {
		f := c.NewFinding(env, "")
		f.Evidence = map[string]any{}
		if facts.Banner != "" {
			f.Evidence["banner"] = facts.Banner
		}
		if facts.Prompt != "" {
			f.Evidence["prompt"] = facts.Prompt
			f.Title = fmt.Sprintf("Telnet login prompt (%q): password alone, in cleartext", facts.Prompt)
			f.Detail = detail(checks.Confirmed, "the telnet service asks %q: a password alone opens it, and the password and the "+
				"whole session cross the network in the clear.", facts.Prompt)
		} else {
			f.Confidence = checks.Potential
			f.Title = "Telnet service: cleartext logins likely"
			f.Detail = detail(checks.Potential, "a telnet service answers but showed no login prompt within %s; whatever "+
				"authentication it asks for travels in the clear and has no second factor.", telnetWait)
		}
		return []checks.Finding{f}, nil
	})

	ftp := checks.Define(checks.Check{
		ID:       "mfa.legacy.ftp",
		Title:    "FTP password login",
		Severity: checks.High,
		HIPAA:    cleartextCitations,
		Applies:  services(checks.SvcFTP),
		Description: "Reads the FTP greeting and FEAT (AUTH TLS), then tries the anonymous user only (USER anonymous, and PASS " +
			"with a placeholder address if asked). Reports the FTP login itself (a password alone, no second factor; high when the " +
			"server offers no TLS and passwords cross in the clear, medium when it offers or requires TLS) and, separately, an " +
			"anonymous login the server accepts (high: files readable by anyone). No other user name or password is ever sent.",
		Connections: "shared with the mfa.legacy.ftp probe (1)",
		Remediation: "Retire FTP for SFTP with keys (and MFA for interactive logins), or require TLS for every login " +
			"(vsftpd `force_local_logins_ssl=YES`), restrict it to the VPN, and disable anonymous access (`anonymous_enable=NO`).",
		References: []string{"https://www.rfc-editor.org/rfc/rfc4217", "https://www.rfc-editor.org/rfc/rfc1635"},
	}, ftpProbe, func(ctx context.Context, env *checks.Env, c *checks.Check, facts ftpFacts) ([]checks.Finding, error) {
		ev := map[string]any{"greeting": facts.Greeting, "auth_tls": facts.AuthTLS, "implicit_tls": env.Service.TLS}
		if len(facts.Features) > 0 {
			ev["features"] = facts.Features
		}
		var out []checks.Finding
		pw := c.NewFinding(env, "password")
		pw.Evidence = ev
		switch {
		case env.Service.TLS || facts.TLSRequired:
			pw.Severity = checks.Medium
			pw.HIPAA = append([]string(nil), citations...)
			pw.Title = "FTP login by password alone (TLS required)"
			pw.Detail = detail(checks.Confirmed, "the FTP server (%s) takes logins by user name and password only; TLS protects "+
				"the password in transit, but a guessed or reused one is enough.", facts.Greeting)
		case facts.AuthTLS:
			pw.Severity = checks.High
			pw.Title = "FTP login by password alone, TLS offered but not seen required"
			pw.Detail = detail(checks.Confirmed, "the FTP server (%s) takes logins by password alone and offers AUTH TLS, but "+
				"nothing showed that it refuses a login without it: clients that skip TLS send the password in the clear.", facts.Greeting)
		default:
			pw.Severity = checks.High
			pw.Title = "FTP login by password alone, in cleartext (no AUTH TLS)"
			pw.Detail = detail(checks.Confirmed, "the FTP server (%s) offers no TLS (FEAT lists no AUTH TLS): every login sends the "+
				"password in the clear, and the password alone opens the account.", facts.Greeting)
		}
		out = append(out, pw)
		if facts.Anonymous {
			an := c.NewFinding(env, "anonymous")
			an.Title = "FTP accepts anonymous login"
			an.Detail = detail(checks.Confirmed, "the FTP server (%s) accepted the anonymous user (%s): anyone can log in without "+
				"any credential and read whatever the anonymous area holds.", facts.Greeting, strings.Join(nonEmpty(facts.UserReply, facts.PassReply), "; "))
			an.Evidence = map[string]any{"greeting": facts.Greeting, "user_reply": facts.UserReply}
			if facts.PassReply != "" {
				an.Evidence["pass_reply"] = facts.PassReply
			}
			out = append(out, an)
		}
		return out, nil
	})

	vnc := checks.Define(checks.Check{
		ID:       "mfa.legacy.vnc",
		Title:    "VNC remote desktop login",
		Severity: checks.Critical,
		HIPAA:    cleartextCitations,
		Applies:  services(checks.SvcVNC),
		Description: "Reads the RFB version and the security types the VNC server offers (RFC 6143 7.1-7.2), then disconnects " +
			"without choosing one. None (1) lets anyone take the desktop (critical); VNC Authentication (2) is a password of at most " +
			"8 characters behind a DES challenge (high); other types still open the desktop with a password and no second factor (medium).",
		Connections: "shared with the mfa.legacy.vnc probe (1)",
		Remediation: "Never expose VNC to the network: bind it to localhost and reach it through SSH or a VPN that enforces MFA; " +
			"never allow the None security type; prefer a remote-support tool with MFA.",
		References: []string{"https://www.rfc-editor.org/rfc/rfc6143#section-7.2"},
	}, vncProbe, func(ctx context.Context, env *checks.Env, c *checks.Check, facts vncFacts) ([]checks.Finding, error) {
		f := c.NewFinding(env, "")
		f.Evidence = map[string]any{"rfb_version": facts.Version, "security_types": facts.Names}
		offered := strings.Join(facts.Names, ", ")
		switch {
		case bytes.IndexByte(facts.Types, 1) >= 0:
			f.Severity = checks.Critical
			f.Title = fmt.Sprintf("VNC without authentication (security types: %s)", offered)
			f.Detail = detail(checks.Confirmed, "the VNC server (RFB %s) offers the None security type: anyone reaching the port "+
				"takes the desktop without any credential.", facts.Version)
		case bytes.IndexByte(facts.Types, 2) >= 0:
			f.Severity = checks.High
			f.Title = fmt.Sprintf("VNC password login (security types: %s)", offered)
			f.Detail = detail(checks.Confirmed, "the VNC server (RFB %s) offers VNC Authentication: a password of at most 8 "+
				"characters opens the desktop, and the session itself is not encrypted.", facts.Version)
		default:
			f.Severity = checks.Medium
			f.Title = fmt.Sprintf("VNC login (security types: %s)", offered)
			f.Detail = detail(checks.Confirmed, "the VNC server (RFB %s) offers %s: a desktop login with no second factor.", facts.Version, offered)
		}
		return []checks.Finding{f}, nil
	})
	return []*checks.Check{tel, ftp, vnc}
}

func nonEmpty(xs ...string) []string {
	var out []string
	for _, x := range xs {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}
