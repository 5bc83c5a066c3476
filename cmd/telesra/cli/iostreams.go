package cli

import (
	"io"
	"os"
	"strconv"

	"golang.org/x/term"
)

// IOStreams are the process's streams and what we know about them. Data goes to Out; everything
// for humans (progress, warnings, errors) goes to ErrOut.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	InTTY, OutTTY, ErrTTY bool
	// Getenv reads the environment (tests substitute a map).
	Getenv func(string) string
	// Quiet is --quiet: no progress, no notices; errors still go to ErrOut.
	Quiet bool
	// Width returns the terminal width of ErrOut/Out, or 0.
	Width func() int
}

// System returns the real streams.
func System() *IOStreams {
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		InTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		OutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		ErrTTY: term.IsTerminal(int(os.Stderr.Fd())),
		Getenv: os.Getenv,
		Width: func() int {
			for _, f := range []*os.File{os.Stdout, os.Stderr} {
				if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
					return w
				}
			}
			return 0
		},
	}
}

// colorAllowed applies NO_COLOR (any value), CLICOLOR=0, CLICOLOR_FORCE and TERM=dumb to a stream
// that is (or is not) a terminal.
func (s *IOStreams) colorAllowed(tty bool) bool {
	if s.Getenv("NO_COLOR") != "" {
		return false
	}
	if v, err := strconv.ParseBool(s.Getenv("CLICOLOR_FORCE")); err == nil && v {
		return true
	}
	if s.Getenv("CLICOLOR") == "0" || s.Getenv("TERM") == "dumb" {
		return false
	}
	return tty
}

// ColorOut reports whether data on Out may carry colour.
func (s *IOStreams) ColorOut() bool { return s.colorAllowed(s.OutTTY) }

// ColorErr reports whether messages on ErrOut may carry colour.
func (s *IOStreams) ColorErr() bool { return s.colorAllowed(s.ErrTTY) }

// Animate reports whether progress may redraw in place on ErrOut.
func (s *IOStreams) Animate() bool {
	return !s.Quiet && s.ErrTTY && s.Getenv("TERM") != "dumb"
}

// TermWidth is the terminal width, 100 when unknown.
func (s *IOStreams) TermWidth() int {
	if s.Width != nil {
		if w := s.Width(); w > 0 {
			return w
		}
	}
	return 100
}
