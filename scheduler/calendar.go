package scheduler

import (
	"time"

	"github.com/robfig/cron/v3"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// calendarLookbacks are the wall-clock windows searched for a schedule's last two
// firings, shortest first: most schedules fire hourly, daily or weekly, so the first
// windows answer.
var calendarLookbacks = []time.Duration{2 * time.Hour, 50 * time.Hour, 15 * 24 * time.Hour, 64 * 24 * time.Hour, 800 * 24 * time.Hour}

// calendarMaxSteps bounds the firings walked in one window (a schedule firing every
// minute walks 120 in the first).
const calendarMaxSteps = 200000

// Calendar reads cron schedules in each person's own zone (implements
// mentoring.Calendar). A schedule names wall-clock times: on a day the clocks go back,
// a time that occurs twice fires once, the first time; on a day they go forward, a
// time that does not exist fires at the change, as classic cron does. A Calendar is
// safe for concurrent use.
type Calendar struct {
	schedules map[mentoring.Kind]cron.Schedule
}

var _ mentoring.Calendar = (*Calendar)(nil)

// NewCalendar returns a Calendar firing each kind on its schedule; a kind with no
// (or a nil) schedule never fires. Schedules are read in each person's zone, so a
// CRON_TZ prefix on a *cron.SpecSchedule is ignored. The map is copied.
func NewCalendar(schedules map[mentoring.Kind]cron.Schedule) *Calendar {
	c := &Calendar{schedules: make(map[mentoring.Kind]cron.Schedule, len(schedules))}
	for kind, s := range schedules {
		if spec, ok := s.(*cron.SpecSchedule); ok && spec != nil {
			wall := *spec
			wall.Location = time.UTC
			s = &wall
		}
		if s != nil {
			c.schedules[kind] = s
		}
	}
	return c
}

// Current returns the period of kind that contains t read in loc (it started at the
// last firing at or before t) and the start of the period before it, both in loc. ok
// is false when the schedule has not fired twice in the last 800 days.
func (c *Calendar) Current(kind mentoring.Kind, t time.Time, loc *time.Location) (p mentoring.Period, prev time.Time, ok bool) {
	s := c.schedules[kind]
	if s == nil {
		return mentoring.Period{}, time.Time{}, false
	}
	w := wallClock(t, loc)
	for _, back := range calendarLookbacks {
		if last, before, ok := lastTwo(s, w.Add(-back), t, loc); ok {
			return mentoring.Period{Kind: kind, Start: last}, before, true
		}
	}
	return mentoring.Period{}, time.Time{}, false
}

// Next returns the first firing of kind's schedule after t read in loc, in loc; zero
// when it never fires.
func (c *Calendar) Next(kind mentoring.Kind, t time.Time, loc *time.Location) time.Time {
	s := c.schedules[kind]
	if s == nil {
		return time.Time{}
	}
	// Wall times up to t's own map to instants at or before t, so the search starts
	// there; only in a repeated hour can later wall times still lie before t.
	for i, f := 0, s.Next(wallClock(t, loc)); !f.IsZero() && i < calendarMaxSteps; i, f = i+1, s.Next(f) {
		if at := instant(f, loc); at.After(t) {
			return at
		}
	}
	return time.Time{}
}

// lastTwo returns the last two distinct instants at or before t at which s fires in
// loc, looking at wall-clock firings after from. ok is false when there are fewer than
// two, or too many firings to walk.
func lastTwo(s cron.Schedule, from, t time.Time, loc *time.Location) (last, before time.Time, ok bool) {
	for i, f := 0, s.Next(from); i < calendarMaxSteps; i, f = i+1, s.Next(f) {
		if f.IsZero() {
			return last, before, !before.IsZero()
		}
		at := instant(f, loc)
		if at.After(t) {
			return last, before, !before.IsZero()
		}
		if !at.Equal(last) {
			before, last = last, at
		}
	}
	return time.Time{}, time.Time{}, false
}

// wallClock returns the wall clock t shows in loc, as the UTC time with those fields.
func wallClock(t time.Time, loc *time.Location) time.Time {
	_, offset := t.In(loc).Zone()
	return time.Unix(t.Unix()+int64(offset), int64(t.Nanosecond())).UTC()
}

// instant returns, in loc, the earliest instant whose wall clock in loc shows w's UTC
// fields; when no instant does (the clocks went forward past them), the instant of
// that change. It is non-decreasing in w.
func instant(w time.Time, loc *time.Location) time.Time {
	const day = 24 * 60 * 60 // more than any zone's offset from UTC
	u := w.Unix()
	// Walk the zone's periods in order from a day before the earliest instant that
	// could show w; a period shows the wall times [start+offset, end+offset).
	z := time.Unix(u-day, 0).In(loc)
	for {
		_, offset := z.Zone()
		start, end := z.ZoneBounds()
		at := time.Unix(u-int64(offset), int64(w.Nanosecond()))
		if !start.IsZero() && at.Before(start) {
			// Every earlier period ended before w, and this one begins after it.
			return start
		}
		if end.IsZero() || at.Before(end) {
			return at.In(loc)
		}
		z = end
	}
}
