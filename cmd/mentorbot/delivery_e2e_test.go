package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/bot"
	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
	"github.com/mentorbot/mentorbot/store"
)

// rendered is a notice queued already rendered for Slack (as a mentorbot from before
// notices queued its messages): it is sent as it is, so its text is known exactly.
func rendered(t testing.TB, kind mentoring.Kind, mrkdwn string, to ...string) mentoring.Notice {
	t.Helper()
	payload, err := json.Marshal(map[string]any{
		"text":   mrkdwn,
		"blocks": []any{map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": mrkdwn}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return mentoring.Notice{Kind: kind, To: to, Payload: payload}
}

// enqueue queues notices in one transaction, as the programme does.
func enqueue(t testing.TB, st *store.Store, notices ...mentoring.Notice) {
	t.Helper()
	if err := st.Update(context.Background(), func(tx mentoring.Tx) error {
		for _, n := range notices {
			if err := tx.Enqueue(n); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestQueuedMessagesSurviveARestartAndAreNotSentTwice(t *testing.T) {
	// Before the bot starts, the outbox holds what a crashed bot left: a message never
	// tried, one tried and delivered (Slack has it), one tried and lost.
	var ids []uint64
	h := startMain(t, options{prepare: func(t testing.TB, h *harness, st *store.Store) {
		ctx := context.Background()
		enqueue(t, st,
			rendered(t, mentoring.KindIntro, "Never tried.", "UALICE"),
			rendered(t, mentoring.KindIntro, "Delivered before the crash.", "UALICE"),
			rendered(t, mentoring.KindIntro, "Lost in the crash.", "UALICE"))
		due, err := st.Due(ctx, 10)
		if err != nil || len(due) != 3 {
			t.Fatalf("queued %d (%v), want 3", len(due), err)
		}
		for _, n := range due {
			ids = append(ids, n.ID)
			if n.ID != due[0].ID {
				if _, ok, err := st.StartSend(ctx, n.ID); err != nil || !ok {
					t.Fatalf("StartSend %d: %v, %v", n.ID, ok, err)
				}
			}
		}
		// The delivered one is in Slack, tagged with its id, as the bot would have sent it.
		client := bot.NewClient(bot.ClientConfig{
			BotToken: slacktest.DefaultBotToken, AppToken: slacktest.DefaultAppToken, APIURL: h.srv.APIURL(),
		})
		channel, err := client.Conversation(ctx, []string{"UALICE"})
		if err != nil {
			t.Fatal(err)
		}
		if err := client.Post(ctx, channel, due[1]); err != nil {
			t.Fatal(err)
		}
	}})
	waitFor(t, "the outbox to drain", func() bool { return len(h.queued(t)) == 0 })
	counts := map[string]int{}
	for _, r := range h.srv.Records() {
		if r.Kind == "message" {
			counts[r.Text]++
		}
	}
	for text, want := range map[string]int{"Never tried.": 1, "Delivered before the crash.": 1, "Lost in the crash.": 1} {
		if counts[text] != want {
			t.Errorf("%q delivered %d times, want %d", text, counts[text], want)
		}
	}
	if len(ids) != 3 {
		t.Fatalf("queued %d", len(ids))
	}
	// The one found in Slack's history is counted already_sent, and only that; the
	// other two were sent.
	h.wantMetrics(t, `mentorbot_messages_total{kind="mentorbot_intro",outcome="already_sent"} 1`,
		`mentorbot_messages_total{kind="mentorbot_intro",outcome="sent"} 2`)
}

func TestIntroFallsBackToADMToEachWithoutAGroupDM(t *testing.T) {
	h := startMain(t, options{})
	h.say(t, "UALICE", "/mentor", "join mentor go")
	h.say(t, "UBERT", "/mentor", "join mentee go")
	h.srv.FailNext("conversations.open", 1, "method_not_supported_for_channel_type")
	start := h.seq()
	h.say(t, "UADMIN", "/mentor", "pair")
	for _, u := range []string{"UBERT", "UALICE"} {
		h.record(t, start, "intro DM to "+u, h.dmTo(u, "<@UBERT>, meet <@UALICE>"))
	}
	h.wantMetrics(t, `mentorbot_messages_total{kind="mentorbot_intro",outcome="split"} 1`)
}

func TestDeliveryWaitsOutRateLimitsAndSkipsTheUndeliverable(t *testing.T) {
	h := startMain(t, options{})
	// Two 429s (Retry-After 1 s): the message waits and goes out, never dropped.
	h.srv.RateLimit("chat.postMessage", 2, time.Second)
	start := h.seq()
	enqueue(t, h.m.store,
		rendered(t, mentoring.KindIntro, "for a deactivated account", "UGONE"),
		rendered(t, mentoring.KindIntro, "For alice.", "UALICE"))
	h.m.delivery.Wake()
	h.record(t, start, "alice's message", h.dmTo("UALICE", "For alice."))
	waitFor(t, "the outbox to empty", func() bool { return len(h.queued(t)) == 0 })
	// Delivery counts a send after the outbox lets it go: wait for the count too.
	waitFor(t, "alice's message to be counted", func() bool { return fanSettled(h, mentoring.KindIntro) == 1 })
	h.wantMetrics(t,
		// The deactivated account: dropped, and counted.
		`mentorbot_messages_total{kind="mentorbot_intro",outcome="failed"} 1`,
		`mentorbot_messages_total{kind="mentorbot_intro",outcome="sent"} 1`,
		`mentorbot_slack_api_calls_total{method="chat.postMessage",outcome="rate_limited"} 2`)
}
