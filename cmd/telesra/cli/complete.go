package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/cmd/telesra/workspace"
	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/report"
	"github.com/telesra/telesra/report/format"
	"github.com/telesra/telesra/report/register"
	"github.com/telesra/telesra/report/scan"
)

// addCompletions teaches shell completion the values flags and arguments take: check families
// and IDs, formats, severities, statuses, sections, and the risk IDs of the workspace named
// by -w. It is registered from the root so that verbs stay about flags and use cases.
func addCompletions(root *cobra.Command, f *Factory) {
	find := func(path ...string) *cobra.Command {
		c, _, err := root.Find(path)
		if err != nil || c == root {
			return nil
		}
		return c
	}
	flag := func(c *cobra.Command, name string, fn cobra.CompletionFunc) {
		if c != nil && c.Flags().Lookup(name) != nil {
			_ = c.RegisterFlagCompletionFunc(name, fn)
		}
	}
	words := func(ws ...string) cobra.CompletionFunc {
		return cobra.FixedCompletions(ws, cobra.ShellCompDirectiveNoFileComp)
	}

	// The registry is built only when a shell asks: every other command starts without it.
	checkNames := func() []string {
		var out []string
		if reg, _, err := f.Registry(FamilyOptions{}); err == nil {
			for _, fam := range reg.Families() {
				out = append(out, fam.Name)
			}
			for _, c := range reg.Checks() {
				out = append(out, c.ID)
			}
		}
		return out
	}
	var sevs []string
	for _, s := range checks.Severities() {
		sevs = append(sevs, s.String())
	}
	var statuses []string
	for _, s := range register.Statuses() {
		statuses = append(statuses, string(s))
	}

	sc := find("scan")
	flag(sc, "checks", commaList(checkNames))
	flag(sc, "fail-on", words(sevs...))
	flag(sc, "format", words(allNames(scan.Formats)...))
	flag(find("report"), "format", commaList(func() []string { return allNames(report.Formats) }))
	flag(find("risks", "list"), "format", words("table", "json"))
	flag(find("checks", "list"), "format", words("table", "markdown", "md", "json"))
	flag(find("risks", "set"), "status", words(statuses...))
	flag(find("answers", "export"), "section", words(questionnaire.DefaultBank().SectionIDs()...))
	for _, verb := range []string{"show", "set"} {
		if c := find("risks", verb); c != nil {
			c.ValidArgsFunction = riskIDs(f)
		}
	}
}

// allNames lists a format registry's names and aliases.
func allNames[D, O any](fs format.Formats[D, O]) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Name)
		out = append(out, f.Aliases...)
	}
	return out
}

// commaList completes the last element of a comma-separated list.
func commaList(values func() []string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		done, last := "", toComplete
		if i := strings.LastIndex(toComplete, ","); i >= 0 {
			done, last = toComplete[:i+1], toComplete[i+1:]
		}
		var out []cobra.Completion
		for _, v := range values() {
			if strings.HasPrefix(v, last) {
				out = append(out, done+v)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
}

// riskIDs completes a risk ID from the register of the workspace -w names.
func riskIDs(f *Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		dir, _ := cmd.Flags().GetString("workspace")
		a, err := workspace.Analyse(dir, f.Now())
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		var out []cobra.Completion
		for _, k := range a.Register.Risks {
			if strings.HasPrefix(k.ID, toComplete) {
				out = append(out, cobra.CompletionWithDesc(k.ID, k.Title))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}
