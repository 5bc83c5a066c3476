package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/telesra/telesra/cmd/telesra/workspace"
	"github.com/telesra/telesra/report/register"
)

// AssetsOptions are the inputs of `telesra assets add|list|rm`.
type AssetsOptions struct {
	IO  *IOStreams
	Now func() time.Time

	Workspace string
	Format    string              // list
	Force     bool                // rm
	DryRun    bool                // seed
	Confirm   bool                // set
	Entry     register.AssetEntry // add; set takes its kind, ePHI held, criticality, exposure, owner
	// Raw flag values, checked in assetsAddRun so a bad one is a refusal like any other.
	Records string
	FlowTo  []string
	EPHI    []string
	Name    string
}

// NewCmdAssets builds `telesra assets` and its subcommands.
func NewCmdAssets(f *Factory, runF func(string, *AssetsOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "assets",
		Short: "Manage the practice's inventory of ePHI (assets.yaml)",
		Long: `The asset inventory of a workspace (assets.yaml): every place the practice's ePHI lives
or passes through, scanned or not: services and hosts the scan reaches, and laptops, phones,
cloud services (EHR, video, mail, backup), vendors and paper flows it does not. Each asset
says how much ePHI it holds (none, some, bulk), its criticality for care, its exposure and
where ePHI flows from it. Impact is rated per asset from these (docs/scoring.md), and
questionnaire gaps attach to the assets they concern.

telesra assets seed starts or completes the inventory from the questionnaire's answers (staff
working from home: laptops; patients emailed: a mail service); each seeded asset is marked
seeded_from until someone confirms it with telesra assets set NAME [...] --confirm.

Kinds: ` + strings.Join(register.AssetKinds, ", ") + `.`,
	}
	run := func(verb string, o *AssetsOptions) error {
		if runF != nil {
			return runF(verb, o)
		}
		switch verb {
		case "add":
			return assetsAddRun(o)
		case "rm":
			return assetsRmRun(o)
		case "seed":
			return assetsSeedRun(o)
		case "set":
			return assetsSetRun(o)
		}
		return assetsListRun(o)
	}
	newOpts := func() *AssetsOptions { return &AssetsOptions{IO: f.IO, Now: f.Now} }

	ao := newOpts()
	add := &cobra.Command{
		Use:   "add NAME",
		Short: "Add an asset to the inventory (refused for a duplicate name, an unknown kind or a flow to a missing asset)",
		Example: `  telesra assets add "Microsoft 365 mail" -w acme --kind cloud-service --ephi-held bulk --records 3000 \
      --confidentiality high --integrity moderate --availability moderate --exposure internet
  telesra assets add "Dr Chen's laptop" -w acme --kind laptop --ephi-held some --exposure device \
      --flow-to "Microsoft 365 mail:visit notes emailed to the billing service"`,
		Args: exactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			ao.Entry.Name = args[0]
			return run("add", ao)
		},
	}
	af := add.Flags()
	af.StringVarP(&ao.Workspace, "workspace", "w", ".", "assessment workspace `DIR`")
	describeFlags(add, ao)
	af.StringArrayVar(&ao.Entry.Targets, "target", nil, "a scan target pattern the asset covers (host:port, URL or glob; repeatable)")
	af.StringArrayVar(&ao.EPHI, "ephi", nil, "an ePHI system it serves, from organisation.ephi_systems (repeatable)")
	af.StringArrayVar(&ao.FlowTo, "flow-to", nil, "`NAME:what`: ePHI it sends to another asset of the inventory (repeatable)")

	lo := newOpts()
	list := &cobra.Command{
		Use:   "list",
		Short: "List the inventory, with the scanned targets it does not name and each asset's open risks",
		Args:  maxArgs(0),
		RunE:  func(*cobra.Command, []string) error { return run("list", lo) },
	}
	list.Flags().StringVarP(&lo.Workspace, "workspace", "w", ".", "assessment workspace `DIR`")
	list.Flags().StringVarP(&lo.Format, "format", "f", "table", "table or json")

	ro := newOpts()
	rm := &cobra.Command{
		Use:   "rm NAME",
		Short: "Remove an asset (refused while other assets flow to it, unless --force)",
		Args:  exactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			ro.Name = args[0]
			return run("rm", ro)
		},
	}
	rm.Flags().StringVarP(&ro.Workspace, "workspace", "w", ".", "assessment workspace `DIR`")
	rm.Flags().BoolVar(&ro.Force, "force", false, "also remove the flows other assets have to it")

	so := newOpts()
	seed := &cobra.Command{
		Use:   "seed",
		Short: "Add the assets the questionnaire's answers imply and the inventory lacks, to be confirmed",
		Long: `Add to assets.yaml one asset for each asset the answers of answers.yaml imply and the
inventory does not already cover (templates/risk/asset-seeds.yaml, docs/scoring.md): an office
means workstations, staff working from home laptops, personal devices phones, patient email a
mail service, reminder texts a texting service, video visits a video platform, vendors a vendor,
backups a backup. Each is added with a default name, kind and exposure, ePHI held "some", and
seeded_from naming the question; nothing already in the inventory is renamed or changed, and
seeding twice adds nothing the second time. Confirm each asset once its ePHI, records and
criticality are right: telesra assets set NAME [...] --confirm.`,
		Example: `  telesra assets seed -w acme --dry-run
  telesra assets seed -w acme
  telesra assets set "Staff laptops used outside the office" -w acme --records 150 --confidentiality high --confirm`,
		Args: maxArgs(0),
		RunE: func(*cobra.Command, []string) error { return run("seed", so) },
	}
	seed.Flags().StringVarP(&so.Workspace, "workspace", "w", ".", "assessment workspace `DIR`")
	seed.Flags().BoolVar(&so.DryRun, "dry-run", false, "print what would be added and write nothing")

	to := newOpts()
	set := &cobra.Command{
		Use:   "set NAME",
		Short: "Change an asset's kind, ePHI held, records, criticality, exposure or owner; --confirm a seeded asset",
		Args:  exactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			to.Name = args[0]
			return run("set", to)
		},
	}
	tf := set.Flags()
	tf.StringVarP(&to.Workspace, "workspace", "w", ".", "assessment workspace `DIR`")
	describeFlags(set, to)
	tf.BoolVar(&to.Confirm, "confirm", false, "confirm an asset seeded from the answers: drop its seeded_from mark")

	cmd.AddCommand(add, list, rm, seed, set)
	return cmd
}

// describeFlags are the flags that describe an asset, shared by add and set so both take the
// same words.
func describeFlags(c *cobra.Command, o *AssetsOptions) {
	fs := c.Flags()
	fs.StringVar(&o.Entry.Kind, "kind", "", "what the asset is: "+strings.Join(register.AssetKinds, ", "))
	fs.StringVar(&o.Entry.EPHIHeld, "ephi-held", "", "how much ePHI it holds: none, some or bulk")
	fs.StringVar(&o.Records, "records", "", "approximate number of patient records it holds")
	fs.StringVar(&o.Entry.Criticality.Confidentiality, "confidentiality", "", "care criticality of its confidentiality: low, moderate or high")
	fs.StringVar(&o.Entry.Criticality.Integrity, "integrity", "", "care criticality of its integrity: low, moderate or high")
	fs.StringVar(&o.Entry.Criticality.Availability, "availability", "", "care criticality of its availability: low, moderate or high")
	fs.StringVar(&o.Entry.Exposure, "exposure", "", "internet, internal or device (a scanned asset without one is judged from its address)")
	fs.StringVar(&o.Entry.Owner, "owner", "", "who is responsible for it")
}

func assetsAddRun(o *AssetsOptions) error {
	e := o.Entry
	if o.Records != "" {
		n, err := strconv.Atoi(o.Records)
		if err != nil || n < 0 {
			return usageErrorf("--records %q: want a number of 0 or more", o.Records)
		}
		e.Records = &n
	}
	if len(o.EPHI) > 0 {
		systems := o.EPHI
		e.EPHI = &systems
	}
	for _, fl := range o.FlowTo {
		to, what, ok := strings.Cut(fl, ":")
		if !ok || strings.TrimSpace(to) == "" || strings.TrimSpace(what) == "" {
			return usageErrorf("--flow-to %q: want NAME:what (the asset it goes to, and what ePHI moves)", fl)
		}
		e.Flows = append(e.Flows, register.Flow{To: strings.TrimSpace(to), What: strings.TrimSpace(what)})
	}
	a, err := workspace.EditAssets(o.Workspace, func(a *register.Assets, systems []string) error { return a.Add(e, systems) })
	if err != nil {
		return err
	}
	if !o.IO.Quiet {
		fmt.Fprintf(o.IO.ErrOut, "added %q (%s) to %s: %d assets\n", e.Name, e.Kind, a.File, len(a.Entries))
	}
	return nil
}

func assetsSeedRun(o *AssetsOptions) error {
	got, a, err := workspace.SeedAssets(o.Workspace, o.DryRun)
	if err != nil {
		return err
	}
	verb := "added"
	if o.DryRun {
		verb = "would add"
	}
	seeds := register.DefaultAssetSeeds()
	for _, e := range got.Added {
		says := ""
		for _, s := range seeds.Seeds {
			if s.Question == e.SeededFrom && s.Name == e.Name {
				says = ": " + s.Says
			}
		}
		fmt.Fprintf(o.IO.Out, "%s %q (%s, exposure %s, ePHI held %s), from %s%s\n", verb, e.Name, e.Kind, e.Exposure, e.EPHIHeld, e.SeededFrom, says)
	}
	for _, s := range got.Skipped {
		fmt.Fprintf(o.IO.ErrOut, "not added: %s\n", s)
	}
	if o.IO.Quiet {
		return nil
	}
	switch {
	case len(got.Added) == 0:
		fmt.Fprintf(o.IO.ErrOut, "nothing to seed: %s covers every asset the answers imply\n", a.File)
	case o.DryRun:
		fmt.Fprintf(o.IO.ErrOut, "dry run: %s not changed\n", a.File)
	default:
		fmt.Fprintf(o.IO.ErrOut, "seeded %d asset(s) into %s (%d assets); check each one's ePHI held, records and criticality, then confirm it:\n"+
			"  telesra assets set NAME -w %s [--ephi-held ...] [--records N] [--confidentiality ...] --confirm\n", len(got.Added), a.File, len(a.Entries), o.Workspace)
	}
	return nil
}

func assetsSetRun(o *AssetsOptions) error {
	c := register.AssetChange{Kind: o.Entry.Kind, EPHIHeld: o.Entry.EPHIHeld, Exposure: o.Entry.Exposure, Owner: o.Entry.Owner,
		Criticality: o.Entry.Criticality}
	if o.Records != "" {
		n, err := strconv.Atoi(o.Records)
		if err != nil || n < 0 {
			return usageErrorf("--records %q: want a number of 0 or more", o.Records)
		}
		c.Records = &n
	}
	if c.Empty() && !o.Confirm {
		return usageErrorf("nothing to set: give --kind, --ephi-held, --records, --confidentiality, --integrity, --availability, --exposure, --owner or --confirm")
	}
	a, err := workspace.EditAssets(o.Workspace, func(a *register.Assets, systems []string) error {
		if !c.Empty() {
			if err := a.Set(o.Name, c, systems); err != nil {
				return err
			}
		}
		if o.Confirm {
			return a.Confirm(o.Name)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !o.IO.Quiet {
		what := "changed"
		if o.Confirm {
			what = "confirmed"
		}
		fmt.Fprintf(o.IO.ErrOut, "%s %q in %s\n", what, a.Find(o.Name).Name, a.File)
	}
	return nil
}

func assetsRmRun(o *AssetsOptions) error {
	var dropped []string
	a, err := workspace.EditAssets(o.Workspace, func(a *register.Assets, _ []string) error {
		var err error
		dropped, err = a.Remove(o.Name, o.Force)
		return err
	})
	if err != nil {
		return err
	}
	if !o.IO.Quiet {
		fmt.Fprintf(o.IO.ErrOut, "removed %q from %s: %d assets\n", o.Name, a.File, len(a.Entries))
		for _, d := range dropped {
			fmt.Fprintf(o.IO.ErrOut, "  and the flow %s\n", d)
		}
	}
	return nil
}

func assetsListRun(o *AssetsOptions) error {
	if o.Format != "table" && o.Format != "json" {
		return usageErrorf("--format %q: want table or json", o.Format)
	}
	a, err := workspace.Analyse(o.Workspace, o.Now())
	if err != nil {
		return err
	}
	reg := a.Register
	if o.Format == "json" {
		type item struct {
			Name        string               `json:"name"`
			Kind        string               `json:"kind"`
			Declared    bool                 `json:"declared"`
			Scanned     bool                 `json:"scanned"`
			EPHI        []string             `json:"ephi_systems"`
			EPHIHeld    string               `json:"ephi_held"`
			Records     int                  `json:"records,omitempty"`
			Criticality register.Criticality `json:"criticality"`
			Exposure    string               `json:"exposure"`
			Owner       string               `json:"owner,omitempty"`
			SeededFrom  string               `json:"seeded_from,omitempty"`
			Flows       []register.Flow      `json:"flows"`
			OpenRisks   int                  `json:"open_risks"`
		}
		out := []item{}
		for _, x := range reg.Inventory {
			out = append(out, item{x.Name, x.Kind, x.Declared, x.Scanned, nonNilStrings(x.EPHI), nonBlank(x.EPHIHeld, "unknown"), x.Records,
				x.Criticality, x.Exposure, x.Owner, x.SeededFrom, nonNilFlows(x.Flows), reg.OpenOn(x.Name)})
		}
		enc := json.NewEncoder(o.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	cols := []column{{Header: "NAME", Wrap: true, Min: 14}, {Header: "KIND"}, {Header: "EPHI", Drop: 3}, {Header: "RECORDS", Drop: 2},
		{Header: "CRITICALITY", Wrap: true, Min: 8, Drop: 1}, {Header: "EXPOSURE", Drop: 4}, {Header: "SCANNED", Drop: 5}, {Header: "OPEN RISKS"}}
	var table [][]string
	for _, x := range reg.Inventory {
		rec := "-"
		if x.Records > 0 {
			rec = strconv.Itoa(x.Records)
		}
		scanned := "no"
		if x.Scanned {
			scanned = "yes"
		}
		name := x.Name
		if !x.Declared {
			name += " (not in assets.yaml)"
		}
		if x.SeededFrom != "" {
			name += " (seeded from " + x.SeededFrom + ", not confirmed)"
		}
		table = append(table, []string{oneLineText(name, 0), x.Kind, nonBlank(x.EPHIHeld, "unknown"), rec, dash(x.Criticality.Short()),
			x.Exposure, scanned, strconv.Itoa(reg.OpenOn(x.Name))})
	}
	if _, err := io.WriteString(o.IO.Out, fitTable(cols, table, o.IO.TableWidth(), false)); err != nil {
		return err
	}
	if !o.IO.Quiet {
		fmt.Fprintf(o.IO.ErrOut, "%d assets; %d open risks concern the practice as a whole (%s)\n", len(reg.Inventory), reg.OpenOn(register.PracticeWideName), register.PracticeWideName)
		if reg.ScopeIncomplete {
			fmt.Fprintf(o.IO.ErrOut, "scope incomplete: %s\n", reg.ScopeReason)
		}
	}
	return nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilFlows(f []register.Flow) []register.Flow {
	if f == nil {
		return []register.Flow{}
	}
	return f
}
