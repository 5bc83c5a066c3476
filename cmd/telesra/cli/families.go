package cli

import (
	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/transport"
)

// FamilyOptions are the scan flags that configure check families.
type FamilyOptions struct{}

// Families is the one place that knows every check family.
func Families(o FamilyOptions) ([]*checks.Family, error) {
	return []*checks.Family{
		transport.Family(),
	}, nil
}
