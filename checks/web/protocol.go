package web

import (
	"errors"
	"fmt"
	"time"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/templates/datafile"
)

// The web worker (cmd/telesra-web, package checks/web/nuclei) and telesra talk in JSON lines
// over the worker's stdin and stdout: one Request a line in, one Reply a line out. Replies carry
// the id of their request, so probes of several endpoints run at once.

// Request is one message to the worker.
type Request struct {
	ID    uint64        `json:"id"`
	Op    string        `json:"op"` // OpStart, OpProbe or OpCancel (of the probe with this ID)
	Start *StartRequest `json:"start,omitempty"`
	Probe *ProbeRequest `json:"probe,omitempty"`
}

// The operations of a Request.
const (
	OpStart  = "start"
	OpProbe  = "probe"
	OpCancel = "cancel"
)

// StartRequest starts the worker's nuclei engine and compiles the templates.
type StartRequest struct {
	Templates []WireTemplate `json:"templates"`
	// Proxy is the SOCKS5 URL of telesra's gate, the only way out for nuclei's connections.
	Proxy string `json:"proxy"`
	// ProxySocket, when set, is the gate's unix socket: the worker runs in a network namespace
	// of its own and relays a loopback listener of its own to it (Proxy's host is then ignored).
	ProxySocket string `json:"proxy_socket,omitempty"`
	Threads     int    `json:"threads"`
	MaxBody     int64  `json:"max_body"`
}

// WireTemplate is what the worker needs of a Template.
type WireTemplate struct {
	ID   string `json:"id"`
	File string `json:"file"`
	Path string `json:"path,omitempty"`
	Data []byte `json:"data"`
}

// ProbeRequest runs every compiled template against one endpoint.
type ProbeRequest struct {
	URL      string    `json:"url"`       // nuclei's {{BaseURL}}
	CustomIP string    `json:"custom_ip"` // the pinned address: nuclei resolves nothing
	SNI      string    `json:"sni"`
	Deadline time.Time `json:"deadline,omitzero"`
}

// Reply is one message from the worker, answering the request with the same ID.
type Reply struct {
	ID    uint64 `json:"id"`
	Error string `json:"error,omitempty"` // the request failed as a whole
	// Broken (start) lists the templates nuclei would not compile: id -> why.
	Broken map[string]string `json:"broken,omitempty"`
	// Refused (start) lists the templates that call DSL helpers telesra does not allow (they
	// could reach past the scope guard): id -> each use, with file:line and the helper.
	Refused map[string]datafile.FileErrors `json:"refused,omitempty"`
	// RunDir (start) is the worker's private run directory, removed by telesra if the worker
	// has to be killed.
	RunDir string `json:"run_dir,omitempty"`
	// Results (probe): per template id.
	Results map[string]*WireResult `json:"results,omitempty"`
	// Ended (probe) says the probe's context ended in the worker before the pack finished (its
	// deadline passed or telesra cancelled it): templates that sent nothing ran out of time.
	Ended string `json:"ended,omitempty"`
	// BlockedUpdateChecks is how many requests nuclei's update machinery attempted in the
	// worker so far (each refused without leaving it).
	BlockedUpdateChecks int64 `json:"blocked_update_checks"`
}

// WireResult is one template's result on one endpoint.
type WireResult struct {
	Matches  []Match    `json:"matches,omitempty"`
	Requests int        `json:"requests"`
	Err      *WireError `json:"error,omitempty"`
}

// WireError is an error that crossed the process boundary: its reason when it was a
// checks.ProbeError, and its text.
type WireError struct {
	Reason  checks.Reason `json:"reason,omitempty"`
	Message string        `json:"message"`
}

// NewWireError encodes err.
func NewWireError(err error) *WireError {
	if err == nil {
		return nil
	}
	var pe *checks.ProbeError
	if errors.As(err, &pe) {
		msg := ""
		if pe.Err != nil {
			msg = pe.Err.Error()
		}
		return &WireError{Reason: pe.Reason, Message: msg}
	}
	return &WireError{Message: err.Error()}
}

// err decodes the error: a checks.ProbeError again when it had a reason.
func (w *WireError) err() error {
	if w == nil {
		return nil
	}
	if w.Reason != "" {
		return &checks.ProbeError{Reason: w.Reason, Err: errors.New(w.Message)}
	}
	return errors.New(w.Message)
}

// NewWireResult encodes one template's result.
func NewWireResult(ms []Match, requests int, err error) *WireResult {
	return &WireResult{Matches: ms, Requests: requests, Err: NewWireError(err)}
}

// Uncompiled is the attempt error of a template nuclei would not compile.
func Uncompiled(err error) error {
	var fes datafile.FileErrors
	if errors.As(err, &fes) {
		return &checks.ProbeError{Reason: checks.ReasonInternal, Err: fmt.Errorf("template refused: %s", CleanErr(err))}
	}
	return &checks.ProbeError{Reason: checks.ReasonInternal, Err: errors.New("nuclei cannot compile this template: " + CleanErr(err))}
}

// CleanErr flattens nuclei's multi-line error chains into one line.
func CleanErr(err error) string { return cleanErr(err) }
