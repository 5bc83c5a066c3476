package cli

import (
	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/patch"
	"github.com/telesra/telesra/checks/transport"
)

// FamilyOptions are the scan flags that configure check families.
type FamilyOptions struct {
	// KBDir is --kb-dir: the patch knowledge base's imported copies ("" for the user default).
	KBDir string
}

// Families is the one place that knows every check family.
func Families(o FamilyOptions) ([]*checks.Family, error) {
	return []*checks.Family{
		transport.Family(),
		// The web family's recognizer is wired here once it lands.
		patch.Family(patch.Options{Recognizer: nil, KBDir: o.KBDir}),
	}, nil
}
