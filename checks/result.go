package checks

import (
	"encoding/json"
	"sort"
	"time"
)

// ResultSchemaVersion versions the canonical result document (templates/schemas/
// scan-result.schema.json). Additions bump the minor version; anything that breaks a reader
// bumps the major.
const ResultSchemaVersion = "1.1.0"

// Result is the canonical scan result: every output format is rendered from it, and the JSON
// format is it.
type Result struct {
	SchemaVersion string            `json:"schema_version"`
	Tool          Tool              `json:"tool"`
	StartedAt     time.Time         `json:"started_at"`
	FinishedAt    time.Time         `json:"finished_at"`
	Complete      bool              `json:"complete"`
	Scope         ScopeDoc          `json:"scope"`
	Checks        []string          `json:"checks"`
	Endpoints     []EndpointResult  `json:"endpoints"`
	Attempts      []Attempt         `json:"attempts"`
	Findings      []Finding         `json:"findings"`
	Suppressions  SuppressionReport `json:"suppressions"`
	Totals        Totals            `json:"totals"`
	// Shard is the part of a scan spread over machines this result covers (telesra scan
	// --shard); absent for a whole scan, and for shards combined by telesra merge.
	Shard *Shard `json:"shard,omitempty"`
}

// Tool names the scanner.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// ScopeDoc records what the scan was allowed to touch.
type ScopeDoc struct {
	Source     string   `json:"source"` // the workspace file, the targets file, or "command line"
	Targets    []string `json:"targets"`
	Exclusions []string `json:"exclusions,omitempty"`
}

// EndpointResult is one endpoint: what it speaks, whether it could be scanned, and the families'
// one-line verdicts (a TLS grade, say).
type EndpointResult struct {
	Target   string             `json:"target"`
	Host     string             `json:"host"`
	Address  string             `json:"address,omitempty"`
	Port     int                `json:"port"`
	Service  *Service           `json:"service,omitempty"`
	Status   Status             `json:"status"`
	Reason   Reason             `json:"reason,omitempty"`
	Error    string             `json:"error,omitempty"`
	Source   Source             `json:"source"`
	Verdicts map[string]Verdict `json:"verdicts,omitempty"`
}

// SuppressionReport says which suppressions file was used, how many findings it accepted, and
// which entries have expired.
type SuppressionReport struct {
	File       string         `json:"file,omitempty"`
	Suppressed int            `json:"suppressed"`
	Expired    []*Suppression `json:"expired,omitempty"`
}

// Totals counts unsuppressed findings by severity.
type Totals struct {
	Endpoints  int            `json:"endpoints"`
	Scanned    int            `json:"scanned"`
	Errors     int            `json:"errors"`
	Findings   map[string]int `json:"findings"`
	Suppressed int            `json:"suppressed"`
}

// Finalize sorts everything into a stable order and recomputes the totals. Writers and the JSON
// document rely on it: the same scan gives byte-identical output.
func (r *Result) Finalize() {
	sort.SliceStable(r.Findings, func(i, j int) bool {
		a, b := r.Findings[i], r.Findings[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.Target != b.Target {
			return a.Target < b.Target
		}
		if a.Check != b.Check {
			return a.Check < b.Check
		}
		return a.ID < b.ID
	})
	// A finding ID names one weakness on one target; keep it once.
	out := r.Findings[:0]
	seen := map[string]bool{}
	for _, f := range r.Findings {
		if !seen[f.ID] {
			seen[f.ID] = true
			out = append(out, f)
		}
	}
	r.Findings = out
	sort.SliceStable(r.Attempts, func(i, j int) bool {
		a, b := r.Attempts[i], r.Attempts[j]
		if a.Target != b.Target {
			return a.Target < b.Target
		}
		return a.Check < b.Check
	})
	sort.SliceStable(r.Endpoints, func(i, j int) bool { return r.Endpoints[i].Target < r.Endpoints[j].Target })
	sort.Strings(r.Checks)

	t := Totals{Endpoints: len(r.Endpoints), Findings: map[string]int{}}
	for _, s := range Severities() {
		t.Findings[s.String()] = 0
	}
	for _, e := range r.Endpoints {
		if e.Status == StatusCompleted {
			t.Scanned++
		} else {
			t.Errors++
		}
	}
	for _, f := range r.Findings {
		if f.Suppressed() {
			t.Suppressed++
			continue
		}
		t.Findings[f.Severity.String()]++
	}
	r.Totals = t
	if r.Checks == nil {
		r.Checks = []string{}
	}
	if r.Endpoints == nil {
		r.Endpoints = []EndpointResult{}
	}
	if r.Attempts == nil {
		r.Attempts = []Attempt{}
	}
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
}

// Worst returns the highest severity among unsuppressed findings, and false when there is none.
func (r *Result) Worst() (Severity, bool) {
	worst, any := Info, false
	for _, f := range r.Findings {
		if f.Suppressed() {
			continue
		}
		if !any || f.Severity > worst {
			worst, any = f.Severity, true
		}
	}
	return worst, any
}

// AtOrAbove counts unsuppressed findings at or above s.
func (r *Result) AtOrAbove(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if !f.Suppressed() && f.Severity >= s {
			n++
		}
	}
	return n
}

// Failing counts the unsuppressed findings that trip `--fail-on s`: at or above s and, unless
// potential is set, confirmed. A potential finding rests on evidence that cannot prove it (a
// version-only match), so by default it is reported without failing a pipeline.
func (r *Result) Failing(s Severity, potential bool) int {
	n := 0
	for _, f := range r.Findings {
		if !f.Suppressed() && f.Severity >= s && (potential || f.Confidence != Potential) {
			n++
		}
	}
	return n
}

// Dated is verdict data resting on dated reference data (the patch family's knowledge base):
// DataAge is the line scan outputs print about how old that data is.
type Dated interface{ DataAge() string }

// DataAges lists the distinct DataAge lines of the endpoints' verdicts, in order of appearance.
func (r *Result) DataAges() []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range r.Endpoints {
		for _, v := range e.Verdicts {
			if d, ok := v.Data.(Dated); ok {
				if line := d.DataAge(); line != "" && !seen[line] {
					seen[line] = true
					out = append(out, line)
				}
			}
		}
	}
	return out
}

// Endpoint finds an endpoint's result by its target string.
func (r *Result) Endpoint(target string) (EndpointResult, bool) {
	for _, e := range r.Endpoints {
		if e.Target == target {
			return e, true
		}
	}
	return EndpointResult{}, false
}

// DecodeResult reads a result document written by the json format.
func DecodeResult(data []byte) (*Result, error) {
	var r Result
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, err
	}
	return &r, nil
}
