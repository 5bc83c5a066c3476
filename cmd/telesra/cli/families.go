package cli

import (
	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/mfa"
	"github.com/telesra/telesra/checks/transport"
)

// FamilyOptions are the scan flags that configure check families.
type FamilyOptions struct{}

// Families is the one place that knows every check family.
func Families(o FamilyOptions) ([]*checks.Family, error) {
	return []*checks.Family{
		transport.Family(),
		// The web family's nuclei recognizer is wired in here once it lands; until then the mfa
		// family recognises portals by its own fingerprints.
		mfa.Family(mfa.Options{Recognizer: nil}),
	}, nil
}
