package questionnaire

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/telesra/telesra/templates/hipaa"
)

// Export makes the answers file handed to someone else for one section (an IT vendor, say):
// every question of the section, answered or not, so the file lists all there is to fill in.
func Export(b *Bank, a *Answers, section string) (*Answers, error) {
	return ExportSelection(b, a, Selection{Section: section})
}

// Selection is which questions an export hands out. Every field set narrows it: a section, an
// audience (every question for IT, from every section), question IDs, only questions still open.
type Selection struct {
	Section  string
	Audience Audience
	IDs      []string
	Open     bool
}

// ExportSelection makes the answers file for the selected questions, answered or not (unless
// Open), in bank order. Work for IT is spread over sections; an audience export gathers it in
// one file that imports back like a section.
func ExportSelection(b *Bank, a *Answers, sel Selection) (*Answers, error) {
	out := NewAnswers()
	out.Profiles = slices.Clone(a.Profiles)
	qs := b.Questions(a.Profiles)
	if sel.Section != "" {
		sec, ok := b.Section(sel.Section)
		if !ok {
			return nil, fmt.Errorf("unknown section %q (want one of %s)", sel.Section, strings.Join(b.SectionIDs(), ", "))
		}
		out.Section = sel.Section
		out.AddProfile(sec.Profile)
		qs = sec.Questions
	}
	if sel.Audience != "" {
		if !slices.Contains(Audiences, sel.Audience) {
			return nil, fmt.Errorf("unknown audience %q (want one of %s)", sel.Audience, audienceList())
		}
		out.Audience = string(sel.Audience)
	}
	want := map[string]bool{}
	for _, id := range sel.IDs {
		if _, ok := b.Question(id); !ok {
			msg := fmt.Sprintf("unknown question ID %q", id)
			if s := suggest(id, b); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			return nil, errors.New(msg)
		}
		want[id] = true
	}
	if len(sel.IDs) > 0 && sel.Section == "" {
		qs = b.All() // a question named by ID is handed out even outside the profiles included
	}
	out.Selected = len(sel.IDs) > 0 || sel.Open
	for _, q := range qs {
		switch {
		case sel.Audience != "" && !slices.Contains(q.Audience, sel.Audience),
			len(want) > 0 && !want[q.ID],
			sel.Open && (a.Get(q.ID).Answered() || b.Visibility(q, a) != Asked):
			continue
		}
		out.ByID[q.ID] = a.Get(q.ID).clone()
		// The decisions on the Addressable specifications the question requires go with it, so
		// whoever answers sees what was decided and an import brings them back.
		for _, c := range AddressableSpecs(q) {
			if d := a.Decision(c.Citation); d != nil {
				out.SetDecision(c.Citation, d)
			}
		}
	}
	return out, nil
}

// Conflict is an imported answer that disagrees with the workspace's: it is reported, and the
// workspace's answer stays.
type Conflict struct {
	ID     string // a question ID, or with Field "decision" a citation
	Source string // where the imported answer is ("vendor.yaml:40")
	Field  string // "status", "notes" or "decision"
	Ours   Answer
	Theirs Answer
	// OursDecision and TheirsDecision are the two decisions of a "decision" conflict.
	OursDecision, TheirsDecision *Decision
}

func (c Conflict) String() string {
	switch c.Field {
	case "decision":
		return fmt.Sprintf("decision on %s differs (workspace: %s; imported: %s)", c.ID, c.OursDecision.Summary(), c.TheirsDecision.Summary())
	case "notes":
		return fmt.Sprintf("%s: notes differ (workspace: %q; imported: %q)", c.ID, clip(c.Ours.Notes, 60), clip(c.Theirs.Notes, 60))
	}
	return fmt.Sprintf("%s: workspace says %s, imported file says %s", c.ID, c.Ours.Status.Short(), c.Theirs.Status.Short())
}

// MergeReport is what an import did.
type MergeReport struct {
	Added     []string // answers the workspace did not have
	Updated   []string // "don't know" or carried-forward answers replaced, notes or evidence added
	Unchanged []string
	Skipped   []string // entries without a status
	Conflicts []Conflict
}

// Merge brings the answers in src (an export handed back) into dst without overwriting any
// answer dst holds: a different status is a conflict unless dst's answer is "don't know" or a
// carried-forward answer awaiting re-confirmation; differing notes are a conflict; evidence is
// joined; a flag on either side stays. A decision dst lacks is added; a different one is a
// conflict.
func Merge(b *Bank, dst, src *Answers, today string) MergeReport {
	var r MergeReport
	for _, p := range src.Profiles {
		dst.AddProfile(p)
	}
	for _, c := range hipaa.Citations() {
		theirs := src.Decision(c.Citation)
		if theirs == nil {
			continue
		}
		switch ours := dst.Decision(c.Citation); {
		case ours == nil:
			dst.SetDecision(c.Citation, theirs)
			r.Added = append(r.Added, "decision "+c.Citation)
		case *ours != *theirs:
			r.Conflicts = append(r.Conflicts, Conflict{ID: c.Citation, Source: src.decisionSource(c.Citation), Field: "decision",
				OursDecision: ours, TheirsDecision: theirs})
		default:
			r.Unchanged = append(r.Unchanged, "decision "+c.Citation)
		}
	}
	for _, q := range b.All() {
		theirs, ok := src.ByID[q.ID]
		if !ok {
			continue
		}
		if theirs.Status == "" {
			r.Skipped = append(r.Skipped, q.ID)
			continue
		}
		ours, have := dst.ByID[q.ID]
		if theirs.Updated == "" {
			theirs.Updated = today
		}
		switch {
		case !have || ours.Status == "":
			theirs.Flagged = theirs.Flagged || ours.Flagged
			theirs.Notes = joinNotes(theirs.Notes, ours.Notes)
			theirs.Evidence = union(ours.Evidence, theirs.Evidence)
			theirs.Reconfirm, theirs.Previous = false, ours.Previous
			theirs.WaitingFor = "" // the answer it waited for has come
			dst.ByID[q.ID] = theirs
			r.Added = append(r.Added, q.ID)
		case ours.Status != theirs.Status && !(ours.Status == Unknown || ours.Reconfirm):
			r.Conflicts = append(r.Conflicts, Conflict{ID: q.ID, Source: src.Source(q.ID), Field: "status", Ours: ours, Theirs: theirs})
		case ours.Status != theirs.Status || ours.Reconfirm:
			// A real answer replaces "don't know"; a fresh one re-confirms last year's.
			next := theirs
			next.Notes = joinNotes(theirs.Notes, ours.Notes)
			next.Evidence = union(ours.Evidence, theirs.Evidence)
			next.Flagged = theirs.Flagged
			next.Reconfirm, next.Previous = false, ours.Previous
			next.WaitingFor = ""
			dst.ByID[q.ID] = next
			r.Updated = append(r.Updated, q.ID)
		default:
			if ours.Notes != "" && theirs.Notes != "" && strings.TrimSpace(ours.Notes) != strings.TrimSpace(theirs.Notes) {
				r.Conflicts = append(r.Conflicts, Conflict{ID: q.ID, Source: src.Source(q.ID), Field: "notes", Ours: ours, Theirs: theirs})
				continue
			}
			next := ours.clone()
			if next.Notes == "" {
				next.Notes = theirs.Notes
			}
			next.Evidence = union(ours.Evidence, theirs.Evidence)
			next.Flagged = ours.Flagged || theirs.Flagged
			if next.Notes != ours.Notes || len(next.Evidence) != len(ours.Evidence) || next.Flagged != ours.Flagged {
				next.Updated = today
				dst.ByID[q.ID] = next
				r.Updated = append(r.Updated, q.ID)
			} else {
				r.Unchanged = append(r.Unchanged, q.ID)
			}
		}
	}
	return r
}

// joinNotes keeps both notes when a new answer replaces an old one, so nothing written is lost.
func joinNotes(newer, older string) string {
	newer, older = strings.TrimSpace(newer), strings.TrimSpace(older)
	switch {
	case older == "" || older == newer:
		return newer
	case newer == "":
		return older
	}
	return newer + "\n\nEarlier note: " + older
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
