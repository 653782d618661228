// Package scheduler decides what scheduled messages are due: weekly check-ins,
// nudges for pairs that have not met, and recognition prompts for mentors. A schedule
// names a time of the week (or day) in each participant's own zone; a period runs from
// one firing to the next, and each person gets at most one message of each kind per
// period, even across restarts. The bot renders and sends what is due.
package scheduler

import (
	"time"

	"github.com/robfig/cron/v3"
)

// lookbacks are the windows searched for a schedule's last two firings, shortest
// first: most schedules fire hourly, daily or weekly, so the first windows answer.
var lookbacks = []time.Duration{2 * time.Hour, 50 * time.Hour, 15 * 24 * time.Hour, 64 * 24 * time.Hour, 800 * 24 * time.Hour}

// maxSteps bounds the firings walked in one window (a schedule firing every minute
// walks 120 in the first).
const maxSteps = 200000

// Current returns the start of the period that contains t for schedule s read in loc
// (the last firing at or before t) and the start of the period before it. ok is false
// when s has not fired twice in the longest lookback.
func Current(s cron.Schedule, t time.Time, loc *time.Location) (start, prev time.Time, ok bool) {
	t = t.In(loc)
	for _, back := range lookbacks {
		var last, before time.Time
		for i, next := 0, s.Next(t.Add(-back)); !next.IsZero() && !next.After(t) && i < maxSteps; i, next = i+1, s.Next(next) {
			before, last = last, next
		}
		if !before.IsZero() {
			return last, before, true
		}
	}
	return time.Time{}, time.Time{}, false
}
