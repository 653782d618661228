package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/slacktest"
)

func TestHelpListsCommands(t *testing.T) {
	h := startMain(t, options{})
	tests := []struct {
		name, user, text string
		want, notWant    []string
	}{
		{"help", "UALICE", "help", []string{"/mentor join", "/mentor goal add", "/mentor forget", "/kudos @user"}, []string{"/mentor pair"}},
		{"empty text is help", "UALICE", "", []string{"/mentor status"}, []string{"/mentor stats"}},
		{"admin sees admin commands", "UADMIN", "HELP", []string{"/mentor pair", "/mentor stats", "/mentor run checkins"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ack := h.command(t, tt.user, "/mentor", tt.text)
			msg := replyOf(t, ack)
			checkReply(t, tt.text, msg)
			all := replyText(msg)
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("help lacks %q", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(all, w) {
					t.Errorf("help for a non-admin shows %q", w)
				}
			}
		})
	}
	// Slack shows the ack payload to the person as an ephemeral message.
	ctx, cancel := context.WithTimeout(context.Background(), slackDeadline)
	defer cancel()
	if _, err := h.srv.WaitRecord(ctx, func(r slacktest.Record) bool {
		return r.Kind == "ephemeral" && r.User == "UALICE" && strings.Contains(slacktest.RecordText(r), "/mentor join")
	}); err != nil {
		t.Errorf("no ephemeral help shown to the person: %v", err)
	}
	h.wantMetrics(t, `mentorbot_commands_total{command="/mentor help",outcome="ok"} 3`)
}

func TestUnknownSubcommandSaysHowToWriteIt(t *testing.T) {
	h := startMain(t, options{})
	msg := replyOf(t, h.command(t, "UALICE", "/mentor", "frobnicate now"))
	all := replyText(msg)
	for _, w := range []string{"frobnicate", "/mentor help"} {
		if !strings.Contains(all, w) {
			t.Errorf("reply %q lacks %q", all, w)
		}
	}
	h.wantMetrics(t, `mentorbot_commands_total{command="/mentor unknown",outcome="invalid"} 1`)
}

func TestHostileTextIsAnsweredEscaped(t *testing.T) {
	h := startMain(t, options{})
	inputs := []string{
		"<!channel>",
		"<!here> <!everyone>",
		"<!subteam^S0123|@engineering> hi",
		"<@UBERT|bertram> <@UADMIN>",
		"@channel @here",
		strings.Repeat("x", 4000),
		strings.Repeat("<!channel>", 400),
		"\x00\x01\x02\x1b[2J\x7f",
		"\xff\xfe\xc3\x28 invalid",
		"`*_~> ```code``` <https://evil.example|click>",
		"\u202e\u200bhidden",
	}
	for _, in := range inputs {
		for _, text := range []string{in, "goal " + in} {
			ack := h.command(t, "UALICE", "/mentor", text)
			if ack.Latency >= slackDeadline {
				t.Errorf("%q acked after %v", text, ack.Latency)
			}
			checkReply(t, text, replyOf(t, ack))
		}
	}
	for _, r := range h.srv.Records() {
		if m := slacktest.LiveMentions(slacktest.RecordText(r)); len(m) > 0 {
			t.Errorf("record %d (%s to %s) has live mentions %v", r.Seq, r.Kind, r.User, m)
		}
	}
}

// TestReconnects cuts the Socket Mode connection three ways: /readyz drops while the
// bot is not connected, the bot reconnects by itself, /readyz returns and commands are
// answered again.
func TestReconnects(t *testing.T) {
	tests := []struct {
		name string
		cut  func(srv *slacktest.Server) error
	}{
		{"refresh_requested", func(srv *slacktest.Server) error { return srv.Disconnect("refresh_requested") }},
		{"warning", func(srv *slacktest.Server) error { return srv.Disconnect("warning") }},
		{"tcp drop", func(srv *slacktest.Server) error { return srv.DropConnection() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startMain(t, options{})
			// Hold the reconnect back for a moment so readiness can be seen to drop.
			h.srv.FailNext("apps.connections.open", 1, "internal_error")
			if err := tt.cut(h.srv); err != nil {
				t.Fatal(err)
			}
			var body string
			waitFor(t, "readiness to drop", func() bool {
				var code int
				code, body = h.readyz(t)
				return code == http.StatusServiceUnavailable
			})
			if !strings.Contains(body, "Slack is not connected") {
				t.Errorf("/readyz while reconnecting says %q, want Slack is not connected", body)
			}
			waitFor(t, "a second connection", func() bool { return h.srv.Connections() >= 2 })
			waitFor(t, "readiness to return", func() bool { code, _ := h.readyz(t); return code == http.StatusOK })
			if all := replyText(replyOf(t, h.command(t, "UALICE", "/mentor", "help"))); !strings.Contains(all, "/mentor join") {
				t.Errorf("help after reconnect = %q", all)
			}
			h.wantMetrics(t, `mentorbot_socket_reconnects_total 1`, `mentorbot_socket_connected 1`)
		})
	}
}

func TestRateLimitedCallIsRetriedAfterRetryAfterAndCounted(t *testing.T) {
	h := startMain(t, options{})
	// Main checked the bot token once at start.
	h.wantMetrics(t, `mentorbot_slack_api_calls_total{method="auth.test",outcome="ok"} 1`)
	h.srv.RateLimit("auth.test", 1, time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := h.m.client.CheckAuth(ctx); err != nil {
		t.Fatalf("CheckAuth after a 429: %v", err)
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("retried after %v, before Retry-After (1 s)", d)
	}
	// One 429, then the retry's ok (the other ok is Main's own check at start).
	h.wantMetrics(t,
		`mentorbot_slack_api_calls_total{method="auth.test",outcome="rate_limited"} 1`,
		`mentorbot_slack_api_calls_total{method="auth.test",outcome="ok"} 2`)
}
