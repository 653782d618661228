package mentoring

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNormalizeTopics(t *testing.T) {
	tests := []struct {
		in      []string
		want    []string
		wantErr bool
	}{
		{in: nil, want: []string{}},
		{in: []string{" Go ", "go", "GO", ""}, want: []string{"go"}},
		{in: []string{"Public   Speaking", "public speaking", "Leadership"}, want: []string{"public speaking", "leadership"}},
		{in: []string{strings.Repeat("x", MaxTopicLen)}, want: []string{strings.Repeat("x", MaxTopicLen)}},
		{in: []string{strings.Repeat("x", MaxTopicLen+1)}, wantErr: true},
		{in: strings.Split("a,b,c,d,e,f,g,h,i,j,k", ","), wantErr: true},
		{in: strings.Split("a,b,c,d,e,f,g,h,i,j,a", ","), want: strings.Split("a,b,c,d,e,f,g,h,i,j", ",")},
	}
	for _, tt := range tests {
		got, err := NormalizeTopics(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("NormalizeTopics(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && !slices.Equal(got, tt.want) {
			t.Errorf("NormalizeTopics(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if err != nil && ErrorCode(err) != EINVALID {
			t.Errorf("NormalizeTopics(%q) error code = %q, want %q", tt.in, ErrorCode(err), EINVALID)
		}
	}
}

func TestParticipantValidate(t *testing.T) {
	valid := func() Participant {
		return Participant{ID: "U1AB", Role: RoleMentor, Capacity: DefaultCapacity, Topics: []string{"go"}}
	}
	tests := []struct {
		name   string
		change func(p *Participant)
		ok     bool
	}{
		{"valid", func(p *Participant) {}, true},
		{"grid user", func(p *Participant) { p.ID = "W1AB" }, true},
		{"bad id", func(p *Participant) { p.ID = "alice" }, false},
		{"bad role", func(p *Participant) { p.Role = "boss" }, false},
		{"capacity 0", func(p *Participant) { p.Capacity = 0 }, false},
		{"capacity 11", func(p *Participant) { p.Capacity = 11 }, false},
		{"capacity 10", func(p *Participant) { p.Capacity = 10 }, true},
		{"own manager", func(p *Participant) { p.ManagerID = p.ID }, false},
		{"manager not a user", func(p *Participant) { p.ManagerID = "@bob" }, false},
		{"long team", func(p *Participant) { p.Team = strings.Repeat("t", MaxTeamLen+1) }, false},
		{"too many topics", func(p *Participant) { p.Topics = strings.Split("a,b,c,d,e,f,g,h,i,j,k", ",") }, false},
		{"too many goals", func(p *Participant) { p.Goals = make([]Goal, MaxGoals+1) }, false},
	}
	for _, tt := range tests {
		p := valid()
		tt.change(&p)
		if err := p.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: Validate() = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

func TestParticipantActive(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	later, earlier := now.Add(time.Hour), now.Add(-time.Hour)
	tests := []struct {
		name string
		p    Participant
		want bool
	}{
		{"in the programme", Participant{}, true},
		{"left", Participant{LeftAt: &earlier}, false},
		{"paused until later", Participant{PausedUntil: &later}, false},
		{"pause over", Participant{PausedUntil: &earlier}, true},
	}
	for _, tt := range tests {
		if got := tt.p.Active(now); got != tt.want {
			t.Errorf("%s: Active = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestParseRole(t *testing.T) {
	for in, want := range map[string]Role{"mentor": RoleMentor, " Mentee ": RoleMentee, "BOTH": RoleBoth} {
		if got, err := ParseRole(in); err != nil || got != want {
			t.Errorf("ParseRole(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseRole("manager"); ErrorCode(err) != EINVALID {
		t.Errorf("ParseRole(manager) error = %v, want EINVALID", err)
	}
	if !RoleBoth.Mentors() || !RoleBoth.Mentored() || RoleMentor.Mentored() || RoleMentee.Mentors() {
		t.Error("Mentors/Mentored disagree with the roles")
	}
}

func TestKudosAndCheckinValidate(t *testing.T) {
	kudos := []struct {
		k  Kudos
		ok bool
	}{
		{Kudos{FromID: "U1", ToID: "U2AB", Message: "thanks"}, true},
		{Kudos{FromID: "U2AB", ToID: "U2AB", Message: "me"}, false},
		{Kudos{FromID: "U1", ToID: "", Message: "who"}, false},
		{Kudos{FromID: "U1", ToID: "U2AB", Message: "  "}, false},
		{Kudos{FromID: "U1", ToID: "U2AB", Message: strings.Repeat("k", MaxKudosLen+1)}, false},
	}
	for _, tt := range kudos {
		if err := tt.k.Validate(); (err == nil) != tt.ok {
			t.Errorf("Kudos %+v Validate() = %v, want ok %v", tt.k, err, tt.ok)
		}
	}
	checkins := []struct {
		c  Checkin
		ok bool
	}{
		{Checkin{PairingID: 1, UserID: "U1AB", Period: "p", Answer: AnswerMet, Progress: 5}, true},
		{Checkin{PairingID: 0, UserID: "U1AB", Period: "p"}, false},
		{Checkin{PairingID: 1, UserID: "U1AB", Period: "p", Answer: "maybe"}, false},
		{Checkin{PairingID: 1, UserID: "U1AB", Period: "p", Progress: 6}, false},
		{Checkin{PairingID: 1, UserID: "U1AB", Period: "p", Discussed: strings.Repeat("n", MaxNoteLen+1)}, false},
	}
	for _, tt := range checkins {
		if err := tt.c.Validate(); (err == nil) != tt.ok {
			t.Errorf("Checkin %+v Validate() = %v, want ok %v", tt.c, err, tt.ok)
		}
	}
}

func TestErrorMessageHidesInternals(t *testing.T) {
	tests := []struct {
		err      error
		code     string
		contains string
	}{
		{nil, "", ""},
		{Errorf(EINVALID, "capacity must be 1 to 10"), EINVALID, "capacity must be 1 to 10"},
		{fmt.Errorf("join: %w", Errorf(EFORBIDDEN, "admins only")), EFORBIDDEN, "admins only"},
		{errors.New("bolt: page 12 corrupt"), EINTERNAL, "Sorry"},
		{Errorf(EINTERNAL, "secret detail"), EINTERNAL, "Sorry"},
	}
	for _, tt := range tests {
		if got := ErrorCode(tt.err); got != tt.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", tt.err, got, tt.code)
		}
		msg := ErrorMessage(tt.err)
		if !strings.Contains(msg, tt.contains) || strings.Contains(msg, "corrupt") || strings.Contains(msg, "secret") {
			t.Errorf("ErrorMessage(%v) = %q", tt.err, msg)
		}
	}
}

func TestPeriodKey(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	p := Period{Kind: KindCheckin, Start: time.Date(2026, 11, 23, 10, 0, 0, 0, berlin)}
	if got, want := p.Key(), "mentorbot_checkin/2026-11-23T10:00"; got != want {
		t.Errorf("Key() = %q, want %q", got, want)
	}
}
