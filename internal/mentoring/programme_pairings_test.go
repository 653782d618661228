package mentoring_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/match"
	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// Planning and applying a round ask the same rule who may pair: a pause taken between
// the plan and its application stops the pair (the store's copy of the rule once
// ignored pauses).
func TestApplyRoundSkipsPausedMentee(t *testing.T) {
	e := newEnv(t)
	e.join("UALICE", mentoring.RoleMentor, "go")
	e.join("UBERT", mentoring.RoleMentee, "go")
	plan, err := e.p.PlanRound(e.ctx, admin)
	if err != nil {
		t.Fatalf("PlanRound: %v", err)
	}
	if len(plan.Pairs) != 1 || plan.Pairs[0].MenteeID != "UBERT" || plan.Pairs[0].MentorID != "UALICE" {
		t.Fatalf("plan = %+v, want bert with alice", plan)
	}
	if _, err := e.p.Pause(e.ctx, "UBERT", mentoring.PauseLength{Days: 7}); err != nil {
		t.Fatalf("Pause: %v", err)
	}
	wakes := e.outbox.wakes.Load()
	done, err := e.p.ApplyRound(e.ctx, admin, plan)
	if err != nil {
		t.Fatalf("ApplyRound: %v", err)
	}
	if len(done.Pairs) != 0 || done.Total != 0 {
		t.Errorf("ApplyRound after bert paused made %+v, want no pair", done)
	}
	if prs := e.status("UALICE").Pairings; len(prs) != 0 {
		t.Errorf("alice's pairings = %+v, want none", prs)
	}
	if got := e.dueOf(mentoring.KindIntro); len(got) != 0 {
		t.Errorf("queued intros = %+v, want none", got)
	}
	if got := e.outbox.wakes.Load(); got != wakes {
		t.Errorf("Wake called %d times for a round that queued nothing", got-wakes)
	}
}

// A mentor whose places filled up between the plan and its application gets no more
// mentees than they now have room for; a plan applied twice pairs nobody twice.
func TestApplyRoundSkipsFullMentor(t *testing.T) {
	e := newEnv(t)
	e.join("UALICE", mentoring.RoleMentor, "go")
	e.join("UBERT", mentoring.RoleMentee, "go")
	e.join("UCHEN", mentoring.RoleMentee, "go")
	plan, err := e.p.PlanRound(e.ctx, admin)
	if err != nil {
		t.Fatalf("PlanRound: %v", err)
	}
	if len(plan.Pairs) != 2 {
		t.Fatalf("plan = %+v, want bert and chen both with alice", plan)
	}
	if _, err := e.p.SetCapacity(e.ctx, "UALICE", 1); err != nil {
		t.Fatalf("SetCapacity: %v", err)
	}
	done, err := e.p.ApplyRound(e.ctx, admin, plan)
	if err != nil {
		t.Fatalf("ApplyRound: %v", err)
	}
	if len(done.Pairs) != 1 {
		t.Errorf("ApplyRound made %d pairs for a mentor with 1 place: %+v", len(done.Pairs), done.Pairs)
	}
	if prs := e.status("UALICE").Pairings; len(prs) != 1 {
		t.Errorf("alice has %d active pairings, want 1", len(prs))
	}
	if got := e.dueOf(mentoring.KindIntro); len(got) != 1 {
		t.Errorf("queued %d intros, want 1", len(got))
	}
	if _, err := e.p.SetCapacity(e.ctx, "UALICE", 5); err != nil {
		t.Fatalf("SetCapacity: %v", err)
	}
	again, err := e.p.ApplyRound(e.ctx, admin, asPlan(done))
	if err != nil {
		t.Fatalf("ApplyRound again: %v", err)
	}
	if len(again.Pairs) != 0 {
		t.Errorf("applying the same pairs again made %+v, want none (the mentee is paired)", again.Pairs)
	}
}

// asPlan is what a round did, as a plan to apply again.
func asPlan(r mentoring.Round) mentoring.Round { return mentoring.Round{Pairs: r.Pairs} }

func TestRoundsAreForAdmins(t *testing.T) {
	e := newEnv(t)
	e.join("UALICE", mentoring.RoleMentor, "go")
	e.join("UBERT", mentoring.RoleMentee, "go")
	_, err := e.p.PlanRound(e.ctx, "UALICE")
	wantErr(t, "PlanRound by a member", err, mentoring.EFORBIDDEN, "")
	plan := mentoring.Round{Pairs: []match.Pair{{MenteeID: "UBERT", MentorID: "UALICE", Score: 1}}}
	_, err = e.p.ApplyRound(e.ctx, "UBERT", plan)
	wantErr(t, "ApplyRound by a member", err, mentoring.EFORBIDDEN, "")
	if prs := e.status("UBERT").Pairings; len(prs) != 0 {
		t.Errorf("a forbidden ApplyRound paired bert: %+v", prs)
	}
	if n := len(e.due()); n != 0 {
		t.Errorf("a forbidden ApplyRound queued %d notices", n)
	}
}

// A round introduces each pair to both, with the facts the intro needs (the mentee's
// open goals only), and tells each unmatched mentee why, keeping their real role: a
// "both" stays "both" (advice once assumed a mentee).
func TestApplyRoundNotices(t *testing.T) {
	e := newEnv(t)
	e.joinWith("UALICE", mentoring.Join{Role: mentoring.RoleMentor, Topics: []string{"go", "rust"}, Team: ptr("Platform"),
		Goals: []string{"mentor goal"}})
	e.joinWith("UBERT", mentoring.Join{Role: mentoring.RoleMentee, Topics: []string{"go", "public speaking"}, Team: ptr("Payments"),
		Goals: []string{"give a talk", "learn generics"}})
	if _, err := e.p.FinishGoal(e.ctx, "UBERT", 1); err != nil {
		t.Fatalf("FinishGoal: %v", err)
	}
	e.join("UCHEN", mentoring.RoleBoth, "cooking") // nobody else mentors cooking
	e.join("UDANA", mentoring.RoleMentee)          // no topics

	done := e.round()
	if len(done.Pairs) != 1 || len(done.Unmatched) != 2 {
		t.Fatalf("round = %+v, want 1 pair and 2 unmatched", done)
	}
	prs := e.status("UBERT").Pairings
	if len(prs) != 1 {
		t.Fatalf("bert's pairings = %+v, want 1", prs)
	}

	intros := e.dueOf(mentoring.KindIntro)
	if len(intros) != 1 {
		t.Fatalf("intros = %+v, want 1", intros)
	}
	in := intros[0]
	if !slices.Equal(sorted(in.To), []string{"UALICE", "UBERT"}) {
		t.Errorf("intro To = %v, want alice and bert", in.To)
	}
	want := mentoring.Intro{PairingID: prs[0].ID, MentorID: "UALICE", MenteeID: "UBERT",
		MentorTeam: "Platform", MenteeTeam: "Payments", Goals: []string{"learn generics"}}
	if in.Intro == nil {
		t.Fatalf("intro notice without Intro: %+v", in)
	}
	got := *in.Intro
	if got.PairingID != want.PairingID || got.MentorID != want.MentorID || got.MenteeID != want.MenteeID ||
		got.MentorTeam != want.MentorTeam || got.MenteeTeam != want.MenteeTeam || !slices.Equal(got.Goals, want.Goals) {
		t.Errorf("Intro = %+v, want %+v", got, want)
	}
	if !slices.Equal(got.Reasons.SharedTopics, []string{"go"}) || !got.Reasons.DifferentTeams {
		t.Errorf("Intro.Reasons = %+v, want shared topics [go] and different teams", got.Reasons)
	}

	unmatched := map[string]mentoring.Notice{}
	for _, n := range e.dueOf(mentoring.KindUnmatched) {
		if len(n.To) != 1 || n.Unmatched == nil {
			t.Errorf("unmatched notice %+v: want one reader and Unmatched set", n)
			continue
		}
		unmatched[n.To[0]] = n
	}
	tests := []struct {
		id    string
		role  mentoring.Role
		cause match.Cause
	}{
		{"UCHEN", mentoring.RoleBoth, match.CauseNoSharedTopic},
		{"UDANA", mentoring.RoleMentee, match.CauseNoTopics},
	}
	if len(unmatched) != len(tests) {
		t.Errorf("unmatched notices to %v, want chen and dana", unmatched)
	}
	for _, tt := range tests {
		n, ok := unmatched[tt.id]
		if !ok {
			t.Errorf("no unmatched notice to %s", tt.id)
			continue
		}
		if n.Unmatched.Role != tt.role || n.Unmatched.Cause != string(tt.cause) || n.Unmatched.Reason == "" {
			t.Errorf("unmatched notice to %s = %+v, want role %s, cause %s and a reason", tt.id, n.Unmatched, tt.role, tt.cause)
		}
	}
}

// chen ("both") mentors bert and is mentored by alice. Rematching must end only the
// pairing chen names (once, both ended).
func TestRematchBoth(t *testing.T) {
	e := newEnv(t)
	e.join("UALICE", mentoring.RoleMentor, "design")
	e.join("UCHEN", mentoring.RoleBoth, "design", "go")
	e.join("UBERT", mentoring.RoleMentee, "go")
	if done := e.round(); len(done.Pairs) != 2 {
		t.Fatalf("round = %+v, want bert with chen and chen with alice", done)
	}
	st := e.status("UCHEN")
	var partners []string
	for _, pr := range st.Pairings {
		partners = append(partners, pr.Partner("UCHEN"))
	}
	if !slices.Equal(sorted(partners), []string{"UALICE", "UBERT"}) {
		t.Fatalf("chen's partners = %v, want alice and bert", partners)
	}
	e.drain()

	// No partner named: which one?
	_, err := e.p.Rematch(e.ctx, "UCHEN", "")
	var pe *mentoring.PartnerError
	if !errors.As(err, &pe) {
		t.Fatalf(`Rematch(chen, "") error = %v, want a *PartnerError`, err)
	}
	if !slices.Equal(sorted(pe.Partners), []string{"UALICE", "UBERT"}) || pe.Named != "" {
		t.Errorf("PartnerError = %+v, want partners alice and bert, none named", pe)
	}
	wantErr(t, `Rematch(chen, "")`, err, mentoring.EINVALID, "")

	// Someone who is not a partner.
	_, err = e.p.Rematch(e.ctx, "UCHEN", "UDANA")
	pe = nil
	if !errors.As(err, &pe) || pe.Named != "UDANA" || !slices.Equal(sorted(pe.Partners), []string{"UALICE", "UBERT"}) {
		t.Errorf("Rematch(chen, UDANA) error = %v (%+v), want a *PartnerError naming UDANA", err, pe)
	}
	if n := len(e.status("UCHEN").Pairings); n != 2 {
		t.Errorf("after the rejected rematches chen has %d pairings, want 2", n)
	}
	if n := len(e.due()); n != 0 {
		t.Errorf("the rejected rematches queued %d notices", n)
	}

	ended, err := e.p.Rematch(e.ctx, "UCHEN", "UBERT")
	if err != nil {
		t.Fatalf("Rematch(chen, bert): %v", err)
	}
	if ended.MentorID != "UCHEN" || ended.MenteeID != "UBERT" || ended.EndReason != mentoring.EndRematch ||
		ended.EndedAt == nil || !ended.EndedAt.Equal(start) {
		t.Errorf("Rematch ended %+v, want chen mentoring bert, ended now for rematch", ended)
	}
	if prs := e.status("UCHEN").Pairings; len(prs) != 1 || prs[0].MentorID != "UALICE" {
		t.Errorf("chen's pairings after the rematch = %+v, want only alice mentoring chen", prs)
	}
	if prs := e.status("UBERT").Pairings; len(prs) != 0 {
		t.Errorf("bert's pairings after the rematch = %+v, want none", prs)
	}
	ns := e.due()
	if len(ns) != 1 {
		t.Fatalf("the rematch queued %+v, want one notice", ns)
	}
	n := ns[0]
	if n.Kind != mentoring.KindPairingEnded || !slices.Equal(n.To, []string{"UBERT"}) || len(n.About) != 1 {
		t.Fatalf("rematch notice = %+v, want a pairing-ended notice to bert about one pairing", n)
	}
	if a := n.About[0]; a.PairingID != ended.ID || a.PartnerID != "UCHEN" || !a.PartnerMentors || a.EndReason != mentoring.EndRematch {
		t.Errorf("rematch notice About = %+v, want pairing %d, partner chen (the mentor), reason rematch", a, ended.ID)
	}
	e.drain()

	// Never again: not planned, and not applied from a plan made up by hand.
	plan, err := e.p.PlanRound(e.ctx, admin)
	if err != nil {
		t.Fatalf("PlanRound: %v", err)
	}
	for _, mp := range plan.Pairs {
		if mp.MenteeID == "UBERT" && mp.MentorID == "UCHEN" {
			t.Errorf("a round after the rematch planned chen with bert again: %+v", plan)
		}
	}
	forced := mentoring.Round{Pairs: []match.Pair{{MenteeID: "UBERT", MentorID: "UCHEN", Score: 10}}}
	done, err := e.p.ApplyRound(e.ctx, admin, forced)
	if err != nil {
		t.Fatalf("ApplyRound: %v", err)
	}
	if len(done.Pairs) != 0 || len(e.status("UBERT").Pairings) != 0 {
		t.Errorf("ApplyRound paired chen and bert again after their rematch: %+v", done)
	}
}

func TestRematchErrors(t *testing.T) {
	e, _ := pairAliceBert(t)
	_, err := e.p.Rematch(e.ctx, "UDANA", "")
	wantErr(t, "Rematch of someone not joined", err, mentoring.ENOTFOUND, "")
	e.join("UCHEN", mentoring.RoleMentee, "cooking")
	_, err = e.p.Rematch(e.ctx, "UCHEN", "")
	wantErr(t, "Rematch without a pairing", err, mentoring.EINVALID, "")
	// One pairing: no need to name the partner.
	ended, err := e.p.Rematch(e.ctx, "UBERT", "")
	if err != nil || ended.EndReason != mentoring.EndRematch || ended.MentorID != "UALICE" {
		t.Errorf(`Rematch(bert, "") = %+v, %v; want the pairing with alice ended`, ended, err)
	}
	if ns := e.dueOf(mentoring.KindPairingEnded); len(ns) != 1 || !slices.Equal(ns[0].To, []string{"UALICE"}) ||
		ns[0].About[0].PartnerID != "UBERT" || ns[0].About[0].PartnerMentors {
		t.Errorf("pairing-ended notices = %+v, want one to alice about bert (her mentee)", ns)
	}
}

func TestLeave(t *testing.T) {
	e := newEnv(t)
	e.join("UALICE", mentoring.RoleMentor, "go")
	e.join("UBERT", mentoring.RoleMentee, "go")
	e.join("UCHEN", mentoring.RoleMentee, "go")
	if done := e.round(); len(done.Pairs) != 2 {
		t.Fatalf("round = %+v, want alice with bert and chen", done)
	}
	e.drain()
	e.at(start.Add(time.Hour))

	ended, err := e.p.Leave(e.ctx, "UALICE")
	if err != nil {
		t.Fatalf("Leave: %v", err)
	}
	if len(ended) != 2 {
		t.Fatalf("Leave ended %+v, want 2 pairings", ended)
	}
	for _, pr := range ended {
		if pr.EndReason != mentoring.EndLeft || pr.EndedAt == nil || !pr.EndedAt.Equal(start.Add(time.Hour)) {
			t.Errorf("ended pairing %+v, want reason left, ended now", pr)
		}
	}
	for _, id := range []string{"UBERT", "UCHEN"} {
		if prs := e.status(id).Pairings; len(prs) != 0 {
			t.Errorf("%s still has pairings %+v", id, prs)
		}
	}
	to := map[string]mentoring.About{}
	for _, n := range e.due() {
		if n.Kind != mentoring.KindPairingEnded || len(n.To) != 1 || len(n.About) != 1 {
			t.Errorf("Leave queued %+v, want pairing-ended notices to one partner each", n)
			continue
		}
		to[n.To[0]] = n.About[0]
	}
	if len(to) != 2 {
		t.Errorf("Leave told %v, want bert and chen", to)
	}
	for _, id := range []string{"UBERT", "UCHEN"} {
		if a, ok := to[id]; !ok || a.PartnerID != "UALICE" || !a.PartnerMentors || a.EndReason != mentoring.EndLeft {
			t.Errorf("notice to %s about %+v, want alice (their mentor) left", id, a)
		}
	}
	_, err = e.p.Member(e.ctx, "UALICE")
	wantErr(t, "Member after Leave", err, mentoring.ENOTFOUND, "")
	_, err = e.p.AddGoal(e.ctx, "UALICE", "a goal")
	wantErr(t, "AddGoal after Leave", err, mentoring.ENOTFOUND, "")
	_, err = e.p.SetCapacity(e.ctx, "UALICE", 3)
	wantErr(t, "SetCapacity after Leave", err, mentoring.ENOTFOUND, "")
	_, err = e.p.Pause(e.ctx, "UALICE", mentoring.PauseLength{Days: 3})
	wantErr(t, "Pause after Leave", err, mentoring.ENOTFOUND, "")
	_, err = e.p.Rematch(e.ctx, "UALICE", "UBERT")
	wantErr(t, "Rematch after Leave", err, mentoring.ENOTFOUND, "")
	_, err = e.p.Leave(e.ctx, "UALICE")
	wantErr(t, "Leave twice", err, mentoring.ENOTFOUND, "")
	_, err = e.p.Leave(e.ctx, "UDANA")
	wantErr(t, "Leave without joining", err, mentoring.ENOTFOUND, "")
	if n := len(e.due()); n != 2 {
		t.Errorf("after the failed Leaves %d notices are queued, want 2", n)
	}
	// Someone who left is not paired again.
	if done := e.round(); len(done.Pairs) != 0 {
		t.Errorf("a round after alice left made %+v", done.Pairs)
	}
}

// An erasure redacts queued notices: none to the erased person and none naming them
// is sent (a partner's check-in naming them once still went out).
func TestForgetRedactsQueuedNotices(t *testing.T) {
	e := newEnv(t)
	e.join("UALICE", mentoring.RoleMentor, "go")
	e.join("UBERT", mentoring.RoleMentee, "go")
	if done := e.round(); len(done.Pairs) != 1 {
		t.Fatalf("round = %+v, want alice with bert", done)
	}
	// Monday 30 November, after 10:00 in Berlin and New York.
	e.at(utc(time.November, 30, 16))
	if n := e.queueDue(mentoring.KindCheckin); n != 2 {
		t.Fatalf("QueueDue(checkin) = %d, want 2", n)
	}
	var aliceCheckin bool
	for _, n := range e.dueOf(mentoring.KindCheckin) {
		if slices.Equal(n.To, []string{"UALICE"}) && len(n.About) == 1 && n.About[0].PartnerID == "UBERT" {
			aliceCheckin = true
		}
	}
	if !aliceCheckin {
		t.Fatalf("no check-in to alice about bert queued: %+v", e.due())
	}
	if len(e.dueOf(mentoring.KindIntro)) != 1 {
		t.Fatalf("the intro is not queued: %+v", e.due())
	}

	ended, err := e.p.Forget(e.ctx, "UBERT")
	if err != nil {
		t.Fatalf("Forget: %v", err)
	}
	if len(ended) != 1 || ended[0].EndReason != mentoring.EndForgotten {
		t.Errorf("Forget ended %+v, want the pairing with alice, reason forgotten", ended)
	}

	ns := e.due()
	var endedNotices []mentoring.Notice
	for _, n := range ns {
		if slices.Contains(n.To, "UBERT") {
			t.Errorf("a notice to bert is still queued: %+v", n)
		}
		for _, a := range n.About {
			if a.PartnerID == "UBERT" {
				t.Errorf("a notice about bert is still queued: %+v", n)
			}
		}
		if n.Intro != nil && (n.Intro.MenteeID == "UBERT" || n.Intro.MentorID == "UBERT") {
			t.Errorf("an intro naming bert is still queued: %+v", n)
		}
		if raw, _ := json.Marshal(n); bytes.Contains(raw, []byte("UBERT")) {
			t.Errorf("a queued notice names bert: %s", raw)
		}
		if n.Kind == mentoring.KindPairingEnded {
			endedNotices = append(endedNotices, n)
		}
	}
	if len(endedNotices) != 1 {
		t.Fatalf("pairing-ended notices = %+v, want one to alice", endedNotices)
	}
	if n := endedNotices[0]; !slices.Equal(n.To, []string{"UALICE"}) || len(n.About) != 1 ||
		n.About[0].PartnerID != "" || n.About[0].EndReason != mentoring.EndForgotten {
		t.Errorf("alice's pairing-ended notice = %+v, want it about an unnamed partner, reason forgotten", n)
	}
	// alice's check-in was about bert only: it went with him.
	if got := e.dueOf(mentoring.KindCheckin); len(got) != 0 {
		t.Errorf("check-ins still queued after Forget: %+v", got)
	}

	_, err = e.p.Status(e.ctx, "UBERT")
	wantErr(t, "Status after Forget", err, mentoring.ENOTFOUND, "")
	d, err := e.p.PersonalData(e.ctx, "UBERT")
	if err != nil || !d.Empty() {
		t.Errorf("PersonalData(bert) after Forget = %+v, %v; want nothing", d, err)
	}
	if prs := e.status("UALICE").Pairings; len(prs) != 0 {
		t.Errorf("alice's pairings after Forget = %+v, want none", prs)
	}
}

// A pairing-ended notice already queued about someone keeps its news when they are
// erased, but no longer names them.
func TestForgetRedactsPairingEndedNotice(t *testing.T) {
	e, pr := pairAliceBert(t)
	if _, err := e.p.Leave(e.ctx, "UBERT"); err != nil {
		t.Fatalf("Leave: %v", err)
	}
	if ns := e.dueOf(mentoring.KindPairingEnded); len(ns) != 1 || ns[0].About[0].PartnerID != "UBERT" {
		t.Fatalf("after Leave, pairing-ended notices = %+v, want one to alice naming bert", ns)
	}
	if _, err := e.p.Forget(e.ctx, "UBERT"); err != nil {
		t.Fatalf("Forget: %v", err)
	}
	ns := e.due()
	if len(ns) != 1 {
		t.Fatalf("after Forget, queued %+v, want alice's pairing-ended notice only", ns)
	}
	n := ns[0]
	if n.Kind != mentoring.KindPairingEnded || !slices.Equal(n.To, []string{"UALICE"}) || len(n.About) != 1 {
		t.Fatalf("after Forget, notice = %+v, want alice's pairing-ended notice", n)
	}
	if a := n.About[0]; a.PairingID != pr.ID || a.PartnerID != "" || a.EndReason != mentoring.EndForgotten {
		t.Errorf("after Forget, About = %+v, want pairing %d, no partner named, reason forgotten", a, pr.ID)
	}
}
