package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
	"github.com/mentorbot/mentorbot/store"
)

// promptly is how soon a person must hear back during a fan-out: the ack of a slash
// command, and a modal opened with the command's trigger_id.
const promptly = 500 * time.Millisecond

// While 10,000 check-ins go out, metered by Slack so that the fan-out lasts several
// seconds, people's commands are answered at once: /mentor status in its ack, and
// /mentor join's modal opened with the command's fresh trigger_id.
//
// The bot starts knowing a rate just under Slack's (as after an earlier fan-out), so
// that delivery sends flat out for the whole test: from a fresh database its first
// refusal may drop it to 1 a second, and the commands would be measured against an
// idle bot.
func TestCommandsAreAnsweredPromptlyDuringAFanout(t *testing.T) {
	const pairs, want = 5000, 10000
	h := startMain(t, options{now: fanStart, prepare: func(tb testing.TB, h *harness, st *store.Store) {
		fanSeed(tb, h.srv, st, pairs, fanPairedAt)
		if err := st.SetLimit(context.Background(), "chat.postMessage", 800); err != nil {
			tb.Fatal(err)
		}
	}})
	fanSchedulerIdle(t)
	fanLiveClock(t, h.clock, fanMonday)
	// 10,000 at 1,000 a second: ten seconds of fan-out at best.
	h.srv.Meter("chat.postMessage", 1000, 100)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if n, err := h.m.prog.QueueDue(ctx, mentoring.KindCheckin); err != nil || n != want {
		t.Fatalf("QueueDue queued %d (%v), want %d", n, err, want)
	}
	// The first round of commands comes while delivery sends as fast as it can (it
	// knows no limit yet), the others after Slack has refused some and paced it.
	for round := range 4 {
		if done := fanSettled(h, mentoring.KindCheckin); done >= want {
			t.Fatalf("the fan-out ended (%d sent) before round %d of commands: meter chat.postMessage slower", done, round)
		}
		// /mentor status, by a member with a partner: the reply is in the ack.
		ack := h.command(t, "UFM00000", "/mentor", "status")
		status := ack.Latency
		if ack.Latency > promptly {
			t.Errorf("round %d: /mentor status acknowledged after %v during the fan-out, want at most %v", round, ack.Latency, promptly)
		}
		contains(t, "status", replyText(replyOf(t, ack)), "<@UFE00000>")

		// /mentor join with no arguments: the modal opens with the command's trigger_id.
		seq := h.seq()
		sent := time.Now()
		ack = h.command(t, "UBERT", "/mentor", "join")
		if ack.Latency > promptly {
			t.Errorf("round %d: /mentor join acknowledged after %v during the fan-out, want at most %v", round, ack.Latency, promptly)
		}
		wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := h.srv.WaitRecordAfter(wctx, seq, func(r slacktest.Record) bool { return r.Kind == "view_open" && r.User == "UBERT" })
		opened := time.Since(sent)
		wcancel()
		switch {
		case err != nil:
			t.Fatalf("round %d: no join modal opened: %v", round, err)
		case opened > promptly:
			t.Errorf("round %d: the join modal opened %v after the command during the fan-out, want at most %v", round, opened, promptly)
		}
		t.Logf("round %d: status acked in %v; join acked in %v, its modal open %v after the command; %d check-ins sent so far",
			round, status.Round(time.Millisecond), ack.Latency.Round(time.Millisecond), opened.Round(time.Millisecond), fanSettled(h, mentoring.KindCheckin))
		time.Sleep(250 * time.Millisecond) // spread the rounds over the fan-out
	}
	switch done := fanSettled(h, mentoring.KindCheckin); {
	case done >= want:
		t.Errorf("the fan-out ended (%d sent) before the last command: the commands were not measured during it", done)
	case done < 500:
		t.Errorf("only %d check-ins sent while the commands ran: the fan-out was not under way", done)
	}
	for _, c := range h.srv.Calls("views.open") {
		if c.Error != "" {
			t.Errorf("views.open failed: %s", c.Error)
		}
	}
	if strings.Contains(h.log.String(), "level=ERROR") {
		t.Errorf("errors logged during the fan-out:\n%s", h.log)
	}
}
