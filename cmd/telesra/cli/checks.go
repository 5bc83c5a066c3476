package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/telesra/telesra/checks"
)

// NewCmdChecks builds `telesra checks`.
func NewCmdChecks(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "checks",
		Short: "The catalog of checks",
		Args:  exactArgs(0),
	}
	var format string
	list := &cobra.Command{
		Use:   "list",
		Short: "List every check: ID, severity, HIPAA citations, what it probes",
		Long: `List every check telesra runs. --format markdown prints docs/checks.md (the full
catalog with probes, connection counts and remediation); json prints it as data.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			reg, _, err := f.Registry(FamilyOptions{})
			if err != nil {
				return err
			}
			return writeCatalog(f.IO, reg, format)
		},
	}
	list.Flags().StringVarP(&format, "format", "f", "table", "table, markdown or json")
	cmd.AddCommand(list)
	return cmd
}

func writeCatalog(s *IOStreams, reg *checks.Registry, format string) error {
	switch format {
	case "markdown", "md":
		_, err := io.WriteString(s.Out, reg.Markdown())
		return err
	case "json":
		enc := json.NewEncoder(s.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(reg.Catalog())
	case "table":
		cols := []column{{Header: "CHECK"}, {Header: "SEVERITY"}, {Header: "HIPAA", Wrap: true, Min: 13, Drop: 1}, {Header: "TITLE", Wrap: true, Min: 20}}
		var rows [][]string
		for _, c := range reg.Checks() {
			rows = append(rows, []string{c.ID, c.Severity.String(), strings.Join(c.HIPAA, " "), c.Title})
		}
		out := fitTable(cols, rows, s.TableWidth(), s.ColorOut()) + fmt.Sprintf("%d checks. Details: telesra checks list --format markdown\n", len(reg.Checks()))
		_, err := io.WriteString(s.Out, out)
		return err
	}
	return usageErrorf("--format: want table, markdown or json, not %q", format)
}
