package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/telesra/telesra/questionnaire/level"
	"github.com/telesra/telesra/report/register"
	"github.com/telesra/telesra/templates/hipaa"

	"github.com/spf13/cobra"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/cmd/telesra/workspace"
)

// RisksOptions are the inputs of `telesra risks list|show|set`.
type RisksOptions struct {
	IO  *IOStreams
	Now func() time.Time

	Workspace string
	// list
	All    bool
	Format string
	// show, set
	ID string
	// set: a flag given on the command line is a change, even when empty ("--owner ''" clears).
	Owner, Due, Status, Notes       *string
	Approver, Role, Reason, Expires string
	OverrideRequired                bool
	MaxAcceptanceMonths             int
	// set: an assessor override (Role is the assessor's when one is given) or its removal.
	Likelihood, Impact, Why, By string
	ClearOverride               bool
}

// overriding reports whether the options set an assessor override.
func (o *RisksOptions) overriding() bool {
	return o.Likelihood != "" || o.Impact != "" || o.Why != "" || o.By != ""
}

// accepting reports whether the options carry an acceptance.
func (o *RisksOptions) accepting() bool {
	return o.Approver != "" || o.Reason != "" || o.Expires != "" || o.OverrideRequired ||
		(o.Status != nil && strings.EqualFold(strings.TrimSpace(*o.Status), string(register.StatusAccepted)))
}

// NewCmdRisks builds `telesra risks` and its subcommands.
func NewCmdRisks(f *Factory, runF func(string, *RisksOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "risks",
		Short: "List, explain and plan the risks of the register",
		Long: `The risks of a workspace's register, with their owners, due dates and statuses from
remediation.yaml. IDs are stable: the same weakness on the same asset keeps its ID in every run.

Statuses: open, in_progress, done, verified, accepted (with --approver, --role, --reason, --expires;
refused for a risk resting on a Required specification or a known-exploited finding unless
--override-required, which is recorded).
A risk telesra no longer detects (its findings disappeared, or the answer changed) shows as
"fixed, verify" until it is set to verified.

An assessor may set a risk's likelihood, impact or both (--likelihood, --impact, with --why in at
least three words and --by; --role optional): the register then uses that final rating and shows
the computed one beside it, and flags the override when the computed rating changes later.`,
	}
	run := func(verb string, o *RisksOptions) error {
		if runF != nil {
			return runF(verb, o)
		}
		switch verb {
		case "list":
			return risksListRun(o)
		case "show":
			return risksShowRun(o)
		}
		return risksSetRun(o)
	}
	newOpts := func() *RisksOptions { return &RisksOptions{IO: f.IO, Now: f.Now} }

	lo := newOpts()
	list := &cobra.Command{
		Use:   "list",
		Short: "List the open risks, highest first (--all: every risk)",
		Args:  maxArgs(0),
		RunE:  func(*cobra.Command, []string) error { return run("list", lo) },
	}
	list.Flags().StringVarP(&lo.Workspace, "workspace", "w", ".", "assessment workspace `DIR`")
	list.Flags().BoolVar(&lo.All, "all", false, "also list verified, accepted and fixed risks")
	list.Flags().StringVarP(&lo.Format, "format", "f", "table", "table or json")

	so := newOpts()
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Explain one risk: what it is, why it has its likelihood and impact, the evidence",
		Args:  exactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			so.ID = args[0]
			return run("show", so)
		},
	}
	show.Flags().StringVarP(&so.Workspace, "workspace", "w", ".", "assessment workspace `DIR`")

	to := newOpts()
	set := &cobra.Command{
		Use:   "set ID",
		Short: "Set a risk's owner, due date, status, acceptance or assessor rating (saved in remediation.yaml)",
		Example: `  telesra risks set R-1a2b3c4d -w acme --owner "Maria Lopez" --due 2026-12-31 --status in_progress
  telesra risks set R-1a2b3c4d -w acme --status accepted --approver "Dr A. Lee" --role "Practice owner" \
      --reason "Vendor replaces the system in Q1" --expires 2027-03-31
  telesra risks set R-1a2b3c4d -w acme --likelihood high --by "Dana Whitfield" --role Assessor \
      --why "Staff use the portal from home on personal laptops"
  telesra risks set R-1a2b3c4d -w acme --clear-override`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			to.ID = args[0]
			fl := cmd.Flags()
			for name, dst := range map[string]**string{"owner": &to.Owner, "due": &to.Due, "status": &to.Status, "notes": &to.Notes} {
				if fl.Changed(name) {
					v, _ := fl.GetString(name)
					*dst = &v
				}
			}
			if to.Owner == nil && to.Due == nil && to.Status == nil && to.Notes == nil && to.Approver == "" && to.Role == "" && to.Reason == "" && to.Expires == "" && !to.OverrideRequired &&
				!to.overriding() && !to.ClearOverride {
				return usageErrorf("nothing to set: give --owner, --due, --status, --notes, an acceptance or an assessor rating")
			}
			// --role names the approver of an acceptance or the assessor of an override: one at a time.
			if to.overriding() && to.accepting() {
				return usageErrorf("set an assessor rating and an acceptance in two commands (--role would name both)")
			}
			if to.overriding() && to.ClearOverride {
				return usageErrorf("--clear-override removes the assessor rating: give it without --likelihood, --impact, --why or --by")
			}
			return run("set", to)
		},
	}
	sf := set.Flags()
	sf.StringVarP(&to.Workspace, "workspace", "w", ".", "assessment workspace `DIR`")
	sf.String("owner", "", "who fixes it")
	sf.String("due", "", "due date, YYYY-MM-DD")
	sf.String("status", "", "open, in_progress, done, verified or accepted")
	sf.String("notes", "", "free text")
	sf.StringVar(&to.Approver, "approver", "", "with --status accepted: who accepted the risk")
	sf.StringVar(&to.Role, "role", "", "with --status accepted: the approver's role (practice owner, security official); with --by: the assessor's")
	sf.StringVar(&to.Reason, "reason", "", "with --status accepted: why, in at least three words")
	sf.StringVar(&to.Expires, "expires", "", "with --status accepted: until when (YYYY-MM-DD, at most --max-acceptance-months ahead)")
	sf.BoolVar(&to.OverrideRequired, "override-required", false, "with --status accepted: accept a risk resting on a Required specification or a known-exploited finding (recorded)")
	sf.IntVar(&to.MaxAcceptanceMonths, "max-acceptance-months", register.DefaultMaxAcceptanceMonths, "with --status accepted: the longest an acceptance may run")
	sf.StringVar(&to.Likelihood, "likelihood", "", "the assessor's likelihood: very-low, low, moderate, high or very-high (with --why and --by)")
	sf.StringVar(&to.Impact, "impact", "", "the assessor's impact: very-low, low, moderate, high or very-high (with --why and --by)")
	sf.StringVar(&to.Why, "why", "", "with --likelihood or --impact: why the computed rating is wrong, in at least three words")
	sf.StringVar(&to.By, "by", "", "with --likelihood or --impact: who rates the risk (the assessor)")
	sf.BoolVar(&to.ClearOverride, "clear-override", false, "remove the assessor rating: the computed one is final again")

	cmd.AddCommand(list, show, set)
	return cmd
}

func risksListRun(o *RisksOptions) error {
	if o.Format != "table" && o.Format != "json" {
		return usageErrorf("--format %q: want table or json", o.Format)
	}
	a, err := workspace.Analyse(o.Workspace, o.Now())
	if err != nil {
		return err
	}
	var rows []*register.Risk
	for _, k := range a.Register.Risks {
		if o.All || k.Open() || k.Status == register.StatusFixedVerify {
			rows = append(rows, k)
		}
	}
	if o.Format == "json" {
		type item struct {
			ID, Level, Likelihood, Impact, Status, Owner, Due, Asset, Title string
			// ComputedLevel is the rules' level when an assessor's rating sets Level.
			ComputedLevel string `json:",omitempty"`
		}
		out := []item{}
		for _, k := range rows {
			it := item{k.ID, k.Level.ID(), k.Likelihood.Level.ID(), k.Impact.Level.ID(), string(k.Status), k.Owner, k.Due, k.Asset.Label(), k.Title, ""}
			if k.Overridden() {
				it.ComputedLevel = k.Computed.Level.ID()
			}
			out = append(out, it)
		}
		enc := json.NewEncoder(o.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	// ID, level, status and the risk itself stay; the rest goes first on a narrow terminal.
	cols := []column{{Header: "ID"}, {Header: "LEVEL", Wrap: true, Min: 8}, {Header: "L", Wrap: true, Min: 8, Drop: 2},
		{Header: "I", Wrap: true, Min: 8, Drop: 1}, {Header: "STATUS", Wrap: true, Min: 11}, {Header: "OWNER", Wrap: true, Min: 10, Drop: 3},
		{Header: "DUE", Drop: 5}, {Header: "ASSET", Wrap: true, Min: 14, Drop: 4}, {Header: "RISK", Wrap: true, Min: 20}}
	var table [][]string
	marks := map[string]bool{}
	for _, k := range rows {
		lv := levelText(k.Level)
		if k.Overridden() {
			// Marked, not explained: the legend is on stderr and risks show says the rest.
			lv += overrideMark(k)
			marks[overrideMark(k)] = true
		}
		table = append(table, []string{k.ID, lv, levelText(k.Likelihood.Level), levelText(k.Impact.Level),
			k.Status.Label(), dash(k.Owner), dash(k.Due), oneLineText(k.Asset.Label(), 0), oneLineText(k.Title, 0)})
	}
	if _, err := io.WriteString(o.IO.Out, fitTable(cols, table, o.IO.TableWidth(), false)); err != nil {
		return err
	}
	if !o.IO.Quiet {
		fmt.Fprintf(o.IO.ErrOut, "%d of %d risks shown; explain one with: telesra risks show ID -w %s\n", len(rows), len(a.Register.Risks), o.Workspace)
		if len(marks) > 0 {
			legend := "* rated by the assessor (telesra risks show gives the computed rating and why)"
			if marks["!"] {
				legend += "; ! rated by the assessor, and the computed rating changed since: re-confirm"
			}
			fmt.Fprintln(o.IO.ErrOut, legend)
		}
	}
	// The scope warning is printed even with --quiet: the register is not the whole risk analysis.
	if a.Register.ScopeIncomplete {
		fmt.Fprintf(o.IO.ErrOut, "Scope incomplete: %s (telesra assets add)\n", a.Register.ScopeReason)
	}
	return nil
}

func risksShowRun(o *RisksOptions) error {
	a, err := workspace.Analyse(o.Workspace, o.Now())
	if err != nil {
		return err
	}
	k, ok := a.Register.Risk(o.ID)
	if !ok {
		return &UsageError{Err: &register.UnknownRiskError{ID: o.ID, Suggest: register.SuggestID(o.ID, a.Register)}}
	}
	w := o.IO.Out
	line := func(label, v string) {
		if strings.TrimSpace(v) != "" {
			fmt.Fprintf(w, "%-18s %s\n", label+":", oneLineText(v, 0))
		}
	}
	fmt.Fprintf(w, "%s  %s\n\n", k.ID, oneLineText(k.Title, 0))
	held := nonBlank(k.Asset.HasEPHI, "unknown")
	if k.Asset.EPHIHeld != "" {
		held = k.Asset.EPHIHeld
	}
	if k.Asset.Records > 0 {
		held += fmt.Sprintf(", about %d records", k.Asset.Records)
	}
	if c := k.Asset.Criticality.Short(); c != "" {
		held += ", criticality " + c
	}
	line("Asset", k.Asset.Label()+" ("+nonBlank(k.Asset.Kind, "unknown")+", exposure "+nonBlank(k.Asset.Exposure, "unknown")+", ePHI "+held+")")
	if len(k.Assets) > 1 {
		var names []string
		for _, x := range k.Assets {
			names = append(names, x.Name)
		}
		line("Concerns", strings.Join(names, "; "))
	}
	if len(k.Asset.Covers) > 0 {
		line("Covers", strings.Join(k.Asset.Covers, "; "))
	}
	line("Threat", k.ThreatSource+": "+k.ThreatEvent)
	line("Vulnerability", k.Vulnerability)
	// The computed rating with its rules first; an assessor's rating after it, never instead.
	c := k.Computed
	if !k.Overridden() {
		c = register.Computed{Likelihood: k.Likelihood, Impact: k.Impact, Level: k.Level}
	}
	line("Likelihood", levelText(c.Likelihood.Level)+" ("+strings.Join(c.Likelihood.Rules, ", ")+")")
	line("  why", c.Likelihood.Reason)
	if k.PotentialOnly {
		line("  evidence", "potential only: every finding is inferred (a version match), not observed; the likelihood is at most a confirmed finding's")
	}
	line("Impact", levelText(c.Impact.Level)+" ("+strings.Join(c.Impact.Rules, ", ")+")")
	line("  why", c.Impact.Reason)
	line("Risk level", levelText(c.Level)+" (NIST SP 800-30 Table I-2)")
	if k.Override != nil {
		line("Assessor override", k.OverrideSentence())
		line("  note", k.OverrideNote)
		if k.Overridden() {
			line("Final rating", "likelihood "+levelText(k.Likelihood.Level)+", impact "+levelText(k.Impact.Level)+
				", risk level "+levelText(k.Level)+" (NIST SP 800-30 Table I-2)")
		}
	}
	var cites []string
	for _, c := range k.Citations {
		cites = append(cites, c.Label()+" "+c.Name)
	}
	line("HIPAA", strings.Join(cites, "; "))
	for _, c := range k.Controls {
		line("Existing control", c.Question+" ("+c.Status.Short()+")"+notesSuffix(c.Notes))
		if c.Verified != nil {
			line("  verified by scan", c.Verified.Summary())
		}
	}
	// A disproved answer is shown where the control would be, so the reader sees why it is not one.
	for _, c := range k.Contradicted {
		line("Contradicted", c.Question+" ("+c.Status.Short()+")"+notesSuffix(strings.TrimSuffix(c.Notes, "."))+
			"; not counted as a control: "+strings.Join(c.Reasons, "; ")+" (findings "+strings.Join(c.Findings, ", ")+")")
	}
	// Missing decisions are gaps (164.306(d)(3)): said with the way to record one.
	for _, c := range k.DecisionsMissing {
		line("Decision missing", decisionMissingText(c, o.Workspace))
	}
	line("Findings", strings.Join(k.Findings, ", "))
	line("Answers", strings.Join(k.Answers, ", "))
	line("Remediation", k.Remediation)
	line("Owner", k.Owner)
	line("Due", k.Due)
	st := k.Status.Label()
	if k.Acceptance != nil && k.Status == register.StatusAccepted {
		st += " by " + k.Acceptance.Approver
		if k.Acceptance.Role != "" {
			st += " (" + k.Acceptance.Role + ")"
		}
		if k.Acceptance.Accepted != "" {
			st += " on " + k.Acceptance.Accepted
		}
		st += " until " + k.Acceptance.Expires + ": " + k.Acceptance.Reason
		if len(k.Acceptance.Overrides) > 0 {
			st += "; overriding " + strings.Join(k.Acceptance.Overrides, "; ")
		}
	}
	line("Status", st)
	line("  note", k.StatusNote)
	return nil
}

// decisionMissingText says an Addressable specification behind a risk has no decision, and how
// to record one.
func decisionMissingText(citation, dir string) string {
	name := ""
	if c, ok := hipaa.LookupCitation(citation); ok {
		name = " (" + c.Name + ")"
	}
	return fmt.Sprintf("No decision recorded for Addressable %s%s (45 CFR 164.306(d)(3)): record one with "+
		"telesra answers decide %s --decision as_specified|alternative|not_reasonable --measure|--reason TEXT --by NAME --role ROLE -w %s, or in telesra assess",
		citation, name, citation, dir)
}

func risksSetRun(o *RisksOptions) error {
	now := o.Now()
	// Held from the read to the write, so a concurrent risks set is not undone.
	lock, err := workspace.At(o.Workspace).Lock()
	if err != nil {
		return err
	}
	defer lock.Unlock()
	a, err := workspace.Analyse(o.Workspace, now)
	if err != nil {
		return err
	}
	ch := register.Change{Owner: o.Owner, Due: o.Due, Notes: o.Notes, Reason: o.Reason, Expires: o.Expires, Approver: o.Approver,
		OverrideRequired: o.OverrideRequired, MaxMonths: o.MaxAcceptanceMonths, ClearOverride: o.ClearOverride}
	if o.overriding() {
		oc, err := overrideChange(o)
		if err != nil {
			return err
		}
		ch.Override = oc
	} else {
		ch.Role = o.Role
	}
	if o.Status != nil {
		st, err := register.ParseStatus(*o.Status)
		if err != nil {
			return &UsageError{Err: err}
		}
		ch.Status = &st
	}
	if err := a.Plan.Set(a.Register, o.ID, ch, now.Format(time.DateOnly)); err != nil {
		return &UsageError{Err: err}
	}
	if err := a.SavePlan(); err != nil {
		return err
	}
	if !o.IO.Quiet {
		e := a.Plan.Entries[o.ID]
		rating := ""
		if e.Override != nil {
			rating = ", assessor's level " + levelText(register.LevelOf(e.Level))
			if e.Override.Computed != nil {
				rating += " (computed " + levelText(register.LevelOf(e.Override.Computed.Level)) + ")"
			}
		}
		fmt.Fprintf(o.IO.ErrOut, "%s: owner %s, due %s, status %s%s (saved in %s)\n", o.ID, dash(e.Owner), dash(e.Due),
			register.Status(nonBlank(string(e.Status), "open")).Label(), rating, a.Plan.File)
	}
	return nil
}

// overrideChange reads the assessor's rating from the flags; levels are NIST SP 800-30's words.
func overrideChange(o *RisksOptions) (*register.OverrideChange, error) {
	oc := &register.OverrideChange{Why: o.Why, By: o.By, Role: o.Role}
	for _, f := range []struct {
		flag, v string
		dst     *register.Level
	}{{"--likelihood", o.Likelihood, &oc.Likelihood}, {"--impact", o.Impact, &oc.Impact}} {
		if f.v == "" {
			continue
		}
		l, err := level.Parse(f.v)
		if err != nil {
			return nil, usageErrorf("%s: %v", f.flag, err)
		}
		*f.dst = l
	}
	return oc, nil
}

// overrideMark marks a risk the assessor rated: "*", or "!" when the computed rating changed since.
func overrideMark(k *register.Risk) string {
	if k.OverrideNote != "" {
		return "!"
	}
	return "*"
}

func levelText(l register.Level) string {
	if l == 0 {
		return "-"
	}
	return l.String()
}

func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

func nonBlank(s, alt string) string {
	if strings.TrimSpace(s) == "" {
		return alt
	}
	return s
}

func notesSuffix(n string) string {
	if n == "" {
		return ""
	}
	return ": " + n
}

// oneLineText cleans text for a terminal line and cuts it to max runes (0: no limit).
func oneLineText(s string, max int) string {
	return checks.Clean(strings.Join(strings.Fields(s), " "), max)
}
