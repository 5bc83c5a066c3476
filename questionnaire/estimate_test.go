package questionnaire

import (
	"testing"
	"time"
)

// TestRemainingCountsOpenQuestionsByKind: the overview's time left is the open questions' count
// weighted by kind, and shrinks as questions are answered.
func TestRemainingCountsOpenQuestionsByKind(t *testing.T) {
	b := DefaultBank()
	a := NewAnswers()
	asked := b.Asked(a)
	var screening, control int
	for _, q := range asked {
		if q.Kind == KindScreening {
			screening++
		} else {
			control++
		}
	}
	want := time.Duration(screening)*screeningTime + time.Duration(control)*controlTime
	if got := Remaining(asked, a); got != want {
		t.Errorf("fresh questionnaire: %v, want %v (%d screening, %d others)", got, want, screening, control)
	}
	a.SetStatus("about.office", Yes, "2026-01-01")
	if got := Remaining(b.Asked(a), a); got >= want {
		t.Errorf("after one answer: %v, want less than %v", got, want)
	}
	for _, c := range []struct {
		d    time.Duration
		want string
	}{{0, ""}, {20 * time.Second, "~1 min"}, {59 * time.Minute, "~59 min"}, {time.Hour, "~1 h"}, {85*time.Minute + time.Second, "~1 h 26 min"}} {
		if got := Minutes(c.d); got != c.want {
			t.Errorf("Minutes(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}
