package questionnaire

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/telesra/telesra/templates/hipaa"

	"github.com/telesra/telesra/questionnaire/level"
	"github.com/telesra/telesra/templates/datafile"

	"go.yaml.in/yaml/v3"
)

// ProfileNPRM is the proposed-rule readiness profile (HHS Security Rule NPRM, 90 FR 898, not
// final): its questions are asked only with `telesra assess --profile nprm` and are scored apart
// from the rule in force.
const ProfileNPRM = "nprm"

// Kind tells control questions from screening questions.
type Kind string

const (
	// KindControl asks whether a safeguard is in place; it evidences HIPAA citations and its gaps
	// become risks.
	KindControl Kind = "control"
	// KindScreening asks a yes/no fact about the practice ("Do staff use their own phones for
	// work?") that decides which control questions apply.
	KindScreening Kind = "screening"
)

// Audience is who in a small practice should answer a question.
type Audience string

// Audiences.
const (
	PracticeManager Audience = "practice-manager"
	IT              Audience = "it"
	Vendor          Audience = "vendor"
)

// Audiences are every audience, in the order screens list them.
var Audiences = []Audience{PracticeManager, IT, Vendor}

func audienceList() string {
	out := make([]string, len(Audiences))
	for i, a := range Audiences {
		out[i] = string(a)
	}
	return strings.Join(out, ", ")
}

// Label is the audience in plain words.
func (a Audience) Label() string {
	switch a {
	case PracticeManager:
		return "practice manager"
	case IT:
		return "IT support"
	case Vendor:
		return "vendor"
	}
	return string(a)
}

// Option is one choice offered for a question.
type Option struct {
	Status Status
	Label  string
}

// Help explains a question to someone who is not a security specialist.
type Help struct {
	Why     string // why it matters
	Good    string // what "good" looks like
	Example string // a concrete example from a small practice
}

// Condition makes a question a follow-up: it is asked only when the answer to Question is one
// of In. "Don't know" never hides a follow-up.
type Condition struct {
	Question string
	In       []Status
}

// ThreatSource is a NIST SP 800-30 threat-source type.
type ThreatSource string

// Threat-source types.
const (
	Adversarial   ThreatSource = "adversarial"
	Accidental    ThreatSource = "accidental"
	Structural    ThreatSource = "structural"
	Environmental ThreatSource = "environmental"
)

// Pair is a threat-vulnerability pair that a gap in a safeguard implies, with the default
// likelihood and impact the risk register starts from.
type Pair struct {
	Threat        string
	Source        ThreatSource
	Vulnerability string
	// Asset is what is at risk ("EHR", "laptops"); empty means the practice's ePHI in general.
	Asset      string
	Likelihood level.Level
	Impact     level.Level
}

// CiteKind is how a question relates to the paragraphs it cites.
type CiteKind string

// The citation kinds: what a question may claim of its citations.
const (
	// CiteRequires: the paragraph itself demands what the question asks. The default.
	CiteRequires CiteKind = "requires"
	// CiteSupports: the practice is one common way to meet the paragraph, not what it demands
	// (a SIEM supports audit controls); a gap here is not non-compliance.
	CiteSupports CiteKind = "supports"
	// CiteBestPractice: good telehealth security the Rule does not demand.
	CiteBestPractice CiteKind = "best-practice"
	// CiteProposed: the HHS NPRM (90 FR 898, 6 January 2025), not final.
	CiteProposed CiteKind = "proposed"
	// CiteOtherRule: a neighbouring rule's paragraph (Privacy Rule), in OtherRules.
	CiteOtherRule CiteKind = "other-rule"
)

// Scored reports whether the question's answer counts towards the Security Rule status of the
// paragraphs it cites: only when it cites them as requirements.
func (q *Question) Scored() bool { return q.Cite == "" || q.Cite == CiteRequires }

// CiteLabel is how a report names the question's citation kind: "", "supports",
// "best practice", "proposed rule", "other rule".
func (q *Question) CiteLabel() string {
	switch q.Cite {
	case CiteSupports:
		return "supports"
	case CiteBestPractice:
		return "best practice"
	case CiteProposed:
		return "proposed rule"
	case CiteOtherRule:
		return "other rule"
	}
	return ""
}

// Question is one question of the bank.
type Question struct {
	ID      string // stable: answers files key on it
	Section string // section ID
	Kind    Kind
	Text    string
	Help    Help
	// Citations are the HIPAA Security Rule citations the question evidences, each with its
	// kind (standard, required, addressable) from templates/hipaa/citations.yaml.
	Citations []hipaa.Citation
	// Cite says how the question relates to its citations; only CiteRequires counts towards
	// the Security Rule status of a standard or specification.
	Cite CiteKind
	// OtherRules are paragraphs outside the Security Rule the question touches ("164.520
	// Privacy Rule: notice of privacy practices"), cited as what they are and never scored.
	OtherRules []string
	Audience   []Audience
	Options    []Option
	When       *Condition // nil: always asked
	Evidence   string     // what to keep as evidence
	Practices  []string   // telehealth practice IDs (Bank.Practices)
	Profile    string     // "" for the default questionnaire, ProfileNPRM for readiness questions
	Pairs      []Pair

	file string
	line int
}

// Allows reports whether s is one of the question's options.
func (q *Question) Allows(s Status) bool {
	for _, o := range q.Options {
		if o.Status == s {
			return true
		}
	}
	return false
}

// Option returns the option for s, if the question offers it.
func (q *Question) Option(s Status) (Option, bool) {
	for _, o := range q.Options {
		if o.Status == s {
			return o, true
		}
	}
	return Option{}, false
}

// CitationIDs are the question's citations as strings ("164.312(d)").
func (q *Question) CitationIDs() []string {
	out := make([]string, len(q.Citations))
	for i, c := range q.Citations {
		out[i] = c.Citation
	}
	return out
}

// Source is where the question is defined ("questionnaire/bank/tech.yaml:42").
func (q *Question) Source() string { return q.file + ":" + strconv.Itoa(q.line) }

// Section is one part of the questionnaire.
type Section struct {
	ID        string
	Title     string
	Summary   string
	Profile   string
	Questions []*Question
}

// Practice is a telehealth security practice the assessment asks about.
type Practice struct {
	ID   string
	Name string
}

// Bank is the question bank: sections in the order asked, and the telehealth practices.
type Bank struct {
	Sections  []*Section
	Practices []Practice

	byID      map[string]*Question
	sectionBy map[string]*Section
	order     map[string]int // question ID -> position in the bank
}

// Question returns a question by ID.
func (b *Bank) Question(id string) (*Question, bool) {
	q, ok := b.byID[id]
	return q, ok
}

// Section returns a section by ID.
func (b *Bank) Section(id string) (*Section, bool) {
	s, ok := b.sectionBy[id]
	return s, ok
}

// SectionIDs lists the section IDs, in order.
func (b *Bank) SectionIDs() []string {
	out := make([]string, len(b.Sections))
	for i, s := range b.Sections {
		out[i] = s.ID
	}
	return out
}

// Sections returns the sections asked under the given profiles (the default sections always).
func (b *Bank) SectionsFor(profiles []string) []*Section {
	var out []*Section
	for _, s := range b.Sections {
		if s.Profile == "" || slices.Contains(profiles, s.Profile) {
			out = append(out, s)
		}
	}
	return out
}

// Questions returns every question asked under the given profiles, in order.
func (b *Bank) Questions(profiles []string) []*Question {
	var out []*Question
	for _, s := range b.SectionsFor(profiles) {
		out = append(out, s.Questions...)
	}
	return out
}

// All returns every question of the bank, whatever its profile, in order.
func (b *Bank) All() []*Question {
	var out []*Question
	for _, s := range b.Sections {
		out = append(out, s.Questions...)
	}
	return out
}

// Profiles lists the profiles the bank knows.
func (b *Bank) Profiles() []string {
	var out []string
	for _, s := range b.Sections {
		if s.Profile != "" && !slices.Contains(out, s.Profile) {
			out = append(out, s.Profile)
		}
	}
	return out
}

//go:embed bank/*.yaml
var bankFiles embed.FS

var defaultBank = sync.OnceValues(func() (*Bank, error) {
	sub, err := fs.Sub(bankFiles, "bank")
	if err != nil {
		return nil, err
	}
	return ParseBank(sub, "questionnaire/bank")
})

// LoadBank returns the embedded question bank.
func LoadBank() (*Bank, error) { return defaultBank() }

// DefaultBank returns the embedded question bank and panics if it is broken: it is embedded and
// tested, so failing to read it is a build defect, not bad input.
func DefaultBank() *Bank {
	b, err := defaultBank()
	if err != nil {
		panic(fmt.Sprintf("embedded question bank: %v", err))
	}
	return b
}

// Raw YAML shapes of the bank files.
type (
	rawIndex struct {
		Sections  []string   `yaml:"sections"`
		Practices []Practice `yaml:"practices"`
	}
	rawSection struct {
		Section   string        `yaml:"section"`
		Title     string        `yaml:"title"`
		Summary   string        `yaml:"summary"`
		Profile   string        `yaml:"profile"`
		Questions []rawQuestion `yaml:"questions"`
	}
	rawQuestion struct {
		ID        string     `yaml:"id"`
		Kind      Kind       `yaml:"kind"`
		Text      string     `yaml:"text"`
		Help      Help       `yaml:"help"`
		Citations []string   `yaml:"citations"`
		Cite      CiteKind   `yaml:"cite"`
		Others    []string   `yaml:"other_rules"`
		Audience  []Audience `yaml:"audience"`
		Options   []struct {
			Value Status `yaml:"value"`
			Label string `yaml:"label"`
		} `yaml:"options"`
		When *struct {
			Question string   `yaml:"question"`
			In       []Status `yaml:"in"`
		} `yaml:"when"`
		Evidence  string   `yaml:"evidence"`
		Practices []string `yaml:"practices"`
		Risks     []struct {
			Threat        string       `yaml:"threat"`
			Source        ThreatSource `yaml:"source"`
			Vulnerability string       `yaml:"vulnerability"`
			Asset         string       `yaml:"asset"`
			Likelihood    string       `yaml:"likelihood"`
			Impact        string       `yaml:"impact"`
		} `yaml:"risks"`
	}
)

// ParseBank reads a question bank from fsys: index.yaml and one <section>.yaml per section.
// dir names fsys in error messages. Every error names file:line.
func ParseBank(fsys fs.FS, dir string) (*Bank, error) {
	indexFile := path.Join(dir, "index.yaml")
	data, err := fs.ReadFile(fsys, "index.yaml")
	if err != nil {
		return nil, fmt.Errorf("read question bank: %w", err)
	}
	var idx rawIndex
	if err := datafile.DecodeYAML(indexFile, data, "question-index.schema.json", &idx); err != nil {
		return nil, err
	}
	idxRoot, _ := datafile.ParseYAML(indexFile, data)

	b := &Bank{byID: map[string]*Question{}, sectionBy: map[string]*Section{}, order: map[string]int{}}
	var errs datafile.FileErrors
	practices := map[string]bool{}
	for i, p := range idx.Practices {
		if practices[p.ID] {
			errs = append(errs, nodeError(indexFile, datafile.Locate(idxRoot, "practices", strconv.Itoa(i), "id"),
				fmt.Sprintf("practices[%d].id", i), fmt.Sprintf("duplicate practice %q", p.ID)))
		}
		practices[p.ID] = true
	}
	b.Practices = idx.Practices

	// Files present but not listed would silently drop questions; refuse them.
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read question bank: %w", err)
	}
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".yaml")
		if !ok || id == "index" {
			continue
		}
		if !slices.Contains(idx.Sections, id) {
			errs = append(errs, &datafile.FileError{File: indexFile, Line: 1, Field: "sections",
				Msg: fmt.Sprintf("%s is not listed in sections", path.Join(dir, e.Name()))})
		}
	}

	for _, sid := range idx.Sections {
		file := path.Join(dir, sid+".yaml")
		data, err := fs.ReadFile(fsys, sid+".yaml")
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, &datafile.FileError{File: indexFile, Field: "sections", Msg: fmt.Sprintf("section %q has no file %s", sid, file)})
				continue
			}
			return nil, fmt.Errorf("read question bank: %w", err)
		}
		sec, serrs := parseSection(b, file, data, sid, practices)
		errs = append(errs, serrs...)
		if sec != nil {
			b.Sections = append(b.Sections, sec)
			b.sectionBy[sec.ID] = sec
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return b, nil
}

func parseSection(b *Bank, file string, data []byte, sid string, practices map[string]bool) (*Section, datafile.FileErrors) {
	root, err := datafile.ParseYAML(file, data)
	if err != nil {
		return nil, asFileErrors(err)
	}
	if err := datafile.ValidateNode(file, root, "question-bank.schema.json"); err != nil {
		return nil, asFileErrors(err)
	}
	var raw rawSection
	if err := root.Decode(&raw); err != nil {
		return nil, datafile.FileErrors{{File: file, Msg: err.Error()}}
	}
	var errs datafile.FileErrors
	at := func(field string, path ...string) func(msg string) {
		return func(msg string) {
			errs = append(errs, nodeError(file, datafile.Locate(root, path...), field, msg))
		}
	}
	if raw.Section != sid {
		at("section", "section")(fmt.Sprintf("section %q is in file %s.yaml; the file name must match", raw.Section, sid))
	}
	sec := &Section{ID: sid, Title: raw.Title, Summary: raw.Summary, Profile: raw.Profile}
	for i, rq := range raw.Questions {
		qi := strconv.Itoa(i)
		field := func(f string) string { return fmt.Sprintf("questions[%d].%s", i, f) }
		n := datafile.Locate(root, "questions", qi)
		q := &Question{
			ID: rq.ID, Section: sid, Kind: rq.Kind, Text: strings.TrimSpace(rq.Text), Help: rq.Help,
			Audience: rq.Audience, Evidence: strings.TrimSpace(rq.Evidence), Practices: rq.Practices,
			Profile: raw.Profile, Cite: rq.Cite, OtherRules: rq.Others, file: file,
		}
		if n != nil {
			q.line = n.Line
		}
		if q.Kind == "" {
			q.Kind = KindControl
		}
		if !strings.HasPrefix(q.ID, sid+".") {
			at(field("id"), "questions", qi, "id")(fmt.Sprintf("question ID %q must start with the section ID %q", q.ID, sid+"."))
		}
		if prev, dup := b.byID[q.ID]; dup {
			at(field("id"), "questions", qi, "id")(fmt.Sprintf("duplicate question ID %q (first defined at %s)", q.ID, prev.Source()))
			continue
		}
		for j, c := range rq.Citations {
			cit, ok := hipaa.LookupCitation(c)
			if !ok {
				at(field(fmt.Sprintf("citations[%d]", j)), "questions", qi, "citations", strconv.Itoa(j))(
					fmt.Sprintf("citation %q is not in templates/hipaa/citations.yaml", c))
				continue
			}
			q.Citations = append(q.Citations, cit)
		}
		allowed := controlStatuses
		if q.Kind == KindScreening {
			allowed = screeningStatuses
		}
		if len(rq.Options) == 0 {
			for _, s := range allowed {
				q.Options = append(q.Options, Option{Status: s, Label: s.Label()})
			}
		}
		for j, o := range rq.Options {
			if !slices.Contains(allowed, o.Value) {
				at(field(fmt.Sprintf("options[%d].value", j)), "questions", qi, "options", strconv.Itoa(j), "value")(
					fmt.Sprintf("%q is not an answer to a %s question (want one of %s)", o.Value, q.Kind, joinStatuses(allowed)))
				continue
			}
			if q.Allows(o.Value) {
				at(field(fmt.Sprintf("options[%d].value", j)), "questions", qi, "options", strconv.Itoa(j), "value")(
					fmt.Sprintf("option %q is listed twice", o.Value))
				continue
			}
			label := o.Label
			if label == "" {
				label = o.Value.Label()
			}
			q.Options = append(q.Options, Option{Status: o.Value, Label: label})
		}
		if len(rq.Options) > 0 && !q.Allows(Unknown) {
			// "Don't know" is always an honest way out; a question without it forces guesses.
			at(field("options"), "questions", qi, "options")("options must include unknown (don't know)")
		}
		if rq.When != nil {
			parent, ok := b.byID[rq.When.Question]
			switch {
			case !ok:
				at(field("when.question"), "questions", qi, "when", "question")(
					fmt.Sprintf("when.question %q is not an earlier question (follow-ups come after the question they depend on)", rq.When.Question))
			case parent.Profile != "" && parent.Profile != q.Profile:
				at(field("when.question"), "questions", qi, "when", "question")(
					fmt.Sprintf("when.question %q is asked only under profile %s", parent.ID, parent.Profile))
			default:
				for j, s := range rq.When.In {
					if !parent.Allows(s) {
						at(field(fmt.Sprintf("when.in[%d]", j)), "questions", qi, "when", "in", strconv.Itoa(j))(
							fmt.Sprintf("%q is not an option of %s", s, parent.ID))
					}
				}
				q.When = &Condition{Question: parent.ID, In: rq.When.In}
			}
		}
		for j, p := range rq.Practices {
			if !practices[p] {
				at(field(fmt.Sprintf("practices[%d]", j)), "questions", qi, "practices", strconv.Itoa(j))(
					fmt.Sprintf("unknown practice %q (declare it in index.yaml)", p))
			}
		}
		for _, r := range rq.Risks {
			li, _ := level.Parse(r.Likelihood) // the schema has checked the spelling
			im, _ := level.Parse(r.Impact)
			q.Pairs = append(q.Pairs, Pair{Threat: r.Threat, Source: r.Source, Vulnerability: r.Vulnerability,
				Asset: r.Asset, Likelihood: li, Impact: im})
		}
		b.byID[q.ID] = q
		b.order[q.ID] = len(b.order)
		sec.Questions = append(sec.Questions, q)
	}
	return sec, errs
}

func joinStatuses(ss []Status) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	return strings.Join(parts, ", ")
}

// nodeError is a FileError at n's position (or the file alone when n is nil).
func nodeError(file string, n *yaml.Node, field, msg string) *datafile.FileError {
	fe := &datafile.FileError{File: file, Field: field, Msg: msg}
	if n != nil {
		fe.Line, fe.Column = n.Line, n.Column
	}
	return fe
}

// asFileErrors flattens what templates returns into a list.
func asFileErrors(err error) datafile.FileErrors {
	var fes datafile.FileErrors
	if errors.As(err, &fes) {
		return fes
	}
	var fe *datafile.FileError
	if errors.As(err, &fe) {
		return datafile.FileErrors{fe}
	}
	return datafile.FileErrors{{Msg: err.Error()}}
}
