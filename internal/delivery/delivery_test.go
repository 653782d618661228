package delivery_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	promtest "github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/mentorbot/mentorbot/internal/delivery"
	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/ops"
	"github.com/mentorbot/mentorbot/store"
)

// slackErr is an error as bot.Client classifies Slack's answers.
type slackErr struct {
	msg                string
	permanent, refused bool
}

func (e *slackErr) Error() string   { return e.msg }
func (e *slackErr) Permanent() bool { return e.permanent }
func (e *slackErr) Refused() bool   { return e.refused }

type rateLimited struct {
	slackErr
	retryAfter time.Duration
}

func (e *rateLimited) RetryAfter() time.Duration { return e.retryAfter }

// fakeSlack records posts; fail says how a call goes for a set of recipients.
type fakeSlack struct {
	mu      sync.Mutex
	posted  map[string][]uint64 // channel -> notice ids
	openErr func(to []string) error
	postErr func(n mentoring.Notice) error
}

func (f *fakeSlack) Conversation(_ context.Context, to []string) (string, error) {
	if f.openErr != nil {
		if err := f.openErr(to); err != nil {
			return "", err
		}
	}
	return "D" + strings.Join(to, ""), nil
}

func (f *fakeSlack) Post(_ context.Context, channel string, n mentoring.Notice) error {
	if f.postErr != nil {
		if err := f.postErr(n); err != nil {
			return err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.posted[channel] = append(f.posted[channel], n.ID)
	return nil
}

func (f *fakeSlack) Posted(_ context.Context, channel string, n mentoring.Notice) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Contains(f.posted[channel], n.ID), nil
}

func setup(t *testing.T) (*store.Store, *fakeSlack, *delivery.Delivery, *ops.Metrics, *time.Time) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "d.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	st.Now = func() time.Time { return now }
	fs := &fakeSlack{posted: map[string][]uint64{}}
	m := ops.NewMetrics()
	d := delivery.New(delivery.Config{Queue: st, Slack: fs, Now: func() time.Time { return now }, Sends: m.Sends})
	return st, fs, d, m, &now
}

func enqueue(t *testing.T, st *store.Store, ns ...mentoring.Notice) {
	t.Helper()
	if err := st.Update(context.Background(), func(tx mentoring.Tx) error {
		for _, n := range ns {
			if err := tx.Enqueue(n); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func nudge(to ...string) mentoring.Notice {
	return mentoring.Notice{Kind: mentoring.KindNudge, To: to, About: []mentoring.About{{PairingID: 1, PartnerID: "UX"}}}
}

func TestSendDue(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		setup   func(st *store.Store, fs *fakeSlack)
		queue   []mentoring.Notice
		posts   map[string]int // channel -> posts
		left    int            // notices still queued
		outcome map[string]float64
	}{
		{
			name:    "sent once and removed",
			queue:   []mentoring.Notice{nudge("UA"), nudge("UB")},
			posts:   map[string]int{"DUA": 1, "DUB": 1},
			outcome: map[string]float64{"sent": 2},
		},
		{
			name: "a send that may have gone out is looked for first, and not repeated",
			setup: func(st *store.Store, fs *fakeSlack) {
				due, _ := st.Due(ctx, 10)
				st.StartSend(ctx, due[0].ID) // a crash after Slack took it
				fs.posted["DUA"] = []uint64{due[0].ID}
			},
			queue:   []mentoring.Notice{nudge("UA")},
			posts:   map[string]int{"DUA": 1},
			outcome: map[string]float64{"already_sent": 1, "sent": 0},
		},
		{
			name: "a send started but lost is sent again",
			setup: func(st *store.Store, fs *fakeSlack) {
				due, _ := st.Due(ctx, 10)
				st.StartSend(ctx, due[0].ID)
			},
			queue:   []mentoring.Notice{nudge("UA")},
			posts:   map[string]int{"DUA": 1},
			outcome: map[string]float64{"sent": 1},
		},
		{
			name: "a permanent failure is dropped and counted, and does not block the next",
			setup: func(st *store.Store, fs *fakeSlack) {
				fs.postErr = func(n mentoring.Notice) error {
					if n.To[0] == "UGONE" {
						return &slackErr{msg: "user_disabled", permanent: true, refused: true}
					}
					return nil
				}
			},
			queue:   []mentoring.Notice{nudge("UGONE"), nudge("UA")},
			posts:   map[string]int{"DUA": 1},
			outcome: map[string]float64{"failed": 1, "sent": 1},
		},
		{
			name: "a 429 waits for Retry-After, never dropped",
			setup: func(st *store.Store, fs *fakeSlack) {
				fs.postErr = func(mentoring.Notice) error {
					return &rateLimited{slackErr{msg: "rate limited"}, time.Minute}
				}
			},
			queue:   []mentoring.Notice{nudge("UA")},
			left:    1,
			outcome: map[string]float64{"rate_limited": 1},
		},
		{
			name: "no group DM: a DM to each",
			setup: func(st *store.Store, fs *fakeSlack) {
				fs.openErr = func(to []string) error {
					if len(to) > 1 {
						return &slackErr{msg: "method_not_supported_for_channel_type", refused: true}
					}
					return nil
				}
			},
			queue:   []mentoring.Notice{{Kind: mentoring.KindIntro, To: []string{"UA", "UB"}, Intro: &mentoring.Intro{MentorID: "UB", MenteeID: "UA"}}},
			posts:   map[string]int{"DUA": 1, "DUB": 1},
			outcome: map[string]float64{"split": 1, "sent": 2},
		},
		{
			name: "a transport error is retried later",
			setup: func(st *store.Store, fs *fakeSlack) {
				fs.postErr = func(mentoring.Notice) error { return errors.New("connection reset") }
			},
			queue:   []mentoring.Notice{nudge("UA")},
			left:    1,
			outcome: map[string]float64{"retry": 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, fs, d, m, _ := setup(t)
			enqueue(t, st, tt.queue...)
			if tt.setup != nil {
				tt.setup(st, fs)
			}
			preposted := map[string]int{}
			for ch, ids := range fs.posted {
				preposted[ch] = len(ids)
			}
			d.SendDue(ctx)
			d.SendDue(ctx) // a split queues new notices; the wake-up would send them
			for ch, want := range tt.posts {
				if got := len(fs.posted[ch]); got != want {
					t.Errorf("posts in %s = %d, want %d", ch, got, want)
				}
			}
			left, err := st.Due(ctx, 10)
			if err != nil {
				t.Fatal(err)
			}
			if tt.left == 0 && len(left) != 0 {
				t.Errorf("%d notices left due, want none", len(left))
			}
			if tt.left > 0 {
				// Deferred ones are not due now but still queued.
				all := countQueued(t, st)
				if all != tt.left {
					t.Errorf("%d notices queued, want %d", all, tt.left)
				}
			}
			for outcome, want := range tt.outcome {
				kind := string(tt.queue[0].Kind)
				if got := promtest.ToFloat64(m.Sends.WithLabelValues(kind, outcome)); got != want {
					t.Errorf("messages_total{%s} = %v, want %v", outcome, got, want)
				}
			}
		})
	}
}

// countQueued counts every queued notice, due or deferred.
func countQueued(t *testing.T, st *store.Store) int {
	t.Helper()
	n := 0
	if err := st.Update(context.Background(), func(tx mentoring.Tx) error {
		return tx.RedactNotices(func(*mentoring.Notice) bool { n++; return true })
	}); err != nil {
		t.Fatal(err)
	}
	return n
}
