package report

import (
	"fmt"
	"strings"

	"github.com/telesra/telesra/report/register"
)

// methodology is section 9: the method (NIST SP 800-30 Rev. 1), the scales, the matrix, the
// scoring rules and the tools the assessment relied on.
func (p *pdfWriter) methodology() {
	p.section("9. Methodology", false)
	r := p.r
	rules := r.Register.Rules
	p.sub("Approach", false)
	p.para("The analysis follows NIST SP 800-30 Rev. 1, Guide for Conducting Risk Assessments, as HHS's guidance on the risk analysis " +
		"of 45 CFR 164.308(a)(1)(ii)(A) recommends, and covers the elements OCR expects: scope, data collection, threats and " +
		"vulnerabilities, current security measures, likelihood, impact, level of risk, documentation and periodic review. Data came " +
		"from two sources: an active scan of the declared network services, limited to the written scope below, and a questionnaire " +
		"on the administrative, physical and technical safeguards answered by the practice.")
	p.para("Scan findings and questionnaire gaps that describe the same weakness on the same asset are one risk. Each risk starts " +
		"from its weakness's default likelihood and impact (or, for a questionnaire gap, the question's default), and the scoring rules " +
		"below move them: likelihood rises with internet exposure and known exploitation (CISA KEV) and falls when only potential " +
		"evidence exists (never above the same finding confirmed) or a safeguard is partly in place; impact is rated per asset of the " +
		"inventory below: it rises for bulk ePHI and for assets care depends on, and falls (to Low at most) for assets that hold no ePHI. " +
		"A questionnaire gap is rated on the most sensitive asset it concerns. The register names the rules " +
		"applied to every risk. Informational findings (such as a disclosed version) are listed but make no risk.")
	p.sub("Scales", false)
	p.table([]column{{title: "Level", w: 16}, {title: "Value (0-100, 0-10)", w: 16}, {title: "Likelihood: the threat event...", w: 40}, {title: "Impact: the harm to ePHI would be...", w: 40}},
		[][]string{
			{"Very High", "96-100 (10)", "is almost certain to be initiated and succeed", "catastrophic: mass disclosure or loss of records, care disrupted"},
			{"High", "80-95 (8)", "is highly likely", "severe: many records disclosed or altered, significant harm"},
			{"Moderate", "21-79 (5)", "is somewhat likely", "serious: limited disclosure, recoverable disruption"},
			{"Low", "5-20 (2)", "is unlikely", "limited: minor, contained effects"},
			{"Very Low", "0-4 (0)", "is highly unlikely", "negligible"},
		}, 8)
	p.sub("Level of risk (NIST SP 800-30 Rev. 1, Table I-2)", false)
	rows := [][]string{}
	for i := 4; i >= 0; i-- {
		row := []string{register.Levels()[i].String()}
		for j := 0; j < 5; j++ {
			row = append(row, rules.Matrix[i][j].String())
		}
		rows = append(rows, row)
	}
	matrixCol := func(j int) func(int) register.Level {
		return func(i int) register.Level { return rules.Matrix[4-i][j] }
	}
	p.table([]column{{title: "Likelihood \\ Impact", w: 20}, {title: "Very Low", w: 14, level: matrixCol(0)}, {title: "Low", w: 14, level: matrixCol(1)},
		{title: "Moderate", w: 14, level: matrixCol(2)}, {title: "High", w: 14, level: matrixCol(3)}, {title: "Very High", w: 14, level: matrixCol(4)}}, rows, 8)
	p.sub("Scoring rules (version "+rules.Version+")", false)
	var rr [][]string
	for _, w := range rules.Weaknesses {
		rr = append(rr, []string{"weakness:" + w.ID, w.Title, "Likelihood " + w.Likelihood.String() + ", impact " + w.Impact.String(),
			strings.Join(append(append([]string{}, w.Checks...), w.Questions...), ", ")})
	}
	rr = append(rr, []string{"fallback", "Findings of checks no weakness names", "Likelihood " + rules.Fallback.Likelihood.String() + ", impact " + rules.Fallback.Impact.String(), ""})
	for _, set := range []struct {
		what  string
		rules []*register.Rule
	}{{"Likelihood", rules.Likelihood}, {"Impact", rules.Impact}} {
		for _, ru := range set.rules {
			rr = append(rr, []string{ru.ID, set.what + ": " + ru.Reason, ruleEffect(ru), ""})
		}
	}
	p.table([]column{{title: "Rule", w: 34, mono: true}, {title: "Meaning", w: 46}, {title: "Effect", w: 26}, {title: "Checks and questions", w: 36}}, rr, 7.5)
	p.sub("Scope", false)
	if r.Scope.Description != "" {
		p.para(r.Scope.Description)
	}
	p.labelled("Scan targets:", strings.Join(r.Scope.Targets, ", "), 9)
	p.labelled("Exclusions:", strings.Join(r.Scope.Exclusions, ", "), 9)
	p.labelled("Systems holding ePHI:", strings.Join(r.Scope.EPHISystems, ", "), 9)
	p.f.Ln(2)
	p.assetInventory()
	p.sub("Tools and knowledge bases", false)
	var tr [][]string
	for _, t := range r.Tools {
		tr = append(tr, []string{t.Name, t.Version, t.Source})
	}
	if len(tr) > 0 {
		p.table([]column{{title: "Tool or data", w: 40}, {title: "Version or date", w: 25}, {title: "Source", w: 50}}, tr, 8)
	}
	if ws := r.DataWarnings(); len(ws) > 0 {
		p.para("Out-of-date reference data: " + strings.Join(ws, "; ") + ". Patch-level findings judged against it may miss " +
			"releases that ended and vulnerabilities added to CISA's catalog since.")
	}
	p.sub("Limitations", false)
	p.para("A scan sees only what the declared services answer from where it ran; it does not log in and cannot see safeguards " +
		"behind a login. Questionnaire answers are the practice's own statements, not audited evidence. Potential findings are " +
		"inferences and should be confirmed. The analysis should be reviewed at least yearly and after significant changes.")
}

// ruleEffect says what a scoring rule does to a level, for the methodology's rule table.
func ruleEffect(r *register.Rule) string {
	switch {
	case r.Set != 0:
		return "set to " + r.Set.String()
	case r.Raise > 0:
		return fmt.Sprintf("raise %d level(s)", r.Raise)
	case r.Lower > 0:
		return fmt.Sprintf("lower %d level(s)", r.Lower)
	}
	return "noted, no change"
}
