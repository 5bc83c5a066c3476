package workspace

import (
	"time"

	"github.com/telesra/telesra/questionnaire"
)

// ScanMarks reads a workspace and says, for the questionnaire's screens and exports, which
// answers its scan contradicts or verifies (the register's reconciliation). A workspace never
// scanned has none.
func ScanMarks(dir string, now time.Time) (questionnaire.ScanMarks, error) {
	ws, err := Load(dir)
	if err != nil {
		return nil, err
	}
	scan, err := ws.LoadScan()
	if err != nil || scan == nil {
		return nil, err
	}
	a, err := Analyse(dir, now)
	if err != nil {
		return nil, err
	}
	marks := questionnaire.ScanMarks{}
	for _, c := range a.Register.Contradictions {
		marks[c.Question] = questionnaire.ScanMark{Question: c.Question, Status: c.Status, State: questionnaire.MarkContradicted, Summary: c.Summary()}
	}
	for _, v := range a.Register.Verifications {
		marks[v.Question] = questionnaire.ScanMark{Question: v.Question, Status: v.Status, State: questionnaire.MarkVerified, Summary: v.Summary()}
	}
	return marks, nil
}
