package mentoring_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// The away check of a fan-out asks the workspace once, about everyone it is about to
// message, not once per person.
func TestQueueDueAsksTheDirectoryOnceForEveryone(t *testing.T) {
	e := newEnv(t)
	var ids []string
	for i := range 6 {
		mentor, mentee := fmt.Sprintf("UMENTOR%d", i), fmt.Sprintf("UMENTEE%d", i)
		e.dir.put(mentoring.Person{ID: mentor, TimeZone: "Europe/Berlin"})
		e.dir.put(mentoring.Person{ID: mentee, TimeZone: "America/New_York"})
		e.joinWith(mentor, mentoring.Join{Role: mentoring.RoleMentor, Topics: []string{"go"}, Capacity: 1})
		e.join(mentee, mentoring.RoleMentee, "go")
		ids = append(ids, mentor, mentee)
	}
	if done := e.round(); len(done.Pairs) != 6 {
		t.Fatalf("round made %d pairs, want 6", len(done.Pairs))
	}
	e.drain()
	before := len(e.dir.bulkCalls())
	e.at(utc(time.November, 30, 16))
	if n := e.queueDue(mentoring.KindCheckin); n != len(ids) {
		t.Errorf("QueueDue(checkin) = %d, want %d", n, len(ids))
	}
	calls := e.dir.bulkCalls()[before:]
	if len(calls) != 1 {
		t.Fatalf("QueueDue made %d People calls for %d due people, want 1", len(calls), len(ids))
	}
	if !slices.Equal(sorted(calls[0]), sorted(ids)) {
		t.Errorf("People asked about %v, want %v", sorted(calls[0]), sorted(ids))
	}
	// Nothing more is due: no call at all.
	if n := e.queueDue(mentoring.KindCheckin); n != 0 {
		t.Errorf("QueueDue again = %d, want 0", n)
	}
	if got := len(e.dir.bulkCalls()) - before; got != 1 {
		t.Errorf("a QueueDue with nobody due asked the directory (%d calls in all, want 1)", got)
	}
}

// When the workspace cannot say who is away, nobody it was asked about is sent
// anything or marked handled: the next call asks again and queues them all.
func TestQueueDueDefersEveryoneWhenTheDirectoryFails(t *testing.T) {
	e, _ := pairAliceBert(t)
	e.at(utc(time.November, 30, 16))
	down := errors.New("slack: users.list: service_unavailable")
	e.dir.fail(down)
	n, err := e.p.QueueDue(e.ctx, mentoring.KindCheckin)
	var deferred *mentoring.DeferredError
	if !errors.As(err, &deferred) || deferred.Deferred != 2 || !errors.Is(err, down) {
		t.Fatalf("QueueDue with the directory down = %d, %v; want a DeferredError for 2 wrapping %v", n, err, down)
	}
	if n != 0 || len(e.due()) != 0 {
		t.Errorf("QueueDue with the directory down queued %d (%d in the outbox), want 0", n, len(e.due()))
	}
	for _, id := range []string{"UALICE", "UBERT"} {
		if d, _ := e.p.PersonalData(e.ctx, id); len(d.Checkins) != 0 {
			t.Errorf("%s has check-ins recorded although none was sent: %+v", id, d.Checkins)
		}
	}
	// A minute later the directory answers: both are asked about again and queued.
	e.dir.fail(nil)
	e.at(utc(time.November, 30, 16).Add(time.Minute))
	if n := e.queueDue(mentoring.KindCheckin); n != 2 {
		t.Errorf("QueueDue once the directory answers = %d, want 2", n)
	}
	if got := len(e.dueOf(mentoring.KindCheckin)); got != 2 {
		t.Errorf("%d check-ins queued, want 2", got)
	}
}

// People the workspace reports deactivated, or does not know, are not messaged; their
// period counts as handled, like someone away.
func TestQueueDueSkipsDeactivatedAndUnknownPeople(t *testing.T) {
	e, _ := pairAliceBert(t)
	e.dir.put(mentoring.Person{ID: "UBERT", TimeZone: "America/New_York", Deactivated: true})
	e.at(utc(time.November, 30, 16))
	if n := e.queueDue(mentoring.KindCheckin); n != 1 {
		t.Errorf("QueueDue(checkin) with bert deactivated = %d, want 1 (alice)", n)
	}
	e.dir.mu.Lock()
	delete(e.dir.people, "UALICE")
	e.dir.mu.Unlock()
	e.at(utc(time.December, 7, 16))
	if n := e.queueDue(mentoring.KindCheckin); n != 0 {
		t.Errorf("QueueDue(checkin) with alice unknown and bert deactivated = %d, want 0", n)
	}
	for _, n := range e.due() {
		if !slices.Equal(n.To, []string{"UALICE"}) || n.Period == "" {
			t.Errorf("queued %+v, want only alice's first check-in", n)
		}
	}
}
