package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/scheduler"
)

// The demo's hold on time: its session moves an injected clock (Main.Now) and, at each
// moment it passes at which something may come due, has the real scheduler look, as
// its minute tick would, instead of waiting for the ticker.

// demoSchedulerInterval is the scheduler's own interval in a demo: so long that its
// ticker never fires during a session, since the demo's clock stands still between
// inputs and demoTick runs the scheduler whenever the clock moves.
const demoSchedulerInterval = 1000 * time.Hour

// demoDrainPoll is how often demoTick looks at the outbox while delivery sends: the
// store has no notification of a notice leaving it.
const demoDrainPoll = 2 * time.Millisecond

// demoTick has the scheduler queue what is due at the clock's time (Scheduler.RunOnce)
// and returns once delivery has sent it: when the outbox holds no notice that is due
// now. A notice delivery deferred (a rate limit, a failure it retries later) is not
// due, so it does not hold demoTick up. Errors of the scheduler are logged, as its own
// tick logs them; the error returned is ctx's, or the store's.
//
// Run must have made m ready (m.ready closed) before the first call.
func (m *Main) demoTick(ctx context.Context) error {
	if _, err := m.sched.RunOnce(ctx); err != nil && ctx.Err() == nil {
		log := m.Logger
		if log == nil {
			log = slog.Default()
		}
		log.Warn("demo: scheduler", "err", err)
	}
	m.delivery.Wake()
	poll := time.NewTicker(demoDrainPoll)
	defer poll.Stop()
	for {
		due, err := m.store.Due(ctx, 1)
		if err != nil {
			return err
		}
		if len(due) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-poll.C:
		}
	}
}

// demoBusy reports whether the bot still has work under way that will show in Slack:
// notices due in its outbox, or an erasure asked for and not finished (its
// confirmation DM goes out once the file is rewritten). The demo waits while it is.
func (m *Main) demoBusy(ctx context.Context) bool {
	if due, err := m.store.Due(ctx, 1); err == nil && len(due) > 0 {
		return true
	}
	pending, err := m.prog.PendingErasures(ctx)
	return err == nil && len(pending) > 0
}

// demoCalendar reads cfg's schedules as Main.Run gives them to the programme, so the
// demo's clock stops at the moments the bot's scheduler would find something due.
func demoCalendar(cfg Config) *scheduler.Calendar {
	return scheduler.NewCalendar(map[mentoring.Kind]cron.Schedule{
		mentoring.KindCheckin:     cfg.CheckinSchedule.Schedule,
		mentoring.KindNudge:       cfg.NudgeSchedule.Schedule,
		mentoring.KindRecognition: cfg.RecognitionSchedule.Schedule,
	})
}
