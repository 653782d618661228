package store

import (
	"slices"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// TestDecodeCache: whole-bucket scans read through the cache, and what they return is
// always the stored record as it is now: a change, a deletion and a caller's edit of
// a returned value each show (or do not leak) as they should.
func TestDecodeCache(t *testing.T) {
	s := openTest(t)
	put := func(p mentoring.Participant) {
		t.Helper()
		if err := s.Update(t.Context(), func(tx mentoring.Tx) error { return tx.PutParticipant(&p) }); err != nil {
			t.Fatal(err)
		}
	}
	all := func() []mentoring.Participant {
		t.Helper()
		var out []mentoring.Participant
		if err := s.View(t.Context(), func(tx mentoring.Tx) error {
			var err error
			out, err = tx.Participants()
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	joined := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	put(mentoring.Participant{ID: "UAAA", Role: mentoring.RoleMentor, Capacity: 2, Topics: []string{"go"}, JoinedAt: joined})
	put(mentoring.Participant{ID: "UBBB", Role: mentoring.RoleMentee, Capacity: 2, Topics: []string{"go"}, JoinedAt: joined})
	first := all()
	first[0].Topics[0] = "changed by a caller"
	if got := all(); got[0].Topics[0] != "go" {
		t.Errorf("a caller's change reached the cache: %v", got[0].Topics)
	}
	put(mentoring.Participant{ID: "UAAA", Role: mentoring.RoleMentor, Capacity: 3, Topics: []string{"go", "sql"}, JoinedAt: joined})
	if got := all(); got[0].Capacity != 3 || !slices.Equal(got[0].Topics, []string{"go", "sql"}) {
		t.Errorf("a stored change does not show: %+v", got[0])
	}
	if err := s.Update(t.Context(), func(tx mentoring.Tx) error { return tx.Erase("UBBB") }); err != nil {
		t.Fatal(err)
	}
	if got := all(); len(got) != 1 || got[0].ID != "UAAA" {
		t.Errorf("after an erasure the scan returns %+v", got)
	}
	for k := range s.caches.participants.entries {
		if k == "UBBB" {
			t.Error("the cache keeps a decoded copy of an erased person")
		}
	}
}
