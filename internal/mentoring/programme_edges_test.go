package mentoring_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// QueueDue works out who is due in one transaction, asks Slack who is away, and queues
// in another. A person erased in between must not come back: no notice to them or
// naming them, and no record of them in the file.
func TestQueueDueAfterConcurrentForget(t *testing.T) {
	e, _ := pairAliceBert(t)
	e.at(utc(time.November, 30, 16))
	forgotten := false
	e.dir.hook(func(string) {
		if forgotten {
			return
		}
		forgotten = true
		if _, err := e.p.Forget(e.ctx, "UBERT"); err != nil {
			t.Errorf("Forget: %v", err)
		}
	})
	if _, err := e.p.QueueDue(e.ctx, mentoring.KindCheckin); err != nil {
		t.Logf("QueueDue: %v", err) // refusing is fine; resurrecting bert is not
	}
	e.dir.hook(nil)
	if !forgotten {
		t.Fatal("the directory was not asked during QueueDue; the test did not erase bert mid-call")
	}
	for _, n := range e.due() {
		if raw, _ := json.Marshal(n); bytes.Contains(raw, []byte("UBERT")) {
			t.Errorf("after bert was erased, QueueDue queued a notice naming him: %s", raw)
		}
	}
	if d, err := e.p.PersonalData(e.ctx, "UBERT"); err != nil || !d.Empty() {
		t.Errorf("after bert was erased, PersonalData(bert) = %+v, %v; want nothing stored", d, err)
	}
}

// A check-in already delivered to alice can still be clicked after her partner was
// erased: the answer must not fail on the erased pairing's blank side with a
// validation message meant for code.
func TestAnswerCheckinAfterPartnerForgotten(t *testing.T) {
	e, pr := pairAliceBert(t)
	e.at(utc(time.November, 30, 16))
	if n := e.queueDue(mentoring.KindCheckin); n != 2 {
		t.Fatalf("QueueDue(checkin) = %d, want 2", n)
	}
	e.drain() // delivered
	if _, err := e.p.Forget(e.ctx, "UBERT"); err != nil {
		t.Fatalf("Forget: %v", err)
	}
	for _, a := range []mentoring.Answer{mentoring.AnswerNotMet, mentoring.AnswerMet} {
		_, err := e.p.AnswerCheckin(e.ctx, "UALICE", pr.ID, checkinKey(time.November, 30), a)
		if code := mentoring.ErrorCode(err); code != "" && code != mentoring.ENOTFOUND {
			t.Errorf("AnswerCheckin(alice, %q) after bert was erased = %v (%q shown to alice); want it recorded, or ENOTFOUND (no longer open)",
				a, err, mentoring.ErrorMessage(err))
		}
	}
}

// Applying a stale plan skips the pairs no longer possible; it must not tell a mentee
// paired since the plan that they were not matched.
func TestApplyStalePlanDoesNotTellPairedMenteeUnmatched(t *testing.T) {
	e := newEnv(t)
	e.joinWith("UALICE", mentoring.Join{Role: mentoring.RoleMentor, Topics: []string{"go"}, Capacity: 1})
	e.join("UBERT", mentoring.RoleMentee, "go")
	e.join("UCHEN", mentoring.RoleMentee, "go")
	stale, err := e.p.PlanRound(e.ctx, admin)
	if err != nil {
		t.Fatalf("PlanRound: %v", err)
	}
	if len(stale.Pairs) != 1 || len(stale.Unmatched) != 1 {
		t.Fatalf("plan = %+v, want one pair and one unmatched", stale)
	}
	left := stale.Unmatched[0].MenteeID

	if _, err := e.p.SetCapacity(e.ctx, "UALICE", 2); err != nil {
		t.Fatalf("SetCapacity: %v", err)
	}
	if done := e.round(); len(done.Pairs) != 2 {
		t.Fatalf("round = %+v, want both paired", done)
	}
	e.drain()

	if _, err := e.p.ApplyRound(e.ctx, admin, stale); err != nil {
		t.Fatalf("ApplyRound(stale plan): %v", err)
	}
	if prs := e.status(left).Pairings; len(prs) != 1 {
		t.Fatalf("%s's pairings = %+v, want 1", left, prs)
	}
	for _, n := range e.dueOf(mentoring.KindUnmatched) {
		if slices.Contains(n.To, left) {
			t.Errorf("ApplyRound(stale plan) told %s, paired since, that they were not matched: %+v", left, n.Unmatched)
		}
	}
}
