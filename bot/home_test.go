package bot

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

func TestProgressText(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{1, "1 of 5 (Just getting started)"},
		{3, "3 of 5 (Making steady progress)"},
		{5, "5 of 5 (Goal reached)"},
		{7, "7 of 5"}, // never stored; still no panic
	}
	for _, tt := range tests {
		if got := progressText(tt.n); got != tt.want {
			t.Errorf("progressText(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
	for i, step := range progressSteps {
		if step == "" || utf8.RuneCountInString(step)+4 > maxButtonText {
			t.Errorf("progress step %d %q is empty or too long for a select option", i+mentoring.MinProgress, step)
		}
	}
}

func TestCheckinSummary(t *testing.T) {
	tests := []struct {
		name string
		c    *mentoring.Checkin
		want string
	}{
		{"not asked", nil, "not asked that week."},
		{"no answer", &mentoring.Checkin{}, "no answer yet."},
		{"met", &mentoring.Checkin{Answer: mentoring.AnswerMet}, "met."},
		{"not met, with progress", &mentoring.Checkin{Answer: mentoring.AnswerNotMet, Progress: 2}, "did not meet · progress 2 of 5 (Taking first steps)."},
		{"notes only", &mentoring.Checkin{Needs: "help"}, "wrote notes."},
		{"progress only", &mentoring.Checkin{Progress: 4}, "progress 4 of 5 (Nearly there)."},
	}
	for _, tt := range tests {
		if got := checkinSummary(tt.c); got != tt.want {
			t.Errorf("%s: checkinSummary = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestAnswerLine(t *testing.T) {
	tests := []struct {
		name string
		c    mentoring.Checkin
		want string
	}{
		{"nothing", mentoring.Checkin{}, ""},
		{"met", mentoring.Checkin{Answer: mentoring.AnswerMet}, "Your answer: *:white_check_mark: We met*. Click the other button to change it."},
		{"notes", mentoring.Checkin{Discussed: "x", Progress: 4},
			"Notes saved, progress 4 of 5 (Nearly there). To change them, click *Add notes* again."},
		{"both", mentoring.Checkin{Answer: mentoring.AnswerNotMet, Needs: "x"},
			"Your answer: *:heavy_minus_sign: Not this week*. Notes saved. Click a button again to change your answer or your notes."},
	}
	for _, tt := range tests {
		if got := answerLine(&tt.c); got != tt.want {
			t.Errorf("%s: answerLine = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestPartnersText(t *testing.T) {
	day := func(d int) *time.Time { t := time.Date(2026, 12, d, 12, 0, 0, 0, time.UTC); return &t }
	ended := func(partner string, from, to int) mentoring.Pairing {
		return mentoring.Pairing{MentorID: "UALICE", MenteeID: partner, StartedAt: *day(from), EndedAt: day(to)}
	}
	tests := []struct {
		name          string
		active, ended []mentoring.Pairing
		want          string
	}{
		{"never paired", nil, nil, "none yet: you'll be introduced after the next pairing round."},
		{"one ended", nil, []mentoring.Pairing{ended("UBERT", 1, 8)},
			"none right now: you're in the pool for the next pairing round. Your past pairing: <@UBERT> (Tuesday 1 December to Tuesday 8 December)."},
		{"erased partner", nil, []mentoring.Pairing{ended("", 1, 8)},
			"none right now: you're in the pool for the next pairing round. Your past pairing: a partner who has since left the programme (Tuesday 1 December to Tuesday 8 December)."},
		{"many ended", nil, []mentoring.Pairing{ended("UA", 9, 10), ended("UB", 7, 8), ended("UC", 5, 6), ended("UD", 3, 4), ended("UE", 1, 2)},
			"none right now: you're in the pool for the next pairing round. Your past pairings: <@UA> (Wednesday 9 December to Thursday 10 December), " +
				"<@UB> (Monday 7 December to Tuesday 8 December), <@UC> (Saturday 5 December to Sunday 6 December) and 2 more."},
		{"active and ended", []mentoring.Pairing{{MentorID: "UALICE", MenteeID: "UCHEN", StartedAt: *day(9)}}, []mentoring.Pairing{ended("UBERT", 1, 8)},
			"<@UCHEN> (your mentee, since 9 December)"},
	}
	for _, tt := range tests {
		if got := partnersText("UALICE", tt.active, tt.ended, time.UTC); got != tt.want {
			t.Errorf("%s: partnersText =\n%q, want\n%q", tt.name, got, tt.want)
		}
	}
}

func TestProfileSaved(t *testing.T) {
	before := &mentoring.Participant{ID: "UALICE", Role: mentoring.RoleMentee, Topics: []string{"go"}, Capacity: 2,
		ManagerID: "UBOSS", Team: "Core", Goals: []mentoring.Goal{{Text: "a"}}}
	change := func(fn func(p *mentoring.Participant)) *mentoring.Participant {
		p := *before
		fn(&p)
		return &p
	}
	tests := []struct {
		name  string
		after *mentoring.Participant
		want  string
	}{
		{"nothing", before, "Your profile is saved: nothing changed."},
		{"manager", change(func(p *mentoring.Participant) { p.ManagerID = "UBERT" }),
			"Your profile is saved. What changed:\n• Manager: <@UBERT>. You'll never be paired with them."},
		{"manager cleared", change(func(p *mentoring.Participant) { p.ManagerID = "" }),
			"Your profile is saved. What changed:\n• Manager: none recorded now."},
		{"everything", change(func(p *mentoring.Participant) {
			p.Role, p.Topics, p.Capacity, p.Team = mentoring.RoleBoth, []string{"go", "<!here>"}, 1, "Edge & Web"
			p.Goals = append(p.Goals, mentoring.Goal{Text: "b"})
		}), "Your profile is saved. What changed:\n• Role: *mentor and mentee* (was mentee).\n• Topics: go, &lt;!here&gt;.\n" +
			"• You take up to 1 mentee at once.\n• Team: *Edge &amp; Web*.\n• 1 new goal added."},
	}
	for _, tt := range tests {
		if got := profileSaved(before, tt.after); got != tt.want {
			t.Errorf("%s: profileSaved =\n%q, want\n%q", tt.name, got, tt.want)
		}
		if strings.Contains(profileSaved(before, tt.after), "<!") {
			t.Errorf("%s: a live broadcast in the reply", tt.name)
		}
	}
}
