// Package reportbench measures the report writers on a large register: 1,000 risks from 5,000
// findings (and the demo practice's questionnaire gaps). Targets (issue 8): the PDF and the
// workbook each under 3 s and 300 MB peak on 2 cores. Run with ./run.sh.
package reportbench

import (
	"fmt"
	"io"
	"syscall"
	"testing"
	"time"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/report"
	"github.com/telesra/telesra/report/register"
)

// weaknessChecks are check IDs of four different weaknesses, so each target holds four risks.
var weaknessChecks = []string{"mfa.ssh.password_auth", "tls.protocol.tls1_0", "patch.cve", "web.missing-header"}

// largeReport builds a report whose register holds exactly 1,000 risks, 5,000 findings among
// them, each finding with evidence of a realistic size.
func largeReport(tb testing.TB) *report.Report {
	bank := questionnaire.DefaultBank()
	answers := questionnaire.SampleAnswers()
	// Some gaps merge into the scan's rows (MFA, patching): find how many stand alone.
	res := scanResult(956)
	reg, err := register.Build(register.Inputs{Scan: res, Bank: bank, Answers: answers})
	if err != nil {
		tb.Fatal(err)
	}
	res = scanResult(956 + 1000 - len(reg.Risks))
	reg, err = register.Build(register.Inputs{Scan: res, Bank: bank, Answers: answers, Today: "2026-11-22"})
	if err != nil {
		tb.Fatal(err)
	}
	if len(reg.Risks) != 1000 || len(reg.Findings) != 5000 {
		tb.Fatalf("register: %d risks, %d findings", len(reg.Risks), len(reg.Findings))
	}
	r := &report.Report{Organisation: report.Party{Name: "Large Practice"}, Assessor: report.Party{Name: "Bench"},
		AssessmentDate: "2026-11-20", Generated: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC),
		Register: reg, Scan: res, Bank: bank, Answers: answers}
	r.Prepare()
	return r
}

// scanResult makes 5,000 findings spread over scanRisks (weakness, target) pairs.
func scanResult(scanRisks int) *checks.Result {
	res := &checks.Result{SchemaVersion: checks.ResultSchemaVersion, Tool: checks.Tool{Name: "telesra", Version: "bench"},
		StartedAt: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC), FinishedAt: time.Date(2026, 11, 20, 11, 0, 0, 0, time.UTC), Complete: true}
	for i := 0; i < scanRisks; i++ {
		target := fmt.Sprintf("10.%d.%d.%d:443", i/(4*250), (i/4)/250%250, (i/4)%250+1)
		check := weaknessChecks[i%4]
		n := 5000 / scanRisks
		if i < 5000%scanRisks {
			n++
		}
		for j := 0; j < n; j++ {
			f := checks.Finding{ID: checks.FindingID(check, target, fmt.Sprint(j)), Check: check, Target: target,
				Severity: checks.Severity(1 + (i+j)%4), Confidence: checks.Confirmed,
				Title: fmt.Sprintf("Finding %d of %s", j, check), Detail: "What the probe saw, in a sentence or two, as a real check reports it.",
				Evidence: map[string]any{"banner": "Server: nginx/1.18.0 (Ubuntu)", "path": fmt.Sprintf("/portal/%d", j), "cipher_suites": []string{"TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"}},
				HIPAA:    []string{"164.312(e)(1)", "164.312(d)"}, Remediation: "Fix the configuration as the check explains."}
			res.Findings = append(res.Findings, f)
		}
		if i%4 == 0 {
			res.Endpoints = append(res.Endpoints, checks.EndpointResult{Target: target, Host: target[:len(target)-4], Port: 443, Status: checks.StatusCompleted})
		}
	}
	res.Finalize()
	return res
}

// peakRSS is the process's peak resident memory in MB: run one benchmark per process (run.sh)
// for it to be that benchmark's peak.
func peakRSS() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024
}

func bench(b *testing.B, write func(io.Writer, *report.Report) error) {
	r := largeReport(b)
	var size int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cw := &countingWriter{}
		if err := write(cw, r); err != nil {
			b.Fatal(err)
		}
		size = cw.n
	}
	b.StopTimer()
	b.ReportMetric(peakRSS(), "peak-MB")
	b.ReportMetric(float64(size)/(1<<20), "out-MB")
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func BenchmarkPDF(b *testing.B)  { bench(b, report.WritePDF) }
func BenchmarkXLSX(b *testing.B) { bench(b, report.WriteXLSX) }
func BenchmarkJSON(b *testing.B) { bench(b, report.WriteJSON) }
func BenchmarkOSCAL(b *testing.B) {
	bench(b, func(w io.Writer, r *report.Report) error {
		if err := report.WriteOSCALResults(w, r); err != nil {
			return err
		}
		return report.WriteOSCALPOAM(w, r)
	})
}

// TestLargeRegisterBuilds keeps the fixture honest in the ordinary test run.
func TestLargeRegisterBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 1,000-risk register")
	}
	largeReport(t)
}
