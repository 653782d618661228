package slacktest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// slashEcho acks every slash command with an ephemeral echo of its text.
func slashEcho(_ *testBot, evt socketmode.Event) any {
	if cmd, ok := evt.Data.(slack.SlashCommand); ok {
		return map[string]any{"text": "you said: " + cmd.Text}
	}
	return nil
}

func TestSocketModeHelloAndAck(t *testing.T) {
	srv := newTestServer(t, Options{})
	ctx := testCtx(t)
	var (
		mu  sync.Mutex
		got slack.SlashCommand
	)
	bot := startBot(t, srv, func(b *testBot, evt socketmode.Event) any {
		if cmd, ok := evt.Data.(slack.SlashCommand); ok {
			mu.Lock()
			got = cmd
			mu.Unlock()
		}
		return slashEcho(b, evt)
	})
	if err := srv.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Calls("apps.connections.open")); n != 1 {
		t.Fatalf("%d apps.connections.open calls", n)
	}

	ack, err := srv.SlashCommand(ctx, "U1", "/mentor", "status")
	if err != nil {
		t.Fatalf("SlashCommand: %v", err)
	}
	if !bot.sawEvent(socketmode.EventTypeHello) || !bot.sawEvent(socketmode.EventTypeConnected) {
		t.Fatalf("client events = %v", bot.events)
	}
	if ack.EnvelopeID == "" || ack.Latency <= 0 || !strings.Contains(string(ack.Payload), "you said: status") {
		t.Fatalf("ack = %+v", ack)
	}
	mu.Lock()
	cmd := got
	mu.Unlock()
	if cmd.Command != "/mentor" || cmd.Text != "status" || cmd.UserID != "U1" || cmd.UserName != "alice" ||
		cmd.ChannelID != DefaultCommandChannel || cmd.TeamID != DefaultTeamID || cmd.APIAppID != DefaultAppID ||
		cmd.TriggerID == "" || !strings.HasPrefix(cmd.ResponseURL, "http://127.0.0.1:") {
		t.Fatalf("slash command as parsed by slack-go = %+v", cmd)
	}
	r, err := srv.WaitRecord(ctx, func(r Record) bool { return r.Kind == "ephemeral" })
	if err != nil {
		t.Fatal(err)
	}
	if r.Via != "ack" || r.User != "U1" || r.Channel != DefaultCommandChannel || r.Text != "you said: status" || r.Seq != 1 {
		t.Fatalf("record = %+v", r)
	}

	// An empty ack shows nothing.
	if _, err := srv.AppHomeOpened(ctx, "U2"); err != nil {
		t.Fatalf("AppHomeOpened: %v", err)
	}
	if n := len(srv.Records()); n != 1 {
		t.Fatalf("%d records", n)
	}
}

func TestDeliverConcurrent(t *testing.T) {
	srv := newTestServer(t, Options{})
	ctx := testCtx(t)
	startBot(t, srv, slashEcho)

	const n = 20
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ack, err := srv.SlashCommand(ctx, "U2", "/mentor", fmt.Sprint(i))
			if err == nil && !strings.Contains(string(ack.Payload), fmt.Sprintf("you said: %d", i)) {
				err = fmt.Errorf("ack %d carries %s", i, ack.Payload)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := len(srv.Records()); got != n {
		t.Fatalf("%d records, want %d", got, n)
	}
}

func TestDisconnectReconnects(t *testing.T) {
	srv := newTestServer(t, Options{})
	ctx := testCtx(t)
	startBot(t, srv, slashEcho)
	if err := srv.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	if err := srv.Disconnect("refresh_requested"); err != nil {
		t.Fatalf("Disconnect: %v", err)
	}
	// Deliver waits for the new connection.
	if _, err := srv.SlashCommand(ctx, "U1", "/mentor", "after"); err != nil {
		t.Fatalf("SlashCommand after disconnect: %v", err)
	}
	if got := srv.Connections(); got != 2 {
		t.Fatalf("Connections() = %d, want 2", got)
	}
	if got := len(srv.Calls("apps.connections.open")); got != 2 {
		t.Fatalf("%d apps.connections.open calls, want 2", got)
	}
}

func TestDropConnectionReconnects(t *testing.T) {
	srv := newTestServer(t, Options{})
	ctx := testCtx(t)
	startBot(t, srv, slashEcho)
	if err := srv.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	if err := srv.DropConnection(); err != nil {
		t.Fatalf("DropConnection: %v", err)
	}
	if err := srv.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	if got := srv.Connections(); got != 2 {
		t.Fatalf("Connections() = %d, want 2", got)
	}
	if _, err := srv.SlashCommand(ctx, "U1", "/mentor", "after"); err != nil {
		t.Fatalf("SlashCommand after drop: %v", err)
	}
}

func TestNotConnected(t *testing.T) {
	srv := newTestServer(t, Options{})
	if err := srv.Disconnect("x"); !errors.Is(err, ErrNotConnected) {
		t.Fatalf("Disconnect without connection: %v", err)
	}
	if err := srv.DropConnection(); !errors.Is(err, ErrNotConnected) {
		t.Fatalf("DropConnection without connection: %v", err)
	}
}

func TestDeliverFailsWhenConnectionDrops(t *testing.T) {
	srv := newTestServer(t, Options{})
	ctx := testCtx(t)
	conn := rawConnect(t, srv)
	defer conn.Close()

	result := make(chan error, 1)
	go func() {
		_, err := srv.SlashCommand(ctx, "U1", "/mentor", "x")
		result <- err
	}()
	var env struct {
		EnvelopeID string `json:"envelope_id"`
		Type       string `json:"type"`
	}
	if err := conn.ReadJSON(&env); err != nil || env.Type != "slash_commands" {
		t.Fatalf("read envelope: %+v %v", env, err)
	}
	if err := srv.DropConnection(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-result:
		if !errors.Is(err, ErrConnectionLost) {
			t.Fatalf("err = %v, want ErrConnectionLost", err)
		}
	case <-ctx.Done():
		t.Fatal("SlashCommand did not return")
	}
}

// rawConnect opens a Socket Mode connection with gorilla directly (to do
// what slack-go refuses to) and reads the hello.
func rawConnect(t *testing.T, srv *Server) *websocket.Conn {
	t.Helper()
	_, wsURL, err := apiClient(srv, DefaultBotToken).StartSocketModeContext(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	conn, _, err := websocket.DefaultDialer.Dial(wsURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	var hello struct {
		Type           string `json:"type"`
		NumConnections int    `json:"num_connections"`
		ConnectionInfo struct {
			AppID string `json:"app_id"`
		} `json:"connection_info"`
	}
	if err := conn.ReadJSON(&hello); err != nil || hello.Type != "hello" || hello.ConnectionInfo.AppID != DefaultAppID {
		t.Fatalf("hello = %+v, %v", hello, err)
	}
	// A ticket is single use.
	if c2, resp, err := websocket.DefaultDialer.Dial(wsURL, nil); err == nil {
		c2.Close()
		t.Fatal("ticket accepted twice")
	} else if resp == nil || resp.StatusCode != 401 {
		t.Fatalf("reused ticket: %v", err)
	}
	return conn
}

func TestOversizedAckIsDropped(t *testing.T) {
	srv := newTestServer(t, Options{})
	ctx := testCtx(t)
	conn := rawConnect(t, srv)
	defer conn.Close()

	result := make(chan Ack, 1)
	go func() {
		ack, err := srv.SlashCommand(ctx, "U1", "/mentor", "big")
		if err != nil {
			t.Errorf("SlashCommand: %v", err)
		}
		result <- ack
	}()
	var env struct {
		EnvelopeID string `json:"envelope_id"`
	}
	if err := conn.ReadJSON(&env); err != nil {
		t.Fatal(err)
	}
	big := map[string]any{"envelope_id": env.EnvelopeID, "payload": map[string]any{"text": strings.Repeat("x", maxAckSize)}}
	if err := conn.WriteJSON(big); err != nil {
		t.Fatal(err)
	}
	ack := <-result
	if !ack.Dropped || srv.DroppedAcks() != 1 {
		t.Fatalf("ack.Dropped = %v, DroppedAcks() = %d", ack.Dropped, srv.DroppedAcks())
	}
	if n := len(srv.Records()); n != 0 {
		t.Fatalf("%d records from a dropped ack", n)
	}
}

func TestServerPingsKeepClientConnected(t *testing.T) {
	srv := newTestServer(t, Options{PingInterval: 10 * time.Millisecond})
	ctx := testCtx(t)
	// The client gives up on a connection without a PING for 200ms.
	startBot(t, srv, nil, socketmode.OptionPingInterval(200*time.Millisecond))
	if err := srv.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	srv.mu.Lock()
	c := srv.current
	srv.mu.Unlock()
	// Wait until the client has answered 60 pings (~600ms, three of the
	// client's ping windows), then check it never reconnected.
	deadline := time.NewTimer(testTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for c.pongs.Load() < 60 {
		select {
		case <-tick.C:
		case <-deadline.C:
			t.Fatalf("only %d pongs", c.pongs.Load())
		}
	}
	if got := srv.Connections(); got != 1 {
		t.Fatalf("Connections() = %d, want 1", got)
	}
}

func TestCloseEndsWaits(t *testing.T) {
	srv, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	done := make(chan error, 1)
	go func() {
		_, err := srv.Deliver(ctx, Envelope{Type: "events_api", Payload: json.RawMessage(`{}`)})
		done <- err
	}()
	srv.Close()
	srv.Close() // idempotent
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Fatalf("Deliver after Close: %v", err)
	}
	if _, err := srv.WaitRecord(ctx, func(Record) bool { return true }); !errors.Is(err, ErrClosed) {
		t.Fatalf("WaitRecord after Close: %v", err)
	}
}
