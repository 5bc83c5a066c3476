package questionnaire

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseAnswersReportsFileLine(t *testing.T) {
	b := testBank(t)
	tests := []struct {
		name, text, want string
	}{
		{"typo in a field", "schema_version: 1\nanswers:\n  b.mfa:\n    statsu: implemented\n",
			`answers.yaml:4:5: answers.b.mfa: additional properties 'statsu' not allowed`},
		{"unknown question ID with a suggestion", "schema_version: 1\nanswers:\n  b.mfaa:\n    status: implemented\n",
			`answers.yaml:3:3: answers.b.mfaa: unknown question ID "b.mfaa" (did you mean "b.mfa"?)`},
		{"unknown question ID", "schema_version: 1\nanswers:\n  z.something-else:\n    status: implemented\n",
			`answers.yaml:3:3: answers.z.something-else: unknown question ID "z.something-else" (no such question`},
		{"invalid option", "schema_version: 1\nanswers:\n  b.mfa:\n    status: mostly\n",
			`answers.yaml:4:13: answers.b.mfa.status: must be one of`},
		{"option the question does not offer", "schema_version: 1\nanswers:\n  b.vpn:\n    status: not_applicable\n    notes: We have no VPN.\n",
			`answers.yaml:4:13: answers.b.vpn.status: "not_applicable" is not an answer to this question (want one of implemented, partial, not_implemented, unknown)`},
		{"control answer to a screening question", "schema_version: 1\nanswers:\n  a.remote:\n    status: implemented\n",
			`answers.yaml:4:13: answers.a.remote.status: "implemented" is not an answer to this question (want one of yes, no, unknown)`},
		{"not applicable without a reason", "schema_version: 1\nanswers:\n  b.mfa:\n    status: not_applicable\n",
			`answers.yaml:4:13: answers.b.mfa.status: not_applicable needs a reason`},
		{"duplicate question", "schema_version: 1\nanswers:\n  b.mfa:\n    status: implemented\n  b.mfa:\n    status: partial\n",
			`answers.yaml:5:3: answers.b.mfa: duplicate key "b.mfa" (first defined at line 3)`},
		{"truncated mid-entry", "schema_version: 1\nanswers:\n  b.mfa:\n    status: implemented\n  b.ids:\n    sta",
			`answers.yaml:6:5: answers.b.ids: must be a mapping, not text`},
		{"truncated mid-quote", "schema_version: 1\nanswers:\n  b.mfa:\n    status: implemented\n    notes: \"Authenticator app on",
			`answers.yaml:5: found unexpected end of stream`},
		{"truncated to nothing", "", `answers.yaml:1: file is empty`},
		{"bad date", "schema_version: 1\nanswers:\n  b.mfa:\n    status: implemented\n    updated: 2025-13-40\n",
			`answers.yaml:5:14: answers.b.mfa.updated: '2025-13-40' is not valid date`},
		{"reconfirm without a status", "schema_version: 1\nanswers:\n  b.mfa:\n    reconfirm: true\n",
			`answers.yaml:4:16: answers.b.mfa.reconfirm: reconfirm is set but there is no status`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseAnswers("answers.yaml", []byte(tt.text), b)
			if err == nil {
				t.Fatalf("accepted; want an error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
		})
	}
}

func TestAnswersRoundTrip(t *testing.T) {
	b := testBank(t)
	a := NewAnswers()
	a.AddProfile(ProfileNPRM)
	a.ByID["a.remote"] = Answer{Status: Yes, Updated: "2026-01-02"}
	a.ByID["b.mfa"] = Answer{Status: Partial, Notes: "EHR yes,\nemail: not yet", Evidence: []string{"evidence/mfa.png", "https://example.test/x"}, Flagged: true, Updated: "2026-01-02"}
	a.ByID["b.ids"] = Answer{Status: Implemented, Reconfirm: true, Previous: &Previous{Status: Partial, Notes: "old", Date: "2025-01-02"}}
	a.ByID["b.ids-review"] = Answer{Flagged: true}
	data, err := a.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseAnswers("answers.yaml", data, b)
	if err != nil {
		t.Fatalf("re-reading what Marshal wrote: %v\n%s", err, data)
	}
	if !reflect.DeepEqual(back.ByID, a.ByID) || !reflect.DeepEqual(back.Profiles, a.Profiles) {
		t.Errorf("round trip changed the answers:\n%#v\n%#v", back.ByID, a.ByID)
	}
	text := string(data)
	// Bank order, and each entry under its question text, so the file reads like the questionnaire.
	if i, j := strings.Index(text, "a.remote:"), strings.Index(text, "b.mfa:"); i < 0 || j < i {
		t.Errorf("entries not in bank order:\n%s", text)
	}
	if !strings.Contains(text, "  # Do remote logins need a second factor?\n  b.mfa:\n") {
		t.Errorf("question text not written above its entry:\n%s", text)
	}
	if got := back.Source("b.mfa"); !strings.HasPrefix(got, "answers.yaml:") {
		t.Errorf("Source = %q", got)
	}
}

func TestSetStatusRules(t *testing.T) {
	a := NewAnswers()
	a.ByID["b.ids"] = Answer{Status: Partial, Notes: "keep me", Reconfirm: true, Previous: &Previous{Status: Partial}}
	a.SetStatus("b.ids", Implemented, "2026-02-03")
	got := a.Get("b.ids")
	if got.Reconfirm || got.Status != Implemented || got.Notes != "keep me" || got.Updated != "2026-02-03" || got.Previous == nil {
		t.Errorf("re-confirming: %+v", got)
	}
	a.SetStatus("b.mfa", Unknown, "2026-02-03")
	if !a.Get("b.mfa").Flagged {
		t.Error(`"don't know" did not flag the question for later`)
	}
}

// TestResumeAtRoundTrips: the position a session saves is read back, and a position naming a
// question the bank no longer has is ignored rather than refusing the file.
func TestResumeAtRoundTrips(t *testing.T) {
	b := DefaultBank()
	a := NewAnswers()
	a.SetStatus("about.office", Yes, "2026-01-01")
	a.ResumeAt = "about.texting"
	data, err := a.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseAnswers("answers.yaml", data, b)
	if err != nil || back.ResumeAt != "about.texting" || b.Resume(back).ID != "about.texting" {
		t.Fatalf("read back %+v, %v\n%s", back, err, data)
	}
	stale, err := ParseAnswers("answers.yaml", []byte("schema_version: 1\nresume_at: about.gone\nanswers: {}\n"), b)
	if err != nil || stale.ResumeAt != "" || b.Resume(stale).ID != "about.office" {
		t.Errorf("stale position: %+v, %v", stale, err)
	}
}
