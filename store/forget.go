package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// compactTxSize bounds each transaction of the rewrite, so a large file is copied in
// pieces rather than held in memory whole.
const compactTxSize = 64 << 20

// Forget erases everything stored about userID and then rewrites the file, so that no
// trace of their id or their words stays on disk (bbolt leaves deleted bytes in free
// pages until they are reused). In one transaction it ends their active pairings
// (queueing notice for each partner, which must not name them), deletes their record
// and goals, their check-ins, the kudos they received and wrote, and messages queued
// for them; clears
// them as anyone's manager; and blanks their side of every pairing, so partners keep
// only an anonymous count of past pairings. Other calls wait during the rewrite.
func (s *Store) Forget(ctx context.Context, userID string, notice func(partnerID string) Outgoing) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.update(func(tx *bolt.Tx) error {
		now := s.Now()
		if _, err := endPairings(tx, userID, "forgotten", now, func(partner string, _ mentoring.Pairing) Outgoing {
			return notice(partner)
		}); err != nil {
			return err
		}
		if err := anonymisePairings(tx, userID); err != nil {
			return err
		}
		if err := tx.Bucket(bucketParticipants).Delete([]byte(userID)); err != nil {
			return err
		}
		if err := clearManager(tx, userID); err != nil {
			return err
		}
		if err := deleteKudosOf(tx, userID); err != nil {
			return err
		}
		if err := deleteCheckinsOf(tx, userID); err != nil {
			return err
		}
		return dropOutgoingTo(tx, userID)
	})
	if err != nil {
		return fmt.Errorf("forget: %w", err)
	}
	return s.compact()
}

// anonymisePairings blanks userID in every pairing they were part of and drops their
// index entries.
func anonymisePairings(tx *bolt.Tx, userID string) error {
	all, err := pairingsOf(tx, userID)
	if err != nil {
		return err
	}
	for _, p := range all {
		if p.MentorID == userID {
			p.MentorID = ""
		}
		if p.MenteeID == userID {
			p.MenteeID = ""
		}
		p.Reasons = mentoring.Reasons{}
		if err := putJSON(tx.Bucket(bucketPairings), binary.BigEndian.AppendUint64(nil, p.ID), &p); err != nil {
			return err
		}
	}
	return deletePrefix(tx.Bucket(bucketPairingsByUse), userPrefix(userID))
}

func clearManager(tx *bolt.Tx, userID string) error {
	b := tx.Bucket(bucketParticipants)
	var changed []mentoring.Participant
	err := b.ForEach(func(k, v []byte) error {
		var p mentoring.Participant
		if err := json.Unmarshal(v, &p); err != nil {
			return fmt.Errorf("decode participant %s: %w", k, err)
		}
		if p.ManagerID == userID {
			p.ManagerID = ""
			changed = append(changed, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, p := range changed {
		if err := putJSON(b, []byte(p.ID), &p); err != nil {
			return err
		}
	}
	return nil
}

// deleteKudosOf deletes kudos userID received or wrote.
func deleteKudosOf(tx *bolt.Tx, userID string) error {
	kudos, byTo := tx.Bucket(bucketKudos), tx.Bucket(bucketKudosByTo)
	var doomed []mentoring.Kudos
	err := kudos.ForEach(func(k, v []byte) error {
		var kd mentoring.Kudos
		if err := json.Unmarshal(v, &kd); err != nil {
			return fmt.Errorf("decode kudos %x: %w", k, err)
		}
		if kd.ToID == userID || kd.FromID == userID {
			doomed = append(doomed, kd)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, kd := range doomed {
		key := binary.BigEndian.AppendUint64(nil, kd.ID)
		if err := kudos.Delete(key); err != nil {
			return err
		}
		if err := byTo.Delete(append(kudosToPrefix(kd.ToID), key...)); err != nil {
			return err
		}
	}
	return nil
}

func deletePrefix(b *bolt.Bucket, prefix []byte) error {
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, slices.Clone(k))
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// compact rewrites the database into a new file holding only live data, then puts it
// in place of the old one. The new file is opened (and so locked) before the rename
// and kept open after it, so no other process can take the path in between; the old
// file's blocks, with whatever deleted bytes they held, are freed when it is closed.
func (s *Store) compact() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tmp := s.path + ".compact"
	_ = os.Remove(tmp)
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: LockTimeout, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return fmt.Errorf("compact: open %s: %w", tmp, err)
	}
	fail := func(err error) error {
		dst.Close()
		os.Remove(tmp)
		return fmt.Errorf("compact %s: %w", s.path, err)
	}
	if err := bolt.Compact(dst, s.db, compactTxSize); err != nil {
		return fail(err)
	}
	if err := dst.Sync(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, s.path); err != nil {
		return fail(err)
	}
	if d, err := os.Open(filepath.Dir(s.path)); err == nil {
		// Make the rename itself durable.
		_ = d.Sync()
		d.Close()
	}
	dst.NoSync = s.db.NoSync
	old := s.db
	s.db = dst
	if err := old.Close(); err != nil {
		return fmt.Errorf("compact: close the old file: %w", err)
	}
	return nil
}
