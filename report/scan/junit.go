package scan

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/telesra/telesra/checks"
)

// JUnit writes one test suite per target and one test case per check: a failure for findings at
// or above Threshold, an error when the check could not run (never a pass), skipped when the
// check does not apply. Suppressed findings pass, with a note in system-out. An endpoint that
// could not be scanned is one error case, not one per check: its checks never ran.
//
// The document is valid against the Jenkins/xunit JUnit schema (testdata/schemas/
// jenkins-junit.xsd), which GitLab and Jenkins parse: no skipped count on <testsuites>, and
// <skipped> carries its reason as text, not as an attribute.
type JUnit struct {
	Threshold checks.Severity
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr"`
	ID        int         `xml:"id,attr"`
	Cases     []junitCase `xml:"testcase"`
	ms        int64
}

// junitCase keeps the schema's element order: skipped, error, failure, system-out.
type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Skipped   *string       `xml:"skipped"`
	Error     *junitProblem `xml:"error"`
	Failure   *junitProblem `xml:"failure"`
	SystemOut *junitText    `xml:"system-out"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Data    string `xml:",cdata"`
}

type junitText struct {
	Data string `xml:",cdata"`
}

func seconds(ms int64) string { return fmt.Sprintf("%.3f", float64(ms)/1000) }

func (j JUnit) Write(w io.Writer, r *checks.Result) error {
	byAttempt := map[string][]checks.Finding{}
	for _, f := range r.Findings {
		k := f.Check + "\x00" + f.Target
		byAttempt[k] = append(byAttempt[k], f)
	}
	down := map[string]checks.EndpointResult{}
	for _, e := range r.Endpoints {
		if e.Status != checks.StatusCompleted {
			down[e.Target] = e
		}
	}
	doc := junitSuites{Name: "telesra"}
	var cur *junitSuite
	suite := func(target string) *junitSuite {
		if cur == nil || cur.Name != target {
			doc.Suites = append(doc.Suites, junitSuite{Name: target, ID: len(doc.Suites), Timestamp: r.StartedAt.UTC().Format(time.RFC3339)})
			cur = &doc.Suites[len(doc.Suites)-1]
		}
		return cur
	}
	for _, a := range r.Attempts { // sorted by target, then check
		s := suite(a.Target)
		if e, ok := down[a.Target]; ok {
			if len(s.Cases) == 0 {
				msg := fmt.Sprintf("endpoint could not be scanned: %s", e.Reason)
				s.Cases = append(s.Cases, junitCase{Name: "reachable", Classname: "endpoint", Time: seconds(0),
					Error: &junitProblem{Message: msg, Type: string(e.Reason), Data: e.Error}})
				s.Errors++
			}
			continue
		}
		tc := junitCase{Name: a.Check, Classname: strings.SplitN(a.Check, ".", 2)[0], Time: seconds(a.DurationMS)}
		s.ms += a.DurationMS
		switch a.Status {
		case checks.StatusNotApplicable:
			reason := "not applicable to this service"
			tc.Skipped = &reason
			s.Skipped++
		case checks.StatusError:
			tc.Error = &junitProblem{Message: fmt.Sprintf("check could not run: %s", a.Reason), Type: string(a.Reason), Data: a.Error}
			s.Errors++
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
				tc.Failure = &junitProblem{
					Message: fmt.Sprintf("%d finding(s) at or above %s", len(failing), j.Threshold),
					Type:    "finding",
					Data:    strings.Join(failing, "\n"),
				}
				s.Failures++
			}
			if len(accepted) > 0 {
				tc.SystemOut = &junitText{Data: strings.Join(accepted, "\n")}
			}
		}
		s.Cases = append(s.Cases, tc)
	}
	var total int64
	for i := range doc.Suites {
		s := &doc.Suites[i]
		s.Tests = len(s.Cases)
		s.Time = seconds(s.ms)
		total += s.ms
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
	}
	doc.Time = seconds(total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "\t")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}
