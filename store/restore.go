package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
)

// restoreLockTimeout is how long Restore waits for a bot to let go of the database
// before it refuses: a running bot never does, so there is no point in waiting long.
const restoreLockTimeout = 500 * time.Millisecond

// Restored says what Restore did.
type Restored struct {
	// Bytes is the size of the database now at the path, and Schema its version.
	Bytes  int64
	Schema uint64
	// Kept is where the file that was at the path now is ("" when there was none).
	Kept string
}

// Restore puts a copy of the database at from in place of the one at path, keeping
// the old file beside it as <path>.before-restore-<time> (mode 0600). from must open
// as a sound mentorbot database (Open's check, read-only); otherwise Restore returns
// its *DamagedError and changes nothing. Restore returns an error wrapping ErrInUse,
// changing nothing, while any process holds path's lock (a running bot does, for as
// long as it runs). The new file is written beside path, synced, checked and renamed
// over path, and the directory synced, so that path holds either the old database
// or the whole new one, whatever happens.
func Restore(from, path string, now time.Time) (Restored, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return Restored{}, fmt.Errorf("restore: %s is a directory: move it out of the way first", path)
	}
	unlock, err := lockFile(path, restoreLockTimeout)
	if err != nil {
		return Restored{}, err
	}
	defer unlock()

	src, err := Open(from, Options{ReadOnly: true, LockTimeout: restoreLockTimeout})
	if err != nil {
		return Restored{}, err
	}
	schema, err := src.SchemaVersion()
	if err == nil && schema > uint64(len(migrations)) {
		err = fmt.Errorf("restore: %s was written by a newer mentorbot (schema version %d; this one knows %d): restore it with that version", from, schema, len(migrations))
	}
	if err != nil {
		src.Close()
		return Restored{}, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".restore-*")
	if err != nil {
		src.Close()
		return Restored{}, fmt.Errorf("restore: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	n, err := src.writeTo(tmp)
	if cerr := src.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Restored{}, fmt.Errorf("restore: write %s: %w", tmp.Name(), err)
	}
	// The copy on disk is what the bot will open: check it, not only the source.
	c, err := Open(tmp.Name(), Options{ReadOnly: true, LockTimeout: restoreLockTimeout})
	if err != nil {
		return Restored{}, fmt.Errorf("restore: the copy %s: %w", tmp.Name(), err)
	}
	c.Close()

	done := Restored{Bytes: n, Schema: schema}
	if _, err := os.Lstat(path); err == nil {
		if done.Kept, err = keep(path, now); err != nil {
			return Restored{}, err
		}
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		if done.Kept != "" {
			os.Remove(done.Kept)
		}
		return Restored{}, fmt.Errorf("restore: rename into place: %w", err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return done, fmt.Errorf("restore: the database is in place, but the directory could not be synced: %w", err)
	}
	return done, nil
}

// writeTo writes a consistent copy of the database to f, as of one read transaction.
func (s *Store) writeTo(f *os.File) (int64, error) {
	var n int64
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(f)
		return err
	})
	return n, err
}

// keep gives the file at path a second name, <path>.before-restore-<now>, mode 0600,
// and returns it: a hard link, so that the old file stays whole and costs no space,
// or else a synced copy.
func keep(path string, now time.Time) (string, error) {
	kept := path + ".before-restore-" + now.UTC().Format("20060102T150405Z")
	for i := 2; ; i++ {
		if _, err := os.Lstat(kept); errors.Is(err, fs.ErrNotExist) {
			break
		}
		kept = fmt.Sprintf("%s.before-restore-%s-%d", path, now.UTC().Format("20060102T150405Z"), i)
	}
	if err := os.Link(path, kept); err != nil {
		if err := copyFile(path, kept); err != nil {
			os.Remove(kept)
			return "", fmt.Errorf("restore: keep the old database as %s: %w", kept, err)
		}
	}
	if err := os.Chmod(kept, 0o600); err != nil {
		return "", fmt.Errorf("restore: restrict %s: %w", kept, err)
	}
	return kept, nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := out.ReadFrom(in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// lockFile takes the lock bbolt takes on the database file (an exclusive flock), so
// that no bot can hold it meanwhile, without reading the file: it may be damaged. It
// returns an error wrapping ErrInUse when someone holds it for timeout, and does
// nothing when there is no file yet.
func lockFile(path string, timeout time.Duration) (unlock func(), err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return func() {}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	deadline := time.Now().Add(timeout)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("restore: lock %s: %w", path, err)
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("restore %s: %w", path, ErrInUse)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
