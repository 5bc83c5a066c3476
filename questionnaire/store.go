package questionnaire

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"sort"
	"strings"
	"sync"
)

// Files is how answers reach the disk: the workspace hands over its reader and its one atomic
// 0600 writer, and names the files (the answers file and the backup kept before a rewrite).
type Files interface {
	ReadFile(path string) ([]byte, error)
	WriteFile(path string, data []byte) error
}

// LossError refuses a write that would drop answers the file on disk holds.
type LossError struct {
	Path string
	IDs  []string // questions answered on disk and unanswered in what would be written
}

func (e *LossError) Error() string {
	ids := e.IDs
	more := ""
	if len(ids) > 5 {
		ids, more = ids[:5], fmt.Sprintf(" and %d more", len(e.IDs)-5)
	}
	return fmt.Sprintf("%s: not rewritten: it would lose the answers to %s%s", e.Path, strings.Join(ids, ", "), more)
}

// ChangedError refuses a write over a file another program changed since it was read, when
// the change and this session's touch the same questions (IDs), or the file no longer
// validates.
type ChangedError struct {
	Path string
	IDs  []string // questions changed both in the file and in this session; none: the file is invalid
}

func (e *ChangedError) Error() string {
	if len(e.IDs) > 0 {
		return fmt.Sprintf("%s: another session changed %s too; not overwritten "+
			"(quit, check the file, and start again: answers already saved are in it)", e.Path, strings.Join(e.IDs, ", "))
	}
	return fmt.Sprintf("%s was changed by another program since it was read; not overwritten "+
		"(quit, check the file, and start again: answers already saved are in it)", e.Path)
}

// LoadAnswers reads and validates the answers file at path. A workspace without the file has no
// answers yet: the result is empty, not an error.
func LoadAnswers(files Files, path string, b *Bank) (*Answers, error) {
	a, _, err := readAnswers(files, path, b)
	return a, err
}

// ReadAnswersFile reads and validates an answers file anywhere (an export handed back).
func ReadAnswersFile(files Files, path string, b *Bank) (*Answers, error) {
	data, err := files.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read answers: %w", err)
	}
	return ParseAnswers(path, data, b)
}

func readAnswers(files Files, path string, b *Bank) (*Answers, []byte, error) {
	data, err := files.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		a := NewAnswers()
		a.file = path
		return a, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read answers: %w", err)
	}
	a, err := ParseAnswers(path, data, b)
	if err != nil {
		return nil, data, err
	}
	return a, data, nil
}

// SaveAnswers writes the answers file at path through files, after copying the current file to
// backup. It refuses to write when the current file does not parse (fix it first) or when the
// new answers would drop an answer the file holds.
func SaveAnswers(files Files, path, backup string, b *Bank, a *Answers) error {
	old, oldData, err := readAnswers(files, path, b)
	if err != nil {
		return fmt.Errorf("%s is not valid, so it is left alone (fix it first):\n%w", path, err)
	}
	data, err := a.Marshal(b)
	if err != nil {
		return err
	}
	if err := checkLoss(path, old, a); err != nil {
		return err
	}
	if oldData != nil {
		if err := files.WriteFile(backup, oldData); err != nil {
			return err
		}
	}
	return files.WriteFile(path, data)
}

func checkLoss(path string, old, next *Answers) error {
	var lost []string
	for id, ans := range old.ByID {
		if ans.Status != "" && next.ByID[id].Status == "" {
			lost = append(lost, id)
		}
	}
	for c := range old.Decisions {
		if _, ok := next.Decisions[c]; !ok {
			lost = append(lost, "the decision on "+c)
		}
	}
	if len(lost) > 0 {
		sort.Strings(lost)
		return &LossError{Path: path, IDs: lost}
	}
	return nil
}

// FileStore saves the answers of one `telesra assess` session to the answers file after every
// change. The first write of a session keeps a backup (the file as the session found it); every
// write is atomic, so a killed process leaves the last saved answers intact.
//
// Another session (or an import) may write the same file meanwhile: a save then merges. It
// re-reads the file, keeps what the other writer changed, and applies only what this session
// changed since its last save. The same question changed on both sides is a ChangedError, and an
// answer is never dropped (LossError). The caller makes read-merge-write atomic across processes
// by holding the workspace's lock around Save.
type FileStore struct {
	files        Files
	path, backup string
	bank         *Bank

	mu       sync.Mutex
	disk     []byte   // what the file held when read or last written (nil: no file)
	saved    *Answers // what disk holds, parsed
	mine     *Answers // the session's answers as of its last save: what it changed is measured from here
	backedUp bool
}

// OpenStore loads the answers file at path for a session; backup names the copy kept before
// the session's first write. A file that does not validate is an error (file:line): the session
// must not start on top of it.
func OpenStore(files Files, path, backup string, b *Bank) (*FileStore, *Answers, error) {
	a, data, err := readAnswers(files, path, b)
	if err != nil {
		return nil, nil, err
	}
	return &FileStore{files: files, path: path, backup: backup, bank: b, disk: data, saved: a.Clone(), mine: a.Clone()}, a, nil
}

// Path is the answers file.
func (s *FileStore) Path() string { return s.path }

// Save writes a snapshot of all the session's answers, merged with what others wrote to the file
// since. Callers hand over a copy they no longer change.
func (s *FileStore) Save(a *Answers) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	path := s.Path()
	cur, err := s.files.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read answers: %w", err)
	}
	base := s.saved
	if !bytes.Equal(cur, s.disk) || (cur == nil) != (s.disk == nil) {
		if cur == nil {
			return &ChangedError{Path: path}
		}
		if base, err = ParseAnswers(path, cur, s.bank); err != nil {
			return &ChangedError{Path: path}
		}
	}
	next, err := s.merge(base, a)
	if err != nil {
		return err
	}
	if err := checkLoss(path, base, next); err != nil {
		return err
	}
	data, err := next.Marshal(s.bank)
	if err != nil {
		return err
	}
	if !bytes.Equal(data, cur) {
		if !s.backedUp && cur != nil {
			if err := s.files.WriteFile(s.backup, cur); err != nil {
				return err
			}
		}
		s.backedUp = true
		if err := s.files.WriteFile(path, data); err != nil {
			return err
		}
	}
	s.disk, s.saved, s.mine = data, next, a.Clone()
	return nil
}

// merge applies what the session changed since its last save (s.mine -> a) to the file's
// answers (disk). A question the file changed since then (s.saved -> disk) to something else is
// a conflict.
func (s *FileStore) merge(disk, a *Answers) (*Answers, error) {
	next := disk.Clone()
	conflicts := merge3(a.ByID, s.mine.ByID, s.saved.ByID, disk.ByID, func(x, y Answer) bool { return reflect.DeepEqual(x, y) }, func(id string, want Answer, had bool) {
		if had {
			next.ByID[id] = want.clone()
		} else {
			delete(next.ByID, id)
		}
	})
	// Decisions merge the same way, keyed by citation.
	for _, c := range merge3(a.Decisions, s.mine.Decisions, s.saved.Decisions, disk.Decisions,
		func(x, y Decision) bool { return x == y }, func(c string, want Decision, had bool) {
			if had {
				next.SetDecision(c, &want)
			} else {
				next.SetDecision(c, nil)
			}
		}) {
		conflicts = append(conflicts, "decision "+c)
	}
	if len(conflicts) > 0 {
		sort.Strings(conflicts)
		return nil, &ChangedError{Path: s.path, IDs: conflicts}
	}
	for _, p := range a.Profiles {
		next.AddProfile(p)
	}
	if a.ResumeAt != "" {
		next.ResumeAt = a.ResumeAt // the session saving last knows best where the user is
	}
	return next, nil
}

// merge3 is a three-way merge of one keyed part of the answers: for each key the session
// changed (mine -> cur), the change is applied with set when the file still has what the session
// last saved (saved == disk); where the file changed too, to something else, the key is a
// conflict and nothing is applied.
func merge3[V any](cur, mine, saved, disk map[string]V, eq func(x, y V) bool, set func(key string, want V, had bool)) []string {
	keys := map[string]bool{}
	for k := range cur {
		keys[k] = true
	}
	for k := range mine {
		keys[k] = true
	}
	var conflicts []string
	for k := range keys {
		want, had := cur[k]
		last, lastHad := mine[k]
		if had == lastHad && eq(want, last) {
			continue // not changed by this session
		}
		theirs, ok := disk[k]
		before, beforeHad := saved[k]
		if ok != beforeHad || !eq(theirs, before) {
			if ok != had || !eq(theirs, want) {
				conflicts = append(conflicts, k)
			}
			continue
		}
		set(k, want, had)
	}
	return conflicts
}
