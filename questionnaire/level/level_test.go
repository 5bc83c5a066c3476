package level

import (
	"strings"
	"testing"
)

func TestLevels(t *testing.T) {
	for l := VeryLow; l <= VeryHigh; l++ {
		got, err := Parse(l.ID())
		if err != nil || got != l {
			t.Errorf("Parse(%q) = %v, %v", l.ID(), got, err)
		}
		if got, _ := Parse(l.String()); got != l {
			t.Errorf("Parse(%q) = %v", l.String(), got)
		}
	}
	if _, err := Parse("medium"); err == nil {
		t.Error("medium accepted")
	}
	values := []int{0, 2, 5, 8, 10}
	for l := VeryLow; l <= VeryHigh; l++ {
		if l.Value() != values[l-1] {
			t.Errorf("%v.Value() = %d", l, l.Value())
		}
	}
	// NIST SP 800-30 Rev. 1 Table I-2, as printed in the reference (rows likelihood VH..VL).
	table := map[Level]string{VeryHigh: "VL L M H VH", High: "VL L M H VH", Moderate: "VL L M M H", Low: "VL L L L M", VeryLow: "VL VL VL L L"}
	abbrev := map[Level]string{VeryLow: "VL", Low: "L", Moderate: "M", High: "H", VeryHigh: "VH"}
	for li, row := range table {
		var got []string
		for im := VeryLow; im <= VeryHigh; im++ {
			got = append(got, abbrev[Risk(li, im)])
		}
		if strings.Join(got, " ") != row {
			t.Errorf("likelihood %v: %s, want %s", li, strings.Join(got, " "), row)
		}
	}
}
