package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// Home tabs are republished for the people who have opened theirs, one publish per
// person at a time, through Slack's rate limits, and across restarts.

// openHome delivers app_home_opened for each user and waits for their first publish.
func (h *harness) openHome(t *testing.T, users ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := h.seq()
	for _, u := range users {
		if _, err := h.srv.AppHomeOpened(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range users {
		h.record(t, start, "home view for "+u, func(r slacktest.Record) bool { return r.Kind == "view_publish" && r.User == u })
	}
}

// latestHome is the text of the last Home view published for user ("" if none).
func (h *harness) latestHome(user string) string {
	recs := h.srv.Records()
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].Kind == "view_publish" && recs[i].User == user {
			return slacktest.RecordText(recs[i])
		}
	}
	return ""
}

// publishesFor counts the views.publish calls after the first skip: those Slack
// accepted, by person; those it refused with 429; those that failed otherwise.
func (h *harness) publishesFor(skip int) (ok map[string]int, refused, failed int) {
	ok = map[string]int{}
	for _, c := range h.srv.Calls("views.publish")[skip:] {
		switch {
		case c.Status == http.StatusTooManyRequests:
			refused++
		case c.Error != "":
			failed++
		default:
			ok[c.Params.Get("user_id")]++
		}
	}
	return ok, refused, failed
}

// waitHomes waits until every user's latest Home view satisfies want.
func (h *harness) waitHomes(t *testing.T, what string, users []string, want func(user, home string) bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var stale []string
		for _, u := range users {
			if !want(u, h.latestHome(u)) {
				stale = append(stale, u)
			}
		}
		if len(stale) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s, %d Home tabs do not show %s: %v", len(stale), what, stale)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestHomeIsRefreshedOnlyForThoseWhoOpenedIt(t *testing.T) {
	h := startMain(t, options{})
	h.openHome(t, "UALICE")
	h.say(t, "UALICE", "/mentor", "join mentor go")
	h.say(t, "UBERT", "/mentor", "join mentee go") // bertram never opened his Home tab
	start := h.seq()
	contains(t, "pair", h.say(t, "UADMIN", "/mentor", "pair"), "*1* new pair")
	// The round asks for bertram's Home first (the mentee), then alice's.
	h.record(t, start, "alice's Home with her mentee", func(r slacktest.Record) bool {
		return r.Kind == "view_publish" && r.User == "UALICE" && strings.Contains(slacktest.RecordText(r), "<@UBERT> (your mentee")
	})
	h.record(t, start, "the intro", func(r slacktest.Record) bool {
		return r.Kind == "message" && strings.Contains(string(r.Metadata), string(mentoring.KindIntro))
	})
	time.Sleep(200 * time.Millisecond)
	for _, r := range h.srv.Records() {
		if r.Kind == "view_publish" && r.User != "UALICE" {
			t.Errorf("a Home view was published for %s, who never opened theirs", r.User)
		}
	}
	for _, c := range h.srv.Calls("views.publish") {
		if u := c.Params.Get("user_id"); u != "UALICE" {
			t.Errorf("views.publish was called for %s, who never opened their Home tab", u)
		}
	}
}

// A round of 40 pairs whose members all look at their Home tab, with Slack refusing
// the first publishes as too many (429) and failing a few more (internal_error):
// every Home tab ends up showing the new partner, with one accepted publish per
// person and no more calls than that plus the refused and failed ones.
func TestRoundRefreshesEveryHomeOnceThroughRateLimits(t *testing.T) {
	const pairs, refusals, failures = 40, 12, 4
	h := startMain(t, options{})
	var mentors, mentees, everyone []string
	for i := range pairs {
		mentor, mentee := fmt.Sprintf("UMENTOR%02d", i), fmt.Sprintf("UMENTEE%02d", i)
		h.srv.AddUser(slacktest.User{ID: mentor, Name: strings.ToLower(mentor), RealName: mentor, TZ: "UTC"})
		h.srv.AddUser(slacktest.User{ID: mentee, Name: strings.ToLower(mentee), RealName: mentee, TZ: "UTC"})
		mentors, mentees = append(mentors, mentor), append(mentees, mentee)
	}
	everyone = append(append(everyone, mentors...), mentees...)
	h.openHome(t, everyone...)
	for i := range pairs {
		h.say(t, mentors[i], "/mentor", "join mentor go")
		h.say(t, mentors[i], "/mentor", "capacity 1")
		h.say(t, mentees[i], "/mentor", "join mentee go")
	}
	h.waitHomes(t, "the joined profile", everyone, func(u, home string) bool {
		return strings.Contains(home, "*Role:* mentee") || strings.Contains(home, "(up to 1 mentee)")
	})
	time.Sleep(100 * time.Millisecond) // let a publish in flight land before counting

	skip := len(h.srv.Calls("views.publish"))
	h.srv.RateLimit("views.publish", refusals, time.Second)
	h.srv.FailNext("views.publish", failures, "internal_error") // after the 429s
	contains(t, "pair", h.say(t, "UADMIN", "/mentor", "pair"), fmt.Sprintf("*%d* new pairs", pairs))
	partner := map[string]string{}
	for _, m := range mentors {
		ps := h.activePairings(t, m)
		if len(ps) != 1 {
			t.Fatalf("%s has %d pairings, want 1", m, len(ps))
		}
		partner[m], partner[ps[0].MenteeID] = ps[0].MenteeID, m
	}
	h.waitHomes(t, "the new partner", everyone, func(u, home string) bool {
		return strings.Contains(home, "*Partners:* <@"+partner[u]+">")
	})
	time.Sleep(300 * time.Millisecond) // a publish too many would show by now

	ok, refused, failed := h.publishesFor(skip)
	if refused != refusals || failed != failures {
		t.Errorf("Slack refused %d publishes and failed %d, want the %d and %d it was told to", refused, failed, refusals, failures)
	}
	total := 0
	for _, u := range everyone {
		if ok[u] != 1 {
			t.Errorf("%s: %d accepted publishes after the round, want 1", u, ok[u])
		}
		total += ok[u]
	}
	if calls, most := len(h.srv.Calls("views.publish"))-skip, len(everyone)+refusals+failures; calls > most {
		t.Errorf("%d views.publish calls after the round, want at most one per person plus the %d refused and %d failed: %d",
			calls, refusals, failures, most)
	}
	if total != len(everyone) {
		t.Errorf("%d accepted publishes in all, want %d", total, len(everyone))
	}
}

func TestHomeIsRefreshedAfterARestart(t *testing.T) {
	h := startMain(t, options{})
	h.say(t, "UALICE", "/mentor", "join mentee go")
	h.openHome(t, "UALICE")
	h.restart(t)
	start := h.seq()
	h.say(t, "UALICE", "/mentor", "goal add give a talk")
	h.record(t, start, "alice's Home with her new goal after a restart", func(r slacktest.Record) bool {
		return r.Kind == "view_publish" && r.User == "UALICE" && strings.Contains(slacktest.RecordText(r), "give a talk")
	})
}
