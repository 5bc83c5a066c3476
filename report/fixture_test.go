package report

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/report/register"
)

// fixedNow is the clock of every writer test: the golden files hold only under it.
var fixedNow = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

var ephiSystems = []string{"Patient portal", "EHR", "Video visits"}

// fixtureScan reads testdata/scan.json: four services of a small practice with findings of
// every kind the register treats differently (KEV, info, suppressed, unmapped check, hostile
// evidence).
func fixtureScan(t testing.TB) *checks.Result {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "scan.json"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := checks.DecodeResult(data)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func fixtureAssets(t testing.TB) *register.Assets {
	t.Helper()
	file := filepath.Join("testdata", "assets.yaml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	a, err := register.ParseAssets(file, data, ephiSystems)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// fixtureReport is the demo practice's sample answers with the fixture scan and asset map, and
// plan entries for two risks.
func fixtureReport(t testing.TB, plan *register.Plan) *Report {
	t.Helper()
	bank := questionnaire.DefaultBank()
	answers := questionnaire.SampleAnswers()
	reg, err := register.Build(register.Inputs{Scan: fixtureScan(t), Bank: bank, Answers: answers, Assets: fixtureAssets(t),
		EPHISystems: ephiSystems, Plan: plan, Today: fixedNow.Format(time.DateOnly)})
	if err != nil {
		t.Fatal(err)
	}
	r := &Report{
		Organisation: Party{Name: "Riverside Family Telehealth"}, Address: "12 River Road, Springfield",
		Assessor:       Party{Name: "Dana Whitfield", Organisation: "Harbor Compliance LLC", Email: "dana@harbor.example"},
		AssessmentDate: "2026-11-20", Generated: fixedNow,
		Scope: Scope{File: "assessment.yaml", Description: "The practice's internet-facing services and office network.",
			Targets: fixtureScan(t).Scope.Targets, EPHISystems: ephiSystems},
		Register: reg, Scan: fixtureScan(t), Bank: bank, Answers: answers,
		Tools: []Tool{{Name: "telesra", Version: "1.0.0-test", Source: "github.com/telesra/telesra"},
			{Name: "HIPAA Security Rule citations", Version: "45 CFR 164 Subpart C (eCFR)", Source: "templates/hipaa/citations.yaml"}},
	}
	r.Prepare()
	return r
}

func ptr[T any](v T) *T { return &v }
