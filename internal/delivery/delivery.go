// Package delivery sends the notices the programme queues in its outbox: at most once
// each, in order, across crashes and restarts. A notice whose earlier send may have
// reached Slack is looked for in the conversation's history (by the id in its message
// metadata) before it is sent again; a rate-limited send waits for Retry-After; a send
// that can never succeed is dropped and counted; a group DM that cannot be had becomes
// a DM to each. Rendering and the Slack calls are behind Slack, which bot implements.
package delivery

import (
	"context"
	"errors"
	"hash/fnv"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

const (
	// batch is how many queued notices are read at a time.
	batch = 512
	// inFlight is how many sends run at once: enough for a fast Slack's throughput,
	// few enough not to flood a slow one (each waits for its method's pace).
	inFlight = 32
	// maxBatches bounds the batches one wake-up sends, so a store that keeps failing
	// to record outcomes cannot keep delivery spinning; the next wake-up goes on.
	maxBatches = 100
	// poll is how often delivery looks for notices whose deferral has passed when
	// nothing wakes it sooner.
	poll = 15 * time.Second
	// retryAfter is the wait after a failure that is neither a rate limit nor final,
	// times the attempts so far.
	retryAfter = 30 * time.Second
	// sendTimeout bounds one send (slack-go waits out up to five 429s inside it).
	sendTimeout = 30 * time.Second
	// settleTimeout bounds recording a send's outcome.
	settleTimeout = 5 * time.Second
	// shutdownGrace is how long a send in flight may go on once Run's context ends, so
	// that it is finished and recorded rather than left in doubt, while the process
	// still exits within the 10 s an orchestrator gives it.
	shutdownGrace = 3 * time.Second
)

// Queue is the outbox as delivery sees it; each method is one transaction.
type Queue interface {
	// Due returns up to limit notices whose NotBefore has passed, oldest first.
	Due(ctx context.Context, limit int) ([]mentoring.Notice, error)
	// StartSend counts a send of id as started and returns the notice as it was; ok
	// is false when it is no longer queued.
	StartSend(ctx context.Context, id uint64) (n mentoring.Notice, ok bool, err error)
	// Defer postpones id until t.
	Defer(ctx context.Context, id uint64, t time.Time) error
	// Sent removes id: delivered, or never deliverable.
	Sent(ctx context.Context, id uint64) error
	// Split replaces group notice id by one notice per recipient.
	Split(ctx context.Context, id uint64) error
}

// Slack renders notices and talks to Slack. Its errors may say what to do next by
// implementing any of:
//
//	RetryAfter() time.Duration // rate limited: call again after that long
//	Permanent() bool           // can never succeed (account gone, message refused)
//	Refused() bool             // Slack answered no, as opposed to not answering
type Slack interface {
	// Conversation opens (or recalls) the DM with one person, or the group DM with
	// several.
	Conversation(ctx context.Context, to []string) (channel string, err error)
	// Post renders n and posts it in channel, its metadata tagged with n's id.
	Post(ctx context.Context, channel string, n mentoring.Notice) error
	// Posted reports whether n is already in channel's recent history.
	Posted(ctx context.Context, channel string, n mentoring.Notice) (bool, error)
}

// Delivery sends queued notices. Create it with New and start it with Run.
type Delivery struct {
	queue Queue
	slack Slack
	now   func() time.Time
	log   *slog.Logger
	sends *prometheus.CounterVec
	wake  chan struct{}

	mu      sync.Mutex
	nextDue time.Time // the earliest deferral set since the last look; zero: none
}

// Config is what Delivery needs.
type Config struct {
	Queue Queue
	Slack Slack
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	Log *slog.Logger
	// Sends counts notices by kind and outcome ("sent", "already_sent", "split",
	// "rate_limited", "retry", "failed").
	Sends *prometheus.CounterVec
}

// New returns a Delivery.
func New(cfg Config) *Delivery {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Delivery{queue: cfg.Queue, slack: cfg.Slack, now: cfg.Now, log: cfg.Log, sends: cfg.Sends, wake: make(chan struct{}, 1)}
}

// Wake tells delivery that notices were queued (mentoring.Outbox). It never blocks.
func (d *Delivery) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run sends due notices now, whenever woken, and every poll, until ctx ends. A send in
// progress then is given shutdownGrace to finish before Run returns.
func (d *Delivery) Run(ctx context.Context) {
	for {
		d.SendDue(ctx)
		t := time.NewTimer(d.takeNextDue())
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-d.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// SendDue sends what is due now, until the outbox has nothing due or ctx ends. Up to
// inFlight notices are sent at once; notices to the same people go out one after
// the other, in the order they were queued.
func (d *Delivery) SendDue(ctx context.Context) {
	for range maxBatches {
		if ctx.Err() != nil {
			return
		}
		due, err := d.queue.Due(ctx, batch)
		if err != nil {
			d.log.Error("read outbox", "err", err)
			return
		}
		lanes := make([][]mentoring.Notice, inFlight)
		for _, n := range due {
			h := fnv.New32a()
			h.Write([]byte(strings.Join(n.To, ",")))
			lane := h.Sum32() % inFlight
			lanes[lane] = append(lanes[lane], n)
		}
		var wg sync.WaitGroup
		for _, lane := range lanes {
			if len(lane) == 0 {
				continue
			}
			wg.Go(func() {
				for _, n := range lane {
					if ctx.Err() != nil {
						return
					}
					sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
					stop := context.AfterFunc(ctx, func() { time.AfterFunc(shutdownGrace, cancel) })
					d.send(sendCtx, n)
					stop()
					cancel()
				}
			})
		}
		wg.Wait()
		if len(due) < batch {
			return
		}
	}
}

// send delivers one notice at most once.
func (d *Delivery) send(ctx context.Context, n mentoring.Notice) {
	before, ok, err := d.queue.StartSend(ctx, n.ID)
	if err != nil || !ok {
		if err != nil {
			d.log.Error("outbox", "err", err)
		}
		return
	}
	channel, err := d.slack.Conversation(ctx, n.To)
	if len(n.To) > 1 && refused(err) && !permanent(err) {
		// No group DM to be had here: a DM to each instead.
		d.log.Warn("group DM not available; sending a DM to each", "kind", n.Kind, "err", err)
		if err := d.queue.Split(ctx, n.ID); err != nil {
			d.log.Error("outbox", "err", err)
		}
		d.count(n, "split")
		d.Wake()
		return
	}
	if err == nil && before.Attempts > 0 {
		var found bool
		if found, err = d.slack.Posted(ctx, channel, n); err == nil && found {
			d.settle(ctx, n, nil, "already_sent")
			return
		}
	}
	if err == nil {
		err = d.slack.Post(ctx, channel, n)
	}
	d.settle(ctx, n, err, "sent")
}

// settle records the outcome of a send: delivered (counted as delivered) or failed
// for good, it leaves the outbox; rate limited, it waits for Retry-After; otherwise it
// is retried later.
func (d *Delivery) settle(ctx context.Context, n mentoring.Notice, err error, delivered string) {
	// The send's context may have run out (that may be why it failed): recording the
	// outcome gets its own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
	defer cancel()
	outcome := delivered
	var rl interface{ RetryAfter() time.Duration }
	switch {
	case err == nil:
		err = d.queue.Sent(ctx, n.ID)
	case errors.As(err, &rl):
		outcome = "rate_limited"
		err = d.deferUntil(ctx, n, d.now().Add(rl.RetryAfter()))
	case permanent(err):
		outcome = "failed"
		d.log.Warn("notice can never be delivered; dropped", "kind", n.Kind, "to", strings.Join(n.To, ","), "err", err)
		err = d.queue.Sent(ctx, n.ID)
	default:
		outcome = "retry"
		d.log.Warn("send failed; will retry", "kind", n.Kind, "attempt", n.Attempts+1, "err", err)
		err = d.deferUntil(ctx, n, d.now().Add(retryAfter*time.Duration(n.Attempts+1)))
	}
	d.count(n, outcome)
	if err != nil {
		d.log.Error("outbox", "err", err)
	}
}

// deferUntil postpones n until t, and has Run look again then rather than at its next
// poll.
func (d *Delivery) deferUntil(ctx context.Context, n mentoring.Notice, t time.Time) error {
	d.mu.Lock()
	if d.nextDue.IsZero() || t.Before(d.nextDue) {
		d.nextDue = t
	}
	d.mu.Unlock()
	return d.queue.Defer(ctx, n.ID, t)
}

// takeNextDue returns how long to wait before looking again: until the earliest
// deferral, or poll when there is none. A deferral that has come is forgotten, and
// the answer is to look now.
func (d *Delivery) takeNextDue() time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.nextDue.IsZero() {
		return poll
	}
	wait := d.nextDue.Sub(d.now())
	if wait <= 0 {
		d.nextDue = time.Time{}
		return 0
	}
	return min(wait, poll)
}

func (d *Delivery) count(n mentoring.Notice, outcome string) {
	if d.sends != nil {
		d.sends.WithLabelValues(string(n.Kind), outcome).Inc()
	}
}

func permanent(err error) bool {
	var p interface{ Permanent() bool }
	return errors.As(err, &p) && p.Permanent()
}

func refused(err error) bool {
	var r interface{ Refused() bool }
	return errors.As(err, &r) && r.Refused()
}
