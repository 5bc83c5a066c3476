package workspace

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/telesra/telesra/questionnaire"
)

// lockWait is how long a writer waits for another to finish. Writers hold the lock only while
// they read, merge and write (milliseconds; a report set takes a few seconds), never for a
// whole scan or questionnaire session, so a wait this long means something is wrong with the
// holder, and the user is better told who it is.
const lockWait = 15 * time.Second

// Lock is a held advisory lock (flock) on a workspace. Every writer takes it around its
// read-modify-write: an assess save, answers import, the end of scan -w, risks set and report.
// Readers need none: every file is replaced by an atomic rename, so they never see half of one.
// The kernel releases it when the process ends, however it ends, so it is never stale.
type Lock struct{ f *os.File }

// BusyError is a workspace another process kept locked for longer than a writer waits (exit 2).
type BusyError struct {
	Dir    string
	Holder string // "pid 123, telesra assess -w acme, since 2026-05-01T10:00:00Z", or "" if unknown
}

func (e *BusyError) Error() string {
	who := e.Holder
	if who == "" {
		who = "another process"
	}
	return fmt.Sprintf("workspace %s is being changed by %s; nothing was written (try again when it has finished)", e.Dir, who)
}

// Lock waits (briefly) for the workspace's lock and records this process as its holder.
func (l Layout) Lock() (*Lock, error) { return l.lock(lockWait) }

func (l Layout) lock(wait time.Duration) (*Lock, error) {
	if _, err := os.Stat(l.AssessmentPath()); errors.Is(err, fs.ErrNotExist) {
		// Not a workspace: say so as Load does, and leave no lock file in a stranger's directory.
		return nil, inputErrorf("%s: no assessment workspace here (create one with: telesra init %s)", l.AssessmentPath(), l.Dir)
	}
	path := l.LockPath()
	// The lock file is the one file not written through WriteFile: replacing it by a rename
	// would give a waiting process a different file to lock. O_NOFOLLOW: a planted link is
	// refused, not followed.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) {
		// A workspace this user may only read (a report to another directory): nobody who could
		// write it is locked out by us, and our own writes there fail with their own message.
		return &Lock{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lock workspace: %w", err)
	}
	deadline := time.Now().Add(wait)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("lock workspace %s: %w", path, err)
		}
		if !time.Now().Before(deadline) {
			holder, _ := os.ReadFile(path)
			f.Close()
			return nil, &BusyError{Dir: l.Dir, Holder: strings.TrimSpace(string(holder))}
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Who holds it, for the message another writer shows. Written in place, after the lock is
	// held, so only the holder ever writes it.
	holder := fmt.Sprintf("pid %d, %s, since %s\n", os.Getpid(), commandLine(), time.Now().UTC().Format(time.RFC3339))
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(holder), 0)
	}
	return &Lock{f: f}, nil
}

// Unlock releases the lock.
func (k *Lock) Unlock() error {
	if k == nil || k.f == nil {
		return nil
	}
	_ = k.f.Truncate(0)
	err := k.f.Close() // closing the last descriptor releases the flock
	k.f = nil
	return err
}

// commandLine is this process's command, shortened: enough for a person to recognise it.
func commandLine() string {
	args := append([]string{}, os.Args...)
	if len(args) > 0 {
		args[0] = baseName(args[0])
	}
	s := strings.Join(args, " ")
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > 160 {
		s = s[:160] + "..."
	}
	return s
}

func baseName(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// AnswersStore is a questionnaire session's store: every save takes the workspace lock, so the
// FileStore's read-merge-write is atomic against other sessions and imports. The lock is held
// for one save, not the session, so two people can answer (different questions) at once.
type AnswersStore struct {
	*questionnaire.FileStore
	layout Layout
}

// Save saves a snapshot of the session's answers, merged with what others saved meanwhile.
func (s *AnswersStore) Save(a *questionnaire.Answers) error {
	k, err := s.layout.Lock()
	if err != nil {
		return err
	}
	defer k.Unlock()
	return s.FileStore.Save(a)
}
