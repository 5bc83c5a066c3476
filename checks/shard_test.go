package checks

import (
	"fmt"
	"testing"
)

// TestShardSplitIsStable: every endpoint belongs to exactly one part, and to the same part on
// every machine and in every release (the parts of one scan may be run by different builds'
// machines only if this holds, so the assignments are pinned).
func TestShardSplitIsStable(t *testing.T) {
	for name, k := range map[string]int{"10.20.0.5:443": 1, "https://portal.acme.example/": 2, "mail.acme.example:25": 2} {
		for part := 1; part <= 4; part++ {
			if got := (Shard{K: part, N: 4}).Holds(name); got != (part == k) {
				t.Errorf("%s in part %d/4: %v, want it in part %d only", name, part, got, k)
			}
		}
	}
	for i := range 200 {
		name := fmt.Sprintf("10.0.%d.%d:443", i/250, i%250)
		n := 0
		for part := 1; part <= 3; part++ {
			if (Shard{K: part, N: 3}).Holds(name) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s is in %d of 3 parts, want 1", name, n)
		}
	}
}

func TestParseShard(t *testing.T) {
	if s, err := ParseShard("2/4"); err != nil || s != (Shard{K: 2, N: 4}) {
		t.Errorf("2/4: %+v %v", s, err)
	}
	for _, bad := range []string{"", "0/4", "5/4", "2", "a/b", "1/0", "-1/4", "2/4/1"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
