package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// dana joins the harness's workspace for the kudos tests: a fourth person to thank.
var dana = slacktest.User{ID: "UDANA", Name: "dana", RealName: "Dana", TZ: "Europe/Lisbon"}

// kudosFor returns the kudos stored for userID, newest first.
func (h *harness) kudosFor(t testing.TB, userID string) []mentoring.Kudos {
	t.Helper()
	var ks []mentoring.Kudos
	h.view(t, func(tx mentoring.Tx) error {
		var err error
		ks, err = tx.KudosFor(userID, 100)
		return err
	})
	return ks
}

// posts returns the messages posted in channel after seq.
func (h *harness) posts(after int, channel string) []slacktest.Record {
	var out []slacktest.Record
	for _, r := range h.srv.Records()[after:] {
		if r.Kind == "message" && r.Channel == channel {
			out = append(out, r)
		}
	}
	return out
}

// TestKudosAsPeopleWriteThem gives kudos the ways people write them: each gives one
// post naming everyone thanked, a reply naming them, and a record for each of them.
func TestKudosAsPeopleWriteThem(t *testing.T) {
	tests := []struct {
		name string
		text string // as Slack sends it
		// to are the people thanked; post and reply are what the post and the giver's
		// reply must say; message is what each record keeps.
		to      []string
		post    []string
		reply   string
		message string
	}{
		{
			name: "two people", text: "<@UCHEN|chen> <@UDANA|dana> thanks both",
			to:      []string{"UCHEN", "UDANA"},
			post:    []string{"*Kudos to <@UCHEN> and <@UDANA>* from <@UALICE>\n>thanks both"},
			reply:   "Your kudos for <@UCHEN> and <@UDANA> are posted in <#C0GENERAL>. Thank you for noticing!",
			message: "thanks both",
		},
		{
			name: "named in the message", text: "thanks <@UBERT|bertram> for the review",
			to:      []string{"UBERT"},
			post:    []string{"*Kudos to <@UBERT>* from <@UALICE>", "thanks <@UBERT> for the review"},
			reply:   "Your kudos for <@UBERT> are posted in <#C0GENERAL>.",
			message: "thanks @bertram for the review",
		},
		{
			name: "named first and in the message, one twice", text: "<@UCHEN>, <@UDANA> and <@UCHEN|chen> the launch went great thanks to <@UBERT|bertram> too",
			to:      []string{"UCHEN", "UDANA", "UBERT"},
			post:    []string{"*Kudos to <@UCHEN>, <@UDANA> and <@UBERT>* from <@UALICE>", "thanks to <@UBERT> too"},
			reply:   "Your kudos for <@UCHEN>, <@UDANA> and <@UBERT> are posted",
			message: "the launch went great thanks to @bertram too",
		},
		{
			name: "kept as typed, pinging nobody", text: "<@UDANA> 👩🏽‍💻 می‌خواهم &lt;3 <!here> <!subteam^S1|@eng>",
			to:      []string{"UDANA"},
			post:    []string{"👩🏽‍💻 می‌خواهم &lt;3 @\u2060here @eng"},
			reply:   "Your kudos for <@UDANA> are posted",
			message: "👩🏽‍💻 می‌خواهم <3 @here @eng",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startMain(t, options{})
			h.srv.AddUser(dana)
			start := h.seq()
			contains(t, "reply", h.say(t, "UALICE", "/kudos", tt.text), tt.reply)
			// The post is made before the reply: it is there now, once.
			posts := h.posts(start, "C0GENERAL")
			if len(posts) != 1 {
				t.Fatalf("%d posts in #general, want one", len(posts))
			}
			text := slacktest.RecordText(posts[0])
			contains(t, "post", text, tt.post...)
			if got, want := slacktest.LiveMentions(text), append([]string{"<@UALICE>"}, mentionsOf(tt.to)...); !sameSet(got, want) {
				t.Errorf("the post mentions %v, want %v", got, want)
			}
			for _, id := range tt.to {
				ks := h.kudosFor(t, id)
				if len(ks) != 1 || ks[0].FromID != "UALICE" || ks[0].Message != tt.message {
					t.Errorf("kudos stored for %s = %+v, want one from alice reading %q", id, ks, tt.message)
				}
			}
			// What mydata tells each of them agrees.
			for _, id := range tt.to {
				start := h.seq()
				h.say(t, id, "/mentor", "mydata")
				h.record(t, start, "mydata DM to "+id, func(r slacktest.Record) bool {
					return r.Kind == "message" && r.Channel == h.srv.DMChannelID(id) && strings.Contains(r.Text, "*Kudos received:* 1")
				})
			}
		})
	}
}

func mentionsOf(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = "<@" + id + ">"
	}
	return out
}

// TestKudosRefusals: kudos that cannot be given are refused in the ack, in words that
// say why and what to do, and nothing is posted or recorded, for anyone named.
func TestKudosRefusals(t *testing.T) {
	h := startMain(t, options{})
	h.srv.AddUser(dana)
	var eleven []string
	for i := range mentoring.MaxKudosPeople + 1 {
		eleven = append(eleven, fmt.Sprintf("<@UPEER%02d>", i))
	}
	tests := []struct {
		name, text string
		want       []string
	}{
		{"yourself among others", "<@UCHEN|chen> <@UALICE|alice> thanks team", []string{"not yourself", "nothing was posted", "Leave yourself out"}},
		{"yourself in the message", "thanks <@UCHEN|chen>, from <@UALICE>", []string{"not yourself"}},
		{"a bot among people", "<@UCHEN|chen> <@UROBOT|robot> <@UDANA|dana> thanks", []string{"You named @robot, who is a bot", "nothing was posted", "Leave them out"}},
		{"a deactivated account", "<@UGONE> <@UCHEN> thanks", []string{"has a deactivated Slack account", "nothing was posted"}},
		{"an empty message", "<@UCHEN|chen> <@UDANA|dana>", []string{"Add a message", "`/kudos @alice thanks for the review`"}},
		{"an empty message but spaces", "<@UCHEN|chen>   \n ", []string{"Add a message"}},
		{"too many people", strings.Join(eleven, " ") + " thanks all", []string{"at most 10 people", "you named 11", "nothing was posted"}},
		{"nobody named", "thanks everyone", []string{"@mention", "`/kudos @alice thanks for the review`"}},
		{"too long", "<@UCHEN> " + strings.Repeat("k", mentoring.MaxKudosLen+1), []string{"at most 1000 characters", "yours has 1001"}},
	}
	start := h.seq()
	for _, tt := range tests {
		contains(t, tt.name, h.say(t, "UALICE", "/kudos", tt.text), tt.want...)
	}
	for _, r := range h.srv.Records()[start:] {
		if r.Kind == "message" {
			t.Errorf("a refusal posted in %s: %s", r.Channel, r.Text)
		}
	}
	for _, id := range []string{"UCHEN", "UDANA", "UROBOT", "UGONE", "UALICE", "UPEER00"} {
		if ks := h.kudosFor(t, id); len(ks) != 0 {
			t.Errorf("refused kudos were recorded for %s: %+v", id, ks)
		}
	}
}

// TestKudosModalForSeveral: a bare /kudos opens the kudos modal, where several people
// can be chosen; a refusal shows in the modal, and a good submission posts once.
func TestKudosModalForSeveral(t *testing.T) {
	h := startMain(t, options{})
	start := h.seq()
	contains(t, "bare /kudos", h.say(t, "UALICE", "/kudos", "  "), "opened the kudos form")
	modal := h.record(t, start, "kudos modal", func(r slacktest.Record) bool {
		return r.Kind == "view_open" && r.User == "UALICE" && strings.Contains(string(r.View), `"callback_id":"kudos"`)
	})
	contains(t, "kudos modal", string(modal.View), `"type":"multi_users_select"`, `"max_selected_items":10`)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	submit := func(to []string, msg string) {
		t.Helper()
		values := map[string]map[string]any{
			blockKudosTo:      {blockKudosTo: map[string]any{"type": "multi_users_select", "selected_users": to}},
			blockKudosMessage: {blockKudosMessage: map[string]any{"type": "plain_text_input", "value": msg}},
			blockKudosChannel: {blockKudosChannel: map[string]any{"type": "conversations_select", "selected_conversation": "C0GENERAL"}},
		}
		if _, err := h.srv.ViewSubmission(ctx, "UALICE", modal.ViewID, values); err != nil {
			t.Fatal(err)
		}
	}
	start = h.seq()
	submit([]string{"UCHEN", "UROBOT"}, "thanks")
	errs := h.record(t, start, "errors in the modal", func(r slacktest.Record) bool { return r.Kind == "view_errors" })
	contains(t, "modal error", errs.Errors[blockKudosTo], "is a bot", "nothing was posted")

	start = h.seq()
	// Typed into a plain-text box, <@UADMIN> and @here are words, not mentions.
	submit([]string{"UCHEN", "UBERT", "UCHEN"}, "great launch <@UADMIN> @here 🎉")
	h.record(t, start, "modal closed", func(r slacktest.Record) bool { return r.Kind == "view_close" })
	h.record(t, start, "confirmation DM", h.dmTo("UALICE", "Your kudos for <@UCHEN> and <@UBERT> are posted in <#C0GENERAL>."))
	posts := h.posts(start, "C0GENERAL")
	if len(posts) != 1 {
		t.Fatalf("%d posts, want one", len(posts))
	}
	text := slacktest.RecordText(posts[0])
	contains(t, "post", text, "*Kudos to <@UCHEN> and <@UBERT>* from <@UALICE>", "great launch &lt;@UADMIN&gt; @\u2060here 🎉")
	if got := slacktest.LiveMentions(text); !sameSet(got, []string{"<@UCHEN>", "<@UBERT>", "<@UALICE>"}) {
		t.Errorf("the post mentions %v", got)
	}
	for _, id := range []string{"UCHEN", "UBERT"} {
		if ks := h.kudosFor(t, id); len(ks) != 1 || ks[0].Message != "great launch <@UADMIN> @here 🎉" {
			t.Errorf("kudos stored for %s = %+v, want one", id, ks)
		}
	}
}

// TestKudosErasingOneOfSeveral: kudos for two people whose message names both by id
// (a mention Slack sent without a name); one of them asks to be forgotten. The other
// keeps their kudos, and the erased id is nowhere in the database file.
func TestKudosErasingOneOfSeveral(t *testing.T) {
	h := startMain(t, options{})
	h.say(t, "UCHEN", "/mentor", "join mentee go")
	h.say(t, "UBERT", "/mentor", "join mentee go")
	contains(t, "kudos", h.say(t, "UALICE", "/kudos", "thanks <@UCHEN> and <@UBERT> for the review"),
		"Your kudos for <@UCHEN> and <@UBERT> are posted")
	// Bertram also gave kudos to chen, naming nobody else: erased with him.
	h.say(t, "UBERT", "/kudos", "<@UCHEN> kudos-written-by-bertram")
	path := h.m.store.Path()
	if raw, _ := os.ReadFile(path); !bytes.Contains(raw, []byte("@UBERT for the review")) {
		t.Fatal("bertram's id is not in the kudos text before the erasure: the test would prove nothing")
	}

	start := h.seq()
	h.say(t, "UBERT", "/mentor", "forget")
	ask := h.record(t, start, "confirmation", func(r slacktest.Record) bool {
		return r.Kind == "ephemeral" && r.User == "UBERT" && strings.Contains(string(r.Blocks), actionForgetConfirm)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := h.srv.BlockAction(ctx, "UBERT", slacktest.BlockActionSpec{ActionID: actionForgetConfirm, MessageTS: ask.TS, ChannelID: ask.Channel}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the erasure to finish", func() bool {
		pending, err := h.m.prog.PendingErasures(context.Background())
		return err == nil && len(pending) == 0 && len(h.kudosFor(t, "UBERT")) == 0
	})
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, trace := range []string{"UBERT", "kudos-written-by-bertram"} {
		if n := bytes.Count(raw, []byte(trace)); n > 0 {
			t.Errorf("%q is still in the database file, %d times", trace, n)
		}
	}
	ks := h.kudosFor(t, "UCHEN")
	if want := "thanks @UCHEN and someone for the review"; len(ks) != 1 || ks[0].Message != want || ks[0].FromID != "UALICE" {
		t.Errorf("chen's kudos after bertram's erasure = %+v, want alice's alone, reading %q", ks, want)
	}
}
