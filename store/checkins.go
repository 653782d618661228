package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

var (
	bucketCheckins  = []byte("checkins")  // pairing id, user id, 0, period key -> JSON Checkin
	bucketScheduled = []byte("scheduled") // user id, 0, period key -> nothing: handled this period
)

func checkinKey(pairingID uint64, userID, period string) []byte {
	k := binary.BigEndian.AppendUint64(nil, pairingID)
	k = append(k, userID...)
	k = append(k, 0)
	return append(k, period...)
}

func scheduledKey(userID, period string) []byte {
	return append(userPrefix(userID), period...)
}

// Scheduled is a scheduled message found due for a person and period (the period key
// names the kind), with the check-ins it asks for (one per pairing). Message nil means
// nothing is sent this period (the person is away, or there is nothing to recognise),
// which is recorded all the same.
type Scheduled struct {
	UserID   string
	Period   string
	Checkins []mentoring.Checkin
	Message  *Outgoing
}

// Handled reports, for each (user, period), whether it was already handled, in one
// read transaction; the scheduler asks before rendering anything.
func (s *Store) Handled(ctx context.Context, users, periods []string) ([]bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]bool, len(users))
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketScheduled)
		for i := range users {
			out[i] = b.Get(scheduledKey(users[i], periods[i])) != nil
		}
		return nil
	})
	return out, err
}

// QueueScheduled records each item as handled for its period and queues its message
// (and check-in), in one transaction, skipping items already handled: each person gets
// at most one message of each kind per period, across restarts and manual runs. It
// returns the messages queued.
func (s *Store) QueueScheduled(ctx context.Context, items []Scheduled) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	queued := 0
	err := s.update(func(tx *bolt.Tx) error {
		queued = 0
		marks := tx.Bucket(bucketScheduled)
		for _, it := range items {
			key := scheduledKey(it.UserID, it.Period)
			if marks.Get(key) != nil {
				continue
			}
			if err := marks.Put(key, nil); err != nil {
				return err
			}
			if it.Message == nil {
				continue
			}
			for _, c := range it.Checkins {
				if err := c.Validate(); err != nil {
					return err
				}
				if err := putJSON(tx.Bucket(bucketCheckins), checkinKey(c.PairingID, c.UserID, c.Period), &c); err != nil {
					return err
				}
			}
			if err := enqueue(tx, *it.Message, s.Now()); err != nil {
				return err
			}
			queued++
		}
		return nil
	})
	return queued, err
}

// AnswerCheckin lets fn change userID's check-in for that pairing and period, and
// returns it. Only the person it was sent to can answer it (ENOTFOUND otherwise). A
// "met" answer also records the meeting on the pairing, which nudges key off.
func (s *Store) AnswerCheckin(ctx context.Context, pairingID uint64, userID, period string, fn func(c *mentoring.Checkin) error) (*mentoring.Checkin, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var c mentoring.Checkin
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketCheckins)
		key := checkinKey(pairingID, userID, period)
		v := b.Get(key)
		if v == nil {
			return mentoring.Errorf(mentoring.ENOTFOUND, "That check-in is no longer open.")
		}
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("decode check-in: %w", err)
		}
		if err := fn(&c); err != nil {
			return err
		}
		now := s.Now()
		c.AnsweredAt = &now
		if err := c.Validate(); err != nil {
			return err
		}
		if err := putJSON(b, key, &c); err != nil {
			return err
		}
		if c.Answer != mentoring.AnswerMet {
			return nil
		}
		p, err := pairing(tx, binary.BigEndian.AppendUint64(nil, pairingID))
		if err != nil {
			return err
		}
		if p.LastMetAt == nil || p.LastMetAt.Before(now) {
			p.LastMetAt = &now
		}
		return putJSON(tx.Bucket(bucketPairings), binary.BigEndian.AppendUint64(nil, p.ID), p)
	})
	return &c, err
}

// CheckinsOf returns userID's check-ins for one pairing, oldest period first.
func (s *Store) CheckinsOf(ctx context.Context, pairingID uint64, userID string) ([]mentoring.Checkin, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []mentoring.Checkin
	prefix := checkinKey(pairingID, userID, "")
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketCheckins).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var ci mentoring.Checkin
			if err := json.Unmarshal(v, &ci); err != nil {
				return fmt.Errorf("decode check-in: %w", err)
			}
			out = append(out, ci)
		}
		return nil
	})
	return out, err
}

// forEachCheckin calls fn with every check-in and its key.
func forEachCheckin(tx *bolt.Tx, fn func(k []byte, c mentoring.Checkin) error) error {
	return tx.Bucket(bucketCheckins).ForEach(func(k, v []byte) error {
		var c mentoring.Checkin
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("decode check-in %x: %w", k, err)
		}
		return fn(k, c)
	})
}

// deleteCheckinsOf deletes userID's check-ins and scheduling marks.
func deleteCheckinsOf(tx *bolt.Tx, userID string) error {
	var doomed [][]byte
	if err := forEachCheckin(tx, func(k []byte, c mentoring.Checkin) error {
		if c.UserID == userID {
			doomed = append(doomed, bytes.Clone(k))
		}
		return nil
	}); err != nil {
		return err
	}
	for _, k := range doomed {
		if err := tx.Bucket(bucketCheckins).Delete(k); err != nil {
			return err
		}
	}
	return deletePrefix(tx.Bucket(bucketScheduled), userPrefix(userID))
}
