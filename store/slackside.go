package store

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// What the Slack side keeps across restarts. None of it is a rule of the programme:
// it saves Slack calls (a DM's channel id, a method's learned rate) and remembers who
// looks at their Home tab. Each method is one transaction.

// Channels returns every remembered conversation: member ids (comma-joined, as
// given to SetChannel) to channel id.
func (s *Store) Channels(ctx context.Context) (map[string]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := map[string]string{}
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketChannels).ForEach(func(k, v []byte) error {
			out[string(k)] = string(v)
			return nil
		})
	})
	return out, err
}

// SetChannels remembers conversations (member ids, comma-joined, to channel id).
func (s *Store) SetChannels(ctx context.Context, channels map[string]string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketChannels)
		for k, v := range channels {
			if err := b.Put([]byte(k), []byte(v)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Limits returns the rate limits learned per Slack method, in calls per second.
func (s *Store) Limits(ctx context.Context) (map[string]float64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := map[string]float64{}
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketLimits).ForEach(func(k, v []byte) error {
			var r float64
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode limit %s: %w", k, err)
			}
			out[string(k)] = r
			return nil
		})
	})
	return out, err
}

// SetLimit records the rate learned for a Slack method, in calls per second; 0
// forgets it (no limit known).
func (s *Store) SetLimit(ctx context.Context, method string, perSecond float64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLimits)
		if perSecond <= 0 {
			return b.Delete([]byte(method))
		}
		return putJSON(b, []byte(method), perSecond)
	})
}

// HomeViewers returns who has opened their Home tab.
func (s *Store) HomeViewers(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []string
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketHomeViewers).ForEach(func(k, _ []byte) error {
			out = append(out, string(k))
			return nil
		})
	})
	return out, err
}

// AddHomeViewer remembers that userID has opened their Home tab.
func (s *Store) AddHomeViewer(ctx context.Context, userID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketHomeViewers).Put([]byte(userID), []byte{})
	})
}
