package mentoring

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// WorkingHours is each person's working day, Monday to Friday, in their own zone:
// from Start to End after local midnight (09:00-17:00 by default).
type WorkingHours struct {
	Start, End time.Duration
}

// DefaultWorkingHours is 09:00-17:00.
var DefaultWorkingHours = WorkingHours{Start: 9 * time.Hour, End: 17 * time.Hour}

var hoursPattern = regexp.MustCompile(`^([01]?\d|2[0-3]):([0-5]\d)-([01]?\d|2[0-4]):([0-5]\d)$`)

// ParseWorkingHours reads "HH:MM-HH:MM" (24-hour clock, start before end, at least
// 30 minutes). The error is a sentence that shows a correct example.
func ParseWorkingHours(s string) (WorkingHours, error) {
	m := hoursPattern.FindStringSubmatch(s)
	if m == nil {
		return WorkingHours{}, fmt.Errorf("%q is not a working day such as 09:00-17:00 (24-hour clock, start-end)", s)
	}
	at := func(h, min string) time.Duration {
		hh, _ := strconv.Atoi(h)
		mm, _ := strconv.Atoi(min)
		return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute
	}
	w := WorkingHours{Start: at(m[1], m[2]), End: at(m[3], m[4])}
	if w.End > 24*time.Hour || w.End-w.Start < 30*time.Minute {
		return WorkingHours{}, fmt.Errorf("%q must start at least 30 minutes before it ends, within one day, such as 09:00-17:00", s)
	}
	return w, nil
}

func (w WorkingHours) String() string {
	f := func(d time.Duration) string { return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60) }
	return f(w.Start) + "-" + f(w.End)
}

// works reports whether the local wall time of t (in its location) falls in the
// working day: Monday to Friday, from Start (inclusive) to End (exclusive).
func (w WorkingHours) works(t time.Time) bool {
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	// On a day whose clocks change, the wall time is what counts, not the time since
	// midnight.
	wall := time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
	return wall >= w.Start && wall < w.End
}

// Window is a stretch of time when two people are both at work.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// meetingStep is the grain of MeetingWindows: zones differ by whole quarters of an
// hour (Kathmandu is +05:45), so quarter hours find every shared minute.
const meetingStep = 15 * time.Minute

// MeetingWindows returns the stretches of the week after from (from the next quarter
// hour, for 7 days) when a and b are both inside w in their own zones, at most max of
// them, earliest first, each at least 30 minutes long. Each instant is read in each
// zone on its own date, so a change of clocks in either zone that week is counted
// where it happens. None means their working days do not overlap that week.
func MeetingWindows(w WorkingHours, a, b *time.Location, from time.Time, max int) []Window {
	start := from.Truncate(meetingStep)
	if start.Before(from) {
		start = start.Add(meetingStep)
	}
	end := start.Add(7 * 24 * time.Hour)
	var out []Window
	var open *Window
	flush := func() {
		if open != nil && open.End.Sub(open.Start) >= 30*time.Minute && len(out) < max {
			out = append(out, *open)
		}
		open = nil
	}
	for t := start; t.Before(end); t = t.Add(meetingStep) {
		if w.works(t.In(a)) && w.works(t.In(b)) {
			if open == nil {
				open = &Window{Start: t}
			}
			open.End = t.Add(meetingStep)
			continue
		}
		flush()
	}
	flush()
	return out
}
