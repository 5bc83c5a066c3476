package estate

import (
	"strings"
	"testing"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/checkstest"
	"github.com/telesra/telesra/checks/patch"
)

// TestSchedulerAnnouncesEndOfLife: the demo's legacy scheduler is what the patch family exists to
// catch, and the demo must show it as a confirmed end-of-life finding.
func TestSchedulerAnnouncesEndOfLife(t *testing.T) {
	e := &Estate{}
	if err := startScheduler(e); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	target := e.Services[0].Target
	if !strings.HasPrefix(target, "127.0.0.1:") {
		t.Fatalf("the demo binds loopback only, got %s", target)
	}
	fam := patch.Family(patch.Options{KBDir: t.TempDir()})
	res := checkstest.ScanWith(t, checks.Options{Checks: fam.Checks, Families: []*checks.Family{fam}}, target)
	var eol []string
	for _, f := range res.Findings {
		if f.Check == patch.CheckEOL && f.Confidence == checks.Confirmed {
			eol = append(eol, f.Title)
		}
	}
	if strings.Join(eol, ",") != "End of life: PHP 7.2,End of life: nginx 1.16" && strings.Join(eol, ",") != "End of life: nginx 1.16,End of life: PHP 7.2" {
		t.Errorf("confirmed end-of-life findings %v, want nginx 1.16 and PHP 7.2", eol)
	}
}
