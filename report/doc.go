// Package report is telesra's scored risk register and the reports rendered from it.
//
// [Build] turns the scan's findings (checks.Result) and the questionnaire's gaps
// (questionnaire.Gaps) into one [Register]: one [Risk] per weakness and asset, scored for
// likelihood and impact on the NIST SP 800-30 Rev. 1 scale by the rules in
// templates/risk/scoring.yaml ([Rules]), with the risk level of Table I-2. Each risk carries the
// rules that set its levels, so every row can be explained. Owners, due dates, statuses and
// acceptances come from the workspace's remediation.yaml ([Plan]); what each scanned service is
// to the practice (its ePHI, its exposure) from assets.yaml ([Assets]).
//
// A [Report] is a register with what the writers print around it (organisation, assessor,
// scope, questionnaire scores, tools). Each output format is one writer in its own file (pdf.go,
// xlsx.go, csv.go, json.go, markdown.go, oscal.go), listed in [Formats]. The scan's own formats
// (SARIF, JUnit, ...) live in report/scan.
package report
