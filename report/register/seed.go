package register

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/templates/datafile"

	"go.yaml.in/yaml/v3"
)

// AssetSeeds is templates/risk/asset-seeds.yaml: which answers of the questionnaire imply which
// assets of the inventory.
type AssetSeeds struct {
	Seeds []Seed
}

// Seed is one asset an answer implies, and what in the inventory already covers it.
type Seed struct {
	Question string                 `yaml:"question"`
	Answers  []questionnaire.Status `yaml:"answers"`
	Kind     string                 `yaml:"kind"`
	Name     string                 `yaml:"name"`
	Exposure string                 `yaml:"exposure"`
	EPHIHeld string                 `yaml:"ephi_held"`
	// CoveredBy are the kinds of asset that cover the seed (default: Kind), narrowed by Names.
	CoveredBy []string `yaml:"covered_by"`
	Names     []string `yaml:"names"`
	// Says is what the answer says and Lacks what the inventory then lacks, for the scope's
	// reason: "the answers say SAYS (QUESTION) but the inventory has no LACKS".
	Says  string `yaml:"says"`
	Lacks string `yaml:"lacks"`
}

// AssetSeedsFile is where the embedded asset seeds live, as named in errors.
const AssetSeedsFile = "templates/risk/asset-seeds.yaml"

// DefaultAssetSeeds returns the embedded asset seeds.
var DefaultAssetSeeds = embedded("risk/asset-seeds.yaml", ParseAssetSeeds)

// ParseAssetSeeds reads asset seeds: the schema, then the bank (the question exists and allows
// each answer named), then each seed's own asset must cover it, so that seeding twice, or after
// the asset is confirmed, adds nothing. Errors name file:line.
func ParseAssetSeeds(file string, data []byte) (*AssetSeeds, error) {
	var raw struct {
		Seeds []Seed `yaml:"seeds"`
	}
	root, err := datafile.DecodeNode(file, data, "asset-seeds.schema.json", &raw)
	if err != nil {
		return nil, err
	}
	bank := questionnaire.DefaultBank()
	var errs datafile.FileErrors
	for i := range raw.Seeds {
		s := &raw.Seeds[i]
		at := func(msg string, path ...string) {
			errs = append(errs, datafile.At(file, root, msg, append([]string{"seeds", fmt.Sprint(i)}, path...)...))
		}
		if q, ok := bank.Question(s.Question); !ok {
			at(fmt.Sprintf("no question %q in the question bank", s.Question), "question")
		} else {
			for j, st := range s.Answers {
				if !q.Allows(st) {
					at(fmt.Sprintf("%s cannot be answered %q (it allows %s)", s.Question, st, optionsOf(q)), "answers", fmt.Sprint(j))
				}
			}
		}
		if s.EPHIHeld == "" {
			s.EPHIHeld = HeldSome
		}
		if len(s.CoveredBy) == 0 {
			s.CoveredBy = []string{s.Kind}
		}
		if !s.covers(&AssetEntry{Name: s.Name, Kind: s.Kind}) {
			at(fmt.Sprintf("the seed's own asset (%q, %s) does not cover it: its kind must be in covered_by and its name contain one of names", s.Name, s.Kind), "name")
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return &AssetSeeds{Seeds: raw.Seeds}, nil
}

func optionsOf(q *questionnaire.Question) string {
	var out []string
	for _, o := range q.Options {
		out = append(out, string(o.Status))
	}
	return strings.Join(out, ", ")
}

// covers reports whether an asset of the inventory stands for the seed: the asset seeded from
// its question, or one of the kinds it is covered by whose name has one of its words.
func (s *Seed) covers(e *AssetEntry) bool {
	if e.SeededFrom == s.Question {
		return true
	}
	if !slices.Contains(s.CoveredBy, e.Kind) {
		return false
	}
	return len(s.Names) == 0 || slices.ContainsFunc(s.Names, func(w string) bool {
		return strings.Contains(strings.ToLower(e.Name), strings.ToLower(w))
	})
}

// holds reports whether the answers imply the seed's asset.
func (s *Seed) holds(ans *questionnaire.Answers) bool {
	return ans != nil && slices.Contains(s.Answers, ans.Get(s.Question).Status)
}

// Entry is the asset the seed adds.
func (s *Seed) Entry() AssetEntry {
	return AssetEntry{Name: s.Name, Kind: s.Kind, EPHIHeld: s.EPHIHeld, Exposure: s.Exposure, SeededFrom: s.Question}
}

// Missing returns the seeds the answers imply and no asset of the entries covers, each tried
// against the entries with the earlier missing seeds' assets added (as seeding would add them).
func (ss *AssetSeeds) Missing(ans *questionnaire.Answers, entries []AssetEntry) []Seed {
	entries = slices.Clone(entries)
	var out []Seed
	for i := range ss.Seeds {
		s := &ss.Seeds[i]
		if !s.holds(ans) || slices.ContainsFunc(entries, func(e AssetEntry) bool { return s.covers(&e) }) {
			continue
		}
		out = append(out, *s)
		entries = append(entries, s.Entry())
	}
	return out
}

// Seeded is the outcome of seeding an inventory: the assets added, and the seeds left out
// because an asset of the same name but another kind is already there (it is never renamed or
// overwritten).
type Seeded struct {
	Added   []AssetEntry
	Skipped []string
}

// Seed adds to the inventory one asset for each seed the answers imply that it does not cover.
// Each carries seeded_from and a comment asking for confirmation. Nothing already there changes.
func (a *Assets) Seed(ss *AssetSeeds, ans *questionnaire.Answers, ephiSystems []string) (Seeded, error) {
	var out Seeded
	for _, s := range ss.Missing(ans, a.Entries) {
		if x := a.Find(s.Name); x != nil {
			out.Skipped = append(out.Skipped, fmt.Sprintf("%s implies %q, and an asset of that name is already in %s as a %s: not added (rename one, or add it yourself)",
				s.Question, s.Name, a.File, x.Kind))
			continue
		}
		e := s.Entry()
		if err := a.Add(e, ephiSystems); err != nil {
			return Seeded{}, fmt.Errorf("seed %s: %w", s.Question, err)
		}
		seq := a.seq()
		seq.Content[len(seq.Content)-1].HeadComment = seedComment(s.Question, e.Name)
		out.Added = append(out.Added, e)
	}
	return out, nil
}

// seedCommentPrefix starts the comment on a seeded asset; confirming the asset removes it.
const seedCommentPrefix = "# Seeded from the answer to "

func seedComment(question, name string) string {
	return seedCommentPrefix + question + ": confirm the ePHI it holds, records, criticality and\n" +
		fmt.Sprintf("# exposure, then run: telesra assets set %q [...] --confirm (or delete seeded_from).", name)
}

// Confirm marks a seeded asset as checked by a person: it drops seeded_from and the seed's
// comment. It refuses an asset that was not seeded.
func (a *Assets) Confirm(name string) error {
	i := slices.IndexFunc(a.Entries, func(x AssetEntry) bool { return strings.EqualFold(x.Name, name) })
	if i < 0 {
		return a.noSuch(name)
	}
	if a.Entries[i].SeededFrom == "" {
		return fmt.Errorf("refused: %q was not seeded from the answers, so there is nothing to confirm", a.Entries[i].Name)
	}
	a.Entries[i].SeededFrom = ""
	n := a.seq().Content[i]
	deleteKey(n, "seeded_from")
	// Read back from a file, the comment above "- name:" belongs to the entry or to its first key.
	for _, c := range []*yaml.Node{n, n.Content[0]} {
		if strings.HasPrefix(c.HeadComment, seedCommentPrefix) {
			c.HeadComment = ""
		}
	}
	return nil
}

// Unconfirmed lists the names of the seeded assets nobody has confirmed yet.
func (a *Assets) Unconfirmed() []string {
	var out []string
	for _, e := range a.Entries {
		if e.SeededFrom != "" {
			out = append(out, e.Name)
		}
	}
	return out
}

// impliedScope says what the answers imply that the inventory lacks, and which seeded assets
// are unconfirmed, for the scope's reason; nil when there is nothing to say.
func impliedScope(ss *AssetSeeds, ans *questionnaire.Answers, a *Assets) []string {
	if a == nil || len(a.Entries) == 0 {
		return nil // "lists no assets" says it already
	}
	var why []string
	switch missing := ss.Missing(ans, a.Entries); len(missing) {
	case 0:
	case 1:
		s := missing[0]
		why = append(why, fmt.Sprintf("the answers say %s (%s) but the inventory has no %s (telesra assets seed adds it)", s.Says, s.Question, s.Lacks))
	default:
		// One clause for all of them: a list of sentences would bury the rest of the reason.
		var lacks []string
		for _, s := range missing {
			lacks = append(lacks, fmt.Sprintf("no %s (%s)", s.Lacks, s.Question))
		}
		why = append(why, fmt.Sprintf("the inventory has %s, although the answers imply them (telesra assets seed adds them)", strings.Join(lacks, ", ")))
	}
	if u := a.Unconfirmed(); len(u) > 0 {
		q := make([]string, len(u))
		for i, n := range u {
			q[i] = strconv.Quote(n) // names may hold commas
		}
		why = append(why, fmt.Sprintf("assets seeded from the answers are not confirmed yet (%s: telesra assets set NAME --confirm)", strings.Join(q, ", ")))
	}
	return why
}

// setScalar sets a key of a mapping node to a plain scalar, adding the key when it is missing.
func setScalar(m *yaml.Node, key, value string) {
	if v := mapValue(m, key); v != nil {
		v.Kind, v.Tag, v.Value, v.Style, v.Content = yaml.ScalarNode, "", value, 0, nil
		return
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, &yaml.Node{Kind: yaml.ScalarNode, Value: value})
}
