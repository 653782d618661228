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
	bucketParticipants = []byte("participants") // user id -> JSON Participant
	bucketKudos        = []byte("kudos")        // big-endian id -> JSON Kudos
	bucketKudosByTo    = []byte("kudos_by_to")  // receiver id, 0, big-endian id -> nothing
)

// Participant returns the participant with that Slack user id, or an ENOTFOUND error
// when they never joined (or were forgotten).
func (s *Store) Participant(ctx context.Context, id string) (*mentoring.Participant, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var p *mentoring.Participant
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		p, err = participant(tx, id)
		return err
	})
	return p, err
}

// UpdateParticipant reads the participant, lets fn change it, validates and saves it,
// all in one transaction, and returns the saved value. With create, a person who has
// not joined starts as a zero Participant with only ID set (fn sees existed false);
// without, they get ENOTFOUND. An error from fn or from validation aborts the change.
func (s *Store) UpdateParticipant(ctx context.Context, id string, create bool,
	fn func(p *mentoring.Participant, existed bool) error) (*mentoring.Participant, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var p *mentoring.Participant
	err := s.update(func(tx *bolt.Tx) error {
		var err error
		p, err = participant(tx, id)
		existed := err == nil
		switch {
		case err != nil && !(create && mentoring.ErrorCode(err) == mentoring.ENOTFOUND):
			return err
		case !existed:
			p = &mentoring.Participant{ID: id}
		}
		if err := fn(p, existed); err != nil {
			return err
		}
		if err := p.Validate(); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bucketParticipants), []byte(id), p)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Participants returns everyone who has joined, left ones included, in id order.
func (s *Store) Participants(ctx context.Context) ([]mentoring.Participant, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []mentoring.Participant
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketParticipants).ForEach(func(k, v []byte) error {
			var p mentoring.Participant
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("decode participant %s: %w", k, err)
			}
			out = append(out, p)
			return nil
		})
	})
	return out, err
}

func participant(tx *bolt.Tx, id string) (*mentoring.Participant, error) {
	v := tx.Bucket(bucketParticipants).Get([]byte(id))
	if v == nil {
		return nil, mentoring.Errorf(mentoring.ENOTFOUND,
			"You haven't joined the mentoring programme yet. Type `/mentor join` to join.")
	}
	var p mentoring.Participant
	if err := json.Unmarshal(v, &p); err != nil {
		return nil, fmt.Errorf("decode participant %s: %w", id, err)
	}
	return &p, nil
}

// AddKudos validates and records kudos, assigning their id.
func (s *Store) AddKudos(ctx context.Context, k mentoring.Kudos) (mentoring.Kudos, error) {
	if err := ctx.Err(); err != nil {
		return k, err
	}
	if err := k.Validate(); err != nil {
		return k, err
	}
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketKudos)
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		k.ID = id
		key := binary.BigEndian.AppendUint64(nil, id)
		if err := putJSON(b, key, &k); err != nil {
			return err
		}
		return tx.Bucket(bucketKudosByTo).Put(append(kudosToPrefix(k.ToID), key...), nil)
	})
	return k, err
}

// KudosFor returns up to limit kudos received by userID, newest first.
func (s *Store) KudosFor(ctx context.Context, userID string, limit int) ([]mentoring.Kudos, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []mentoring.Kudos
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		out, err = kudosFor(tx, userID, limit)
		return err
	})
	return out, err
}

func kudosFor(tx *bolt.Tx, userID string, limit int) ([]mentoring.Kudos, error) {
	// Keys are the receiver id, a 0 byte, then the kudos id: the 0 sorts below every
	// id character, so one receiver's keys are contiguous and newest last.
	prefix := kudosToPrefix(userID)
	c := tx.Bucket(bucketKudosByTo).Cursor()
	k, _ := c.Seek(append([]byte(userID), 1))
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	var out []mentoring.Kudos
	for ; k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, _ = c.Prev() {
		v := tx.Bucket(bucketKudos).Get(k[len(prefix):])
		if v == nil {
			continue
		}
		var kd mentoring.Kudos
		if err := json.Unmarshal(v, &kd); err != nil {
			return nil, fmt.Errorf("decode kudos: %w", err)
		}
		out = append(out, kd)
	}
	return out, nil
}

func kudosToPrefix(userID string) []byte { return append([]byte(userID), 0) }

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return b.Put(key, raw)
}

// PersonalData is everything stored about one person, for /mentor mydata.
type PersonalData struct {
	Participant   *mentoring.Participant `json:"participant"`
	Pairings      []mentoring.Pairing    `json:"pairings"`
	KudosReceived []mentoring.Kudos      `json:"kudos_received"`
	KudosGiven    []mentoring.Kudos      `json:"kudos_given"`
	Checkins      []mentoring.Checkin    `json:"checkins"`
}

// PersonalData gathers everything stored about userID in one read transaction. A
// person who never joined may still have kudos.
func (s *Store) PersonalData(ctx context.Context, userID string) (PersonalData, error) {
	var d PersonalData
	if err := ctx.Err(); err != nil {
		return d, err
	}
	err := s.view(func(tx *bolt.Tx) error {
		p, err := participant(tx, userID)
		if err != nil && mentoring.ErrorCode(err) != mentoring.ENOTFOUND {
			return err
		}
		d.Participant = p
		if d.Pairings, err = pairingsOf(tx, userID); err != nil {
			return err
		}
		if err := forEachCheckin(tx, func(_ []byte, c mentoring.Checkin) error {
			if c.UserID == userID {
				d.Checkins = append(d.Checkins, c)
			}
			return nil
		}); err != nil {
			return err
		}
		return tx.Bucket(bucketKudos).ForEach(func(k, v []byte) error {
			var kd mentoring.Kudos
			if err := json.Unmarshal(v, &kd); err != nil {
				return fmt.Errorf("decode kudos %x: %w", k, err)
			}
			if kd.ToID == userID {
				d.KudosReceived = append(d.KudosReceived, kd)
			}
			if kd.FromID == userID {
				d.KudosGiven = append(d.KudosGiven, kd)
			}
			return nil
		})
	})
	return d, err
}
