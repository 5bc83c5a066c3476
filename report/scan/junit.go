package scan

import (
	"fmt"
	"io"
	"strings"

	"github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/telesra/telesra/checks"
)

// JUnit writes one test suite per target and one test case per check: a failure for findings at
// or above Threshold, an error when the check could not run (never a pass), skipped when the
// check does not apply. Suppressed findings pass, with a note in system-out.
type JUnit struct {
	Threshold checks.Severity
}

func (j JUnit) Write(w io.Writer, r *checks.Result) error {
	byAttempt := map[string][]checks.Finding{}
	for _, f := range r.Findings {
		k := f.Check + "\x00" + f.Target
		byAttempt[k] = append(byAttempt[k], f)
	}
	suites := junit.Testsuites{Name: "telesra"}
	var cur *junit.Testsuite
	flush := func() {
		if cur != nil {
			suites.AddSuite(*cur)
		}
	}
	for _, a := range r.Attempts { // sorted by target, then check
		if cur == nil || cur.Name != a.Target {
			flush()
			cur = &junit.Testsuite{Name: a.Target, ID: len(suites.Suites), Time: "0"}
			cur.SetTimestamp(r.StartedAt)
		}
		tc := junit.Testcase{
			Name:      a.Check,
			Classname: strings.SplitN(a.Check, ".", 2)[0],
			Time:      fmt.Sprintf("%.3f", float64(a.DurationMS)/1000),
		}
		switch a.Status {
		case checks.StatusNotApplicable:
			tc.Skipped = &junit.Result{Message: "not applicable to this service"}
		case checks.StatusError:
			tc.Error = &junit.Result{Message: fmt.Sprintf("check could not run: %s", a.Reason), Type: string(a.Reason), Data: a.Error}
		default:
			var failing, accepted []string
			for _, f := range byAttempt[a.Check+"\x00"+a.Target] {
				line := fmt.Sprintf("[%s] %s: %s (finding %s; HIPAA %s)", f.Severity, f.Title, f.Detail, f.ID, strings.Join(f.HIPAA, ", "))
				switch {
				case f.Suppressed():
					accepted = append(accepted, line+" - suppressed: "+f.Suppression.Reason)
				case f.Severity >= j.Threshold:
					failing = append(failing, line)
				default:
					accepted = append(accepted, line+" - below the failure threshold")
				}
			}
			if len(failing) > 0 {
				tc.Failure = &junit.Result{
					Message: fmt.Sprintf("%d finding(s) at or above %s", len(failing), j.Threshold),
					Type:    "finding",
					Data:    strings.Join(failing, "\n"),
				}
			}
			if len(accepted) > 0 {
				tc.SystemOut = &junit.Output{Data: strings.Join(accepted, "\n")}
			}
		}
		cur.AddTestcase(tc)
	}
	flush()
	if _, err := io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"); err != nil {
		return err
	}
	return suites.WriteXML(w)
}
