package mentoring

import (
	"testing"
	"time"
)

func TestParseWorkingHours(t *testing.T) {
	tests := []struct {
		in   string
		want WorkingHours
		ok   bool
	}{
		{"09:00-17:00", DefaultWorkingHours, true},
		{"8:30-16:45", WorkingHours{8*time.Hour + 30*time.Minute, 16*time.Hour + 45*time.Minute}, true},
		{"00:00-24:00", WorkingHours{0, 24 * time.Hour}, true},
		{"17:00-09:00", WorkingHours{}, false},
		{"09:00-09:15", WorkingHours{}, false},
		{"9-5", WorkingHours{}, false},
		{"25:00-26:00", WorkingHours{}, false},
		{"", WorkingHours{}, false},
	}
	for _, tt := range tests {
		got, err := ParseWorkingHours(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseWorkingHours(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestMeetingWindowsAcrossZonesAndDST(t *testing.T) {
	load := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	berlin, newYork := load("Europe/Berlin"), load("America/New_York")
	auckland, losAngeles := load("Pacific/Auckland"), load("America/Los_Angeles")
	kathmandu, tokyo := load("Asia/Kathmandu"), load("Asia/Tokyo")
	type window struct{ start, end string } // wall times in the first zone, "Mon 15:00"
	tests := []struct {
		name string
		a, b *time.Location
		from time.Time
		want []window // every window of the week, in a's zone
	}{
		{
			// Winter: Berlin UTC+1, New York UTC-5: 15:00-17:00 in Berlin.
			name: "Berlin and New York in winter",
			a:    berlin, b: newYork,
			from: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC), // Sunday
			want: []window{{"Mon 15:00", "Mon 17:00"}, {"Tue 15:00", "Tue 17:00"}, {"Wed 15:00", "Wed 17:00"}, {"Thu 15:00", "Thu 17:00"}, {"Fri 15:00", "Fri 17:00"}},
		},
		{
			// New York moves to UTC-4 on Sunday 8 March 2026, Berlin only on 29 March:
			// for those weeks they are 5 hours apart, and share 3 hours.
			name: "Berlin and New York when only New York has changed",
			a:    berlin, b: newYork,
			from: time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC),
			want: []window{{"Mon 14:00", "Mon 17:00"}, {"Tue 14:00", "Tue 17:00"}, {"Wed 14:00", "Wed 17:00"}, {"Thu 14:00", "Thu 17:00"}, {"Fri 14:00", "Fri 17:00"}},
		},
		{
			// The week Berlin changes (Sunday 29 March): from Monday both are in summer
			// time, 6 hours apart again.
			name: "Berlin and New York the week Berlin changes",
			a:    berlin, b: newYork,
			from: time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC), // Saturday
			want: []window{{"Mon 15:00", "Mon 17:00"}, {"Tue 15:00", "Tue 17:00"}, {"Wed 15:00", "Wed 17:00"}, {"Thu 15:00", "Thu 17:00"}, {"Fri 15:00", "Fri 17:00"}},
		},
		{
			// Auckland's morning is Los Angeles's previous afternoon, so Auckland's
			// Tuesday to Friday meet Los Angeles's Monday to Thursday. In early April
			// 2026 Auckland leaves summer time (Sunday 5 April, UTC+13 to +12) while Los
			// Angeles is on summer time (UTC-7 since 8 March): 19 hours apart, so
			// 09:00-10:00 in Auckland is 14:00-15:00 the day before in Los Angeles.
			name: "Auckland and Los Angeles the week Auckland changes",
			a:    auckland, b: losAngeles,
			from: time.Date(2026, 4, 4, 12, 0, 0, 0, time.UTC), // Sunday 5 April, 00:00 in Auckland
			want: []window{{"Tue 09:00", "Tue 12:00"}, {"Wed 09:00", "Wed 12:00"}, {"Thu 09:00", "Thu 12:00"}, {"Fri 09:00", "Fri 12:00"}},
		},
		{
			// A week earlier Auckland is still UTC+13: 20 hours apart, so 09:00 in
			// Auckland is 13:00 the day before in Los Angeles: 4 hours shared.
			name: "Auckland and Los Angeles before Auckland changes",
			a:    auckland, b: losAngeles,
			from: time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC), // Sunday 29 March in Auckland
			want: []window{{"Tue 09:00", "Tue 13:00"}, {"Wed 09:00", "Wed 13:00"}, {"Thu 09:00", "Thu 13:00"}, {"Fri 09:00", "Fri 13:00"}},
		},
		{
			// Kathmandu is UTC+05:45 and Tokyo UTC+9: 3h15 apart.
			name: "Kathmandu and Tokyo, a quarter-hour zone",
			a:    kathmandu, b: tokyo,
			from: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC),
			want: []window{{"Mon 09:00", "Mon 13:45"}, {"Tue 09:00", "Tue 13:45"}, {"Wed 09:00", "Wed 13:45"}, {"Thu 09:00", "Thu 13:45"}, {"Fri 09:00", "Fri 13:45"}},
		},
		{
			// Berlin and Auckland in December: 12 hours apart, no shared hour.
			name: "no overlap",
			a:    berlin, b: auckland,
			from: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC),
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MeetingWindows(DefaultWorkingHours, tt.a, tt.b, tt.from, 10)
			var gotW []window
			for _, w := range got {
				gotW = append(gotW, window{w.Start.In(tt.a).Format("Mon 15:04"), w.End.In(tt.a).Format("Mon 15:04")})
			}
			if len(gotW) != len(tt.want) {
				t.Fatalf("windows %v, want %v", gotW, tt.want)
			}
			for i := range gotW {
				if gotW[i] != tt.want[i] {
					t.Errorf("window %d = %v, want %v (all: %v)", i, gotW[i], tt.want[i], gotW)
				}
			}
		})
	}
	if got := MeetingWindows(DefaultWorkingHours, berlin, newYork, time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC), 2); len(got) != 2 {
		t.Errorf("max 2 gave %d windows", len(got))
	}
}
