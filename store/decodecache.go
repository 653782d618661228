package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// decodeCache keeps the decoded form of a bucket's records next to the bytes they
// were decoded from, so that a scan of the whole bucket (a round, a scheduler pass,
// the programme's figures) decodes only the records that changed since the last one:
// a record whose bytes are unchanged is copied from the cache. Callers get copies
// (clone), so nothing they change reaches the cache. A full scan drops the entries
// of records that are gone; an erasure empties the cache (forget), so no decoded copy
// of an erased person outlives their bytes.
type decodeCache[T any] struct {
	clone func(T) T

	mu      sync.Mutex
	entries map[string]cacheEntry[T]
}

type cacheEntry[T any] struct {
	raw []byte
	v   T
}

func newDecodeCache[T any](clone func(T) T) *decodeCache[T] {
	return &decodeCache[T]{clone: clone, entries: map[string]cacheEntry[T]{}}
}

// all decodes every record of b, oldest key first.
func (c *decodeCache[T]) all(b *bolt.Bucket) ([]T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]T, 0, len(c.entries))
	cur := b.Cursor()
	for k, raw := cur.First(); k != nil; k, raw = cur.Next() {
		e, ok := c.entries[string(k)]
		if !ok || !bytes.Equal(e.raw, raw) {
			var v T
			if err := json.Unmarshal(raw, &v); err != nil {
				return nil, fmt.Errorf("decode %x: %w", k, err)
			}
			e = cacheEntry[T]{raw: slices.Clone(raw), v: v}
			c.entries[string(k)] = e
		}
		out = append(out, c.clone(e.v))
	}
	if len(c.entries) > len(out) {
		// Records were deleted since: keep only those still there.
		kept := make(map[string]cacheEntry[T], len(out))
		for k, raw := cur.First(); k != nil; k, raw = cur.Next() {
			if e, ok := c.entries[string(k)]; ok && bytes.Equal(e.raw, raw) {
				kept[string(k)] = e
			}
		}
		c.entries = kept
	}
	return out, nil
}

// forget empties the cache.
func (c *decodeCache[T]) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = map[string]cacheEntry[T]{}
}

// caches are a Store's decode caches.
type caches struct {
	participants *decodeCache[mentoring.Participant]
	pairings     *decodeCache[mentoring.Pairing]
}

func newCaches() caches {
	return caches{
		participants: newDecodeCache(cloneParticipant),
		pairings:     newDecodeCache(clonePairing),
	}
}

func (c caches) forget() {
	c.participants.forget()
	c.pairings.forget()
}

func cloneParticipant(p mentoring.Participant) mentoring.Participant {
	p.Topics, p.Goals, p.Avoid = slices.Clone(p.Topics), slices.Clone(p.Goals), slices.Clone(p.Avoid)
	return p
}

func clonePairing(p mentoring.Pairing) mentoring.Pairing {
	p.Reasons.SharedTopics = slices.Clone(p.Reasons.SharedTopics)
	return p
}
