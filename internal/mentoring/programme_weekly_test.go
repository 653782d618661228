package mentoring_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// TestTrendOverFourteenWeeks runs a programme of three pairs for 14 weeks on an
// injected clock: each Monday the check-ins go out and some are answered; one week
// two people are paused, so fewer than five are asked and that week's answer figures
// must be hidden. The trend reads back exactly what happened, week by week.
func TestTrendOverFourteenWeeks(t *testing.T) {
	e := newEnv(t)
	ids := []string{"U1M", "U2M", "U3M", "U1E", "U2E", "U3E"}
	for _, id := range ids {
		e.dir.put(mentoring.Person{ID: id, TimeZone: "UTC"})
	}
	for i := 1; i <= 3; i++ {
		e.join(fmt.Sprintf("U%dM", i), mentoring.RoleMentor, "go")
		e.join(fmt.Sprintf("U%dE", i), mentoring.RoleMentee, "go")
		if _, err := e.p.SetCapacity(e.ctx, fmt.Sprintf("U%dM", i), 1); err != nil {
			t.Fatal(err)
		}
	}
	e.round() // Tuesday 24 November: three pairs
	e.drain()
	first := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC) // Monday
	type week struct{ sent, people, answered, met int }
	var want []week
	for k := range 14 {
		monday := first.AddDate(0, 0, 7*k)
		e.at(monday)
		paused := k == 5
		if paused {
			for _, id := range []string{"U1M", "U1E"} {
				if _, err := e.p.Pause(e.ctx, id, mentoring.PauseLength{Days: 3}); err != nil {
					t.Fatal(err)
				}
			}
		}
		n := e.queueDue(mentoring.KindCheckin)
		w := week{sent: n, people: n}
		// Week k: the first k%4 people asked say they met; one more adds notes only.
		answered := 0
		for _, id := range ids {
			if paused && (id == "U1M" || id == "U1E") {
				continue
			}
			pr := e.status(id).Pairings[0]
			key := mentoring.Period{Kind: mentoring.KindCheckin, Start: monday}.Key()
			switch {
			case answered < k%4:
				if _, err := e.p.AnswerCheckin(e.ctx, id, pr.ID, key, mentoring.AnswerMet); err != nil {
					t.Fatalf("week %d, %s: %v", k, id, err)
				}
				w.answered++
				w.met++
			case answered == k%4:
				if _, err := e.p.SaveNotes(e.ctx, id, pr.ID, key, mentoring.Notes{Discussed: "plans"}); err != nil {
					t.Fatalf("week %d, %s notes: %v", k, id, err)
				}
				w.answered++
			}
			answered++
		}
		want = append(want, w)
		e.drain()
	}
	e.at(first.AddDate(0, 0, 7*13).Add(time.Hour))
	tr, err := e.p.Trend(e.ctx, admin, mentoring.TrendWeeks)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Weeks) != mentoring.TrendWeeks {
		t.Fatalf("%d weeks, want %d", len(tr.Weeks), mentoring.TrendWeeks)
	}
	for i, w := range tr.Weeks {
		k := i + 2 // the last 12 of the 14 weeks
		if !w.Start.Equal(mentoring.WeekOf(first.AddDate(0, 0, 7*k))) {
			t.Errorf("week %d starts %v", k, w.Start)
		}
		got := week{w.CheckinsSent, w.CheckinPeople, w.CheckinsAnswered, w.MeetingsReported}
		if got != want[k] {
			t.Errorf("week %d = %+v, want %+v", k, got, want[k])
		}
		if w.ActivePairs != 3 {
			t.Errorf("week %d active pairs %d, want 3 (carried forward)", k, w.ActivePairs)
		}
		if shown := w.AnswersShown(); shown != (k != 5) {
			t.Errorf("week %d answers shown %v with %d people asked", k, shown, w.CheckinPeople)
		}
	}
	if _, err := e.p.Trend(e.ctx, "U1M", 12); mentoring.ErrorCode(err) != mentoring.EFORBIDDEN {
		t.Errorf("a member's Trend = %v, want EFORBIDDEN", err)
	}
}

// TestWeeksCountGoalsKudosAndChangedAnswers: a goal set and done, kudos to two, and
// an answer changed from met to not met are each counted once, in their week.
func TestWeeksCountGoalsKudosAndChangedAnswers(t *testing.T) {
	e, pr := pairAliceBert(t)
	e.at(time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC))
	e.queueDue(mentoring.KindCheckin)
	key := checkinKey(time.November, 30)
	for _, a := range []mentoring.Answer{mentoring.AnswerMet, mentoring.AnswerNotMet, mentoring.AnswerMet, mentoring.AnswerNotMet} {
		if _, err := e.p.AnswerCheckin(e.ctx, "UBERT", pr.ID, key, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.p.AddGoal(e.ctx, "UBERT", "ship it"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.FinishGoal(e.ctx, "UBERT", 1); err != nil {
		t.Fatal(err)
	}
	post := mentoring.KudosPost{FromID: "UALICE", ToIDs: []string{"UBERT", "UCHEN"}, Message: "thanks", Channel: "C1"}
	if _, err := e.p.PostKudos(e.ctx, post, func(context.Context, mentoring.KudosPost) error { return nil }); err != nil {
		t.Fatal(err)
	}
	tr, err := e.p.Trend(e.ctx, admin, 1)
	if err != nil {
		t.Fatal(err)
	}
	w := tr.Weeks[0]
	if w.CheckinsSent != 2 || w.CheckinsAnswered != 1 || w.MeetingsReported != 0 || w.GoalsSet != 1 || w.GoalsDone != 1 || w.KudosGiven != 2 {
		t.Errorf("week = %+v", w)
	}
}
