package match

import (
	"reflect"
	"testing"
)

func TestScore(t *testing.T) {
	go1 := []string{"go"}
	tests := []struct {
		name     string
		e        Mentee
		m        Mentor
		previous bool
		want     float64
		reasons  Reasons
		ok       bool
	}{
		{
			name:    "one topic, same zone, same team",
			e:       Mentee{ID: "E", Topics: go1, Team: "a"},
			m:       Mentor{ID: "M", Topics: go1, Team: "a"},
			want:    130,
			reasons: Reasons{SharedTopics: go1},
			ok:      true,
		},
		{
			name:    "shared topics sorted, others ignored",
			e:       Mentee{ID: "E", Topics: []string{"sql", "go", "ml"}},
			m:       Mentor{ID: "M", Topics: []string{"rust", "go", "sql"}},
			want:    230,
			reasons: Reasons{SharedTopics: []string{"go", "sql"}},
			ok:      true,
		},
		{
			name:    "different teams earn the bonus",
			e:       Mentee{ID: "E", Topics: go1, Team: "a"},
			m:       Mentor{ID: "M", Topics: go1, Team: "b"},
			want:    145,
			reasons: Reasons{SharedTopics: go1, DifferentTeams: true},
			ok:      true,
		},
		{
			name:    "no bonus when one has no team",
			e:       Mentee{ID: "E", Topics: go1},
			m:       Mentor{ID: "M", Topics: go1, Team: "b"},
			want:    130,
			reasons: Reasons{SharedTopics: go1},
			ok:      true,
		},
		{
			name:    "4 hours apart: half the zone points",
			e:       Mentee{ID: "E", Topics: go1, Offset: 60},
			m:       Mentor{ID: "M", Topics: go1, Offset: -180},
			want:    115,
			reasons: Reasons{SharedTopics: go1, HoursApart: 4},
			ok:      true,
		},
		{
			name:    "7.5 hours apart: a sixteenth of the zone points",
			e:       Mentee{ID: "E", Topics: go1, Offset: 330},
			m:       Mentor{ID: "M", Topics: go1, Offset: -120},
			want:    101.875,
			reasons: Reasons{SharedTopics: go1, HoursApart: 7.5},
			ok:      true,
		},
		{
			name:    "8 hours apart: no zone points",
			e:       Mentee{ID: "E", Topics: go1, Offset: 480},
			m:       Mentor{ID: "M", Topics: go1},
			want:    100,
			reasons: Reasons{SharedTopics: go1, HoursApart: 8},
			ok:      true,
		},
		{
			name:    "11 hours apart: no zone points",
			e:       Mentee{ID: "E", Topics: go1, Offset: -300},
			m:       Mentor{ID: "M", Topics: go1, Offset: 360},
			want:    100,
			reasons: Reasons{SharedTopics: go1, HoursApart: 11},
			ok:      true,
		},
		{
			name:    "offsets wrap around the clock: +13:00 and -10:00 are 1 hour apart",
			e:       Mentee{ID: "E", Topics: go1, Offset: 780},
			m:       Mentor{ID: "M", Topics: go1, Offset: -600},
			want:    126.25,
			reasons: Reasons{SharedTopics: go1, HoursApart: 1},
			ok:      true,
		},
		{
			name:    "+14:00 and -12:00 are 2 hours apart",
			e:       Mentee{ID: "E", Topics: go1, Offset: -720},
			m:       Mentor{ID: "M", Topics: go1, Offset: 840},
			want:    122.5,
			reasons: Reasons{SharedTopics: go1, HoursApart: 2},
			ok:      true,
		},
		{
			name:     "a previous partner sharing one topic scores below zero",
			e:        Mentee{ID: "E", Topics: go1, Team: "a"},
			m:        Mentor{ID: "M", Topics: go1, Team: "b"},
			previous: true,
			want:     -5,
			reasons:  Reasons{SharedTopics: go1, DifferentTeams: true},
			ok:       true,
		},
		{
			name:     "a previous partner sharing three topics still scores",
			e:        Mentee{ID: "E", Topics: []string{"go", "ml", "sql"}},
			m:        Mentor{ID: "M", Topics: []string{"go", "ml", "sql"}},
			previous: true,
			want:     180,
			reasons:  Reasons{SharedTopics: []string{"go", "ml", "sql"}},
			ok:       true,
		},
		{
			name:    "no shared topic",
			e:       Mentee{ID: "E", Topics: go1},
			m:       Mentor{ID: "M", Topics: []string{"rust"}},
			reasons: Reasons{},
		},
		{
			name:    "the mentor is the mentee's manager",
			e:       Mentee{ID: "E", Topics: go1, ManagerID: "M"},
			m:       Mentor{ID: "M", Topics: go1},
			reasons: Reasons{SharedTopics: go1},
		},
		{
			name:    "the mentee is the mentor's manager",
			e:       Mentee{ID: "E", Topics: go1},
			m:       Mentor{ID: "M", Topics: go1, ManagerID: "E"},
			reasons: Reasons{SharedTopics: go1},
		},
		{
			name:    "the same person",
			e:       Mentee{ID: "E", Topics: go1},
			m:       Mentor{ID: "E", Topics: go1},
			reasons: Reasons{SharedTopics: go1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reasons, ok := Score(tt.e, tt.m, tt.previous)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Score = %v, ok %v; want %v, ok %v", got, ok, tt.want, tt.ok)
			}
			if !reflect.DeepEqual(reasons, tt.reasons) {
				t.Errorf("reasons = %+v, want %+v", reasons, tt.reasons)
			}
		})
	}
}

// TestWeightsOrder checks the promises the weights' comments make.
func TestWeightsOrder(t *testing.T) {
	if TopicPoints <= ZonePoints+TeamPoints {
		t.Error("one more shared topic must outweigh any zone and team difference")
	}
	if TopicPoints+ZonePoints+TeamPoints-PreviousPenalty > 0 {
		t.Error("a previous partner sharing one topic must score 0 or less")
	}
	if 2*TopicPoints+ZonePoints+TeamPoints-PreviousPenalty >= TopicPoints {
		t.Error("a new partner sharing a topic must beat a previous partner sharing two")
	}
}

func TestMinutesApart(t *testing.T) {
	tests := []struct{ a, b, want int }{
		{0, 0, 0},
		{60, -60, 120},
		{-60, 60, 120},
		{720, -720, 0},
		{840, -720, 120},
		{780, -600, 60},
		{345, -300, 645},
		{0, 720, 720},
		{3000, 0, 120}, // out-of-range offsets still land on the clock
	}
	for _, tt := range tests {
		if got := minutesApart(tt.a, tt.b); got != tt.want {
			t.Errorf("minutesApart(%d, %d) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
