package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// closedWith writes a database at path holding the people ids, and closes it.
func closedWith(t *testing.T, path string, ids ...string) {
	t.Helper()
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	update(t, s, func(tx mentoring.Tx) error {
		for _, id := range ids {
			p := person(id, mentoring.RoleMentee)
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

// peopleIn returns the ids of the people in the database at path.
func peopleIn(t *testing.T, path string) []string {
	t.Helper()
	s, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var ids []string
	view(t, s, func(tx mentoring.Tx) error {
		all, err := tx.Participants()
		for _, p := range all {
			ids = append(ids, p.ID)
		}
		return err
	})
	return ids
}

func TestRestore(t *testing.T) {
	dir := t.TempDir()
	backup, path := filepath.Join(dir, "backup.db"), filepath.Join(dir, "mentorbot.db")
	closedWith(t, backup, "UALICE", "UBERT")
	closedWith(t, path, "UCHEN")
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	got, err := Restore(backup, path, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := path + ".before-restore-20261201T093000Z"; got.Kept != want || got.Schema != uint64(len(migrations)) || got.Bytes == 0 {
		t.Errorf("Restore = %+v, want Kept %s, schema %d and a size", got, want, len(migrations))
	}
	if ids := peopleIn(t, path); strings.Join(ids, ",") != "UALICE,UBERT" {
		t.Errorf("people after the restore = %v, want the backup's", ids)
	}
	if kept, err := os.ReadFile(got.Kept); err != nil || !bytes.Equal(kept, old) {
		t.Errorf("the kept file is not the old database (%v)", err)
	}
	for _, f := range []string{path, got.Kept} {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v; want mode 0600", f, fi, err)
		}
	}
	// A second restore in the same second keeps the first's kept file.
	again, err := Restore(backup, path, now)
	if err != nil || again.Kept == got.Kept {
		t.Errorf("second Restore = %+v, %v; want another kept file", again, err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".restore-") {
			t.Errorf("Restore left %s behind", e.Name())
		}
	}
}

func TestRestoreIntoNothing(t *testing.T) {
	dir := t.TempDir()
	backup, path := filepath.Join(dir, "backup.db"), filepath.Join(dir, "mentorbot.db")
	closedWith(t, backup, "UALICE")
	got, err := Restore(backup, path, time.Now())
	if err != nil || got.Kept != "" {
		t.Fatalf("Restore = %+v, %v; want no kept file", got, err)
	}
	if ids := peopleIn(t, path); len(ids) != 1 || ids[0] != "UALICE" {
		t.Errorf("people after the restore = %v", ids)
	}
}

// TestRestoreRefuses: nothing changes while the database is open, or when the backup
// is damaged, some other program's, or newer than this binary.
func TestRestoreRefuses(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	closedWith(t, good, "UALICE")
	raw, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.db")
	if err := os.WriteFile(cut, raw[:len(raw)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.db")
	putRaw(t, other, func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("widgets")); return err })
	newer := filepath.Join(dir, "newer.db")
	closedWith(t, newer)
	putRaw(t, newer, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchemaVersion, u64(uint64(len(migrations)+1)))
	})

	path := filepath.Join(dir, "mentorbot.db")
	closedWith(t, path, "UCHEN")
	tests := []struct {
		name, from string
		hold       bool // the database is open, as a running bot holds it
		want       error
		wantText   string
	}{
		{"in use", good, true, ErrInUse, ""},
		{"damaged", cut, false, ErrDamaged, ""},
		{"another program's", other, false, ErrDamaged, "no meta bucket"},
		{"newer", newer, false, nil, "newer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.hold {
				s, err := Open(path, Options{})
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
			}
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, err = Restore(tt.from, path, time.Now())
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) || !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("Restore = %v, want %v %q", err, tt.want, tt.wantText)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("Restore took %v to refuse", d)
			}
			if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, before) {
				t.Errorf("the database changed (%v)", err)
			}
			if kept, _ := filepath.Glob(path + ".before-restore-*"); len(kept) > 0 {
				t.Errorf("a refused Restore kept %v", kept)
			}
		})
	}
}

// TestCheckAnswersWhileBusy holds the store as a rewrite after an erasure does: Check
// must still return when its context ends, and callers that time out must share one
// look at the file rather than pile up goroutines.
func TestCheckAnswersWhileBusy(t *testing.T) {
	s := openTest(t)
	s.mu.Lock()
	for range 20 {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		start := time.Now()
		err := s.Check(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Check of a busy store = %v, want a deadline error", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("Check of a busy store took %v", d)
		}
	}
	s.probeMu.Lock()
	started := s.probes
	s.probeMu.Unlock()
	if started != 1 {
		t.Errorf("20 timed-out Checks started %d looks at the file, want 1 shared", started)
	}
	s.mu.Unlock()
	if err := s.Check(t.Context()); err != nil {
		t.Errorf("Check once the store is free = %v", err)
	}
}

// TestSnapshotHoldsNoTransaction takes a snapshot and leaves it unread while the file
// grows to several times its size (bbolt remaps it, which waits for every read
// transaction): the writes must not wait, and the snapshot is still the database as
// it was.
func TestSnapshotHoldsNoTransaction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.db")
	fillForVerify(t, path)
	s := openAt(t, path)
	f, n, err := s.Snapshot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("files beside the database while a snapshot is open: %v, want none", entries)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- s.Update(context.Background(), func(tx mentoring.Tx) error {
			for i := range 2000 {
				p := person(fmt.Sprintf("UGROW%05d", i), mentoring.RoleMentee)
				p.Team = strings.Repeat("g", mentoring.MaxTeamLen)
				p.Goals = []mentoring.Goal{{Text: strings.Repeat("x", mentoring.MaxGoalLen)}}
				if err := tx.PutParticipant(&p); err != nil {
					return err
				}
			}
			return nil
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a write that grows the file waited 10 s behind an unread snapshot")
	}
	if after, _ := os.Stat(path); after.Size() <= 2*fi.Size() {
		t.Fatalf("the file grew from %d to %d bytes only: no remap was needed", fi.Size(), after.Size())
	}
	raw, err := io.ReadAll(f)
	if err != nil || int64(len(raw)) != n {
		t.Fatalf("read %d of %d snapshot bytes: %v", len(raw), n, err)
	}
	copyPath := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(copyPath, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if ids := peopleIn(t, copyPath); len(ids) != 200 {
		t.Errorf("the snapshot holds %d people, want the 200 from before", len(ids))
	}
}
