package cli

import (
	"errors"
	"fmt"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/mfa"
	"github.com/telesra/telesra/checks/patch"
	tlscheck "github.com/telesra/telesra/checks/tls"
	"github.com/telesra/telesra/checks/transport"
	"github.com/telesra/telesra/checks/web"
)

// FamilyOptions are the scan flags that configure check families.
type FamilyOptions struct {
	// KBDir is --kb-dir: the patch knowledge base's imported copies ("" for the user default).
	KBDir string
	// CAFile holds extra trust anchors (PEM) for TLS chain verification: a practice's internal CA.
	CAFile string
	// TemplatesDir adds the user's nuclei templates to the web family (--templates DIR).
	TemplatesDir string
	// Notice receives warnings for the user, such as a template the scan skips and why; nil
	// drops them.
	Notice func(string)
}

// Families is the one place that knows every check family.
func Families(o FamilyOptions) ([]*checks.Family, error) {
	tlsFam, err := tlscheck.Family(tlscheck.Options{CAFile: o.CAFile})
	if err != nil {
		return nil, &UsageError{Err: err} // an unreadable or malformed --ca-file (file:line)
	}
	// web is the nuclei engine's family; its engine is also the checks.Recognizer the mfa and
	// patch families receive. Bind makes a family's Open hold the engine, so recognition works
	// even when only that family's checks are selected.
	webFam, rec, err := web.New(web.Options{TemplatesDir: o.TemplatesDir, Notice: o.Notice})
	if errors.Is(err, web.ErrTemplatesDir) {
		return nil, &UsageError{Err: fmt.Errorf("--templates: %w", err)}
	} else if err != nil {
		return nil, err
	}
	mfaFam := mfa.Family(mfa.Options{Recognizer: rec})
	kb := o.KBDir
	if kb == "" {
		kb, _ = kbDir("") // no user configuration directory: the embedded knowledge base alone
	}
	patchFam := patch.Family(patch.Options{Recognizer: rec, KBDir: kb})
	rec.Bind(mfaFam)
	rec.Bind(patchFam)
	return []*checks.Family{
		tlsFam,
		transport.Family(),
		mfaFam,
		patchFam,
		webFam,
	}, nil
}
