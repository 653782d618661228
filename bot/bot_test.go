package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/robfig/cron/v3"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/ops"
	"github.com/mentorbot/mentorbot/internal/slacktest"
	"github.com/mentorbot/mentorbot/scheduler"
	"github.com/mentorbot/mentorbot/store"
)

// These tests are about the bot's envelope loop (deduplication, panics, the ack
// budget), with test handlers routed in. The wiring as a whole is tested end to end in
// cmd/mentorbot.

// slackDeadline is Slack's limit for acknowledging an envelope.
const slackDeadline = 3 * time.Second

// newProgramme is the core over st, asking Slack through client, with the SPEC's
// default schedules and UADMIN as the admin.
func newProgramme(tb testing.TB, st *store.Store, client *Client) *mentoring.Programme {
	tb.Helper()
	schedules := map[mentoring.Kind]cron.Schedule{}
	for kind, spec := range map[mentoring.Kind]string{
		mentoring.KindCheckin: "0 10 * * MON", mentoring.KindNudge: "0 10 * * WED", mentoring.KindRecognition: "0 15 * * FRI",
	} {
		s, err := cron.ParseStandard(spec)
		if err != nil {
			tb.Fatal(err)
		}
		schedules[kind] = s
	}
	return mentoring.New(mentoring.Config{
		Store: st, Directory: client, Calendar: scheduler.NewCalendar(schedules),
		Admins: []string{"UADMIN"}, NudgeAfter: 336 * time.Hour,
	})
}

// harness is a Bot over a real store file, connected over Socket Mode to the fake
// Slack.
type harness struct {
	srv     *slacktest.Server
	bot     *Bot
	metrics *ops.Metrics
}

// startBot runs a bot against a fresh fake Slack until the test ends. routes, when not
// nil, adds test handlers before the bot connects.
func startBot(t testing.TB, routes func(b *Bot)) *harness {
	t.Helper()
	srv, err := slacktest.New(slacktest.Options{PingInterval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	for _, u := range []slacktest.User{
		{ID: "UALICE", Name: "alice", RealName: "Alice", TZ: "Europe/Berlin"},
		{ID: "UBERT", Name: "bertram", RealName: "Bertram", TZ: "America/New_York"},
		{ID: "UADMIN", Name: "ada", RealName: "Ada Admin", TZ: "UTC"},
	} {
		srv.AddUser(u)
	}
	// NoSync: a real bbolt file, without an fsync per commit (tests do not crash).
	st, err := store.Open(filepath.Join(t.TempDir(), "bot.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	m := ops.NewMetrics()
	log := slog.New(slog.DiscardHandler)
	client := NewClient(ClientConfig{
		BotToken: slacktest.DefaultBotToken, AppToken: slacktest.DefaultAppToken, APIURL: srv.APIURL(),
		Metrics: m, Logger: log,
	})
	b := New(Config{Logger: log, Metrics: m, PingInterval: 2 * time.Second}, client, newProgramme(t, st, client))
	if routes != nil {
		routes(b)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := srv.WaitConnected(wctx); err != nil {
		t.Fatalf("bot did not connect: %v", err)
	}
	return &harness{srv: srv, bot: b, metrics: m}
}

// command sends a slash command and returns its ack, failing if Slack's deadline passes.
func (h *harness) command(t testing.TB, user, command, text string) slacktest.Ack {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), slackDeadline)
	defer cancel()
	ack, err := h.srv.SlashCommand(ctx, user, command, text)
	if err != nil {
		t.Fatalf("%s %q: no ack within %v: %v", command, text, slackDeadline, err)
	}
	return ack
}

// replyOf decodes an ack's reply payload, failing when there is none.
func replyOf(t testing.TB, ack slacktest.Ack) *slack.Msg {
	t.Helper()
	msg, err := ack.Reply()
	switch {
	case msg == nil:
		t.Fatal(err)
	case err != nil:
		t.Error(err)
	}
	return msg
}

// replyText is every text a reply shows.
func replyText(msg *slack.Msg) string { return slacktest.MsgText(msg) }

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRedeliveredEnvelopeIsHandledOnce(t *testing.T) {
	var runs, events atomic.Int32
	h := startBot(t, func(b *Bot) {
		b.commands["count"] = subcommand{run: func(ctx context.Context, cmd *slack.SlashCommand, args string) (*reply, error) {
			return ephemeral(fmt.Sprintf("counted %d", runs.Add(1))), nil
		}}
		b.events["app_mention"] = func(ctx context.Context, _ slackevents.EventsAPIEvent) error { events.Add(1); return nil }
	})
	payload, err := json.Marshal(slack.SlashCommand{
		Command: "/mentor", Text: "count", UserID: "UALICE", ChannelID: "C0GENERAL", TeamID: "T0TEST",
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*slackDeadline)
	defer cancel()
	first, err := h.srv.Deliver(ctx, slacktest.Envelope{Type: "slash_commands", EnvelopeID: "env-1", Payload: payload, AcceptsResponsePayload: true})
	if err != nil {
		t.Fatal(err)
	}
	again, err := h.srv.Deliver(ctx, slacktest.Envelope{Type: "slash_commands", EnvelopeID: "env-1", Payload: payload, AcceptsResponsePayload: true,
		RetryAttempt: 1, RetryReason: "timeout"})
	if err != nil {
		t.Fatalf("redelivery not acked: %v", err)
	}
	if got := runs.Load(); got != 1 {
		t.Errorf("handler ran %d times, want 1", got)
	}
	if string(first.Payload) != string(again.Payload) || !strings.Contains(string(again.Payload), "counted 1") {
		t.Errorf("redelivery acked with %s, want the first answer %s", again.Payload, first.Payload)
	}
	if got := testutil.ToFloat64(h.metrics.Envelopes.WithLabelValues("slash_commands", "duplicate")); got != 1 {
		t.Errorf("envelopes_total{duplicate} = %v, want 1", got)
	}

	// An Events API event retried in a new envelope keeps its event_id.
	ev := []byte(`{"type":"event_callback","team_id":"T0TEST","api_app_id":"A0TEST","event_id":"Ev1","event_time":1,` +
		`"event":{"type":"app_mention","user":"UALICE","text":"hi","channel":"C0GENERAL","ts":"1.2"}}`)
	for i, id := range []string{"env-2", "env-3"} {
		if _, err := h.srv.Deliver(ctx, slacktest.Envelope{Type: "events_api", EnvelopeID: id, Payload: ev, RetryAttempt: i}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the event handler", func() bool { return events.Load() >= 1 })
	if got := testutil.ToFloat64(h.metrics.Envelopes.WithLabelValues("events_api", "duplicate")); got != 1 || events.Load() != 1 {
		t.Errorf("event handled %d times, duplicates counted %v; want 1 and 1", events.Load(), got)
	}
}

func TestHandlerPanicIsSurvived(t *testing.T) {
	h := startBot(t, func(b *Bot) {
		b.commands["boom"] = subcommand{run: func(ctx context.Context, cmd *slack.SlashCommand, args string) (*reply, error) {
			var m map[string]int
			m["x"]++ // nil map write: a real runtime panic
			return nil, nil
		}}
	})
	msg := replyOf(t, h.command(t, "UALICE", "/mentor", "boom"))
	if all := replyText(msg); !strings.Contains(all, "Sorry") {
		t.Errorf("reply after a panic = %q, want an apology", all)
	}
	if got := testutil.ToFloat64(h.metrics.Panics); got != 1 {
		t.Errorf("handler_panics_total = %v, want 1", got)
	}
	// Still serving.
	if all := replyText(replyOf(t, h.command(t, "UALICE", "/mentor", "help"))); !strings.Contains(all, "/mentor join") {
		t.Errorf("help after a panic = %q", all)
	}
}

func TestSlowHandlerRepliesThroughResponseURL(t *testing.T) {
	release := make(chan struct{})
	h := startBot(t, func(b *Bot) {
		b.commands["slow"] = subcommand{run: func(ctx context.Context, cmd *slack.SlashCommand, args string) (*reply, error) {
			<-release
			return ephemeral("done at last"), nil
		}}
	})
	ack := h.command(t, "UALICE", "/mentor", "slow")
	close(release)
	if len(ack.Payload) != 0 {
		t.Errorf("slow handler's ack carries %s, want an empty ack within the budget", ack.Payload)
	}
	if ack.Latency >= slackDeadline {
		t.Errorf("ack after %v", ack.Latency)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r, err := h.srv.WaitRecord(ctx, func(r slacktest.Record) bool {
		return strings.Contains(slacktest.RecordText(r), "done at last")
	})
	if err != nil {
		t.Fatalf("late reply never arrived: %v", err)
	}
	if r.Via != "response_url" || r.Kind != "ephemeral" || r.User != "UALICE" {
		t.Errorf("late reply went %s/%s to %s, want an ephemeral through response_url to UALICE", r.Via, r.Kind, r.User)
	}
}
