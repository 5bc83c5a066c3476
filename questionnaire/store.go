package questionnaire

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/google/renameio/v2"
)

// BackupSuffix is appended to answers.yaml for the copy kept before a rewrite.
const BackupSuffix = ".bak"

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

// ChangedError refuses a write over a file another program changed since it was read.
type ChangedError struct{ Path string }

func (e *ChangedError) Error() string {
	return fmt.Sprintf("%s was changed by another program since it was read; not overwritten "+
		"(quit, check the file, and start again: answers already saved are in it)", e.Path)
}

// AnswersPath is DIR/answers.yaml.
func AnswersPath(dir string) string { return filepath.Join(dir, AnswersFile) }

// LoadAnswers reads and validates DIR/answers.yaml. A workspace without the file has no answers
// yet: the result is empty, not an error.
func LoadAnswers(dir string, b *Bank) (*Answers, error) {
	a, _, err := readAnswers(AnswersPath(dir), b)
	return a, err
}

// ReadAnswersFile reads and validates an answers file anywhere (an export handed back).
func ReadAnswersFile(path string, b *Bank) (*Answers, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read answers: %w", err)
	}
	return ParseAnswers(path, data, b)
}

func readAnswers(path string, b *Bank) (*Answers, []byte, error) {
	data, err := os.ReadFile(path)
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

// SaveAnswers writes DIR/answers.yaml atomically with mode 0600, after copying the current file
// to answers.yaml.bak. It refuses to write when the current file does not parse (fix it first)
// or when the new answers would drop an answer the file holds.
func SaveAnswers(dir string, b *Bank, a *Answers) error {
	path := AnswersPath(dir)
	old, oldData, err := readAnswers(path, b)
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
		if err := writeFile(path+BackupSuffix, oldData); err != nil {
			return err
		}
	}
	return writeFile(path, data)
}

func checkLoss(path string, old, next *Answers) error {
	var lost []string
	for id, ans := range old.ByID {
		if ans.Status != "" && next.ByID[id].Status == "" {
			lost = append(lost, id)
		}
	}
	if len(lost) > 0 {
		sort.Strings(lost)
		return &LossError{Path: path, IDs: lost}
	}
	return nil
}

func writeFile(path string, data []byte) error {
	if err := renameio.WriteFile(path, data, 0o600, renameio.WithPermissions(0o600)); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// FileStore saves the answers of one `telesra assess` session to DIR/answers.yaml after every
// change. The first write of a session keeps answers.yaml.bak (the file as the session found
// it); every write is atomic, so a killed process leaves the last saved answers intact. It
// refuses to overwrite a file someone else changed meanwhile, or to drop an answer.
type FileStore struct {
	dir  string
	bank *Bank

	mu       sync.Mutex
	disk     []byte   // what the file held when read or last written (nil: no file)
	saved    *Answers // what disk holds, parsed
	backedUp bool
}

// OpenStore loads DIR/answers.yaml for a session. A file that does not validate is an error
// (file:line): the session must not start on top of it.
func OpenStore(dir string, b *Bank) (*FileStore, *Answers, error) {
	a, data, err := readAnswers(AnswersPath(dir), b)
	if err != nil {
		return nil, nil, err
	}
	return &FileStore{dir: dir, bank: b, disk: data, saved: a.Clone()}, a, nil
}

// Path is the answers file.
func (s *FileStore) Path() string { return AnswersPath(s.dir) }

// Save writes a snapshot of all answers. Callers hand over a copy they no longer change.
func (s *FileStore) Save(a *Answers) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	path := s.Path()
	cur, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read answers: %w", err)
	}
	if !bytes.Equal(cur, s.disk) || (cur == nil) != (s.disk == nil) {
		return &ChangedError{Path: path}
	}
	if err := checkLoss(path, s.saved, a); err != nil {
		return err
	}
	data, err := a.Marshal(s.bank)
	if err != nil {
		return err
	}
	if bytes.Equal(data, s.disk) {
		return nil
	}
	if !s.backedUp && s.disk != nil {
		if err := writeFile(path+BackupSuffix, s.disk); err != nil {
			return err
		}
	}
	s.backedUp = true
	if err := writeFile(path, data); err != nil {
		return err
	}
	s.disk = data
	s.saved = a.Clone()
	return nil
}
