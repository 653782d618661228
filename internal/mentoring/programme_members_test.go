package mentoring_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

func TestJoinNewMemberAndChange(t *testing.T) {
	e := newEnv(t)
	before, after, err := e.p.Join(e.ctx, "UALICE", mentoring.Join{Role: mentoring.RoleMentor, Topics: []string{" Go ", "go", "Public  Speaking"}})
	if err != nil {
		t.Fatalf("Join: %v", err)
	}
	if before != nil {
		t.Errorf("first Join: before = %+v, want nil", before)
	}
	if after.Capacity != mentoring.DefaultCapacity || after.TimeZone != "Europe/Berlin" ||
		!after.JoinedAt.Equal(start) || after.Role != mentoring.RoleMentor ||
		!slices.Equal(after.Topics, []string{"go", "public speaking"}) {
		t.Errorf("first Join: after = %+v, want mentor, capacity %d, Europe/Berlin, joined %v, topics [go public speaking]",
			after, mentoring.DefaultCapacity, start)
	}
	stored := e.member("UALICE")
	if stored.Capacity != mentoring.DefaultCapacity || stored.TimeZone != "Europe/Berlin" {
		t.Errorf("stored = %+v, want capacity %d and Europe/Berlin", stored, mentoring.DefaultCapacity)
	}

	// The workspace owns the time zone: joining again refreshes it.
	e.dir.put(mentoring.Person{ID: "UALICE", TimeZone: "Europe/Lisbon"})
	e.at(start.Add(time.Hour))
	before, after, err = e.p.Join(e.ctx, "UALICE", mentoring.Join{Role: mentoring.RoleBoth})
	if err != nil {
		t.Fatalf("second Join: %v", err)
	}
	if before == nil || before.Role != mentoring.RoleMentor || !slices.Equal(before.Topics, []string{"go", "public speaking"}) {
		t.Errorf("second Join: before = %+v, want the mentor record", before)
	}
	if after.Role != mentoring.RoleBoth || after.Capacity != mentoring.DefaultCapacity || after.TimeZone != "Europe/Lisbon" ||
		!after.JoinedAt.Equal(start) || !slices.Equal(after.Topics, []string{"go", "public speaking"}) {
		t.Errorf("second Join: after = %+v, want both, topics and capacity kept, Europe/Lisbon, joined %v", after, start)
	}

	// Someone who left comes back as a new member.
	if _, err := e.p.Leave(e.ctx, "UALICE"); err != nil {
		t.Fatalf("Leave: %v", err)
	}
	e.at(start.Add(2 * time.Hour))
	before, after, err = e.p.Join(e.ctx, "UALICE", mentoring.Join{Role: mentoring.RoleMentee})
	if err != nil {
		t.Fatalf("Join after leaving: %v", err)
	}
	if before != nil || after.LeftAt != nil || !after.JoinedAt.Equal(start.Add(2*time.Hour)) {
		t.Errorf("Join after leaving: before = %+v, after = %+v; want nil, and joined now and not left", before, after)
	}
}

func TestJoinRejects(t *testing.T) {
	manyGoals := make([]string, mentoring.MaxGoals+1)
	for i := range manyGoals {
		manyGoals[i] = fmt.Sprintf("goal %d", i+1)
	}
	tests := []struct {
		name  string
		id    string
		j     mentoring.Join
		field string
	}{
		{"bot", "UROBOT", mentoring.Join{Role: mentoring.RoleMentee}, ""},
		{"deactivated", "UGONE", mentoring.Join{Role: mentoring.RoleMentee}, ""},
		{"not in the workspace", "UNOBODY", mentoring.Join{Role: mentoring.RoleMentee}, ""},
		{"invalid role", "UDANA", mentoring.Join{Role: "boss"}, "role"},
		{"no role", "UDANA", mentoring.Join{}, "role"},
		{"own manager", "UDANA", mentoring.Join{Role: mentoring.RoleMentee, ManagerID: ptr("UDANA")}, "manager"},
		{"bot manager", "UDANA", mentoring.Join{Role: mentoring.RoleMentee, ManagerID: ptr("UROBOT")}, "manager"},
		{"unknown manager", "UDANA", mentoring.Join{Role: mentoring.RoleMentee, ManagerID: ptr("UNOBODY")}, "manager"},
		{"too many goals", "UDANA", mentoring.Join{Role: mentoring.RoleMentee, Goals: manyGoals}, "goals"},
		{"goal too long", "UDANA", mentoring.Join{Role: mentoring.RoleMentee, Goals: []string{strings.Repeat("g", mentoring.MaxGoalLen+1)}}, "goals"},
		{"capacity", "UDANA", mentoring.Join{Role: mentoring.RoleMentor, Capacity: mentoring.MaxCapacity + 1}, "capacity"},
		{"too many topics", "UDANA", mentoring.Join{Role: mentoring.RoleMentee, Topics: strings.Split("a,b,c,d,e,f,g,h,i,j,k", ",")}, "topics"},
		{"team too long", "UDANA", mentoring.Join{Role: mentoring.RoleMentee, Team: ptr(strings.Repeat("t", mentoring.MaxTeamLen+1))}, "team"},
	}
	e := newEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, after, err := e.p.Join(e.ctx, tt.id, tt.j)
			wantErr(t, "Join", err, mentoring.EINVALID, tt.field)
			if before != nil || after != nil {
				t.Errorf("Join returned %+v, %+v with its error", before, after)
			}
			if _, err := e.p.Member(e.ctx, tt.id); mentoring.ErrorCode(err) != mentoring.ENOTFOUND {
				t.Errorf("after a failed Join, Member(%s) error = %v, want ENOTFOUND", tt.id, err)
			}
		})
	}
}

// Goals given on joining again count with the ones kept, and a rejected change leaves
// the record as it was.
func TestJoinGoalsAddUpAndFailedJoinChangesNothing(t *testing.T) {
	e := newEnv(t)
	goals := make([]string, mentoring.MaxGoals-1)
	for i := range goals {
		goals[i] = fmt.Sprintf("goal %d", i+1)
	}
	e.joinWith("UBERT", mentoring.Join{Role: mentoring.RoleMentee, Topics: []string{"go"}, Goals: goals})
	_, _, err := e.p.Join(e.ctx, "UBERT", mentoring.Join{Role: mentoring.RoleBoth, Goals: []string{"one more", "and another"}})
	wantErr(t, "Join over the goal limit", err, mentoring.EINVALID, "goals")
	got := e.member("UBERT")
	if len(got.Goals) != mentoring.MaxGoals-1 || got.Role != mentoring.RoleMentee {
		t.Errorf("after the failed Join: %d goals, role %s; want %d goals, role mentee", len(got.Goals), got.Role, mentoring.MaxGoals-1)
	}
	_, after, err := e.p.Join(e.ctx, "UBERT", mentoring.Join{Role: mentoring.RoleMentee, Goals: []string{"  last one  ", " "}})
	if err != nil {
		t.Fatalf("Join up to the limit: %v", err)
	}
	if len(after.Goals) != mentoring.MaxGoals || after.Goals[mentoring.MaxGoals-1].Text != "last one" {
		t.Errorf("Join up to the limit: goals = %+v, want %d ending with %q", after.Goals, mentoring.MaxGoals, "last one")
	}
}

func TestSetCapacity(t *testing.T) {
	e := newEnv(t)
	e.join("UALICE", mentoring.RoleMentor, "go")
	e.join("UBERT", mentoring.RoleMentee, "go")
	tests := []struct {
		name string
		id   string
		n    int
		code string
	}{
		{"zero", "UALICE", 0, mentoring.EINVALID},
		{"above the maximum", "UALICE", mentoring.MaxCapacity + 1, mentoring.EINVALID},
		{"a mentee", "UBERT", 3, mentoring.EINVALID},
		{"not joined", "UDANA", 3, mentoring.ENOTFOUND},
		{"the maximum", "UALICE", mentoring.MaxCapacity, ""},
		{"the minimum", "UALICE", mentoring.MinCapacity, ""},
	}
	for _, tt := range tests {
		before, _ := e.p.Member(e.ctx, tt.id)
		pt, err := e.p.SetCapacity(e.ctx, tt.id, tt.n)
		if got := mentoring.ErrorCode(err); got != tt.code {
			t.Errorf("%s: SetCapacity(%s, %d) error = %v, want code %q", tt.name, tt.id, tt.n, err, tt.code)
			continue
		}
		if tt.code != "" {
			if after, _ := e.p.Member(e.ctx, tt.id); before != nil && after.Capacity != before.Capacity {
				t.Errorf("%s: a rejected SetCapacity changed capacity %d to %d", tt.name, before.Capacity, after.Capacity)
			}
			continue
		}
		if pt.Capacity != tt.n || e.member(tt.id).Capacity != tt.n {
			t.Errorf("%s: capacity = %d (stored %d), want %d", tt.name, pt.Capacity, e.member(tt.id).Capacity, tt.n)
		}
	}
}

func TestSetManagerAndTeam(t *testing.T) {
	e := newEnv(t)
	e.join("UALICE", mentoring.RoleMentor, "go")

	_, err := e.p.SetManager(e.ctx, "UALICE", "UALICE")
	wantErr(t, "SetManager(self)", err, mentoring.EINVALID, "manager")
	_, err = e.p.SetManager(e.ctx, "UALICE", "UROBOT")
	wantErr(t, "SetManager(bot)", err, mentoring.EINVALID, "manager")
	_, err = e.p.SetManager(e.ctx, "UDANA", "UALICE")
	wantErr(t, "SetManager of someone not joined", err, mentoring.ENOTFOUND, "")

	if pt, err := e.p.SetManager(e.ctx, "UALICE", "UCHEN"); err != nil || pt.ManagerID != "UCHEN" || e.member("UALICE").ManagerID != "UCHEN" {
		t.Errorf("SetManager(UCHEN) = %+v, %v; want manager UCHEN stored", pt, err)
	}
	if pt, err := e.p.SetManager(e.ctx, "UALICE", ""); err != nil || pt.ManagerID != "" || e.member("UALICE").ManagerID != "" {
		t.Errorf(`SetManager("") = %+v, %v; want the manager cleared`, pt, err)
	}

	if pt, err := e.p.SetTeam(e.ctx, "UALICE", "  Payments   Core "); err != nil || pt.Team != "Payments Core" || e.member("UALICE").Team != "Payments Core" {
		t.Errorf("SetTeam = %+v, %v; want team %q stored", pt, err, "Payments Core")
	}
	_, err = e.p.SetTeam(e.ctx, "UALICE", "   ")
	wantErr(t, "SetTeam(empty)", err, mentoring.EINVALID, "team")
	if got := e.member("UALICE").Team; got != "Payments Core" {
		t.Errorf("a rejected SetTeam changed the team to %q", got)
	}
}

func TestGoals(t *testing.T) {
	e := newEnv(t)
	e.join("UBERT", mentoring.RoleMentee, "go")

	_, err := e.p.FinishGoal(e.ctx, "UBERT", 1)
	wantErr(t, "FinishGoal with no goals", err, mentoring.EINVALID, "")
	_, err = e.p.AddGoal(e.ctx, "UBERT", "   ")
	wantErr(t, "AddGoal(empty)", err, mentoring.EINVALID, "goal")
	_, err = e.p.AddGoal(e.ctx, "UBERT", strings.Repeat("g", mentoring.MaxGoalLen+1))
	wantErr(t, "AddGoal(too long)", err, mentoring.EINVALID, "goal")
	_, err = e.p.AddGoal(e.ctx, "UDANA", "a goal")
	wantErr(t, "AddGoal of someone not joined", err, mentoring.ENOTFOUND, "")

	for i, text := range []string{"give a talk", "learn generics"} {
		pt, err := e.p.AddGoal(e.ctx, "UBERT", "  "+text+" ")
		if err != nil {
			t.Fatalf("AddGoal(%q): %v", text, err)
		}
		if len(pt.Goals) != i+1 || pt.Goals[i].Text != text || pt.Goals[i].Done() || !pt.Goals[i].CreatedAt.Equal(start) {
			t.Errorf("AddGoal(%q): goals = %+v, want it as goal %d, open, created %v", text, pt.Goals, i+1, start)
		}
	}

	e.at(start.Add(time.Hour))
	pt, err := e.p.FinishGoal(e.ctx, "UBERT", 2)
	if err != nil {
		t.Fatalf("FinishGoal(2): %v", err)
	}
	if pt.Goals[0].Done() || !pt.Goals[1].Done() || !pt.Goals[1].DoneAt.Equal(start.Add(time.Hour)) {
		t.Errorf("FinishGoal(2): goals = %+v, want only goal 2 done, at %v", pt.Goals, start.Add(time.Hour))
	}
	if got := e.member("UBERT").Goals; !got[1].Done() || got[0].Done() {
		t.Errorf("stored goals after FinishGoal(2) = %+v", got)
	}
	_, err = e.p.FinishGoal(e.ctx, "UBERT", 2)
	wantErr(t, "FinishGoal(2) twice", err, mentoring.ECONFLICT, "")
	for _, n := range []int{0, 3, -1} {
		_, err = e.p.FinishGoal(e.ctx, "UBERT", n)
		wantErr(t, fmt.Sprintf("FinishGoal(%d)", n), err, mentoring.EINVALID, "")
	}
	// Numbers do not shift: goal 1 is still the first one.
	if pt, err := e.p.FinishGoal(e.ctx, "UBERT", 1); err != nil || pt.Goals[0].Text != "give a talk" || !pt.Goals[0].Done() {
		t.Errorf("FinishGoal(1) = %+v, %v; want %q done", pt, err, "give a talk")
	}
}

func TestPause(t *testing.T) {
	// bert is in New York; now is Tuesday 24 November 2026, 12:00 UTC (07:00 there).
	tests := []struct {
		name string
		id   string
		l    mentoring.PauseLength
		code string
		want time.Time
	}{
		{"days", "UBERT", mentoring.PauseLength{Days: 14}, "", start.Add(14 * 24 * time.Hour)},
		{"date, midnight in their zone", "UBERT", mentoring.PauseLength{Date: "2026-12-16"}, "", time.Date(2026, 12, 16, 0, 0, 0, 0, newYork)},
		{"tomorrow", "UBERT", mentoring.PauseLength{Date: "2026-11-25"}, "", time.Date(2026, 11, 25, 0, 0, 0, 0, newYork)},
		{"the longest", "UBERT", mentoring.PauseLength{Days: 366}, "", start.Add(mentoring.MaxPause)},
		{"today has begun", "UBERT", mentoring.PauseLength{Date: "2026-11-24"}, mentoring.EINVALID, time.Time{}},
		{"past date", "UBERT", mentoring.PauseLength{Date: "2026-11-01"}, mentoring.EINVALID, time.Time{}},
		{"too many days", "UBERT", mentoring.PauseLength{Days: 367}, mentoring.EINVALID, time.Time{}},
		{"date too far", "UBERT", mentoring.PauseLength{Date: "2027-11-26"}, mentoring.EINVALID, time.Time{}},
		{"zero", "UBERT", mentoring.PauseLength{}, mentoring.EINVALID, time.Time{}},
		{"negative days", "UBERT", mentoring.PauseLength{Days: -3}, mentoring.EINVALID, time.Time{}},
		{"not a date", "UBERT", mentoring.PauseLength{Date: "soon"}, mentoring.EINVALID, time.Time{}},
		{"not joined", "UDANA", mentoring.PauseLength{Days: 3}, mentoring.ENOTFOUND, time.Time{}},
	}
	e := newEnv(t)
	e.join("UBERT", mentoring.RoleMentee, "go")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := e.p.Resume(e.ctx, "UBERT"); err != nil {
				t.Fatalf("Resume: %v", err)
			}
			pt, err := e.p.Pause(e.ctx, tt.id, tt.l)
			if got := mentoring.ErrorCode(err); got != tt.code {
				t.Fatalf("Pause(%s, %+v) error = %v, want code %q", tt.id, tt.l, err, tt.code)
			}
			stored := e.member("UBERT").PausedUntil
			if tt.code != "" {
				if stored != nil {
					t.Errorf("a rejected Pause stored PausedUntil %v", stored)
				}
				return
			}
			if pt.PausedUntil == nil || !pt.PausedUntil.Equal(tt.want) || stored == nil || !stored.Equal(tt.want) {
				t.Errorf("PausedUntil = %v (stored %v), want %v", pt.PausedUntil, stored, tt.want)
			}
		})
	}
}

func TestResume(t *testing.T) {
	e := newEnv(t)
	e.join("UBERT", mentoring.RoleMentee, "go")
	if _, err := e.p.Pause(e.ctx, "UBERT", mentoring.PauseLength{Days: 7}); err != nil {
		t.Fatalf("Pause: %v", err)
	}
	if was, err := e.p.Resume(e.ctx, "UBERT"); err != nil || !was {
		t.Errorf("Resume during a pause = %v, %v; want true", was, err)
	}
	if got := e.member("UBERT").PausedUntil; got != nil {
		t.Errorf("after Resume PausedUntil = %v, want nil", got)
	}
	if was, err := e.p.Resume(e.ctx, "UBERT"); err != nil || was {
		t.Errorf("Resume without a pause = %v, %v; want false", was, err)
	}
	// A pause that is over is no pause.
	if _, err := e.p.Pause(e.ctx, "UBERT", mentoring.PauseLength{Days: 7}); err != nil {
		t.Fatalf("Pause: %v", err)
	}
	e.at(start.Add(8 * 24 * time.Hour))
	if was, err := e.p.Resume(e.ctx, "UBERT"); err != nil || was {
		t.Errorf("Resume after the pause ended = %v, %v; want false", was, err)
	}
	_, err := e.p.Resume(e.ctx, "UDANA")
	wantErr(t, "Resume of someone not joined", err, mentoring.ENOTFOUND, "")
}
