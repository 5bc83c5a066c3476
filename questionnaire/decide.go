package questionnaire

import (
	"fmt"
	"strings"
	"time"

	"github.com/telesra/telesra/templates/hipaa"
)

// DecisionError is a decision refused before it is recorded: what is wrong with it, each
// problem in words naming the field, and the rule it breaks.
type DecisionError struct {
	Citation string
	Problems []string
}

func (e *DecisionError) Error() string {
	return fmt.Sprintf("decision on %s not recorded (45 CFR 164.306(d)(3)): %s", e.Citation, strings.Join(e.Problems, "; "))
}

// CheckDecision says why a decision on citation cannot be recorded, as answers.yaml's
// validation would, plus what a file cannot show: a measure given with a decision that has
// none, and a date after today (YYYY-MM-DD). nil: it can be recorded.
func CheckDecision(citation string, d Decision, today string) error {
	c, ok := hipaa.LookupCitation(citation)
	switch {
	case !ok:
		return &DecisionError{Citation: citation, Problems: []string{fmt.Sprintf("%q is not a standard or implementation specification of the Security Rule "+
			"(45 CFR 164.308-164.316): decisions are recorded on an Addressable specification's citation, such as \"164.312(a)(2)(iv)\"", citation)}}
	case c.Kind == "required":
		return &DecisionError{Citation: citation, Problems: []string{fmt.Sprintf("%s (%s) is a Required implementation specification: it must be implemented "+
			"(45 CFR 164.306(d)(2)), so there is nothing to decide", citation, c.Name)}}
	case c.Kind != "addressable":
		return &DecisionError{Citation: citation, Problems: []string{fmt.Sprintf("%s (%s) is a standard: decisions are recorded on its Addressable "+
			"implementation specifications", citation, c.Name)}}
	}
	probs := d.Problems()
	if d.Measure != "" && d.Decision != DecisionAlternative {
		probs = append(probs, fmt.Sprintf("measure: only an equivalent alternative measure (alternative) has one, not %s", d.Decision))
	}
	if day, err := time.Parse(time.DateOnly, d.Date); err == nil && today != "" && d.Date > today {
		probs = append(probs, fmt.Sprintf("date: %s is after today (%s): record a decision once it is made", day.Format(time.DateOnly), today))
	}
	if len(probs) > 0 {
		return &DecisionError{Citation: citation, Problems: probs}
	}
	return nil
}
