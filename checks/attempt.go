package checks

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"time"
)

// Status is how one check ended on one target. A probe that failed is an error, never a pass:
// "completed" with no finding is the only way a check says "this is fine".
type Status string

const (
	StatusCompleted     Status = "completed"
	StatusError         Status = "error"
	StatusNotApplicable Status = "not-applicable"
)

// Reason classifies an error attempt so that a reader (and a CI job) can tell a closed port
// from a hostile server.
type Reason string

const (
	ReasonRefused          Reason = "refused"
	ReasonTimeout          Reason = "timeout"
	ReasonReset            Reason = "reset"
	ReasonUnreachable      Reason = "unreachable"
	ReasonUnresolved       Reason = "unresolved"
	ReasonTLSFailure       Reason = "tls-failure"
	ReasonProtocolMismatch Reason = "protocol-mismatch"
	ReasonOutOfScope       Reason = "out-of-scope"
	ReasonCancelled        Reason = "cancelled"
	ReasonTooLarge         Reason = "response-too-large"
	ReasonInternal         Reason = "internal"
	ReasonOther            Reason = "error"
)

// Attempt records one check run against one target.
type Attempt struct {
	Check      string `json:"check"`
	Target     string `json:"target"`
	Status     Status `json:"status"`
	Reason     Reason `json:"reason,omitempty"`
	Error      string `json:"error,omitempty"`
	Findings   int    `json:"findings"`
	DurationMS int64  `json:"duration_ms"`
}

// ProbeError is an error a probe has already classified.
type ProbeError struct {
	Reason Reason
	Err    error
}

func (e *ProbeError) Error() string {
	if e.Err == nil {
		return string(e.Reason)
	}
	return e.Err.Error()
}

func (e *ProbeError) Unwrap() error { return e.Err }

// Mismatch is the error a probe returns when the server speaks another protocol than expected.
func Mismatch(format string, err error) error {
	return &ProbeError{Reason: ReasonProtocolMismatch, Err: errors.Join(errors.New(format), err)}
}

// ErrNotApplicable may be returned by a check's judgement when, having looked, it finds the target
// is not one it judges (an HTTP check on a page that is not HTML, say).
var ErrNotApplicable = errors.New("not applicable")

// Classify maps an error to its reason.
func Classify(err error) Reason {
	if err == nil {
		return ""
	}
	var pe *ProbeError
	if errors.As(err, &pe) && pe.Reason != "" {
		return pe.Reason
	}
	var ne net.Error
	switch {
	case errors.Is(err, ErrOutOfScope):
		return ReasonOutOfScope
	case errors.Is(err, context.Canceled):
		return ReasonCancelled
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return ReasonTimeout
	case errors.As(err, &ne) && ne.Timeout():
		return ReasonTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return ReasonRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed):
		return ReasonReset
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return ReasonUnreachable
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return ReasonUnresolved
	}
	var (
		recErr   tls.RecordHeaderError
		alertErr tls.AlertError
		certErr  *tls.CertificateVerificationError
	)
	if errors.As(err, &recErr) {
		return ReasonProtocolMismatch
	}
	if errors.As(err, &alertErr) || errors.As(err, &certErr) {
		return ReasonTLSFailure
	}
	return ReasonOther
}

func durationMS(d time.Duration) int64 { return d.Milliseconds() }
