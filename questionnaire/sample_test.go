package questionnaire

import (
	"testing"
)

func TestSampleAnswersAreACompleteSmallPracticeWithGaps(t *testing.T) {
	b := DefaultBank()
	a := SampleAnswers()
	if q := Unanswered(b, a); len(q) > 0 {
		t.Errorf("the sample leaves %d asked questions unanswered, first %s", len(q), q[0].ID)
	}
	gaps := Gaps(b, a)
	if len(gaps) < 5 {
		t.Errorf("the sample has %d gaps; the demo needs some to show", len(gaps))
	}
	s := Score(b, a)
	if s.Overall.Implemented == 0 || s.Overall.Gap == 0 || s.Overall.Partial == 0 {
		t.Errorf("the sample should mix results: %+v", s.Overall)
	}
	// Every copy is independent: the demo may change its own.
	a.SetStatus("gov.risk-plan", Implemented, "2026-01-01")
	if SampleAnswers().Get("gov.risk-plan").Status == Implemented {
		t.Error("SampleAnswers returned shared state")
	}
}
