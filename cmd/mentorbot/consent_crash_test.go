package main

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
	"github.com/mentorbot/mentorbot/store"
)

// TestCycleQuestionsSurviveSIGKILLMidFanout runs the binary on a programme whose
// pairings all finished their cycle (MENTORBOT_CYCLE=1h) a minute ago: its scheduler,
// as it starts, asks every member whether to keep going. With chat.postMessage metered
// slowly, the bot is killed (SIGKILL) once a third of the questions are out, and
// restarted: every member gets exactly one end-of-cycle question, none is asked twice
// (by notice id or by person), and the outbox ends empty.
func TestCycleQuestionsSurviveSIGKILLMidFanout(t *testing.T) {
	const pairs, want = 40, 80
	srv := newSlack(t, slacktest.Options{})
	db := filepath.Join(t.TempDir(), "mentorbot.db")
	st, err := store.Open(db, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	// Paired a cycle and a minute ago: after this year's check-in period began (the
	// schedules below fire on 1 January), so nothing but the cycle is due.
	mentors, mentees := fanSeed(t, srv, st, pairs, time.Now().Add(-time.Hour-time.Minute))
	// The bot starts knowing a rate near the limit, as after an earlier fan-out.
	if err := st.SetLimit(context.Background(), "chat.postMessage", 30); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	env := botEnv(t, srv, db)
	env["MENTORBOT_CYCLE"] = "1h"
	env["MENTORBOT_IDLE_AFTER"] = "0"
	env["MENTORBOT_CHECKIN_SCHEDULE"] = "0 0 1 1 *"
	env["MENTORBOT_NUDGE_SCHEDULE"] = "0 0 1 1 *"
	env["MENTORBOT_RECOGNITION_SCHEDULE"] = "0 0 1 1 *"
	srv.Meter("chat.postMessage", 40, 5) // 80 questions take 2 s at best
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	tally := newFanTally(mentoring.KindCycle)
	p := startProc(t, env)
	if _, err := srv.WaitRecord(ctx, func(r slacktest.Record) bool { tally.add(r); return tally.messages >= want/3 }); err != nil {
		t.Fatalf("%d end-of-cycle questions before the kill: %v; stderr:\n%s", tally.messages, err, p.stderr)
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.wait(t, 10*time.Second)
	// Count what got out before the kill, up to the last record.
	killed := srv.Records()
	killedAt := len(killed)
	tally = newFanTally(mentoring.KindCycle)
	for _, r := range killed {
		tally.add(r)
	}
	if tally.messages >= want {
		t.Fatalf("the kill came after the fan-out: %d questions were out", tally.messages)
	}
	t.Logf("killed after %d end-of-cycle questions", tally.messages)

	restartAndFinish(t, ctx, env, srv, tally, killedAt, want, "questions")
	// Count again from the start: every record, after the last send was recorded.
	all := newFanTally(mentoring.KindCycle)
	for _, r := range srv.Records() {
		all.add(r)
	}
	ids, channels := all.twice()
	if len(ids) > 0 || len(channels) > 0 || all.messages != want {
		t.Errorf("%d end-of-cycle questions for %d members: notice ids sent twice %v, people asked twice %v", all.messages, want, ids, channels)
	}
	for _, id := range append(mentors, mentees...) {
		if n := all.byChannel[srv.DMChannelID(id)]; n != 1 {
			t.Errorf("%s got %d end-of-cycle questions, want 1", id, n)
		}
	}
	t.Logf("messages after the restart: %d; conversations.history calls: %d", len(srv.Records())-killedAt, len(srv.Calls("conversations.history")))

	st, err = store.Open(db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.Now = func() time.Time { return time.Now().Add(24 * time.Hour) } // deferred ones too
	if due, err := st.Due(context.Background(), 10); err != nil || len(due) != 0 {
		t.Errorf("outbox after the restart: %d notices (%v), want none", len(due), err)
	}
	// Every pairing waits for its members' answers, asked once.
	err = st.View(context.Background(), func(tx mentoring.Tx) error {
		all, err := tx.Pairings()
		for _, pr := range all {
			if !pr.Active() || pr.CycleAskedAt == nil {
				t.Errorf("pairing %d after the fan-out: %+v, want active and asked", pr.ID, pr)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
