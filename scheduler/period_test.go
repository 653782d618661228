package scheduler

import (
	"testing"
	"time"

	"github.com/robfig/cron/v3"
)

func TestCurrent(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	ny, _ := time.LoadLocation("America/New_York")
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
		s := mustParse(t, tt.spec)
		start, prev, ok := Current(s, tt.at, tt.loc)
		if !ok || !start.Equal(tt.start) || !prev.Equal(tt.prev) {
			t.Errorf("%s: Current(%q, %v, %v) = %v, %v, %v; want %v, %v", tt.name, tt.spec, tt.at, tt.loc, start, prev, ok, tt.start, tt.prev)
		}
		if ok && start.Location() != tt.loc {
			t.Errorf("%s: start in %v, want the person's zone %v", tt.name, start.Location(), tt.loc)
		}
	}
	// A schedule that never fires (30 February) has no period.
	if _, _, ok := Current(mustParse(t, "0 0 30 2 *"), time.Now(), time.UTC); ok {
		t.Error("a schedule that never fires has a current period")
	}
}

func mustParse(t *testing.T, spec string) cron.Schedule {
	t.Helper()
	s, err := cron.ParseStandard(spec)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
