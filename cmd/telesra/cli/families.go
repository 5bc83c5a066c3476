package cli

import (
	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/mfa"
	"github.com/telesra/telesra/checks/patch"
	tlscheck "github.com/telesra/telesra/checks/tls"
	"github.com/telesra/telesra/checks/transport"
)

// FamilyOptions are the scan flags that configure check families.
type FamilyOptions struct {
	// KBDir is --kb-dir: the patch knowledge base's imported copies ("" for the user default).
	KBDir string
	// CAFile holds extra trust anchors (PEM) for TLS chain verification: a practice's internal CA.
	CAFile string
}

// Families is the one place that knows every check family.
func Families(o FamilyOptions) ([]*checks.Family, error) {
	tlsFam, err := tlscheck.Family(tlscheck.Options{CAFile: o.CAFile})
	if err != nil {
		return nil, &UsageError{Err: err} // an unreadable or malformed --ca-file (file:line)
	}
	return []*checks.Family{
		tlsFam,
		transport.Family(),
		// The web family's nuclei recognizer is wired in here once it lands; until then mfa and
		// patch recognise products by their own fingerprints.
		mfa.Family(mfa.Options{Recognizer: nil}),
		patch.Family(patch.Options{Recognizer: nil, KBDir: o.KBDir}),
	}, nil
}
