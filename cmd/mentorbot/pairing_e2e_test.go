package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// isIntro matches the intro of a pair in their group DM.
func isIntro(mentee, mentor string) func(r slacktest.Record) bool {
	return func(r slacktest.Record) bool {
		return r.Kind == "message" && strings.HasPrefix(r.Channel, "G") &&
			strings.Contains(r.Text, "<@"+mentee+">, meet <@"+mentor+">")
	}
}

func TestPairRoundIntroducesTheObviousPair(t *testing.T) {
	h := startMain(t, options{})
	h.say(t, "UALICE", "/mentor", "join mentor go, rust")
	h.say(t, "UALICE", "/mentor", "team Platform")
	h.say(t, "UBERT", "/mentor", "join mentee go")
	h.say(t, "UBERT", "/mentor", "team Payments")
	h.say(t, "UBERT", "/mentor", "goal add lead a design review")
	start := h.seq()
	contains(t, "summary", h.say(t, "UADMIN", "/mentor", "pair"), "*1* new pair", "every waiting mentee has a mentor", "<@UALICE> mentors <@UBERT>: share go · 6 hours apart · different teams")
	intro := h.record(t, start, "intro", isIntro("UBERT", "UALICE"))
	contains(t, "intro", slacktest.RecordText(intro), "you share an interest in go", "different teams", "Payments and Platform",
		"*Time zones:* you're 6 hours apart",
		"lead a design review", "line up with their team's and the organisation's goals")
	var meta slack.SlackMetadata
	if err := json.Unmarshal(intro.Metadata, &meta); err != nil || meta.EventType != string(mentoring.KindIntro) || meta.EventPayload[metadataID] == nil {
		t.Errorf("intro metadata = %s (%v), want event_type %s with the notice's id", intro.Metadata, err, mentoring.KindIntro)
	}
	contains(t, "mentee status", h.say(t, "UBERT", "/mentor", "status"), "<@UALICE> (your mentor, since 24 November)")
	contains(t, "mentor status", h.say(t, "UALICE", "/mentor", "status"), "<@UBERT> (your mentee")
	contains(t, "stats", h.say(t, "UADMIN", "/mentor", "stats"), "1 active · 0 mentees waiting")
	// A second round has nobody left to pair.
	contains(t, "second round", h.say(t, "UADMIN", "/mentor", "pair"), "No new pairs")
	contains(t, "non-admin", h.say(t, "UBERT", "/mentor", "pair"), "Only programme admins")
}

func TestManagerIsNeverTheMentorAndTheMenteeIsToldWhy(t *testing.T) {
	h := startMain(t, options{})
	h.say(t, "UALICE", "/mentor", "join mentor rust")
	h.say(t, "UADMIN", "/mentor", "join mentor go")
	h.say(t, "UCHEN", "/mentor", "join mentee rust")
	h.say(t, "UCHEN", "/mentor", "manager <@UALICE|alice>")
	start := h.seq()
	contains(t, "summary", h.say(t, "UADMIN", "/mentor", "pair"), "No new pairs", "*1* mentee still needs a mentor")
	dm := h.record(t, start, "unmatched DM", h.dmTo("UCHEN", "couldn't find you a mentor"))
	contains(t, "unmatched DM", dm.Text, "manager", "next round")
	if ps := h.activePairings(t, "UCHEN"); len(ps) != 0 {
		t.Errorf("chen paired with %v", ps)
	}
}

func TestCapacityOneIsRespected(t *testing.T) {
	h := startMain(t, options{})
	h.say(t, "UALICE", "/mentor", "join mentor go")
	h.say(t, "UALICE", "/mentor", "capacity 1")
	h.say(t, "UBERT", "/mentor", "join mentee go")
	h.say(t, "UCHEN", "/mentor", "join mentee go")
	contains(t, "summary", h.say(t, "UADMIN", "/mentor", "pair"), "*1* new pair", "*1* mentee still needs a mentor")
	if ps := h.activePairings(t, "UALICE"); len(ps) != 1 {
		t.Errorf("alice has %d mentees with capacity 1", len(ps))
	}
}

func TestRepeatRoundPrefersNewPartners(t *testing.T) {
	h := startMain(t, options{})
	h.say(t, "UALICE", "/mentor", "join mentor go")
	h.say(t, "UADMIN", "/mentor", "join mentor go")
	h.say(t, "UBERT", "/mentor", "join mentee go")
	h.say(t, "UADMIN", "/mentor", "pair")
	first := h.activePairings(t, "UBERT")
	if len(first) != 1 {
		t.Fatalf("first round: %v", first)
	}
	// Bertram leaves and comes back: the next round pairs him with someone new.
	h.say(t, "UBERT", "/mentor", "leave")
	h.say(t, "UBERT", "/mentor", "join mentee go")
	h.say(t, "UADMIN", "/mentor", "pair")
	second := h.activePairings(t, "UBERT")
	if len(second) != 1 || second[0].MentorID == first[0].MentorID {
		t.Errorf("second round paired bertram with %v again; first was %s", second, first[0].MentorID)
	}
}

func TestPreviewChangesNothingAndMessagesNobody(t *testing.T) {
	h := startMain(t, options{})
	h.say(t, "UALICE", "/mentor", "join mentor go")
	h.say(t, "UBERT", "/mentor", "join mentee go")
	before := h.srv.Calls("chat.postMessage")
	contains(t, "preview", h.say(t, "UADMIN", "/mentor", "pair preview"), "Preview", "nothing was stored", "*1* new pair",
		"<@UALICE> mentors <@UBERT>: share go")
	var all []mentoring.Pairing
	h.view(t, func(tx mentoring.Tx) error {
		var err error
		all, err = tx.Pairings()
		return err
	})
	if len(all) != 0 {
		t.Errorf("preview stored pairings %v", all)
	}
	if q := h.queued(t); len(q) != 0 {
		t.Errorf("preview queued notices %+v", q)
	}
	// Let anything the preview might have queued go out, then check nothing did.
	h.m.delivery.Wake()
	contains(t, "help", h.say(t, "UADMIN", "/mentor", "help"), "/mentor pair")
	if after := h.srv.Calls("chat.postMessage"); len(after) != len(before) {
		t.Errorf("preview sent %d messages", len(after)-len(before))
	}
	contains(t, "bad argument", h.say(t, "UADMIN", "/mentor", "pair now please"), "/mentor pair preview")
}

func TestLeaveAndRematchTellThePartner(t *testing.T) {
	h := startMain(t, options{})
	h.say(t, "UALICE", "/mentor", "join mentor go")
	h.say(t, "UBERT", "/mentor", "join mentee go")
	h.say(t, "UCHEN", "/mentor", "join mentee go")
	h.say(t, "UADMIN", "/mentor", "pair")

	start := h.seq()
	contains(t, "rematch", h.say(t, "UBERT", "/mentor", "rematch"), "ended without blame")
	h.record(t, start, "rematch notice", h.dmTo("UALICE", "no blame"))
	contains(t, "rematch again", h.say(t, "UBERT", "/mentor", "rematch"), "no active pairing")

	start = h.seq()
	contains(t, "leave", h.say(t, "UALICE", "/mentor", "leave"), "left the mentoring programme")
	h.record(t, start, "leave notice", h.dmTo("UCHEN", "<@UALICE> has left the mentoring programme"))
	if ps := h.activePairings(t, "UCHEN"); len(ps) != 0 {
		t.Errorf("chen still paired after alice left: %v", ps)
	}
	// Rematched pairs are never made again.
	h.say(t, "UALICE", "/mentor", "join mentor go")
	h.say(t, "UADMIN", "/mentor", "pair")
	if ps := h.activePairings(t, "UBERT"); len(ps) != 0 {
		t.Errorf("bertram paired again with %v after a rematch", ps)
	}
}

func TestForgetErasesFromDisk(t *testing.T) {
	h := startMain(t, options{})
	const goal = "become-staff-engineer-by-summer"
	h.say(t, "UALICE", "/mentor", "join mentor go")
	h.say(t, "UBERT", "/mentor", "join mentee go")
	h.say(t, "UBERT", "/mentor", "goal add "+goal)
	h.say(t, "UALICE", "/kudos", "<@UBERT> kudos-for-bertram")
	h.say(t, "UADMIN", "/mentor", "pair")
	path := h.m.store.Path()
	if path != h.db {
		t.Fatalf("Main's store is %s, not MENTORBOT_DB_PATH %s", path, h.db)
	}
	if raw, _ := os.ReadFile(path); !bytes.Contains(raw, []byte("UBERT")) {
		t.Fatal("UBERT is not in the file before forget: the test would prove nothing")
	}

	start := h.seq()
	contains(t, "forget", h.say(t, "UBERT", "/mentor", "forget"), "cannot be undone")
	ask := h.record(t, start, "confirmation", func(r slacktest.Record) bool {
		return r.Kind == "ephemeral" && r.User == "UBERT" && strings.Contains(string(r.Blocks), actionForgetConfirm)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start = h.seq()
	if _, err := h.srv.BlockAction(ctx, "UBERT", slacktest.BlockActionSpec{ActionID: actionForgetConfirm, MessageTS: ask.TS, ChannelID: ask.Channel}); err != nil {
		t.Fatal(err)
	}
	h.record(t, start, "erased message", func(r slacktest.Record) bool { return strings.Contains(slacktest.RecordText(r), "has been erased") })
	notice := h.record(t, start, "partner notice", h.dmTo("UALICE", "Your mentoring partner has left"))
	if strings.Contains(notice.Text, "UBERT") {
		t.Errorf("the partner notice names the forgotten person: %s", notice.Text)
	}
	// Told, the pending erasure record goes too, with one more rewrite after its
	// commit: wait for the rewrite, not just the commit.
	waitFor(t, "the erasure to finish", func() bool {
		pending, err := h.m.prog.PendingErasures(context.Background())
		return err == nil && len(pending) == 0
	})
	traces := []string{"UBERT", goal, "kudos-for-bertram"}
	var raw []byte
	ok := func() bool {
		raw, _ = os.ReadFile(path)
		return !slices.ContainsFunc(traces, func(s string) bool { return bytes.Contains(raw, []byte(s)) })
	}
	for deadline := time.Now().Add(10 * time.Second); !ok() && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond) // a poll with a deadline: the rewrite has no signal
	}
	for _, trace := range traces {
		if i := bytes.Index(raw, []byte(trace)); i >= 0 {
			t.Errorf("%q is still in the database file: …%q…", trace, raw[max(0, i-120):min(len(raw), i+120)])
		}
	}
	contains(t, "status after forget", h.say(t, "UBERT", "/mentor", "status"), "/mentor join")
	contains(t, "mentor after forget", h.say(t, "UALICE", "/mentor", "status"), "*Partners:* none right now")
	// Joining again starts fresh.
	contains(t, "rejoin", h.say(t, "UBERT", "/mentor", "join mentee go"), "Welcome")
}
