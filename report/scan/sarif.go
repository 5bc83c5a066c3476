package scan

import (
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/telesra/telesra/checks"
)

// SARIF writes SARIF 2.1.0 as GitHub code scanning accepts it: one rule per selected check with
// a security-severity, every result anchored to the line of the file that declared its target
// (assessment.yaml or the targets file), and a partial fingerprint from the finding's stable ID
// so an alert follows its weakness across runs.
//
// Info findings are not results: GitHub shows every result as an alert, and an observation is
// not a weakness to fix (the JSON result keeps them). A scan that could not reach an endpoint,
// or in which a check could not run, is marked executionSuccessful: false with a notification
// for each, so that no reader takes its silence for a clean bill.
type SARIF struct {
	Registry *checks.Registry
}

// CommandLineURI is the artifact that results of command-line targets are anchored to, the line
// being the target's position among the arguments.
const CommandLineURI = "command-line"

// FingerprintKey names telesra's partial fingerprint.
const FingerprintKey = "telesraFindingId/v1"

// securitySeverity maps our severities to the CVSS-like scores GitHub bins into
// critical (>= 9.0), high (7.0-8.9), medium (4.0-6.9) and low (0.1-3.9).
var securitySeverity = map[checks.Severity]string{
	checks.Critical: "9.5", checks.High: "8.0", checks.Medium: "5.5", checks.Low: "3.0", checks.Info: "0.5",
}

// Level is the SARIF level of a severity.
func Level(s checks.Severity) string {
	switch {
	case s >= checks.High:
		return "error"
	case s == checks.Medium:
		return "warning"
	}
	return "note"
}

func (s SARIF) Write(w io.Writer, r *checks.Result) error {
	rep := sarif.NewReport()
	run := sarif.NewRunWithInformationURI("telesra", "https://github.com/telesra/telesra")
	version := sarifVersion(r.Tool.Version)
	run.Tool.Driver.WithVersion(version).WithSemanticVersion(version)

	ruleIndex := map[string]int{}
	ids := append([]string(nil), r.Checks...)
	var findings []checks.Finding
	for _, f := range r.Findings {
		if f.Severity > checks.Info {
			findings = append(findings, f)
		}
	}
	for _, f := range findings { // a result's rule must exist even if the check list was trimmed
		if _, ok := ruleIndex[f.Check]; !ok {
			ruleIndex[f.Check] = -1
		}
	}
	for id := range ruleIndex {
		if !contains(ids, id) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for i, id := range ids {
		ruleIndex[id] = i
		run.Tool.Driver.AddRule(s.rule(id, precision(id, findings)))
	}

	sources := map[string]checks.Source{}
	for _, e := range r.Endpoints {
		sources[e.Target] = e.Source
	}
	artifacts := map[string]bool{}
	for _, f := range findings {
		src := sources[f.Target]
		uri, line := src.File, src.Line
		if uri == "" {
			uri = CommandLineURI
		}
		if line < 1 {
			line = 1
		}
		artifacts[uri] = true
		msg := fmt.Sprintf("%s on %s: %s", f.Title, f.Target, f.Detail)
		if len(f.HIPAA) > 0 {
			msg += " HIPAA " + strings.Join(f.HIPAA, ", ") + "."
		}
		res := sarif.NewRuleResult(f.Check).
			WithRuleIndex(ruleIndex[f.Check]).
			WithLevel(Level(f.Severity)).
			WithMessage(sarif.NewTextMessage(msg)).
			WithPartialFingerprints(map[string]string{FingerprintKey: f.ID}). // AddPartialFingerprint writes into a nil map.
			AddLocation(sarif.NewLocation().
				WithPhysicalLocation(sarif.NewPhysicalLocation().
					WithArtifactLocation(artifactLocation(uri)).
					WithRegion(sarif.NewRegion().WithStartLine(line))).
				AddLogicalLocation(sarif.NewLogicalLocation().WithName(f.Target).WithKind("resource")))
		props := sarif.NewPropertyBag().
			Add("target", f.Target).
			Add("severity", f.Severity.String()).
			Add("confidence", string(f.Confidence)).
			Add("hipaa", f.HIPAA).
			Add("finding_id", f.ID)
		if len(f.Evidence) > 0 {
			props.Add("evidence", f.Evidence)
		}
		res.WithProperties(props)
		if f.Suppression != nil {
			res.AddSuppression(sarif.NewSuppression().WithKind("external").
				WithStatus("accepted").
				WithJustification(fmt.Sprintf("%s (approved by %s, expires %s)", f.Suppression.Reason, f.Suppression.ApprovedBy, f.Suppression.Expires)))
		}
		run.AddResult(res)
	}
	var uris []string
	for u := range artifacts {
		uris = append(uris, u)
	}
	sort.Strings(uris)
	for _, u := range uris {
		a := sarif.NewArtifact().WithLocation(artifactLocation(u))
		if u == CommandLineURI {
			a.WithDescription(sarif.NewTextMessage("Targets given on the command line: " + strings.Join(r.Scope.Targets, " ")))
		}
		run.AddArtifact(a)
	}
	notes := notifications(r)
	inv := sarif.NewInvocation().
		WithExecutionSuccessful(r.Complete && len(notes) == 0).
		WithStartTimeUtc(r.StartedAt.UTC().Format(time.RFC3339)).
		WithEndTimeUtc(r.FinishedAt.UTC().Format(time.RFC3339))
	if !r.Complete {
		inv.AddToolExecutionNotification(sarif.NewNotification().
			WithLevel("error").
			WithMessage(sarif.NewTextMessage("The scan was interrupted: results are partial.")))
	}
	for _, n := range notes {
		inv.AddToolExecutionNotification(n)
	}
	run.AddInvocation(inv)
	rep.AddRun(run)
	var buf strings.Builder
	if err := rep.Write(&buf); err != nil {
		return err
	}
	return pruneSARIF(w, []byte(buf.String()))
}

// artifactLocation is where a target was declared: a path relative to the checkout
// (%SRCROOT%), or, for a file outside it (an absolute path, a workspace elsewhere), a file URI
// of its own, since a relative reference must not begin with a slash (SARIF1004).
func artifactLocation(path string) *sarif.ArtifactLocation {
	if filepath.IsAbs(path) {
		return sarif.NewSimpleArtifactLocation((&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String())
	}
	return sarif.NewSimpleArtifactLocation(filepath.ToSlash(path)).WithURIBaseID("%SRCROOT%")
}

// notifications says what the scan could not see: one error per endpoint it could not scan and
// one warning per check that could not run on an endpoint it reached. The checks of an
// unreachable endpoint are not repeated: one closed port is one fact.
func notifications(r *checks.Result) []*sarif.Notification {
	var out []*sarif.Notification
	down := map[string]bool{}
	for _, e := range r.Endpoints {
		if e.Status == checks.StatusCompleted {
			continue
		}
		down[e.Target] = true
		msg := fmt.Sprintf("%s could not be scanned (%s)", e.Target, e.Reason)
		if e.Error != "" {
			msg += ": " + e.Error
		}
		out = append(out, sarif.NewNotification().WithLevel("error").
			WithMessage(sarif.NewTextMessage(msg+".")).
			WithDescriptor(sarif.NewReportingDescriptorReference().WithID("telesra.unreachable")).
			AddLocation(sarif.NewLocation().AddLogicalLocation(sarif.NewLogicalLocation().WithName(e.Target).WithKind("resource"))))
	}
	for _, a := range r.Attempts {
		if a.Status != checks.StatusError || down[a.Target] {
			continue
		}
		msg := fmt.Sprintf("%s could not run on %s (%s)", a.Check, a.Target, a.Reason)
		if a.Error != "" {
			msg += ": " + a.Error
		}
		out = append(out, sarif.NewNotification().WithLevel("warning").
			WithMessage(sarif.NewTextMessage(msg+".")).
			WithAssociatedRule(sarif.NewReportingDescriptorReference().WithID(a.Check)).
			AddLocation(sarif.NewLocation().AddLogicalLocation(sarif.NewLogicalLocation().WithName(a.Target).WithKind("resource"))))
	}
	return out
}

// sarifVersion is the version as SARIF viewers compare it: starting with a digit (SARIF2005).
// A build without a release version says so in a pre-release suffix.
func sarifVersion(v string) string {
	v = strings.TrimPrefix(v, "v")
	if v == "" || v[0] < '0' || v[0] > '9' {
		return "0.0.0-" + strings.NewReplacer(" ", "-", "(", "", ")", "").Replace(v)
	}
	return v
}

// precision is how far a rule's results can be trusted, from the confidence of its findings in
// this run: high when every finding was observed, low when every one is potential (a
// version-only match, a condition no probe could see), medium for a mix.
func precision(check string, findings []checks.Finding) string {
	var confirmed, potential int
	for _, f := range findings {
		if f.Check != check {
			continue
		}
		if f.Confidence == checks.Potential {
			potential++
		} else {
			confirmed++
		}
	}
	switch {
	case potential == 0:
		return "high"
	case confirmed == 0:
		return "low"
	}
	return "medium"
}

// DocsURL is where a check's documentation lives: docs/checks.md, one heading per check.
const DocsURL = "https://github.com/telesra/telesra/blob/main/docs/checks.md"

// helpURI is the check's anchor in docs/checks.md, as GitHub renders "### `tls.cert.expired`".
func helpURI(id string) string {
	return DocsURL + "#" + strings.ReplaceAll(strings.ToLower(id), ".", "")
}

func (s SARIF) rule(id, precision string) *sarif.ReportingDescriptor {
	rd := sarif.NewRule(id)
	var c *checks.Check
	if s.Registry != nil {
		c, _ = s.Registry.Lookup(id)
	}
	rd.WithHelpURI(helpURI(id))
	if c == nil {
		return rd.WithShortDescription(sarif.NewMultiformatMessageString().WithText(id))
	}
	rd.WithName(ruleName(id)).
		WithShortDescription(sarif.NewMultiformatMessageString().WithText(c.Title)).
		WithFullDescription(sarif.NewMultiformatMessageString().WithText(c.Description)).
		WithHelp(sarif.NewMultiformatMessageString().
			WithText(c.Remediation + " HIPAA: " + strings.Join(c.HIPAA, ", ") + ".").
			WithMarkdown(fmt.Sprintf("**Remediation.** %s\n\n**HIPAA:** %s", c.Remediation, strings.Join(c.HIPAA, ", ")))).
		WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(Level(c.Severity)))
	if len(c.References) > 0 {
		rd.WithHelp(rd.Help.WithMarkdown(*rd.Help.Markdown + "\n\n**References:** " + strings.Join(c.References, " ")))
	}
	tags := []string{"security", "hipaa", c.Family}
	for _, h := range c.HIPAA {
		tags = append(tags, "HIPAA-"+h)
	}
	props := sarif.NewPropertyBag().Add("precision", precision).WithTags(tags)
	if c.Severity > checks.Info { // an info check raises no security alert
		props.Add("security-severity", securitySeverity[c.Severity])
	}
	rd.WithProperties(props)
	return rd
}

// ruleName turns "tls.protocol.tls1_0" into "TlsProtocolTls10", the PascalCase name SARIF
// viewers expect.
func ruleName(id string) string {
	var b strings.Builder
	up := true
	for _, r := range id {
		if r == '.' || r == '_' || r == '-' {
			up = true
			continue
		}
		if up && r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		up = false
		b.WriteRune(r)
	}
	return b.String()
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
