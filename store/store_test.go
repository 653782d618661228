package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// openTest opens a real store in a temp dir and, at cleanup, checks the file's
// consistency and closes it.
func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "test.db"), Options{})
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
	if err := s.Check(context.Background()); err != nil {
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
	if err := s.Check(context.Background()); err != nil {
		t.Errorf("first store after refused second open: %v", err)
	}
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
			err := s.db.Update(func(tx *bolt.Tx) error {
				if tt.have < 0 {
					if err := tx.DeleteBucket(bucketMeta); err != nil {
						return err
					}
				} else if err := tx.Bucket(bucketMeta).Put(keySchemaVersion, binary.BigEndian.AppendUint64(nil, uint64(tt.have))); err != nil {
					return err
				}
				ran = nil
				return migrate(tx, steps)
			})
			if (err != nil) != tt.wantErr {
				t.Fatalf("migrate error = %v, wantErr %v", err, tt.wantErr)
			}
			if !slices.Equal(ran, tt.wantRan) {
				t.Errorf("ran %v, want %v", ran, tt.wantRan)
			}
		})
	}
}

func TestBackupIsAValidDatabase(t *testing.T) {
	s := openTest(t)
	var buf bytes.Buffer
	n, err := s.Backup(context.Background(), &buf)
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
	v, err := c.SchemaVersion()
	if err != nil || v != uint64(len(migrations)) {
		t.Errorf("backup schema version = %d, %v; want %d", v, err, len(migrations))
	}
}
