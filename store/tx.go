package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

var (
	bucketParticipants  = []byte("participants")     // user id -> JSON Participant
	bucketKudos         = []byte("kudos")            // big-endian id -> JSON Kudos
	bucketKudosByTo     = []byte("kudos_by_to")      // receiver id, 0, big-endian id -> nothing
	bucketPairings      = []byte("pairings")         // big-endian id -> JSON Pairing
	bucketPairingsByUse = []byte("pairings_by_user") // user id, 0, big-endian id -> nothing
	bucketOutbox        = []byte("outbox")           // big-endian id -> JSON Notice
	bucketCheckins      = []byte("checkins")         // pairing id, user id, 0, period key -> JSON Checkin
	bucketScheduled     = []byte("scheduled")        // user id, 0, period key -> nothing: handled this period
	bucketChannels      = []byte("channels")         // comma-joined user ids -> DM or group DM channel id
	bucketLimits        = []byte("limits")           // Slack method -> JSON learned rate limit
	bucketHomeViewers   = []byte("home_viewers")     // user id -> nothing: has opened their Home tab
	bucketErasures      = []byte("erasures")         // user id -> JSON Erasure: asked for, not yet finished
)

// View runs fn in one read transaction (mentoring.Store).
func (s *Store) View(ctx context.Context, fn func(tx mentoring.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.view(func(btx *bolt.Tx) error { return fn(&tx{Tx: btx, s: s}) })
}

// Update runs fn in one read-write transaction, committed when fn returns nil
// (mentoring.Store). When fn erased someone, the file is rewritten after the commit
// and before Update returns, so that no byte of them stays on disk.
func (s *Store) Update(ctx context.Context, fn func(tx mentoring.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	erased := false
	err := s.update(func(btx *bolt.Tx) error {
		t := &tx{Tx: btx, s: s}
		if err := fn(t); err != nil {
			return err
		}
		erased = t.erased
		if erased {
			return btx.Bucket(bucketMeta).Put(keyRewriteDue, []byte{1})
		}
		return nil
	})
	if err != nil || !erased {
		return err
	}
	// After the rewrite, which waits for every read under way: none of them can put a
	// decoded copy of the erased person back in the cache after it is emptied.
	err = s.compact()
	s.caches.forget()
	return err
}

// tx implements mentoring.Tx over one bbolt transaction. Values are decoded (copied)
// before they are returned, because bbolt's byte slices die with the transaction.
type tx struct {
	*bolt.Tx
	s      *Store
	erased bool
}

func u64(id uint64) []byte { return binary.BigEndian.AppendUint64(nil, id) }

// userPrefix starts an index key: the user id and a 0 byte, which sorts below every
// id character, so one user's keys are contiguous.
func userPrefix(userID string) []byte { return append([]byte(userID), 0) }

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %x: %w", key, err)
	}
	return b.Put(key, raw)
}

// get decodes the value at key into v; found is false when there is none.
func get(b *bolt.Bucket, key []byte, v any) (found bool, err error) {
	raw := b.Get(key)
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, fmt.Errorf("decode %x: %w", key, err)
	}
	return true, nil
}

// each decodes every value of b (or those under prefix) into a T and calls fn.
func each[T any](b *bolt.Bucket, prefix []byte, fn func(k []byte, v T) error) error {
	c := b.Cursor()
	for k, raw := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, raw = c.Next() {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("decode %x: %w", k, err)
		}
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) Participant(id string) (*mentoring.Participant, error) {
	var p mentoring.Participant
	found, err := get(t.Bucket(bucketParticipants), []byte(id), &p)
	switch {
	case err != nil:
		return nil, err
	case !found:
		return nil, mentoring.Errorf(mentoring.ENOTFOUND,
			"You haven't joined the mentoring programme yet. Type `/mentor join` to join.")
	}
	return &p, nil
}

func (t *tx) Participants() ([]mentoring.Participant, error) {
	return t.s.caches.participants.all(t.Bucket(bucketParticipants))
}

func (t *tx) PutParticipant(p *mentoring.Participant) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return putJSON(t.Bucket(bucketParticipants), []byte(p.ID), p)
}

func (t *tx) Pairing(id uint64) (*mentoring.Pairing, error) {
	var p mentoring.Pairing
	found, err := get(t.Bucket(bucketPairings), u64(id), &p)
	switch {
	case err != nil:
		return nil, err
	case !found:
		return nil, mentoring.Errorf(mentoring.ENOTFOUND, "That pairing no longer exists.")
	}
	return &p, nil
}

func (t *tx) Pairings() ([]mentoring.Pairing, error) {
	return t.s.caches.pairings.all(t.Bucket(bucketPairings))
}

func (t *tx) PairingsOf(userID string) ([]mentoring.Pairing, error) {
	prefix := userPrefix(userID)
	c := t.Bucket(bucketPairingsByUse).Cursor()
	var out []mentoring.Pairing
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		var p mentoring.Pairing
		found, err := get(t.Bucket(bucketPairings), k[len(prefix):], &p)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, fmt.Errorf("pairing %x: index points nowhere", k[len(prefix):])
		}
		out = append(out, p)
	}
	return out, nil
}

func (t *tx) PutPairing(p *mentoring.Pairing) error {
	if err := p.Validate(); err != nil {
		return err
	}
	b := t.Bucket(bucketPairings)
	if p.ID == 0 {
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		p.ID = id
		for _, u := range []string{p.MentorID, p.MenteeID} {
			if err := t.Bucket(bucketPairingsByUse).Put(append(userPrefix(u), u64(id)...), nil); err != nil {
				return err
			}
		}
	}
	return putJSON(b, u64(p.ID), p)
}

func checkinKey(pairingID uint64, userID, period string) []byte {
	k := u64(pairingID)
	k = append(k, userID...)
	k = append(k, 0)
	return append(k, period...)
}

func (t *tx) Checkin(pairingID uint64, userID, period string) (*mentoring.Checkin, error) {
	var c mentoring.Checkin
	found, err := get(t.Bucket(bucketCheckins), checkinKey(pairingID, userID, period), &c)
	switch {
	case err != nil:
		return nil, err
	case !found:
		return nil, mentoring.Errorf(mentoring.ENOTFOUND, "That check-in does not exist.")
	}
	return &c, nil
}

func (t *tx) CheckinsOf(pairingID uint64, userID string) ([]mentoring.Checkin, error) {
	var out []mentoring.Checkin
	err := each(t.Bucket(bucketCheckins), checkinKey(pairingID, userID, ""), func(_ []byte, c mentoring.Checkin) error {
		out = append(out, c)
		return nil
	})
	return out, err
}

func (t *tx) LastCheckins(pairingID uint64, userID string, n int) ([]mentoring.Checkin, error) {
	prefix := checkinKey(pairingID, userID, "")
	c := t.Bucket(bucketCheckins).Cursor()
	// Keys of one person's check-ins end in the period key, which sorts in time: start
	// past the last one and walk back.
	k, raw := c.Seek(append(bytes.Clone(prefix), 0xff))
	if k == nil {
		k, raw = c.Last()
	} else {
		k, raw = c.Prev()
	}
	var out []mentoring.Checkin
	for ; k != nil && bytes.HasPrefix(k, prefix) && len(out) < n; k, raw = c.Prev() {
		var ci mentoring.Checkin
		if err := json.Unmarshal(raw, &ci); err != nil {
			return nil, fmt.Errorf("decode %x: %w", k, err)
		}
		out = append(out, ci)
	}
	return out, nil
}

func (t *tx) ForEachCheckin(fn func(c mentoring.Checkin) error) error {
	return each(t.Bucket(bucketCheckins), nil, func(_ []byte, c mentoring.Checkin) error { return fn(c) })
}

func (t *tx) PutCheckin(c *mentoring.Checkin) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return putJSON(t.Bucket(bucketCheckins), checkinKey(c.PairingID, c.UserID, c.Period), c)
}

func scheduledKey(userID, period string) []byte { return append(userPrefix(userID), period...) }

func (t *tx) Handled(userID, period string) (bool, error) {
	return t.Bucket(bucketScheduled).Get(scheduledKey(userID, period)) != nil, nil
}

func (t *tx) MarkHandled(userID, period string) error {
	// An empty value, not nil: bbolt reads a nil value back as absent until commit.
	return t.Bucket(bucketScheduled).Put(scheduledKey(userID, period), []byte{})
}

func (t *tx) AddKudos(k *mentoring.Kudos) error {
	if err := k.Validate(); err != nil {
		return err
	}
	b := t.Bucket(bucketKudos)
	id, err := b.NextSequence()
	if err != nil {
		return err
	}
	k.ID = id
	if err := putJSON(b, u64(id), k); err != nil {
		return err
	}
	return t.Bucket(bucketKudosByTo).Put(append(userPrefix(k.ToID), u64(id)...), nil)
}

func (t *tx) KudosFor(userID string, limit int) ([]mentoring.Kudos, error) {
	// One receiver's keys are contiguous and oldest first: walk them backwards from
	// the first key after them.
	prefix := userPrefix(userID)
	c := t.Bucket(bucketKudosByTo).Cursor()
	k, _ := c.Seek(append([]byte(userID), 1))
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	var out []mentoring.Kudos
	for ; k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, _ = c.Prev() {
		var kd mentoring.Kudos
		found, err := get(t.Bucket(bucketKudos), k[len(prefix):], &kd)
		if err != nil {
			return nil, err
		}
		if found {
			out = append(out, kd)
		}
	}
	return out, nil
}

func (t *tx) ForEachKudos(fn func(k mentoring.Kudos) error) error {
	return each(t.Bucket(bucketKudos), nil, func(_ []byte, k mentoring.Kudos) error { return fn(k) })
}

func (t *tx) Enqueue(n mentoring.Notice) error {
	b := t.Bucket(bucketOutbox)
	id, err := b.NextSequence()
	if err != nil {
		return err
	}
	n.ID, n.CreatedAt = id, t.s.Now()
	return putJSON(b, u64(id), &n)
}

func (t *tx) RedactNotices(fn func(n *mentoring.Notice) bool) error {
	b := t.Bucket(bucketOutbox)
	var keep []mentoring.Notice
	var drop [][]byte
	if err := each(b, nil, func(k []byte, n mentoring.Notice) error {
		if fn(&n) {
			keep = append(keep, n)
		} else {
			drop = append(drop, slices.Clone(k))
		}
		return nil
	}); err != nil {
		return err
	}
	for _, k := range drop {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	for _, n := range keep {
		if err := putJSON(b, u64(n.ID), &n); err != nil {
			return err
		}
	}
	return nil
}
