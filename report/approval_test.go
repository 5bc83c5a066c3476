package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/telesra/telesra/templates/datafile"
)

// TestApprovalCountsOnlyWhileCurrent: a superseded approval is named on the cover and in the
// sign-off but never counted; a current one beside it is what the cover says. The JSON register
// carries both, marked, and matches its schema.
func TestApprovalCountsOnlyWhileCurrent(t *testing.T) {
	old := Approval{By: "Dr A. Lee", Role: "Practice owner", Date: "2026-11-20", Digest: "sha256:" + strings.Repeat("ab", 32)}
	cur := Approval{By: "Maria Lopez", Role: "Security official", Date: "2026-11-22", Digest: "sha256:" + strings.Repeat("0c", 32), Current: true}
	cases := []struct {
		name      string
		approvals []Approval
		cover     string
		signoff   []string
	}{
		{"none", nil, "Not approved: no approval has been recorded", []string{"has not been approved electronically"}},
		{"superseded", []Approval{old}, "Not approved: the approval by Dr A. Lee on 2026-11-20 was of an earlier state of the assessment (its inputs changed since)",
			[]string{"has not been approved electronically", "Superseded: the approval by Dr A. Lee (Practice owner) on 2026-11-20 was of inputs sha256 abababababab"}},
		{"superseded and current", []Approval{old, cur}, "Approved by Maria Lopez (Security official) on 2026-11-22",
			[]string{"Superseded: the approval by Dr A. Lee", "Approved by Maria Lopez (Security official) on 2026-11-22, inputs sha256 0c0c0c0c0c0c"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := fixtureReport(t, nil)
			r.Approvals = c.approvals
			_, pages := pdfOf(t, r)
			cover := strings.Join(strings.Fields(pages[0]), " ")
			if !strings.Contains(cover, "Approval "+c.cover) {
				t.Errorf("cover lacks %q:\n%s", c.cover, cover)
			}
			if c.name == "superseded" && strings.Contains(cover, "Approved by") {
				t.Error("the cover counts a superseded approval")
			}
			all := strings.Join(strings.Fields(strings.Join(pages, " ")), " ")
			for _, want := range c.signoff {
				if !strings.Contains(all, want) {
					t.Errorf("sign-off lacks %q", want)
				}
			}
			out := render(t, func(w *bytes.Buffer, r *Report) error { return WriteJSON(w, r) }, r)
			root, err := datafile.ParseYAML("risk-register.json", out)
			if err != nil {
				t.Fatal(err)
			}
			if err := datafile.ValidateNode("risk-register.json", root, "register.schema.json"); err != nil {
				t.Errorf("the JSON register does not match its schema: %v", err)
			}
			if n := bytes.Count(out, []byte(`"current": `)); n != len(c.approvals) {
				t.Errorf("JSON has %d approvals, want %d", n, len(c.approvals))
			}
		})
	}
}
