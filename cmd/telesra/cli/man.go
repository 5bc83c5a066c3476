package cli

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/telesra/telesra/cmd/telesra/workspace"
)

// NewCmdMan builds `telesra man DIR`: a man page per command, from the command tree itself.
func NewCmdMan(f *Factory) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "man DIR",
		Short: "Write telesra's man pages (section 1) into DIR",
		Long: `Write a man page for every command into DIR (telesra.1, telesra-scan.1, ...), for
packagers and for man -l. DIR is created if missing; existing pages are replaced only
with --force.`,
		Example: "  telesra man /usr/local/share/man/man1\n  man -l telesra-scan.1",
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := workspace.PrepareDir(args[0]); err != nil {
				return err
			}
			pages, err := ManPages(cmd.Root(), f.Version, f.Now())
			if err != nil {
				return err
			}
			for _, name := range sortedNames(pages) {
				if err := workspace.WriteFile(filepath.Join(args[0], name), pages[name], force); err != nil {
					return err
				}
			}
			if !f.IO.Quiet {
				fmt.Fprintf(f.IO.ErrOut, "Wrote %d man pages to %s\n", len(pages), args[0])
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "replace existing pages")
	return cmd
}

// ManPages renders a man page per available command, keyed by file name.
func ManPages(root *cobra.Command, version string, date time.Time) (map[string][]byte, error) {
	header := &doc.GenManHeader{Title: "TELESRA", Section: "1", Source: "telesra " + version, Manual: "telesra manual", Date: &date}
	out := map[string][]byte{}
	return out, eachCommand(root, func(c *cobra.Command) error {
		var b bytes.Buffer
		h := *header
		if err := doc.GenMan(c, &h, &b); err != nil {
			return fmt.Errorf("man page of %s: %w", c.CommandPath(), err)
		}
		out[strings.ReplaceAll(c.CommandPath(), " ", "-")+".1"] = b.Bytes()
		return nil
	})
}

// MarkdownPages renders docs/cli: a Markdown page per available command.
func MarkdownPages(root *cobra.Command) (map[string][]byte, error) {
	out := map[string][]byte{}
	link := func(name string) string { return strings.TrimSuffix(name, ".md") + ".md" }
	return out, eachCommand(root, func(c *cobra.Command) error {
		var b bytes.Buffer
		if err := doc.GenMarkdownCustom(c, &b, link); err != nil {
			return fmt.Errorf("docs of %s: %w", c.CommandPath(), err)
		}
		out[strings.ReplaceAll(c.CommandPath(), " ", "_")+".md"] = b.Bytes()
		return nil
	})
}

// eachCommand calls fn on root and every available command below it (help topics excluded),
// parents first.
func eachCommand(root *cobra.Command, fn func(*cobra.Command) error) error {
	var walk func(*cobra.Command) error
	walk = func(c *cobra.Command) error {
		if !c.IsAvailableCommand() && c != root || c.IsAdditionalHelpTopicCommand() {
			return nil
		}
		if err := fn(c); err != nil {
			return err
		}
		for _, sub := range c.Commands() {
			if err := walk(sub); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(root)
}

func sortedNames(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
