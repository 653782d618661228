package main

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// Consent, fit and cycles (SPEC.md) end to end: every button, modal and lapse through
// the fake Slack, on the harness clock, with the scheduler run by hand once the clock
// passes a moment, as its minute tick would.

// csTopics are shared by alice and bertram in the tests whose pair must be possible
// again afterwards: three shared topics outweigh the penalty for a pair made before,
// so that a round that does not pair them again shows a rule at work, not the score.
const csTopics = "go, sql, rust"

// csStart starts Main with env at fixedNow (Tuesday 24 November 2026, 12:00 UTC),
// alice (Berlin) a mentor and bertram (New York) a mentee of topics, and runs a round.
// It returns the harness and the round's summary.
func csStart(t *testing.T, env map[string]string, topics string) (*harness, string) {
	t.Helper()
	h := startMain(t, options{env: env})
	h.say(t, "UALICE", "/mentor", "join mentor "+topics)
	h.say(t, "UBERT", "/mentor", "join mentee "+topics)
	return h, h.say(t, "UADMIN", "/mentor", "pair")
}

// csEventType is the event_type of a record's message metadata ("" when none).
func csEventType(r slacktest.Record) string {
	var meta slack.SlackMetadata
	if len(r.Metadata) == 0 || json.Unmarshal(r.Metadata, &meta) != nil {
		return ""
	}
	return meta.EventType
}

// csNotices returns the messages after seq to user's DM whose metadata says kind.
func (h *harness) csNotices(after int, user string, kind mentoring.Kind) []slacktest.Record {
	ch := h.srv.DMChannelID(user)
	var out []slacktest.Record
	for _, r := range h.srv.Records() {
		if r.Seq > after && r.Kind == "message" && r.Channel == ch && csEventType(r) == string(kind) {
			out = append(out, r)
		}
	}
	return out
}

// csDrained waits until the outbox holds nothing due: whatever was queued has been
// posted to the fake Slack (delivery posts, then records the send).
func (h *harness) csDrained(t *testing.T) {
	t.Helper()
	waitFor(t, "the outbox to empty", func() bool { return len(h.queued(t)) == 0 })
}

// csTick moves the clock to at and runs the scheduler once, as its minute tick does.
func (h *harness) csTick(t *testing.T, at time.Time) {
	t.Helper()
	h.clock.set(at)
	if _, err := h.m.sched.RunOnce(context.Background()); err != nil {
		t.Fatalf("scheduler at %v: %v", at, err)
	}
}

// csClick clicks actionID on msg as user and returns the update of msg it caused.
func (h *harness) csClick(t *testing.T, user, actionID string, msg slacktest.Record) slacktest.Record {
	t.Helper()
	start := h.seq()
	hcClick(t, h, user, actionID, msg, "")
	return h.record(t, start, actionID+" answer on "+user+"'s message", func(r slacktest.Record) bool {
		return r.Kind == "update" && r.TS == msg.TS && r.Channel == msg.Channel
	})
}

// csButtons fails t unless msg shows each action id, or, with none, any button.
func csButtons(t *testing.T, what string, msg slacktest.Record, actions ...string) {
	t.Helper()
	if len(actions) == 0 {
		if strings.Contains(string(msg.Blocks), `"type":"button"`) {
			t.Errorf("%s still shows buttons: %s", what, msg.Blocks)
		}
		return
	}
	for _, a := range actions {
		if !strings.Contains(string(msg.Blocks), `"action_id":"`+a+`"`) {
			t.Errorf("%s lacks the button %s: %s", what, a, msg.Blocks)
		}
	}
}

// csSameButPartner fails t unless the two members' copies of one notice differ only
// in the partner each names, and each names their partner and not themselves.
func csSameButPartner(t *testing.T, what string, toAlice, toBert slacktest.Record) {
	t.Helper()
	a, b := slacktest.RecordText(toAlice), slacktest.RecordText(toBert)
	if !strings.Contains(a, "<@UBERT>") || strings.Contains(a, "<@UALICE>") {
		t.Errorf("%s to alice should name bertram only: %s", what, a)
	}
	if !strings.Contains(b, "<@UALICE>") || strings.Contains(b, "<@UBERT>") {
		t.Errorf("%s to bertram should name alice only: %s", what, b)
	}
	if strings.ReplaceAll(a, "<@UBERT>", "<@PARTNER>") != strings.ReplaceAll(b, "<@UALICE>", "<@PARTNER>") {
		t.Errorf("%s differs between the two beyond the partner's name:\nalice:   %s\nbertram: %s", what, a, b)
	}
}

// csNoRound fails t unless a round, planned (preview) and run, pairs nobody.
func csNoRound(t *testing.T, h *harness, what string) {
	t.Helper()
	contains(t, what+" (preview)", h.say(t, "UADMIN", "/mentor", "pair preview"), "No new pairs")
	contains(t, what, h.say(t, "UADMIN", "/mentor", "pair"), "No new pairs")
}

// csNoPairings fails t if user has an active pairing.
func csNoPairings(t *testing.T, h *harness, user string) {
	t.Helper()
	if ps := h.activePairings(t, user); len(ps) != 0 {
		t.Errorf("%s still has pairings %+v", user, ps)
	}
}

// ---------------------------------------------------------------------------
// Mentor approval

// TestConsentProposalAnswers: with MENTORBOT_MENTOR_APPROVAL a round asks the mentor
// first (a mentorbot_proposal DM with Accept and Not now) and introduces nobody. Accept
// makes the pairing and its intro; Not now, or no answer within MENTORBOT_PROPOSAL_TTL
// (one scheduler run after it passes), sends the mentee back to the pool with a DM that
// names nobody, and the two are never proposed again: the next round asks someone else.
// A late Accept says the proposal lapsed and pairs nobody.
func TestConsentProposalAnswers(t *testing.T) {
	const ttl = 48 * time.Hour
	tests := []struct {
		name   string
		answer func(t *testing.T, h *harness, ask slacktest.Record)
		paired bool
	}{
		{"accept", func(t *testing.T, h *harness, ask slacktest.Record) {
			start := h.seq()
			updated := h.csClick(t, "UALICE", "proposal_accept", ask)
			contains(t, "accepted proposal", slacktest.RecordText(updated), "You accepted", "<@UBERT>")
			csButtons(t, "the accepted proposal", updated)
			intro := h.record(t, start, "intro after the accept", isIntro("UBERT", "UALICE"))
			if got := csEventType(intro); got != string(mentoring.KindIntro) {
				t.Errorf("intro event_type %q", got)
			}
		}, true},
		{"not now", func(t *testing.T, h *harness, ask slacktest.Record) {
			updated := h.csClick(t, "UALICE", "proposal_decline", ask)
			contains(t, "declined proposal", slacktest.RecordText(updated), "not now", "won't be told who was asked")
			csButtons(t, "the declined proposal", updated)
		}, false},
		{"lapsed", func(t *testing.T, h *harness, ask slacktest.Record) {
			// A minute before the TTL runs out, the proposal is still open.
			start := h.seq()
			h.csTick(t, fixedNow.Add(ttl-time.Minute))
			h.csDrained(t)
			if got := h.csNotices(start, "UBERT", mentoring.KindProposal); len(got) != 0 {
				t.Fatalf("the mentee was told before the proposal lapsed: %s", slacktest.RecordText(got[0]))
			}
			// One scheduler run after it passes, the mentee is back in the pool.
			h.csTick(t, fixedNow.Add(ttl+30*time.Second))
			h.noticeDM(t, start, "UBERT", mentoring.KindProposal)
			// A late Accept pairs nobody and says why.
			updated := h.csClick(t, "UALICE", "proposal_accept", ask)
			contains(t, "late accept", slacktest.RecordText(updated), "lapsed")
			csButtons(t, "the lapsed proposal", updated)
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startMain(t, options{env: map[string]string{"MENTORBOT_MENTOR_APPROVAL": "true", "MENTORBOT_PROPOSAL_TTL": ttl.String()}})
			// Alice shares more with bertram than chen, who joins later, does.
			h.say(t, "UALICE", "/mentor", "join mentor "+csTopics)
			h.say(t, "UBERT", "/mentor", "join mentee "+csTopics)
			h.say(t, "UBERT", "/mentor", "goal add run a design review")
			start := h.seq()
			contains(t, "round", h.say(t, "UADMIN", "/mentor", "pair"), "*1* new pair")
			ask := h.noticeDM(t, start, "UALICE", mentoring.KindProposal)
			contains(t, "proposal", slacktest.RecordText(ask), "Would you mentor <@UBERT>?", "run a design review",
				"Thursday 26 November, 13:00") // 48 h on, in alice's zone
			csButtons(t, "the proposal", ask, "proposal_accept", "proposal_decline")
			contains(t, "proposal buttons", string(ask.Blocks), `"Accept"`, `"Not now"`)
			// Nothing but the question goes out while the mentor decides.
			h.csDrained(t)
			for _, r := range h.srv.Records()[start:] {
				if r.Kind == "message" && r.Channel != ask.Channel {
					t.Errorf("before the mentor answered, %s got %q", r.Channel, r.Text)
				}
			}
			if ps := h.activePairings(t, "UBERT"); len(ps) != 0 {
				t.Fatalf("paired before the mentor answered: %+v", ps)
			}

			start = h.seq()
			tt.answer(t, h, ask)
			h.csDrained(t)
			if tt.paired {
				if ps := h.activePairings(t, "UBERT"); len(ps) != 1 || ps[0].MentorID != "UALICE" {
					t.Errorf("after the accept bertram's pairings are %+v", ps)
				}
				if got := h.csNotices(start, "UBERT", mentoring.KindProposal); len(got) != 0 {
					t.Errorf("the mentee was sent %q after an accept", got[0].Text)
				}
				return
			}
			csNoPairings(t, h, "UBERT")
			for _, r := range h.srv.Records()[start:] {
				if r.Kind == "message" && strings.HasPrefix(r.Channel, "G") {
					t.Errorf("an intro went out without an accept: %q", r.Text)
				}
			}
			pool := h.csNotices(0, "UBERT", mentoring.KindProposal)
			if len(pool) != 1 {
				t.Fatalf("the mentee got %d back-in-the-pool DMs, want 1", len(pool))
			}
			text := slacktest.RecordText(pool[0])
			contains(t, "back in the pool", text, "back in the pool")
			if strings.Contains(text, "UALICE") || strings.Contains(strings.ToLower(text), "alice") || strings.Contains(text, "declin") {
				t.Errorf("the mentee learns more than that they are back in the pool: %s", text)
			}

			// The next round never proposes the two again; another mentor is asked.
			h.say(t, "UCHEN", "/mentor", "join mentor go")
			start = h.seq()
			contains(t, "next round", h.say(t, "UADMIN", "/mentor", "pair"), "*1* new pair", "<@UCHEN> mentors <@UBERT>")
			contains(t, "proposal to chen", slacktest.RecordText(h.noticeDM(t, start, "UCHEN", mentoring.KindProposal)), "<@UBERT>")
			h.csDrained(t)
			if got := h.csNotices(start, "UALICE", mentoring.KindProposal); len(got) != 0 {
				t.Errorf("alice was asked about bertram again: %s", got[0].Text)
			}
		})
	}
}

// TestConsentProposalsOffPairAtOnce: with approval off (the default) a round pairs and
// introduces at once, and asks no mentor.
func TestConsentProposalsOffPairAtOnce(t *testing.T) {
	h := startMain(t, options{})
	h.say(t, "UALICE", "/mentor", "join mentor go")
	h.say(t, "UBERT", "/mentor", "join mentee go")
	start := h.seq()
	contains(t, "round", h.say(t, "UADMIN", "/mentor", "pair"), "*1* new pair")
	h.record(t, start, "intro", isIntro("UBERT", "UALICE"))
	if ps := h.activePairings(t, "UBERT"); len(ps) != 1 {
		t.Errorf("bertram's pairings %+v, want one at once", ps)
	}
	h.csDrained(t)
	if got := h.csNotices(start, "UALICE", mentoring.KindProposal); len(got) != 0 {
		t.Errorf("a mentor was asked with approval off: %s", got[0].Text)
	}
}

// TestConsentApprovalRoundSaysMentorsAreAsked: with approval on, a round introduces
// nobody yet, so the admin who ran it must not be told that intros are on their way.
func TestConsentApprovalRoundSaysMentorsAreAsked(t *testing.T) {
	h := startMain(t, options{env: map[string]string{"MENTORBOT_MENTOR_APPROVAL": "true"}})
	h.say(t, "UALICE", "/mentor", "join mentor go")
	h.say(t, "UBERT", "/mentor", "join mentee go")
	start := h.seq()
	summary := h.say(t, "UADMIN", "/mentor", "pair")
	h.noticeDM(t, start, "UALICE", mentoring.KindProposal)
	if strings.Contains(summary, "Intros are on their way") {
		t.Errorf("with approval on, the admin is told intros are on their way, but only the mentor was asked:\n%s", summary)
	}
	contains(t, "summary", summary, "asked each mentor to accept")
}

// ---------------------------------------------------------------------------
// Fit check

// csFitAsks has bertram report the pair's first meeting on a check-in an admin sends
// now, and returns each member's fit check DM and bertram's check-in DM.
func csFitAsks(t *testing.T, h *harness) (alice, bert slacktest.Record) {
	t.Helper()
	start := h.seq()
	contains(t, "run checkins", h.say(t, "UADMIN", "/mentor", "run checkins"), "Queued *2*")
	checkin := h.noticeDM(t, start, "UBERT", mentoring.KindCheckin)
	h.csDrained(t)
	if got := h.csNotices(0, "UBERT", mentoring.KindFit); len(got) != 0 {
		t.Fatalf("a fit check before any meeting: %s", got[0].Text)
	}
	start = h.seq()
	h.csClick(t, "UBERT", actionCheckinMet, checkin)
	alice, bert = h.noticeDM(t, start, "UALICE", mentoring.KindFit), h.noticeDM(t, start, "UBERT", mentoring.KindFit)
	for _, r := range []slacktest.Record{alice, bert} {
		csButtons(t, "the fit check", r, "fit_yes", "fit_no")
		contains(t, "the fit check", slacktest.RecordText(r), "Is this a good fit?", "private")
	}
	csSameButPartner(t, "the fit check", alice, bert)
	return alice, bert
}

// TestConsentFitCheck: after the pair's first reported meeting each member gets a
// private fit check, once. A "no" from either ends the pairing for both with the same
// DM, which names only the reader's partner, never who said no; the two are not paired
// again. Two yeses keep the pairing, and a meeting reported in a later week asks
// nothing more.
func TestConsentFitCheck(t *testing.T) {
	type answer struct {
		who    string
		action string
	}
	tests := []struct {
		name    string
		answers []answer
		ends    bool
	}{
		{"the mentor says no", []answer{{"UALICE", "fit_no"}}, true},
		{"the mentee says no after the mentor said yes", []answer{{"UALICE", "fit_yes"}, {"UBERT", "fit_no"}}, true},
		{"both say yes", []answer{{"UALICE", "fit_yes"}, {"UBERT", "fit_yes"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := csStart(t, nil, csTopics)
			asks := map[string]slacktest.Record{}
			asks["UALICE"], asks["UBERT"] = csFitAsks(t, h)
			start := h.seq()
			var last slacktest.Record
			for _, a := range tt.answers {
				last = h.csClick(t, a.who, a.action, asks[a.who])
				csButtons(t, a.who+"'s answered fit check", last)
			}
			if !tt.ends {
				contains(t, "fit yes", slacktest.RecordText(last), "Glad to hear it")
				h.csDrained(t)
				if got := append(h.csNotices(start, "UALICE", mentoring.KindFit), h.csNotices(start, "UBERT", mentoring.KindFit)...); len(got) != 0 {
					t.Errorf("two yeses sent %q", got[0].Text)
				}
				if ps := h.activePairings(t, "UALICE"); len(ps) != 1 {
					t.Fatalf("after two yeses alice's pairings are %+v", ps)
				}
				// A meeting reported in a later week asks nothing more.
				start = h.seq()
				h.csTick(t, utc(30, 16, 0)) // Monday 30 November, past 10:00 in both zones
				checkin := h.noticeDM(t, start, "UALICE", mentoring.KindCheckin)
				h.csClick(t, "UALICE", actionCheckinMet, checkin)
				h.csDrained(t)
				if got := append(h.csNotices(start, "UALICE", mentoring.KindFit), h.csNotices(start, "UBERT", mentoring.KindFit)...); len(got) != 0 {
					t.Errorf("a second meeting sent another fit check: %q", got[0].Text)
				}
				return
			}
			clicker := tt.answers[len(tt.answers)-1].who
			contains(t, "the clicker's fit check", slacktest.RecordText(last), "ended without blame", "haven't been told who said no")
			toAlice, toBert := h.noticeDM(t, start, "UALICE", mentoring.KindFit), h.noticeDM(t, start, "UBERT", mentoring.KindFit)
			contains(t, "ended after the fit check", slacktest.RecordText(toAlice), "has ended", "back in the pool")
			csSameButPartner(t, "the ended DM", toAlice, toBert)
			csNoPairings(t, h, "UALICE")
			csNoPairings(t, h, "UBERT")
			h.csDrained(t)
			for _, who := range []string{"UALICE", "UBERT"} {
				if n := len(h.csNotices(start, who, mentoring.KindFit)); n != 1 {
					t.Errorf("%s got %d fit DMs after %s said no, want the one ended DM", who, n, clicker)
				}
			}
			// Whoever said no, the two are never paired again.
			csNoRound(t, h, "next round")
			csNoPairings(t, h, "UBERT")
		})
	}
}

// TestConsentFitAndSurveyStayOutOfThePartnersData: fit answers and survey answers are
// the answerer's alone (SPEC.md, Privacy): the partner's `/mentor mydata` file must not
// hold them, or it tells them who said no.
func TestConsentFitAndSurveyStayOutOfThePartnersData(t *testing.T) {
	h, _ := csStart(t, nil, csTopics)
	asks := map[string]slacktest.Record{}
	asks["UALICE"], asks["UBERT"] = csFitAsks(t, h)
	h.csClick(t, "UALICE", "fit_no", asks["UALICE"])
	start := h.seq()
	contains(t, "mydata", h.say(t, "UBERT", "/mentor", "mydata"), "sent you a DM")
	file := h.record(t, start, "mydata file", func(r slacktest.Record) bool { return r.Kind == "file" && r.File != nil })
	var got mentoring.PersonalData
	if err := json.Unmarshal(file.File.Content, &got); err != nil {
		t.Fatalf("mydata file is not JSON: %v", err)
	}
	if len(got.Pairings) != 1 {
		t.Fatalf("bertram's data has %d pairings, want 1", len(got.Pairings))
	}
	if side := got.Pairings[0].Mentor; side.Fit != "" || side.Cycle != "" || side.Survey != nil {
		t.Errorf("bertram's /mentor mydata holds alice's private answers (%+v): it tells him she said no", side)
	}
}

// ---------------------------------------------------------------------------
// Cycles

// csCycle is the cycle the cycle tests run, and csCycleEnd when the first ends.
const csCycle = 336 * time.Hour

var csCycleEnd = fixedNow.Add(csCycle) // Tuesday 8 December 2026, 12:00 UTC

// csCycleAsks starts a pair with MENTORBOT_CYCLE=336h, checks that nothing is asked a
// minute before the cycle ends, and returns each member's end-of-cycle question, which
// must go out with the first scheduler run after it ends.
func csCycleAsks(t *testing.T) (h *harness, alice, bert slacktest.Record) {
	t.Helper()
	h, _ = csStart(t, map[string]string{"MENTORBOT_CYCLE": "336h", "MENTORBOT_IDLE_AFTER": "0"}, csTopics)
	start := h.seq()
	h.csTick(t, csCycleEnd.Add(-time.Minute))
	h.csDrained(t)
	if got := append(h.csNotices(start, "UALICE", mentoring.KindCycle), h.csNotices(start, "UBERT", mentoring.KindCycle)...); len(got) != 0 {
		t.Fatalf("asked before the cycle ended: %s", got[0].Text)
	}
	h.csTick(t, csCycleEnd.Add(30*time.Second))
	alice, bert = h.noticeDM(t, start, "UALICE", mentoring.KindCycle), h.noticeDM(t, start, "UBERT", mentoring.KindCycle)
	for _, r := range []slacktest.Record{alice, bert} {
		csButtons(t, "the end-of-cycle question", r, "cycle_continue", "cycle_end", "closing_survey")
		contains(t, "the end-of-cycle question", string(r.Blocks), `"Keep going"`, `"Wrap up"`)
	}
	// The answer is due within the TTL (72 h), shown in each reader's zone.
	contains(t, "alice's question", slacktest.RecordText(alice), "<@UBERT>", "by Friday 11 December, 13:00")
	contains(t, "bertram's question", slacktest.RecordText(bert), "<@UALICE>", "by Friday 11 December, 07:00")
	return h, alice, bert
}

// TestConsentCycles: at the end of a cycle both members are asked. Both keeping going
// starts another cycle, told to both, and the next question comes a cycle later; one
// wrapping up, or no answer within MENTORBOT_PROPOSAL_TTL (one scheduler run after it
// passes), ends the pairing warmly for both, who are back in the pool and may be
// paired again.
func TestConsentCycles(t *testing.T) {
	tests := []struct {
		name   string
		answer func(t *testing.T, h *harness, alice, bert slacktest.Record)
		goesOn bool
	}{
		{"both keep going", func(t *testing.T, h *harness, alice, bert slacktest.Record) {
			contains(t, "first keep going", slacktest.RecordText(h.csClick(t, "UALICE", "cycle_continue", alice)), "once <@UBERT> has answered")
			contains(t, "second keep going", slacktest.RecordText(h.csClick(t, "UBERT", "cycle_continue", bert)), "another cycle")
		}, true},
		{"one wraps up", func(t *testing.T, h *harness, alice, bert slacktest.Record) {
			h.csClick(t, "UALICE", "cycle_continue", alice)
			updated := h.csClick(t, "UBERT", "cycle_end", bert)
			contains(t, "wrap up", slacktest.RecordText(updated), "wrapped up")
			csButtons(t, "the wrapped-up question", updated, "closing_survey")
			if strings.Contains(string(updated.Blocks), "cycle_continue") {
				t.Errorf("the wrapped-up question still asks: %s", updated.Blocks)
			}
		}, false},
		{"no answer in time", func(t *testing.T, h *harness, alice, _ slacktest.Record) {
			h.csClick(t, "UALICE", "cycle_continue", alice)
			ttl := csCycleEnd.Add(30 * time.Second).Add(72 * time.Hour)
			start := h.seq()
			h.csTick(t, ttl.Add(-time.Minute))
			h.csDrained(t)
			if ps := h.activePairings(t, "UALICE"); len(ps) != 1 {
				t.Fatalf("ended before the TTL ran out: %+v", ps)
			}
			if got := h.csNotices(start, "UALICE", mentoring.KindCycle); len(got) != 0 {
				t.Fatalf("before the TTL ran out alice got %q", got[0].Text)
			}
			h.csTick(t, ttl.Add(30*time.Second))
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, alice, bert := csCycleAsks(t)
			start := h.seq()
			tt.answer(t, h, alice, bert)
			toAlice, toBert := h.noticeDM(t, start, "UALICE", mentoring.KindCycle), h.noticeDM(t, start, "UBERT", mentoring.KindCycle)
			csSameButPartner(t, "the cycle's outcome", toAlice, toBert)
			h.csDrained(t)
			for _, who := range []string{"UALICE", "UBERT"} {
				if n := len(h.csNotices(start, who, mentoring.KindCycle)); n != 1 {
					t.Errorf("%s got %d cycle DMs after the answers, want 1", who, n)
				}
			}
			if tt.goesOn {
				contains(t, "continued", slacktest.RecordText(toAlice), "both chose to keep going")
				ps := h.activePairings(t, "UALICE")
				if len(ps) != 1 || ps[0].Cycles != 1 || ps[0].CycleAskedAt != nil {
					t.Fatalf("after both kept going alice's pairings are %+v", ps)
				}
				// The next question comes a cycle later, from the pairing's start.
				start = h.seq()
				h.csTick(t, csCycleEnd.Add(csCycle-time.Minute))
				h.csDrained(t)
				if got := h.csNotices(start, "UALICE", mentoring.KindCycle); len(got) != 0 {
					t.Fatalf("asked again within the second cycle: %s", got[0].Text)
				}
				h.csTick(t, csCycleEnd.Add(csCycle+30*time.Second))
				for _, who := range []string{"UALICE", "UBERT"} {
					csButtons(t, "the second question", h.noticeDM(t, start, who, mentoring.KindCycle), "cycle_continue", "cycle_end")
				}
				return
			}
			contains(t, "wrapped up", slacktest.RecordText(toAlice), "wrapped up", "Thank you", "back in the pool")
			csButtons(t, "the wrapped-up DM", toAlice, "closing_survey")
			csNoPairings(t, h, "UALICE")
			csNoPairings(t, h, "UBERT")
			// Both are back in the pool, and may be paired again.
			contains(t, "next round", h.say(t, "UADMIN", "/mentor", "pair"), "*1* new pair", "<@UALICE> mentors <@UBERT>")
		})
	}
}

// TestConsentClosingSurvey: the closing survey button opens the modal; an empty
// survey is refused under its first field; a value and a text are saved, privately,
// and thanked for in a DM.
func TestConsentClosingSurvey(t *testing.T) {
	h, _, bert := csCycleAsks(t)
	start := h.seq()
	hcClick(t, h, "UBERT", "closing_survey", bert, "")
	modal := h.record(t, start, "closing survey modal", func(r slacktest.Record) bool {
		return r.Kind == "view_open" && r.User == "UBERT" && strings.Contains(string(r.View), `"callback_id":"closing_survey"`)
	})
	contains(t, "survey modal", string(modal.View), `"block_id":"survey_value"`, `"block_id":"survey_learned"`)
	submit := func(value any, learned string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := h.srv.ViewSubmission(ctx, "UBERT", modal.ViewID, map[string]map[string]any{
			"survey_value":   {"survey_value": map[string]any{"type": "static_select", "selected_option": value}},
			"survey_learned": {"survey_learned": map[string]any{"type": "plain_text_input", "value": learned}},
		}); err != nil {
			t.Fatal(err)
		}
	}
	start = h.seq()
	submit(nil, "  ")
	refused := h.record(t, start, "field error", func(r slacktest.Record) bool { return r.Kind == "view_errors" && r.ViewID == modal.ViewID })
	if refused.Errors["survey_value"] == "" {
		t.Errorf("the empty survey's errors %v name no field survey_value", refused.Errors)
	}
	learned := "How to run a design review 👩🏽‍💻"
	start = h.seq()
	submit(map[string]any{"value": "4"}, learned)
	h.record(t, start, "modal closed", func(r slacktest.Record) bool { return r.Kind == "view_close" && r.ViewID == modal.ViewID })
	contains(t, "thanks", h.record(t, start, "thank-you DM", h.dmTo("UBERT", "closing survey is saved")).Text, "private")
	ps := h.activePairings(t, "UBERT")
	if len(ps) != 1 || ps[0].Mentee.Survey == nil || ps[0].Mentee.Survey.Value != 4 || ps[0].Mentee.Survey.Learned != learned || ps[0].Mentor.Survey != nil {
		t.Fatalf("stored pairing %+v, want bertram's survey 4 and %q", ps, learned)
	}
}

// ---------------------------------------------------------------------------
// Idle members

// TestConsentIdleMembersArePaused: with MENTORBOT_IDLE_AFTER=2, two weekly check-ins
// left unanswered pause the person at the third: a mentorbot_idle DM with a resume
// button instead of the check-in, and a kind word to the partner. A week skipped
// because their status says away does not count. The resume button ends the pause.
func TestConsentIdleMembersArePaused(t *testing.T) {
	weeks := []time.Time{utc(30, 16, 0), dec(7, 16, 0), dec(14, 16, 0)} // Mondays, past 10:00 in both zones
	tests := []struct {
		name    string
		awayOn  int // the week (index) bertram's status says away; -1 for none
		pausedN int // the week bertram is paused at; -1 for none
	}{
		{"two unanswered", -1, 2},
		{"a week away between", 1, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := csStart(t, map[string]string{"MENTORBOT_IDLE_AFTER": "2", "MENTORBOT_RESPECT_STATUS": "true"}, "go")
			setAway := func(away bool) {
				u := slacktest.User{ID: "UBERT", Name: "bertram", RealName: "Bertram", TZ: "America/New_York"}
				if away {
					u.StatusText, u.StatusEmoji = "On vacation", ":palm_tree:"
				}
				h.srv.AddUser(u)
				// The bot keeps profiles for an hour of real time: a new one reads
				// the status afresh, after the pass its scheduler makes as it starts.
				h.restart(t)
				fanSchedulerIdle(t)
			}
			for i, at := range weeks {
				if i == tt.awayOn {
					setAway(true)
				}
				if i == tt.awayOn+1 && tt.awayOn >= 0 {
					setAway(false)
				}
				start := h.seq()
				h.csTick(t, at)
				// Alice answers every week (not a meeting), so only bertram goes idle.
				h.csClick(t, "UALICE", actionCheckinNotMet, h.noticeDM(t, start, "UALICE", mentoring.KindCheckin))
				h.csDrained(t)
				checkins, idle := h.csNotices(start, "UBERT", mentoring.KindCheckin), h.csNotices(start, "UBERT", mentoring.KindIdle)
				switch {
				case i == tt.pausedN:
					if len(checkins) != 0 || len(idle) != 1 {
						t.Fatalf("week %d: bertram got %d check-ins and %d idle DMs, want the idle DM only", i+1, len(checkins), len(idle))
					}
				case i == tt.awayOn:
					if len(checkins)+len(idle) != 0 {
						t.Fatalf("week %d, away: bertram got %d check-ins and %d idle DMs", i+1, len(checkins), len(idle))
					}
				default:
					if len(checkins) != 1 || len(idle) != 0 {
						t.Fatalf("week %d: bertram got %d check-ins and %d idle DMs, want one check-in", i+1, len(checkins), len(idle))
					}
				}
			}
			if tt.pausedN < 0 {
				if p := h.participant(t, "UBERT"); p.PausedUntil != nil || p.Idle {
					t.Errorf("bertram paused after a week away: %+v", p)
				}
				if got := h.csNotices(0, "UALICE", mentoring.KindIdle); len(got) != 0 {
					t.Errorf("alice was told %q", got[0].Text)
				}
				return
			}
			paused := h.csNotices(0, "UBERT", mentoring.KindIdle)[0]
			contains(t, "idle DM", slacktest.RecordText(paused), "paused your mentoring check-ins", "/mentor resume")
			csButtons(t, "the idle DM", paused, "resume")
			told := h.csNotices(0, "UALICE", mentoring.KindIdle)
			if len(told) != 1 {
				t.Fatalf("alice got %d idle DMs, want 1", len(told))
			}
			contains(t, "partner's DM", slacktest.RecordText(told[0]), "<@UBERT> is taking a break", "Your pairing stays")
			contains(t, "status while paused", h.say(t, "UBERT", "/mentor", "status"), "*Paused", "`/mentor resume`")

			updated := h.csClick(t, "UBERT", "resume", paused)
			contains(t, "resumed", slacktest.RecordText(updated), "Welcome back")
			csButtons(t, "the resumed idle DM", updated)
			if status := h.say(t, "UBERT", "/mentor", "status"); strings.Contains(status, "Paused") {
				t.Errorf("status after resume still says paused: %s", status)
			}
			if p := h.participant(t, "UBERT"); p.PausedUntil != nil || p.Idle {
				t.Errorf("bertram after resume: %+v", p)
			}
		})
	}
}

// ---------------------------------------------------------------------------
// Avoid lists

// TestConsentAvoidIsPrivateAndBothWays: `/mentor avoid @x` keeps the two apart in every
// round, whichever of them avoids the other; the bare command lists, unavoid frees
// them; the other person is told nothing, and the admin's round names no avoid list.
func TestConsentAvoidIsPrivateAndBothWays(t *testing.T) {
	tests := []struct{ who, whom, whomName string }{
		{"UALICE", "UBERT", "bertram"},
		{"UBERT", "UALICE", "alice"},
	}
	for _, tt := range tests {
		t.Run(tt.who+" avoids "+tt.whom, func(t *testing.T) {
			h := startMain(t, options{})
			h.say(t, "UALICE", "/mentor", "join mentor go")
			h.say(t, "UBERT", "/mentor", "join mentee go")
			start := h.seq()
			ref := "<@" + tt.whom + "|" + tt.whomName + ">"
			contains(t, "avoid", h.say(t, tt.who, "/mentor", "avoid "+ref), "never be paired with <@"+tt.whom+">", "won't be told")
			contains(t, "avoid again", h.say(t, tt.who, "/mentor", "avoid "+ref), "already on your avoid list")
			contains(t, "list", h.say(t, tt.who, "/mentor", "avoid"), "*Your avoid list*", "• <@"+tt.whom+">")
			contains(t, "the other's list", h.say(t, tt.whom, "/mentor", "avoid"), "Your avoid list is empty")
			for _, cmd := range []string{"pair preview", "pair"} {
				summary := h.say(t, "UADMIN", "/mentor", cmd)
				contains(t, cmd, summary, "No new pairs")
				if strings.Contains(strings.ToLower(summary), "avoid") {
					t.Errorf("the admin's /mentor %s mentions the avoid list: %s", cmd, summary)
				}
			}
			csNoPairings(t, h, "UBERT")
			h.csDrained(t)
			for _, r := range h.srv.Records()[start:] {
				if r.User != tt.whom && r.Channel != h.srv.DMChannelID(tt.whom) {
					continue
				}
				if text := slacktest.RecordText(r); strings.Contains(strings.ToLower(text), "avoid") && !strings.Contains(text, "Your avoid list is empty") ||
					strings.Contains(text, "<@"+tt.who+">") {
					t.Errorf("%s, the avoided person, was shown %s %q", tt.whom, r.Kind, text)
				}
			}
			contains(t, "unavoid", h.say(t, tt.who, "/mentor", "unavoid "+ref), "off your avoid list")
			contains(t, "empty list", h.say(t, tt.who, "/mentor", "avoid"), "Your avoid list is empty")
			contains(t, "round after unavoid", h.say(t, "UADMIN", "/mentor", "pair"), "*1* new pair")
		})
	}
}

// ---------------------------------------------------------------------------
// Meeting times

// csLine returns the line of text that starts with prefix ("" when none).
func csLine(text, prefix string) string {
	for l := range strings.SplitSeq(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

var csClockTime = regexp.MustCompile(`\d\d:\d\d–\d\d:\d\d`)

// TestConsentMeetingTimes: an intro names the stretches of the coming week inside both
// members' MENTORBOT_WORKING_HOURS, each member's in their own zone, or says plainly
// that their working days do not overlap; a nudge names them in its reader's zone.
func TestConsentMeetingTimes(t *testing.T) {
	noOverlap := "your working days don't overlap"
	tests := []struct {
		name     string
		env      map[string]string
		menteeTZ string
		want     map[string]string // member: the one time span each window shows; "" for none
	}{
		{"Berlin and New York", nil, "America/New_York", map[string]string{"UALICE": "15:00–17:00", "UBERT": "09:00–11:00"}},
		{"Berlin and Los Angeles", nil, "America/Los_Angeles", nil},
		{"short working days", map[string]string{"MENTORBOT_WORKING_HOURS": "09:00-12:00"}, "America/New_York", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startMain(t, options{env: tt.env})
			h.srv.AddUser(slacktest.User{ID: "UBERT", Name: "bertram", RealName: "Bertram", TZ: tt.menteeTZ})
			h.say(t, "UALICE", "/mentor", "join mentor go")
			h.say(t, "UBERT", "/mentor", "join mentee go")
			start := h.seq()
			h.say(t, "UADMIN", "/mentor", "pair")
			intro := slacktest.RecordText(h.record(t, start, "intro", isIntro("UBERT", "UALICE")))
			if tt.want == nil {
				contains(t, "intro", intro, noOverlap)
				if csClockTime.MatchString(intro) {
					t.Errorf("an intro without shared hours names times: %s", intro)
				}
				return
			}
			if strings.Contains(intro, noOverlap) {
				t.Errorf("the intro says the days don't overlap: %s", intro)
			}
			zones := map[string]string{"UALICE": "Europe/Berlin", "UBERT": tt.menteeTZ}
			for who, span := range tt.want {
				line := csLine(intro, "• <@"+who+">: ")
				spans := csClockTime.FindAllString(line, -1)
				if len(spans) != mentoring.MaxMeetingWindows || !strings.HasSuffix(line, "("+zones[who]+")") {
					t.Errorf("%s's meeting times %q, want %d windows in %s", who, line, mentoring.MaxMeetingWindows, zones[who])
				}
				for _, s := range spans {
					if s != span {
						t.Errorf("%s's meeting times %q show %s, want %s in their zone", who, line, s, span)
					}
				}
			}
			contains(t, "intro", intro, "• <@UBERT>: Tuesday 24 November, 09:00–11:00", "• <@UALICE>: Tuesday 24 November, 15:00–17:00")

			// A nudge (no meeting for 14 days) names them to its reader in their zone.
			start = h.seq()
			h.csTick(t, dec(9, 16, 0)) // Wednesday 9 December, past 10:00 in both zones
			for who, span := range tt.want {
				nudge := slacktest.RecordText(h.noticeDM(t, start, who, mentoring.KindNudge))
				line := csLine(nudge, "*Times in both your working days:*")
				if spans := csClockTime.FindAllString(line, -1); len(spans) == 0 || spans[0] != span || !strings.HasSuffix(line, "(your time).") {
					t.Errorf("%s's nudge names %q, want %s in their own time", who, line, span)
				}
			}
		})
	}
}
