package store

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

func join(t *testing.T, s *Store, id string, role mentoring.Role, capacity int, change ...func(p *mentoring.Participant)) {
	t.Helper()
	_, err := s.UpdateParticipant(context.Background(), id, true, func(p *mentoring.Participant, _ bool) error {
		p.Role, p.Capacity, p.Topics = role, capacity, []string{"go"}
		for _, c := range change {
			c(p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func pair(mentee, mentor string) RoundPair {
	return RoundPair{
		Pairing: mentoring.Pairing{MenteeID: mentee, MentorID: mentor, Score: 1},
		Intro:   Outgoing{Kind: "mentorbot_intro", To: []string{mentee, mentor}, Payload: json.RawMessage(`{"text":"hi"}`)},
	}
}

func TestApplyRoundSkipsPairsNoLongerPossible(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	join(t, s, "UM1", mentoring.RoleMentor, 1)
	join(t, s, "UE1", mentoring.RoleMentee, 2)
	join(t, s, "UE2", mentoring.RoleMentee, 2)
	join(t, s, "UE3", mentoring.RoleMentee, 2)
	join(t, s, "UM2", mentoring.RoleMentor, 2)
	if _, err := s.Leave(ctx, "UE3", nil); err != nil {
		t.Fatal(err)
	}
	made, err := s.ApplyRound(ctx, []RoundPair{
		pair("UE1", "UM1"),
		pair("UE2", "UM1"), // UM1's capacity is 1
		pair("UE3", "UM2"), // UE3 left
		pair("UE1", "UM2"), // UE1 is already paired in this round
		pair("UE2", "UM2"),
	}, []Outgoing{{Kind: "mentorbot_unmatched", To: []string{"UE3"}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range made {
		got = append(got, p.MenteeID+"-"+p.MentorID)
		if p.ID == 0 {
			t.Errorf("pairing %v has no id", p)
		}
	}
	if want := "[UE1-UM1 UE2-UM2]"; jsonString(got) != jsonString([]string{"UE1-UM1", "UE2-UM2"}) {
		t.Errorf("made %v, want %s", got, want)
	}
	due, err := s.Due(ctx, 10)
	if err != nil || len(due) != 3 {
		t.Fatalf("outbox has %d messages (%v), want 2 intros and 1 notice", len(due), err)
	}
	for _, id := range []string{"UE1", "UM1"} {
		if ps, err := s.ActivePairings(ctx, id); err != nil || len(ps) != 1 {
			t.Errorf("%s active pairings = %v, %v", id, ps, err)
		}
	}
	st, err := s.Stats(ctx)
	if err != nil || st.ActivePairs != 2 || st.UnmatchedMentees != 0 {
		t.Errorf("stats after the round: %+v, %v", st, err)
	}
}

func TestLeaveAndRematchEndPairingsAndQueueNotices(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	join(t, s, "UM1", mentoring.RoleMentor, 3)
	join(t, s, "UE1", mentoring.RoleMentee, 2)
	join(t, s, "UE2", mentoring.RoleMentee, 2)
	if _, err := s.ApplyRound(ctx, []RoundPair{pair("UE1", "UM1"), pair("UE2", "UM1")}, nil); err != nil {
		t.Fatal(err)
	}
	drain(t, s)
	notice := func(partner string, p mentoring.Pairing) Outgoing {
		return Outgoing{Kind: "mentorbot_partner_left", To: []string{partner}}
	}
	ended, err := s.Rematch(ctx, "UE1", notice)
	if err != nil || len(ended) != 1 || ended[0].EndReason != "rematch" {
		t.Fatalf("rematch ended %v, %v", ended, err)
	}
	ended, err = s.Leave(ctx, "UM1", notice)
	if err != nil || len(ended) != 1 || ended[0].MenteeID != "UE2" || ended[0].EndReason != "left" {
		t.Fatalf("leave ended %v, %v", ended, err)
	}
	if _, err := s.Leave(ctx, "UM1", notice); mentoring.ErrorCode(err) != mentoring.ENOTFOUND {
		t.Errorf("leaving twice: %v", err)
	}
	due, _ := s.Due(ctx, 10)
	var to []string
	for _, o := range due {
		to = append(to, o.To...)
	}
	if jsonString(to) != jsonString([]string{"UM1", "UE2"}) {
		t.Errorf("notices to %v, want UM1 (rematch) then UE2 (leave)", to)
	}
	all, err := s.Pairings(ctx)
	if err != nil || len(all) != 2 || all[0].Active() || all[1].Active() {
		t.Errorf("pairings after: %+v, %v", all, err)
	}
}

func TestOutbox(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	if err := s.Enqueue(ctx, Outgoing{Kind: "a", To: []string{"U1"}}, Outgoing{Kind: "b", To: []string{"U2"}}); err != nil {
		t.Fatal(err)
	}
	due, _ := s.Due(ctx, 10)
	if len(due) != 2 || due[0].Kind != "a" {
		t.Fatalf("due = %+v", due)
	}
	before, ok, err := s.StartSend(ctx, due[0].ID)
	if err != nil || !ok || before.Attempts != 0 {
		t.Fatalf("StartSend = %+v, %v, %v", before, ok, err)
	}
	if again, _, _ := s.StartSend(ctx, due[0].ID); again.Attempts != 1 {
		t.Errorf("second StartSend saw %d attempts, want 1", again.Attempts)
	}
	if err := s.Defer(ctx, due[1].ID, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.Sent(ctx, due[0].ID); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.Due(ctx, 10); len(due) != 0 {
		t.Errorf("due after sending one and deferring the other: %+v", due)
	}
	now = now.Add(2 * time.Minute)
	if due, _ := s.Due(ctx, 10); len(due) != 1 || due[0].Kind != "b" {
		t.Errorf("due after the deferral passed: %+v", due)
	}
	if _, ok, _ := s.StartSend(ctx, due[0].ID); ok {
		t.Error("StartSend of a sent message reports it queued")
	}
}

// TestForgetLeavesNoTraceOnDisk reads the database file's raw bytes after an erasure.
func TestForgetLeavesNoTraceOnDisk(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	const secret = "UFORGETME"
	words := []string{"my-very-private-goal", "my-secret-team-name", "kudos-written-by-forgotten", "kudos-for-forgotten", "my-checkin-note"}
	join(t, s, secret, mentoring.RoleBoth, 2, func(p *mentoring.Participant) {
		p.Team = words[1]
		p.Goals = []mentoring.Goal{{Text: words[0]}}
	})
	join(t, s, "UM1", mentoring.RoleMentor, 2)
	join(t, s, "UE1", mentoring.RoleMentee, 2, func(p *mentoring.Participant) { p.ManagerID = secret })
	if _, err := s.ApplyRound(ctx, []RoundPair{pair(secret, "UM1"), pair("UE1", secret)}, nil); err != nil {
		t.Fatal(err)
	}
	drain(t, s)
	for _, k := range []mentoring.Kudos{
		{FromID: secret, ToID: "UE1", Message: words[2]},
		{FromID: "UM1", ToID: secret, Message: words[3]},
		{FromID: "UM1", ToID: "UE1", Message: "kept"},
	} {
		if _, err := s.AddKudos(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Enqueue(ctx, Outgoing{Kind: "x", To: []string{secret}, Payload: json.RawMessage(`{"t":"to forget"}`)}); err != nil {
		t.Fatal(err)
	}
	pairs, _ := s.ActivePairings(ctx, secret)
	const period = "mentorbot_checkin/2026-11-30T10:00"
	if _, err := s.QueueScheduled(ctx, []Scheduled{{UserID: secret, Period: period,
		Checkins: []mentoring.Checkin{{PairingID: pairs[0].ID, UserID: secret, Period: period}},
		Message:  &Outgoing{Kind: "mentorbot_checkin", To: []string{secret}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AnswerCheckin(ctx, pairs[0].ID, secret, period, func(c *mentoring.Checkin) error {
		c.Answer, c.Discussed = mentoring.AnswerMet, words[4]
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(s.Path())
	if !bytes.Contains(raw, []byte(secret)) {
		t.Fatal("the id is not in the file before the erasure: the test would prove nothing")
	}

	err := s.Forget(ctx, secret, func(partner string) Outgoing {
		return Outgoing{Kind: "mentorbot_partner_left", To: []string{partner}, Payload: json.RawMessage(`{"text":"your partner left"}`)}
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, err = os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range append(words, secret) {
		if bytes.Contains(raw, []byte(w)) {
			t.Errorf("%q is still in the database file after the erasure", w)
		}
	}
	// The store still works, and partners keep an anonymous count.
	if _, err := s.Participant(ctx, secret); mentoring.ErrorCode(err) != mentoring.ENOTFOUND {
		t.Errorf("forgotten person still found: %v", err)
	}
	if p, err := s.Participant(ctx, "UE1"); err != nil || p.ManagerID != "" {
		t.Errorf("UE1 still names the forgotten manager: %+v, %v", p, err)
	}
	all, _ := s.Pairings(ctx)
	if len(all) != 2 || all[0].Active() || all[1].Active() {
		t.Errorf("pairings after forget: %+v", all)
	}
	kept, _ := s.KudosFor(ctx, "UE1", 10)
	if len(kept) != 1 || kept[0].Message != "kept" {
		t.Errorf("UE1's kudos after forget: %+v", kept)
	}
	due, _ := s.Due(ctx, 10)
	if len(due) != 2 || due[0].To[0] == secret {
		t.Errorf("outbox after forget: %+v (want one notice per partner)", due)
	}
	join(t, s, secret, mentoring.RoleMentee, 2)
	if p, err := s.Participant(ctx, secret); err != nil || len(p.Goals) != 0 || p.Team != "" {
		t.Errorf("rejoined after forget: %+v, %v; want a fresh start", p, err)
	}
	if ps, _ := s.ActivePairings(ctx, secret); len(ps) != 0 {
		t.Errorf("rejoined person inherits pairings %v", ps)
	}
}

// drain empties the outbox.
func drain(t *testing.T, s *Store) {
	t.Helper()
	due, err := s.Due(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range due {
		if err := s.Sent(context.Background(), o.ID); err != nil {
			t.Fatal(err)
		}
	}
}

func jsonString(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}
