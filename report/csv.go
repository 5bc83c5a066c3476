package report

import (
	"encoding/csv"
	"io"
	"strings"
)

// csvHeader is the register's columns, in the order of the PDF and XLSX register.
var csvHeader = []string{"ID", "Asset", "Asset kind", "Threat source", "Threat event", "Vulnerability",
	"Existing controls", "Likelihood", "Likelihood reason", "Impact", "Impact reason", "Risk level",
	"HIPAA", "Findings", "Answers", "Remediation", "Owner", "Due", "Status", "Status note",
	// Likelihood, Impact and Risk level above are final: an assessor's rating, when one was
	// given. These columns keep the rules' rating and the override beside them.
	"Computed likelihood", "Computed impact", "Computed level", "Override by", "Override date", "Override why", "Override note",
	"Contradicted answers", "Verified by scan",
	// What the register knows beyond one asset and the ratings: every asset the risk concerns,
	// whether it rests only on inferred findings, and the Addressable decisions it lacks.
	"Assets concerned", "Potential only", "Decisions missing"}

// CSV writes the register, one row per risk. Cells are cleaned of control characters and a
// cell that a spreadsheet would run as a formula (=, +, -, @ first) is prefixed with a quote: a
// hostile banner must not become a formula on the consultant's machine.
//
// By default the file opens as intended in Excel: a UTF-8 byte order mark (without it Excel on
// Windows reads the file in the local code page and mangles accented names) and CRLF line
// ends. Plain writes neither, for tools that read RFC 4180 as Go and Python do.
type CSV struct {
	Plain bool
}

// WriteCSV writes the register for Excel (CSV{}).
func WriteCSV(w io.Writer, r *Report) error { return CSV{}.Write(w, r) }

func (c CSV) Write(w io.Writer, r *Report) error {
	if !c.Plain {
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = !c.Plain
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, k := range r.Register.Risks {
		row := []string{k.ID, k.Asset.Label(), k.Asset.Kind, k.ThreatSource, k.ThreatEvent, k.Vulnerability,
			strings.Join(controlsText(k), "; "), levelOrDash(k.Likelihood.Level), k.Likelihood.Reason,
			levelOrDash(k.Impact.Level), k.Impact.Reason, levelOrDash(k.Level),
			strings.Join(citationLabels(k), "; "), strings.Join(k.Findings, " "), strings.Join(k.Answers, " "),
			k.Remediation, k.Owner, k.Due, statusText(k), k.StatusNote}
		row = append(row, overrideColumns(k)...)
		row = append(row, strings.Join(contradictedText(k), "; "), strings.Join(verifiedText(k), "; "))
		var concerned []string
		for _, a := range k.Assets {
			concerned = append(concerned, a.Label())
		}
		potential := ""
		if k.PotentialOnly {
			potential = "yes"
		}
		row = append(row, strings.Join(concerned, "; "), potential, strings.Join(k.DecisionsMissing, "; "))
		for i := range row {
			row[i] = spreadsheetSafe(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// spreadsheetSafe cleans a cell and defuses formula injection (OWASP "CSV injection").
func spreadsheetSafe(s string) string {
	s = cleanText(s)
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) && s != "-" {
		return "'" + s
	}
	return s
}
