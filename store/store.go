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
	"io"
	"io/fs"
	"os"
	"sync"
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

var (
	bucketMeta       = []byte("meta")
	keySchemaVersion = []byte("schema_version")
)

// Store is the bbolt-backed storage. It is safe for concurrent use.
type Store struct {
	// mu guards db: every transaction holds it for reading; rewriting the file after an
	// erasure (compact) holds it for writing, briefly pausing other calls.
	mu   sync.RWMutex
	db   *bolt.DB
	path string

	// Now is the clock; tests replace it to move time.
	Now func() time.Time
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

// Open opens (creating if needed, mode 0600) the database at path and brings its schema
// up to date. It returns an error wrapping ErrInUse when another process holds the file.
func Open(path string, opts Options) (*Store, error) {
	timeout := opts.LockTimeout
	if timeout == 0 {
		timeout = LockTimeout
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:      timeout,
		ReadOnly:     opts.ReadOnly,
		FreelistType: bolt.FreelistMapType,
	})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("open store %s: %w", path, ErrInUse)
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	db.NoSync = opts.NoSync
	// Batched calls (the outbox's, made by many senders at once) commit as soon as as
	// many are waiting as delivery sends at once, or after a millisecond.
	db.MaxBatchSize, db.MaxBatchDelay = batchSize, time.Millisecond
	s := &Store{db: db, path: path, Now: time.Now}
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

// Path is the database file's path.
func (s *Store) Path() string { return s.path }

// Check reports whether the store can serve: the file is open and readable.
func (s *Store) Check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.view(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketMeta) == nil {
			return errors.New("store: schema missing")
		}
		return nil
	})
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

// Backup writes a consistent copy of the whole database to w, as of one read
// transaction, while other calls go on.
func (s *Store) Backup(ctx context.Context, w io.Writer) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n int64
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("backup store %s: %w", s.path, err)
	}
	return n, nil
}

// Verify checks the whole file's structure (every page reachable exactly once, every
// key in order). It reads everything, so it is for backups and tests, not hot paths.
func (s *Store) Verify() error {
	return s.view(func(tx *bolt.Tx) error {
		// Drain every error: the checker reads pages until it closes the channel, and
		// must be done before the transaction (and perhaps the mapping) goes away.
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		if len(errs) > 0 {
			return fmt.Errorf("verify store %s: %w", s.path, errors.Join(errs...))
		}
		return nil
	})
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
