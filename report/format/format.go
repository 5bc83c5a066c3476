// Package format is the shape every telesra output format shares: a [Writer] of one kind of
// document, and a [Formats] registry that names formats by one rule. report/scan registers the
// scan result's formats (D = *checks.Result) and report the register's (D = *report.Report), so
// `telesra scan -f` and `telesra report -f` look names up, list them in their help and pick a
// format from a file name the same way.
//
// The naming rule: a format has one canonical name, lower case, which help and the default
// lists print, and may answer to aliases; lookups ignore case and surrounding space. A Markdown
// writer is "markdown" with the alias "md" in every registry ([Markdown], [MarkdownAliases]).
package format

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
)

// The names formats share across registries, so the scan and the report spell them alike.
const (
	JSON     = "json"
	Markdown = "markdown"
)

// MarkdownAliases are the other names of a Markdown format: "md", its file extension, which the
// report command used as the format's name before both commands shared one registry shape.
var MarkdownAliases = []string{"md"}

// Writer renders a document of type D in one format.
type Writer[D any] interface {
	Write(w io.Writer, d D) error
}

// WriterFunc makes a function a Writer, for formats whose writer needs no state.
type WriterFunc[D any] func(w io.Writer, d D) error

// Write calls f.
func (f WriterFunc[D]) Write(w io.Writer, d D) error { return f(w, d) }

// Format is one output format: the names it answers to, what it writes, and how to make its
// writer from the options O a registry's writers take.
type Format[D, O any] struct {
	Name        string   // canonical name, lower case: what help and default lists print
	Aliases     []string // further names it answers to
	Description string   // one line for help
	Ext         string   // extension of the files it writes, with the dot: picks a format from a file name
	File        string   // the name it is written under in an output directory, when that is fixed (report formats)
	New         func(O) Writer[D]
	// Companions are further documents written with the format under its name: OSCAL's POA&M
	// beside its assessment results. They are not looked up on their own.
	Companions []Format[D, O]
}

// Files is the format followed by its companions: every document writing the format produces.
func (f Format[D, O]) Files() []Format[D, O] {
	return append([]Format[D, O]{f}, f.Companions...)
}

// answers reports whether name (already normalised) is the format's name or an alias.
func (f Format[D, O]) answers(name string) bool {
	return f.Name == name || slices.Contains(f.Aliases, name)
}

// Formats is a registry: formats in the order help lists them.
type Formats[D, O any] []Format[D, O]

// Names lists the canonical names, in registry order.
func (fs Formats[D, O]) Names() []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}

// Lookup finds a format by its name or an alias, ignoring case and surrounding space.
func (fs Formats[D, O]) Lookup(name string) (Format[D, O], bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	i := slices.IndexFunc(fs, func(f Format[D, O]) bool { return f.answers(name) })
	if i < 0 {
		return Format[D, O]{}, false
	}
	return fs[i], true
}

// New makes the writer of the named format.
func (fs Formats[D, O]) New(name string, o O) (Writer[D], error) {
	f, ok := fs.Lookup(name)
	if !ok {
		return nil, fmt.Errorf("unknown format %q (want one of %s)", name, strings.Join(fs.Names(), ", "))
	}
	return f.New(o), nil
}

// ForFile finds the format whose extension a file name has, ignoring case; the first in
// registry order when several share it.
func (fs Formats[D, O]) ForFile(path string) (Format[D, O], bool) {
	ext := strings.ToLower(filepath.Ext(path))
	i := slices.IndexFunc(fs, func(f Format[D, O]) bool { return ext != "" && f.Ext == ext })
	if i < 0 {
		return Format[D, O]{}, false
	}
	return fs[i], true
}

// Check reports a registry that breaks the naming rule: a name that is not lower case or not
// trimmed, one name (canonical or alias) given to two formats, a Markdown format under another
// name, a format without a writer, a fixed file name without the format's extension. Each
// registry calls it from a test.
func (fs Formats[D, O]) Check() error {
	seen := map[string]string{}
	for _, f := range fs {
		for _, n := range append([]string{f.Name}, f.Aliases...) {
			if n == "" || n != strings.ToLower(strings.TrimSpace(n)) {
				return fmt.Errorf("format %q: name %q is not lower case and trimmed", f.Name, n)
			}
			if other, dup := seen[n]; dup {
				return fmt.Errorf("formats %q and %q both answer to %q", other, f.Name, n)
			}
			seen[n] = f.Name
		}
		if f.Ext == ".md" && (f.Name != Markdown || !slices.Equal(f.Aliases, MarkdownAliases)) {
			return fmt.Errorf("format %q writes Markdown: name it %q with the aliases %q", f.Name, Markdown, MarkdownAliases)
		}
		if f.New == nil {
			return fmt.Errorf("format %q: no writer", f.Name)
		}
		if f.File != "" && filepath.Ext(f.File) != f.Ext {
			return fmt.Errorf("format %q: file %q does not end in %q", f.Name, f.File, f.Ext)
		}
	}
	return nil
}
