package workspace

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/telesra/telesra/report"
	"github.com/telesra/telesra/report/register"
	"github.com/telesra/telesra/templates/datafile"
)

// approvalsSchemaVersion versions approvals.yaml (templates/schemas/approvals.schema.json).
const approvalsSchemaVersion = 1

// digestHeader opens the manifest an approval's digest is taken over; a new way of computing it
// gets a new header, so a digest of one way never matches a manifest of another.
const digestHeader = "telesra approval digest 1"

// maxPartyRunes bounds a name or a role: a person's name and title, not a document.
const maxPartyRunes = 200

// maxStatementRunes bounds an approval's statement: a paragraph, as the schema says.
const maxStatementRunes = 2000

// Approval is one entry of approvals.yaml: who approved the assessment, in what role, on which
// day, and the digest of the inputs they approved (InputsDigest).
type Approval struct {
	By        string `yaml:"by"`
	Role      string `yaml:"role"`
	Date      string `yaml:"date"`
	Statement string `yaml:"statement,omitempty"`
	Digest    string `yaml:"digest"`
}

// Approvals is approvals.yaml: every approval recorded, oldest first. Approvals are never
// removed by telesra: one whose inputs changed since is superseded, and the report says so.
type Approvals struct {
	SchemaVersion int        `yaml:"schema_version"`
	Approvals     []Approval `yaml:"approvals"`
}

// ParseApprovals validates the text of an approvals.yaml: the schema, then what a schema cannot
// say (a blank name or role, a date that is not a day). Errors name file:line.
func ParseApprovals(file string, data []byte) (*Approvals, error) {
	var as Approvals
	root, err := datafile.DecodeNode(file, data, "approvals.schema.json", &as)
	if err != nil {
		return nil, err
	}
	var errs datafile.FileErrors
	for i, a := range as.Approvals {
		for _, f := range []struct{ field, v string }{{"by", a.By}, {"role", a.Role}} {
			if err := checkParty(f.field, f.v); err != nil {
				errs = append(errs, approvalError(file, root, i, f.field, err.Error()))
			}
		}
		if _, err := time.Parse(time.DateOnly, a.Date); err != nil {
			errs = append(errs, approvalError(file, root, i, "date", "want a date such as 2026-11-22"))
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return &as, nil
}

func approvalError(file string, root *yaml.Node, i int, field, msg string) *datafile.FileError {
	return datafile.At(file, root, msg, "approvals", strconv.Itoa(i), field)
}

// checkParty refuses a name or role no one could be identified by: blank, a control character
// (a line break would forge a line of the report), or longer than a name and title.
func checkParty(field, v string) error {
	switch {
	case strings.TrimSpace(v) == "":
		return fmt.Errorf("%s is blank: say who approved, and in what role", field)
	case strings.IndexFunc(v, unicode.IsControl) >= 0:
		return fmt.Errorf("%s %q holds a control character (a line break or a tab)", field, v)
	case len([]rune(v)) > maxPartyRunes:
		return fmt.Errorf("%s is longer than %d characters", field, maxPartyRunes)
	}
	return nil
}

// Marshal renders approvals.yaml with a comment that says what it is and how it is checked.
func (as *Approvals) Marshal() ([]byte, error) {
	var doc yaml.Node
	if err := doc.Encode(as); err != nil {
		return nil, err
	}
	doc.HeadComment = "telesra approvals, recorded by `telesra report approve`. Each digest is SHA-256 over the\n" +
		"assessment's inputs when it was approved (docs/files.md); a report counts an approval only while\n" +
		"the inputs still have that digest, and shows the others as superseded."
	return datafile.EncodeYAML(&doc)
}

// LoadApprovals reads DIR/approvals.yaml; a workspace without one has no approvals.
func (l Layout) LoadApprovals() (*Approvals, error) {
	data, err := readOptional(l.ApprovalsPath(), ApprovalsInput)
	if err != nil {
		return nil, fmt.Errorf("read approvals: %w", err)
	}
	if data == nil {
		return &Approvals{SchemaVersion: approvalsSchemaVersion}, nil
	}
	return ParseApprovals(l.ApprovalsPath(), data)
}

// InputsDigest binds an approval to what was approved: "sha256:" and the SHA-256, in hex, of a
// manifest of the assessment's inputs (docs/files.md gives it exactly, so it can be recomputed
// by hand). The manifest is one line per item, each ending in a line feed:
//
//	telesra approval digest 1
//	telesra VERSION                   (the version building the report: a new telesra may read
//	                                   the same inputs differently, and has to be approved again)
//	scoring-rules VERSION
//	reconciliation-rules VERSION
//	assessment.yaml sha256:HEX        (or "assessment.yaml absent")
//	scan.json sha256:HEX
//	answers.yaml sha256:HEX
//	assets.yaml sha256:HEX
//	remediation.yaml sha256:HEX
//	scans/NAME.json sha256:HEX        (each scan run, in name order; none without scans/)
//
// HEX is the SHA-256 of the file's bytes. The scan runs are included because the register is
// built from them when they exist (scan.json is then their combination). approvals.yaml is
// not an input: approving must not supersede the approvals before it.
func (l Layout) InputsDigest(tool string) (string, error) {
	manifest, err := l.inputsManifest(tool)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(manifest))
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

func (l Layout) inputsManifest(tool string) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\ntelesra %s\nscoring-rules %s\nreconciliation-rules %s\n", digestHeader, tool,
		register.DefaultRules().Version, register.DefaultReconciliation().Version)
	inputs := []struct {
		name, path string
		kind       InputKind
	}{
		{AssessmentFile, l.AssessmentPath(), AssessmentInput},
		{ScanFile, l.ScanPath(), ScanInput},
		{AnswersFile, l.AnswersPath(), AnswersInput},
		{AssetsFile, l.AssetsPath(), AssetsInput},
		{PlanFile, l.PlanPath(), PlanInput},
	}
	runs, err := l.runFiles()
	if err != nil {
		return "", err
	}
	for _, name := range runs {
		inputs = append(inputs, struct {
			name, path string
			kind       InputKind
		}{ScansDir + "/" + name, filepath.Join(l.ScansDir(), name), ScanInput})
	}
	for _, in := range inputs {
		data, err := ReadInput(in.path, in.kind)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			fmt.Fprintf(&b, "%s absent\n", in.name)
			continue
		case err != nil:
			return "", fmt.Errorf("digest the inputs: %w", err)
		}
		sum := sha256.Sum256(data)
		fmt.Fprintf(&b, "%s sha256:%s\n", in.name, hex.EncodeToString(sum[:]))
	}
	return b.String(), nil
}

// runFiles names the scan runs under scans/ as loadRuns reads them (regular .json files), in
// name order.
func (l Layout) runFiles() ([]string, error) {
	entries, err := os.ReadDir(l.ScansDir())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("digest the inputs: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".json") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// ReportApprovals is every approval recorded, oldest first, each marked current when it approved
// the inputs as they are now.
func (l Layout) ReportApprovals(tool string) ([]report.Approval, error) {
	as, err := l.LoadApprovals()
	if err != nil {
		return nil, err
	}
	if len(as.Approvals) == 0 {
		return nil, nil
	}
	digest, err := l.InputsDigest(tool)
	if err != nil {
		return nil, err
	}
	out := make([]report.Approval, 0, len(as.Approvals))
	for _, a := range as.Approvals {
		out = append(out, report.Approval{By: a.By, Role: a.Role, Date: a.Date, Statement: a.Statement, Digest: a.Digest,
			Current: a.Digest == digest})
	}
	return out, nil
}

// DraftError refuses to approve a draft: a draft's findings are incomplete by its own account.
type DraftError struct{ Reasons []string }

func (e *DraftError) Error() string {
	return "the report is a DRAFT, and a draft cannot be approved: " + strings.Join(e.Reasons, "; ") +
		". Finish these and approve the final report; approvals.yaml is unchanged"
}

// DuplicateApprovalError refuses a second approval of the same inputs by the same person.
type DuplicateApprovalError struct{ Approval Approval }

func (e *DuplicateApprovalError) Error() string {
	return fmt.Sprintf("%s already approved these inputs (%s) on %s as %s: nothing to record; approvals.yaml is unchanged",
		e.Approval.By, report.ShortDigest(e.Approval.Digest), e.Approval.Date, e.Approval.Role)
}

// ApproveRequest asks to record an approval of the workspace's assessment as it is now.
type ApproveRequest struct {
	Workspace string
	By, Role  string
	Statement string
	Now       time.Time
	// Tool is the telesra version approving, part of the digest.
	Tool string
}

// Approve records an approval in DIR/approvals.yaml, bound to the digest of the inputs
// (InputsDigest), under the workspace lock, through the one atomic writer (the previous file
// kept as approvals.yaml.bak). It refuses, as an InputError that leaves the file as it was, a
// blank or unreadable name or role, a report that would be a DRAFT, and a person approving the
// same inputs twice.
func Approve(req ApproveRequest) (*Approval, error) {
	a := Approval{By: strings.TrimSpace(req.By), Role: strings.TrimSpace(req.Role), Statement: strings.TrimSpace(req.Statement),
		Date: req.Now.Format(time.DateOnly)}
	for _, f := range []struct{ field, v string }{{"--by", req.By}, {"--role", req.Role}} {
		if err := checkParty(f.field, f.v); err != nil {
			return nil, &InputError{Err: fmt.Errorf("approve: %w", err)}
		}
	}
	if strings.IndexFunc(a.Statement, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }) >= 0 {
		return nil, inputErrorf("approve: --statement holds a control character")
	}
	if n := len([]rune(a.Statement)); n > maxStatementRunes {
		return nil, inputErrorf("approve: --statement is %d characters, more than %d", n, maxStatementRunes)
	}
	l := At(req.Workspace)
	lock, err := l.Lock()
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	an, err := Analyse(req.Workspace, req.Now)
	if err != nil {
		return nil, err
	}
	if c := an.Document(req.Now, nil).Completion; c.Draft {
		return nil, &InputError{Err: &DraftError{Reasons: c.Reasons}}
	}
	as, err := l.LoadApprovals()
	if err != nil {
		return nil, err
	}
	if a.Digest, err = l.InputsDigest(req.Tool); err != nil {
		return nil, err
	}
	for _, old := range as.Approvals {
		if old.Digest == a.Digest && samePerson(old.By, a.By) {
			return nil, &InputError{Err: &DuplicateApprovalError{Approval: old}}
		}
	}
	as.SchemaVersion = approvalsSchemaVersion
	as.Approvals = append(as.Approvals, a)
	data, err := as.Marshal()
	if err != nil {
		return nil, err
	}
	// What is written must read back: a bug must not leave a file every report then rejects.
	if _, err := ParseApprovals(l.ApprovalsPath(), data); err != nil {
		return nil, fmt.Errorf("internal error: the new approvals file does not validate: %w", err)
	}
	if err := backupAndWrite(l.ApprovalsPath(), ApprovalsInput, data); err != nil {
		return nil, err
	}
	return &a, nil
}

// samePerson compares names as a person reads them: case and spacing aside.
func samePerson(a, b string) bool {
	norm := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
	return norm(a) == norm(b)
}

// ListApprovals is the workspace's approvals, each marked current or superseded.
func ListApprovals(dir, tool string) ([]report.Approval, error) {
	ws, err := Load(dir)
	if err != nil {
		return nil, err
	}
	return ws.ReportApprovals(tool)
}
