package patch

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestStaleNoticeUsesTheScansClock: whether the knowledge base is too old is judged by the
// scan's clock, not the machine's: a scan dated the day after the newest source gets no
// notice, one dated a year after every source gets one naming the refresh.
func TestStaleNoticeUsesTheScansClock(t *testing.T) {
	kb, err := LoadKB("")
	if err != nil {
		t.Fatal(err)
	}
	var newest, oldest time.Time
	for _, s := range kb.Sources() {
		d, err := time.Parse(time.DateOnly, s.Date)
		if err != nil {
			t.Fatalf("source %s: date %q", s.Name, s.Date)
		}
		if newest.IsZero() || d.After(newest) {
			newest = d
		}
		if oldest.IsZero() || d.Before(oldest) {
			oldest = d
		}
	}
	for _, tc := range []struct {
		name  string
		now   time.Time
		stale bool
	}{
		{"fresh", oldest.Add(24 * time.Hour), false},
		{"a year on", newest.AddDate(1, 0, 0), true},
	} {
		var notices []string
		fam := Family(Options{Notice: func(s string) { notices = append(notices, s) }, Now: func() time.Time { return tc.now }})
		closeFn, err := fam.Open(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		closeFn()
		got := slices.ContainsFunc(notices, func(s string) bool { return strings.Contains(s, "telesra feeds update") })
		if got != tc.stale {
			t.Errorf("%s (scan dated %s): notices %q, want stale %v", tc.name, tc.now.Format(time.DateOnly), notices, tc.stale)
		}
	}
}
