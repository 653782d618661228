package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

var bucketOutbox = []byte("outbox") // big-endian id -> JSON Outgoing

// Outgoing is a message waiting to be sent. It is written in the same transaction as
// the change it tells people about, so a crash loses no message; the sender deletes
// it once Slack has it. Payload is the sender's own rendering, opaque to the store.
type Outgoing struct {
	ID uint64 `json:"id"`
	// Kind is the message's metadata event_type (e.g. mentorbot_intro).
	Kind string `json:"kind"`
	// To are the recipients: one user gets a DM, several a group DM.
	To      []string        `json:"to"`
	Payload json.RawMessage `json:"payload"`
	// Attempts counts sends started. A send started but not confirmed may have
	// reached Slack, so the sender checks the DM's history before trying again.
	Attempts  int       `json:"attempts"`
	NotBefore time.Time `json:"not_before,omitzero"`
	CreatedAt time.Time `json:"created_at"`
}

func enqueue(tx *bolt.Tx, o Outgoing, now time.Time) error {
	b := tx.Bucket(bucketOutbox)
	id, err := b.NextSequence()
	if err != nil {
		return err
	}
	o.ID, o.CreatedAt = id, now
	return putJSON(b, binary.BigEndian.AppendUint64(nil, id), &o)
}

// Enqueue adds messages to the outbox in one transaction.
func (s *Store) Enqueue(ctx context.Context, msgs ...Outgoing) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		for _, o := range msgs {
			if err := enqueue(tx, o, s.Now()); err != nil {
				return err
			}
		}
		return nil
	})
}

// Due returns up to limit messages whose NotBefore has passed, oldest first.
func (s *Store) Due(ctx context.Context, limit int) ([]Outgoing, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := s.Now()
	var out []Outgoing
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketOutbox).Cursor()
		for k, v := c.First(); k != nil && len(out) < limit; k, v = c.Next() {
			var o Outgoing
			if err := json.Unmarshal(v, &o); err != nil {
				return fmt.Errorf("decode outgoing %x: %w", k, err)
			}
			if !o.NotBefore.After(now) {
				out = append(out, o)
			}
		}
		return nil
	})
	return out, err
}

// StartSend records that a send of message id is starting and returns the message as
// it was before (its Attempts tell whether an earlier send may have gone out). It
// returns ok false when the message is no longer queued.
func (s *Store) StartSend(ctx context.Context, id uint64) (o Outgoing, ok bool, err error) {
	err = s.changeOutgoing(ctx, id, func(_ *bolt.Tx, cur *Outgoing) (bool, error) {
		o, ok = *cur, true
		cur.Attempts++
		return true, nil
	})
	return o, ok, err
}

// Defer postpones message id until t (Slack asked us to wait).
func (s *Store) Defer(ctx context.Context, id uint64, t time.Time) error {
	return s.changeOutgoing(ctx, id, func(_ *bolt.Tx, o *Outgoing) (bool, error) { o.NotBefore = t; return true, nil })
}

// Sent removes message id from the outbox: it was delivered, or it never can be.
func (s *Store) Sent(ctx context.Context, id uint64) error {
	return s.changeOutgoing(ctx, id, func(*bolt.Tx, *Outgoing) (bool, error) { return false, nil })
}

// changeOutgoing applies fn to message id in one transaction; fn returning false
// deletes it. A message no longer queued is left alone.
func (s *Store) changeOutgoing(ctx context.Context, id uint64, fn func(tx *bolt.Tx, o *Outgoing) (keep bool, err error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOutbox)
		key := binary.BigEndian.AppendUint64(nil, id)
		v := b.Get(key)
		if v == nil {
			return nil
		}
		var o Outgoing
		if err := json.Unmarshal(v, &o); err != nil {
			return fmt.Errorf("decode outgoing %d: %w", id, err)
		}
		keep, err := fn(tx, &o)
		switch {
		case err != nil:
			return err
		case !keep:
			return b.Delete(key)
		}
		return putJSON(b, key, &o)
	})
}

// dropOutgoingTo deletes queued messages addressed to userID.
func dropOutgoingTo(tx *bolt.Tx, userID string) error {
	c := tx.Bucket(bucketOutbox).Cursor()
	for k, v := c.First(); k != nil; {
		var o Outgoing
		if err := json.Unmarshal(v, &o); err != nil {
			return fmt.Errorf("decode outgoing %x: %w", k, err)
		}
		if slices.Contains(o.To, userID) {
			if err := c.Delete(); err != nil {
				return err
			}
			k, v = c.Seek(k)
			continue
		}
		k, v = c.Next()
	}
	return nil
}

// Split replaces group message id with one message per recipient, in one transaction,
// for when a group conversation cannot be opened: "a DM to each" instead.
func (s *Store) Split(ctx context.Context, id uint64) error {
	return s.changeOutgoing(ctx, id, func(tx *bolt.Tx, o *Outgoing) (bool, error) {
		if len(o.To) < 2 {
			return true, nil
		}
		for _, to := range o.To {
			if err := enqueue(tx, Outgoing{Kind: o.Kind, To: []string{to}, Payload: o.Payload}, s.Now()); err != nil {
				return false, err
			}
		}
		return false, nil
	})
}
