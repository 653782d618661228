package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// Every envelope that has an envelope_id is acknowledged, even one the bot cannot read:
// Slack redelivers an unacknowledged envelope, and a bad one would come back forever.
// Each is counted as envelopes_total{outcome="unparsed"} and the bot keeps serving.
func TestUnparsableEnvelopesAreAcknowledged(t *testing.T) {
	h := startBot(t, nil)
	cases := []struct {
		name, frame, typ string
	}{
		{"unknown envelope type", `{"envelope_id":"bad-1","type":"shiny_new_type","payload":{"x":1}}`, "unknown"},
		{"interactive payload of the wrong shape",
			`{"envelope_id":"bad-2","type":"interactive","accepts_response_payload":true,"payload":{"type":"block_actions","user":"UALICE"}}`,
			"interactive"},
		{"interactive payload that is not an object",
			`{"envelope_id":"bad-3","type":"interactive","accepts_response_payload":false,"payload":"block_actions"}`, "interactive"},
		{"Events API event of a type slack-go does not know",
			`{"envelope_id":"bad-4","type":"events_api","accepts_response_payload":false,"payload":{"type":"event_callback","team_id":"T0TEST",` +
				`"api_app_id":"A0TEST","event_id":"EvNew","event_time":1,"event":{"type":"brand_new_event","user":"UALICE"}}}`, "events_api"},
		{"slash command payload of the wrong shape",
			`{"envelope_id":"bad-5","type":"slash_commands","accepts_response_payload":true,"payload":{"command":5,"user_id":"UALICE"}}`,
			"slash_commands"},
		{"envelope field of the wrong type",
			`{"envelope_id":"bad-6","type":"slash_commands","retry_attempt":"one","payload":{"command":"/mentor","text":"help"}}`,
			"slash_commands"},
		{"redelivery of a bad envelope",
			`{"envelope_id":"bad-1","type":"shiny_new_type","retry_attempt":1,"retry_reason":"timeout","payload":{"x":1}}`, "unknown"},
	}
	for _, c := range cases {
		ctx, cancel := context.WithTimeout(context.Background(), 2*slackDeadline)
		ack, err := h.srv.DeliverRaw(ctx, []byte(c.frame))
		cancel()
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if ack.Payload != nil || ack.Latency >= slackDeadline {
			t.Errorf("%s: acked after %v with %s, want an empty ack within %v", c.name, ack.Latency, ack.Payload, slackDeadline)
		}
	}
	for typ, want := range map[string]float64{"unknown": 2, "interactive": 2, "events_api": 1, "slash_commands": 2} {
		if got := testutil.ToFloat64(h.metrics.Envelopes.WithLabelValues(typ, "unparsed")); got != want {
			t.Errorf(`envelopes_total{type=%q,outcome="unparsed"} = %v, want %v`, typ, got, want)
		}
	}
	if got := testutil.ToFloat64(h.metrics.Envelopes.WithLabelValues("shiny_new_type", "unparsed")); got != 0 {
		t.Errorf("an unknown envelope type became a metric label (%v)", got)
	}
	// Still serving, and what was read is handled as before.
	if all := replyText(replyOf(t, h.command(t, "UALICE", "/mentor", "help"))); !strings.Contains(all, "/mentor join") {
		t.Errorf("help after unparsable envelopes = %q", all)
	}
	if got := testutil.ToFloat64(h.metrics.Envelopes.WithLabelValues("slash_commands", "handled")); got != 1 {
		t.Errorf(`envelopes_total{type="slash_commands",outcome="handled"} = %v, want 1`, got)
	}
}
