package register

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/questionnaire/level"
	"github.com/telesra/telesra/templates/datafile"
)

// OverrideRule names the step an assessor override adds to a rating, after the scoring rules'.
const OverrideRule = "assessor-override"

// Override is an assessor's own rating of a risk, recorded in remediation.yaml: it sets the
// final likelihood, the final impact or both, and says who decided, in what role, when and why.
// The rating the scoring rules computed stays beside it in every report.
type Override struct {
	Likelihood string `yaml:"likelihood,omitempty" json:"likelihood,omitempty"` // a level ID, "" when not overridden
	Impact     string `yaml:"impact,omitempty" json:"impact,omitempty"`
	Why        string `yaml:"why" json:"why"`
	By         string `yaml:"by" json:"by"`
	Role       string `yaml:"role,omitempty" json:"role,omitempty"`
	Date       string `yaml:"date" json:"date"` // YYYY-MM-DD
	// Computed is the rating the rules gave when the override was made: when the rules give
	// another one later (a new scan, a changed answer), the assessor has to look again.
	Computed *ComputedLevels `yaml:"computed,omitempty" json:"computed_at_override,omitempty"`
}

// ComputedLevels is a computed rating as level IDs.
type ComputedLevels struct {
	Likelihood string `yaml:"likelihood" json:"likelihood"`
	Impact     string `yaml:"impact" json:"impact"`
	Level      string `yaml:"level" json:"level"`
}

// Computed is the rating the scoring rules gave a risk, kept beside the final one.
type Computed struct {
	Likelihood, Impact Rating
	Level              Level
}

// Who is the assessor as a report prints them: "Dana Whitfield (Assessor)".
func (o *Override) Who() string {
	if o.Role != "" {
		return o.By + " (" + o.Role + ")"
	}
	return o.By
}

// Overridden reports whether an assessor set the risk's final rating.
func (k *Risk) Overridden() bool { return k.Override != nil && k.Detected }

// applyOverride makes an assessor's rating the risk's final one. The computed rating stays in
// k.Computed, and the final rating keeps the rules' steps with the assessor's as the last, so
// it reads as one trail. A risk nothing detects any more keeps its override with the plan
// entry, with nothing to apply it to.
func (k *Risk) applyOverride(o *Override, rules *Rules) {
	k.Override = o
	if !k.Detected {
		return
	}
	if l, err := level.Parse(o.Likelihood); err == nil {
		k.Likelihood = overridden(k.Computed.Likelihood, l, o)
	}
	if l, err := level.Parse(o.Impact); err == nil {
		k.Impact = overridden(k.Computed.Impact, l, o)
	}
	k.Level = rules.RiskLevel(k.Likelihood.Level, k.Impact.Level)
	now := computedLevels(k.Computed)
	switch {
	case o.Computed == nil:
		k.OverrideNote = "the computed rating it overrides was not recorded (written by hand?): the assessor should re-confirm it with telesra risks set"
	case *o.Computed != now:
		k.OverrideNote = fmt.Sprintf("the computed rating changed since the override (then likelihood %s, impact %s, level %s; now %s, %s, %s): the assessor should re-confirm it",
			levelWords(o.Computed.Likelihood), levelWords(o.Computed.Impact), levelWords(o.Computed.Level),
			levelWords(now.Likelihood), levelWords(now.Impact), levelWords(now.Level))
	}
}

// overridden is the final rating an assessor set: the computed trail, then the assessor's step.
func overridden(c Rating, l Level, o *Override) Rating {
	r := Rating{Level: l, Rules: append(slices.Clone(c.Rules), OverrideRule),
		Steps: append(slices.Clone(c.Steps), RatingStep{Rule: OverrideRule, Effect: "=" + l.String()})}
	r.Reason = fmt.Sprintf("%s; then %s set by the assessor, %s, on %s: %s (%s)", c.Reason, l, o.Who(), o.Date, strings.TrimSpace(o.Why), OverrideRule)
	return r
}

func computedLevels(c Computed) ComputedLevels {
	return ComputedLevels{Likelihood: c.Likelihood.Level.ID(), Impact: c.Impact.Level.ID(), Level: c.Level.ID()}
}

// levelWords prints a level ID as NIST words ("very-high" -> "Very High").
func levelWords(id string) string {
	if l, err := level.Parse(id); err == nil {
		return l.String()
	}
	return id
}

// OverrideChange is an assessor's rating as `telesra risks set` gives it. A new override
// replaces the previous one whole: its reason and author answer for both levels it sets.
type OverrideChange struct {
	Likelihood, Impact Level // 0: keep the computed level
	Why, By, Role      string
}

// override validates an assessor's rating of a detected risk: a level to set, who sets it and
// a reason of substance. telesra records the day and the computed rating it overrides.
func override(ch *OverrideChange, k *Risk, today string) (*Override, error) {
	if k == nil || !k.Detected {
		return nil, fmt.Errorf("telesra no longer detects it, so there is no computed rating to override")
	}
	var missing []string
	if ch.Likelihood == 0 && ch.Impact == 0 {
		missing = append(missing, "--likelihood or --impact")
	}
	if strings.TrimSpace(ch.By) == "" {
		missing = append(missing, "--by")
	}
	if strings.TrimSpace(ch.Why) == "" {
		missing = append(missing, "--why")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("an assessor override needs %s (the level to set, who rates it, and why; telesra does not guess the assessor)",
			strings.Join(missing, ", "))
	}
	if !questionnaire.Substantive(ch.Why) {
		return nil, fmt.Errorf("--why %q: say why the computed rating is wrong in at least %d words (what the rules do not know)", ch.Why, questionnaire.MinReasonWords)
	}
	return &Override{Likelihood: ch.Likelihood.ID(), Impact: ch.Impact.ID(), Why: strings.TrimSpace(ch.Why),
		By: strings.TrimSpace(ch.By), Role: strings.TrimSpace(ch.Role), Date: today, Computed: ptrTo(computedLevels(k.Computed))}, nil
}

func ptrTo[T any](v T) *T { return &v }

// finalLevel is the level a plan entry records for a detected risk: its computed rating with
// the entry's override applied.
func finalLevel(k *Risk, o *Override, rules *Rules) Level {
	l, i := k.Computed.Likelihood.Level, k.Computed.Impact.Level
	if o != nil {
		if v, err := level.Parse(o.Likelihood); err == nil {
			l = v
		}
		if v, err := level.Parse(o.Impact); err == nil {
			i = v
		}
	}
	return rules.RiskLevel(l, i)
}

// overrideErrors checks what the schema cannot of an override in remediation.yaml: that it
// sets a level, and that its reason has substance, as `telesra risks set` requires.
func overrideErrors(file string, root *yaml.Node, id string, o *Override) datafile.FileErrors {
	if o == nil {
		return nil
	}
	var errs datafile.FileErrors
	if o.Likelihood == "" && o.Impact == "" {
		errs = append(errs, datafile.At(file, root, "an override sets likelihood, impact or both", "risks", id, "override"))
	}
	if !questionnaire.Substantive(o.Why) {
		errs = append(errs, datafile.At(file, root, fmt.Sprintf("say why the computed rating is wrong in at least %d words", questionnaire.MinReasonWords),
			"risks", id, "override", "why"))
	}
	return errs
}

// LevelOf reads a level ID as remediation.yaml stores it; 0 when it is none.
func LevelOf(id string) Level {
	l, _ := level.Parse(id)
	return l
}

// OverrideSentence is an assessor's rating beside the computed one, as every output prints
// it: "likelihood Very High (computed Moderate), level High (computed Moderate), by Dana
// Whitfield (Assessor) on 2026-11-22: why". A risk nothing detects any more has no computed
// rating to compare: only the levels the assessor set are named.
func (k *Risk) OverrideSentence() string {
	o := k.Override
	if o == nil {
		return ""
	}
	word := func(l Level) string {
		if l < level.VeryLow {
			return "-"
		}
		return l.String()
	}
	var parts []string
	for _, r := range []struct {
		name, set string
		computed  Level
	}{{"likelihood", o.Likelihood, k.Computed.Likelihood.Level}, {"impact", o.Impact, k.Computed.Impact.Level}} {
		if r.set == "" {
			continue
		}
		p := r.name + " " + word(LevelOf(r.set))
		if k.Overridden() {
			p += " (computed " + word(r.computed) + ")"
		}
		parts = append(parts, p)
	}
	if k.Overridden() {
		parts = append(parts, "level "+word(k.Level)+" (computed "+word(k.Computed.Level)+")")
	}
	return strings.Join(parts, ", ") + ", by " + o.Who() + " on " + o.Date + ": " + o.Why
}
