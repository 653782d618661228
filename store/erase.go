package store

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// compactSuffix names the file a rewrite builds beside the database.
const compactSuffix = ".compact"

// compactTxSize bounds each transaction of the rewrite, so a large file is copied in
// pieces rather than held in memory whole.
const compactTxSize = 64 << 20

// Erase deletes every record of userID (mentoring.Tx): their participant record and
// goals, check-ins and period marks, the conversations remembered with them, whether
// they opened their Home tab, the kudos they received or wrote, their id in the text
// of other kudos and as anyone's manager, their side of every pairing (blanked, with the reasons, so
// partners keep only an anonymous count) and the index entries that name them. Update
// rewrites the file after the commit, since bbolt leaves deleted bytes in free pages.
func (t *tx) Erase(userID string) error {
	t.erased = true
	if err := t.anonymisePairings(userID); err != nil {
		return err
	}
	if err := t.Bucket(bucketParticipants).Delete([]byte(userID)); err != nil {
		return err
	}
	if err := t.clearManager(userID); err != nil {
		return err
	}
	if err := t.deleteProposalsOf(userID); err != nil {
		return err
	}
	if err := t.deleteKudosOf(userID); err != nil {
		return err
	}
	if err := t.deleteCheckinsOf(userID); err != nil {
		return err
	}
	if err := deletePrefix(t.Bucket(bucketScheduled), userPrefix(userID)); err != nil {
		return err
	}
	if err := t.Bucket(bucketHomeViewers).Delete([]byte(userID)); err != nil {
		return err
	}
	return deleteChannelsOf(t.Bucket(bucketChannels), userID)
}

// deleteChannelsOf deletes the remembered conversations userID is a member of.
func deleteChannelsOf(b *bolt.Bucket, userID string) error {
	var doomed [][]byte
	if err := b.ForEach(func(k, _ []byte) error {
		if slices.Contains(strings.Split(string(k), ","), userID) {
			doomed = append(doomed, slices.Clone(k))
		}
		return nil
	}); err != nil {
		return err
	}
	for _, k := range doomed {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) anonymisePairings(userID string) error {
	all, err := t.PairingsOf(userID)
	if err != nil {
		return err
	}
	for _, p := range all {
		p.Anonymise(userID)
		// Not PutPairing: a blanked pairing no longer passes Validate, by design.
		if err := putJSON(t.Bucket(bucketPairings), u64(p.ID), &p); err != nil {
			return err
		}
	}
	return deletePrefix(t.Bucket(bucketPairingsByUse), userPrefix(userID))
}

func (t *tx) clearManager(userID string) error {
	var changed []mentoring.Participant
	if err := each(t.Bucket(bucketParticipants), nil, func(_ []byte, p mentoring.Participant) error {
		avoid := slices.DeleteFunc(slices.Clone(p.Avoid), func(id string) bool { return id == userID })
		if p.ManagerID == userID || len(avoid) != len(p.Avoid) {
			if p.ManagerID == userID {
				p.ManagerID = ""
			}
			p.Avoid = avoid
			changed = append(changed, p)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, p := range changed {
		if err := putJSON(t.Bucket(bucketParticipants), []byte(p.ID), &p); err != nil {
			return err
		}
	}
	return nil
}

// erasedMention is what an erased person's id becomes in the text of kudos they
// neither gave nor received: a message that named them (a post that thanked several
// people, or an unlabelled <@U…> Slack sent) reads on without them.
const erasedMention = "someone"

// deleteKudosOf deletes the kudos userID gave or received, and writes their id out of
// the messages of the others, so no record keeps it.
func (t *tx) deleteKudosOf(userID string) error {
	named := regexp.MustCompile(`@?\b` + regexp.QuoteMeta(userID) + `\b`)
	var doomed, renamed []mentoring.Kudos
	if err := t.ForEachKudos(func(k mentoring.Kudos) error {
		switch {
		case k.ToID == userID || k.FromID == userID:
			doomed = append(doomed, k)
		case named.MatchString(k.Message):
			k.Message = named.ReplaceAllLiteralString(k.Message, erasedMention)
			renamed = append(renamed, k)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, k := range doomed {
		if err := t.Bucket(bucketKudos).Delete(u64(k.ID)); err != nil {
			return err
		}
		if err := t.Bucket(bucketKudosByTo).Delete(append(userPrefix(k.ToID), u64(k.ID)...)); err != nil {
			return err
		}
	}
	for _, k := range renamed {
		// Not AddKudos: the record keeps its id and index entry.
		if err := putJSON(t.Bucket(bucketKudos), u64(k.ID), &k); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) deleteCheckinsOf(userID string) error {
	var doomed [][]byte
	if err := each(t.Bucket(bucketCheckins), nil, func(k []byte, c mentoring.Checkin) error {
		if c.UserID == userID {
			doomed = append(doomed, slices.Clone(k))
		}
		return nil
	}); err != nil {
		return err
	}
	for _, k := range doomed {
		if err := t.Bucket(bucketCheckins).Delete(k); err != nil {
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
// Other calls wait while it runs.
func (s *Store) compact() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tmp := s.path + compactSuffix
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
	// The rewrite is done: clear its mark (a byte, no one's data, may stay in a free
	// page).
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Delete(keyRewriteDue) })
}

// finishRewrite rewrites the file when an erasure committed but its rewrite did not
// finish (a crash, a full disk): the erased bytes may still be in free pages. Open
// calls it, so they are gone before anything is served.
func (s *Store) finishRewrite() error {
	due := false
	if err := s.db.View(func(tx *bolt.Tx) error {
		due = tx.Bucket(bucketMeta).Get(keyRewriteDue) != nil
		return nil
	}); err != nil || !due {
		return err
	}
	if err := s.compact(); err != nil {
		return fmt.Errorf("finish the rewrite after an erasure in %s: %w", s.path, err)
	}
	s.caches.forget()
	return nil
}
