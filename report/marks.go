package report

import (
	"cmp"
	"slices"
	"strings"

	"github.com/telesra/telesra/report/register"
)

// Answer marks: what the scan says of an answer, as every writer prints it.
const (
	markContradicted = "contradicted"
	markVerified     = "verified by scan"
)

// answerMark is one answer the scan contradicts or verifies, with what the mark rests on:
// findings for a contradiction, the checks that passed for a verification.
type answerMark struct {
	Question string
	Answer   string // the answer's short label: Implemented, Partly
	State    string // markContradicted or markVerified
	Rules    []string
	Reasons  []string
	Evidence []string
	Assets   []string
}

// Why is the mark's reasons in one sentence.
func (m answerMark) Why() string { return strings.Join(m.Reasons, "; ") }

// answerMarks lists the register's contradicted and verified answers by question ID.
func answerMarks(reg *register.Register) []answerMark {
	var out []answerMark
	for _, c := range reg.Contradictions {
		out = append(out, answerMark{Question: c.Question, Answer: c.Status.Short(), State: markContradicted,
			Rules: c.Rules, Reasons: c.Reasons, Evidence: c.Findings, Assets: c.Assets})
	}
	for _, v := range reg.Verifications {
		out = append(out, answerMark{Question: v.Question, Answer: v.Status.Short(), State: markVerified,
			Rules: v.Rules, Reasons: v.Reasons, Evidence: v.Checks, Assets: v.Assets})
	}
	slices.SortStableFunc(out, func(a, b answerMark) int { return cmp.Compare(a.Question, b.Question) })
	return out
}

// markOf returns the mark of one question's answer, if the scan contradicts or verifies it.
func markOf(reg *register.Register, question string) (answerMark, bool) {
	for _, m := range answerMarks(reg) {
		if m.Question == question {
			return m, true
		}
	}
	return answerMark{}, false
}

// contradictedText lists a risk's contradicted answers, one line each:
// "tele.vpn (Implemented): <reasons> (findings ...)".
func contradictedText(k *register.Risk) []string {
	var out []string
	for _, c := range k.Contradicted {
		out = append(out, cleanText(c.Question+" ("+c.Status.Short()+"): "+strings.Join(c.Reasons, "; ")+" (findings "+strings.Join(c.Findings, ", ")+")"))
	}
	return out
}

// verifiedText lists a risk's controls the scan verifies, one line each:
// "tele.tls-patient: <summary>".
func verifiedText(k *register.Risk) []string {
	var out []string
	for _, c := range k.Controls {
		if c.Verified != nil {
			out = append(out, cleanText(c.Question+": "+c.Verified.Summary()))
		}
	}
	return out
}
