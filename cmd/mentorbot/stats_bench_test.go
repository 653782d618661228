package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
	"github.com/mentorbot/mentorbot/store"
)

// statsPairs is the benchmark programme: 5,000 pairs, 10,000 participants.
const statsPairs = 5000

// statsNow is when the benchmark's year of history ends.
var statsNow = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// seedYear stores statsPairs pairs (fanSeed) and a year of what they did: each week a
// check-in for each of the 10,000 (most answered, half of them meetings), goals set
// and finished, kudos, and the week's figures as the bot keeps them. The check-ins are
// there so that a figure read by scanning records would show in the timings.
func seedYear(tb testing.TB, srv *slacktest.Server, st *store.Store) {
	tb.Helper()
	start := statsNow.AddDate(0, 0, -7*52)
	mentors, mentees := fanSeed(tb, srv, st, statsPairs, start)
	// This period's messages went out already: the benchmark measures an admin's wait
	// in a steady programme, not behind a scheduler pass sending 10,000 check-ins.
	current := []mentoring.Period{
		{Kind: mentoring.KindCheckin, Start: time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)},
		{Kind: mentoring.KindNudge, Start: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)},
		{Kind: mentoring.KindRecognition, Start: time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)},
	}
	if err := st.Update(context.Background(), func(tx mentoring.Tx) error {
		for _, id := range append(slices.Clone(mentors), mentees...) {
			for _, p := range current {
				if err := tx.MarkHandled(id, p.Key()); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	for week := range 52 {
		monday := mentoring.WeekOf(start).AddDate(0, 0, 7*(week+1))
		err := st.Update(context.Background(), func(tx mentoring.Tx) error {
			pairings, err := tx.Pairings()
			if err != nil {
				return err
			}
			period := mentoring.Period{Kind: mentoring.KindCheckin, Start: monday.Add(10 * time.Hour)}.Key()
			w := mentoring.Week{}
			for i, pr := range pairings {
				for j, who := range []string{pr.MentorID, pr.MenteeID} {
					c := mentoring.Checkin{PairingID: pr.ID, UserID: who, Period: period, SentAt: monday.Add(10 * time.Hour)}
					if (i+j+week)%4 != 0 {
						at := c.SentAt.Add(time.Hour)
						c.AnsweredAt, c.Answer = &at, mentoring.AnswerNotMet
						if (i+week)%2 == 0 {
							c.Answer = mentoring.AnswerMet
							w.MeetingsReported++
						}
						w.CheckinsAnswered++
					}
					if err := tx.PutCheckin(&c); err != nil {
						return err
					}
					w.CheckinsSent++
					w.CheckinPeople++
				}
			}
			for k := range 50 {
				i := (week*50 + k) % statsPairs
				if err := tx.AddKudos(&mentoring.Kudos{FromID: mentors[i], ToID: mentees[i], Message: "thanks for the review", Channel: "C0GENERAL", At: monday.Add(time.Duration(k) * time.Hour)}); err != nil {
					return err
				}
			}
			w.KudosGiven, w.GoalsSet, w.GoalsDone = 50, 40, 25
			w.ActivePairs, w.PairsChanged = statsPairs, true
			return tx.AddToWeek(mentoring.WeekKey(monday), func(s *mentoring.Week) { *s = w; s.Start = monday })
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkStats measures what an admin waits for with 10,000 participants and a year
// of history: /mentor stats (envelope to the ack carrying the reply, charts and all)
// and their Home tab (app_home_opened to the views.publish that answers it). It
// reports the median and p99 in milliseconds. The target is a p99 under 50 ms.
func BenchmarkStats(b *testing.B) {
	h := startMain(b, options{now: statsNow, prepare: func(tb testing.TB, h *harness, st *store.Store) { seedYear(tb, h.srv, st) }})
	b.Run("command", func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		for range b.N {
			ctx, cancel := context.WithTimeout(context.Background(), slackDeadline)
			ack, err := h.srv.SlashCommand(ctx, "UADMIN", "/mentor", "stats")
			cancel()
			if err != nil || len(ack.Payload) == 0 || ack.Dropped {
				b.Fatalf("no reply in the ack (dropped: %v): %v", ack.Dropped, err)
			}
			if !strings.Contains(string(ack.Payload), `"data_visualization"`) {
				b.Fatalf("the reply has no chart: %.300s", ack.Payload)
			}
			lat = append(lat, ack.Latency)
		}
		reportLatency(b, lat)
	})
	b.Run("home", func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		for range b.N {
			seq := h.seq()
			sent := time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if _, err := h.srv.AppHomeOpened(ctx, "UADMIN"); err != nil {
				b.Fatal(err)
			}
			if _, err := h.srv.WaitRecordAfter(ctx, seq, func(r slacktest.Record) bool { return r.Kind == "view_publish" && r.User == "UADMIN" }); err != nil {
				b.Fatalf("no Home published: %v", err)
			}
			cancel()
			lat = append(lat, time.Since(sent))
		}
		reportLatency(b, lat)
	})
}
