package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
	"github.com/mentorbot/mentorbot/scheduler"
)

func utc(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, time.UTC) }
func dec(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, time.UTC) }

// startScheduled starts Main with the SPEC's default schedules (check-ins Monday
// 10:00, nudges Wednesday 10:00, recognition Friday 15:00, in each person's zone; a
// nudge after 336 h) and MENTORBOT_RESPECT_STATUS on, at Tuesday 24 November 2026,
// 12:00 UTC, with alice (Berlin) mentoring bertram (New York), paired then. setup,
// when set, runs before anyone joins.
func startScheduled(t *testing.T, setup func(h *harness)) *harness {
	t.Helper()
	h := startMain(t, options{now: utc(24, 12, 0), env: map[string]string{"MENTORBOT_RESPECT_STATUS": "true"}})
	if setup != nil {
		setup(h)
	}
	h.say(t, "UALICE", "/mentor", "join mentor go")
	h.say(t, "UBERT", "/mentor", "join mentee go")
	contains(t, "pair", h.say(t, "UADMIN", "/mentor", "pair"), "*1* new pair")
	return h
}

func spec(t *testing.T, s string) cron.Schedule {
	t.Helper()
	sc, err := cron.ParseStandard(s)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestCheckinsGoOutOncePerPeriodInEachPersonsZone(t *testing.T) {
	s := startScheduled(t, nil)
	if n := s.queueDue(t, utc(24, 12, 1), mentoring.KindCheckin); n != 0 {
		t.Errorf("a pair made this week got %d check-ins for it", n)
	}
	// An admin asking to send now includes the new pair, once.
	start0 := s.seq()
	contains(t, "run now", s.say(t, "UADMIN", "/mentor", "run checkins"), "Queued *2* check-ins")
	s.noticeDM(t, start0, "UBERT", mentoring.KindCheckin)
	contains(t, "run again", s.say(t, "UADMIN", "/mentor", "run checkins"), "Queued *0* check-ins")
	// Monday 30 November, 09:30 UTC: 10:30 in Berlin, 04:30 in New York.
	start := s.seq()
	if n := s.queueDue(t, utc(30, 9, 30), mentoring.KindCheckin); n != 1 {
		t.Fatalf("queued %d check-ins, want 1 (alice's Monday has come, bertram's not)", n)
	}
	msg := s.noticeDM(t, start, "UALICE", mentoring.KindCheckin)
	contains(t, "check-in", string(msg.Blocks), actionCheckinMet, actionCheckinNotMet, actionCheckinNotes)
	contains(t, "check-in", slacktest.RecordText(msg), "How did it go with <@UBERT> this week?", "seen only by you and your partner")
	if n := s.queueDue(t, utc(30, 9, 45), mentoring.KindCheckin); n != 0 {
		t.Errorf("the same period queued %d more", n)
	}
	if n := s.queueDue(t, utc(30, 15, 30), mentoring.KindCheckin); n != 1 {
		t.Errorf("queued %d at New York's Monday 10:30, want bertram's 1", n)
	}
	contains(t, "run again", s.say(t, "UADMIN", "/mentor", "run checkins"), "Queued *0* check-ins")
	// Another programme and scheduler on the same store (a restart) send nothing more.
	again := mentoring.New(mentoring.Config{
		Store: s.m.store, Directory: s.m.client, Now: s.clock.now, RespectStatus: true,
		Calendar: scheduler.NewCalendar(map[mentoring.Kind]cron.Schedule{mentoring.KindCheckin: spec(t, "0 10 * * MON")}),
	})
	if n, err := scheduler.New(again, time.Hour, nil).RunOnce(context.Background()); err != nil || n != 0 {
		t.Errorf("after a restart: queued %d (%v), want 0", n, err)
	}
	// Next week is a new period.
	if n := s.queueDue(t, dec(7, 16, 0), mentoring.KindCheckin); n != 2 {
		t.Errorf("next week queued %d, want 2", n)
	}
	contains(t, "non-admin run", s.say(t, "UBERT", "/mentor", "run checkins"), "Only programme admins")
	contains(t, "bad run", s.say(t, "UADMIN", "/mentor", "run everything"), "/mentor run checkins")
}

func TestCheckinButtonsRecordTheAnswerAndUpdateTheMessage(t *testing.T) {
	s := startScheduled(t, nil)
	start := s.seq()
	s.queueDue(t, utc(30, 9, 30), mentoring.KindCheckin)
	msg := s.noticeDM(t, start, "UALICE", mentoring.KindCheckin)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	click := func(action string) slacktest.Record {
		t.Helper()
		start := s.seq()
		if _, err := s.srv.BlockAction(ctx, "UALICE", slacktest.BlockActionSpec{ActionID: action, MessageTS: msg.TS, ChannelID: msg.Channel}); err != nil {
			t.Fatal(err)
		}
		return s.record(t, start, "updated check-in", func(r slacktest.Record) bool { return r.Kind == "update" && r.TS == msg.TS })
	}
	contains(t, "after We met", slacktest.RecordText(click(actionCheckinMet)), "Your answer: *:white_check_mark: We met*")
	pairings := s.activePairings(t, "UALICE")
	if len(pairings) != 1 || pairings[0].LastMetAt == nil {
		t.Fatalf("the meeting was not recorded on the pairing: %+v", pairings)
	}
	updated := click(actionCheckinNotMet)
	contains(t, "after Not this week", slacktest.RecordText(updated), "Not this week")
	if n := strings.Count(string(updated.Blocks), `_answer"`); n != 1 {
		t.Errorf("the message has %d answer lines, want 1: %s", n, updated.Blocks)
	}
	checkins := func() []mentoring.Checkin {
		t.Helper()
		var cis []mentoring.Checkin
		s.view(t, func(tx mentoring.Tx) error {
			var err error
			cis, err = tx.CheckinsOf(pairings[0].ID, "UALICE")
			return err
		})
		return cis
	}
	cis := checkins()
	if len(cis) != 1 || cis[0].Answer != mentoring.AnswerNotMet {
		t.Fatalf("check-ins = %+v, want one answered not_met", cis)
	}

	// Notes, through the modal.
	start = s.seq()
	if _, err := s.srv.BlockAction(ctx, "UALICE", slacktest.BlockActionSpec{ActionID: actionCheckinNotes, MessageTS: msg.TS, ChannelID: msg.Channel}); err != nil {
		t.Fatal(err)
	}
	modal := s.record(t, start, "notes modal", func(r slacktest.Record) bool {
		return r.Kind == "view_open" && strings.Contains(string(r.View), `"callback_id":"checkin_notes"`)
	})
	start = s.seq()
	if _, err := s.srv.ViewSubmission(ctx, "UALICE", modal.ViewID, map[string]map[string]any{
		inputDiscussed: {inputDiscussed: map[string]any{"type": "plain_text_input", "value": "career plan <!channel>"}},
		inputProgress:  {inputProgress: map[string]any{"type": "static_select", "selected_option": map[string]any{"value": "4"}}},
		inputNeeds:     {inputNeeds: map[string]any{"type": "plain_text_input", "value": ""}},
	}); err != nil {
		t.Fatal(err)
	}
	s.record(t, start, "notes shown", func(r slacktest.Record) bool {
		return r.Kind == "update" && r.TS == msg.TS && strings.Contains(slacktest.RecordText(r), "Notes saved, progress 4 of 5 (Nearly there).")
	})
	cis = checkins()
	if cis[0].Progress != 4 || cis[0].Discussed != "career plan <!channel>" || cis[0].Answer != mentoring.AnswerNotMet {
		t.Errorf("after notes: %+v", cis[0])
	}
	// Admins see counts, and answers stay hidden below five people.
	contains(t, "stats", s.say(t, "UADMIN", "/mentor", "stats"), "*Check-ins since the start:* 1 sent · answered hidden: fewer than 5")
	if strings.Contains(s.say(t, "UADMIN", "/mentor", "stats"), "career plan") {
		t.Error("stats show note text")
	}
}

func TestNudgesGoToPairsThatHaveNotMet(t *testing.T) {
	s := startScheduled(t, nil)
	// Wednesday 2 December: paired 8 days ago, under the 14 days: nothing.
	if n := s.queueDue(t, dec(2, 12, 0), mentoring.KindNudge); n != 0 {
		t.Errorf("a fresh pair got %d nudges", n)
	}
	// Wednesday 9 December, after both zones' 10:00: 15 days without a meeting.
	start := s.seq()
	if n := s.queueDue(t, dec(9, 16, 0), mentoring.KindNudge); n != 2 {
		t.Fatalf("queued %d nudges, want one each", n)
	}
	contains(t, "nudge", s.noticeDM(t, start, "UBERT", mentoring.KindNudge).Text, "<@UALICE>", "booking 30 minutes")
	if n := s.queueDue(t, dec(9, 17, 0), mentoring.KindNudge); n != 0 {
		t.Errorf("nudged again in the same period: %d", n)
	}
}

func TestRecognitionPromptsOpenTheKudosModal(t *testing.T) {
	s := startScheduled(t, nil)
	start := s.seq()
	s.queueDue(t, utc(30, 16, 0), mentoring.KindCheckin)
	msg := s.noticeDM(t, start, "UBERT", mentoring.KindCheckin)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.srv.BlockAction(ctx, "UBERT", slacktest.BlockActionSpec{ActionID: actionCheckinMet, MessageTS: msg.TS, ChannelID: msg.Channel}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "bertram's answer", func() bool {
		ps := s.activePairings(t, "UBERT")
		return len(ps) == 1 && ps[0].LastMetAt != nil
	})
	s.say(t, "UBERT", "/mentor", "goal add speak at the meetup")
	s.say(t, "UBERT", "/mentor", "goal done 1")
	// Friday 4 December, 15:00 in Berlin: alice is prompted about last week's progress.
	start = s.seq()
	if n := s.queueDue(t, dec(4, 14, 30), mentoring.KindRecognition); n != 1 {
		t.Fatalf("queued %d recognition prompts, want alice's", n)
	}
	prompt := s.noticeDM(t, start, "UALICE", mentoring.KindRecognition)
	contains(t, "prompt", slacktest.RecordText(prompt), "<@UBERT>", "met with you", "met with you and finished the goal “speak at the meetup”")
	start = s.seq()
	if _, err := s.srv.BlockAction(ctx, "UALICE", slacktest.BlockActionSpec{ActionID: actionKudosOpen, MessageTS: prompt.TS, ChannelID: prompt.Channel}); err != nil {
		t.Fatal(err)
	}
	modal := s.record(t, start, "kudos modal", func(r slacktest.Record) bool {
		return r.Kind == "view_open" && strings.Contains(string(r.View), `"callback_id":"kudos"`)
	})
	contains(t, "kudos modal", string(modal.View), `"initial_users":["UBERT"]`)
	// Next Friday there is nothing new to recognise: no prompt, and it is recorded.
	if n := s.queueDue(t, dec(11, 14, 30), mentoring.KindRecognition); n != 0 {
		t.Errorf("queued %d prompts for a quiet week", n)
	}
}

func TestAwayAndPausedPeopleAreSkipped(t *testing.T) {
	// Bertram's Slack status says he is on vacation. The bot caches profiles for an
	// hour, so the status is set before it first reads his.
	s := startScheduled(t, func(h *harness) {
		h.srv.AddUser(slacktest.User{ID: "UBERT", Name: "bertram", RealName: "Bertram", TZ: "America/New_York",
			StatusText: "On vacation", StatusEmoji: ":palm_tree:"})
	})
	s.say(t, "UALICE", "/mentor", "pause 2026-12-02")
	if n := s.queueDue(t, utc(30, 16, 0), mentoring.KindCheckin); n != 0 {
		t.Errorf("queued %d check-ins for someone away and someone paused", n)
	}
	// Once the pause is over, alice's check-in for the period still goes out, once.
	if n := s.queueDue(t, dec(2, 12, 0), mentoring.KindCheckin); n != 1 {
		t.Errorf("after the pause: queued %d, want alice's 1", n)
	}
}

func TestSchedulerCatchesUpOnceAtStart(t *testing.T) {
	s := startScheduled(t, nil)
	// The bot was down over Monday: when it starts again, the scheduler sends this
	// week's check-ins at once, once.
	s.stop(t)
	s.clock.set(dec(1, 12, 0))
	start := s.seq()
	s.start(t)
	s.noticeDM(t, start, "UALICE", mentoring.KindCheckin)
	s.noticeDM(t, start, "UBERT", mentoring.KindCheckin)
	if n := s.queueDue(t, dec(1, 12, 5), mentoring.KindCheckin); n != 0 {
		t.Errorf("queued %d more after the catch-up", n)
	}
	var checkins int
	s.view(t, func(tx mentoring.Tx) error {
		return tx.ForEachCheckin(func(mentoring.Checkin) error { checkins++; return nil })
	})
	if checkins != 2 {
		t.Errorf("%d check-ins recorded, want 2", checkins)
	}
}

// TestAdminRunsTheWholeWeekNow is the sequence an admin trying the bot follows: pair,
// send check-ins now, the mentee reports a meeting, send recognition now.
func TestAdminRunsTheWholeWeekNow(t *testing.T) {
	s := startScheduled(t, nil)
	start := s.seq()
	contains(t, "checkins", s.say(t, "UADMIN", "/mentor", "run checkins"), "Queued *2*")
	msg := s.noticeDM(t, start, "UBERT", mentoring.KindCheckin)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.srv.BlockAction(ctx, "UBERT", slacktest.BlockActionSpec{ActionID: actionCheckinMet, MessageTS: msg.TS, ChannelID: msg.Channel}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the meeting", func() bool {
		ps := s.activePairings(t, "UBERT")
		return len(ps) == 1 && ps[0].LastMetAt != nil
	})
	start = s.seq()
	contains(t, "recognition", s.say(t, "UADMIN", "/mentor", "run recognition"), "Queued *1* recognition prompt for")
	contains(t, "prompt", slacktest.RecordText(s.noticeDM(t, start, "UALICE", mentoring.KindRecognition)), "<@UBERT> met with you")
	contains(t, "nudges", s.say(t, "UADMIN", "/mentor", "run nudges"), "Queued *0* nudges")

	// Both members see the week's answers on their Home tab.
	start = s.seq()
	if _, err := s.srv.AppHomeOpened(ctx, "UALICE"); err != nil {
		t.Fatal(err)
	}
	home := s.record(t, start, "home", func(r slacktest.Record) bool { return r.Kind == "view_publish" && r.User == "UALICE" })
	contains(t, "home", slacktest.RecordText(home), "*Last check-ins*", "*With <@UBERT>:*", "_Tuesday 24 November:_\n• You: no answer yet.\n• <@UBERT>: met.")
}
