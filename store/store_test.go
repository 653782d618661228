package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// openTest opens a real store in a temp dir and, at cleanup, checks the file's
// consistency and closes it.
func openTest(t *testing.T) *Store {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "test.db"))
}

// openAt opens the store at path, verified and closed at cleanup.
func openAt(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Verify(); err != nil {
			t.Error(err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

// update runs fn in one Update and fails the test on an error.
func update(t *testing.T, s *Store, fn func(tx mentoring.Tx) error) {
	t.Helper()
	if err := s.Update(t.Context(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// view runs fn in one View and fails the test on an error.
func view(t *testing.T, s *Store, fn func(tx mentoring.Tx) error) {
	t.Helper()
	if err := s.View(t.Context(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// person is a valid participant.
func person(id string, role mentoring.Role) mentoring.Participant {
	return mentoring.Participant{ID: id, Role: role, Capacity: mentoring.DefaultCapacity, Topics: []string{"go"},
		JoinedAt: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}
}

// putRaw writes value under key in bucket of the closed database file at path, with
// bbolt directly, as an older mentorbot would have.
func putRaw(t *testing.T, path string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestOpenCreatesPrivateFileAtCurrentSchema(t *testing.T) {
	s := openTest(t)
	fi, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fi.Mode().Perm(), os.FileMode(0o600); got != want {
		t.Errorf("mode = %v, want %v", got, want)
	}
	v, err := s.SchemaVersion()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := v, uint64(len(migrations)); got != want {
		t.Errorf("schema version = %d, want %d", got, want)
	}
	if err := s.Check(t.Context()); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func TestSecondOpenReportsInUse(t *testing.T) {
	s := openTest(t)
	start := time.Now()
	_, err := Open(s.Path(), Options{LockTimeout: 200 * time.Millisecond})
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("second Open error = %v, want ErrInUse", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("second Open took %v, want about the lock timeout", d)
	}
	// The first handle still serves.
	if err := s.Check(t.Context()); err != nil {
		t.Errorf("first store after refused second open: %v", err)
	}
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	want := person("UALICE", mentoring.RoleMentee)
	update(t, s, func(tx mentoring.Tx) error { return tx.PutParticipant(&want) })
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, path)
	view(t, s, func(tx mentoring.Tx) error {
		got, err := tx.Participant("UALICE")
		if err != nil {
			return err
		}
		if got.ID != want.ID || got.Role != want.Role || !got.JoinedAt.Equal(want.JoinedAt) {
			t.Errorf("after reopen: %+v, want %+v", got, want)
		}
		return nil
	})
}

func TestMigrate(t *testing.T) {
	var ran []int
	step := func(i int) migration {
		return func(tx *bolt.Tx) error { ran = append(ran, i); return nil }
	}
	tests := []struct {
		name    string
		have    int // version already recorded; -1 for a fresh file
		steps   int
		wantRan []int
		wantErr bool
	}{
		{name: "fresh file runs all", have: -1, steps: 3, wantRan: []int{0, 1, 2}},
		{name: "old file runs the rest", have: 1, steps: 3, wantRan: []int{1, 2}},
		{name: "current file runs none", have: 3, steps: 3, wantRan: nil},
		{name: "newer file is refused", have: 4, steps: 3, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			steps := make([]migration, tt.steps)
			for i := range steps {
				steps[i] = step(i)
			}
			var gotVersion uint64
			err := s.db.Update(func(tx *bolt.Tx) error {
				if tt.have < 0 {
					if err := tx.DeleteBucket(bucketMeta); err != nil {
						return err
					}
				} else if err := tx.Bucket(bucketMeta).Put(keySchemaVersion, binary.BigEndian.AppendUint64(nil, uint64(tt.have))); err != nil {
					return err
				}
				ran = nil
				if err := migrate(tx, steps); err != nil {
					return err
				}
				gotVersion = schemaVersion(tx)
				// Leave the file as the real migrations made it, for the cleanup's Verify.
				return tx.Bucket(bucketMeta).Put(keySchemaVersion, binary.BigEndian.AppendUint64(nil, uint64(len(migrations))))
			})
			if (err != nil) != tt.wantErr {
				t.Fatalf("migrate error = %v, wantErr %v", err, tt.wantErr)
			}
			if !slices.Equal(ran, tt.wantRan) {
				t.Errorf("ran %v, want %v", ran, tt.wantRan)
			}
			if !tt.wantErr && gotVersion != uint64(tt.steps) {
				t.Errorf("version after migrate = %d, want %d", gotVersion, tt.steps)
			}
		})
	}
}

// TestOpenMigratesAnOldFile opens a file at schema 2 (participants and kudos only),
// as an old mentorbot left it: Open adds the later buckets and keeps the data.
func TestOpenMigratesAnOldFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	putRaw(t, path, func(tx *bolt.Tx) error {
		for i := range 2 {
			if err := migrations[i](tx); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketMeta).Put(keySchemaVersion, binary.BigEndian.AppendUint64(nil, 2)); err != nil {
			return err
		}
		return tx.Bucket(bucketParticipants).Put([]byte("UALICE"), []byte(`{"id":"UALICE","role":"mentee","capacity":2,"joined_at":"2026-11-01T09:00:00Z"}`))
	})
	s := openAt(t, path)
	if v, err := s.SchemaVersion(); err != nil || v != uint64(len(migrations)) {
		t.Errorf("schema version after Open = %d, %v; want %d", v, err, len(migrations))
	}
	// The buckets of migrations 3 and 4 exist: these writes would fail on a nil bucket.
	update(t, s, func(tx mentoring.Tx) error {
		p := mentoring.Pairing{MentorID: "UBERT", MenteeID: "UALICE"}
		if err := tx.PutPairing(&p); err != nil {
			return err
		}
		if err := tx.PutCheckin(&mentoring.Checkin{PairingID: p.ID, UserID: "UALICE", Period: "p"}); err != nil {
			return err
		}
		if err := tx.MarkHandled("UALICE", "p"); err != nil {
			return err
		}
		return tx.Enqueue(mentoring.Notice{Kind: mentoring.KindIntro, To: []string{"UALICE"}})
	})
	view(t, s, func(tx mentoring.Tx) error {
		p, err := tx.Participant("UALICE")
		if err != nil {
			return err
		}
		if p.Role != mentoring.RoleMentee || p.Capacity != 2 {
			t.Errorf("old participant after migration: %+v", p)
		}
		return nil
	})
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	newer := uint64(len(migrations) + 1)
	putRaw(t, path, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchemaVersion, binary.BigEndian.AppendUint64(nil, newer))
	})
	s, err = Open(path, Options{NoSync: true})
	if err == nil {
		s.Close()
		t.Fatal("Open of a file with a newer schema succeeded")
	}
	if !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open error = %v, want one saying the file is newer", err)
	}
	// The refused Open left the file as it was, and unlocked.
	r, err := Open(path, Options{ReadOnly: true, LockTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("read-only open after the refusal: %v", err)
	}
	defer r.Close()
	if v, err := r.SchemaVersion(); err != nil || v != newer {
		t.Errorf("schema version after the refusal = %d, %v; want %d", v, err, newer)
	}
}

func TestBackupIsAValidDatabase(t *testing.T) {
	s := openTest(t)
	alice := person("UALICE", mentoring.RoleMentee)
	update(t, s, func(tx mentoring.Tx) error {
		if err := tx.PutParticipant(&alice); err != nil {
			return err
		}
		return tx.PutPairing(&mentoring.Pairing{MentorID: "UBERT", MenteeID: "UALICE"})
	})
	var buf bytes.Buffer
	n, err := s.Backup(t.Context(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 || int64(buf.Len()) != n {
		t.Fatalf("Backup wrote %d bytes, buffer has %d", n, buf.Len())
	}
	copyPath := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(copyPath, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Open(copyPath, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open backup: %v", err)
	}
	defer c.Close()
	if err := c.Verify(); err != nil {
		t.Errorf("Verify of the backup: %v", err)
	}
	if err := c.Check(t.Context()); err != nil {
		t.Errorf("Check of the backup: %v", err)
	}
	v, err := c.SchemaVersion()
	if err != nil || v != uint64(len(migrations)) {
		t.Errorf("backup schema version = %d, %v; want %d", v, err, len(migrations))
	}
	if err := c.View(t.Context(), func(tx mentoring.Tx) error {
		p, err := tx.Participant("UALICE")
		if err != nil {
			return err
		}
		if p.Role != alice.Role {
			t.Errorf("backup's participant = %+v", p)
		}
		ps, err := tx.PairingsOf("UBERT")
		if err != nil {
			return err
		}
		if len(ps) != 1 || ps[0].MenteeID != "UALICE" {
			t.Errorf("backup's pairings of UBERT = %+v", ps)
		}
		return nil
	}); err != nil {
		t.Errorf("reading the backup: %v", err)
	}
}

func TestCanceledContextRunsNothing(t *testing.T) {
	s := openTest(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ran := false
	fn := func(tx mentoring.Tx) error { ran = true; return nil }
	tests := []struct {
		name string
		call func() error
	}{
		{"View", func() error { return s.View(ctx, fn) }},
		{"Update", func() error { return s.Update(ctx, fn) }},
		{"Check", func() error { return s.Check(ctx) }},
		{"Backup", func() error { _, err := s.Backup(ctx, &bytes.Buffer{}); return err }},
		{"Due", func() error { _, err := s.Due(ctx, 10); return err }},
		{"StartSend", func() error { _, _, err := s.StartSend(ctx, 1); return err }},
		{"Defer", func() error { return s.Defer(ctx, 1, time.Time{}) }},
		{"Sent", func() error { return s.Sent(ctx, 1) }},
		{"Split", func() error { return s.Split(ctx, 1) }},
	}
	for _, tt := range tests {
		ran = false
		if err := tt.call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a canceled context: error %v, want context.Canceled", tt.name, err)
		}
		if ran {
			t.Errorf("%s with a canceled context ran fn", tt.name)
		}
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		break_  func(t *testing.T, s *Store)
		wantErr bool
	}{
		{"healthy", func(*testing.T, *Store) {}, false},
		{"schema missing", func(t *testing.T, s *Store) {
			if err := s.db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketMeta) }); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"closed", func(t *testing.T, s *Store) {
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(filepath.Join(t.TempDir(), "test.db"), Options{NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			tt.break_(t, s)
			if err := s.Check(t.Context()); (err != nil) != tt.wantErr {
				t.Errorf("Check = %v, wantErr %v", err, tt.wantErr)
			}
		})
	}
}

// fillForVerify writes enough participants to fill several pages, so that Verify
// walks branches as well as leaves, and closes the store.
func fillForVerify(t *testing.T, path string) {
	t.Helper()
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	update(t, s, func(tx mentoring.Tx) error {
		for i := range 200 {
			p := person(fmt.Sprintf("U%03d", i), mentoring.RoleBoth)
			p.Team = strings.Repeat("t", 60)
			if err := tx.PutParticipant(&p); err != nil {
				return err
			}
		}
		return nil
	})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestVerify(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.db")
	fillForVerify(t, path)
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Verify(); err != nil {
		t.Errorf("Verify of a healthy file: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Verify(); err == nil {
		t.Error("Verify of a closed store reports no error")
	}
}

// envVerifyDamaged names the file the child process of TestVerifyReportsDamage
// verifies.
const envVerifyDamaged = "MENTORBOT_STORE_TEST_VERIFY_DAMAGED"

// TestVerifyReportsDamage damages a file whose keys are out of order, then opens it (Open
// checks it) and verifies it, damaged while open, then closes it, as the backup
// command does with its copy. The check runs in a child process: a check that leaves
// bbolt's checker running past its transaction makes it read the file's unmapped
// memory after Close, a fault that kills the whole process.
func TestVerifyReportsDamage(t *testing.T) {
	if path := os.Getenv(envVerifyDamaged); path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// A leaf holds each key just before its value: rename U150 to U010, which
		// sorts before the keys around it.
		i := bytes.Index(raw, []byte(`U150{"id":"U150"`))
		if i < 0 {
			t.Fatal("key U150 not found in the file")
		}
		r, err := Open(path, Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		// Damaged while open: bbolt's shared mapping sees the new bytes.
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteAt([]byte("U010"), int64(i)); err != nil {
			t.Fatal(err)
		}
		f.Close()
		verr := r.Verify()
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		if !errors.Is(verr, ErrDamaged) {
			t.Fatalf("Verify of a file with keys out of order = %v, want ErrDamaged", verr)
		}
		t.Logf("Verify: %v", verr)
		_, oerr := Open(path, Options{ReadOnly: true})
		if !errors.Is(oerr, ErrDamaged) {
			t.Fatalf("Open of a file with keys out of order = %v, want ErrDamaged", oerr)
		}
		t.Logf("Open: %v", oerr)
		return
	}
	path := filepath.Join(t.TempDir(), "test.db")
	fillForVerify(t, path)
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestVerifyReportsDamage$", "-test.count=1", "-test.v")
	// The race runtime's pause at exit would only slow the test down.
	cmd.Env = append(os.Environ(), envVerifyDamaged+"="+path, "GORACE="+os.Getenv("GORACE")+" atexit_sleep_ms=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("verifying a damaged file: %v\n%s", err, out)
	}
	if !bytes.Contains(out, []byte("Verify: ")) || !bytes.Contains(out, []byte("Open: ")) {
		t.Errorf("the child did not verify and open the damaged file:\n%s", out)
	}
}
