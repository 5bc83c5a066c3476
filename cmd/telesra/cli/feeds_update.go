package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/telesra/telesra/cmd/telesra/workspace"
)

// FeedsUpdateRequest is what `telesra feeds update` asks the knowledge base to fetch.
type FeedsUpdateRequest struct {
	KEVURL, EndOfLifeURL string // "" for the official endpoints
	Mirror, FromDir      string
	CAFile               string
	Timeout              time.Duration
	MaxBytes             int64
	Now                  time.Time
	Write                func(path string, data []byte) error
}

// FeedsUpdateReport is what an update changed.
type FeedsUpdateReport struct {
	Changes []FeedChange
	Skipped []string
}

// FeedChange is one source's update.
type FeedChange struct {
	Source, From, Path    string
	DateBefore, DateAfter string
	EntriesBefore         int
	EntriesAfter          int
}

// FeedsUpdateOptions are `telesra feeds update`'s inputs.
type FeedsUpdateOptions struct {
	IO  *IOStreams
	Now func() time.Time
	KB  func(dir string) (KnowledgeBase, error)
	FeedsUpdateRequest
	KBDir string
}

// NewCmdFeedsUpdate builds `telesra feeds update`.
func NewCmdFeedsUpdate(f *Factory, runF func(*FeedsUpdateOptions) error) *cobra.Command {
	o := &FeedsUpdateOptions{IO: f.IO, Now: f.Now, KB: f.openKB}
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Download the current CISA KEV catalog and endoflife.date life cycles, verify and install them",
		Long: `Download the current feeds the patch checks judge with, over HTTPS from their official
endpoints, and install them beside the embedded knowledge base:

  CISA KEV       https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json
  endoflife.date https://endoflife.date/api/v1/products/PRODUCT/ for every product telesra maps

This is the only command that connects beyond a declared scope, and only when you run it. Each
document is bounded in size and time and verified (CISA's schema and entry count, endoflife.date's
releases, dates never older than the installed copy); nothing is installed unless every document
passed.

Air-gapped sites: --from-dir DIR reads DIR/kev/known_exploited_vulnerabilities.json and
DIR/endoflife/products/PRODUCT.json (or .md, the endoflife.date page); --mirror URL fetches the
same layout from an internal HTTPS mirror (--ca-file for its CA).`,
		Example: `  telesra feeds update
  telesra feeds update --mirror https://mirror.clinic.internal/feeds --ca-file clinic-ca.pem
  telesra feeds update --from-dir /media/usb/feeds`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			return feedsUpdateRun(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.KEVURL, "kev-url", "", "`URL` of CISA's KEV catalog (default: CISA's feed)")
	fl.StringVar(&o.EndOfLifeURL, "endoflife-url", "", "`URL` of an endoflife.date product document, {product} replaced (default: the v1 API)")
	fl.StringVar(&o.Mirror, "mirror", "", "HTTPS mirror `URL` laid out as kev/ and endoflife/products/")
	fl.StringVar(&o.FromDir, "from-dir", "", "read the feeds from `DIR` (same layout) instead of the network")
	fl.StringVar(&o.CAFile, "ca-file", "", "also trust the CA certificates in PEM `FILE` (a mirror's internal CA)")
	fl.DurationVar(&o.Timeout, "timeout", time.Minute, "time budget of one download")
	fl.StringVar(&o.KBDir, "kb-dir", "", "knowledge-base `DIR` (default: the user configuration directory's telesra/kb)")
	cmd.MarkFlagsMutuallyExclusive("mirror", "from-dir")
	return cmd
}

func feedsUpdateRun(ctx context.Context, o *FeedsUpdateOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	kb, err := o.KB(o.KBDir)
	if err != nil {
		return err
	}
	req := o.FeedsUpdateRequest
	req.Now, req.Write = o.Now(), workspace.Files{}.WriteFile
	rep, err := kb.Update(ctx, req)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tDATE\tWAS\tENTRIES\tWERE\tFROM")
	for _, c := range rep.Changes {
		was := c.DateBefore
		if was == "" {
			was = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\n", c.Source, c.DateAfter, was, c.EntriesAfter, c.EntriesBefore, c.From)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if !o.IO.Quiet {
		for _, s := range rep.Skipped {
			fmt.Fprintf(o.IO.ErrOut, "warning: skipped %s\n", s)
		}
		fmt.Fprintf(o.IO.ErrOut, "Installed %d feeds into %s; later scans use them.\n", len(rep.Changes), kb.Dir())
	}
	return nil
}
