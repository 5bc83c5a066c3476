package report

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/report/register"
)

// Tool is a tool or knowledge base the assessment relied on, for the methodology section:
// {"telesra", "1.2.0", "github.com/telesra/telesra"} or {"CISA KEV catalog", "2026-10-30", "cisa.gov"}.
type Tool struct {
	Name    string
	Version string // a version or a snapshot date
	Source  string
	// Warning is printed on the cover and in the methodology: reference data past its useful
	// age ("CISA KEV catalog of 2025-08-25 is 464 days old").
	Warning string
}

// DataWarnings lists the tools' warnings.
func (r *Report) DataWarnings() []string {
	var out []string
	for _, t := range r.Tools {
		if t.Warning != "" {
			out = append(out, t.Warning)
		}
	}
	return out
}

// Party is a person or organisation named on the report.
type Party struct {
	Name         string
	Organisation string
	Email        string
}

// Approval is one recorded sign-off: who approved the assessment, in what role, when, and the
// digest of the inputs they approved. Only a current approval (of the inputs as they are now)
// approves this report; the others were of an earlier state and are shown as superseded.
type Approval struct {
	By        string
	Role      string
	Date      string // YYYY-MM-DD
	Statement string
	Digest    string // "sha256:" and 64 hex digits
	Current   bool
}

// ShortDigest is a digest's first 12 hex digits, as the reports print it.
func ShortDigest(d string) string {
	d = strings.TrimPrefix(d, "sha256:")
	if len(d) > 12 {
		return d[:12]
	}
	return d
}

// CurrentApprovals are the approvals of the inputs this report was built from.
func (r *Report) CurrentApprovals() []Approval {
	var out []Approval
	for _, a := range r.Approvals {
		if a.Current {
			out = append(out, a)
		}
	}
	return out
}

// Scope is what the assessment covered.
type Scope struct {
	File        string // the workspace file the scope was declared in
	Description string
	Targets     []string
	Exclusions  []string
	EPHISystems []string
}

// Completion says how finished the assessment is. A report is a draft until the questionnaire
// is fully answered and a complete scan is in.
type Completion struct {
	Percent float64 // share of asked questions answered, 0-100
	Asked   int
	Answers int
	Scan    string // complete, incomplete, not run
	Draft   bool
	Reasons []string // why it is a draft, in words
	// Scope is the reason among Reasons that the asset inventory may be incomplete ("" when it
	// is not), which the executive summary explains in a notice of its own.
	Scope string
}

// Label is "DRAFT - 86% complete" for a draft, "" otherwise.
func (c Completion) Label() string {
	if !c.Draft {
		return ""
	}
	return fmt.Sprintf("DRAFT - %s complete", percent(c.Percent))
}

// Report is a register and everything the writers print around it.
type Report struct {
	Title        string // default "HIPAA Security Risk Assessment"
	Organisation Party
	Address      string
	Assessor     Party
	// Qualifications and Independence are the assessor's, for the sign-off: what entitles them
	// to sign, and what might impair their independence.
	Qualifications string
	Independence   string
	// Approvals are the recorded electronic approvals of this assessment, current or superseded;
	// no current one means the report has not been approved, and the cover says so.
	Approvals      []Approval
	AssessmentDate string    // YYYY-MM-DD
	Generated      time.Time // the clock of the run: reports are deterministic under a fixed clock
	Scope          Scope
	Register       *register.Register
	Scan           *checks.Result // nil when no scan was run
	Bank           *questionnaire.Bank
	Answers        *questionnaire.Answers // never nil after Prepare
	Scores         *questionnaire.Scores
	Tools          []Tool
	Completion     Completion
}

// Prepare fills what the writers derive: the scores and the completion. Call it once after
// setting the fields.
func (r *Report) Prepare() {
	if r.Title == "" {
		r.Title = "HIPAA Security Risk Assessment"
	}
	if r.Answers == nil {
		r.Answers = questionnaire.NewAnswers()
	}
	if r.Scores == nil && r.Register != nil {
		// Answers the scan disproves are contradicted in the status table, never met.
		r.Scores = r.Register.ScoresFor(r.Bank, r.Answers)
	}
	if r.Scores == nil {
		r.Scores = questionnaire.Score(r.Bank, r.Answers)
	}
	c := Completion{Asked: r.Scores.Overall.Questions, Answers: r.Scores.Overall.Answered, Percent: r.Scores.Overall.Completeness()}
	switch {
	case r.Scan == nil:
		c.Scan = "not run"
		c.Reasons = append(c.Reasons, "no network scan was run, so nothing in this report was observed on the practice's systems")
	case !r.Scan.Complete:
		c.Scan = "incomplete"
		c.Reasons = append(c.Reasons, "the scans do not cover every target with every check, or the last was interrupted")
	default:
		c.Scan = "complete"
	}
	if open := c.Asked - c.Answers; open > 0 {
		c.Reasons = append([]string{fmt.Sprintf("questionnaire %s complete: %d of %d questions open", percent(c.Percent), open, c.Asked)}, c.Reasons...)
	}
	c.Reasons = append(c.Reasons, r.openAnswers()...)
	// A risk analysis covers all the ePHI the practice holds (164.308(a)(1)(ii)(A)): one whose
	// inventory is not known to be complete cannot be final, however well the rest is done.
	if r.Register != nil && r.Register.ScopeIncomplete {
		c.Scope = scopeDraftReason + " (" + r.Register.ScopeReason + ")"
		c.Reasons = append(c.Reasons, c.Scope)
	}
	c.Draft = len(c.Reasons) > 0
	r.Completion = c
}

// scopeDraftReason starts the draft reason of an incomplete scope; the executive summary, which
// explains the scope in a notice of its own, shortens Completion.Scope to this.
const scopeDraftReason = "the asset inventory may not cover all of the practice's ePHI"

// openAnswers lists what the answers leave undecided, in words: a report is not final while a
// question is flagged for later, a Required specification rests on "don't know", or an
// Addressable one not implemented as written has no recorded decision (45 CFR 164.306(d)(3)
// asks for the alternative, or the reason, in writing).
func (r *Report) openAnswers() []string {
	if r.Bank == nil {
		return nil
	}
	var flagged, unknownRequired []string
	for _, q := range r.Bank.Questions(r.Answers.Profiles) {
		if q.Kind != questionnaire.KindControl || r.Bank.Visibility(q, r.Answers) != questionnaire.Asked {
			continue
		}
		a := r.Answers.Get(q.ID)
		if a.Flagged {
			flagged = append(flagged, q.ID)
		}
		if !q.Scored() {
			continue
		}
		for _, c := range q.Citations {
			if c.Kind == "required" && a.Status == questionnaire.Unknown {
				unknownRequired = append(unknownRequired, q.ID)
				break
			}
		}
	}
	var undecided []string
	if r.Scores != nil {
		for _, cs := range r.Scores.Citations {
			if cs.DecisionMissing {
				undecided = append(undecided, cs.Citation.Citation)
			}
		}
	}
	var out []string
	if n := len(flagged); n > 0 {
		out = append(out, fmt.Sprintf("%d answer(s) flagged for later (%s)", n, r.questionNumbers(flagged)))
	}
	if n := len(unknownRequired); n > 0 {
		out = append(out, fmt.Sprintf("%d Required specification(s) rest on \"don't know\" (%s)", n, r.questionNumbers(unknownRequired)))
	}
	if n := len(undecided); n > 0 {
		out = append(out, fmt.Sprintf("%d Addressable specification(s) not implemented as written without a recorded decision (%s)", n, strings.Join(undecided, ", ")))
	}
	return out
}

// questionNumbers names questions by their number in the questionnaire ("questions 3.2, 7.4"),
// as a reader finds them in the answers appendix.
func (r *Report) questionNumbers(ids []string) string {
	var out []string
	for _, id := range ids {
		out = append(out, r.questionNumber(id))
	}
	word := "question "
	if len(out) > 1 {
		word = "questions "
	}
	return word + strings.Join(out, ", ")
}

// questionNumber is a question's number, section.position ("7.4"), or its ID when it is not in
// the questionnaire asked.
func (r *Report) questionNumber(id string) string {
	if r.Bank == nil {
		return id
	}
	for si, sec := range r.Bank.SectionsFor(r.Answers.Profiles) {
		for qi, q := range sec.Questions {
			if q.ID == id {
				return fmt.Sprintf("%d.%d", si+1, qi+1)
			}
		}
	}
	return id
}

// percent prints a share without a needless decimal: 86%, 99.5%.
func percent(p float64) string {
	if p > 99 && p < 100 {
		return fmt.Sprintf("%.1f%%", p)
	}
	return fmt.Sprintf("%.0f%%", p)
}

// findingsByID indexes the register's findings.
func (r *Report) findingsByID() map[string]*checks.Finding {
	m := make(map[string]*checks.Finding, len(r.Register.Findings))
	for i := range r.Register.Findings {
		m[r.Register.Findings[i].ID] = &r.Register.Findings[i]
	}
	return m
}

// hostGroup is the findings of one host, for the technical section.
type hostGroup struct {
	Host     string
	Findings []*checks.Finding
}

// findingsByHost groups the findings by host, hosts in name order, findings by severity.
func (r *Report) findingsByHost() []hostGroup {
	by := map[string][]*checks.Finding{}
	for i := range r.Register.Findings {
		f := &r.Register.Findings[i]
		h := register.TargetHost(f.Target)
		by[h] = append(by[h], f)
	}
	hosts := make([]string, 0, len(by))
	for h := range by {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	out := make([]hostGroup, 0, len(hosts))
	for _, h := range hosts {
		fs := by[h]
		sort.SliceStable(fs, func(i, j int) bool {
			if fs[i].Severity != fs[j].Severity {
				return fs[i].Severity > fs[j].Severity
			}
			if fs[i].Target != fs[j].Target {
				return fs[i].Target < fs[j].Target
			}
			return fs[i].Check < fs[j].Check
		})
		out = append(out, hostGroup{Host: h, Findings: fs})
	}
	return out
}

// planOrder is the register's detected risks that need work, by due date (undated last), then
// level.
func (r *Report) planOrder() []*register.Risk {
	var out []*register.Risk
	for _, k := range r.Register.Risks {
		if k.Status == register.StatusVerified || (k.Status == register.StatusAccepted && k.Detected) {
			continue
		}
		out = append(out, k)
	}
	slices.SortStableFunc(out, func(a, b *register.Risk) int {
		switch {
		case a.Due == "" && b.Due != "":
			return 1
		case a.Due != "" && b.Due == "":
			return -1
		case a.Due != b.Due:
			return strings.Compare(a.Due, b.Due)
		}
		return int(b.Level) - int(a.Level)
	})
	return out
}
