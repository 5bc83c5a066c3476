package estate

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
	tlscheck "github.com/telesra/telesra/checks/tls"
)

// TestTLSServices: the demo's HTTPS services show the weaknesses the demo advertises, and the
// well-configured portal none.
func TestTLSServices(t *testing.T) {
	e, err := Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ca, err := os.ReadFile(e.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	fam, err := tlscheck.Family(tlscheck.Options{CAFile: e.CAFile, CA: ca})
	if err != nil {
		t.Fatal(err)
	}
	var targets []string
	want := map[string][]string{}
	for _, s := range e.Services {
		if s.Family != "tls" {
			continue
		}
		targets = append(targets, s.Target)
		switch {
		case strings.Contains(s.Name, "legacy"):
			want[s.Target] = []string{"tls.protocol.tls1_0", "tls.protocol.tls1_1", "tls.cipher.3des", "tls.hsts.missing"}
		case strings.Contains(s.Name, "expired"):
			want[s.Target] = []string{"tls.cert.expired"}
		case strings.Contains(s.Name, "another host"):
			want[s.Target] = []string{"tls.cert.hostname_mismatch"}
		default:
			want[s.Target] = nil
		}
	}
	if len(targets) != 4 {
		t.Fatalf("%d HTTPS demo services, want 4", len(targets))
	}
	res := checkstest.ScanWith(t, checks.Options{Checks: fam.Checks, HostConns: 32}, targets...)
	for _, tg := range targets {
		got := checkstest.FindingsOf(res, tg)
		for _, w := range want[tg] {
			if !slices.Contains(got, w) {
				t.Errorf("%s: missing %s (got %v)", tg, w, got)
			}
		}
		if want[tg] == nil && len(got) > 0 {
			t.Errorf("%s: the well-configured portal has findings %v", tg, got)
		}
	}
}
