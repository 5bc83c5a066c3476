package questionnaire

import (
	_ "embed"
	"fmt"
	"sync"
)

// sampleAnswers is a realistic small practice (Riverside Family Telehealth, the demo's practice)
// with some gaps: it feeds `telesra demo` so the demo report has both halves.
//
//go:embed sample/answers.yaml
var sampleAnswers []byte

var sample = sync.OnceValues(func() (*Answers, error) {
	return ParseAnswers("questionnaire/sample/answers.yaml", sampleAnswers, DefaultBank())
})

// SampleAnswers returns a fresh copy of the demo practice's answers to the embedded bank. It
// panics if the embedded sample is broken: it is tested, so that is a build defect.
func SampleAnswers() *Answers {
	a, err := sample()
	if err != nil {
		panic(fmt.Sprintf("embedded sample answers: %v", err))
	}
	c := a.Clone()
	c.file, c.lines = "", nil
	return c
}
