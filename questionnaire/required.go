package questionnaire

import (
	"fmt"
	"strings"
)

// naAllowance is a Required implementation specification the Rule itself scopes to some
// entities only, so "not applicable" can be true of it: why, and what else the answers must
// record for it to be (nil: the reason in notes is enough).
type naAllowance struct {
	why    string
	needs  func(*Answers) bool
	unless string // what to record when needs does not hold
}

// noBusinessAssociates: the practice recorded that no vendor handles its ePHI, by answering the
// vendor inventory question not applicable with its reason.
func noBusinessAssociates(a *Answers) bool { return a.Get("vendor.inventory").Status == NotApplicable }

// naAllowed lists the Required specifications that do not apply to every covered entity
// (45 CFR 164.308-164.316; /work/shared/reference/hipaa-security-rule.md). Every other
// Required specification applies to every covered entity: 164.306(d)(2) requires it to be
// implemented, so "not applicable" would waive what the Rule does not let anyone waive.
var naAllowed = map[string]naAllowance{
	"164.314(b)(2)": {why: "plan document provisions apply only to group health plans (164.314(b)(1))"},
	"164.308(a)(4)(ii)(A)": {why: "isolating clearinghouse functions applies only to a health care clearinghouse " +
		"that is part of a larger organization"},
	"164.314(a)(2)(ii)": {why: "other arrangements apply only when the covered entity and its business associate " +
		"are both government entities"},
	"164.314(a)(2)(iii)": {why: "subcontractor contracts apply only to a business associate with subcontractors"},
	"164.308(b)(3)": {why: "business associate contracts apply only to a practice with business associates",
		needs: noBusinessAssociates, unless: `record that no vendor handles the practice's ePHI first: answer vendor.inventory "not_applicable" with the reason`},
	"164.314(a)(2)(i)": {why: "business associate contracts apply only to a practice with business associates",
		needs: noBusinessAssociates, unless: `record that no vendor handles the practice's ePHI first: answer vendor.inventory "not_applicable" with the reason`},
}

// naAllowedQuestions are questions about what was done when an event occurred: the Required
// specification applies, but the question has nothing to ask of a practice where the event has
// not happened yet, which the reason in notes must say.
var naAllowedQuestions = map[string]string{
	// 164.308(a)(1)(ii)(C): sanctions are applied against workforce members who fail to comply;
	// the policy itself is gov.sanctions, which stays Required.
	"gov.sanctions-applied": "sanctions can only have been applied once the policy was broken",
}

// NotApplicableRefusal says why "not applicable" may not be the answer to q, given the other
// answers, or returns "" when it may. It is refused for a question that demands a Required
// implementation specification the Rule applies to every covered entity; questions that only
// support a paragraph, best practice and proposed-rule questions may be not applicable.
func NotApplicableRefusal(q *Question, a *Answers) string {
	if !q.Scored() {
		return ""
	}
	if _, ok := naAllowedQuestions[q.ID]; ok {
		return ""
	}
	var refused []string
	for _, c := range q.Citations {
		if c.Kind != "required" {
			continue
		}
		allow, ok := naAllowed[c.Citation]
		switch {
		case !ok:
			refused = append(refused, fmt.Sprintf("%s (%s) is a Required implementation specification that applies to every covered entity (45 CFR 164.306(d)(2))",
				c.Citation, c.Name))
		case allow.needs != nil && (a == nil || !allow.needs(a)):
			refused = append(refused, fmt.Sprintf("%s (%s) is Required: %s; %s", c.Citation, c.Name, allow.why, allow.unless))
		}
	}
	if len(refused) == 0 {
		return ""
	}
	return `"not applicable" is refused: ` + strings.Join(refused, "; ") + `; answer implemented, partial, not implemented or don't know`
}
