package workspace

import "fmt"

// InputError is bad input to a use case: a malformed or missing workspace file, a target
// outside the scope, an unknown check. The command line maps it to exit 2.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

func inputErrorf(format string, args ...any) error {
	return &InputError{Err: fmt.Errorf(format, args...)}
}

// ExistsError is returned when a file would be overwritten without --force.
type ExistsError struct{ Path string }

func (e *ExistsError) Error() string {
	return fmt.Sprintf("%s already exists (use --force to replace it)", e.Path)
}

// AuthorisationError explains why a workspace may not be actively scanned.
type AuthorisationError struct {
	Path string
	Why  string
}

func (e *AuthorisationError) Error() string {
	return fmt.Sprintf("%s: active scanning is not authorised: %s", e.Path, e.Why)
}
