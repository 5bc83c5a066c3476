package checks

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Severity orders findings; it is the only scale `--fail-on` compares.
type Severity int

// Severities from least to most severe.
const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s < Info || s > Critical {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity reads "critical", "high", "medium", "low" or "info" (case-insensitive).
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	return Info, fmt.Errorf("unknown severity %q (want one of %s)", s, strings.Join(severityNames[:], ", "))
}

// MarshalText writes the severity's name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Severities lists every severity from most to least severe, as reports order them.
func Severities() []Severity { return []Severity{Critical, High, Medium, Low, Info} }

// Confidence says whether a finding was observed directly or inferred.
type Confidence string

const (
	// Confirmed: the probe observed the weakness itself (the server accepted TLS 1.0).
	Confirmed Confidence = "confirmed"
	// Potential: the evidence suggests it but cannot prove it (a distribution banner that may
	// carry backported fixes; a login form whose second factor may come later).
	Potential Confidence = "potential"
)

// Finding is one weakness on one target. Its ID is stable: the same check on the same target
// (and the same discriminating key) gives the same ID in every scan, so suppressions, the risk
// register and SARIF fingerprints can follow it across runs.
type Finding struct {
	ID          string         `json:"id"`
	Check       string         `json:"check"`
	Target      string         `json:"target"`
	Severity    Severity       `json:"severity"`
	Confidence  Confidence     `json:"confidence"`
	Title       string         `json:"title"`
	Detail      string         `json:"detail"`
	Evidence    map[string]any `json:"evidence,omitempty"`
	HIPAA       []string       `json:"hipaa"`
	Remediation string         `json:"remediation"`
	References  []string       `json:"references,omitempty"`
	// Suppression is set when an entry of the suppressions file accepts this finding.
	Suppression *Suppression `json:"suppression,omitempty"`
}

// FindingID derives the stable ID from the check, the target and an optional key that tells
// apart several findings of one check on one target (a cipher suite, a path).
func FindingID(check, target, key string) string {
	h := sha256.Sum256([]byte(check + "\x00" + target + "\x00" + key))
	return hex.EncodeToString(h[:8])
}

// Suppressed reports whether an unexpired suppression accepts the finding.
func (f *Finding) Suppressed() bool { return f.Suppression != nil }
