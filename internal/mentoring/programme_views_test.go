package mentoring_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

func TestStats(t *testing.T) {
	e := newEnv(t)
	e.join("UALICE", mentoring.RoleMentor, "go")
	e.joinWith("UBERT", mentoring.Join{Role: mentoring.RoleMentee, Topics: []string{"go"}, Goals: []string{"talk", "generics"}})
	e.join("UDANA", mentoring.RoleMentee, "go")
	e.join("UCHEN", mentoring.RoleBoth, "design")
	if done := e.round(); len(done.Pairs) != 2 {
		t.Fatalf("round = %+v, want alice with bert and dana", done)
	}
	if _, err := e.p.FinishGoal(e.ctx, "UBERT", 1); err != nil {
		t.Fatalf("FinishGoal: %v", err)
	}
	if _, err := e.p.Leave(e.ctx, "UDANA"); err != nil { // left: counted nowhere, pairing ended
		t.Fatalf("Leave: %v", err)
	}
	if _, err := e.p.Pause(e.ctx, "UCHEN", mentoring.PauseLength{Days: 30}); err != nil { // paused: not unmatched
		t.Fatalf("Pause: %v", err)
	}
	e.join(admin, mentoring.RoleMentee, "cooking") // nobody mentors cooking: unmatched
	if _, err := e.p.GiveKudos(e.ctx, mentoring.Kudos{FromID: "UALICE", ToID: "UBERT", Message: "great talk"}, noPublish); err != nil {
		t.Fatalf("GiveKudos: %v", err)
	}
	e.at(utc(time.November, 30, 16))
	if n := e.queueDue(mentoring.KindCheckin); n != 2 {
		t.Fatalf("QueueDue(checkin) = %d, want 2 (alice and bert)", n)
	}
	pr := e.status("UBERT").Pairings[0]
	if _, err := e.p.AnswerCheckin(e.ctx, "UBERT", pr.ID, checkinKey(time.November, 30), mentoring.AnswerMet); err != nil {
		t.Fatalf("AnswerCheckin: %v", err)
	}

	got, err := e.p.Stats(e.ctx, admin)
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	want := mentoring.Stats{
		Mentors: 1, Mentees: 2, Both: 1, Paused: 1, ActivePairs: 1, UnmatchedMentees: 1,
		CheckinsSent: 2, CheckinsAnswered: 1, MeetingsReported: 1, CheckinPeople: 2,
		GoalsSet: 2, GoalsDone: 1, KudosGiven: 1,
	}
	if got != want {
		t.Errorf("Stats =\n%+v, want\n%+v", got, want)
	}
	if got.AnswersShown() {
		t.Errorf("AnswersShown() with %d people asked, want false below %d", got.CheckinPeople, mentoring.MinGroup)
	}

	_, err = e.p.Stats(e.ctx, "UALICE")
	wantErr(t, "Stats by a member", err, mentoring.EFORBIDDEN, "")
	if h, err := e.p.Home(e.ctx, "UALICE"); err != nil || h.Stats != nil || !h.Joined {
		t.Errorf("Home(alice) = %+v, %v; want joined, no figures", h, err)
	}
	if h, err := e.p.Home(e.ctx, admin); err != nil || h.Stats == nil || *h.Stats != want {
		t.Errorf("Home(admin) = %+v, %v; want the figures", h, err)
	}
}

func noPublish(context.Context, mentoring.Kudos) error { return nil }

func TestGiveKudosRejects(t *testing.T) {
	e := newEnv(t)
	e.join("UBERT", mentoring.RoleMentee, "go")
	tests := []struct {
		name  string
		k     mentoring.Kudos
		field string
	}{
		{"to self", mentoring.Kudos{FromID: "UALICE", ToID: "UALICE", Message: "me"}, "to"},
		{"to a bot", mentoring.Kudos{FromID: "UALICE", ToID: "UROBOT", Message: "beep"}, "to"},
		{"to a deactivated account", mentoring.Kudos{FromID: "UALICE", ToID: "UGONE", Message: "bye"}, "to"},
		{"to nobody in the workspace", mentoring.Kudos{FromID: "UALICE", ToID: "UNOBODY", Message: "who"}, "to"},
		{"to no user", mentoring.Kudos{FromID: "UALICE", ToID: "", Message: "who"}, "to"},
		{"empty message", mentoring.Kudos{FromID: "UALICE", ToID: "UBERT", Message: "   "}, "message"},
	}
	for _, tt := range tests {
		published := 0
		_, err := e.p.GiveKudos(e.ctx, tt.k, func(context.Context, mentoring.Kudos) error { published++; return nil })
		wantErr(t, "GiveKudos "+tt.name, err, mentoring.EINVALID, tt.field)
		if published != 0 {
			t.Errorf("GiveKudos %s published %d times", tt.name, published)
		}
	}
	if d, err := e.p.PersonalData(e.ctx, "UALICE"); err != nil || len(d.KudosGiven) != 0 {
		t.Errorf("rejected kudos were recorded: %+v, %v", d.KudosGiven, err)
	}
}

func TestGiveKudosPublishFails(t *testing.T) {
	for _, pubErr := range []error{
		errors.New("slack: channel_not_found"),
		mentoring.Errorf(mentoring.EFORBIDDEN, "I'm not in that channel."),
	} {
		e := newEnv(t)
		e.join("UBERT", mentoring.RoleMentee, "go")
		_, err := e.p.GiveKudos(e.ctx, mentoring.Kudos{FromID: "UALICE", ToID: "UBERT", Message: "thanks"},
			func(context.Context, mentoring.Kudos) error { return pubErr })
		if !errors.Is(err, pubErr) || mentoring.ErrorCode(err) != mentoring.ErrorCode(pubErr) {
			t.Errorf("GiveKudos with publish failing %v = %v, want the publish error as is", pubErr, err)
		}
		for _, id := range []string{"UALICE", "UBERT"} {
			if d, err := e.p.PersonalData(e.ctx, id); err != nil || len(d.KudosGiven) != 0 || len(d.KudosReceived) != 0 {
				t.Errorf("after a failed publish, %s's kudos = given %+v, received %+v, %v; want none", id, d.KudosGiven, d.KudosReceived, err)
			}
		}
		if h := homeOf(t, e, "UBERT"); len(h.Kudos) != 0 {
			t.Errorf("after a failed publish, Home(bert).Kudos = %+v", h.Kudos)
		}
	}
}

func TestGiveKudosRecords(t *testing.T) {
	e := newEnv(t)
	e.join("UBERT", mentoring.RoleMentee, "go")
	var published []mentoring.Kudos
	publish := func(_ context.Context, k mentoring.Kudos) error { published = append(published, k); return nil }
	first, err := e.p.GiveKudos(e.ctx, mentoring.Kudos{FromID: "UALICE", ToID: "UBERT", Message: "  thanks for the review ", Channel: "C1"}, publish)
	if err != nil {
		t.Fatalf("GiveKudos: %v", err)
	}
	if first.ID == 0 || first.Message != "thanks for the review" || !first.At.Equal(start) {
		t.Errorf("GiveKudos = %+v, want an id, the trimmed message, at %v", first, start)
	}
	e.at(start.Add(time.Hour))
	second, err := e.p.GiveKudos(e.ctx, mentoring.Kudos{FromID: "UCHEN", ToID: "UBERT", Message: "great talk"}, publish)
	if err != nil {
		t.Fatalf("GiveKudos: %v", err)
	}
	if len(published) != 2 || published[0].Message != "thanks for the review" {
		t.Errorf("published %+v, want both kudos, trimmed", published)
	}
	h := homeOf(t, e, "UBERT")
	if len(h.Kudos) != 2 || h.Kudos[0].ID != second.ID || h.Kudos[1].ID != first.ID ||
		h.Kudos[0].Message != "great talk" || h.Kudos[0].FromID != "UCHEN" {
		t.Errorf("Home(bert).Kudos = %+v, want %q then %q", h.Kudos, second.Message, first.Message)
	}
	if d, err := e.p.PersonalData(e.ctx, "UALICE"); err != nil || len(d.KudosGiven) != 1 || d.KudosGiven[0].ID != first.ID {
		t.Errorf("PersonalData(alice).KudosGiven = %+v, %v; want the first kudos", d.KudosGiven, err)
	}
}

func homeOf(t *testing.T, e *env, id string) mentoring.Home {
	t.Helper()
	h, err := e.p.Home(e.ctx, id)
	if err != nil {
		t.Fatalf("Home(%s): %v", id, err)
	}
	return h
}

// The outbox is woken after a transaction that queued notices commits, and only then.
func TestOutboxWake(t *testing.T) {
	e := newEnv(t)
	wakes := func() int64 { return e.outbox.wakes.Load() }
	e.join("UALICE", mentoring.RoleMentor, "go")
	e.join("UBERT", mentoring.RoleMentee, "go")
	if got := wakes(); got != 0 {
		t.Errorf("Join woke the outbox %d times, want 0 (nothing queued)", got)
	}
	t0 := start
	e.round() // alice with bert at t0: an intro
	if got := wakes(); got != 1 {
		t.Errorf("after a round that queued an intro: %d wakes, want 1", got)
	}
	t1 := t0.Add(2 * time.Hour)
	e.at(t1)
	e.join("UCHEN", mentoring.RoleMentee, "go")
	e.round() // alice with chen at t1
	if got := wakes(); got != 2 {
		t.Fatalf("after a second round: %d wakes, want 2", got)
	}
	queued := len(e.due())

	// A clock set back between the two pairings: Leave ends the first (queuing its
	// notice), then fails on the second, which would end before it began. Nothing
	// commits, so nothing is woken.
	e.at(t0.Add(time.Hour))
	if _, err := e.p.Leave(e.ctx, "UALICE"); err == nil {
		t.Fatal("Leave ending a pairing before it began succeeded")
	}
	if got := wakes(); got != 2 {
		t.Errorf("after a failed Leave: %d wakes, want 2", got)
	}
	if got := len(e.due()); got != queued {
		t.Errorf("a failed Leave left %d notices queued, want %d", got, queued)
	}
	if prs := e.status("UALICE").Pairings; len(prs) != 2 {
		t.Errorf("a failed Leave ended pairings: alice has %d, want 2", len(prs))
	}

	// Changes that queue nothing wake nothing.
	e.at(t1.Add(time.Hour))
	if _, err := e.p.GiveKudos(e.ctx, mentoring.Kudos{FromID: "UALICE", ToID: "UBERT", Message: "thanks"}, noPublish); err != nil {
		t.Fatalf("GiveKudos: %v", err)
	}
	if _, err := e.p.AddGoal(e.ctx, "UBERT", "a goal"); err != nil {
		t.Fatalf("AddGoal: %v", err)
	}
	if n := e.queueDue(mentoring.KindCheckin); n != 0 {
		t.Fatalf("QueueDue(checkin) = %d, want 0", n)
	}
	if got := wakes(); got != 2 {
		t.Errorf("after changes that queued nothing: %d wakes, want 2", got)
	}

	if _, err := e.p.Leave(e.ctx, "UALICE"); err != nil {
		t.Fatalf("Leave: %v", err)
	}
	if got := wakes(); got != 3 {
		t.Errorf("after a Leave that queued 2 notices: %d wakes, want 3", got)
	}
	e.at(utc(time.December, 7, 16))
	e.join("UDANA", mentoring.RoleMentor, "go")
	if done := e.round(); len(done.Pairs) != 2 {
		t.Fatalf("round = %+v, want dana with bert and chen", done)
	}
	if got := wakes(); got != 4 {
		t.Fatalf("after a third round: %d wakes, want 4", got)
	}
	if n, err := e.p.RunNow(e.ctx, admin, mentoring.KindCheckin); err != nil || n == 0 {
		t.Fatalf("RunNow(checkin) = %d, %v; want check-ins queued", n, err)
	}
	if got := wakes(); got != 5 {
		t.Errorf("after RunNow queued check-ins: %d wakes, want 5", got)
	}
}
