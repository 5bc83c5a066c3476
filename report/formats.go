package report

import (
	"io"

	"github.com/telesra/telesra/report/format"
)

// Writer renders a report in one format.
type Writer = format.Writer[*Report]

// Options carry what report writers need beyond the report. The registry's shape is the one
// report/scan uses.
type Options struct {
	CSVPlain bool // csv: no byte order mark, LF line ends (the default suits Excel)
}

// Format is one report format: its names for -f, the file it writes into the output directory,
// and OSCAL's companion document.
type Format = format.Format[*Report, Options]

// Formats lists the report formats, in the order `telesra report -f` writes and lists them.
// Each writer lives in its own file.
var Formats = format.Formats[*Report, Options]{
	{Name: "pdf", Description: "the signed-off report", Ext: ".pdf", File: "risk-assessment.pdf", New: stateless(WritePDF)},
	{Name: "xlsx", Description: "workbook: summary, register, findings, answers, plan", Ext: ".xlsx", File: "risk-register.xlsx", New: stateless(WriteXLSX)},
	{Name: "csv", Description: "the register, one row per risk", Ext: ".csv", File: "risk-register.csv", New: func(o Options) Writer { return CSV{Plain: o.CSVPlain} }},
	{Name: format.JSON, Description: "the register (templates/schemas/register.schema.json)", Ext: ".json", File: "risk-register.json", New: stateless(WriteJSON)},
	{Name: format.Markdown, Aliases: format.MarkdownAliases, Description: "Markdown summary", Ext: ".md", File: "risk-summary.md", New: stateless(WriteMarkdown)},
	{Name: "oscal", Description: "OSCAL 1.1.2 assessment results and POA&M (JSON)", Ext: ".json", File: "oscal-assessment-results.json", New: stateless(WriteOSCALResults),
		Companions: []Format{{Name: "oscal-poam", Description: "OSCAL 1.1.2 POA&M (JSON)", Ext: ".json", File: "oscal-poam.json", New: stateless(WriteOSCALPOAM)}}},
}

// stateless is the constructor of a writer that is a plain function: report writers hold no
// state and take no options.
func stateless(write func(io.Writer, *Report) error) func(Options) Writer {
	return func(Options) Writer { return format.WriterFunc[*Report](write) }
}
