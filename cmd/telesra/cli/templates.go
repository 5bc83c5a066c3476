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
	IO        *IOStreams
	Templates TemplateCatalog
	Dir       string
	Format    string
}

// NewCmdTemplatesList builds `telesra templates list`.
func NewCmdTemplatesList(f *Factory, runF func(*TemplatesListOptions) error) *cobra.Command {
	o := &TemplatesListOptions{IO: f.IO, Templates: f.Templates}
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

// TemplateCatalog is the web family's nuclei templates as the templates verbs see them; main
// supplies it, so this package never links nuclei.
type TemplateCatalog interface {
	// List returns the templates a scan runs: the embedded pack and, with dir, the user's valid
	// templates, plus why each of the user's other templates is skipped. A dir that cannot be
	// read is a UsageError.
	List(dir string) (templates []TemplateInfo, rejected []error, err error)
	// Validate checks every template under dir ("" for the embedded pack) the way a scan uses
	// it; each invalid template's error names file:line (datafile.FileError or FileErrors).
	Validate(ctx context.Context, dir string) (valid []TemplateInfo, invalid []error, err error)
}

// TemplateInfo is one template, as `templates list --format json` prints it.
type TemplateInfo struct {
	Check    string   `json:"check"`
	File     string   `json:"file"`
	Title    string   `json:"title"`
	Severity string   `json:"severity"`
	HIPAA    []string `json:"hipaa"`
	Requests []string `json:"requests"`
	// Technology is what the template recognises (product, version extraction), nil if nothing.
	Technology   any    `json:"technology,omitempty"`
	Recognises   string `json:"-"` // the product Technology names, for the table
	UserSupplied bool   `json:"user_supplied,omitempty"`
}

func templatesListRun(o *TemplatesListOptions) error {
	if o.Templates == nil {
		return errors.New("this build has no web checks")
	}
	list, rejected, err := o.Templates.List(o.Dir)
	if err != nil {
		return err
	}
	for _, e := range rejected {
		fmt.Fprintf(o.IO.ErrOut, "warning: %v; not listed (see telesra templates validate)\n", e)
	}
	switch o.Format {
	case "json":
		enc := json.NewEncoder(o.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
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
		for _, t := range list {
			tbl.Row(t.Check, t.Severity, strings.Join(t.HIPAA, " "), t.Recognises, t.File)
		}
		out := tbl.Render() + "\n" + fmt.Sprintf("%d templates. Validate your own with: telesra templates validate DIR\n", len(list))
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
	IO        *IOStreams
	Templates TemplateCatalog
	Dir       string // "" validates the embedded pack
}

// NewCmdTemplatesValidate builds `telesra templates validate [DIR]`.
func NewCmdTemplatesValidate(f *Factory, runF func(*TemplatesValidateOptions) error) *cobra.Command {
	o := &TemplatesValidateOptions{IO: f.IO, Templates: f.Templates}
	cmd := &cobra.Command{
		Use:   "validate [DIR]",
		Short: "Parse and lint nuclei templates the way a scan would use them",
		Long: `Check every template under DIR (default: telesra's embedded pack) the way a scan uses it:
telesra's rules first — the id, info.name, info.severity, info.description,
info.remediation and info.metadata.telesra.hipaa (citations from the HIPAA table) are
required; only the http protocol is allowed (no code, headless, javascript, flow, dns,
file, network, ssl, websocket, whois or workflows; no interactsh, unsafe, race or pipeline
requests); and expressions may call only DSL helpers that compute on their arguments alone
(no jarm, resolve, public_ip, llm_prompt, wait_for, print_debug or exploit-gadget helpers,
nor any helper telesra has not vetted), judged on the decoded YAML — then nuclei's own
parser and compiler. Nothing is sent anywhere.

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
	if o.Templates == nil {
		return errors.New("this build has no web checks")
	}
	valid, invalid, err := o.Templates.Validate(ctx, o.Dir)
	if err != nil {
		return err
	}
	for _, t := range valid {
		fmt.Fprintf(o.IO.Out, "ok    %-44s %s\n", t.Check, t.File)
	}
	var bad datafile.FileErrors
	for _, e := range invalid {
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
	fmt.Fprintf(o.IO.Out, "%d valid, %d invalid (%s)\n", len(valid), len(files), where)
	if len(bad) > 0 {
		return &UsageError{Err: fmt.Errorf("%d invalid template(s) in %s", len(files), where)}
	}
	return nil
}
