package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/telesra/telesra/checks/patch"
	"github.com/telesra/telesra/checks/web"
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
	cmd.AddCommand(NewCmdFeedsImport(f, nil), NewCmdFeedsStatus(f, nil))
	return cmd
}

// FeedsImportOptions are `telesra feeds import`'s inputs.
type FeedsImportOptions struct {
	IO      *IOStreams
	Now     func() time.Time
	File    string
	Kind    string
	Product string
	KBDir   string
}

// NewCmdFeedsImport builds `telesra feeds import FILE`.
func NewCmdFeedsImport(f *Factory, runF func(*FeedsImportOptions) error) *cobra.Command {
	o := &FeedsImportOptions{IO: f.IO, Now: f.Now}
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

// maxFeedFile is the largest feed file read (CISA's catalog is about 1.5 MB).
const maxFeedFile = 64 << 20

func feedsImportRun(o *FeedsImportOptions) error {
	kind := patch.FeedKind(o.Kind)
	if kind != "" && !validKind(kind) {
		return usageErrorf("--kind: want kev, endoflife or osv, not %q", o.Kind)
	}
	dir, err := kbDir(o.KBDir)
	if err != nil {
		return err
	}
	data, err := readFeed(o.File)
	if err != nil {
		return err
	}
	res, err := patch.ImportFeed(dir, o.File, data, patch.ImportOptions{Kind: kind, Product: o.Product, Now: o.Now()})
	if err != nil {
		return err
	}
	if !o.IO.Quiet {
		fmt.Fprintf(o.IO.ErrOut, "Imported %s\n  into %s\nLater scans use it; `telesra feeds status` lists the knowledge base's dates.\n", res.Summary, res.Path)
	}
	return nil
}

func validKind(k patch.FeedKind) bool {
	for _, v := range patch.FeedKinds {
		if v == k {
			return true
		}
	}
	return false
}

func kbDir(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	d, err := web.UserConfigDir()
	if err != nil {
		return "", usageErrorf("knowledge base: no user configuration directory (%v): give --kb-dir", err)
	}
	return patch.KBDirIn(d), nil
}

// readFeed reads a feed file, refusing anything too large to be one before reading it.
func readFeed(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		return nil, &UsageError{Err: err}
	} else if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxFeedFile+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxFeedFile {
		return nil, usageErrorf("%s: larger than %d MiB: not a feed", path, maxFeedFile>>20)
	}
	return data, nil
}

// FeedsStatusOptions are `telesra feeds status`'s inputs.
type FeedsStatusOptions struct {
	IO    *IOStreams
	KBDir string
}

// NewCmdFeedsStatus builds `telesra feeds status`.
func NewCmdFeedsStatus(f *Factory, runF func(*FeedsStatusOptions) error) *cobra.Command {
	o := &FeedsStatusOptions{IO: f.IO}
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

func feedsStatusRun(o *FeedsStatusOptions) error {
	dir, err := kbDir(o.KBDir)
	if err != nil {
		return err
	}
	srcs, err := patch.KnowledgeBaseInfo(dir)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DATE\tORIGIN\tENTRIES\tSOURCE\tFILE")
	for _, s := range srcs {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", s.Date, s.Origin, s.Entries, s.Name, s.File)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if !o.IO.Quiet {
		fmt.Fprintf(o.IO.ErrOut, "Imported copies: %s\n", dir)
		imported := false
		for _, s := range srcs {
			imported = imported || s.Origin == patch.OriginImported
		}
		if !imported {
			fmt.Fprintln(o.IO.ErrOut, "No feed imported yet: scans use the embedded snapshot only.")
		}
	}
	return nil
}
