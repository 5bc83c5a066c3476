package questionnaire

import (
	"fmt"
	"time"
)

// How long a question takes to answer, read and decided: a screening question is a fact the
// practice manager knows (yes or no); a safeguard needs the help read and, often, a moment's
// thought about whether it is fully or only partly in place. These are the midpoints of what
// people took when the questionnaire was driven through by hand (30-60 s a safeguard).
const (
	screeningTime = 20 * time.Second
	controlTime   = 45 * time.Second
)

// Estimate is the time one question is expected to take.
func (q *Question) Estimate() time.Duration {
	if q.Kind == KindScreening {
		return screeningTime
	}
	return controlTime
}

// Remaining is the expected time to answer the questions still open among qs.
func Remaining(qs []*Question, a *Answers) time.Duration {
	var d time.Duration
	for _, q := range qs {
		if !a.Get(q.ID).Answered() {
			d += q.Estimate()
		}
	}
	return d
}

// Minutes is a duration as people say it when planning their day: "~8 min", "~1 h 25 min",
// rounded up to the minute ("" for nothing left).
func Minutes(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	m := int((d + time.Minute - 1) / time.Minute)
	if m < 60 {
		return fmt.Sprintf("~%d min", m)
	}
	if m%60 == 0 {
		return fmt.Sprintf("~%d h", m/60)
	}
	return fmt.Sprintf("~%d h %d min", m/60, m%60)
}
