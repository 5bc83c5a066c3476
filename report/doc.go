// Package report renders the risk register (report/register) as the reports a practice keeps:
// PDF, workbook, CSV, JSON, Markdown and OSCAL.
//
// A [Report] is a register with what the writers print around it (organisation, assessor,
// scope, questionnaire scores, tools). Each output format is one writer in its own file (pdf.go,
// xlsx.go, csv.go, json.go, markdown.go, oscal.go), listed in [Formats]. The scan's own formats
// (SARIF, JUnit, ...) live in report/scan; both registries share the shape of report/format.
package report
