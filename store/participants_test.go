package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

func TestUpdateParticipant(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if _, err := s.Participant(ctx, "UALICE"); mentoring.ErrorCode(err) != mentoring.ENOTFOUND {
		t.Fatalf("Participant before join: %v, want ENOTFOUND", err)
	}
	// Without create, a person who has not joined is refused.
	if _, err := s.UpdateParticipant(ctx, "UALICE", false, func(p *mentoring.Participant, existed bool) error { return nil }); mentoring.ErrorCode(err) != mentoring.ENOTFOUND {
		t.Fatalf("update before join: %v, want ENOTFOUND", err)
	}
	join := func(p *mentoring.Participant, existed bool) error {
		if existed {
			return errors.New("existed on first join")
		}
		p.Role, p.Capacity, p.Topics = mentoring.RoleMentor, mentoring.DefaultCapacity, []string{"go"}
		return nil
	}
	if _, err := s.UpdateParticipant(ctx, "UALICE", true, join); err != nil {
		t.Fatal(err)
	}
	// An invalid change is refused and nothing is saved.
	_, err := s.UpdateParticipant(ctx, "UALICE", false, func(p *mentoring.Participant, existed bool) error {
		p.Capacity = 99
		return nil
	})
	if mentoring.ErrorCode(err) != mentoring.EINVALID {
		t.Fatalf("capacity 99: %v, want EINVALID", err)
	}
	// An error from fn aborts too.
	_, err = s.UpdateParticipant(ctx, "UALICE", false, func(p *mentoring.Participant, existed bool) error {
		p.Team = "lost"
		return mentoring.Errorf(mentoring.ECONFLICT, "no")
	})
	if mentoring.ErrorCode(err) != mentoring.ECONFLICT {
		t.Fatalf("fn error: %v", err)
	}
	got, err := s.Participant(ctx, "UALICE")
	if err != nil {
		t.Fatal(err)
	}
	if got.Capacity != mentoring.DefaultCapacity || got.Team != "" || got.Role != mentoring.RoleMentor {
		t.Errorf("after refused changes: %+v", got)
	}
	all, err := s.Participants(ctx)
	if err != nil || len(all) != 1 || all[0].ID != "UALICE" {
		t.Errorf("Participants = %+v, %v", all, err)
	}
}

func TestKudosForIsPerReceiverNewestFirst(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	// U12 and U123 share a prefix: their kudos must not mix.
	for i, to := range []string{"U12", "U123", "U12", "U1234", "U12", "U123"} {
		if _, err := s.AddKudos(ctx, mentoring.Kudos{FromID: "UFROM", ToID: to, Message: fmt.Sprint("m", i), At: time.Unix(int64(i), 0)}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		user  string
		limit int
		want  []string
	}{
		{"U12", 10, []string{"m4", "m2", "m0"}},
		{"U12", 2, []string{"m4", "m2"}},
		{"U123", 10, []string{"m5", "m1"}},
		{"U1234", 10, []string{"m3"}},
		{"U9", 10, nil},
	}
	for _, tt := range tests {
		got, err := s.KudosFor(ctx, tt.user, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		var msgs []string
		for _, k := range got {
			msgs = append(msgs, k.Message)
		}
		if fmt.Sprint(msgs) != fmt.Sprint(tt.want) {
			t.Errorf("KudosFor(%s, %d) = %v, want %v", tt.user, tt.limit, msgs, tt.want)
		}
	}
	if _, err := s.AddKudos(ctx, mentoring.Kudos{FromID: "U12", ToID: "U12", Message: "me"}); mentoring.ErrorCode(err) != mentoring.EINVALID {
		t.Errorf("self kudos: %v, want EINVALID", err)
	}
}

func TestStats(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	later, earlier := now.Add(time.Hour), now.Add(-time.Hour)
	people := []mentoring.Participant{
		{ID: "UM1", Role: mentoring.RoleMentor, Capacity: 2},
		{ID: "UM2", Role: mentoring.RoleMentor, Capacity: 2, PausedUntil: &later},
		{ID: "UE1", Role: mentoring.RoleMentee, Capacity: 2, Goals: []mentoring.Goal{{Text: "a"}, {Text: "b", DoneAt: &earlier}}},
		{ID: "UB1", Role: mentoring.RoleBoth, Capacity: 2},
		{ID: "UL1", Role: mentoring.RoleMentee, Capacity: 2, LeftAt: &earlier},
	}
	for _, p := range people {
		if _, err := s.UpdateParticipant(ctx, p.ID, true, func(q *mentoring.Participant, _ bool) error { *q = p; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AddKudos(ctx, mentoring.Kudos{FromID: "UM1", ToID: "UE1", Message: "well done"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := mentoring.Stats{Mentors: 2, Mentees: 1, Both: 1, Paused: 1, UnmatchedMentees: 2, GoalsSet: 2, GoalsDone: 1, KudosGiven: 1}
	if got != want {
		t.Errorf("Stats = %+v\nwant    %+v", got, want)
	}
	if got.AnswersShown() {
		t.Error("answer figures shown for a group of 0")
	}
}
