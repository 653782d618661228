package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// The outbox, as delivery sees it: notices are queued by the core's transactions
// (tx.Enqueue) and leave the outbox through these methods, one transaction each.

// Due returns up to limit queued notices whose NotBefore has passed, oldest first.
func (s *Store) Due(ctx context.Context, limit int) ([]mentoring.Notice, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := s.Now()
	var out []mentoring.Notice
	err := s.view(func(btx *bolt.Tx) error {
		c := btx.Bucket(bucketOutbox).Cursor()
		for k, v := c.First(); k != nil && len(out) < limit; k, v = c.Next() {
			var n mentoring.Notice
			if err := json.Unmarshal(v, &n); err != nil {
				return fmt.Errorf("decode notice %x: %w", k, err)
			}
			if !n.NotBefore.After(now) {
				out = append(out, n)
			}
		}
		return nil
	})
	return out, err
}

// StartSend records that a send of notice id is starting and returns the notice as it
// was before (its Attempts tell whether an earlier send may have gone out). ok is
// false when the notice is no longer queued (sent, or redacted by an erasure).
func (s *Store) StartSend(ctx context.Context, id uint64) (n mentoring.Notice, ok bool, err error) {
	err = s.changeNotice(ctx, id, func(_ *tx, cur *mentoring.Notice) (bool, error) {
		n, ok = *cur, true
		cur.Attempts++
		return true, nil
	})
	return n, ok, err
}

// Defer postpones notice id until t.
func (s *Store) Defer(ctx context.Context, id uint64, t time.Time) error {
	return s.changeNotice(ctx, id, func(_ *tx, n *mentoring.Notice) (bool, error) { n.NotBefore = t; return true, nil })
}

// Sent removes notice id from the outbox: it was delivered, or it never can be.
func (s *Store) Sent(ctx context.Context, id uint64) error {
	return s.changeNotice(ctx, id, func(*tx, *mentoring.Notice) (bool, error) { return false, nil })
}

// Split replaces group notice id with one notice per recipient, in one transaction,
// for when no group conversation can be had: a DM to each instead.
func (s *Store) Split(ctx context.Context, id uint64) error {
	return s.changeNotice(ctx, id, func(t *tx, n *mentoring.Notice) (bool, error) {
		if len(n.To) < 2 {
			return true, nil
		}
		for _, to := range n.To {
			one := *n
			one.To, one.Attempts, one.NotBefore = []string{to}, 0, time.Time{}
			if err := t.Enqueue(one); err != nil {
				return false, err
			}
		}
		return false, nil
	})
}

// changeNotice applies fn to notice id in one transaction; fn returning false deletes
// it. A notice no longer queued is left alone. Delivery sends many notices at once, so
// these transactions are batched: concurrent calls share one fsync. fn may run more
// than once, each time on the notice as stored.
func (s *Store) changeNotice(ctx context.Context, id uint64, fn func(t *tx, n *mentoring.Notice) (keep bool, err error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.batch(func(btx *bolt.Tx) error {
		t := &tx{Tx: btx, s: s}
		b := btx.Bucket(bucketOutbox)
		var n mentoring.Notice
		found, err := get(b, u64(id), &n)
		if err != nil || !found {
			return err
		}
		keep, err := fn(t, &n)
		switch {
		case err != nil:
			return err
		case !keep:
			return b.Delete(u64(id))
		}
		return putJSON(b, u64(id), &n)
	})
}
