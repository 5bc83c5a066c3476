// Package cli is telesra's command line: one file per verb, each an options struct, a
// NewCmdX(f, runF) constructor that only parses flags, and an xRun(opts) that does the work.
package cli

import (
	"net"
	"time"

	"github.com/telesra/telesra/checks"
)

// Factory carries what every verb may need, built once in main and replaced in tests: the
// streams, the clock (reports are deterministic under a fixed clock), the version, the resolver,
// and the families of checks.
type Factory struct {
	IO       *IOStreams
	Now      func() time.Time
	Version  string
	Resolver checks.Resolver
	// Families builds the check families; scan flags (such as --ca-file) reach them here.
	Families func(FamilyOptions) ([]*checks.Family, error)
}

// NewFactory returns the production factory.
func NewFactory(version string) *Factory {
	return &Factory{
		IO:       System(),
		Now:      time.Now,
		Version:  version,
		Resolver: net.DefaultResolver,
		Families: Families,
	}
}

// Registry builds the catalog with the given family options.
func (f *Factory) Registry(o FamilyOptions) (*checks.Registry, []*checks.Family, error) {
	fams, err := f.Families(o)
	if err != nil {
		return nil, nil, err
	}
	reg, err := checks.NewRegistry(fams...)
	return reg, fams, err
}

// Tool names this build in result documents.
func (f *Factory) Tool() checks.Tool { return checks.Tool{Name: "telesra", Version: f.Version} }
