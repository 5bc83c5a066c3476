package checks

import (
	"strings"
	"testing"
	"time"
)

func TestSuppressionsExpireAndMatch(t *testing.T) {
	file := `suppressions:
  - check: tls.protocol.tls1_0
    target: "10.0.0.*:443"
    reason: legacy lab analyser, isolated VLAN
    expires: 2026-12-31
    approved_by: Dr A. Lee
  - id: 0123456789abcdef
    reason: accepted until the portal migration
    expires: 2026-11-01
    approved_by: J. Smith
  - check: web.*
    reason: web findings on the staging box
    target: "https://staging.example.org/*"
    expires: 2027-01-31
    approved_by: J. Smith
`
	ss, err := ParseSuppressions(".telesra-ignore.yaml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	if ss.Entries[1].Source.Line != 7 {
		t.Errorf("second entry at line %d, want 7", ss.Entries[1].Source.Line)
	}
	fs := []Finding{
		{ID: "aaaaaaaaaaaaaaaa", Check: "tls.protocol.tls1_0", Target: "10.0.0.5:443"},
		{ID: "bbbbbbbbbbbbbbbb", Check: "tls.protocol.tls1_0", Target: "10.0.1.5:443"},
		{ID: "0123456789abcdef", Check: "mfa.ssh.password_auth", Target: "10.0.0.9:22"},
		{ID: "cccccccccccccccc", Check: "web.git-exposed", Target: "https://staging.example.org/app/"},
	}
	today := time.Date(2026, 11, 22, 15, 0, 0, 0, time.UTC)
	n, expired := ss.Apply(fs, today)
	if n != 2 {
		t.Errorf("suppressed %d, want 2", n)
	}
	if !fs[0].Suppressed() || fs[1].Suppressed() || fs[2].Suppressed() || !fs[3].Suppressed() {
		t.Errorf("suppressed flags: %v %v %v %v", fs[0].Suppressed(), fs[1].Suppressed(), fs[2].Suppressed(), fs[3].Suppressed())
	}
	// The id entry expired on 2026-11-01: it no longer suppresses and is reported.
	if len(expired) != 1 || expired[0].ID != "0123456789abcdef" {
		t.Errorf("expired = %+v", expired)
	}
	// Valid through the expiry day, expired the day after.
	last := time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC)
	if ss.Entries[0].Expired(last) || !ss.Entries[0].Expired(last.Add(2*time.Minute)) {
		t.Error("expiry day handling")
	}
}

func TestSuppressionsRejectIncompleteEntries(t *testing.T) {
	cases := []struct{ name, text, at string }{
		{"no reason", "suppressions:\n  - check: tls.protocol.tls1_0\n    expires: 2027-01-01\n    approved_by: X\n", "ignore.yaml:2:5"},
		{"no expiry", "suppressions:\n  - check: tls.protocol.tls1_0\n    reason: because\n    approved_by: X\n", "ignore.yaml:2:5"},
		{"no selector", "suppressions:\n  - reason: because\n    expires: 2027-01-01\n    approved_by: X\n", "ignore.yaml:2:5"},
		{"bad date", "suppressions:\n  - check: a.b\n    reason: because\n    expires: next year\n    approved_by: X\n", "ignore.yaml:4:14: suppressions[0].expires"},
		{"unknown field", "suppressions:\n  - check: a.b\n    reason: because\n    expires: 2027-01-01\n    approved_by: X\n    severity: low\n", "ignore.yaml:2:5"},
	}
	for _, c := range cases {
		_, err := ParseSuppressions("ignore.yaml", []byte(c.text))
		if err == nil || !strings.Contains(err.Error(), c.at) {
			t.Errorf("%s: %v (want an error at %s)", c.name, err, c.at)
		}
	}
}

func TestCleanNeutralisesTerminalEscapes(t *testing.T) {
	in := "nginx/1.2\x1b[31m red \x1b]0;title\x07\r\nX-Evil: 1\u202e\xff"
	got := Clean(in, 0)
	if strings.ContainsAny(got, "\x1b\x07\r\n\u202e") {
		t.Errorf("Clean left control characters: %q", got)
	}
	if !strings.Contains(got, `\x1b[31m`) || !strings.Contains(got, "\ufffd") {
		t.Errorf("Clean = %q", got)
	}
	if got := Clean(strings.Repeat("a", 1<<20), 100); len([]rune(got)) != 101 {
		t.Errorf("Clean did not cut a 1 MB line: %d runes", len([]rune(got)))
	}
	if got := CleanText("line one\nline\x1b two", 0); got != "line one\nline\\x1b two" {
		t.Errorf("CleanText = %q", got)
	}
}
