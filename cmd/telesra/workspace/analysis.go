package workspace

import (
	"fmt"
	"time"

	"github.com/telesra/telesra/report/register"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/report"
)

// Analysis is a workspace read for the risk register: assessment.yaml, the scan runs (scans/,
// combined; scan.json for a workspace scanned before scans/ existed), answers.yaml,
// assets.yaml and remediation.yaml, and the register built from them. The report, risks and diff
// verbs share it, so they all see the same register.
type Analysis struct {
	Workspace *Workspace
	Scan      *checks.Result // nil when never scanned
	Bank      *questionnaire.Bank
	Answers   *questionnaire.Answers
	Assets    *register.Assets // nil without assets.yaml
	Plan      *register.Plan
	Register  *register.Register
}

// Analyse reads a workspace and builds its risk register (the HIPAA risk analysis of
// 164.308(a)(1)(ii)(A)). Every malformed file is an error naming file:line; nothing is written.
func Analyse(dir string, now time.Time) (*Analysis, error) {
	ws, err := Load(dir)
	if err != nil {
		return nil, err
	}
	a := &Analysis{Workspace: ws, Bank: questionnaire.DefaultBank()}
	if a.Scan, err = ws.LoadScan(); err != nil {
		return nil, err
	}
	if a.Answers, err = ws.LoadAnswers(a.Bank); err != nil {
		return nil, err
	}
	systems := ws.Assessment.Organisation.EPHISystems
	if a.Assets, err = loadAssets(ws.Layout, systems); err != nil {
		return nil, err
	}
	if data, err := readOptional(ws.PlanPath(), PlanInput); err != nil {
		return nil, fmt.Errorf("read remediation plan: %w", err)
	} else if data != nil {
		if a.Plan, err = register.ParsePlan(ws.PlanPath(), data); err != nil {
			return nil, err
		}
	} else {
		a.Plan = register.NewPlan(ws.PlanPath())
	}
	a.Register, err = register.Build(register.Inputs{Scan: a.Scan, Bank: a.Bank, Answers: a.Answers, Assets: a.Assets,
		EPHISystems: systems, Plan: a.Plan, Today: now.Format(time.DateOnly)})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// SavePlan writes the analysis's remediation plan (after `risks set` changed it), keeping the
// previous file as remediation.yaml.bak. What is written must read back: a bug must not leave a
// file the next run rejects.
func (a *Analysis) SavePlan() error {
	data, err := a.Plan.Marshal()
	if err != nil {
		return err
	}
	if _, err := register.ParsePlan(a.Plan.File, data); err != nil {
		return fmt.Errorf("internal error: the new remediation plan does not validate: %w", err)
	}
	return backupAndWrite(a.Plan.File, PlanInput, data)
}

// Document assembles what the report writers print around the register.
func (a *Analysis) Document(now time.Time, tools []report.Tool) *report.Report {
	as := a.Workspace.Assessment
	r := &report.Report{
		Organisation:   report.Party{Name: as.Organisation.Name, Email: as.Organisation.Contact},
		Address:        as.Organisation.Address,
		Assessor:       report.Party{Name: as.Assessor.Name, Organisation: as.Assessor.Organisation, Email: as.Assessor.Email},
		Qualifications: as.Assessor.Qualifications, Independence: as.Assessor.Independence,
		AssessmentDate: as.AssessmentDate,
		Generated:      now,
		Scope: report.Scope{File: AssessmentFile, Description: as.Scope.Description, Targets: as.Scope.Targets, Exclusions: as.Scope.Exclusions,
			EPHISystems: as.Organisation.EPHISystems},
		Register: a.Register, Scan: a.Scan, Bank: a.Bank, Answers: a.Answers, Tools: tools,
	}
	r.Prepare()
	return r
}
