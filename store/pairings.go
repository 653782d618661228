package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

var (
	bucketPairings      = []byte("pairings")         // big-endian id -> JSON Pairing
	bucketPairingsByUse = []byte("pairings_by_user") // user id, 0, big-endian id -> nothing
)

// RoundPair is a pairing a round wants to make, with the intro to send once it is
// stored. The store assigns the pairing's ID.
type RoundPair struct {
	Pairing mentoring.Pairing
	Intro   Outgoing
}

// ApplyRound stores a round in one transaction: each pair whose members are still
// free to pair (joined, not left, mentee not already paired, mentor under capacity),
// its intro, and the notices (unmatched mentees' DMs). Pairs no longer possible are
// skipped, with their intros. It returns the pairings made, with their IDs.
func (s *Store) ApplyRound(ctx context.Context, pairs []RoundPair, notices []Outgoing) ([]mentoring.Pairing, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var made []mentoring.Pairing
	err := s.update(func(tx *bolt.Tx) error {
		made = nil
		for _, rp := range pairs {
			p := rp.Pairing
			ok, err := canPair(tx, p.MenteeID, p.MentorID)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if err := putPairing(tx, &p); err != nil {
				return err
			}
			if err := enqueue(tx, rp.Intro, s.Now()); err != nil {
				return err
			}
			made = append(made, p)
		}
		for _, n := range notices {
			if err := enqueue(tx, n, s.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	return made, err
}

// canPair reports whether mentee and mentor may be paired now.
func canPair(tx *bolt.Tx, menteeID, mentorID string) (bool, error) {
	mentee, err := participant(tx, menteeID)
	if err != nil {
		return false, ignoreNotFound(err)
	}
	mentor, err := participant(tx, mentorID)
	if err != nil {
		return false, ignoreNotFound(err)
	}
	if mentee.LeftAt != nil || mentor.LeftAt != nil || !mentee.Role.Mentored() || !mentor.Role.Mentors() {
		return false, nil
	}
	menteePairs, err := activePairings(tx, menteeID)
	if err != nil {
		return false, err
	}
	for _, p := range menteePairs {
		if p.MenteeID == menteeID {
			return false, nil
		}
	}
	mentorPairs, err := activePairings(tx, mentorID)
	if err != nil {
		return false, err
	}
	mentees := 0
	for _, p := range mentorPairs {
		if p.MentorID == mentorID {
			mentees++
		}
	}
	return mentees < mentor.Capacity, nil
}

func ignoreNotFound(err error) error {
	if mentoring.ErrorCode(err) == mentoring.ENOTFOUND {
		return nil
	}
	return err
}

func putPairing(tx *bolt.Tx, p *mentoring.Pairing) error {
	if err := p.Validate(); err != nil {
		return err
	}
	b := tx.Bucket(bucketPairings)
	if p.ID == 0 {
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		p.ID = id
		idx := tx.Bucket(bucketPairingsByUse)
		key := binary.BigEndian.AppendUint64(nil, id)
		for _, u := range []string{p.MentorID, p.MenteeID} {
			if err := idx.Put(append(userPrefix(u), key...), nil); err != nil {
				return err
			}
		}
	}
	return putJSON(b, binary.BigEndian.AppendUint64(nil, p.ID), p)
}

// userPrefix starts an index key: the user id and a 0 byte, which sorts below every
// id character, so one user's keys are contiguous.
func userPrefix(userID string) []byte { return append([]byte(userID), 0) }

// pairingsOf returns every pairing userID was part of, oldest first.
func pairingsOf(tx *bolt.Tx, userID string) ([]mentoring.Pairing, error) {
	prefix := userPrefix(userID)
	c := tx.Bucket(bucketPairingsByUse).Cursor()
	var out []mentoring.Pairing
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		p, err := pairing(tx, k[len(prefix):])
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, nil
}

func activePairings(tx *bolt.Tx, userID string) ([]mentoring.Pairing, error) {
	all, err := pairingsOf(tx, userID)
	if err != nil {
		return nil, err
	}
	active := all[:0]
	for _, p := range all {
		if p.Active() {
			active = append(active, p)
		}
	}
	return active, nil
}

func pairing(tx *bolt.Tx, key []byte) (*mentoring.Pairing, error) {
	v := tx.Bucket(bucketPairings).Get(key)
	if v == nil {
		return nil, fmt.Errorf("pairing %x: index points nowhere", key)
	}
	var p mentoring.Pairing
	if err := json.Unmarshal(v, &p); err != nil {
		return nil, fmt.Errorf("decode pairing %x: %w", key, err)
	}
	return &p, nil
}

// ActivePairings returns the pairings userID is part of now.
func (s *Store) ActivePairings(ctx context.Context, userID string) ([]mentoring.Pairing, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []mentoring.Pairing
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		out, err = activePairings(tx, userID)
		return err
	})
	return out, err
}

// Pairings returns every pairing, ended ones included, oldest first.
func (s *Store) Pairings(ctx context.Context) ([]mentoring.Pairing, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []mentoring.Pairing
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPairings).ForEach(func(k, v []byte) error {
			var p mentoring.Pairing
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("decode pairing %x: %w", k, err)
			}
			out = append(out, p)
			return nil
		})
	})
	return out, err
}

// Leave ends userID's membership and active pairings (reason "left") in one
// transaction, queueing notice(partner, pairing) for each partner. It returns the
// pairings it ended.
func (s *Store) Leave(ctx context.Context, userID string, notice func(partnerID string, p mentoring.Pairing) Outgoing) ([]mentoring.Pairing, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var ended []mentoring.Pairing
	err := s.update(func(tx *bolt.Tx) error {
		p, err := participant(tx, userID)
		if err != nil {
			return err
		}
		if p.LeftAt != nil {
			return mentoring.Errorf(mentoring.ENOTFOUND, "You already left the programme. Type `/mentor join` to join again.")
		}
		now := s.Now()
		p.LeftAt = &now
		if err := putJSON(tx.Bucket(bucketParticipants), []byte(userID), p); err != nil {
			return err
		}
		ended, err = endPairings(tx, userID, "left", now, notice)
		return err
	})
	return ended, err
}

// Rematch ends userID's active pairings without blame (reason "rematch"), so that the
// two are never paired again, queueing notice for each partner.
func (s *Store) Rematch(ctx context.Context, userID string, notice func(partnerID string, p mentoring.Pairing) Outgoing) ([]mentoring.Pairing, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var ended []mentoring.Pairing
	err := s.update(func(tx *bolt.Tx) error {
		var err error
		ended, err = endPairings(tx, userID, "rematch", s.Now(), notice)
		return err
	})
	return ended, err
}

func endPairings(tx *bolt.Tx, userID, reason string, now time.Time, notice func(string, mentoring.Pairing) Outgoing) ([]mentoring.Pairing, error) {
	active, err := activePairings(tx, userID)
	if err != nil {
		return nil, err
	}
	for i := range active {
		p := &active[i]
		p.EndedAt, p.EndReason = &now, reason
		if err := putPairing(tx, p); err != nil {
			return nil, err
		}
		if notice != nil {
			if err := enqueue(tx, notice(p.Partner(userID), *p), now); err != nil {
				return nil, err
			}
		}
	}
	return active, nil
}
