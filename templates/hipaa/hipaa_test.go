package hipaa

import (
	"strings"
	"testing"
)

func TestCitationsMatchReferenceCounts(t *testing.T) {
	cs := Citations()
	if len(cs) != 65 {
		t.Fatalf("citations: %d, the reference table has 65 rows", len(cs))
	}
	// Appendix A (164.308/.310/.312): 18 standards and 36 implementation specifications, 14
	// Required and 22 Addressable (hipaa-security-rule.md).
	var std, req, addr int
	for _, c := range cs {
		if !strings.HasPrefix(c.Citation, "164.308") && !strings.HasPrefix(c.Citation, "164.310") && !strings.HasPrefix(c.Citation, "164.312") {
			continue
		}
		switch c.Kind {
		case "standard":
			std++
		case "required":
			req++
		case "addressable":
			addr++
		}
	}
	if std != 18 || req != 14 || addr != 22 {
		t.Errorf("Appendix A: %d standards, %d required, %d addressable; want 18, 14, 22", std, req, addr)
	}
	c, ok := LookupCitation("164.312(e)(2)(ii)")
	if !ok || c.Name != "Encryption" || c.Kind != "addressable" || c.Standard != "164.312(e)(1)" || c.Safeguard != "technical" {
		t.Errorf("164.312(e)(2)(ii) = %+v", c)
	}
	if got := UnknownCitations([]string{"164.312(d)", "164.999(z)"}); len(got) != 1 || got[0] != "164.999(z)" {
		t.Errorf("UnknownCitations = %v", got)
	}
}
