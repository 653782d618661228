package store

import (
	"fmt"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// TestBackfillWeeks: a file from before weekly figures gets each past week's figures,
// counted from its records, when it is migrated.
func TestBackfillWeeks(t *testing.T) {
	s := openTest(t)
	mon := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	next := mon.AddDate(0, 0, 7)
	done := next.Add(time.Hour)
	ended := next.Add(2 * time.Hour)
	err := s.Update(t.Context(), func(tx mentoring.Tx) error {
		for _, p := range []*mentoring.Participant{
			{ID: "UAA", Role: mentoring.RoleMentor, Capacity: 2, JoinedAt: mon, Goals: []mentoring.Goal{{Text: "g", CreatedAt: mon, DoneAt: &done}}},
			{ID: "UBB", Role: mentoring.RoleMentee, Capacity: 2, JoinedAt: mon},
			{ID: "UCC", Role: mentoring.RoleMentee, Capacity: 2, JoinedAt: mon},
		} {
			if err := tx.PutParticipant(p); err != nil {
				return err
			}
		}
		one := mentoring.Pairing{MentorID: "UAA", MenteeID: "UBB", StartedAt: mon}
		two := mentoring.Pairing{MentorID: "UAA", MenteeID: "UCC", StartedAt: mon, EndedAt: &ended, EndReason: mentoring.EndRematch}
		for _, p := range []*mentoring.Pairing{&one, &two} {
			if err := tx.PutPairing(p); err != nil {
				return err
			}
		}
		answered := next.Add(time.Minute)
		for _, c := range []*mentoring.Checkin{
			{PairingID: one.ID, UserID: "UAA", Period: "p1", SentAt: mon, Answer: mentoring.AnswerMet, AnsweredAt: &answered},
			{PairingID: two.ID, UserID: "UAA", Period: "p1", SentAt: mon},
			{PairingID: one.ID, UserID: "UBB", Period: "p1", SentAt: mon, Discussed: "x", AnsweredAt: &answered},
			{PairingID: one.ID, UserID: "UAA", Period: "p2", SentAt: next},
		} {
			if err := tx.PutCheckin(c); err != nil {
				return err
			}
		}
		return tx.AddKudos(&mentoring.Kudos{FromID: "UAA", ToID: "UBB", Message: "m", Channel: "C1", At: next})
	})
	if err != nil {
		t.Fatal(err)
	}
	// As a file from before: no weeks, then the migration's count.
	if err := s.update(func(btx *bolt.Tx) error {
		if err := btx.DeleteBucket(bucketWeeks); err != nil {
			return err
		}
		if _, err := btx.CreateBucket(bucketWeeks); err != nil {
			return err
		}
		return backfillWeeks(btx, next.Add(3*time.Hour))
	}); err != nil {
		t.Fatal(err)
	}
	var got []mentoring.Week
	if err := s.View(t.Context(), func(tx mentoring.Tx) error {
		var err error
		got, err = tx.Weeks("", "")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	want := []mentoring.Week{
		{Start: mentoring.WeekOf(mon), CheckinsSent: 3, CheckinsAnswered: 2, MeetingsReported: 1, CheckinPeople: 2, GoalsSet: 1, ActivePairs: 2, PairsChanged: true},
		{Start: mentoring.WeekOf(next), CheckinsSent: 1, CheckinPeople: 1, GoalsDone: 1, KudosGiven: 1, ActivePairs: 1, PairsChanged: true},
	}
	if len(got) != len(want) {
		t.Fatalf("weeks = %+v, want %+v", got, want)
	}
	for i := range want {
		if !got[i].Start.Equal(want[i].Start) {
			t.Errorf("week %d starts %v, want %v", i, got[i].Start, want[i].Start)
		}
		got[i].Start = want[i].Start
		if got[i] != want[i] {
			t.Errorf("week %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestLastCheckins: the newest n of one person's check-ins on one pairing, newest
// first, whatever sorts beside them (another person whose id starts the same, the
// next pairing, the end of the bucket).
func TestLastCheckins(t *testing.T) {
	s := openTest(t)
	at := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	put := func(pairing uint64, user string, weeks ...int) {
		t.Helper()
		if err := s.Update(t.Context(), func(tx mentoring.Tx) error {
			for _, w := range weeks {
				p := mentoring.Period{Kind: mentoring.KindCheckin, Start: at.AddDate(0, 0, 7*w)}
				if err := tx.PutCheckin(&mentoring.Checkin{PairingID: pairing, UserID: user, Period: p.Key(), SentAt: p.Start}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	put(1, "UAAA", 2, 0, 1, 3)
	put(1, "UAAAB", 9)
	put(2, "UAAA", 8)
	put(7, "UZZZ", 7)
	tests := []struct {
		pairing uint64
		user    string
		n       int
		want    []int // weeks, newest first
	}{
		{1, "UAAA", 2, []int{3, 2}},
		{1, "UAAA", 10, []int{3, 2, 1, 0}},
		{1, "UAAAB", 3, []int{9}},
		{2, "UAAA", 3, []int{8}},
		{7, "UZZZ", 1, []int{7}},
		{3, "UAAA", 3, nil},
	}
	for _, tt := range tests {
		var got []mentoring.Checkin
		if err := s.View(t.Context(), func(tx mentoring.Tx) error {
			var err error
			got, err = tx.LastCheckins(tt.pairing, tt.user, tt.n)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var weeks []int
		for _, c := range got {
			weeks = append(weeks, int(c.SentAt.Sub(at).Hours()/24/7))
		}
		if fmt.Sprint(weeks) != fmt.Sprint(tt.want) {
			t.Errorf("LastCheckins(%d, %s, %d) = weeks %v, want %v", tt.pairing, tt.user, tt.n, weeks, tt.want)
		}
	}
}
