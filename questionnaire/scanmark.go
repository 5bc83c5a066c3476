package questionnaire

// What the latest scan says of an answer (the register's reconciliation, handed in by the
// command line so that this package knows nothing of reports).
const (
	MarkContradicted = "contradicted"
	MarkVerified     = "verified"
)

// ScanMark is the scan's verdict on one answer: contradicted (the scan's findings disprove it)
// or verified (checks that ran on the assets concerned found nothing). Status is the answer
// the verdict was reached for: once the answer changes, the mark no longer applies.
type ScanMark struct {
	Question string
	Status   Status
	State    string // MarkContradicted or MarkVerified
	Summary  string // the reason, with the findings or checks and the assets, in one line
}

// Label is the mark as the screens print it.
func (m ScanMark) Label() string {
	if m.State == MarkContradicted {
		return "Contradicted by the scan: " + m.Summary
	}
	return "Verified by scan: " + m.Summary
}

// ScanMarks are the marks of one scan, by question ID.
type ScanMarks map[string]ScanMark

// For returns the mark of an answer, if the scan marked the answer it now has.
func (ms ScanMarks) For(question string, a Answer) (ScanMark, bool) {
	m, ok := ms[question]
	if !ok || m.Status != a.Status {
		return ScanMark{}, false
	}
	return m, true
}

// Options are the scoring options the marks imply for the answers as they are now: an answer
// the scan contradicts scores contradicted while it is still the answer the scan judged, so a
// screen that shows the mark never counts the answer as met.
func (ms ScanMarks) Options(a *Answers) ScoreOptions {
	opt := ScoreOptions{Contradicted: map[string]bool{}}
	for q := range ms {
		if m, ok := ms.For(q, a.Get(q)); ok && m.State == MarkContradicted {
			opt.Contradicted[q] = true
		}
	}
	return opt
}
