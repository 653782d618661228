// Package scheduler is mentorbot's sense of time: a Calendar that reads the cron
// schedules of SPEC.md in each person's own zone (mentoring.Calendar), and a Scheduler
// that asks the programme, every minute, to queue what has come due. What is due to
// whom is the programme's rule; when a period starts is this package's.
package scheduler

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// DefaultInterval is how often the scheduler looks for due messages. Schedules name
// minutes, so looking every minute sends each message within a minute of its time.
const DefaultInterval = time.Minute

// Programme is the part of the core the scheduler drives.
type Programme interface {
	// QueueDue queues what is due of kind now, once per person per period.
	QueueDue(ctx context.Context, kind mentoring.Kind) (int, error)
	// Advance applies what time has decided: lapsed proposals, cycles that ended.
	Advance(ctx context.Context) (int, error)
}

// Scheduler asks the programme, at start and every Interval, to queue what is due.
type Scheduler struct {
	prog     Programme
	interval time.Duration
	log      *slog.Logger
}

// New returns a scheduler for prog; interval 0 means DefaultInterval.
func New(prog Programme, interval time.Duration, log *slog.Logger) *Scheduler {
	if interval == 0 {
		interval = DefaultInterval
	}
	if log == nil {
		log = slog.Default()
	}
	return &Scheduler{prog: prog, interval: interval, log: log}
}

// Run looks for due messages at once (so what came due while the bot was down goes out
// now, once) and then every interval, until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		_, err := s.RunOnce(ctx)
		var deferred *mentoring.DeferredError
		switch {
		case err == nil || ctx.Err() != nil:
		case errors.As(err, &deferred):
			// Expected now and then (Slack's directory was unreachable): the next
			// tick asks again.
			s.log.Warn("scheduler", "err", err)
		default:
			s.log.Error("scheduler", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce queues what is due now of every scheduled kind, and what time has decided
// (Advance), and returns how many notices and changes it made. A part that fails does
// not stop the others.
func (s *Scheduler) RunOnce(ctx context.Context) (int, error) {
	total, first := s.prog.Advance(ctx)
	for _, k := range mentoring.ScheduledKinds {
		n, err := s.prog.QueueDue(ctx, k)
		total += n
		if err != nil && first == nil {
			first = err
		}
	}
	return total, first
}
