package mfa

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/telesra/telesra/checks"
)

// RDP security protocols (MS-RDPBCGR 2.2.1.1.1, requestedProtocols / selectedProtocol).
const (
	protoRDP    uint32 = 0x0 // standard RDP security: RC4, no server authentication, no NLA
	protoSSL    uint32 = 0x1 // TLS, then the logon screen: no pre-authentication
	protoHybrid uint32 = 0x2 // CredSSP: Network Level Authentication
)

// RDP_NEG_FAILURE codes (MS-RDPBCGR 2.2.1.2.2).
var rdpFailures = map[uint32]string{
	0x1: "SSL_REQUIRED_BY_SERVER",
	0x2: "SSL_NOT_ALLOWED_BY_SERVER",
	0x3: "SSL_CERT_NOT_ON_SERVER",
	0x4: "INCONSISTENT_FLAGS",
	0x5: "HYBRID_REQUIRED_BY_SERVER",
	0x6: "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER",
}

var rdpProtocolNames = map[uint32]string{
	protoRDP: "PROTOCOL_RDP", protoSSL: "PROTOCOL_SSL", protoHybrid: "PROTOCOL_HYBRID",
	0x4: "PROTOCOL_RDSTLS", 0x8: "PROTOCOL_HYBRID_EX", 0x10: "PROTOCOL_RDSAAD",
}

// rdpAnswer is the server's answer to one Connection Request.
type rdpAnswer struct {
	Offered  string `json:"offered"`
	Accepted bool   `json:"accepted"`
	Selected string `json:"selected,omitempty"` // the protocol the server chose
	Failure  string `json:"failure,omitempty"`  // its RDP_NEG_FAILURE code
	// Legacy: a Connection Confirm without negotiation data, which means standard RDP security
	// (a server older than RDP 5.2, or one that ignores the request).
	Legacy bool `json:"legacy,omitempty"`

	selected uint32
}

func (a rdpAnswer) String() string {
	switch {
	case a.Legacy:
		return "Connection Confirm without negotiation response (standard RDP security)"
	case a.Accepted && a.Selected != a.Offered:
		return "answered by selecting " + a.Selected + ", which was not offered (standard RDP security)"
	case a.Accepted:
		return "accepted, selected " + a.Selected
	}
	return "refused with " + a.Failure
}

type rdpFacts struct {
	SSL      rdpAnswer // offering only PROTOCOL_SSL
	Standard rdpAnswer // offering only PROTOCOL_RDP
}

// noNLA is the answer that shows the server lets a client in without CredSSP, if any.
func (f rdpFacts) noNLA() (rdpAnswer, bool) {
	if f.SSL.Accepted {
		return f.SSL, true
	}
	if f.Standard.Accepted {
		return f.Standard, true
	}
	return rdpAnswer{}, false
}

func (f rdpFacts) evidence() map[string]any {
	return map[string]any{
		"tls_only_request":      f.SSL.String(),
		"standard_only_request": f.Standard.String(),
	}
}

var rdpProbe = &checks.Probe[rdpFacts]{ID: "mfa.rdp", Run: readRDP,
	Connections: "2",
	Description: "Two X.224 Connection Requests (MS-RDPBCGR 2.2.1.1) whose RDP_NEG_REQ offers only PROTOCOL_SSL, then only " +
		"standard RDP security; reads each negotiation response or failure and disconnects before any TLS or credentials."}

// readRDP sends the two X.224 negotiation requests and reads what the server selects.
func readRDP(ctx context.Context, env *checks.Env) (rdpFacts, error) {
	var facts rdpFacts
	var err error
	if facts.SSL, err = rdpNegotiate(ctx, env, protoSSL); err != nil {
		return facts, err
	}
	facts.Standard, err = rdpNegotiate(ctx, env, protoRDP)
	return facts, err
}

// rdpConnectionRequest builds a TPKT + X.224 Connection Request carrying RDP_NEG_REQ for the
// given protocols (MS-RDPBCGR 2.2.1.1), without cookie or routing token.
func rdpConnectionRequest(protocols uint32) []byte {
	b := []byte{
		0x03, 0x00, 0x00, 0x13, // TPKT version 3, length 19
		0x0e, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, // X.224: LI 14, CR, DST-REF, SRC-REF, class 0
		0x01, 0x00, 0x08, 0x00, 0, 0, 0, 0, // RDP_NEG_REQ: type 1, flags 0, length 8, requestedProtocols
	}
	binary.LittleEndian.PutUint32(b[15:], protocols)
	return b
}

// rdpNegotiate sends one Connection Request and reads the Connection Confirm (MS-RDPBCGR
// 2.2.1.2). It closes the connection before any TLS or credential exchange.
func rdpNegotiate(ctx context.Context, env *checks.Env, offer uint32) (rdpAnswer, error) {
	ans := rdpAnswer{Offered: rdpProtocolNames[offer]}
	c, err := env.Dialer.DialContext(ctx, "tcp", env.Endpoint.HostPort())
	if err != nil {
		return ans, err
	}
	defer c.Close()
	_ = c.SetDeadline(env.Deadline(ctx))
	if _, err := c.Write(rdpConnectionRequest(offer)); err != nil {
		return ans, probeFailed(ctx, "send X.224 Connection Request", err)
	}
	var tpkt [4]byte
	if _, err := io.ReadFull(c, tpkt[:]); err != nil {
		return ans, probeFailed(ctx, "read X.224 Connection Confirm", err)
	}
	n := int(binary.BigEndian.Uint16(tpkt[2:]))
	if tpkt[0] != 0x03 || n < 11 || n > 1024 {
		return ans, checks.Mismatch(fmt.Sprintf("not an RDP answer (TPKT % x)", tpkt[:]), nil)
	}
	pdu := make([]byte, n-4)
	if _, err := io.ReadFull(c, pdu); err != nil {
		return ans, probeFailed(ctx, "read X.224 Connection Confirm", err)
	}
	if pdu[1]&0xf0 != 0xd0 {
		return ans, checks.Mismatch(fmt.Sprintf("X.224 TPDU 0x%02x is not a Connection Confirm", pdu[1]), nil)
	}
	neg := pdu[7:]
	if len(neg) > 0 && len(neg) < 8 {
		return ans, checks.Mismatch(fmt.Sprintf("truncated RDP negotiation data (%d bytes)", len(neg)), nil)
	}
	if len(neg) == 0 {
		ans.Legacy, ans.Accepted, ans.selected, ans.Selected = true, true, protoRDP, rdpProtocolNames[protoRDP]
		return ans, nil
	}
	if l := binary.LittleEndian.Uint16(neg[2:]); l != 8 {
		return ans, checks.Mismatch(fmt.Sprintf("RDP negotiation data of length %d, want 8", l), nil)
	}
	v := binary.LittleEndian.Uint32(neg[4:])
	switch neg[0] {
	case 0x02: // RDP_NEG_RSP
		// Standard RDP security is the protocol every client supports without offering it, and a
		// server configured for it alone (xrdp with security_layer=rdp) selects it whatever the
		// request offered, where the specification has it refuse with SSL_NOT_ALLOWED_BY_SERVER.
		// Either way the server will run the session without TLS or NLA: that is its answer, not
		// a protocol mismatch.
		if v != offer && v != protoRDP {
			return ans, checks.Mismatch(fmt.Sprintf("server selected protocol 0x%x, which was not offered (0x%x)", v, offer), nil)
		}
		ans.Accepted, ans.selected, ans.Selected = true, v, rdpProtocolNames[v]
	case 0x03: // RDP_NEG_FAILURE
		name, ok := rdpFailures[v]
		if !ok {
			name = fmt.Sprintf("failure code 0x%x", v)
		}
		ans.Failure = name
	default:
		return ans, checks.Mismatch(fmt.Sprintf("unknown RDP negotiation type 0x%02x", neg[0]), nil)
	}
	return ans, nil
}

func rdpChecks() []*checks.Check {
	nla := checks.Define(checks.Check{
		ID:       "mfa.rdp.no_nla",
		Title:    "RDP without Network Level Authentication",
		Severity: checks.High,
		HIPAA:    citations,
		Applies:  services(checks.SvcRDP),
		Description: "Sends an X.224 Connection Request whose RDP_NEG_REQ offers only PROTOCOL_SSL (TLS without CredSSP), then one " +
			"offering only standard RDP security, and reports a server that accepts either: it shows its logon screen to anyone before " +
			"authentication (password guessing, pre-authentication exploits such as BlueKeep). A HYBRID_REQUIRED_BY_SERVER failure " +
			"(NLA enforced) passes.",
		Connections: "shared with the mfa.rdp probe (2)",
		Remediation: "Require Network Level Authentication (Remote Desktop: \"Allow connections only from computers running Remote " +
			"Desktop with Network Level Authentication\"; GPO `UserAuthentication=1`), and put RDP behind a VPN or an RD Gateway that enforces MFA.",
		References: []string{
			"https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-rdpbcgr/13757f8f-66db-4273-9d2c-385c33b1e483",
			"https://msrc.microsoft.com/update-guide/vulnerability/CVE-2019-0708",
		},
	}, rdpProbe, func(ctx context.Context, env *checks.Env, c *checks.Check, facts rdpFacts) ([]checks.Finding, error) {
		ans, ok := facts.noNLA()
		if !ok {
			return nil, nil
		}
		f := c.NewFinding(env, "")
		f.Title = fmt.Sprintf("RDP accepts connections without NLA (offered %s: %s)", ans.Offered, ans)
		f.Detail = detail(checks.Confirmed, "the RDP server answered a request offering only %s with %q: it accepts a session "+
			"without CredSSP, so anyone reaching the port gets the Windows logon screen, where a password alone opens the desktop.",
			ans.Offered, ans.String())
		f.Evidence = facts.evidence()
		return []checks.Finding{f}, nil
	})

	std := checks.Define(checks.Check{
		ID:       "mfa.rdp.standard_security",
		Title:    "RDP accepts standard RDP security",
		Severity: checks.High,
		HIPAA:    cleartextCitations,
		Applies:  services(checks.SvcRDP),
		Description: "Reports an RDP server that accepts a Connection Request offering only standard RDP security (PROTOCOL_RDP), " +
			"or answers without any negotiation response: the legacy RC4 encryption without server authentication, open to " +
			"interception of the password typed at the logon screen.",
		Connections: nla.Connections,
		Remediation: "Set the RDP security layer to TLS or negotiate-with-NLA (GPO \"Require use of specific security layer for " +
			"remote (RDP) connections: SSL\"; `SecurityLayer=2`) and require NLA.",
		References: []string{"https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-rdpbcgr/8e8b2cca-c1fa-456c-8ecb-a82fc60b2322"},
	}, rdpProbe, func(ctx context.Context, env *checks.Env, c *checks.Check, facts rdpFacts) ([]checks.Finding, error) {
		var ans rdpAnswer
		switch {
		case facts.Standard.Accepted && facts.Standard.selected == protoRDP:
			ans = facts.Standard
		case facts.SSL.Legacy, facts.SSL.Accepted && facts.SSL.selected == protoRDP:
			ans = facts.SSL
		default:
			return nil, nil
		}
		f := c.NewFinding(env, "")
		f.Title = fmt.Sprintf("RDP accepts standard RDP security (offered %s: %s)", ans.Offered, ans)
		f.Detail = detail(checks.Confirmed, "the RDP server answered a request offering only %s with %q: it will run a session "+
			"under standard RDP security (RC4, no server authentication), where the password typed at the logon screen can be intercepted.",
			ans.Offered, ans.String())
		f.Evidence = facts.evidence()
		return []checks.Finding{f}, nil
	})
	return []*checks.Check{nla, std}
}
