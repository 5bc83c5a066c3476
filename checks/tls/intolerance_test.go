package tls

import (
	"fmt"
	"slices"
	"testing"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
)

// TestLargeHelloIntolerance: a server that hangs up on ClientHellos over 600 bytes (telesra's
// full hello is about 1 KB) is still enumerated completely, with compact hellos in chunks,
// including a suite outside the compact set, and in its own order.
func TestLargeHelloIntolerance(t *testing.T) {
	p := newPKI(t)
	suites := []uint16{0x0041, 0xC02F, 0x009C} // RSA CAMELLIA128-SHA (outside the compact set), ECDHE-RSA-AES128-GCM, RSA AES128-GCM
	port := (&script{versions: []uint16{versionTLS12}, suites: suites, cert: p.Good.Cert.Raw, maxHello: 600}).serve(t)
	fam, err := Family(Options{})
	if err != nil {
		t.Fatal(err)
	}
	target := fmt.Sprintf("127.0.0.1:%d", port)
	res := checkstest.ScanWith(t, checks.Options{Checks: fam.Checks, HostConns: 16}, target)
	v := verdictsByTarget(t, res)[target]
	if v == nil {
		t.Fatalf("no verdict: %v", errorAttempts(res, target))
	}
	p12 := v.Report.Protocol(versionTLS12)
	var got []uint16
	for _, s := range p12.Suites {
		got = append(got, s.ID)
	}
	if !slices.Equal(got, suites) || p12.Preference != "server" {
		t.Errorf("got %v (%s), want %v in server order", names(got), p12.Preference, names(suites))
	}
	if p12.Note == "" {
		t.Errorf("no note that the server rejects large hellos")
	}
	t.Logf("%d connections: %s", v.Report.Connections, p12.Note)
}
