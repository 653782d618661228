package store

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// TestDecodeCache: whole-bucket scans read through the cache, and what they return is
// always the stored record as it is now: a change, a deletion and a caller's edit of
// a returned value each show (or do not leak) as they should.
func TestDecodeCache(t *testing.T) {
	s := openTest(t)
	put := func(p mentoring.Participant) {
		t.Helper()
		if err := s.Update(t.Context(), func(tx mentoring.Tx) error { return tx.PutParticipant(&p) }); err != nil {
			t.Fatal(err)
		}
	}
	all := func() []mentoring.Participant {
		t.Helper()
		var out []mentoring.Participant
		if err := s.View(t.Context(), func(tx mentoring.Tx) error {
			var err error
			out, err = tx.Participants()
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	joined := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	put(mentoring.Participant{ID: "UAAA", Role: mentoring.RoleMentor, Capacity: 2, Topics: []string{"go"}, JoinedAt: joined})
	put(mentoring.Participant{ID: "UBBB", Role: mentoring.RoleMentee, Capacity: 2, Topics: []string{"go"}, JoinedAt: joined})
	first := all()
	first[0].Topics[0] = "changed by a caller"
	if got := all(); got[0].Topics[0] != "go" {
		t.Errorf("a caller's change reached the cache: %v", got[0].Topics)
	}
	put(mentoring.Participant{ID: "UAAA", Role: mentoring.RoleMentor, Capacity: 3, Topics: []string{"go", "sql"}, JoinedAt: joined})
	if got := all(); got[0].Capacity != 3 || !slices.Equal(got[0].Topics, []string{"go", "sql"}) {
		t.Errorf("a stored change does not show: %+v", got[0])
	}
	if err := s.Update(t.Context(), func(tx mentoring.Tx) error { return tx.Erase("UBBB") }); err != nil {
		t.Fatal(err)
	}
	if got := all(); len(got) != 1 || got[0].ID != "UAAA" {
		t.Errorf("after an erasure the scan returns %+v", got)
	}
	for k := range s.caches.participants.entries {
		if k == "UBBB" {
			t.Error("the cache keeps a decoded copy of an erased person")
		}
	}
}

// TestRewriteFinishedAtOpen: an erasure that committed but whose rewrite never ran (a
// SIGKILL between the two) leaves the erased bytes in free pages and the rewrite mark
// set; the next Open rewrites the file before it returns.
func TestRewriteFinishedAtOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	const secret = "UERASEDXYZ"
	if err := s.Update(t.Context(), func(tx mentoring.Tx) error {
		return tx.PutParticipant(&mentoring.Participant{ID: secret, Role: mentoring.RoleMentee, Capacity: 2, JoinedAt: time.Now()})
	}); err != nil {
		t.Fatal(err)
	}
	// The erasure's transaction, as Update commits it, without the rewrite after it.
	if err := s.update(func(btx *bolt.Tx) error {
		if err := (&tx{Tx: btx, s: s}).Erase(secret); err != nil {
			return err
		}
		return btx.Bucket(bucketMeta).Put(keyRewriteDue, []byte{1})
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if raw, _ := os.ReadFile(path); !bytes.Contains(raw, []byte(secret)) {
		t.Fatal("the erased id is not in the file before the rewrite: the test would prove nothing")
	}
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// The rewrite puts a new file in place of the old one.
	if after, err := os.Stat(path); err != nil || os.SameFile(before, after) {
		t.Errorf("Open did not rewrite the file (same file: %v, %v)", err == nil, err)
	}
	if raw, _ := os.ReadFile(path); bytes.Contains(raw, []byte(secret)) {
		t.Error("Open did not finish the rewrite: the erased id is still in the file")
	}
	if err := s.View(t.Context(), func(mentoring.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	due := true
	_ = s.view(func(btx *bolt.Tx) error { due = btx.Bucket(bucketMeta).Get(keyRewriteDue) != nil; return nil })
	if due {
		t.Error("the rewrite mark is still set after the rewrite")
	}
}
