package scheduler

import (
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

const calKind = mentoring.KindCheckin

// calendarFor returns a Calendar firing calKind on spec.
func calendarFor(t testing.TB, spec string) *Calendar {
	t.Helper()
	return NewCalendar(map[mentoring.Kind]cron.Schedule{calKind: mustSchedule(t, spec)})
}

func mustSchedule(t testing.TB, spec string) cron.Schedule {
	t.Helper()
	s, err := cron.ParseStandard(spec)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustLocation(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// atLocal reads s ("2006-01-02 15:04 MST") in loc; the abbreviation picks which of a
// repeated hour's times is meant.
func atLocal(t testing.TB, loc *time.Location, s string) time.Time {
	t.Helper()
	at, err := time.ParseInLocation(calStamp, s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

const calStamp = "2006-01-02 15:04 MST"

// calFirings walks c's Next from from until before to.
func calFirings(c *Calendar, from, to time.Time, loc *time.Location) []time.Time {
	var got []time.Time
	for at := c.Next(calKind, from, loc); !at.IsZero() && at.Before(to); at = c.Next(calKind, at, loc) {
		got = append(got, at)
	}
	return got
}

func TestCalendarCurrent(t *testing.T) {
	berlin := mustLocation(t, "Europe/Berlin")
	ny := mustLocation(t, "America/New_York")
	tests := []struct {
		name        string
		spec        string
		at          time.Time
		loc         *time.Location
		start, prev time.Time
	}{
		{"just after the firing", "0 10 * * MON", time.Date(2026, 11, 23, 10, 0, 0, 0, berlin), berlin,
			time.Date(2026, 11, 23, 10, 0, 0, 0, berlin), time.Date(2026, 11, 16, 10, 0, 0, 0, berlin)},
		{"a minute before it", "0 10 * * MON", time.Date(2026, 11, 23, 9, 59, 0, 0, berlin), berlin,
			time.Date(2026, 11, 16, 10, 0, 0, 0, berlin), time.Date(2026, 11, 9, 10, 0, 0, 0, berlin)},
		{"read in the person's zone", "0 10 * * MON", time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC), ny,
			time.Date(2026, 11, 16, 10, 0, 0, 0, ny), time.Date(2026, 11, 9, 10, 0, 0, 0, ny)},
		{"same instant, zone where it has fired", "0 10 * * MON", time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC), ny,
			time.Date(2026, 11, 23, 10, 0, 0, 0, ny), time.Date(2026, 11, 16, 10, 0, 0, 0, ny)},
		{"across a DST change", "0 10 * * SUN", time.Date(2026, 11, 1, 12, 0, 0, 0, ny), ny,
			time.Date(2026, 11, 1, 10, 0, 0, 0, ny), time.Date(2026, 10, 25, 10, 0, 0, 0, ny)},
		{"daily", "30 8 * * *", time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC), time.UTC,
			time.Date(2026, 11, 23, 8, 30, 0, 0, time.UTC), time.Date(2026, 11, 22, 8, 30, 0, 0, time.UTC)},
		{"every minute", "* * * * *", time.Date(2026, 11, 24, 8, 0, 30, 0, time.UTC), time.UTC,
			time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC), time.Date(2026, 11, 24, 7, 59, 0, 0, time.UTC)},
		{"monthly", "0 9 1 * *", time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC), time.UTC,
			time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)},
		{"yearly", "0 9 1 1 *", time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC), time.UTC,
			time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC), time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, prev, ok := calendarFor(t, tt.spec).Current(calKind, tt.at, tt.loc)
			if !ok || p.Kind != calKind || !p.Start.Equal(tt.start) || !prev.Equal(tt.prev) {
				t.Errorf("Current(%q, %v, %v) = %v, %v, %v; want {%v %v}, %v, true", tt.spec, tt.at, tt.loc, p, prev, ok, calKind, tt.start, tt.prev)
			}
			if p.Start.Location() != tt.loc {
				t.Errorf("Start in %v, want the person's zone %v", p.Start.Location(), tt.loc)
			}
		})
	}
}

func TestCalendarNeverFires(t *testing.T) {
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		c    *Calendar
	}{
		{"30 February", calendarFor(t, "0 0 30 2 *")},
		{"no schedule for the kind", NewCalendar(map[mentoring.Kind]cron.Schedule{mentoring.KindNudge: mustSchedule(t, "* * * * *")})},
		{"nil schedule", NewCalendar(map[mentoring.Kind]cron.Schedule{calKind: nil})},
		{"no schedules", NewCalendar(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if p, prev, ok := tt.c.Current(calKind, at, time.UTC); ok {
				t.Errorf("Current = %v, %v, true; want ok false", p, prev)
			}
			if got := tt.c.Next(calKind, at, time.UTC); !got.IsZero() {
				t.Errorf("Next = %v, want zero", got)
			}
		})
	}
}

// TestCalendarDST checks Current and Next around changes of clocks: a wall time that
// occurs twice counts the first time, one that does not occur counts at the change.
func TestCalendarDST(t *testing.T) {
	la := mustLocation(t, "America/Los_Angeles")
	berlin := mustLocation(t, "Europe/Berlin")
	tests := []struct {
		name        string
		spec        string
		loc         *time.Location
		at          string
		start, prev string // the period containing at and the one before
		next        string // the first firing after at
	}{
		// 1 November 2026, Los Angeles: 01:00-02:00 runs twice, PDT then PST.
		{"LA fall back, before the firing", "30 1 * * *", la, "2026-11-01 01:00 PDT",
			"2026-10-31 01:30 PDT", "2026-10-30 01:30 PDT", "2026-11-01 01:30 PDT"},
		{"LA fall back, at the first 01:30", "30 1 * * *", la, "2026-11-01 01:30 PDT",
			"2026-11-01 01:30 PDT", "2026-10-31 01:30 PDT", "2026-11-02 01:30 PST"},
		{"LA fall back, 01:31 PDT", "30 1 * * *", la, "2026-11-01 01:31 PDT",
			"2026-11-01 01:30 PDT", "2026-10-31 01:30 PDT", "2026-11-02 01:30 PST"},
		{"LA fall back, 01:40 PDT", "30 1 * * *", la, "2026-11-01 01:40 PDT",
			"2026-11-01 01:30 PDT", "2026-10-31 01:30 PDT", "2026-11-02 01:30 PST"},
		{"LA fall back, second pass 01:15 PST", "30 1 * * *", la, "2026-11-01 01:15 PST",
			"2026-11-01 01:30 PDT", "2026-10-31 01:30 PDT", "2026-11-02 01:30 PST"},
		{"LA fall back, second 01:30 PST", "30 1 * * *", la, "2026-11-01 01:30 PST",
			"2026-11-01 01:30 PDT", "2026-10-31 01:30 PDT", "2026-11-02 01:30 PST"},
		{"LA fall back, after the repeat 01:45 PST", "30 1 * * *", la, "2026-11-01 01:45 PST",
			"2026-11-01 01:30 PDT", "2026-10-31 01:30 PDT", "2026-11-02 01:30 PST"},
		{"LA fall back, 03:00 PST", "30 1 * * *", la, "2026-11-01 03:00 PST",
			"2026-11-01 01:30 PDT", "2026-10-31 01:30 PDT", "2026-11-02 01:30 PST"},
		{"LA fall back, the next period", "30 1 * * *", la, "2026-11-02 01:30 PST",
			"2026-11-02 01:30 PST", "2026-11-01 01:30 PDT", "2026-11-03 01:30 PST"},
		// 8 March 2026, Los Angeles: 02:00 PST is followed by 03:00 PDT.
		{"LA spring forward, before the change", "30 2 * * *", la, "2026-03-08 00:00 PST",
			"2026-03-07 02:30 PST", "2026-03-06 02:30 PST", "2026-03-08 03:00 PDT"},
		{"LA spring forward, at the change", "30 2 * * *", la, "2026-03-08 03:00 PDT",
			"2026-03-08 03:00 PDT", "2026-03-07 02:30 PST", "2026-03-09 02:30 PDT"},
		{"LA spring forward, 03:05 PDT", "30 2 * * *", la, "2026-03-08 03:05 PDT",
			"2026-03-08 03:00 PDT", "2026-03-07 02:30 PST", "2026-03-09 02:30 PDT"},
		{"LA spring forward, the next period", "30 2 * * *", la, "2026-03-09 02:30 PDT",
			"2026-03-09 02:30 PDT", "2026-03-08 03:00 PDT", "2026-03-10 02:30 PDT"},
		{"LA spring forward, every minute across the gap", "* * * * *", la, "2026-03-08 03:00 PDT",
			"2026-03-08 03:00 PDT", "2026-03-08 01:59 PST", "2026-03-08 03:01 PDT"},
		// 29 March 2026, Berlin: 02:00 CET is followed by 03:00 CEST.
		{"Berlin spring forward", "30 2 * * *", berlin, "2026-03-29 03:10 CEST",
			"2026-03-29 03:00 CEST", "2026-03-28 02:30 CET", "2026-03-30 02:30 CEST"},
		{"Berlin spring forward, before the change", "30 2 * * *", berlin, "2026-03-29 01:59 CET",
			"2026-03-28 02:30 CET", "2026-03-27 02:30 CET", "2026-03-29 03:00 CEST"},
		// 25 October 2026, Berlin: 02:00-03:00 runs twice, CEST then CET.
		{"Berlin fall back, first pass", "30 2 * * *", berlin, "2026-10-25 02:45 CEST",
			"2026-10-25 02:30 CEST", "2026-10-24 02:30 CEST", "2026-10-26 02:30 CET"},
		{"Berlin fall back, second pass", "30 2 * * *", berlin, "2026-10-25 02:15 CET",
			"2026-10-25 02:30 CEST", "2026-10-24 02:30 CEST", "2026-10-26 02:30 CET"},
		{"Berlin fall back, second 02:30", "30 2 * * *", berlin, "2026-10-25 02:30 CET",
			"2026-10-25 02:30 CEST", "2026-10-24 02:30 CEST", "2026-10-26 02:30 CET"},
		// A weekly schedule clear of the change keeps its wall time.
		{"weekly over Berlin's spring change", "0 10 * * MON", berlin, "2026-03-30 10:00 CEST",
			"2026-03-30 10:00 CEST", "2026-03-23 10:00 CET", "2026-04-06 10:00 CEST"},
		{"weekly over Berlin's autumn change", "0 10 * * MON", berlin, "2026-10-26 09:59 CET",
			"2026-10-19 10:00 CEST", "2026-10-12 10:00 CEST", "2026-10-26 10:00 CET"},
		{"weekly over LA's autumn change", "0 10 * * MON", la, "2026-11-02 10:00 PST",
			"2026-11-02 10:00 PST", "2026-10-26 10:00 PDT", "2026-11-09 10:00 PST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := calendarFor(t, tt.spec)
			at := atLocal(t, tt.loc, tt.at)
			start, prev, next := atLocal(t, tt.loc, tt.start), atLocal(t, tt.loc, tt.prev), atLocal(t, tt.loc, tt.next)
			p, gotPrev, ok := c.Current(calKind, at, tt.loc)
			if !ok || !p.Start.Equal(start) || !gotPrev.Equal(prev) {
				t.Errorf("Current(%q, %s) = %s, %s, %v; want %s, %s, true", tt.spec, tt.at,
					p.Start.Format(calStamp), gotPrev.Format(calStamp), ok, tt.start, tt.prev)
			}
			if got := c.Next(calKind, at, tt.loc); !got.Equal(next) {
				t.Errorf("Next(%q, %s) = %s, want %s", tt.spec, tt.at, got.Format(calStamp), tt.next)
			}
			if p.Start.Location() != tt.loc || gotPrev.Location() != tt.loc {
				t.Errorf("Current gave %v, %v; want both in %v", p.Start.Location(), gotPrev.Location(), tt.loc)
			}
		})
	}
}

// TestCalendarOncePerDay walks Next over each change of clocks: a daily schedule
// fires exactly once a day, whatever the clocks do.
func TestCalendarOncePerDay(t *testing.T) {
	la := mustLocation(t, "America/Los_Angeles")
	berlin := mustLocation(t, "Europe/Berlin")
	tests := []struct {
		name     string
		spec     string
		loc      *time.Location
		from, to string
		want     []string
	}{
		{"LA, 1 November", "30 1 * * *", la, "2026-10-31 00:00 PDT", "2026-11-04 00:00 PST",
			[]string{"2026-10-31 01:30 PDT", "2026-11-01 01:30 PDT", "2026-11-02 01:30 PST", "2026-11-03 01:30 PST"}},
		{"LA, 8 March", "30 2 * * *", la, "2026-03-07 00:00 PST", "2026-03-11 00:00 PDT",
			[]string{"2026-03-07 02:30 PST", "2026-03-08 03:00 PDT", "2026-03-09 02:30 PDT", "2026-03-10 02:30 PDT"}},
		{"Berlin, 29 March", "30 2 * * *", berlin, "2026-03-28 00:00 CET", "2026-03-31 00:00 CEST",
			[]string{"2026-03-28 02:30 CET", "2026-03-29 03:00 CEST", "2026-03-30 02:30 CEST"}},
		{"Berlin, 25 October", "30 2 * * *", berlin, "2026-10-24 00:00 CEST", "2026-10-27 00:00 CET",
			[]string{"2026-10-24 02:30 CEST", "2026-10-25 02:30 CEST", "2026-10-26 02:30 CET"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := calFirings(calendarFor(t, tt.spec), atLocal(t, tt.loc, tt.from), atLocal(t, tt.loc, tt.to), tt.loc)
			if len(got) != len(tt.want) {
				t.Fatalf("%d firings %v, want %v", len(got), got, tt.want)
			}
			for i, at := range got {
				if want := atLocal(t, tt.loc, tt.want[i]); !at.Equal(want) || at.Location() != tt.loc {
					t.Errorf("firing %d = %s (%v), want %s", i, at.Format(calStamp), at.Location(), tt.want[i])
				}
			}
		})
	}
}

// TestCalendarNotRawCron shows robfig/cron's own reading of a schedule in a zone with
// DST doubles and skips days, and that Calendar does not.
func TestCalendarNotRawCron(t *testing.T) {
	la := mustLocation(t, "America/Los_Angeles")
	tests := []struct {
		name     string
		spec     string
		day      string // midnight starting the day the clocks change
		raw, cal int    // firings that day
	}{
		{"clocks go back", "30 1 * * *", "2026-11-01 00:00 PDT", 2, 1},
		{"clocks go forward", "30 2 * * *", "2026-03-08 00:00 PST", 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := atLocal(t, la, tt.day)
			to := from.AddDate(0, 0, 1)
			s := mustSchedule(t, tt.spec)
			raw := 0
			for at := s.Next(from); at.Before(to); at = s.Next(at) {
				raw++
			}
			if raw != tt.raw {
				t.Fatalf("robfig/cron fires %d times, want %d: this test no longer shows the difference", raw, tt.raw)
			}
			if got := calFirings(calendarFor(t, tt.spec), from, to, la); len(got) != tt.cal {
				t.Errorf("Calendar fires %d times %v, want %d", len(got), got, tt.cal)
			}
		})
	}
}

// TestCalendarPeriodsTile checks, every few minutes through each change of clocks,
// that the period containing t starts at or before t, that the next firing comes after
// t, and that the period before it ends where it starts.
func TestCalendarPeriodsTile(t *testing.T) {
	la := mustLocation(t, "America/Los_Angeles")
	berlin := mustLocation(t, "Europe/Berlin")
	tests := []struct {
		spec string
		loc  *time.Location
		from time.Time
	}{
		{"30 1 * * *", la, time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC)},
		{"30 2 * * *", la, time.Date(2026, 3, 8, 8, 0, 0, 0, time.UTC)},
		{"*/5 * * * *", la, time.Date(2026, 11, 1, 7, 0, 0, 0, time.UTC)},
		{"*/5 * * * *", la, time.Date(2026, 3, 8, 9, 0, 0, 0, time.UTC)},
		{"30 2 * * *", berlin, time.Date(2026, 3, 28, 23, 0, 0, 0, time.UTC)},
		{"30 2 * * *", berlin, time.Date(2026, 10, 24, 23, 0, 0, 0, time.UTC)},
		{"0 2 * * *", berlin, time.Date(2026, 10, 24, 23, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		c := calendarFor(t, tt.spec)
		for at := tt.from; at.Before(tt.from.Add(5 * time.Hour)); at = at.Add(7 * time.Minute) {
			p, prev, ok := c.Current(calKind, at, tt.loc)
			next := c.Next(calKind, at, tt.loc)
			if !ok || p.Start.After(at) || !next.After(at) || !c.Next(calKind, prev, tt.loc).Equal(p.Start) || !c.Next(calKind, p.Start, tt.loc).Equal(next) {
				t.Errorf("%q in %v at %s: Current = %s, %s, %v; Next = %s", tt.spec, tt.loc, at.In(tt.loc).Format(calStamp),
					p.Start.Format(calStamp), prev.Format(calStamp), ok, next.Format(calStamp))
			}
		}
	}
}

func TestCalendarIgnoresCronTZ(t *testing.T) {
	ny := mustLocation(t, "America/New_York")
	c := calendarFor(t, "CRON_TZ=Asia/Tokyo 0 10 * * MON")
	at := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	want := time.Date(2026, 11, 23, 10, 0, 0, 0, ny)
	if p, _, ok := c.Current(calKind, at, ny); !ok || !p.Start.Equal(want) {
		t.Errorf("Current = %v, %v; want %v, true", p.Start, ok, want)
	}
}

func BenchmarkCalendarCurrent(b *testing.B) {
	berlin := mustLocation(b, "Europe/Berlin")
	c := calendarFor(b, "0 10 * * MON")
	at := time.Date(2026, 11, 23, 9, 59, 0, 0, berlin)
	for b.Loop() {
		if _, _, ok := c.Current(calKind, at, berlin); !ok {
			b.Fatal("no period")
		}
	}
}
