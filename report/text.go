package report

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/telesra/telesra/questionnaire/level"
	"github.com/telesra/telesra/report/register"

	"github.com/telesra/telesra/checks"
)

// maxEvidenceValue bounds one evidence value in the human formats; the JSON and OSCAL keep the
// scan's own (already bounded) text.
const maxEvidenceValue = 1200

// cleanText makes text from a scan or a hand-edited file safe for a report: control characters
// become visible \xNN escapes (checks.CleanText), so a hostile banner can neither break a
// layout nor smuggle escape sequences into a terminal or spreadsheet.
func cleanText(s string) string { return checks.CleanText(s, 0) }

// evidenceLines renders a finding's evidence as "key: value" lines, keys sorted, non-string
// values as JSON, each value cleaned and cut to maxEvidenceValue characters.
func evidenceLines(ev map[string]any) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(ev)) {
		var v string
		switch x := ev[k].(type) {
		case string:
			v = x
		default:
			b, err := json.Marshal(x)
			if err != nil {
				v = fmt.Sprint(x)
			} else {
				v = string(b)
			}
		}
		out = append(out, checks.Clean(k, 80)+": "+checks.CleanText(v, maxEvidenceValue))
	}
	return out
}

// hardWrap breaks every line of s into pieces of at most width runes, at spaces when it can
// and inside a word when it must: a 10 kB line without a space still fits a page or a code block.
func hardWrap(s string, width int) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		r := []rune(line)
		for len(r) > width {
			cut := width
			for i := width; i > width/2; i-- {
				if r[i] == ' ' {
					cut = i
					break
				}
			}
			out = append(out, strings.TrimRight(string(r[:cut]), " "))
			r = []rune(strings.TrimLeft(string(r[cut:]), " "))
		}
		out = append(out, string(r))
	}
	return out
}

// levelOrDash prints a level, or a dash for a risk that has none (one only the plan remembers).
func levelOrDash(l register.Level) string {
	if l < level.VeryLow {
		return "-"
	}
	return l.String()
}

// citationLabels prints a risk's citations with their kind: "164.312(d) (S)".
func citationLabels(k *register.Risk) []string {
	out := make([]string, len(k.Citations))
	for i, c := range k.Citations {
		out[i] = c.Label()
	}
	return out
}

// evidenceIDs lists a risk's evidence: finding IDs and answer IDs.
func evidenceIDs(k *register.Risk) []string {
	out := make([]string, 0, len(k.Findings)+len(k.Answers))
	for _, f := range k.Findings {
		out = append(out, "finding "+f)
	}
	for _, a := range k.Answers {
		out = append(out, "answer "+a)
	}
	return out
}

// threatText is "adversarial: an attacker ...".
func threatText(k *register.Risk) string {
	if k.ThreatSource == "" {
		return k.ThreatEvent
	}
	return k.ThreatSource + ": " + k.ThreatEvent
}

// controlsText lists existing controls in one line each.
func controlsText(k *register.Risk) []string {
	var out []string
	for _, c := range k.Controls {
		s := c.Question + " (" + c.Status.Short() + ")"
		if c.Notes != "" {
			s += ": " + c.Notes
		}
		if c.Verified != nil {
			s += " [" + markVerified + "]"
		}
		out = append(out, cleanText(s))
	}
	return out
}

// statusText is the status with its acceptance or note: "Accepted by Dr Lee until 2027-01-31".
func statusText(k *register.Risk) string {
	s := k.Status.Label()
	if k.Status == register.StatusAccepted && k.Acceptance != nil {
		who := k.Acceptance.Approver
		if k.Acceptance.Role != "" {
			who += " (" + k.Acceptance.Role + ")"
		}
		// The reason is printed wherever the acceptance is: an acceptance is only as good as it.
		s += fmt.Sprintf(" by %s until %s: %s", who, k.Acceptance.Expires, k.Acceptance.Reason)
		if len(k.Acceptance.Overrides) > 0 {
			s += " (overrides " + strings.Join(k.Acceptance.Overrides, "; ") + ")"
		}
	}
	return cleanText(s)
}
