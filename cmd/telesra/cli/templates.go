package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/telesra/telesra/templates/datafile"

	"charm.land/lipgloss/v2"
	"charm.land/lipgloss/v2/table"
	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"github.com/telesra/telesra/checks/web"
)

// NewCmdTemplates builds `telesra templates`: the nuclei templates of the web family.
func NewCmdTemplates(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "templates",
		Short: "The nuclei templates of the web checks: list and validate",
		Args:  exactArgs(0),
	}
	cmd.AddCommand(NewCmdTemplatesList(f, nil), NewCmdTemplatesValidate(f, nil))
	return cmd
}

// TemplatesListOptions are `telesra templates list`'s inputs.
type TemplatesListOptions struct {
	IO     *IOStreams
	Dir    string
	Format string
}

// NewCmdTemplatesList builds `telesra templates list`.
func NewCmdTemplatesList(f *Factory, runF func(*TemplatesListOptions) error) *cobra.Command {
	o := &TemplatesListOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the templates a scan runs: check ID, severity, HIPAA citations, what it recognises",
		Long: `List telesra's embedded nuclei templates, and with --templates DIR the user's valid ones
too, each as the check web.<template-id> it becomes.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			return templatesListRun(o)
		},
	}
	cmd.Flags().StringVar(&o.Dir, "templates", "", "also list the valid templates in `DIR`")
	cmd.Flags().StringVarP(&o.Format, "format", "f", "table", "table or json")
	return cmd
}

// templateEntry is one template as `templates list --format json` prints it.
type templateEntry struct {
	Check        string    `json:"check"`
	File         string    `json:"file"`
	Title        string    `json:"title"`
	Severity     string    `json:"severity"`
	HIPAA        []string  `json:"hipaa"`
	Requests     []string  `json:"requests"`
	Technology   *web.Tech `json:"technology,omitempty"`
	UserSupplied bool      `json:"user_supplied,omitempty"`
}

func templatesListRun(o *TemplatesListOptions) error {
	p, err := web.NewPack(o.Dir)
	if errors.Is(err, web.ErrTemplatesDir) {
		return &UsageError{Err: fmt.Errorf("--templates: %w", err)}
	} else if err != nil {
		return err
	}
	for _, e := range p.Rejected {
		fmt.Fprintf(o.IO.ErrOut, "warning: %v; not listed (see telesra templates validate)\n", e)
	}
	switch o.Format {
	case "json":
		var out []templateEntry
		for _, t := range p.Templates {
			out = append(out, templateEntry{Check: t.CheckID(), File: t.File, Title: t.Name, Severity: t.Severity.String(),
				HIPAA: t.HIPAA, Requests: t.Requests, Technology: t.Tech, UserSupplied: t.User})
		}
		enc := json.NewEncoder(o.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case "table":
		tbl := table.New().Border(lipgloss.NormalBorder()).BorderColumn(false).BorderTop(false).BorderBottom(false).
			BorderLeft(false).BorderRight(false).
			Headers("CHECK", "SEVERITY", "HIPAA", "RECOGNISES", "FILE").
			StyleFunc(func(row, _ int) lipgloss.Style {
				st := lipgloss.NewStyle().PaddingRight(2)
				if row == table.HeaderRow {
					return st.Bold(true)
				}
				return st
			})
		for _, t := range p.Templates {
			tech := ""
			if t.Tech != nil {
				tech = t.Tech.Product
			}
			tbl.Row(t.CheckID(), t.Severity.String(), strings.Join(t.HIPAA, " "), tech, t.File)
		}
		out := tbl.Render() + "\n" + fmt.Sprintf("%d templates. Validate your own with: telesra templates validate DIR\n", len(p.Templates))
		if !o.IO.ColorOut() {
			out = ansi.Strip(out)
		}
		_, err := io.WriteString(o.IO.Out, out)
		return err
	}
	return usageErrorf("--format: want table or json, not %q", o.Format)
}

// TemplatesValidateOptions are `telesra templates validate`'s inputs.
type TemplatesValidateOptions struct {
	IO  *IOStreams
	Dir string // "" validates the embedded pack
}

// NewCmdTemplatesValidate builds `telesra templates validate [DIR]`.
func NewCmdTemplatesValidate(f *Factory, runF func(*TemplatesValidateOptions) error) *cobra.Command {
	o := &TemplatesValidateOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "validate [DIR]",
		Short: "Parse and lint nuclei templates the way a scan would use them",
		Long: `Check every template under DIR (default: telesra's embedded pack) the way a scan uses it:
telesra's rules first — the id, info.name, info.severity, info.description,
info.remediation and info.metadata.telesra.hipaa (citations from the HIPAA table) are
required; only the http protocol is allowed (no code, headless, javascript, flow, dns,
file, network, ssl, websocket, whois or workflows; no interactsh, resolve(), unsafe, race
or pipeline requests) — then nuclei's own parser and compiler. Nothing is sent anywhere.

Each bad template is named with file:line and why; the exit code is 2 if any is bad.`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.Dir = args[0]
			}
			if runF != nil {
				return runF(o)
			}
			return templatesValidateRun(cmd.Context(), o)
		},
	}
	return cmd
}

func templatesValidateRun(ctx context.Context, o *TemplatesValidateOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	rep, err := web.Validate(ctx, o.Dir)
	if errors.Is(err, web.ErrTemplatesDir) {
		return &UsageError{Err: err}
	} else if err != nil {
		return err
	}
	for _, t := range rep.Valid {
		fmt.Fprintf(o.IO.Out, "ok    %-44s %s\n", t.CheckID(), t.File)
	}
	var bad datafile.FileErrors
	for _, e := range rep.Invalid {
		var fes datafile.FileErrors
		var fe *datafile.FileError
		switch {
		case errors.As(e, &fes):
			bad = append(bad, fes...)
		case errors.As(e, &fe):
			bad = append(bad, fe)
		default:
			bad = append(bad, &datafile.FileError{Msg: e.Error()})
		}
	}
	files := map[string]bool{}
	for _, fe := range bad {
		fmt.Fprintf(o.IO.Out, "FAIL  %s\n", fe)
		files[fe.File] = true
	}
	where := o.Dir
	if where == "" {
		where = "telesra's embedded pack"
	}
	fmt.Fprintf(o.IO.Out, "%d valid, %d invalid (%s)\n", len(rep.Valid), len(files), where)
	if len(bad) > 0 {
		return &UsageError{Err: fmt.Errorf("%d invalid template(s) in %s", len(files), where)}
	}
	return nil
}
