package checks

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Shard is part K of N of a scan spread over machines (1 <= K <= N). Each endpoint belongs to
// exactly one part, chosen by a hash of its name (Endpoint.String), not by its position in a
// list: every machine expanding the same scope agrees on the split, whatever order it listed
// the targets in. The zero Shard is the whole scan.
type Shard struct {
	K int `json:"k"`
	N int `json:"n"`
}

// ParseShard reads "K/N".
func ParseShard(s string) (Shard, error) {
	k, n, ok := strings.Cut(strings.TrimSpace(s), "/")
	ki, err1 := strconv.Atoi(k)
	ni, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || ni < 1 || ki < 1 || ki > ni || ni > 10000 {
		return Shard{}, fmt.Errorf("shard %q: want K/N with 1 <= K <= N <= 10000, e.g. 2/4", s)
	}
	return Shard{K: ki, N: ni}, nil
}

// Whole reports whether the shard is the whole scan (no --shard, or 1/1).
func (s Shard) Whole() bool { return s.N <= 1 }

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.K, s.N) }

// Holds reports whether the endpoint named name belongs to this part.
func (s Shard) Holds(name string) bool {
	if s.Whole() {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()%uint64(s.N) == uint64(s.K-1)
}
