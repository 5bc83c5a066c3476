package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/cmd/telesra/workspace"
	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/report"
	"github.com/telesra/telesra/report/register"
)

// assessment is a workspace read for the risk register: assessment.yaml, scan.json,
// answers.yaml, assets.yaml and remediation.yaml, and the register built from them. The report,
// risks and diff verbs share it, so they all see the same register.
type assessment struct {
	ws      *workspace.Workspace
	scan    *checks.Result // nil without scan.json
	bank    *questionnaire.Bank
	answers *questionnaire.Answers
	assets  *register.Assets
	plan    *register.Plan
	reg     *register.Register
}

// loadAssessment reads a workspace and builds its register. Every malformed file is an error
// naming file:line; nothing is written.
func loadAssessment(dir string, now time.Time) (*assessment, error) {
	if _, err := os.Stat(filepath.Join(dir, workspace.AssessmentFile)); errors.Is(err, fs.ErrNotExist) {
		return nil, usageErrorf("%s: no assessment workspace here (create one with: telesra init %s)", filepath.Join(dir, workspace.AssessmentFile), dir)
	}
	ws, err := workspace.Load(dir)
	if err != nil {
		return nil, err
	}
	a := &assessment{ws: ws, bank: questionnaire.DefaultBank()}
	scanPath := filepath.Join(dir, workspace.ScanFile)
	data, err := os.ReadFile(scanPath)
	switch {
	case err == nil:
		if a.scan, err = checks.DecodeResult(data); err != nil {
			return nil, fmt.Errorf("%s: not a telesra scan result: %w", scanPath, err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("read scan results: %w", err)
	}
	if a.answers, err = questionnaire.LoadAnswers(dir, a.bank); err != nil {
		return nil, err
	}
	systems := ws.Assessment.Organisation.EPHISystems
	if a.assets, err = register.LoadAssets(dir, systems); err != nil {
		return nil, err
	}
	if a.plan, err = register.LoadPlan(dir); err != nil {
		return nil, err
	}
	a.reg, err = register.Build(register.Inputs{Scan: a.scan, Bank: a.bank, Answers: a.answers, Assets: a.assets,
		EPHISystems: systems, Plan: a.plan, Today: now.Format(time.DateOnly)})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// report assembles what the writers print around the register.
func (a *assessment) report(now time.Time, tools []report.Tool) *report.Report {
	as := a.ws.Assessment
	r := &report.Report{
		Organisation:   report.Party{Name: as.Organisation.Name, Email: as.Organisation.Contact},
		Address:        as.Organisation.Address,
		Assessor:       report.Party{Name: as.Assessor.Name, Organisation: as.Assessor.Organisation, Email: as.Assessor.Email},
		AssessmentDate: as.AssessmentDate,
		Generated:      now,
		Scope: report.Scope{Description: as.Scope.Description, Targets: as.Scope.Targets, Exclusions: as.Scope.Exclusions,
			EPHISystems: as.Organisation.EPHISystems},
		Register: a.reg, Scan: a.scan, Bank: a.bank, Answers: a.answers, Tools: tools,
	}
	r.Prepare()
	return r
}
