// Package register is telesra's risk model: the scored risk register and what feeds it.
//
// [Build] turns the scan's findings (checks.Result) and the questionnaire's gaps
// (questionnaire.Gaps) into one [Register]: one [Risk] per weakness and asset, scored for
// likelihood and impact on the NIST SP 800-30 Rev. 1 scale (questionnaire/level; [Level] is an
// alias of level.Level) by the rules in templates/risk/scoring.yaml ([Rules]), with the risk
// level of Table I-2. Each risk carries the rules that set its levels, so every row can be
// explained. Owners, due dates, statuses and acceptances come from the workspace's
// remediation.yaml ([Plan]); what each scanned service is to the practice (its ePHI, its
// exposure) from assets.yaml ([Assets]). [Diff] compares two registers.
//
// The package knows nothing of output formats: the writers in report (and report/scan) read it.
package register
