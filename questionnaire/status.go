package questionnaire

// Status is one answer to one question, as stored in answers.yaml.
type Status string

// Answers to a control question (a safeguard).
const (
	Implemented    Status = "implemented"
	Partial        Status = "partial"
	NotImplemented Status = "not_implemented"
	// NotApplicable needs a reason in the answer's notes: HIPAA's "addressable" never means
	// optional, so "does not apply" has to be justified in writing.
	NotApplicable Status = "not_applicable"
	// Unknown is "don't know": an honest answer that flags the question for later and counts as
	// a gap until someone finds out.
	Unknown Status = "unknown"
)

// Answers to a screening question (a fact about the practice that decides which questions apply).
const (
	Yes Status = "yes"
	No  Status = "no"
)

// Label is the status in plain words, as offered when a question gives no label of its own. It
// starts with Short, so the option chosen, the confirmation, the help, the lists and the report
// all use the same word for the same answer.
func (s Status) Label() string {
	switch s {
	case Implemented:
		return "Implemented: yes, fully in place"
	case Partial:
		return "Partial: some of it, or not everywhere"
	case NotImplemented:
		return "Not implemented: no, not in place"
	case NotApplicable:
		return "Not applicable: does not apply to us (say why)"
	case Unknown:
		return "Don't know (flag for later)"
	case Yes:
		return "Yes"
	case No:
		return "No"
	}
	return string(s)
}

// Short is a one-word form for tables and progress lists.
func (s Status) Short() string {
	switch s {
	case Implemented:
		return "Implemented"
	case Partial:
		return "Partial"
	case NotImplemented:
		return "Not implemented"
	case NotApplicable:
		return "Not applicable"
	case Unknown:
		return "Don't know"
	case Yes:
		return "Yes"
	case No:
		return "No"
	case "":
		return "Unanswered"
	}
	return string(s)
}

// controlStatuses and screeningStatuses are the default option sets, in the order offered.
var (
	controlStatuses   = []Status{Implemented, Partial, NotImplemented, NotApplicable, Unknown}
	screeningStatuses = []Status{Yes, No, Unknown}
)

// Result is how well one HIPAA citation is met, rolled up from the answers that evidence it.
type Result string

// Results of a citation.
const (
	ResultImplemented   Result = "implemented"
	ResultPartial       Result = "partial"
	ResultGap           Result = "gap"
	ResultNotApplicable Result = "not-applicable"
	// ResultUnknown is a citation some of whose questions are unanswered or "don't know" and
	// none of whose known answers shows a gap.
	ResultUnknown Result = "unknown"
)
