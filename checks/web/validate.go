package web

import (
	"context"
	"errors"
	"fmt"

	"github.com/telesra/telesra/templates/datafile"
)

// Report is what Validate found.
type Report struct {
	Valid   []*Template
	Invalid []error // each names its file, and line and field where it can (datafile.FileError)
}

// Validate checks templates the way a scan uses them: telesra's rules first (our metadata,
// http only, no out-of-band or raw requests), then nuclei's own parser and compiler, in a
// contained engine that sends nothing (run by runner). dir "" validates telesra's embedded
// pack; otherwise the templates under dir, as --templates DIR would add them.
func Validate(ctx context.Context, dir string, runner Runner) (*Report, error) {
	r := &Report{}
	var ts []*Template
	if dir == "" {
		ours, errs, err := embedded()
		if err != nil {
			return nil, err
		}
		ts, r.Invalid = ours, errs
	} else {
		p, err := NewPack(dir)
		if err != nil {
			return nil, err
		}
		r.Invalid = p.Rejected
		for _, t := range p.Templates {
			if t.User {
				ts = append(ts, t)
			}
		}
	}
	if len(ts) == 0 {
		return r, nil
	}
	e := NewEngine(&Pack{Templates: ts}, runner, nil)
	release, err := e.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	inst, err := e.current()
	if err != nil {
		return nil, err
	}
	if inst.missing != nil {
		return nil, inst.missing
	}
	for _, t := range ts {
		if err, bad := inst.broken[t.ID]; bad {
			var fes datafile.FileErrors
			if errors.As(err, &fes) { // refused by the worker's DSL vetting: file:line and the helper
				r.Invalid = append(r.Invalid, fes)
				continue
			}
			r.Invalid = append(r.Invalid, &datafile.FileError{File: t.File, Msg: fmt.Sprintf("nuclei cannot compile it: %s", cleanErr(err))})
			continue
		}
		r.Valid = append(r.Valid, t)
	}
	return r, nil
}
