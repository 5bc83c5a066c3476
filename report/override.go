package report

import (
	"strings"

	"github.com/telesra/telesra/report/register"
)

// What the writers print of an assessor override, in one place: the rating an assessor set is
// always shown beside the computed one.

// overrideSuffix marks a final level the assessor set: " (assessor; computed Moderate)".
func overrideSuffix(k *register.Risk) string {
	if !k.Overridden() {
		return ""
	}
	return " (assessor; computed " + levelOrDash(k.Computed.Level) + ")"
}

// overrideSentence is the risk's override sentence, cleaned for a report.
func overrideSentence(k *register.Risk) string { return cleanText(k.OverrideSentence()) }

// overrideColumns are the spreadsheet columns of a rating an assessor set: the computed
// likelihood, impact and level, then who (with role), when, why, and any note to re-confirm.
// A risk nobody rated has the computed rating as its final one, so the computed columns repeat it.
func overrideColumns(k *register.Risk) []string {
	c := register.Computed{Likelihood: k.Likelihood, Impact: k.Impact, Level: k.Level}
	if k.Overridden() {
		c = k.Computed
	}
	out := []string{levelOrDash(c.Likelihood.Level), levelOrDash(c.Impact.Level), levelOrDash(c.Level), "", "", "", ""}
	if o := k.Override; o != nil {
		out[3], out[4], out[5], out[6] = o.Who(), o.Date, o.Why, k.OverrideNote
	}
	return out
}

// registerRatingCells are the PDF register's likelihood and impact cells. A level the assessor
// set reads "High (assessor; computed Moderate)" above the rules' trail, and the cell of the
// first rating set carries who, when and why, and any note to re-confirm.
func registerRatingCells(k *register.Risk) (likelihood, impact string) {
	if !k.Overridden() {
		return ratingCell(k.Likelihood), ratingCell(k.Impact)
	}
	o := k.Override
	cell := func(final, computed register.Rating, set string) string {
		if set == "" {
			return ratingCell(final)
		}
		return final.Level.String() + " (assessor; computed " + levelOrDash(computed.Level) + ")" +
			strings.TrimPrefix(ratingCell(computed), computed.Level.String())
	}
	likelihood, impact = cell(k.Likelihood, k.Computed.Likelihood, o.Likelihood), cell(k.Impact, k.Computed.Impact, o.Impact)
	record := "Assessor: " + o.Who() + ", " + o.Date + ": " + o.Why
	if k.OverrideNote != "" {
		record += "\nThe computed rating changed since: to be re-confirmed."
	}
	if o.Likelihood != "" {
		return likelihood + "\n" + record, impact
	}
	return likelihood, impact + "\n" + record
}

// registerLevelCell is the PDF register's level cell: the final level, and the computed one
// when an assessor's rating moved it.
func registerLevelCell(k *register.Risk) string {
	if k.Overridden() && k.Computed.Level != k.Level {
		return levelOrDash(k.Level) + "\n(computed " + levelOrDash(k.Computed.Level) + ")"
	}
	return levelOrDash(k.Level)
}

// overrideIntro is what the register's introduction says when an assessor rated some risks.
func overrideIntro(reg *register.Register) string {
	for _, k := range reg.Risks {
		if k.Overridden() {
			return " A likelihood or impact the assessor set reads \"(assessor; computed ...)\", with the rules' rating beside it and who set it, when and why."
		}
	}
	return ""
}
