package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// sample is a closed database file of several hundred pages, and where bbolt put its
// free list and its leaves, for tests that damage copies of it.
type sample struct {
	raw      []byte
	pageSize int
	used     int   // pages bbolt uses (its high water mark); the file is longer
	freelist int   // page id of the free list
	leaves   []int // page ids of leaf pages
	branch   int   // page id of a branch page
}

func newSample(t *testing.T) sample {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sample.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	for round := range 4 {
		update(t, s, func(tx mentoring.Tx) error {
			for i := range 500 {
				p := person(fmt.Sprintf("U%d%04d", round, i), mentoring.RoleBoth)
				p.Team = strings.Repeat("t", 80)
				if err := tx.PutParticipant(&p); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	smp := sample{}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	smp.pageSize = db.Info().PageSize
	if err := db.View(func(tx *bolt.Tx) error {
		smp.used = int(tx.Size()) / smp.pageSize
		for id := 2; ; id++ {
			p, err := tx.Page(id)
			if err != nil || p == nil {
				return err
			}
			switch p.Type {
			case "freelist":
				smp.freelist = id
			case "leaf":
				smp.leaves = append(smp.leaves, id)
			case "branch":
				smp.branch = id
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if smp.raw, err = os.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	if smp.freelist == 0 || len(smp.leaves) < 10 || smp.branch == 0 {
		t.Fatalf("sample has free list page %d, %d leaves and branch %d, want all", smp.freelist, len(smp.leaves), smp.branch)
	}
	return smp
}

// zero returns a copy of raw with pages [from, to) zeroed.
func (s sample) zero(from, to int) []byte {
	raw := append([]byte(nil), s.raw...)
	clear(raw[from*s.pageSize : to*s.pageSize])
	return raw
}

// farChild returns a copy of raw whose branch's first child is a page far past the
// end of the file, which bbolt reads through its mapping: a memory fault.
func (s sample) farChild() []byte {
	raw := append([]byte(nil), s.raw...)
	// A page header is 16 bytes; a branch element is pos, ksize (4 bytes each), pgid.
	binary.LittleEndian.PutUint64(raw[s.branch*s.pageSize+16+8:], 1<<30)
	return raw
}

// TestOpenRefusesDamagedFiles opens files damaged in the ways disks and people damage
// them. Each must come back as a *DamagedError (not a panic, not a fault that kills
// the process, not a new empty database), and the file must be left as it was.
func TestOpenRefusesDamagedFiles(t *testing.T) {
	smp := newSample(t)
	// Cuts are inside the pages bbolt uses: a file cut only in the room bbolt grows it
	// by ahead of its data has lost nothing (bbolt writes a page before reading it).
	n := smp.used
	random := make([]byte, 64<<10)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	tests := []struct {
		name string
		raw  []byte // the file's contents; nil makes a directory
	}{
		{"empty", []byte{}},
		{"cut at 100 bytes", smp.raw[:100]},
		{"cut after the first meta page", smp.raw[:smp.pageSize]},
		{"cut after both meta pages", smp.raw[:2*smp.pageSize]},
		{"cut in half", smp.raw[:n/2*smp.pageSize]},
		{"cut by one page", smp.raw[:(n-1)*smp.pageSize]},
		{"cut mid-page", smp.raw[:n*smp.pageSize-smp.pageSize/2]},
		{"meta pages zeroed", smp.zero(0, 2)},
		{"free list zeroed", smp.zero(smp.freelist, smp.freelist+1)},
		{"a leaf zeroed", smp.zero(smp.leaves[len(smp.leaves)/2], smp.leaves[len(smp.leaves)/2]+1)},
		{"everything after the meta pages zeroed", smp.zero(2, n)},
		{"a branch pointing past the end of the mapping", smp.farChild()},
		{"random bytes", random},
		{"random bytes after the meta pages", append(append([]byte(nil), smp.raw[:2*smp.pageSize]...), random...)},
		{"a SQLite file", append([]byte("SQLite format 3\x00\x10\x00\x01\x01\x00@  \x00\x00\x00\x01"), make([]byte, 8192)...)},
		{"a JSON file", []byte(`{"participants": [{"id": "UALICE", "role": "mentee"}]}` + "\n")},
		{"a directory", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "damaged.db")
			if tt.raw == nil {
				if err := os.Mkdir(path, 0o700); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(path, tt.raw, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, ro := range []bool{false, true} {
				s, err := Open(path, Options{ReadOnly: ro, LockTimeout: time.Second})
				if err == nil {
					s.Close()
					t.Fatalf("Open(ReadOnly: %v) of a damaged file succeeded", ro)
				}
				var d *DamagedError
				if !errors.As(err, &d) || !errors.Is(err, ErrDamaged) || d.Path != path || d.Reason == "" {
					t.Errorf("Open(ReadOnly: %v) = %v, want a *DamagedError for %s", ro, err, path)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("Open error %q spans lines", err)
				}
				t.Logf("ReadOnly %v: %v", ro, err)
			}
			if tt.raw != nil {
				if got, err := os.ReadFile(path); err != nil || string(got) != string(tt.raw) {
					t.Errorf("the damaged file changed (%d bytes, was %d; %v)", len(got), len(tt.raw), err)
				}
			}
		})
	}
}

// TestOpenRefusesOtherBboltFiles: a sound bbolt file is still not a mentorbot database
// unless it has the meta bucket with a schema version.
func TestOpenRefusesOtherBboltFiles(t *testing.T) {
	tests := []struct {
		name    string
		fill    func(tx *bolt.Tx) error
		rwOK    bool // a read-write Open takes it as a new database
		newer   bool
		damaged bool
	}{
		{"no buckets (read-only)", func(*bolt.Tx) error { return nil }, true, false, true},
		{"another program's buckets", func(tx *bolt.Tx) error {
			b, err := tx.CreateBucket([]byte("widgets"))
			if err != nil {
				return err
			}
			return b.Put([]byte("w1"), []byte("blue"))
		}, false, false, true},
		{"meta without a version", func(tx *bolt.Tx) error {
			_, err := tx.CreateBucket(bucketMeta)
			return err
		}, false, false, true},
		{"a newer mentorbot's", func(tx *bolt.Tx) error {
			b, err := tx.CreateBucket(bucketMeta)
			if err != nil {
				return err
			}
			return b.Put(keySchemaVersion, u64(uint64(len(migrations)+1)))
		}, false, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "other.db")
			putRaw(t, path, tt.fill)
			// Read-only, a newer mentorbot's file can be read and copied.
			if s, err := Open(path, Options{ReadOnly: true}); err == nil {
				s.Close()
				if !tt.newer {
					t.Fatal("Open(ReadOnly) succeeded")
				}
			} else if tt.newer || !errors.Is(err, ErrDamaged) {
				t.Errorf("Open(ReadOnly) = %v; want damaged %v", err, tt.damaged)
			}
			s, err := Open(path, Options{})
			if tt.rwOK {
				if err != nil {
					t.Errorf("Open of an empty bbolt file = %v, want a new database", err)
				} else {
					s.Close()
				}
				return
			}
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if errors.Is(err, ErrDamaged) != tt.damaged || tt.newer && !strings.Contains(err.Error(), "newer") {
				t.Errorf("Open = %v; want damaged %v, newer %v", err, tt.damaged, tt.newer)
			}
		})
	}
}

// BenchmarkOpen20MB measures Open's check of a 20 MB database (every key and value
// read, then tx.Check), read-only so that nothing is written between runs:
//
//	go test -run '^$' -bench Open20MB ./store
func BenchmarkOpen20MB(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	goal := mentoring.Goal{Text: strings.Repeat("practise the long game, ", 13)[:mentoring.MaxGoalLen]}
	for i := 0; ; i++ {
		var used int64
		if err := s.view(func(tx *bolt.Tx) error { used = tx.Size(); return nil }); err != nil || used >= 20<<20 {
			break
		}
		if err := s.Update(b.Context(), func(tx mentoring.Tx) error {
			for j := range 500 {
				p := person(fmt.Sprintf("U%03d%04d", i, j), mentoring.RoleBoth)
				p.Goals = []mentoring.Goal{goal, goal, goal, goal}
				if err := tx.PutParticipant(&p); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	fi, _ := os.Stat(path)
	for b.Loop() {
		s, err := Open(path, Options{ReadOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
	b.ReportMetric(float64(fi.Size())/(1<<20), "MB")
}
