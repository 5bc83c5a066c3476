package mfa_test

import (
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
)

// rdpPolicy is how the test RDP server negotiates security, as Windows does from its
// SecurityLayer and UserAuthentication settings (MS-RDPBCGR 3.3.5.3.1).
type rdpPolicy struct {
	standard bool // accepts PROTOCOL_RDP (SecurityLayer 0 or 1)
	ssl      bool // accepts PROTOCOL_SSL without CredSSP
	hybrid   bool // speaks CredSSP
	nla      bool // requires CredSSP (UserAuthentication 1)
	legacy   bool // predates negotiation: answers with a bare Connection Confirm
}

// Protocol and failure codes of MS-RDPBCGR 2.2.1.1.1 and 2.2.1.2.2.
const (
	tProtoSSL                = 0x1
	tProtoHybrid             = 0x2
	tSSLRequiredByServer     = 0x1
	tSSLNotAllowedByServer   = 0x2
	tHybridRequiredByServer  = 0x5
	tNegRsp, tNegFailure     = 0x02, 0x03
	tX224ConnectionConfirmed = 0xd0
)

// rdpServer answers X.224 Connection Requests per MS-RDPBCGR 2.2.1.2 (Server X.224 Connection
// Confirm PDU, with RDP_NEG_RSP or RDP_NEG_FAILURE), then waits for TLS it never starts. It
// records how many bytes a client sent after its Connection Request: a probe must send none.
func rdpServer(t *testing.T, p rdpPolicy) (string, *journal) {
	t.Helper()
	j := &journal{}
	addr := serve(t, func(c net.Conn) {
		var hdr [4]byte
		if _, err := io.ReadFull(c, hdr[:]); err != nil || hdr[0] != 3 {
			return // not TPKT: a real server drops the connection
		}
		n := int(binary.BigEndian.Uint16(hdr[2:]))
		if n < 11 || n > 512 {
			return
		}
		req := make([]byte, n-4)
		if _, err := io.ReadFull(c, req); err != nil || req[1] != 0xe0 {
			return
		}
		var requested uint32
		hasNeg := false
		if len(req) >= 15 && req[len(req)-8] == 0x01 {
			requested = binary.LittleEndian.Uint32(req[len(req)-4:])
			hasNeg = true
		}
		j.add("request protocols=%d negotiation=%v", requested, hasNeg)

		cc := []byte{0x03, 0x00, 0x00, 0x0b, 0x06, tX224ConnectionConfirmed, 0, 0, 0x12, 0x34, 0}
		if !p.legacy && hasNeg {
			neg := make([]byte, 8)
			neg[2] = 8
			typ, val := negotiate(p, requested)
			neg[0] = typ
			binary.LittleEndian.PutUint32(neg[4:], val)
			cc = append(cc, neg...)
			cc[3] = byte(len(cc))
			cc[4] = byte(len(cc) - 5)
		}
		c.Write(cc)
		// Whatever comes next would be a TLS ClientHello or an MCS Connect Initial.
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		if b, _ := io.ReadAll(io.LimitReader(c, 4096)); len(b) > 0 {
			j.add("after confirm: %d bytes", len(b))
		}
	})
	return addr, j
}

// negotiate picks the RDP_NEG_RSP or RDP_NEG_FAILURE a server with policy p sends.
func negotiate(p rdpPolicy, requested uint32) (byte, uint32) {
	switch {
	case p.nla && requested&tProtoHybrid == 0:
		return tNegFailure, tHybridRequiredByServer
	case p.hybrid && requested&tProtoHybrid != 0:
		return tNegRsp, tProtoHybrid
	case p.ssl && requested&tProtoSSL != 0:
		return tNegRsp, tProtoSSL
	case requested&tProtoSSL != 0 && !p.ssl:
		return tNegFailure, tSSLNotAllowedByServer
	case requested == 0 && !p.standard:
		return tNegFailure, tSSLRequiredByServer
	}
	return tNegRsp, 0
}

func TestRDP(t *testing.T) {
	cases := []struct {
		name   string
		policy rdpPolicy
		want   []string
	}{
		{"NLA required", rdpPolicy{ssl: true, hybrid: true, nla: true}, nil},
		{"TLS without NLA", rdpPolicy{ssl: true, hybrid: true}, []string{"mfa.rdp.no_nla"}},
		{"negotiate, NLA off", rdpPolicy{standard: true, ssl: true, hybrid: true}, []string{"mfa.rdp.no_nla", "mfa.rdp.standard_security"}},
		{"standard security only", rdpPolicy{standard: true}, []string{"mfa.rdp.no_nla", "mfa.rdp.standard_security"}},
		{"legacy, no negotiation", rdpPolicy{legacy: true}, []string{"mfa.rdp.no_nla", "mfa.rdp.standard_security"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr, j := rdpServer(t, tc.policy)
			target := "rdp://" + addr
			res := scanOne(t, target)
			tgt := target + "/"
			assertFindings(t, res, tgt, tc.want...)
			assertCompleted(t, res, tgt, "mfa.rdp.")
			for _, f := range res.Findings {
				if f.Confidence != checks.Confirmed || f.Evidence["tls_only_request"] == nil {
					t.Errorf("%s: %s evidence %v", f.Check, f.Confidence, f.Evidence)
				}
			}
			for _, l := range j.all() {
				if l[:5] == "after" {
					t.Errorf("client went on after the Connection Confirm: %s", l)
				}
			}
		})
	}
}

// TestRDPHostile: an answer that is not RDP is a protocol mismatch, never a finding.
func TestRDPHostile(t *testing.T) {
	addr := serve(t, func(c net.Conn) {
		buf := make([]byte, 19)
		if _, err := io.ReadFull(c, buf); err != nil {
			return
		}
		// A Connection Confirm (so detection says RDP) whose negotiation data is truncated.
		c.Write([]byte{0x03, 0x00, 0x00, 0x0e, 0x09, 0xd0, 0, 0, 0x12, 0x34, 0, 0x02, 0x00, 0x08})
	})
	target := "rdp://" + addr
	res := checkstest.ScanWith(t, checks.Options{Checks: mfaChecks(), IOTimeout: time.Second}, target)
	assertFindings(t, res, target+"/")
	for _, id := range []string{"mfa.rdp.no_nla", "mfa.rdp.standard_security"} {
		a, _ := checkstest.Attempt(res, id, target+"/")
		if a.Status != checks.StatusError || a.Reason != checks.ReasonProtocolMismatch {
			t.Errorf("%s: %s %s (%s)", id, a.Status, a.Reason, a.Error)
		}
	}
}
