package web

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/telesra/telesra/checks"
)

// outcome is what one probe learned, per template.
type outcome struct {
	results map[string]*templateResult
	gateErr error    // the first connection error at the gate
	ctxErr  error    // the probe's budget ran out or the scan was cancelled
	refused []string // addresses the gate refused (nuclei asked for something not being scanned)
}

type templateResult struct {
	matches  []Match
	requests int
	err      error // first request error, compile error or skip
}

// Match is one matched request, as nuclei reported it (not yet cleaned).
type Match struct {
	URL       string   `json:"url"`
	Matcher   string   `json:"matcher,omitempty"`
	Extracted []string `json:"extracted,omitempty"`
}

// outcomeOf decodes the worker's results.
func outcomeOf(results map[string]*WireResult) *outcome {
	out := &outcome{results: make(map[string]*templateResult, len(results))}
	for id, r := range results {
		if r == nil {
			continue
		}
		out.results[id] = &templateResult{matches: r.Matches, requests: r.Requests, err: r.Err.err()}
	}
	return out
}

// result judges one template on one endpoint: its matches, or why it could not say.
func (o *outcome) result(id string) ([]Match, error) {
	r := o.results[id]
	switch {
	case r == nil:
		return nil, &checks.ProbeError{Reason: checks.ReasonInternal, Err: fmt.Errorf("template %s was not run", id)}
	case len(r.matches) > 0:
		return r.matches, nil
	case r.err != nil:
		var pe *checks.ProbeError
		if errors.As(r.err, &pe) {
			return nil, pe
		}
		return nil, o.classify(r.err)
	case r.requests == 0:
		if o.ctxErr != nil {
			return nil, &checks.ProbeError{Reason: checks.ReasonTimeout, Err: fmt.Errorf("template did not run before the probe ended: %w", o.ctxErr)}
		}
		return nil, &checks.ProbeError{Reason: checks.ReasonInternal, Err: errors.New("template sent no request")}
	}
	return nil, nil
}

// classify gives a nuclei error (a string wrapped many times) the reason of the typed error the
// gate saw, or one read from its text.
func (o *outcome) classify(err error) error {
	msg := strings.ToLower(err.Error())
	for _, addr := range o.refused {
		if strings.Contains(msg, strings.ToLower(addr)) {
			return &checks.ProbeError{Reason: checks.ReasonOutOfScope,
				Err: fmt.Errorf("nuclei tried to reach %s, which is not the endpoint being scanned; refused (%s)", addr, cleanErr(err))}
		}
	}
	if o.gateErr != nil {
		return &checks.ProbeError{Reason: checks.Classify(o.gateErr), Err: fmt.Errorf("%s (connection: %v)", cleanErr(err), o.gateErr)}
	}
	reason := checks.ReasonOther
	switch {
	case o.ctxErr != nil, strings.Contains(msg, "deadline"), strings.Contains(msg, "timeout"), strings.Contains(msg, "timed out"):
		reason = checks.ReasonTimeout
	case strings.Contains(msg, "refused"):
		reason = checks.ReasonRefused
	case strings.Contains(msg, "reset"), strings.Contains(msg, "eof"), strings.Contains(msg, "broken pipe"):
		reason = checks.ReasonReset
	case strings.Contains(msg, "tls"), strings.Contains(msg, "handshake"), strings.Contains(msg, "certificate"):
		reason = checks.ReasonTLSFailure
	}
	return &checks.ProbeError{Reason: reason, Err: errors.New(cleanErr(err))}
}

// cleanErr flattens nuclei's multi-line error chains into one line.
func cleanErr(err error) string {
	return checks.Clean(strings.Join(strings.Fields(err.Error()), " "), 400)
}

// sortMatches orders matches by URL for stable findings.
func sortMatches(ms []Match) {
	sort.Slice(ms, func(i, j int) bool {
		if ms[i].URL != ms[j].URL {
			return ms[i].URL < ms[j].URL
		}
		return ms[i].Matcher < ms[j].Matcher
	})
}
