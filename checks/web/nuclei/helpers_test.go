package nuclei

import (
	"slices"
	"strings"
	"testing"

	nucleidsl "github.com/projectdiscovery/nuclei/v3/pkg/operators/common/dsl"
	"github.com/projectdiscovery/nuclei/v3/pkg/protocols/common/expressions"
	"github.com/telesra/telesra/checks/checkstest"
	"github.com/telesra/telesra/checks/web"
	"github.com/telesra/telesra/checks/web/internal/runenv"
)

// TestHelperRegistryVetted: every helper nuclei registers has been judged (allowed, or refused
// with a reason), so a nuclei upgrade that adds one fails here until someone reads it; and
// every name telesra allows or refuses still exists.
func TestHelperRegistryVetted(t *testing.T) {
	h := helpers()
	for name, c := range h.canonical {
		if !allowedHelpers[c] && refusedHelpers[c] == "" {
			t.Errorf("nuclei registers the DSL helper %s, which telesra has not judged: read it, then add it to allowedHelpers or refusedHelpers", name)
		}
	}
	for _, set := range []map[string]bool{allowedHelpers, setOf(mapKeys(refusedHelpers)...)} {
		for name := range set {
			if _, ok := nucleidsl.HelperFunctions[name]; !ok {
				t.Errorf("%s is judged but nuclei no longer registers it", name)
			}
		}
	}
	for name := range allowedHelpers {
		if refusedHelpers[name] != "" {
			t.Errorf("%s is both allowed and refused", name)
		}
	}
	for _, want := range []string{"jarm", "llm_prompt", "public_ip", "resolve"} {
		if !slices.Contains(RefusedHelperNames(), want) {
			t.Errorf("%s is not refused: %v", want, RefusedHelperNames())
		}
	}
}

func mapKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestRefusedHelpersFailAtRunTime: once an engine has started, a refused helper reached by an
// expression no template shows (one assembled from a response, say) fails instead of connecting.
func TestRefusedHelpersFailAtRunTime(t *testing.T) {
	for _, v := range []string{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"} {
		t.Setenv(v, "")
	}
	foreign := checkstest.NewTrap(t, false)
	confineHelpers()
	before := helperCallsRefused.Load()
	// nuclei wraps the helper's error in text, so the refusal is recognised by its words.
	if _, err := expressions.Evaluate(`{{jarm("`+foreign.Addr+`")}}`, map[string]any{}); err == nil || !strings.Contains(err.Error(), errHelperRefused.Error()) {
		t.Errorf("jarm after confinement: %v, want a refusal", err)
	}
	if got, err := expressions.Evaluate(`{{md5("clinic")}}`, map[string]any{}); err != nil || len(got) != 32 {
		t.Errorf("md5 after confinement: %q %v", got, err)
	}
	if helperCallsRefused.Load() == before {
		t.Errorf("no refused call was counted")
	}
	if n := foreign.Received(t); n != 0 {
		t.Errorf("the out-of-scope address %s received %d connections", foreign.Addr, n)
	}
}

// TestExpressionVettingBounded: a value crowded with markers costs a bounded parse and is refused,
// not vetted for minutes or waved through.
func TestExpressionVettingBounded(t *testing.T) {
	body := "http:\n  - method: GET\n    path: [\"{{BaseURL}}\"]\n    body: '" + strings.Repeat("{{a}}", 20000) + "'\n"
	tpl := "id: crowded\ninfo:\n  name: Crowded\n  author: test\n  severity: low\n  description: d\n  remediation: r\n" +
		"  metadata:\n    telesra:\n      hipaa: [\"164.312(a)(1)\"]\n" + body
	err := error(vetTemplate("crowded.yaml", []byte(tpl)))
	if err == nil || !strings.Contains(err.Error(), "crowded.yaml:14:") || !strings.Contains(err.Error(), "cannot vet") {
		t.Errorf("crowded template: %v", err)
	}
}

// TestRunDirPrefixInStep: telesra removes the run directories of killed workers by the prefix it
// knows (package web must not import runenv, whose initialiser moves HOME and TMPDIR).
func TestRunDirPrefixInStep(t *testing.T) {
	if runenv.DirPrefix != web.RunDirPrefix {
		t.Errorf("runenv names run directories %q, telesra cleans %q", runenv.DirPrefix, web.RunDirPrefix)
	}
}
