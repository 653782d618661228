package mentoring_test

import (
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

func withApproval(c *mentoring.Config) { c.MentorApproval, c.ProposalTTL = true, 72*time.Hour }

// proposalTo returns the one open proposal notice queued for mentor.
func (e *env) proposalTo(mentor string) *mentoring.ProposalAsk {
	e.t.Helper()
	for _, n := range e.dueOf(mentoring.KindProposal) {
		if n.Step == mentoring.StepAsk && n.To[0] == mentor {
			return n.Proposal
		}
	}
	e.t.Fatalf("no proposal queued for %s; queued: %+v", mentor, e.due())
	return nil
}

// backInPool reports whether a "back in the pool" notice is queued for mentee.
func (e *env) backInPool(mentee string) bool {
	for _, n := range e.dueOf(mentoring.KindProposal) {
		if n.Step == mentoring.StepBackInPool && n.To[0] == mentee {
			return true
		}
	}
	return false
}

func TestProposalAcceptMakesThePairing(t *testing.T) {
	e := newEnv(t, withApproval)
	e.join("UALICE", mentoring.RoleMentor, "go")
	e.joinWith("UBERT", mentoring.Join{Role: mentoring.RoleMentee, Topics: []string{"go"}, Goals: []string{"speak up"}})
	if done := e.round(); len(done.Pairs) != 1 {
		t.Fatalf("round proposed %d pairs, want 1", len(done.Pairs))
	}
	if n := len(e.dueOf(mentoring.KindIntro)); n != 0 {
		t.Fatalf("%d intros before the mentor accepted", n)
	}
	ask := e.proposalTo("UALICE")
	if ask.MenteeID != "UBERT" || len(ask.Goals) != 1 || !ask.Until.Equal(start.Add(72*time.Hour)) {
		t.Errorf("proposal = %+v", ask)
	}
	if len(e.status("UBERT").Pairings) != 0 {
		t.Error("the mentee has a pairing before the mentor accepted")
	}
	// While it is open, the mentee is not offered again and the place is held.
	e.join("UCHEN", mentoring.RoleMentor, "go")
	if again := e.round(); len(again.Pairs) != 0 {
		t.Errorf("a second round paired %+v while a proposal was open", again.Pairs)
	}
	e.drain()
	pr, err := e.p.AnswerProposal(e.ctx, "UALICE", ask.ID, true)
	if err != nil || pr.State != mentoring.ProposalAccepted || pr.PairingID == 0 {
		t.Fatalf("accept = %+v, %v", pr, err)
	}
	intros := e.dueOf(mentoring.KindIntro)
	if len(intros) != 1 || intros[0].Intro.MenteeID != "UBERT" || intros[0].Intro.MentorID != "UALICE" || len(intros[0].Intro.Meet) == 0 {
		t.Errorf("intros after accept = %+v", intros)
	}
	if ps := e.status("UBERT").Pairings; len(ps) != 1 || ps[0].MentorID != "UALICE" {
		t.Errorf("mentee's pairings after accept = %+v", ps)
	}
	// A second click changes nothing and says so.
	_, err = e.p.AnswerProposal(e.ctx, "UALICE", ask.ID, false)
	wantErr(t, "answer again", err, mentoring.ECONFLICT, "")
	// Only the mentor asked can answer.
	_, err = e.p.AnswerProposal(e.ctx, "UCHEN", ask.ID, true)
	wantErr(t, "someone else answers", err, mentoring.ENOTFOUND, "")
}

func TestProposalDeclineAndLapse(t *testing.T) {
	tests := []struct {
		name   string
		finish func(e *env, id uint64)
	}{
		{"declined", func(e *env, id uint64) {
			if _, err := e.p.AnswerProposal(e.ctx, "UALICE", id, false); err != nil {
				e.t.Fatalf("decline: %v", err)
			}
		}},
		{"lapsed", func(e *env, id uint64) {
			e.at(start.Add(72 * time.Hour))
			if n, err := e.p.Advance(e.ctx); err != nil || n != 1 {
				e.t.Fatalf("Advance = %d, %v; want the proposal lapsed", n, err)
			}
			_, err := e.p.AnswerProposal(e.ctx, "UALICE", id, true)
			wantErr(e.t, "accept after the lapse", err, mentoring.ECONFLICT, "")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, withApproval)
			e.join("UALICE", mentoring.RoleMentor, "go")
			e.join("UBERT", mentoring.RoleMentee, "go")
			e.round()
			ask := e.proposalTo("UALICE")
			e.drain()
			tt.finish(e, ask.ID)
			if !e.backInPool("UBERT") {
				t.Errorf("the mentee was not told they are back in the pool; queued %+v", e.due())
			}
			for _, n := range e.due() {
				if n.To[0] == "UBERT" && (n.Proposal != nil || len(n.About) > 0 || n.Intro != nil) {
					t.Errorf("the mentee's notice says more than back in the pool: %+v", n)
				}
			}
			e.drain()
			// The two are never proposed again; someone else is.
			if again := e.round(); len(again.Pairs) != 0 {
				t.Errorf("proposed the two again: %+v", again.Pairs)
			}
			e.join("UCHEN", mentoring.RoleMentor, "go")
			if again := e.round(); len(again.Pairs) != 1 || again.Pairs[0].MentorID != "UCHEN" {
				t.Errorf("next round = %+v, want bert proposed to chen", again.Pairs)
			}
		})
	}
}

func TestProposalWithApprovalOffPairsAtOnce(t *testing.T) {
	e := newEnv(t)
	e.join("UALICE", mentoring.RoleMentor, "go")
	e.join("UBERT", mentoring.RoleMentee, "go")
	e.round()
	if n := len(e.dueOf(mentoring.KindProposal)); n != 0 {
		t.Errorf("%d proposals with approval off", n)
	}
	if n := len(e.dueOf(mentoring.KindIntro)); n != 1 {
		t.Errorf("%d intros, want 1", n)
	}
}

func TestAvoidIsAHardRuleBothWays(t *testing.T) {
	tests := []struct{ who, whom string }{{"UBERT", "UALICE"}, {"UALICE", "UBERT"}}
	for _, tt := range tests {
		t.Run(tt.who+" avoids "+tt.whom, func(t *testing.T) {
			e := newEnv(t)
			e.join("UALICE", mentoring.RoleMentor, "go")
			e.join("UBERT", mentoring.RoleMentee, "go")
			if added, err := e.p.Avoid(e.ctx, tt.who, tt.whom); err != nil || !added {
				t.Fatalf("Avoid = %v, %v", added, err)
			}
			done := e.round()
			if len(done.Pairs) != 0 {
				t.Fatalf("paired %+v despite the avoid list", done.Pairs)
			}
			// The mentee's reason never reveals the list.
			if len(done.Unmatched) != 1 || done.Unmatched[0].Cause != "no_shared_topic" {
				t.Errorf("unmatched = %+v, want the reason of nobody sharing a topic", done.Unmatched)
			}
			if removed, err := e.p.Unavoid(e.ctx, tt.who, tt.whom); err != nil || !removed {
				t.Fatalf("Unavoid = %v, %v", removed, err)
			}
			if done := e.round(); len(done.Pairs) != 1 {
				t.Errorf("after unavoid, paired %+v", done.Pairs)
			}
		})
	}
	e := newEnv(t)
	e.join("UALICE", mentoring.RoleMentor, "go")
	_, err := e.p.Avoid(e.ctx, "UALICE", "UALICE")
	wantErr(t, "avoid yourself", err, mentoring.EINVALID, "avoid")
	_, err = e.p.Avoid(e.ctx, "UALICE", "UROBOT")
	wantErr(t, "avoid a bot", err, mentoring.EINVALID, "")
	e.p.Avoid(e.ctx, "UALICE", "UBERT")
	if added, _ := e.p.Avoid(e.ctx, "UALICE", "UBERT"); added {
		t.Error("avoiding twice added twice")
	}
	if list, err := e.p.AvoidList(e.ctx, "UALICE"); err != nil || len(list) != 1 || list[0] != "UBERT" {
		t.Errorf("AvoidList = %v, %v", list, err)
	}
}

func withCycle(c *mentoring.Config) { c.Cycle, c.ProposalTTL = 12*7*24*time.Hour, 72*time.Hour }

// cycleAsks returns the end-of-cycle questions queued.
func (e *env) cycleNotices(step mentoring.Step) []mentoring.Notice {
	var out []mentoring.Notice
	for _, n := range e.dueOf(mentoring.KindCycle) {
		if n.Step == step {
			out = append(out, n)
		}
	}
	return out
}

func TestCycles(t *testing.T) {
	cycleEnd := start.Add(12 * 7 * 24 * time.Hour)
	tests := []struct {
		name       string
		answer     func(e *env, id uint64)
		wantActive bool
		wantCycles int
	}{
		{"both keep going", func(e *env, id uint64) {
			e.p.AnswerCycle(e.ctx, "UALICE", id, true)
			e.p.AnswerCycle(e.ctx, "UBERT", id, true)
		}, true, 1},
		{"one wraps up", func(e *env, id uint64) {
			e.p.AnswerCycle(e.ctx, "UALICE", id, true)
			e.p.AnswerCycle(e.ctx, "UBERT", id, false)
		}, false, 0},
		{"one does not answer in time", func(e *env, id uint64) {
			e.p.AnswerCycle(e.ctx, "UALICE", id, true)
			e.at(cycleEnd.Add(72 * time.Hour))
			if n, err := e.p.Advance(e.ctx); err != nil || n != 1 {
				e.t.Fatalf("Advance after the TTL = %d, %v", n, err)
			}
		}, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, withCycle)
			// Three shared topics: enough to outweigh the penalty for a pair made before,
			// which a finished cycle carries (unlike a rematch, it is not a hard rule).
			e.join("UALICE", mentoring.RoleMentor, "go", "sql", "rust")
			e.join("UBERT", mentoring.RoleMentee, "go", "sql", "rust")
			e.round()
			e.drain()
			e.at(cycleEnd.Add(-time.Minute))
			if n, _ := e.p.Advance(e.ctx); n != 0 {
				t.Fatalf("asked %d before the cycle ended", n)
			}
			e.at(cycleEnd)
			if n, err := e.p.Advance(e.ctx); err != nil || n != 1 {
				t.Fatalf("Advance at the cycle's end = %d, %v", n, err)
			}
			if n, _ := e.p.Advance(e.ctx); n != 0 {
				t.Fatalf("asked again: %d", n)
			}
			asks := e.cycleNotices(mentoring.StepAsk)
			if len(asks) != 2 {
				t.Fatalf("asked %d members, want both: %+v", len(asks), asks)
			}
			id := asks[0].About[0].PairingID
			e.drain()
			tt.answer(e, id)
			ps := e.status("UALICE").Pairings
			if active := len(ps) == 1; active != tt.wantActive {
				t.Fatalf("active pairings %+v, want active %v", ps, tt.wantActive)
			}
			if tt.wantActive {
				if ps[0].Cycles != tt.wantCycles || len(e.cycleNotices(mentoring.StepContinued)) != 2 {
					t.Errorf("cycles %d, continued notices %d", ps[0].Cycles, len(e.cycleNotices(mentoring.StepContinued)))
				}
				// The next question comes a cycle later.
				e.at(cycleEnd.Add(11 * 7 * 24 * time.Hour))
				if n, _ := e.p.Advance(e.ctx); n != 0 {
					t.Errorf("asked %d during the second cycle", n)
				}
				return
			}
			if ended := e.cycleNotices(mentoring.StepEnded); len(ended) != 2 {
				t.Errorf("%d ended notices, want one to each", len(ended))
			}
			// Both are back in the pool, and may be paired again.
			if done := e.round(); len(done.Pairs) != 1 {
				t.Errorf("after the cycle, round paired %+v; want the two again (nobody else is free)", done.Pairs)
			}
			if err := e.p.SaveSurvey(e.ctx, "UBERT", id, 4, "How to run a review"); err != nil {
				t.Errorf("survey after the end: %v", err)
			}
		})
	}
}

func TestSurveyRefusals(t *testing.T) {
	e, pr := pairAliceBert(t)
	err := e.p.SaveSurvey(e.ctx, "UBERT", pr.ID, 4, "")
	wantErr(t, "survey before the cycle ends", err, mentoring.ECONFLICT, "")
	err = e.p.SaveSurvey(e.ctx, "UBERT", pr.ID, 9, "")
	wantErr(t, "value out of range", err, mentoring.EINVALID, "value")
	err = e.p.SaveSurvey(e.ctx, "UBERT", pr.ID, 0, " ")
	wantErr(t, "empty survey", err, mentoring.EINVALID, "value")
	err = e.p.SaveSurvey(e.ctx, "UCHEN", pr.ID, 3, "x")
	wantErr(t, "not their pairing", err, mentoring.ENOTFOUND, "")
}

type fitAnswer struct {
	who string
	yes bool
}

func TestFitCheckAfterTheFirstMeeting(t *testing.T) {
	tests := []struct {
		name       string
		answers    []fitAnswer // in order
		wantActive bool
	}{
		{"both yes", []fitAnswer{{"UALICE", true}, {"UBERT", true}}, true},
		{"mentee says no", []fitAnswer{{"UALICE", true}, {"UBERT", false}}, false},
		{"mentor says no", []fitAnswer{{"UALICE", false}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, pr := pairAliceBert(t)
			e.at(utc(time.December, 7, 16))
			e.queueDue(mentoring.KindCheckin)
			e.drain()
			// "Not this week" is not a meeting: no fit check yet.
			if _, err := e.p.AnswerCheckin(e.ctx, "UBERT", pr.ID, checkinKey(time.December, 7), mentoring.AnswerNotMet); err != nil {
				t.Fatal(err)
			}
			if n := len(e.dueOf(mentoring.KindFit)); n != 0 {
				t.Fatalf("%d fit checks before any meeting", n)
			}
			for _, who := range []string{"UALICE", "UBERT"} {
				if _, err := e.p.AnswerCheckin(e.ctx, who, pr.ID, checkinKey(time.December, 7), mentoring.AnswerMet); err != nil {
					t.Fatal(err)
				}
			}
			asks := e.dueOf(mentoring.KindFit)
			if len(asks) != 2 || asks[0].To[0] == asks[1].To[0] {
				t.Fatalf("fit checks = %+v, want one to each member, once", asks)
			}
			e.drain()
			for _, a := range tt.answers {
				if _, err := e.p.AnswerFit(e.ctx, a.who, pr.ID, a.yes); err != nil {
					t.Fatalf("AnswerFit(%s): %v", a.who, err)
				}
			}
			if active := len(e.status("UALICE").Pairings) == 1; active != tt.wantActive {
				t.Fatalf("active %v, want %v", active, tt.wantActive)
			}
			if tt.wantActive {
				return
			}
			ended := e.dueOf(mentoring.KindFit)
			if len(ended) != 2 {
				t.Fatalf("ended notices = %+v, want the same to both", ended)
			}
			for _, n := range ended {
				a := n.About[0]
				if n.Step != mentoring.StepEnded || a.EndReason != mentoring.EndFit || a.PartnerID == n.To[0] {
					t.Errorf("ended notice %+v", n)
				}
			}
			// A "no" is a hard rule, like a rematch, and stays private in the reason.
			e.drain()
			if done := e.round(); len(done.Pairs) != 0 || len(done.Unmatched) != 1 || done.Unmatched[0].Cause != "no_shared_topic" {
				t.Errorf("round after a fit no = %+v", done)
			}
			_, err := e.p.AnswerFit(e.ctx, "UBERT", pr.ID, true)
			if _, closed := err.(*mentoring.ClosedError); !closed {
				t.Errorf("answer after the end = %v, want a *ClosedError", err)
			}
		})
	}
}

// pairIdle is pairAliceBert with MENTORBOT_IDLE_AFTER=3.
func pairIdle(t *testing.T) (*env, mentoring.Pairing) {
	t.Helper()
	e := newEnv(t, func(c *mentoring.Config) { c.IdleAfter = 3 })
	e.join("UALICE", mentoring.RoleMentor, "go")
	e.join("UBERT", mentoring.RoleMentee, "go")
	e.round()
	e.drain()
	return e, e.status("UALICE").Pairings[0]
}

func TestIdleMembersArePaused(t *testing.T) {
	e, pr := pairIdle(t)
	// Bert answers nothing for three weeks; alice answers each week.
	for _, day := range []int{30, 7, 14} {
		m := time.December
		if day == 30 {
			m = time.November
		}
		e.at(time.Date(2026, m, day, 16, 0, 0, 0, time.UTC))
		if n := e.queueDue(mentoring.KindCheckin); n != 2 {
			t.Fatalf("check-ins on %d %v = %d, want 2", day, m, n)
		}
		if _, err := e.p.AnswerCheckin(e.ctx, "UALICE", pr.ID, checkinKey(m, day), mentoring.AnswerMet); err != nil {
			t.Fatal(err)
		}
		e.drain()
	}
	e.at(utc(time.December, 21, 16))
	if n := e.queueDue(mentoring.KindCheckin); n != 2 {
		t.Fatalf("the fourth week queued %d, want alice's check-in and bert's pause", n)
	}
	idle := e.dueOf(mentoring.KindIdle)
	var paused, told bool
	for _, n := range idle {
		switch {
		case n.Step == mentoring.StepPaused && n.To[0] == "UBERT":
			paused = true
		case n.Step == mentoring.StepPartnerPaused && n.To[0] == "UALICE" && n.About[0].PartnerID == "UBERT":
			told = true
		}
	}
	if !paused || !told || len(idle) != 2 {
		t.Errorf("idle notices = %+v, want bert paused and alice told", idle)
	}
	for _, n := range e.dueOf(mentoring.KindCheckin) {
		if n.To[0] == "UBERT" {
			t.Error("bert was sent a fourth check-in")
		}
	}
	if pt := e.member("UBERT"); pt.PausedUntil == nil || !pt.Idle {
		t.Errorf("bert = %+v, want paused as idle", pt)
	}
	if was, err := e.p.Resume(e.ctx, "UBERT"); err != nil || !was {
		t.Fatalf("Resume = %v, %v", was, err)
	}
	if pt := e.member("UBERT"); pt.PausedUntil != nil || pt.Idle {
		t.Errorf("after resume bert = %+v", pt)
	}
}

func TestAwayWeeksNeverCountAsIdle(t *testing.T) {
	e, _ := pairIdle(t)
	weeks := []time.Time{utc(time.November, 30, 16), utc(time.December, 7, 16), utc(time.December, 14, 16), utc(time.December, 21, 16), utc(time.December, 28, 16)}
	for i, at := range weeks {
		e.dir.setAway("UBERT", i%2 == 1) // away every other week: two unanswered in a row at most
		e.at(at)
		e.queueDue(mentoring.KindCheckin)
		e.drain()
	}
	if pt := e.member("UBERT"); pt.Idle {
		t.Errorf("bert paused as idle after weeks away: %+v", pt)
	}
	// Three sent and unanswered with away weeks between do count.
	e.dir.setAway("UBERT", false)
	e.at(utc(time.December, 28, 16).Add(7 * 24 * time.Hour))
	e.queueDue(mentoring.KindCheckin)
	if pt := e.member("UBERT"); !pt.Idle {
		t.Errorf("bert not paused after three unanswered check-ins (away weeks between): %+v", pt)
	}
}

func TestNudgesAndIntrosNameMeetingTimes(t *testing.T) {
	e := newEnv(t)
	e.join("UALICE", mentoring.RoleMentor, "go")
	e.join("UBERT", mentoring.RoleMentee, "go")
	e.round()
	intro := e.dueOf(mentoring.KindIntro)[0].Intro
	if intro.MentorZone != "Europe/Berlin" || intro.MenteeZone != "America/New_York" || len(intro.Meet) != mentoring.MaxMeetingWindows {
		t.Fatalf("intro = %+v", intro)
	}
	// Berlin and New York share 15:00-17:00 Berlin time in winter.
	if w := intro.Meet[0]; w.Start.In(berlin).Format("15:04") != "15:00" || w.End.Sub(w.Start) != 2*time.Hour {
		t.Errorf("first window %v-%v", w.Start.In(berlin), w.End.In(berlin))
	}
	e.drain()
	e.at(utc(time.December, 9, 16))
	e.queueDue(mentoring.KindNudge)
	for _, n := range e.dueOf(mentoring.KindNudge) {
		if len(n.About[0].Meet) == 0 || n.Zone == "" {
			t.Errorf("nudge %+v names no meeting times or zone", n)
		}
	}
}
