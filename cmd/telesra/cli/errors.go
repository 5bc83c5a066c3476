package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/cmd/telesra/workspace"
	"github.com/telesra/telesra/templates/datafile"
)

// Exit codes, documented in `telesra help exit-codes`.
const (
	ExitOK          = 0
	ExitFindings    = 1
	ExitUsage       = 2
	ExitNoTarget    = 3
	ExitFailure     = 4
	ExitInterrupted = 130
)

const exitCodesHelp = `telesra exits with:

  0    success; with --fail-on, no unsuppressed confirmed finding at or above the
       threshold
  1    --fail-on was given and an unsuppressed confirmed finding is at or above it
       (potential findings too with --fail-on-potential)
  2    usage or bad input: an unknown flag, check family or format; a malformed
       assessment.yaml, targets, answers, suppressions, assets.yaml or
       remediation.yaml file (the message names file:line); answers import
       conflicts; assess without a terminal; an unknown risk ID or a status change
       the workflow refuses; a report directory that cannot be written; a target
       outside the scope or a network wider than /20 without
       --allow-large-scope; a workspace without scanning authorisation; an output
       path in a missing directory; an input file that is missing, larger than
       its limit or not a regular file (/dev/zero; a pipe is read up to the
       limit: docs/files.md); an output path that is a symbolic link (but to a
       device or pipe), a directory or another user's file; a workspace
       another telesra kept locked for 15 s (the message names its pid and
       command)
  3    no target could be scanned (all refused, unreachable, unresolvable or silent)
  4    an unexpected failure (writing a file, an internal error)
  130  interrupted (Ctrl-C, SIGTERM, or SIGHUP when the terminal is closed); what
       was found is still written, marked "complete": false

Without --fail-on, findings never fail a run: a scan that completed exits 0.
A potential finding (a version-only match on a distribution-patched product, a
condition no probe could see) is reported but never trips --fail-on unless
--fail-on-potential is given.`

// UsageError is bad usage or bad input (exit 2).
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usageErrorf(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// FindingsError is --fail-on tripping (exit 1).
type FindingsError struct {
	Count     int
	Threshold checks.Severity
}

func (e *FindingsError) Error() string {
	return fmt.Sprintf("%d finding(s) at or above %s (--fail-on %s)", e.Count, e.Threshold, e.Threshold)
}

// NoTargetError is a scan in which nothing could be scanned (exit 3).
type NoTargetError struct{ Endpoints int }

func (e *NoTargetError) Error() string {
	if e.Endpoints == 0 {
		return "no target could be scanned: no open service found"
	}
	return fmt.Sprintf("no target could be scanned: all %d endpoint(s) refused, unreachable or silent", e.Endpoints)
}

// InterruptedError is a run stopped by a signal (exit 130).
type InterruptedError struct{ Saved string }

func (e *InterruptedError) Error() string {
	if e.Saved != "" {
		return "interrupted; partial results written to " + e.Saved
	}
	return "interrupted"
}

// ExitCode maps an error to the process exit code: the only place that does.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var (
		usage     *UsageError
		findings  *FindingsError
		noTarget  *NoTargetError
		interrupt *InterruptedError
		fileErr   *datafile.FileError
		fileErrs  datafile.FileErrors
		scopeErr  *checks.ScopeError
		authErr   *workspace.AuthorisationError
		existsErr *workspace.ExistsError
		inputErr  *workspace.InputError
		busyErr   *workspace.BusyError
	)
	switch {
	case errors.As(err, &interrupt), errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.As(err, &findings):
		return ExitFindings
	case errors.As(err, &noTarget):
		return ExitNoTarget
	case errors.As(err, &usage), errors.As(err, &fileErr), errors.As(err, &fileErrs), errors.As(err, &scopeErr),
		errors.As(err, &authErr), errors.As(err, &existsErr), errors.As(err, &inputErr), errors.As(err, &busyErr), isCobraUsage(err):
		return ExitUsage
	}
	return ExitFailure
}

// isCobraUsage recognises the errors cobra itself returns for bad command lines.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "invalid argument", "flag needs an argument", "required flag", "accepts ", "requires at least", "requires at most"} {
		if strings.HasPrefix(msg, p) || strings.Contains(msg, " "+p) {
			return true
		}
	}
	return false
}

// newCmdExitCodes is the help topic `telesra help exit-codes`.
func newCmdExitCodes() *cobra.Command {
	return &cobra.Command{
		Use:   "exit-codes",
		Short: "What telesra's exit codes mean",
		Long:  exitCodesHelp,
	}
}
