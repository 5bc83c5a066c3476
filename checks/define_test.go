package checks

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestProbeMemo: a probe runs once per endpoint however many checks ask at once, and the memo
// keys by the probe itself, so two probes with one ID (and different fact types) never share a
// result.
func TestProbeMemo(t *testing.T) {
	var nums, words atomic.Int32
	num := &Probe[int]{ID: "test.same", Run: func(context.Context, *Env) (int, error) {
		nums.Add(1)
		time.Sleep(10 * time.Millisecond) // let the other callers arrive while it runs
		return 7, nil
	}}
	word := &Probe[string]{ID: "test.same", Run: func(context.Context, *Env) (string, error) {
		words.Add(1)
		return "seven", nil
	}}
	endpoints := []*Env{{ProbeTimeout: time.Minute}, {ProbeTimeout: time.Minute}}
	for _, env := range endpoints {
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if n, err := num.Get(context.Background(), env); n != 7 || err != nil {
					t.Errorf("num.Get = %d, %v; want 7", n, err)
				}
				if w, err := word.Get(context.Background(), env); w != "seven" || err != nil {
					t.Errorf("word.Get = %q, %v; want seven", w, err)
				}
			})
		}
		wg.Wait()
	}
	if nums.Load() != 2 || words.Load() != 2 {
		t.Errorf("runs: num %d, word %d; want each once per endpoint (2)", nums.Load(), words.Load())
	}
}

// TestDefine: a check lists the service probe, then its probe after the probes it needs; a failed
// probe fails the check without calling the judge.
func TestDefine(t *testing.T) {
	base := &Probe[int]{ID: "test.base", Run: func(context.Context, *Env) (int, error) { return 0, ErrNotApplicable }}
	top := &Probe[int]{ID: "test.top", Needs: []ProbeRef{base}, Run: func(ctx context.Context, env *Env) (int, error) {
		return base.Get(ctx, env)
	}}
	judged := false
	c := Define(Check{ID: "test.define"}, top, func(context.Context, *Env, *Check, int) ([]Finding, error) {
		judged = true
		return nil, nil
	})
	if got := strings.Join(probeIDs(c.Probes), ","); got != "service,test.base,test.top" || c.Family != "test" {
		t.Errorf("probes %q, family %q; want service,test.base,test.top and test", got, c.Family)
	}
	if _, err := c.evaluate(context.Background(), &Env{ProbeTimeout: time.Minute}); err != ErrNotApplicable || judged {
		t.Errorf("evaluate: err %v, judged %v; want the probe's error and no judgement", err, judged)
	}
}

func TestNewRegistryRejects(t *testing.T) {
	probe := func(id string) *Probe[int] {
		return &Probe[int]{ID: id, Run: func(context.Context, *Env) (int, error) { return 0, nil }}
	}
	shared := probe("test.shared")
	check := func(id string, p *Probe[int], edit ...func(*Check)) *Check {
		meta := Check{ID: id, Title: "t", Description: "d", Remediation: "r", Severity: Low, HIPAA: []string{"164.312(d)"}}
		for _, e := range edit {
			e(&meta)
		}
		return Define(meta, p, func(context.Context, *Env, *Check, int) ([]Finding, error) { return nil, nil })
	}
	fam := func(name string, cs ...*Check) *Family { return &Family{Name: name, Checks: cs} }
	cases := []struct {
		name     string
		families []*Family
		want     string // "" accepts
	}{
		{"one probe shared by checks and families", []*Family{
			fam("test", check("test.a", shared), check("test.b", shared)), fam("other", check("other.a", shared))}, ""},
		{"two probes, one ID, one family", []*Family{
			fam("test", check("test.a", shared), check("test.b", probe("test.shared")))},
			`probe "test.shared": two distinct probes share this ID (declared by checks "test.a" and "test.b")`},
		{"two probes, one ID, two families", []*Family{
			fam("test", check("test.a", shared)), fam("other", check("other.a", probe("test.shared")))},
			`probe "test.shared": two distinct probes share this ID`},
		{"a probe named like the service probe", []*Family{fam("test", check("test.a", probe("service")))},
			`probe "service": two distinct probes share this ID`},
		{"a probe without ID", []*Family{fam("test", check("test.a", probe("")))}, `check "test.a": a probe without an ID`},
		{"family twice", []*Family{fam("test"), fam("test")}, `family "test" registered twice`},
		{"check twice", []*Family{fam("test", check("test.a", shared), check("test.a", shared))}, `check "test.a" registered twice`},
		{"check outside its family", []*Family{fam("test", check("other.a", shared))}, `check "other.a": not in family "test"`},
		{"bad ID", []*Family{fam("test", check("test.A", shared))}, `check "test.A": ID must be dotted lower case`},
		{"no remediation", []*Family{fam("test", check("test.a", shared, func(c *Check) { c.Remediation = "" }))},
			`check "test.a": title, description and remediation are required`},
		{"no citation", []*Family{fam("test", check("test.a", shared, func(c *Check) { c.HIPAA = nil }))}, `check "test.a": no HIPAA citation`},
		{"unknown citation", []*Family{fam("test", check("test.a", shared, func(c *Check) { c.HIPAA = []string{"164.999"} }))},
			`check "test.a": unknown HIPAA citations [164.999]`},
		{"not built by Define", []*Family{fam("test", &Check{ID: "test.a", Family: "test", Title: "t", Description: "d", Remediation: "r",
			HIPAA: []string{"164.312(d)"}})}, `check "test.a": not built by checks.Define`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewRegistry(tc.families...)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("rejected: %v", err)
			case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestFamilyProbes: a family documents the probes its checks declare, in order, each once.
func TestFamilyProbes(t *testing.T) {
	a := &Probe[int]{ID: "test.a"}
	b := &Probe[string]{ID: "test.b", Needs: []ProbeRef{a}}
	judge := func(context.Context, *Env, *Check) ([]Finding, error) { return nil, nil }
	f := &Family{Name: "test", Checks: []*Check{
		DefineWith(Check{ID: "test.one"}, []ProbeRef{b}, judge),
		DefineWith(Check{ID: "test.two"}, []ProbeRef{a}, judge),
		DefineWith(Check{ID: "test.none"}, nil, judge),
	}}
	if got := strings.Join(probeIDs(f.Probes()), ","); got != "test.a,test.b" {
		t.Errorf("Family.Probes = %s, want test.a,test.b", got)
	}
}
