package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/mfa"
	"github.com/telesra/telesra/checks/patch"
	feedupdate "github.com/telesra/telesra/checks/patch/update"
	tlscheck "github.com/telesra/telesra/checks/tls"
	"github.com/telesra/telesra/checks/transport"
	"github.com/telesra/telesra/checks/web"
	"github.com/telesra/telesra/cmd/telesra/cli"
)

// newFactory composes the program: the command line's factory with every check family, the
// web family's templates and worker, the patch family's knowledge base and the user's
// configuration directory. This file is the one place that knows every family. Nothing here
// links nuclei: the web family runs it in the web worker (cmd/telesra-web).
func newFactory(version string) *cli.Factory {
	f := cli.NewFactory(version)
	if dir, err := os.UserConfigDir(); err == nil {
		f.ConfigDir = dir
	}
	loc := &workerLocator{notice: func() io.Writer { return f.IO.ErrOut }}
	runner := &web.Worker{Locate: loc.locate, Namespace: true,
		Notice: func(msg string) { fmt.Fprintf(f.IO.ErrOut, "telesra: %s\n", msg) }}
	f.Families = func(o cli.FamilyOptions) ([]*checks.Family, error) { return families(o, runner) }
	f.Templates = webTemplates{runner: runner}
	f.KnowledgeBase = func(dir string) cli.KnowledgeBase { return patchKB{dir: dir} }
	f.WorkerEngines = map[string]string{web.EngineModule: web.EngineVersion}
	return f
}

// families builds every check family for one scan; runner starts the web worker.
func families(o cli.FamilyOptions, runner web.Runner) ([]*checks.Family, error) {
	tlsFam, err := tlscheck.Family(tlscheck.Options{CAFile: o.CAFile, CA: o.CA})
	if err != nil {
		return nil, &cli.UsageError{Err: err} // an unreadable or malformed --ca-file (file:line)
	}
	// web is the nuclei engine's family; its engine is also the checks.Recognizer the mfa and
	// patch families receive. Bind makes a family's Open hold the engine, so recognition works
	// even when only that family's checks are selected.
	webFam, rec, err := web.New(web.Options{TemplatesDir: o.TemplatesDir, Notice: o.Notice, Runner: runner})
	if errors.Is(err, web.ErrTemplatesDir) {
		return nil, &cli.UsageError{Err: fmt.Errorf("--templates: %w", err)}
	} else if err != nil {
		return nil, err
	}
	mfaFam := mfa.Family(mfa.Options{Recognizer: rec})
	patchFam := patch.Family(patch.Options{Recognizer: rec, KBDir: o.KBDir, Notice: o.Notice, Now: o.Now})
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

// webTemplates is the web family's template pack, for `telesra templates`; validation compiles
// the templates in the web worker.
type webTemplates struct{ runner web.Runner }

func (webTemplates) List(dir string) ([]cli.TemplateInfo, []error, error) {
	p, err := web.NewPack(dir)
	if errors.Is(err, web.ErrTemplatesDir) {
		return nil, nil, &cli.UsageError{Err: fmt.Errorf("--templates: %w", err)}
	} else if err != nil {
		return nil, nil, err
	}
	return templateInfos(p.Templates), p.Rejected, nil
}

func (w webTemplates) Validate(ctx context.Context, dir string) ([]cli.TemplateInfo, []error, error) {
	rep, err := web.Validate(ctx, dir, w.runner)
	if errors.Is(err, web.ErrTemplatesDir) {
		return nil, nil, &cli.UsageError{Err: err}
	} else if err != nil {
		return nil, nil, err
	}
	return templateInfos(rep.Valid), rep.Invalid, nil
}

func templateInfos(ts []*web.Template) []cli.TemplateInfo {
	out := make([]cli.TemplateInfo, 0, len(ts))
	for _, t := range ts {
		ti := cli.TemplateInfo{Check: t.CheckID(), File: t.File, Title: t.Name, Severity: t.Severity.String(),
			HIPAA: t.HIPAA, Requests: t.Requests, UserSupplied: t.User}
		if t.Tech != nil {
			ti.Technology, ti.Recognises = t.Tech, t.Tech.Product
		}
		out = append(out, ti)
	}
	return out
}

// patchKB is the patch family's knowledge base whose imported copies live in dir.
type patchKB struct{ dir string }

func (k patchKB) Dir() string { return k.dir }

func (patchKB) Kinds() []string {
	var out []string
	for _, kind := range patch.FeedKinds {
		out = append(out, string(kind))
	}
	return out
}

func (k patchKB) Import(file string, data []byte, kind, product string, now time.Time, write func(string, []byte) error) (string, string, error) {
	res, err := patch.ImportFeed(k.dir, file, data, patch.ImportOptions{Kind: patch.FeedKind(kind), Product: product, Now: now, Write: write})
	if err != nil {
		return "", "", err
	}
	return res.Summary, res.Path, nil
}

func (k patchKB) Sources() ([]cli.KBSource, error) {
	srcs, err := patch.KnowledgeBaseInfo(k.dir)
	if err != nil {
		return nil, err
	}
	out := make([]cli.KBSource, 0, len(srcs))
	for _, s := range srcs {
		out = append(out, cli.KBSource{Name: s.Name, Date: s.Date, Origin: s.Origin, File: s.File, URLs: s.URLs,
			Entries: s.Entries, Imported: s.Origin == patch.OriginImported})
	}
	return out, nil
}

func (k patchKB) Update(ctx context.Context, req cli.FeedsUpdateRequest) (*cli.FeedsUpdateReport, error) {
	res, err := feedupdate.Run(ctx, k.dir, feedupdate.Options{KEVURL: req.KEVURL, EndOfLifeURL: req.EndOfLifeURL, Mirror: req.Mirror,
		FromDir: req.FromDir, CAFile: req.CAFile, Timeout: req.Timeout, MaxBytes: req.MaxBytes, Now: req.Now, Write: req.Write})
	if err != nil {
		return nil, err
	}
	out := &cli.FeedsUpdateReport{Skipped: res.Skipped}
	for _, c := range res.Changes {
		out.Changes = append(out.Changes, cli.FeedChange{Source: c.Source, From: c.From, Path: c.Path, DateBefore: c.DateBefore,
			DateAfter: c.DateAfter, EntriesBefore: c.EntriesBefore, EntriesAfter: c.EntriesAfter})
	}
	return out, nil
}
