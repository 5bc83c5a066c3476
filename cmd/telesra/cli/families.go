package cli

import (
	"errors"
	"fmt"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/transport"
	"github.com/telesra/telesra/checks/web"
)

// FamilyOptions are the scan flags that configure check families.
type FamilyOptions struct {
	// TemplatesDir adds the user's nuclei templates to the web family (--templates DIR).
	TemplatesDir string
	// Notice receives warnings for the user, such as a template the scan skips and why; nil
	// drops them.
	Notice func(string)
}

// Families is the one place that knows every check family.
func Families(o FamilyOptions) ([]*checks.Family, error) {
	// rec is the web family's nuclei engine; it is also the checks.Recognizer the mfa and patch
	// families receive through their options. A family that uses it is bound to it, so the engine
	// also runs when only that family's checks are selected:
	//
	//	mfaFam := mfa.Family(mfa.Options{Recognizer: rec})
	//	rec.Bind(mfaFam)
	webFam, rec, err := web.New(web.Options{TemplatesDir: o.TemplatesDir, Notice: o.Notice})
	if errors.Is(err, web.ErrTemplatesDir) {
		return nil, &UsageError{Err: fmt.Errorf("--templates: %w", err)}
	} else if err != nil {
		return nil, err
	}
	_ = rec
	return []*checks.Family{
		transport.Family(),
		webFam,
	}, nil
}
