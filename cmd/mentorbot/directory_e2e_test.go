package main

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// The scheduler's away check reads Slack's directory in users.list pages, not one
// users.info per person; when Slack cannot be asked, everyone due waits for the next
// tick and the failure is counted.
func TestAwayCheckReadsTheDirectoryInPages(t *testing.T) {
	h := startScheduled(t, func(h *harness) {
		// A workspace of more than one page (users.list pages of 200), with zed on
		// the second.
		for i := range 250 {
			h.srv.AddUser(slacktest.User{ID: fmt.Sprintf("UFILL%03d", i), Name: fmt.Sprintf("fill%d", i), TZ: "UTC"})
		}
		h.srv.AddUser(slacktest.User{ID: "UZED", Name: "zed", RealName: "Zed", TZ: "Europe/Berlin"})
	})
	h.say(t, "UALICE", "/mentor", "capacity 1")
	h.say(t, "UZED", "/mentor", "join mentor go")
	h.say(t, "UCHEN", "/mentor", "join mentee go")
	contains(t, "second round", h.say(t, "UADMIN", "/mentor", "pair"), "*1* new pair")
	if ps := h.activePairings(t, "UZED"); len(ps) != 1 || ps[0].MenteeID != "UCHEN" {
		t.Fatalf("zed's pairings = %+v, want one with chen", ps)
	}
	h.restart(t) // a new process: nothing about anyone is cached
	info, list := len(h.srv.Calls("users.info")), len(h.srv.Calls("users.list"))

	h.srv.FailNext("users.list", 1, "fatal_error")
	h.clock.set(utc(30, 16, 0))
	n, err := h.m.prog.QueueDue(context.Background(), mentoring.KindCheckin)
	var deferred *mentoring.DeferredError
	if !errors.As(err, &deferred) || deferred.Deferred != 4 || n != 0 {
		t.Fatalf("QueueDue with users.list failing = %d, %v; want 0 and a DeferredError for 4", n, err)
	}
	h.wantMetrics(t, "mentorbot_directory_failures_total 1")
	for _, q := range h.queued(t) {
		if q.Kind == mentoring.KindCheckin {
			t.Errorf("a check-in was queued while the directory failed: %+v", q)
		}
	}

	// The next tick: the directory answers, everyone is queued.
	if n := h.queueDue(t, utc(30, 16, 1), mentoring.KindCheckin); n != 4 {
		t.Errorf("QueueDue once users.list answers = %d, want 4", n)
	}
	if got := len(h.srv.Calls("users.info")) - info; got != 0 {
		t.Errorf("the away check made %d users.info calls, want none", got)
	}
	calls := h.srv.Calls("users.list")[list:]
	if len(calls) != 3 {
		t.Fatalf("%d users.list calls (one failed, then the pages), want 3", len(calls))
	}
	for i, c := range calls {
		if c.Params.Get("limit") != "200" {
			t.Errorf("users.list call %d asked for limit %q, want 200", i, c.Params.Get("limit"))
		}
	}
	if calls[1].Params.Get("cursor") != "" || calls[2].Params.Get("cursor") == "" {
		t.Errorf("users.list cursors: %q then %q; want the first page, then the next_cursor it returned",
			calls[1].Params.Get("cursor"), calls[2].Params.Get("cursor"))
	}
	// A single lookup is answered from what the pages cached, too.
	if p, err := h.m.client.Person(context.Background(), "UFILL123"); err != nil || p.TimeZone != "UTC" {
		t.Errorf("Person(UFILL123) = %+v, %v", p, err)
	}
	if got := len(h.srv.Calls("users.info")) - info; got != 0 {
		t.Errorf("a lookup of someone on a page read made %d users.info calls, want none", got)
	}
	// A second fan-out within the hour is answered from what the pages cached.
	if n := h.queueDue(t, utc(30, 16, 2), mentoring.KindNudge); n != 0 {
		t.Errorf("QueueDue(nudge) = %d, want 0", n)
	}
	if got := len(h.srv.Calls("users.list")) - list; got != 3 {
		t.Errorf("%d users.list calls after a second fan-out, want still 3", got)
	}
}
