package scan

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/telesra/telesra/checks"
)

// The Jenkins/xunit JUnit schema (testdata/schemas/jenkins-junit.xsd, copied from JUnit 5's
// repository, which tests its own reports with it).
const junitXSD = "../../testdata/schemas/jenkins-junit.xsd"

func xmllint(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("xmllint")
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("xmllint is required (CI=true): apt-get install libxml2-utils")
	}
	t.Skip("xmllint not installed; the test runs in CI")
	return ""
}

func TestJUnitValidatesAgainstJenkinsXSD(t *testing.T) {
	lint := xmllint(t)
	res, _ := fixture(t)
	for name, r := range map[string]*checks.Result{"fixture": res, "unreachable": unreachable()} {
		var buf bytes.Buffer
		if err := (JUnit{Threshold: checks.Low}).Write(&buf, r); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "junit.xml")
		if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(lint, "--noout", "--nonet", "--schema", junitXSD, file).CombinedOutput()
		if err != nil {
			t.Errorf("%s: xmllint: %v\n%s\n%s", name, err, out, buf.String())
		}
	}
}

// An endpoint that could not be reached is one error, not one per check: 21 closed ports are
// 21 errors, and the suite's time is what its checks took.
func TestJUnitOneErrorPerUnreachableEndpoint(t *testing.T) {
	var buf bytes.Buffer
	if err := (JUnit{Threshold: checks.Low}).Write(&buf, unreachable()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Errors int `xml:"errors,attr"`
		Tests  int `xml:"tests,attr"`
		Suites []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name  string `xml:"name,attr"`
				Error *struct {
					Message string `xml:"message,attr"`
				} `xml:"error"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Errors != 3 || doc.Tests != 3 || len(doc.Suites) != 3 {
		t.Fatalf("errors %d tests %d suites %d; want 3 errors in 3 tests, one per unreachable endpoint:\n%s", doc.Errors, doc.Tests, len(doc.Suites), buf.String())
	}
	for _, s := range doc.Suites {
		if len(s.Cases) != 1 || s.Cases[0].Error == nil || !strings.Contains(s.Cases[0].Error.Message, "refused") {
			t.Errorf("suite %s: %+v; want one error case saying the endpoint refused", s.Name, s.Cases)
		}
	}

	res, _ := fixture(t)
	buf.Reset()
	if err := (JUnit{Threshold: checks.Low}).Write(&buf, res); err != nil {
		t.Fatal(err)
	}
	var times struct {
		Suites []struct {
			Name string `xml:"name,attr"`
			Time string `xml:"time,attr"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &times); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"10.0.0.5:80": "0.012", "10.0.0.6:443": "0.080"}
	for _, s := range times.Suites {
		if w, ok := want[s.Name]; ok && s.Time != w {
			t.Errorf("suite %s time = %q; want %q, the sum of its checks' times", s.Name, s.Time, w)
		}
	}
}
