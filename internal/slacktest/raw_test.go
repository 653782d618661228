package slacktest

import (
	"errors"
	"testing"
	"time"

	"github.com/slack-go/slack/socketmode"
)

// A client that acks only what slack-go parses (as the test bot does) leaves a frame
// it cannot parse unacknowledged, and DeliverRaw says so; a parsable raw frame is acked.
func TestDeliverRawReportsWhetherAcked(t *testing.T) {
	srv := newTestServer(t, Options{})
	srv.ackTimeout = 200 * time.Millisecond // Slack's is 3 s
	ctx := testCtx(t)
	bot := startBot(t, srv, nil)
	if err := srv.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}

	ack, err := srv.DeliverRaw(ctx, []byte(`{"envelope_id":"raw-1","type":"slash_commands","accepts_response_payload":true,`+
		`"payload":{"command":"/mentor","text":"help","user_id":"U1","channel_id":"C0GENERAL"}}`))
	if err != nil || ack.EnvelopeID != "raw-1" || ack.Payload != nil {
		t.Fatalf("parsable raw envelope: ack %+v, err %v", ack, err)
	}

	_, err = srv.DeliverRaw(ctx, []byte(`{"envelope_id":"raw-2","type":"no_such_type","payload":{}}`))
	if !errors.Is(err, ErrNotAcked) {
		t.Fatalf("unparsable raw envelope left unacked: err = %v, want ErrNotAcked", err)
	}
	if !bot.sawEvent(socketmode.EventTypeErrorBadMessage) {
		t.Errorf("slack-go did not report the bad message; events %v", bot.events)
	}

	for _, frame := range []string{`[1,2]`, `{"type":"interactive"}`, `{"envelope_id":7}`} {
		if _, err := srv.DeliverRaw(ctx, []byte(frame)); err == nil || errors.Is(err, ErrNotAcked) {
			t.Errorf("DeliverRaw(%s) = %v, want a refusal (no string envelope_id)", frame, err)
		}
	}
}
