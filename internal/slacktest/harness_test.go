package slacktest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// testTimeout bounds every wait in these tests; nothing should take close.
const testTimeout = 10 * time.Second

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

func newTestServer(t *testing.T, opts Options) *Server {
	t.Helper()
	srv, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(srv.Close)
	srv.AddUser(User{ID: "U1", Name: "alice", RealName: "Alice A", TZ: "Europe/Berlin", TZOffset: 3600})
	srv.AddUser(User{ID: "U2", Name: "bob", RealName: "Bob B"})
	srv.AddUser(User{ID: "U3", Name: "carol", RealName: "Carol C"})
	return srv
}

// apiClient is a slack-go Web API client for srv, as the bot builds it.
func apiClient(srv *Server, token string) *slack.Client {
	return slack.New(token, slack.OptionAPIURL(srv.APIURL()), slack.OptionAppLevelToken(DefaultAppToken))
}

// testBot runs the real socketmode.Client against a Server. handle sees
// every event; for requests it returns the ack payload (nil for none).
type testBot struct {
	api    *slack.Client
	smc    *socketmode.Client
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	events []socketmode.EventType
}

func startBot(t *testing.T, srv *Server, handle func(b *testBot, evt socketmode.Event) any, opts ...socketmode.Option) *testBot {
	t.Helper()
	b := &testBot{api: apiClient(srv, DefaultBotToken)}
	b.smc = socketmode.New(b.api, opts...)
	ctx, cancel := context.WithCancel(context.Background())
	b.cancel = cancel
	b.wg.Go(func() {
		if err := b.smc.RunContext(ctx); err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("RunContext: %v", err)
		}
	})
	b.wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-b.smc.Events:
				b.mu.Lock()
				b.events = append(b.events, evt.Type)
				b.mu.Unlock()
				var payload any
				if handle != nil {
					payload = handle(b, evt)
				}
				switch evt.Type {
				case socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive, socketmode.EventTypeEventsAPI:
					if err := b.smc.AckCtx(ctx, evt.Request.EnvelopeID, payload); err != nil && ctx.Err() == nil {
						t.Errorf("ack: %v", err)
					}
				}
			}
		}
	})
	t.Cleanup(b.stop)
	return b
}

func (b *testBot) stop() {
	b.cancel()
	b.wg.Wait()
}

func (b *testBot) sawEvent(typ socketmode.EventType) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.events {
		if e == typ {
			return true
		}
	}
	return false
}

// slackError is the Slack error name in err, or "" when err is nil.
func slackError(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	t.Fatalf("not a Slack error response: %T %v", err, err)
	return ""
}

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
