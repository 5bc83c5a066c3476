package questionnaire

import (
	"strings"
	"testing"
)

// TestOneVocabulary: every option label starts with the word the confirmations, lists and
// report use for that answer, so a person sees one name for one answer everywhere.
func TestOneVocabulary(t *testing.T) {
	for _, q := range DefaultBank().All() {
		for _, o := range q.Options {
			if !strings.HasPrefix(o.Label, o.Status.Short()) {
				t.Errorf("%s: option %q does not start with %q", q.ID, o.Label, o.Status.Short())
			}
		}
	}
}
