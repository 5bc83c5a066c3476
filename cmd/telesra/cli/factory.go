// Package cli is telesra's command line: one file per verb, each an options struct, a
// NewCmdX(f, runF) constructor that only parses flags, and an xRun(opts) that calls a use case
// of package workspace and prints its outcome.
//
// cli knows no check family: the families, the web family's templates and the patch family's
// knowledge base reach it through the Factory, composed by package main (the one place that
// links them all, nuclei included). So cli and its tests build without nuclei.
package cli

import (
	"fmt"
	"net"
	"time"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/cmd/telesra/workspace"
)

// Factory carries what every verb may need, built once in main and replaced in tests: the
// streams, the clock (reports are deterministic under a fixed clock), the version, the resolver,
// the user's configuration directory, and the check families with what they own.
type Factory struct {
	IO       *IOStreams
	Now      func() time.Time
	Version  string
	Resolver checks.Resolver
	// ConfigDir is the user's configuration directory as the process received its environment
	// ("" when there is none); the patch knowledge base's imported feeds live below it.
	ConfigDir string
	// Families builds the check families; scan flags (such as --ca-file) reach them here.
	Families func(FamilyOptions) ([]*checks.Family, error)
	// Templates is the web family's template pack (templates list and validate); nil when the
	// build has no web family.
	Templates TemplateCatalog
	// KnowledgeBase opens the patch family's offline knowledge base whose imported copies live
	// in dir (feeds import and status, the report's methodology); nil when the build has none.
	KnowledgeBase func(dir string) KnowledgeBase
	// WorkerEngines names the engines the worker programs run (module path -> version), for
	// `telesra version`: nuclei in telesra-web, which this program does not link.
	WorkerEngines map[string]string
}

// NewFactory returns the factory of the real program, but for what only main can compose
// (ConfigDir, Families, Templates, KnowledgeBase), which main fills in.
func NewFactory(version string) *Factory {
	return &Factory{
		IO:       System(),
		Now:      time.Now,
		Version:  version,
		Resolver: net.DefaultResolver,
	}
}

// FamilyOptions are the scan flags that configure check families.
type FamilyOptions struct {
	// KBDir is --kb-dir: the patch knowledge base's imported copies ("" for the user default).
	KBDir string
	// CAFile holds extra trust anchors (PEM) for TLS chain verification: a practice's internal CA.
	// Registry reads it into CA (within its size limit), so the TLS family parses bytes.
	CAFile string
	CA     []byte
	// TemplatesDir adds the user's nuclei templates to the web family (--templates DIR).
	TemplatesDir string
	// Notice receives warnings for the user, such as a template the scan skips and why; nil
	// drops them.
	Notice func(string)
	// Now is the scan's clock, for judging the age of reference data; nil is the wall clock.
	Now func() time.Time
}

// Registry builds the catalog with the given family options.
func (f *Factory) Registry(o FamilyOptions) (*checks.Registry, []*checks.Family, error) {
	if o.KBDir == "" {
		o.KBDir, _ = f.kbDir("") // no user configuration directory: the embedded knowledge base alone
	}
	if o.CAFile != "" && o.CA == nil {
		ca, err := workspace.ReadInput(o.CAFile, workspace.CAInput)
		if err != nil {
			return nil, nil, fmt.Errorf("--ca-file: %w", err)
		}
		o.CA = ca
	}
	fams, err := f.Families(o)
	if err != nil {
		return nil, nil, err
	}
	reg, err := checks.NewRegistry(fams...)
	return reg, fams, err
}

// Tool names this build in result documents.
func (f *Factory) Tool() checks.Tool { return checks.Tool{Name: "telesra", Version: f.Version} }
