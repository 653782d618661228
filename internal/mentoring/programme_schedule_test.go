package mentoring_test

import (
	"slices"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// The next check-in a paused member sees comes after their pause (Status once said
// "Paused until Wednesday 16 December" and then "Next check-in: Monday 7 December").
func TestStatusNextCheckin(t *testing.T) {
	thursday := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		pause     mentoring.PauseLength
		wantUntil time.Time // zero: not paused
		wantNext  time.Time
	}{
		{"no pause", mentoring.PauseLength{}, time.Time{}, time.Date(2026, 12, 7, 10, 0, 0, 0, newYork)},
		{"until Wednesday 16 December", mentoring.PauseLength{Date: "2026-12-16"}, time.Date(2026, 12, 16, 0, 0, 0, 0, newYork),
			time.Date(2026, 12, 21, 10, 0, 0, 0, newYork)},
		{"until Monday 14 December", mentoring.PauseLength{Date: "2026-12-14"}, time.Date(2026, 12, 14, 0, 0, 0, 0, newYork),
			time.Date(2026, 12, 14, 10, 0, 0, 0, newYork)},
		{"two days, over by Monday", mentoring.PauseLength{Days: 2}, thursday.Add(48 * time.Hour),
			time.Date(2026, 12, 7, 10, 0, 0, 0, newYork)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.at(thursday)
			e.join("UBERT", mentoring.RoleMentee, "go")
			if tt.pause != (mentoring.PauseLength{}) {
				if _, err := e.p.Pause(e.ctx, "UBERT", tt.pause); err != nil {
					t.Fatalf("Pause: %v", err)
				}
			}
			st := e.status("UBERT")
			switch {
			case tt.wantUntil.IsZero() && st.PausedUntil != nil:
				t.Errorf("PausedUntil = %v, want none", st.PausedUntil)
			case !tt.wantUntil.IsZero() && (st.PausedUntil == nil || !st.PausedUntil.Equal(tt.wantUntil)):
				t.Errorf("PausedUntil = %v, want %v", st.PausedUntil, tt.wantUntil)
			}
			if !st.NextCheckin.Equal(tt.wantNext) {
				t.Errorf("NextCheckin = %v, want %v", st.NextCheckin, tt.wantNext)
			}
			if st.NextCheckin.Location().String() != "America/New_York" || st.Location.String() != "America/New_York" {
				t.Errorf("NextCheckin in %v, Location %v; want both in America/New_York", st.NextCheckin.Location(), st.Location)
			}
		})
	}
}

// checkinKey is the period key of the check-in of the week of Monday day (both zones
// of the tests fire at 10:00 local).
func checkinKey(m time.Month, day int) string {
	return mentoring.Period{Kind: mentoring.KindCheckin, Start: time.Date(2026, m, day, 10, 0, 0, 0, time.UTC)}.Key()
}

func TestQueueDueOncePerPeriod(t *testing.T) {
	e, pr := pairAliceBert(t)
	e.at(utc(time.November, 30, 16))
	if n := e.queueDue(mentoring.KindCheckin); n != 2 {
		t.Fatalf("QueueDue(checkin) = %d, want 2", n)
	}
	key := checkinKey(time.November, 30)
	for _, want := range []struct{ to, partner string }{{"UALICE", "UBERT"}, {"UBERT", "UALICE"}} {
		found := false
		for _, n := range e.dueOf(mentoring.KindCheckin) {
			if slices.Equal(n.To, []string{want.to}) && n.Period == key && len(n.About) == 1 &&
				n.About[0].PairingID == pr.ID && n.About[0].PartnerID == want.partner {
				found = true
			}
		}
		if !found {
			t.Errorf("no check-in to %s for %s about pairing %d with %s: %+v", want.to, key, pr.ID, want.partner, e.due())
		}
		d, err := e.p.PersonalData(e.ctx, want.to)
		if err != nil || len(d.Checkins) != 1 || d.Checkins[0].Period != key || d.Checkins[0].PairingID != pr.ID {
			t.Errorf("%s's check-ins = %+v, %v; want one for %s", want.to, d.Checkins, err, key)
		}
	}
	e.at(utc(time.November, 30, 22))
	if n := e.queueDue(mentoring.KindCheckin); n != 0 {
		t.Errorf("second QueueDue(checkin) in the same period = %d, want 0", n)
	}
	if n, err := e.p.RunNow(e.ctx, admin, mentoring.KindCheckin); err != nil || n != 0 {
		t.Errorf("RunNow(checkin) in a handled period = %d, %v; want 0", n, err)
	}
	if n := len(e.dueOf(mentoring.KindCheckin)); n != 2 {
		t.Errorf("%d check-ins queued, want 2", n)
	}
	e.at(utc(time.December, 7, 16))
	if n := e.queueDue(mentoring.KindCheckin); n != 2 {
		t.Errorf("QueueDue(checkin) the week after = %d, want 2", n)
	}
}

// Nobody is asked "how did it go this week?" minutes after their intro, unless an
// admin sends now.
func TestQueueDueSkipsNewPairUnlessRunNow(t *testing.T) {
	e, _ := pairAliceBert(t) // paired Tuesday 24 November, in the period that began Monday
	if n := e.queueDue(mentoring.KindCheckin); n != 0 {
		t.Errorf("QueueDue(checkin) for a pair made this period = %d, want 0", n)
	}
	if n := e.queueDue(mentoring.KindNudge); n != 0 {
		t.Errorf("QueueDue(nudge) for a pair made this period = %d, want 0", n)
	}
	_, err := e.p.RunNow(e.ctx, "UALICE", mentoring.KindCheckin)
	wantErr(t, "RunNow by a member", err, mentoring.EFORBIDDEN, "")
	if n := len(e.due()); n != 0 {
		t.Fatalf("%d notices queued before RunNow, want 0", n)
	}
	if n, err := e.p.RunNow(e.ctx, admin, mentoring.KindCheckin); err != nil || n != 2 {
		t.Errorf("RunNow(checkin) by the admin = %d, %v; want 2", n, err)
	}
	if n := e.queueDue(mentoring.KindCheckin); n != 0 {
		t.Errorf("QueueDue(checkin) after RunNow = %d, want 0", n)
	}
	if n := len(e.dueOf(mentoring.KindCheckin)); n != 2 {
		t.Errorf("%d check-ins queued, want 2", n)
	}
}

// Someone whose status says away is skipped, and their period counts as handled: no
// check-in arrives when they come back mid-week.
func TestQueueDueSkipsAwayPeople(t *testing.T) {
	e, _ := pairAliceBert(t)
	e.dir.setAway("UBERT", true)
	e.at(utc(time.November, 30, 16))
	if n := e.queueDue(mentoring.KindCheckin); n != 1 {
		t.Errorf("QueueDue(checkin) with bert away = %d, want 1 (alice)", n)
	}
	for _, n := range e.due() {
		if !slices.Equal(n.To, []string{"UALICE"}) {
			t.Errorf("queued %+v, want only alice's check-in", n)
		}
	}
	if d, _ := e.p.PersonalData(e.ctx, "UBERT"); len(d.Checkins) != 0 {
		t.Errorf("bert, away, has check-ins %+v", d.Checkins)
	}
	e.dir.setAway("UBERT", false)
	e.at(utc(time.November, 30, 18))
	if n := e.queueDue(mentoring.KindCheckin); n != 0 {
		t.Errorf("QueueDue(checkin) once bert is back = %d, want 0 (his period was handled)", n)
	}
	e.at(utc(time.December, 7, 16))
	if n := e.queueDue(mentoring.KindCheckin); n != 2 {
		t.Errorf("QueueDue(checkin) the week after = %d, want 2", n)
	}
}

func TestQueueDueSkipsPausedPeople(t *testing.T) {
	e, _ := pairAliceBert(t)
	if _, err := e.p.Pause(e.ctx, "UBERT", mentoring.PauseLength{Days: 30}); err != nil {
		t.Fatalf("Pause: %v", err)
	}
	for _, step := range []struct {
		at   time.Time
		kind mentoring.Kind
	}{
		{utc(time.November, 30, 16), mentoring.KindCheckin},
		{utc(time.December, 9, 16), mentoring.KindNudge},
		{utc(time.December, 11, 21), mentoring.KindRecognition},
	} {
		e.at(step.at)
		e.queueDue(step.kind)
	}
	var toAlice int
	for _, n := range e.due() {
		if slices.Contains(n.To, "UBERT") {
			t.Errorf("bert, paused, was sent %+v", n)
		}
		if slices.Equal(n.To, []string{"UALICE"}) {
			toAlice++
		}
	}
	if toAlice == 0 {
		t.Errorf("alice, not paused, got nothing: %+v", e.due())
	}
	if d, _ := e.p.PersonalData(e.ctx, "UBERT"); len(d.Checkins) != 0 {
		t.Errorf("bert, paused, has check-ins %+v", d.Checkins)
	}
}

// A nudge goes to a pair that has not reported meeting within NudgeAfter (14 days);
// a "met" answer puts it off.
func TestQueueDueNudges(t *testing.T) {
	tests := []struct {
		name   string
		answer mentoring.Answer // alice's answer to the check-in of 7 December; "" none
		want   int
	}{
		{"no answer", mentoring.AnswerNone, 2},
		{"did not meet", mentoring.AnswerNotMet, 2},
		{"met", mentoring.AnswerMet, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, pr := pairAliceBert(t) // paired Tuesday 24 November 12:00 UTC
			e.at(utc(time.December, 2, 16))
			if n := e.queueDue(mentoring.KindNudge); n != 0 {
				t.Errorf("QueueDue(nudge) 8 days in = %d, want 0", n)
			}
			e.at(utc(time.December, 7, 16))
			if n := e.queueDue(mentoring.KindCheckin); n != 2 {
				t.Fatalf("QueueDue(checkin) = %d, want 2", n)
			}
			if tt.answer != mentoring.AnswerNone {
				c, err := e.p.AnswerCheckin(e.ctx, "UALICE", pr.ID, checkinKey(time.December, 7), tt.answer)
				if err != nil || c.Answer != tt.answer || c.AnsweredAt == nil || !c.AnsweredAt.Equal(utc(time.December, 7, 16)) {
					t.Fatalf("AnswerCheckin = %+v, %v", c, err)
				}
			}
			e.at(utc(time.December, 9, 16)) // 14 days and 21 hours after the pair began
			if n := e.queueDue(mentoring.KindNudge); n != tt.want {
				t.Errorf("QueueDue(nudge) = %d, want %d", n, tt.want)
			}
			nudges := e.dueOf(mentoring.KindNudge)
			if len(nudges) != tt.want {
				t.Errorf("queued nudges = %+v, want %d", nudges, tt.want)
			}
			for _, n := range nudges {
				if len(n.To) != 1 || len(n.About) != 1 || n.About[0].PairingID != pr.ID || n.About[0].PartnerID == n.To[0] {
					t.Errorf("nudge %+v, want one reader, about their pairing with the other", n)
				}
			}
			if n := e.queueDue(mentoring.KindNudge); n != 0 {
				t.Errorf("second QueueDue(nudge) in the period = %d, want 0", n)
			}
		})
	}
}

func TestAnswerCheckin(t *testing.T) {
	e, pr := pairAliceBert(t)
	e.join("UCHEN", mentoring.RoleMentee, "cooking")
	e.at(utc(time.November, 30, 16))
	if n := e.queueDue(mentoring.KindCheckin); n != 2 {
		t.Fatalf("QueueDue(checkin) = %d, want 2", n)
	}
	key := checkinKey(time.November, 30)
	wrong := []struct {
		name      string
		user      string
		pairingID uint64
		period    string
	}{
		{"not a member of the pair", "UCHEN", pr.ID, key},
		{"never joined", "UDANA", pr.ID, key},
		{"another period", "UALICE", pr.ID, checkinKey(time.November, 23)},
		{"another pairing", "UALICE", pr.ID + 1, key},
	}
	for _, tt := range wrong {
		_, err := e.p.AnswerCheckin(e.ctx, tt.user, tt.pairingID, tt.period, mentoring.AnswerMet)
		wantErr(t, "AnswerCheckin: "+tt.name, err, mentoring.ENOTFOUND, "")
	}
	if prs := e.status("UALICE").Pairings; prs[0].LastMetAt != nil {
		t.Errorf("a rejected answer recorded a meeting at %v", prs[0].LastMetAt)
	}

	e.at(utc(time.November, 30, 18))
	c, err := e.p.AnswerCheckin(e.ctx, "UBERT", pr.ID, key, mentoring.AnswerNotMet)
	if err != nil || c.Answer != mentoring.AnswerNotMet || c.UserID != "UBERT" {
		t.Fatalf("AnswerCheckin(not met) = %+v, %v", c, err)
	}
	if prs := e.status("UBERT").Pairings; prs[0].LastMetAt != nil {
		t.Errorf("a 'not met' answer recorded a meeting at %v", prs[0].LastMetAt)
	}
	e.at(utc(time.November, 30, 19))
	if c, err = e.p.AnswerCheckin(e.ctx, "UBERT", pr.ID, key, mentoring.AnswerMet); err != nil || c.Answer != mentoring.AnswerMet {
		t.Fatalf("AnswerCheckin(met) = %+v, %v", c, err)
	}
	if prs := e.status("UBERT").Pairings; prs[0].LastMetAt == nil || !prs[0].LastMetAt.Equal(utc(time.November, 30, 19)) {
		t.Errorf("after 'met' LastMetAt = %v, want %v", prs[0].LastMetAt, utc(time.November, 30, 19))
	}
	if c, err = e.p.SaveNotes(e.ctx, "UBERT", pr.ID, key, mentoring.Notes{Discussed: "generics", Progress: 4}); err != nil ||
		c.Answer != mentoring.AnswerMet || c.Discussed != "generics" || c.Progress != 4 {
		t.Errorf("SaveNotes = %+v, %v; want the notes kept with the answer", c, err)
	}
	_, err = e.p.SaveNotes(e.ctx, "UBERT", pr.ID, key, mentoring.Notes{Progress: mentoring.MaxProgress + 1})
	wantErr(t, "SaveNotes with progress out of range", err, mentoring.EINVALID, "")
	_, err = e.p.SaveNotes(e.ctx, "UCHEN", pr.ID, key, mentoring.Notes{Discussed: "x"})
	wantErr(t, "SaveNotes by someone else", err, mentoring.ENOTFOUND, "")
}

// Recognition prompts go to the mentor only, and only when the mentee met, reported
// progress or finished a goal since the period before, with what they did.
func TestQueueDueRecognition(t *testing.T) {
	e, pr := pairAliceBert(t, "goal one", "goal two") // alice mentors bert
	e.at(utc(time.November, 25, 12))
	if _, err := e.p.FinishGoal(e.ctx, "UBERT", 1); err != nil {
		t.Fatalf("FinishGoal(1): %v", err)
	}
	// Friday 27 November 21:00 UTC: past 15:00 in Berlin and New York.
	e.at(utc(time.November, 27, 21))
	if n := e.queueDue(mentoring.KindRecognition); n != 1 {
		t.Errorf("QueueDue(recognition) on 27 November = %d, want 1", n)
	}

	e.at(utc(time.November, 30, 16))
	if n := e.queueDue(mentoring.KindCheckin); n != 2 {
		t.Fatalf("QueueDue(checkin) = %d, want 2", n)
	}
	if _, err := e.p.AnswerCheckin(e.ctx, "UBERT", pr.ID, checkinKey(time.November, 30), mentoring.AnswerMet); err != nil {
		t.Fatalf("AnswerCheckin: %v", err)
	}
	if _, err := e.p.SaveNotes(e.ctx, "UBERT", pr.ID, checkinKey(time.November, 30), mentoring.Notes{Progress: 4}); err != nil {
		t.Fatalf("SaveNotes: %v", err)
	}
	e.at(utc(time.December, 1, 12))
	if _, err := e.p.FinishGoal(e.ctx, "UBERT", 2); err != nil {
		t.Fatalf("FinishGoal(2): %v", err)
	}
	e.at(utc(time.December, 4, 21))
	if n := e.queueDue(mentoring.KindRecognition); n != 1 {
		t.Errorf("QueueDue(recognition) on 4 December = %d, want 1", n)
	}

	// The mentor alone reporting a meeting is not something the mentee did.
	e.at(utc(time.December, 7, 16))
	if n := e.queueDue(mentoring.KindCheckin); n != 2 {
		t.Fatalf("QueueDue(checkin) = %d, want 2", n)
	}
	if _, err := e.p.AnswerCheckin(e.ctx, "UALICE", pr.ID, checkinKey(time.December, 7), mentoring.AnswerMet); err != nil {
		t.Fatalf("AnswerCheckin: %v", err)
	}
	// Nor is the mentee answering that they did not meet.
	if _, err := e.p.AnswerCheckin(e.ctx, "UBERT", pr.ID, checkinKey(time.December, 7), mentoring.AnswerNotMet); err != nil {
		t.Fatalf("AnswerCheckin: %v", err)
	}
	e.at(utc(time.December, 11, 21))
	if n := e.queueDue(mentoring.KindRecognition); n != 0 {
		t.Errorf("QueueDue(recognition) on 11 December, the mentee having done nothing = %d, want 0", n)
	}

	prompts := e.dueOf(mentoring.KindRecognition)
	want := []mentoring.Achievements{
		{GoalsDone: []string{"goal one"}},
		{Met: true, Progress: 4, GoalsDone: []string{"goal two"}},
	}
	if len(prompts) != len(want) {
		t.Fatalf("recognition prompts = %+v, want %d", prompts, len(want))
	}
	for i, n := range prompts {
		if !slices.Equal(n.To, []string{"UALICE"}) || len(n.About) != 1 {
			t.Errorf("prompt %d = %+v, want one to alice about one pairing", i, n)
			continue
		}
		a := n.About[0]
		if a.PairingID != pr.ID || a.PartnerID != "UBERT" || a.PartnerMentors || a.Did == nil {
			t.Errorf("prompt %d About = %+v, want bert (her mentee) with what he did", i, a)
			continue
		}
		if got := *a.Did; got.Met != want[i].Met || got.Progress != want[i].Progress || !slices.Equal(got.GoalsDone, want[i].GoalsDone) {
			t.Errorf("prompt %d Did = %+v, want %+v", i, got, want[i])
		}
	}
}

// Two ticks that overlap (one asking Slack who is away while the other runs) still
// queue one notice per person per period.
func TestQueueDueOverlappingCalls(t *testing.T) {
	e, _ := pairAliceBert(t)
	e.at(utc(time.November, 30, 16))
	nested, inner := false, 0
	e.dir.hook(func(string) {
		if nested {
			return
		}
		nested = true
		n, err := e.p.QueueDue(e.ctx, mentoring.KindCheckin)
		if err != nil {
			t.Errorf("inner QueueDue: %v", err)
		}
		inner = n
	})
	outer, err := e.p.QueueDue(e.ctx, mentoring.KindCheckin)
	e.dir.hook(nil)
	if err != nil {
		t.Fatalf("QueueDue: %v", err)
	}
	if !nested {
		t.Fatal("the directory was not asked during QueueDue; the calls did not overlap")
	}
	if inner+outer != 2 {
		t.Errorf("overlapping QueueDue calls queued %d and %d, want 2 in all", inner, outer)
	}
	if got := len(e.dueOf(mentoring.KindCheckin)); got != 2 {
		t.Errorf("%d check-ins queued, want 2", got)
	}
}
