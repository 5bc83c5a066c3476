// Package level is the NIST SP 800-30 Rev. 1 qualitative scale (Very Low .. Very High) shared by
// the questionnaire's default likelihood and impact and the risk register.
package level

import (
	"fmt"
	"strings"
)

// Level is a value on the NIST SP 800-30 Rev. 1 qualitative scale shared by likelihood and
// impact. The zero value is no level.
type Level int

// The five levels, lowest first, so levels compare with < and >.
const (
	VeryLow Level = iota + 1
	Low
	Moderate
	High
	VeryHigh
)

var levelNames = [...]string{"", "Very Low", "Low", "Moderate", "High", "Very High"}

// levelIDs are the spellings used in the bank's YAML.
var levelIDs = [...]string{"", "very-low", "low", "moderate", "high", "very-high"}

// String is the level as NIST SP 800-30 prints it: "Very Low" .. "Very High".
func (l Level) String() string {
	if l < VeryLow || l > VeryHigh {
		return fmt.Sprintf("Level(%d)", int(l))
	}
	return levelNames[l]
}

// ID is the level as the bank's YAML spells it: "very-low" .. "very-high".
func (l Level) ID() string {
	if l < VeryLow || l > VeryHigh {
		return ""
	}
	return levelIDs[l]
}

// Value is the level on NIST SP 800-30's 0-10 semi-quantitative scale (0, 2, 5, 8, 10).
func (l Level) Value() int {
	switch l {
	case VeryLow:
		return 0
	case Low:
		return 2
	case Moderate:
		return 5
	case High:
		return 8
	case VeryHigh:
		return 10
	}
	return 0
}

// Parse reads "very-low", "Very Low", "very_low" and the like.
func Parse(s string) (Level, error) {
	norm := strings.NewReplacer(" ", "-", "_", "-").Replace(strings.ToLower(strings.TrimSpace(s)))
	for l := VeryLow; l <= VeryHigh; l++ {
		if levelIDs[l] == norm {
			return l, nil
		}
	}
	return 0, fmt.Errorf("unknown level %q (want very-low, low, moderate, high or very-high)", s)
}

// Risk is the level of risk for a likelihood and an impact: NIST SP 800-30 Rev. 1,
// Table I-2. It returns 0 when either input is not a level.
func Risk(likelihood, impact Level) Level {
	if likelihood < VeryLow || likelihood > VeryHigh || impact < VeryLow || impact > VeryHigh {
		return 0
	}
	// Rows: likelihood Very Low .. Very High; columns: impact Very Low .. Very High.
	table := [5][5]Level{
		{VeryLow, VeryLow, VeryLow, Low, Low},
		{VeryLow, Low, Low, Low, Moderate},
		{VeryLow, Low, Moderate, Moderate, High},
		{VeryLow, Low, Moderate, High, VeryHigh},
		{VeryLow, Low, Moderate, High, VeryHigh},
	}
	return table[likelihood-1][impact-1]
}
