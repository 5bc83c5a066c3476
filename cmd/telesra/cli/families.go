package cli

import (
	"github.com/telesra/telesra/checks"
	tlscheck "github.com/telesra/telesra/checks/tls"
	"github.com/telesra/telesra/checks/transport"
)

// FamilyOptions are the scan flags that configure check families.
type FamilyOptions struct {
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
	}, nil
}
