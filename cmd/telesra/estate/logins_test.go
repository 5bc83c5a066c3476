package estate

import (
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/telesra/telesra/checks/checkstest"
	"github.com/telesra/telesra/checks/mfa"
)

// TestDemoLogins scans the demo's SSH server and staff portal with the mfa family: each shows its
// weakness, and neither ever receives a credential.
func TestDemoLogins(t *testing.T) {
	var mu sync.Mutex
	var methods []string
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stop, err := serveSSH(ln, func(m string) {
		mu.Lock()
		methods = append(methods, m)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()

	var authHeaders []string
	cfg, err := selfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	portal := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if h := r.Header.Get("Authorization"); h != "" {
			authHeaders = append(authHeaders, h)
		}
		mu.Unlock()
		staffPortal().ServeHTTP(w, r)
	}))
	portal.TLS = cfg
	portal.StartTLS()
	defer portal.Close()

	sshTarget := ln.Addr().String()
	res := checkstest.Scan(t, mfa.Family(mfa.Options{}).Checks, sshTarget, portal.URL)
	if got := checkstest.FindingsOf(res, sshTarget); !slices.Equal(got, []string{"mfa.ssh.password_auth"}) {
		t.Errorf("SSH findings %v", got)
	}
	if got := checkstest.FindingsOf(res, portal.URL+"/"); !slices.Equal(got, []string{"mfa.http.basic_auth"}) {
		t.Errorf("portal findings %v", got)
	}
	for _, f := range res.Findings {
		if f.Check == "mfa.http.basic_auth" && !strings.Contains(f.Title, staffRealm) {
			t.Errorf("title %q lacks the realm", f.Title)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(methods, []string{"none"}) {
		t.Errorf("demo SSH server saw methods %v, want only none", methods)
	}
	if len(authHeaders) > 0 {
		t.Errorf("demo portal received credentials: %v", authHeaders)
	}
}
