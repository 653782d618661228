package bot

import (
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// TestDirectoryCacheRunsOnTheProgrammesClock: a profile is trusted for profileTTL of
// the clock the client is given (the demo's, a test's), not the wall clock's, so
// moving that clock past it asks Slack again.
func TestDirectoryCacheRunsOnTheProgrammesClock(t *testing.T) {
	srv, err := slacktest.New(slacktest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	srv.AddUser(slacktest.User{ID: "UBERT", Name: "bertram", TZ: "America/New_York"})
	var mu sync.Mutex
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	c := NewClient(ClientConfig{BotToken: slacktest.DefaultBotToken, AppToken: slacktest.DefaultAppToken, APIURL: srv.APIURL(),
		Logger: slog.New(slog.DiscardHandler), Now: clock})
	lookups := func() int { return len(srv.Calls("users.info")) }
	tests := []struct {
		name    string
		advance time.Duration
		want    int // users.info calls so far
	}{
		{"first lookup asks Slack", 0, 1},
		{"a minute later the cache answers", time.Minute, 1},
		{"past the cache's life on the given clock, Slack again", profileTTL, 2},
	}
	for _, tt := range tests {
		mu.Lock()
		now = now.Add(tt.advance)
		mu.Unlock()
		if p, err := c.Person(t.Context(), "UBERT"); err != nil || p.TimeZone != "America/New_York" {
			t.Fatalf("%s: Person = %+v, %v", tt.name, p, err)
		}
		if got := lookups(); got != tt.want {
			t.Errorf("%s: %d users.info calls, want %d", tt.name, got, tt.want)
		}
	}
}
