// Package store keeps mentorbot's domain in one bbolt file.
//
// Each exported method is exactly one transaction; lowercase helpers take the
// transaction so that methods can share them. Values read inside a transaction are
// decoded (copied) before it ends, because bbolt's byte slices die with it.
package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// LockTimeout is how long Open waits for another process to release the file before it
// gives up with ErrInUse. bbolt holds an exclusive flock for as long as the file is open.
const LockTimeout = 3 * time.Second

// batchSize is how many batched calls share a transaction at most.
const batchSize = 64

// ErrInUse means another process has the database file open.
var ErrInUse = errors.New("the database file is in use by another process")

// ErrDamaged is what every *DamagedError is (errors.Is): the file cannot be used as
// mentorbot's database.
var ErrDamaged = errors.New("the database file is damaged or is not a mentorbot database")

// DamagedError says why a file is not a sound mentorbot database: bbolt cannot read
// it, its structure is inconsistent, or it holds no mentorbot data. Reason is one
// line, safe to print.
type DamagedError struct {
	Path   string
	Reason string
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("the database file %s is damaged or is not a mentorbot database: %s", e.Path, e.Reason)
}

// Is makes errors.Is(err, ErrDamaged) hold.
func (e *DamagedError) Is(target error) bool { return target == ErrDamaged }

// damaged is a *DamagedError whose reason is err's message, cut to one short line.
func damaged(path string, err error) *DamagedError {
	var d *DamagedError
	if errors.As(err, &d) {
		return &DamagedError{Path: path, Reason: d.Reason}
	}
	reason := strings.Join(strings.Fields(err.Error()), " ")
	if len(reason) > 200 {
		reason = reason[:200] + "…"
	}
	return &DamagedError{Path: path, Reason: reason}
}

var (
	bucketMeta       = []byte("meta")
	keySchemaVersion = []byte("schema_version")
	// keyRewriteDue is set, in the transaction that erases, until the rewrite that
	// takes the erased bytes out of the file is done: a crash between the two leaves
	// it set, and the next Open rewrites the file before anything else.
	keyRewriteDue = []byte("rewrite_due")
)

// Store is the bbolt-backed storage. It is safe for concurrent use.
type Store struct {
	// mu guards db: every transaction holds it for reading; rewriting the file after an
	// erasure (compact) holds it for writing, briefly pausing other calls.
	mu   sync.RWMutex
	db   *bolt.DB
	path string

	// probe is the Check in flight, which every caller of Check shares until it ends.
	probeMu sync.Mutex
	probe   *probe
	probes  int // looks at the file started, for tests

	// Now is the clock; tests replace it to move time.
	Now func() time.Time

	// caches hold decoded records of the buckets read whole (see decodeCache).
	caches caches
}

// Options tune Open; the zero value is what the bot uses.
type Options struct {
	// LockTimeout overrides the package LockTimeout (tests use a short one).
	LockTimeout time.Duration
	// ReadOnly opens with a shared lock and runs no migration; used by backups of a
	// file that no bot holds.
	ReadOnly bool
	// NoSync skips fsync on commit: a crash may lose recent commits. For tests and
	// benchmarks that load many records, never for the bot.
	NoSync bool
}

// Open opens (creating if needed, mode 0600) the database at path, checks that it is a
// sound mentorbot database, and brings its schema up to date. It returns an error
// wrapping ErrInUse when another process holds the file, and a *DamagedError when the
// file is damaged or is something else (another program's data, a directory, an empty
// file); bbolt's panics and memory faults on such a file become that error too.
//
// The check reads the whole file, every key and value and then bbolt's consistency
// check (tx.Check): with 20 MB of records (BenchmarkOpen20MB) about 5 ms from the page
// cache and 0.4 s from a cold disk, so it runs in full at every Open. A file that does not exist yet is created; an existing file with
// no buckets at all (bbolt's fresh file) is taken as new, unless opts.ReadOnly.
func Open(path string, opts Options) (*Store, error) {
	timeout := opts.LockTimeout
	if timeout == 0 {
		timeout = LockTimeout
	}
	if fi, err := os.Stat(path); err == nil {
		switch {
		case fi.IsDir():
			return nil, &DamagedError{Path: path, Reason: "it is a directory"}
		case fi.Size() == 0:
			// bbolt would quietly start a new database in it: a file cut to nothing
			// must not turn into an empty programme.
			return nil, &DamagedError{Path: path, Reason: "it is empty (0 bytes)"}
		}
	}
	var db *bolt.DB
	var file *os.File // bbolt's, to let go of its lock if bbolt panics
	err := guard(func() (err error) {
		db, err = bolt.Open(path, 0o600, &bolt.Options{
			Timeout:      timeout,
			ReadOnly:     opts.ReadOnly,
			FreelistType: bolt.FreelistMapType,
			// Read the free list now, under guard, also when read-only: a damaged one
			// panics.
			PreLoadFreelist: true,
			OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
				f, err := os.OpenFile(name, flag, perm)
				file = f
				return f, err
			},
		})
		return err
	})
	if err != nil && db == nil && file != nil {
		// bbolt panicked and left its file open, mapped and locked. The mapping holds
		// the file, so closing it would not release the lock: unlock it first. The
		// mapping stays until the process ends.
		_ = syscall.Flock(int(file.Fd()), syscall.LOCK_UN)
		file.Close()
	}
	if err != nil {
		var pathErr *fs.PathError
		var errno syscall.Errno
		switch {
		case errors.Is(err, berrors.ErrTimeout):
			return nil, fmt.Errorf("open store %s: %w", path, ErrInUse)
		case errors.As(err, &pathErr) && pathErr.Op == "open", errors.As(err, &errno) && !errors.As(err, &pathErr):
			// The file could not be opened or locked (permissions, a missing
			// directory): nothing is known about its contents.
			return nil, fmt.Errorf("open store %s: %w", path, err)
		}
		// bbolt got the file and could not read it: bad meta pages, a size no bbolt
		// file has, a panic.
		return nil, damaged(path, err)
	}
	if err := db.View(func(tx *bolt.Tx) error { return checkFile(tx, !opts.ReadOnly) }); err != nil {
		db.Close()
		var d *DamagedError
		if errors.As(err, &d) {
			return nil, damaged(path, err)
		}
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	db.NoSync = opts.NoSync
	// Batched calls (the outbox's, made by many senders at once) commit as soon as as
	// many are waiting as delivery sends at once, or after a millisecond.
	db.MaxBatchSize, db.MaxBatchDelay = batchSize, time.Millisecond
	s := &Store{db: db, path: path, Now: time.Now, caches: newCaches()}
	if !opts.ReadOnly {
		// We hold the lock: a rewrite file left beside the database is from a rewrite a
		// crash interrupted, and may hold erased bytes.
		if err := os.Remove(path + compactSuffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			db.Close()
			return nil, fmt.Errorf("remove the unfinished rewrite %s: %w", path+compactSuffix, err)
		}
		if err := db.Update(func(tx *bolt.Tx) error { return migrate(tx, migrations) }); err != nil {
			db.Close()
			return nil, fmt.Errorf("migrate store %s: %w", path, err)
		}
		if err := s.finishRewrite(); err != nil {
			s.db.Close()
			return nil, err
		}
	}
	return s, nil
}

// view runs fn in a read transaction.
func (s *Store) view(fn func(tx *bolt.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.db.View(fn)
}

// update runs fn in a read-write transaction, committed when fn returns nil.
func (s *Store) update(fn func(tx *bolt.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.db.Update(fn)
}

// batch is update for calls made from many goroutines at once: bbolt runs them in a
// shared transaction with one fsync. fn may run more than once and must be
// idempotent (bolt.DB.Batch); a failing fn is retried alone.
func (s *Store) batch(fn func(tx *bolt.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.db.Batch(fn)
}

// Close closes the file, releasing its lock. It waits for open transactions.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close store %s: %w", s.path, err)
	}
	return nil
}

// Companions are the files the store keeps beside the database at path (the file an
// erasure's rewrite is built in), which nothing else may write to.
func Companions(path string) []string { return []string{path + compactSuffix} }

// Path is the database file's path.
func (s *Store) Path() string { return s.path }

// probe is one Check's look at the file, shared by the callers that come while it runs.
type probe struct {
	done chan struct{} // closed when err is set
	err  error
}

// Check reports whether the store can serve: the file is open and readable. It
// returns when ctx ends even if the file cannot be read yet (a rewrite after an
// erasure holds every call), so a readiness probe answers in time. At most one look
// at the file is in flight: callers that come while it is waiting share it, so probes
// that time out do not pile up.
func (s *Store) Check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.probeMu.Lock()
	p := s.probe
	if p == nil {
		p = &probe{done: make(chan struct{})}
		s.probe = p
		s.probes++
		go func() {
			p.err = s.view(func(tx *bolt.Tx) error {
				if tx.Bucket(bucketMeta) == nil {
					return errors.New("store: schema missing")
				}
				return nil
			})
			s.probeMu.Lock()
			s.probe = nil
			s.probeMu.Unlock()
			close(p.done)
		}()
	}
	s.probeMu.Unlock()
	select {
	case <-p.done:
		return p.err
	case <-ctx.Done():
		return fmt.Errorf("no answer in time (busy rewriting the file?): %w", ctx.Err())
	}
}

// SchemaVersion returns the version recorded in the file.
func (s *Store) SchemaVersion() (uint64, error) {
	var v uint64
	err := s.view(func(tx *bolt.Tx) error {
		v = schemaVersion(tx)
		return nil
	})
	return v, err
}

// Snapshot writes a consistent copy of the whole database, as of one read
// transaction, to a new file beside it (mode 0600), and returns that file open at its
// start with its size. The file is unlinked at once, so it lives until the caller
// closes it and a crash leaves nothing behind. The transaction lasts only as long as
// copying to the local disk: bbolt cannot remap a growing file while a read
// transaction is open, so every writer would wait for it; a reader as slow as it
// likes reads the snapshot instead.
func (s *Store) Snapshot(ctx context.Context) (*os.File, int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	f, err := os.CreateTemp(filepath.Dir(s.path), filepath.Base(s.path)+".snapshot-*")
	if err != nil {
		return nil, 0, fmt.Errorf("snapshot store %s: %w", s.path, err)
	}
	var n int64
	err = os.Remove(f.Name())
	if err == nil {
		err = s.view(func(tx *bolt.Tx) error {
			n, err = tx.WriteTo(f)
			return err
		})
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("snapshot store %s: %w", s.path, err)
	}
	return f, n, nil
}

// Backup writes a consistent copy of the whole database to w: a Snapshot, streamed to
// w from the snapshot, so that however slowly w takes it no transaction is held.
func (s *Store) Backup(ctx context.Context, w io.Writer) (int64, error) {
	f, _, err := s.Snapshot(ctx)
	if err != nil {
		return 0, fmt.Errorf("backup store %s: %w", s.path, err)
	}
	defer f.Close()
	n, err := io.Copy(w, f)
	if err != nil {
		return n, fmt.Errorf("backup store %s: %w", s.path, err)
	}
	return n, nil
}

// Verify checks the whole file's structure (every page reachable exactly once, every
// key in order) and reads every key and value. It reads everything, so it is for
// backups and tests, not hot paths. A problem comes back as a *DamagedError.
func (s *Store) Verify() error {
	err := s.view(verify)
	var d *DamagedError
	if errors.As(err, &d) {
		return damaged(s.path, err)
	}
	if err != nil {
		return fmt.Errorf("verify store %s: %w", s.path, err)
	}
	return nil
}

// checkFile reports whether tx's file is a sound mentorbot database: verify, then the
// meta bucket with a schema version. With fresh, a file holding no bucket at all is
// fine too (Open makes it a database). Problems come back as *DamagedError. A version
// newer than this binary knows is left to migrate (and Restore) to refuse: read-only,
// such a file can still be read and copied.
func checkFile(tx *bolt.Tx, fresh bool) error {
	fi, err := os.Stat(tx.DB().Path())
	if err != nil {
		return err
	}
	if fi.Size() < tx.Size() {
		// bbolt grows a file before it writes past its end, and a backup is exactly
		// tx.Size() long, so only a cut file is shorter than its meta page says.
		return &DamagedError{Reason: fmt.Sprintf("it is %d bytes long, shorter than the %d its own header records: it was cut short", fi.Size(), tx.Size())}
	}
	if err := verify(tx); err != nil {
		return err
	}
	if tx.Bucket(bucketMeta) == nil {
		empty := tx.ForEach(func([]byte, *bolt.Bucket) error { return errors.New("not empty") }) == nil
		switch {
		case empty && fresh:
			return nil
		case empty:
			return &DamagedError{Reason: "it is an empty bbolt file, with no mentorbot data"}
		}
		return &DamagedError{Reason: "it is a bbolt file of some other program (it has no meta bucket)"}
	}
	if schemaVersion(tx) == 0 {
		return &DamagedError{Reason: "it records no schema version"}
	}
	return nil
}

// verify reads every key and value of tx's file, then runs bbolt's consistency check
// over it. The reading runs under guard: bbolt's checker runs on a goroutine of its
// own, where a memory fault (garbage read through the mapping) would kill the process,
// so every page it will visit is read here first, where a fault becomes an error.
func verify(tx *bolt.Tx) error {
	if err := guard(func() error { readAll(tx); return nil }); err != nil {
		return &DamagedError{Reason: err.Error()}
	}
	// Drain every error: the checker reads pages until it closes the channel, and must
	// be done before the transaction (and perhaps the mapping) goes away.
	var errs []error
	for err := range tx.Check() {
		errs = append(errs, err)
	}
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return &DamagedError{Reason: errs[0].Error()}
	}
	return &DamagedError{Reason: fmt.Sprintf("%v (and %d more problems)", errs[0], len(errs)-1)}
}

// readAll reads every key and value of every bucket, nested ones too, and returns a
// checksum of them so that the reads cannot be optimised away.
func readAll(tx *bolt.Tx) uint32 {
	var sum uint32
	var walk func(b *bolt.Bucket)
	walk = func(b *bolt.Bucket) {
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			sum = crc32.Update(sum, crc32.IEEETable, k)
			if v == nil {
				if child := b.Bucket(k); child != nil {
					walk(child)
				}
				continue
			}
			sum = crc32.Update(sum, crc32.IEEETable, v)
		}
	}
	_ = tx.ForEach(func(_ []byte, b *bolt.Bucket) error {
		walk(b)
		return nil
	})
	return sum
}

// guard runs fn, turning a panic into an error. bbolt panics on some damaged files
// ("invalid freelist page"), and reading garbage through its memory mapping faults
// (SIGSEGV, or SIGBUS past the end of a cut file), which only SetPanicOnFault makes a
// panic that can be recovered; it holds for this goroutine only, so fn must not read
// the file on another.
func guard(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("reading it failed: %v", r)
		}
	}()
	return fn()
}

// migration brings the schema from version i to i+1, where i is its index.
type migration func(tx *bolt.Tx) error

// migrations are run in order at Open; append only, never edit one that has shipped.
var migrations = []migration{
	// 1: the meta bucket holds the schema version.
	func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketMeta)
		return err
	},
	// 2: participants and kudos.
	func(tx *bolt.Tx) error {
		return createBuckets(tx, bucketParticipants, bucketKudos, bucketKudosByTo)
	},
	// 3: pairings and the outbox.
	func(tx *bolt.Tx) error {
		return createBuckets(tx, bucketPairings, bucketPairingsByUse, bucketOutbox)
	},
	// 4: check-ins and the marks of what was handled each period.
	func(tx *bolt.Tx) error {
		return createBuckets(tx, bucketCheckins, bucketScheduled)
	},
	// 5: what the Slack side keeps across restarts: DM channel ids, the rate limits
	// learned per method, and who has opened their Home tab.
	func(tx *bolt.Tx) error {
		return createBuckets(tx, bucketChannels, bucketLimits, bucketHomeViewers)
	},
	// 6: erasures asked for and not yet finished, so that a crash cannot leave one half
	// done.
	func(tx *bolt.Tx) error {
		return createBuckets(tx, bucketErasures)
	},
	// 7: proposals to mentors, when mentors approve their pairs, and each week's
	// programme figures (counts only), counted once from the records kept so far.
	func(tx *bolt.Tx) error {
		if err := createBuckets(tx, bucketProposals, bucketWeeks); err != nil {
			return err
		}
		return backfillWeeks(tx, time.Now())
	},
}

func createBuckets(tx *bolt.Tx, names ...[]byte) error {
	for _, name := range names {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

func schemaVersion(tx *bolt.Tx) uint64 {
	b := tx.Bucket(bucketMeta)
	if b == nil {
		return 0
	}
	v := b.Get(keySchemaVersion)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

// migrate runs the steps the file has not seen yet. A file newer than this binary is
// refused rather than silently misread.
func migrate(tx *bolt.Tx, steps []migration) error {
	have := schemaVersion(tx)
	if have > uint64(len(steps)) {
		return fmt.Errorf("schema version %d is newer than this mentorbot knows (%d): upgrade mentorbot", have, len(steps))
	}
	for i := have; i < uint64(len(steps)); i++ {
		if err := steps[i](tx); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
	}
	b, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	return b.Put(keySchemaVersion, binary.BigEndian.AppendUint64(nil, uint64(len(steps))))
}
