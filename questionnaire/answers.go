package questionnaire

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/telesra/telesra/templates/datafile"
	"github.com/telesra/telesra/templates/hipaa"

	"github.com/agnivade/levenshtein"
	"go.yaml.in/yaml/v3"
)

// Answer is the answer to one question.
type Answer struct {
	// Status is empty for a question not answered yet (an entry may still carry notes or a flag).
	Status   Status   `yaml:"status,omitempty"`
	Notes    string   `yaml:"notes,omitempty"`
	Evidence []string `yaml:"evidence,omitempty"` // paths or links
	Flagged  bool     `yaml:"flagged,omitempty"`
	// WaitingFor marks a question handed to someone else (IT support, a vendor) to answer; an
	// answer clears it.
	WaitingFor Audience `yaml:"waiting_for,omitempty"`
	Updated    string   `yaml:"updated,omitempty"` // YYYY-MM-DD of the last change
	// Reconfirm marks an answer carried forward from the last assessment (telesra init --from)
	// and not yet confirmed this time. It still scores, but the question counts as open.
	Reconfirm bool      `yaml:"reconfirm,omitempty"`
	Previous  *Previous `yaml:"previous,omitempty"`
}

// Previous is the answer given in the last assessment, kept to show what changed.
type Previous struct {
	Status   Status   `yaml:"status"`
	Notes    string   `yaml:"notes,omitempty"`
	Evidence []string `yaml:"evidence,omitempty"`
	Date     string   `yaml:"date,omitempty"`
}

// Answered reports whether the answer counts as given this time: it has a status and is not a
// carried-forward answer awaiting re-confirmation.
func (a Answer) Answered() bool { return a.Status != "" && !a.Reconfirm }

func (a Answer) clone() Answer {
	a.Evidence = slices.Clone(a.Evidence)
	if a.Previous != nil {
		p := *a.Previous
		p.Evidence = slices.Clone(p.Evidence)
		a.Previous = &p
	}
	return a
}

// Answers are the answers of one assessment, keyed by question ID.
type Answers struct {
	// Profiles are the extra question sets included (ProfileNPRM).
	Profiles []string
	// Section is set in a file made by `telesra answers export`: the section handed out.
	Section string
	// Audience is set in a file made by `telesra answers export --audience`: who it is for.
	Audience string
	// Selected is set on an export of chosen questions (--questions, --open) with no section or
	// audience to name it by.
	Selected bool
	// ResumeAt is the question the last session was on, where the next one opens. It is a
	// position, not an answer: merges take the newest and imports ignore it.
	ResumeAt string
	ByID     map[string]Answer
	// Decisions are the recorded decisions on Addressable implementation specifications
	// (45 CFR 164.306(d)(3)), keyed by citation ("164.312(a)(2)(iv)").
	Decisions map[string]Decision

	file  string
	lines map[string]int // question ID -> line of its entry in file
}

// NewAnswers returns an empty set of answers.
func NewAnswers() *Answers { return &Answers{ByID: map[string]Answer{}} }

// Get returns the answer to a question (the zero Answer when there is none).
func (a *Answers) Get(id string) Answer { return a.ByID[id] }

// Clone returns a deep copy: the TUI hands copies to the store so a save in flight never sees
// a later edit.
func (a *Answers) Clone() *Answers {
	c := &Answers{Profiles: slices.Clone(a.Profiles), Section: a.Section, Audience: a.Audience, Selected: a.Selected, ResumeAt: a.ResumeAt,
		ByID:      make(map[string]Answer, len(a.ByID)),
		Decisions: maps.Clone(a.Decisions), file: a.file, lines: maps.Clone(a.lines)}
	for id, ans := range a.ByID {
		c.ByID[id] = ans.clone()
	}
	return c
}

// HasProfile reports whether a profile is included.
func (a *Answers) HasProfile(p string) bool { return slices.Contains(a.Profiles, p) }

// AddProfile includes a profile (idempotent).
func (a *Answers) AddProfile(p string) {
	if p != "" && !a.HasProfile(p) {
		a.Profiles = append(a.Profiles, p)
		sort.Strings(a.Profiles)
	}
}

// Source is where an answer was read from ("answers.yaml:12"), or "" for answers made in memory.
func (a *Answers) Source(id string) string {
	if a.file == "" || a.lines[id] == 0 {
		return a.file
	}
	return fmt.Sprintf("%s:%d", a.file, a.lines[id])
}

// Count is the number of questions with a status.
func (a *Answers) Count() int {
	n := 0
	for _, ans := range a.ByID {
		if ans.Status != "" {
			n++
		}
	}
	return n
}

// SetStatus records an answer chosen today (YYYY-MM-DD). It confirms a carried-forward answer,
// flags "don't know" for later, and keeps notes and evidence. It is the one place the TUI and
// the plain prompts change a status, so both apply the same rules.
func (a *Answers) SetStatus(id string, s Status, today string) {
	ans := a.ByID[id]
	ans.Status = s
	ans.Reconfirm = false
	ans.WaitingFor = ""
	ans.Updated = today
	if s == Unknown {
		ans.Flagged = true
	}
	a.ByID[id] = ans
}

// Update replaces the notes, evidence or flag of an answer (fn edits a copy).
func (a *Answers) Update(id, today string, fn func(*Answer)) {
	ans := a.ByID[id].clone()
	fn(&ans)
	if ans.Status != "" {
		ans.Updated = today
	}
	a.ByID[id] = ans
}

// rawAnswers is answers.yaml as written.
type rawAnswers struct {
	SchemaVersion int               `yaml:"schema_version"`
	Profiles      []string          `yaml:"profiles,omitempty"`
	Section       string            `yaml:"section,omitempty"`
	Audience      string            `yaml:"audience,omitempty"`
	ResumeAt      string            `yaml:"resume_at,omitempty"`
	Answers       map[string]Answer `yaml:"answers"`
	// Decisions is last so a hand-edited file reads answers first, then what was decided.
	Decisions map[string]Decision `yaml:"decisions,omitempty"`
}

// ParseAnswers reads the text of an answers file (named file in errors) and checks it against
// the schema and the bank: unknown question IDs, answers a question does not offer, "not
// applicable" without a reason, decisions keyed by anything but an Addressable specification or
// lacking who, when, the measure or the reason. Every error names file:line.
func ParseAnswers(file string, data []byte, b *Bank) (*Answers, error) {
	root, err := datafile.ParseYAML(file, data)
	if err != nil {
		return nil, err
	}
	if err := datafile.ValidateNode(file, root, "answers.schema.json"); err != nil {
		return nil, err
	}
	var raw rawAnswers
	if err := root.Decode(&raw); err != nil {
		return nil, &datafile.FileError{File: file, Msg: err.Error()}
	}
	a := &Answers{Profiles: raw.Profiles, Section: raw.Section, Audience: raw.Audience, ByID: map[string]Answer{}, file: file, lines: map[string]int{}}
	var errs datafile.FileErrors
	if raw.Section != "" {
		if _, ok := b.Section(raw.Section); !ok {
			errs = append(errs, nodeError(file, datafile.Locate(root, "section"), "section",
				fmt.Sprintf("unknown section %q (want one of %s)", raw.Section, strings.Join(b.SectionIDs(), ", "))))
		}
	}
	if raw.Audience != "" && !slices.Contains(Audiences, Audience(raw.Audience)) {
		errs = append(errs, nodeError(file, datafile.Locate(root, "audience"), "audience",
			fmt.Sprintf("unknown audience %q (want one of %s)", raw.Audience, audienceList())))
	}
	// A position left by a question since removed from the bank is not worth refusing the file
	// over: the session opens at the first open question instead.
	if _, ok := b.Question(raw.ResumeAt); ok {
		a.ResumeAt = raw.ResumeAt
	}
	if dl := datafile.Locate(root, "decisions"); dl != nil && dl.Kind == yaml.MappingNode {
		errs = append(errs, parseDecisions(file, dl, raw.Decisions, a)...)
	}
	list := datafile.Locate(root, "answers")
	if list == nil || list.Kind != yaml.MappingNode {
		if len(errs) > 0 {
			return nil, errs
		}
		return a, nil
	}
	var na []naEntry
	for i := 0; i+1 < len(list.Content); i += 2 {
		key, val := list.Content[i], list.Content[i+1]
		id := key.Value
		field := "answers." + id
		ans := raw.Answers[id]
		q, ok := b.Question(id)
		if !ok {
			msg := fmt.Sprintf("unknown question ID %q", id)
			if s := suggest(id, b); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else {
				msg += " (no such question in this version of telesra; remove the entry)"
			}
			errs = append(errs, nodeError(file, key, field, msg))
			continue
		}
		at := func(f, msg string) {
			errs = append(errs, nodeError(file, datafile.Locate(val, strings.Split(f, ".")...), field+"."+f, msg))
		}
		if ans.Status != "" && !q.Allows(ans.Status) {
			at("status", fmt.Sprintf("%q is not an answer to this question (want one of %s)", ans.Status, optionList(q)))
		}
		if ans.Status == NotApplicable && strings.TrimSpace(ans.Notes) == "" {
			at("status", "not_applicable needs a reason: say in notes why this does not apply")
		}
		if ans.Reconfirm && ans.Status == "" {
			at("reconfirm", "reconfirm is set but there is no status to re-confirm")
		}
		if p := ans.Previous; p != nil && p.Status != "" && !validForKind(q.Kind, p.Status) {
			at("previous.status", fmt.Sprintf("%q is not an answer to a %s question", p.Status, q.Kind))
		}
		a.ByID[id] = ans
		a.lines[id] = key.Line
		if ans.Status == NotApplicable {
			na = append(na, naEntry{q, val})
		}
	}
	// After the loop: whether N/A is allowed can depend on another answer (vendor.inventory).
	for _, e := range na {
		if why := NotApplicableRefusal(e.q, a); why != "" {
			errs = append(errs, nodeError(file, datafile.Locate(e.val, "status"), "answers."+e.q.ID+".status", why))
		}
	}
	if len(errs) > 0 {
		slices.SortStableFunc(errs, func(x, y *datafile.FileError) int { return x.Line - y.Line })
		return nil, errs
	}
	return a, nil
}

// naEntry is a not_applicable answer kept for checking once every answer is read.
type naEntry struct {
	q   *Question
	val *yaml.Node
}

func validForKind(k Kind, s Status) bool {
	if k == KindScreening {
		return slices.Contains(screeningStatuses, s)
	}
	return slices.Contains(controlStatuses, s)
}

func optionList(q *Question) string {
	parts := make([]string, len(q.Options))
	for i, o := range q.Options {
		parts[i] = string(o.Status)
	}
	return strings.Join(parts, ", ")
}

// suggest returns the question ID closest to a mistyped one, if any is close.
func suggest(id string, b *Bank) string {
	best, bestD := "", 4 // more than three edits away is not a typo
	for _, q := range b.All() {
		if d := levenshtein.ComputeDistance(id, q.ID); d < bestD {
			best, bestD = q.ID, d
		}
	}
	return best
}

// Marshal renders the answers as answers.yaml: questions in bank order, each under a comment
// with its text so the file can be read and edited by hand. An export file (Section set) also
// lists each question's options, citations and evidence prompt, for the person filling it in.
func (a *Answers) Marshal(b *Bank) ([]byte, error) { return a.MarshalMarked(b, nil) }

// MarshalMarked is Marshal with what the scan says of each answer as a comment above its entry
// ("Contradicted by the scan: ..."). The marks are the scan's, recomputed on every run: they go
// into exports for the reader, never into the workspace's answers.yaml, which is the practice's.
func (a *Answers) MarshalMarked(b *Bank, marks ScanMarks) ([]byte, error) {
	doc := &yaml.Node{Kind: yaml.MappingNode}
	add := func(k string, v *yaml.Node, comment string) {
		doc.Content = append(doc.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k, HeadComment: comment}, v)
	}
	header := "telesra questionnaire answers, one entry per question ID. Edit freely: telesra validates\n" +
		"this file (file:line errors) before using it, and keeps answers.yaml.bak before rewriting it.\n" +
		"status: implemented | partial | not_implemented | not_applicable (say why in notes) | unknown\n" +
		"        (screening questions: yes | no | unknown)"
	if a.handout() {
		what := ""
		switch {
		case a.Section != "":
			title := a.Section
			if sec, ok := b.Section(a.Section); ok {
				title = sec.Title
			}
			what = fmt.Sprintf("section %q (%s)", a.Section, title)
		case a.Audience != "":
			what = fmt.Sprintf("the questions for %s, from every section", Audience(a.Audience).Label())
		default:
			what = "selected questions"
		}
		header = fmt.Sprintf("telesra questionnaire: %s, handed out for answering.\n"+
			"Fill in status (and notes, evidence) under each question, then give the file back:\n"+
			"  telesra answers import FILE -w WORKSPACE\n"+
			"Conflicting answers are reported, never overwritten.", what)
	}
	add("schema_version", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: "1"}, header)
	if len(a.Profiles) > 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, p := range a.Profiles {
			seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: p})
		}
		add("profiles", seq, "")
	}
	if a.Section != "" {
		add("section", &yaml.Node{Kind: yaml.ScalarNode, Value: a.Section}, "")
	}
	if a.Audience != "" {
		add("audience", &yaml.Node{Kind: yaml.ScalarNode, Value: a.Audience}, "")
	}
	if a.ResumeAt != "" && !a.handout() {
		add("resume_at", &yaml.Node{Kind: yaml.ScalarNode, Value: a.ResumeAt}, "where telesra assess opens next")
	}
	list := &yaml.Node{Kind: yaml.MappingNode}
	for _, id := range a.orderedIDs(b) {
		ans := a.ByID[id]
		var v yaml.Node
		if err := v.Encode(ans); err != nil {
			return nil, fmt.Errorf("encode answer %s: %w", id, err)
		}
		if ans.Status == "" && a.handout() {
			// Export stubs: an empty status line invites filling in.
			v.Content = append([]*yaml.Node{{Kind: yaml.ScalarNode, Value: "status"}, {Kind: yaml.ScalarNode, Tag: "!!null"}}, v.Content...)
			v.Style = 0
		}
		comment := ""
		if q, ok := b.Question(id); ok {
			comment = questionComment(q, a.handout())
		}
		if m, ok := marks.For(id, ans); ok {
			comment = strings.TrimPrefix(comment+"\n"+strings.Join(wrap(m.Label(), 92), "\n"), "\n")
		}
		list.Content = append(list.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: id, HeadComment: comment}, &v)
	}
	if len(list.Content) == 0 {
		list.Style = yaml.FlowStyle
	}
	add("answers", list, "")
	if len(a.Decisions) > 0 {
		dl := &yaml.Node{Kind: yaml.MappingNode}
		for _, c := range hipaa.Citations() {
			d, ok := a.Decisions[c.Citation]
			if !ok {
				continue
			}
			var v yaml.Node
			if err := v.Encode(d); err != nil {
				return nil, fmt.Errorf("encode decision %s: %w", c.Citation, err)
			}
			dl.Content = append(dl.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: c.Citation, Style: yaml.DoubleQuotedStyle, HeadComment: c.Name}, &v)
		}
		add("decisions", dl, "Decisions on Addressable implementation specifications (45 CFR 164.306(d)(3)), by citation:\n"+
			"decision: as_specified | alternative (measure: the equivalent measure; reason: why the specification\n"+
			"itself is not reasonable) | not_reasonable (reason), with by, role and date (YYYY-MM-DD).")
	}
	return datafile.EncodeYAML(doc)
}

// handout reports whether the answers are a file made by `telesra answers export`, for
// someone else to fill in: it then explains each question in full.
func (a *Answers) handout() bool { return a.Section != "" || a.Audience != "" || a.Selected }

// orderedIDs lists the answered IDs in bank order (IDs the bank does not know last, sorted).
func (a *Answers) orderedIDs(b *Bank) []string {
	ids := slices.Collect(maps.Keys(a.ByID))
	sort.SliceStable(ids, func(i, j int) bool {
		oi, iok := b.order[ids[i]]
		oj, jok := b.order[ids[j]]
		switch {
		case iok && jok:
			return oi < oj
		case iok != jok:
			return iok
		}
		return ids[i] < ids[j]
	})
	return ids
}

func questionComment(q *Question, verbose bool) string {
	lines := wrap(q.Text, 92)
	if verbose {
		if q.When != nil {
			lines = append(lines, fmt.Sprintf("(only if %s is %s)", q.When.Question, joinStatuses(q.When.In)))
		}
		if len(q.Citations) > 0 {
			cits := make([]string, len(q.Citations))
			for i, c := range q.Citations {
				cits[i] = c.Label() + " " + c.Name
			}
			lines = append(lines, wrap("HIPAA: "+strings.Join(cits, "; "), 92)...)
		}
		if q.Evidence != "" {
			lines = append(lines, wrap("Evidence: "+q.Evidence, 92)...)
		}
		lines = append(lines, "status: "+strings.ReplaceAll(optionList(q), ", ", " | "))
	}
	return strings.Join(lines, "\n")
}

// wrap breaks text into lines of at most width characters at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
