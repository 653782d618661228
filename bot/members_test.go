package bot

import (
	"testing"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// TestParsePause is how `/mentor pause` reads its argument; whether the length is
// allowed (a date that has passed, over a year, zero) is the programme's rule, tested
// end to end in cmd/mentorbot (TestPauseLengths).
func TestParsePause(t *testing.T) {
	tests := []struct {
		in   string
		want mentoring.PauseLength
	}{
		{"2w", mentoring.PauseLength{Days: 14}},
		{"10d", mentoring.PauseLength{Days: 10}},
		{"1 week", mentoring.PauseLength{Days: 7}},
		{"3 Days", mentoring.PauseLength{Days: 3}},
		{" 2W ", mentoring.PauseLength{Days: 14}},
		{"2026-12-31", mentoring.PauseLength{Date: "2026-12-31"}},
		{"0d", mentoring.PauseLength{}},               // zero: refused by the programme
		{"soon", mentoring.PauseLength{Date: "soon"}}, // not a date: refused by the programme
		{"", mentoring.PauseLength{}},
	}
	for _, tt := range tests {
		if got := parsePause(tt.in); got != tt.want {
			t.Errorf("parsePause(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}
