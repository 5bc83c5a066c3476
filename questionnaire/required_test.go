package questionnaire

import (
	"fmt"
	"strings"
	"testing"
)

func naFile(ids ...string) string {
	var b strings.Builder
	b.WriteString("schema_version: 1\nanswers:\n")
	for _, id := range ids {
		fmt.Fprintf(&b, "  %s:\n    status: not_applicable\n    notes: It does not apply to us.\n", id)
	}
	return b.String()
}

// TestNotApplicableRefusedOnRequiredSpecifications: answers.yaml may not answer "not
// applicable" to a question that demands a Required implementation specification the Rule
// applies to every covered entity; the error names file:line, the citation and the rule. Where
// the Rule scopes the specification (group health plans, clearinghouses, government entities,
// business associates' subcontractors, a practice without business associates), it may.
func TestNotApplicableRefusedOnRequiredSpecifications(t *testing.T) {
	b := DefaultBank()
	allowed := map[string]bool{
		"vendor.group-plan":              true, // 164.314(b)(2): group health plans only
		"people.clearinghouse-isolation": true, // 164.308(a)(4)(ii)(A): clearinghouses only
		"vendor.government":              true, // 164.314(a)(2)(ii): government entities only
		"vendor.subcontractors":          true, // 164.314(a)(2)(iii): business associates only
		"gov.sanctions-applied":          true, // nothing to apply until the policy is broken
	}
	refused := 0
	for _, q := range b.All() {
		required := ""
		for _, c := range q.Citations {
			if c.Kind == "required" {
				required = c.Citation
				break
			}
		}
		if required == "" || !q.Scored() || !q.Allows(NotApplicable) {
			continue
		}
		_, err := ParseAnswers("answers.yaml", []byte(naFile(q.ID)), b)
		switch {
		case allowed[q.ID] && err != nil:
			t.Errorf("%s: not applicable refused where the Rule allows it: %v", q.ID, err)
		case !allowed[q.ID] && err == nil:
			t.Errorf("%s (%s): not applicable accepted for a Required specification", q.ID, required)
		case !allowed[q.ID]:
			refused++
			if msg := err.Error(); !strings.HasPrefix(msg, "answers.yaml:4:") || !strings.Contains(msg, "Required") ||
				!strings.Contains(msg, q.Citations[0].Citation[:3]) {
				t.Errorf("%s: error %q lacks file:line or the rule", q.ID, msg)
			}
		}
	}
	// The examples, and a question that only supports its paragraph.
	for _, id := range []string{"gov.risk-analysis", "vendor.baa-all", "tech.unique-ids"} {
		if _, err := ParseAnswers("answers.yaml", []byte(naFile(id)), b); err == nil {
			t.Errorf("%s: not applicable accepted", id)
		}
	}
	if refused < 30 {
		t.Errorf("only %d questions refused not applicable", refused)
	}
	if _, err := ParseAnswers("answers.yaml", []byte(naFile("gov.vuln-scans")), b); err != nil {
		t.Errorf("gov.vuln-scans supports 164.308(a)(1)(ii)(A) without being required by it: %v", err)
	}
}

// TestBusinessAssociateSpecificationsNeedNoVendorsRecorded: the BAA questions may be not
// applicable only once the answers record that no vendor handles the practice's ePHI.
func TestBusinessAssociateSpecificationsNeedNoVendorsRecorded(t *testing.T) {
	b := DefaultBank()
	_, err := ParseAnswers("answers.yaml", []byte(naFile("vendor.baa-all")), b)
	if err == nil || !strings.Contains(err.Error(), "vendor.inventory") || !strings.Contains(err.Error(), "164.308(b)(3)") {
		t.Errorf("vendor.baa-all alone: %v", err)
	}
	// The inventory question comes after the BAA question in the file: order does not matter.
	if _, err := ParseAnswers("answers.yaml", []byte(naFile("vendor.baa-all", "vendor.baa-platform", "vendor.inventory")), b); err != nil {
		t.Errorf("with no vendors recorded: %v", err)
	}
}
