package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/telesra/telesra/cmd/telesra/workspace"
)

// NewCmdFeeds builds `telesra feeds`: the offline knowledge base the patch checks judge with.
func NewCmdFeeds(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "feeds",
		Short: "The patch-level knowledge base: import downloaded feeds, show its dates",
		Long: `The patch checks judge versions offline, against a dated knowledge base embedded in telesra
(product life cycles, CISA KEV entries, CVE ranges, distribution fixes). 'feeds import' refreshes
it from files you downloaded; scans never fetch anything.

The imported copies live in the user's configuration directory (telesra/kb, 0600); later scans
use them on top of the embedded snapshot.`,
		Args: exactArgs(0),
	}
	cmd.AddCommand(NewCmdFeedsImport(f, nil), NewCmdFeedsStatus(f, nil), NewCmdFeedsUpdate(f, nil))
	return cmd
}

// KnowledgeBase is the patch family's offline knowledge base as the feeds and report verbs see
// it; main supplies it (Factory.KnowledgeBase), opened on the directory of imported copies.
type KnowledgeBase interface {
	// Kinds are the feed kinds Import understands ("kev", "endoflife", "osv").
	Kinds() []string
	// Import validates a downloaded feed and stores it (through Write) as an imported copy. kind
	// "" detects it; product names an endoflife.date v0 export. A bad feed is a FileError
	// naming file:line, and nothing is written.
	Import(file string, data []byte, kind, product string, now time.Time, write func(path string, data []byte) error) (summary, path string, err error)
	// Sources lists the embedded snapshot's and the imported copies' sources with their dates.
	Sources() ([]KBSource, error)
	// Dir is the directory of the imported copies.
	Dir() string
	// Update downloads the current feeds (or reads them from a mirror directory), verifies them
	// and installs them through req.Write; nothing is installed unless every document passed.
	Update(ctx context.Context, req FeedsUpdateRequest) (*FeedsUpdateReport, error)
}

// KBSource is one source of the knowledge base.
type KBSource struct {
	Name     string   `json:"name"`
	Date     string   `json:"date"`
	Origin   string   `json:"origin"`
	File     string   `json:"file,omitempty"`
	URLs     []string `json:"urls,omitempty"`
	Entries  int      `json:"entries,omitempty"`
	Imported bool     `json:"imported,omitempty"`
}

// FeedsImportOptions are `telesra feeds import`'s inputs.
type FeedsImportOptions struct {
	IO      *IOStreams
	Now     func() time.Time
	KB      func(dir string) (KnowledgeBase, error)
	File    string
	Kind    string
	Product string
	KBDir   string
}

// NewCmdFeedsImport builds `telesra feeds import FILE`.
func NewCmdFeedsImport(f *Factory, runF func(*FeedsImportOptions) error) *cobra.Command {
	o := &FeedsImportOptions{IO: f.IO, Now: f.Now, KB: f.openKB}
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Refresh the knowledge base from a downloaded CISA KEV catalog, endoflife.date export or OSV records",
		Long: `Validate a downloaded feed and add it to the knowledge base later scans use:

  CISA KEV       known_exploited_vulnerabilities.json from
                 https://www.cisa.gov/known-exploited-vulnerabilities-catalog
  endoflife.date https://endoflife.date/api/PRODUCT.json (name the file PRODUCT.json or give
                 --product) or https://endoflife.date/api/v1/products/PRODUCT/
  OSV            records from https://osv.dev (one record, a list, or a query answer) with
                 Debian, Ubuntu or RHEL-family fixed package versions

The kind is detected from the content. A malformed or truncated file is rejected with its
file:line and the existing knowledge base is left untouched (exit 2).`,
		Example: `  telesra feeds import ~/Downloads/known_exploited_vulnerabilities.json
  telesra feeds import nginx.json
  telesra feeds import --product debian export.json`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.File = args[0]
			if runF != nil {
				return runF(o)
			}
			return feedsImportRun(o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Kind, "kind", "", "feed kind: kev, endoflife or osv (default: detected)")
	fl.StringVar(&o.Product, "product", "", "endoflife.date product name of a v0 export (default: from the file name)")
	fl.StringVar(&o.KBDir, "kb-dir", "", "knowledge-base `DIR` (default: the user configuration directory's telesra/kb)")
	return cmd
}

func feedsImportRun(o *FeedsImportOptions) error {
	kb, err := o.KB(o.KBDir)
	if err != nil {
		return err
	}
	if o.Kind != "" && !slices.Contains(kb.Kinds(), o.Kind) {
		return usageErrorf("--kind: want kev, endoflife or osv, not %q", o.Kind)
	}
	data, err := workspace.ReadInput(o.File, workspace.FeedInput)
	if err != nil {
		return err
	}
	summary, path, err := kb.Import(o.File, data, o.Kind, o.Product, o.Now(), workspace.Files{}.WriteFile)
	if err != nil {
		return err
	}
	if !o.IO.Quiet {
		fmt.Fprintf(o.IO.ErrOut, "Imported %s\n  into %s\nLater scans use it; `telesra feeds status` lists the knowledge base's dates.\n", summary, path)
	}
	return nil
}

// kbDir is --kb-dir, or the knowledge base's directory in the user's configuration directory.
func (f *Factory) kbDir(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if f.ConfigDir == "" {
		return "", usageErrorf("knowledge base: no user configuration directory ($XDG_CONFIG_HOME or $HOME): give --kb-dir")
	}
	return filepath.Join(f.ConfigDir, "telesra", "kb"), nil
}

// openKB opens the knowledge base whose imported copies live in --kb-dir or the default.
func (f *Factory) openKB(flag string) (KnowledgeBase, error) {
	if f.KnowledgeBase == nil {
		return nil, errors.New("this build has no patch checks")
	}
	dir, err := f.kbDir(flag)
	if err != nil {
		return nil, err
	}
	return f.KnowledgeBase(dir), nil
}

// FeedsStatusOptions are `telesra feeds status`'s inputs.
type FeedsStatusOptions struct {
	IO    *IOStreams
	Now   func() time.Time
	KB    func(dir string) (KnowledgeBase, error)
	KBDir string
}

// NewCmdFeedsStatus builds `telesra feeds status`.
func NewCmdFeedsStatus(f *Factory, runF func(*FeedsStatusOptions) error) *cobra.Command {
	o := &FeedsStatusOptions{IO: f.IO, Now: f.Now, KB: f.openKB}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "List the knowledge base's files with their snapshot dates and sources",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			return feedsStatusRun(o)
		},
	}
	cmd.Flags().StringVar(&o.KBDir, "kb-dir", "", "knowledge-base `DIR` (default: the user configuration directory's telesra/kb)")
	return cmd
}

// staleAfterDays is the age past which a knowledge-base source earns a warning: KEV grows weekly
// and life cycles end monthly.
const staleAfterDays = 30

// sourceAge is a source's age in whole days on day now (-1 when its date is unreadable).
func sourceAge(date string, now time.Time) int {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return -1
	}
	return int(now.Sub(t).Hours() / 24)
}

// staleWarning names the sources older than the threshold ("" when none is).
func staleWarning(srcs []KBSource, now time.Time, after int) string {
	var old []string
	for _, s := range srcs {
		if age := sourceAge(s.Date, now); age > after {
			old = append(old, fmt.Sprintf("%s (%s, %d days)", s.Name, s.Date, age))
		}
	}
	if len(old) == 0 {
		return ""
	}
	return fmt.Sprintf("knowledge base older than %d days: %s; refresh it with `telesra feeds update`", after, strings.Join(old, "; "))
}

func feedsStatusRun(o *FeedsStatusOptions) error {
	kb, err := o.KB(o.KBDir)
	if err != nil {
		return err
	}
	srcs, err := kb.Sources()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
	now := o.Now()
	fmt.Fprintln(tw, "DATE\tAGE\tORIGIN\tENTRIES\tSOURCE\tFILE")
	for _, s := range srcs {
		fmt.Fprintf(tw, "%s\t%dd\t%s\t%d\t%s\t%s\n", s.Date, sourceAge(s.Date, now), s.Origin, s.Entries, s.Name, s.File)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if !o.IO.Quiet {
		fmt.Fprintf(o.IO.ErrOut, "Imported copies: %s\n", kb.Dir())
		imported := false
		for _, s := range srcs {
			imported = imported || s.Imported
		}
		if !imported {
			fmt.Fprintln(o.IO.ErrOut, "No feed imported yet: scans use the embedded snapshot only.")
		}
		if w := staleWarning(srcs, now, staleAfterDays); w != "" {
			fmt.Fprintf(o.IO.ErrOut, "warning: %s\n", w)
		}
	}
	return nil
}
