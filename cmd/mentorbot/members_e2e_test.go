package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
)

func TestJoinDirectly(t *testing.T) {
	h := startMain(t, options{})
	contains(t, "welcome", h.say(t, "UALICE", "/mentor", "join mentee Go,  Public   Speaking, go"),
		"Welcome", "mentee", "go, public speaking")
	p := h.participant(t, "UALICE")
	if p.Role != mentoring.RoleMentee || !slices.Equal(p.Topics, []string{"go", "public speaking"}) ||
		p.Capacity != mentoring.DefaultCapacity || p.TimeZone != "Europe/Berlin" || !p.JoinedAt.Equal(fixedNow) {
		t.Errorf("after join: %+v", p)
	}
	contains(t, "rejoin", h.say(t, "UALICE", "/mentor", "join both rust"), "your role is now *mentor and mentee* (was mentee)", "your topics are now rust")
	contains(t, "same again", h.say(t, "UALICE", "/mentor", "join both"), "nothing changed")
	if p := h.participant(t, "UALICE"); !slices.Equal(p.Topics, []string{"rust"}) {
		t.Errorf("joining without topics dropped them: %v", p.Topics)
	}
	// A person with no time zone in Slack gets the default (MENTORBOT_TIMEZONE, UTC).
	h.say(t, "UCHEN", "/mentor", "join mentor go")
	if p := h.participant(t, "UCHEN"); p.TimeZone != "" || h.m.prog.Location(p) != time.UTC {
		t.Errorf("no-zone person: zone %q, location %v", p.TimeZone, h.m.prog.Location(p))
	}
}

func TestJoinRefusals(t *testing.T) {
	h := startMain(t, options{})
	tests := []struct {
		user, text string
		want       []string
	}{
		{"UALICE", "join boss go", []string{"Start with your role (mentor, mentee or both)", "for example `/mentor join mentee go, public speaking`"}},
		{"UALICE", "join mentor " + strings.Repeat("x", 41), []string{"at most 40 characters"}},
		{"UALICE", "join mentor a,b,c,d,e,f,g,h,i,j,k", []string{"at most 10 topics"}},
		{"UROBOT", "join mentor go", []string{"is a bot"}},
		{"UGONE", "join mentor go", []string{"deactivated"}},
	}
	for _, tt := range tests {
		contains(t, tt.text, h.say(t, tt.user, "/mentor", tt.text), tt.want...)
	}
	var all []mentoring.Participant
	h.view(t, func(tx mentoring.Tx) error {
		var err error
		all, err = tx.Participants()
		return err
	})
	if len(all) != 0 {
		t.Errorf("refused joins stored %d participants", len(all))
	}
}

func TestNotJoinedIsToldHowToJoin(t *testing.T) {
	h := startMain(t, options{})
	for _, text := range []string{"status", "goals", "goal add learn go", "goal done 1", "capacity 3", "team X", "manager <@UBERT|bertram>", "leave"} {
		contains(t, text, h.say(t, "UALICE", "/mentor", text), "/mentor join")
	}
}

func TestProfileCommands(t *testing.T) {
	h := startMain(t, options{})
	h.say(t, "UALICE", "/mentor", "join mentor go")
	h.say(t, "UBERT", "/mentor", "join mentee go")
	tests := []struct {
		user, text string
		want       []string
	}{
		{"UALICE", "capacity 3", []string{"at most *3* mentees"}},
		{"UALICE", "capacity 0", []string{"from 1 to 10", "for example `/mentor capacity 2`"}},
		{"UALICE", "capacity 11", []string{"from 1 to 10"}},
		{"UALICE", "capacity two", []string{"from 1 to 10"}},
		{"UALICE", "capacity", []string{"from 1 to 10"}},
		{"UBERT", "capacity 2", []string{"Capacity is for mentors"}},
		{"UBERT", "manager <@UALICE|alice>", []string{"<@UALICE> is your manager"}},
		{"UBERT", "manager <@UADMIN>", []string{"<@UADMIN> is your manager"}},
		{"UBERT", "manager <@UBERT|bertram>", []string{"can't be your own manager"}},
		{"UBERT", "manager <@UROBOT|robot>", []string{"is a bot"}},
		{"UBERT", "manager alice", []string{"@mention"}},
		{"UBERT", "team   Payments  Core ", []string{"your team is *Payments Core*"}},
		{"UBERT", "team", []string{"for example `/mentor team Payments`"}},
		{"UBERT", "team " + strings.Repeat("t", 81), []string{"at most 80 characters"}},
		{"UBERT", "goal add give a talk <!channel>", []string{"Added goal 1", "give a talk @\u2060channel"}},
		{"UBERT", "goal add ship the thing", []string{"Added goal 2"}},
		{"UBERT", "goal add", []string{"Say what the goal is"}},
		{"UBERT", "goal add " + strings.Repeat("g", 301), []string{"at most 300 characters"}},
		{"UBERT", "goal done 1", []string{"Goal 1 done"}},
		{"UBERT", "goal done 1", []string{"already done"}},
		{"UBERT", "goal done 7", []string{"There is no goal 7", "numbered 1 to 2", "`/mentor goal done 1`"}},
		{"UBERT", "goal done first", []string{"by its number"}},
		{"UBERT", "goal frob", []string{"/mentor goal add"}},
		{"UBERT", "goals", []string{":white_check_mark: 1. give a talk", ":white_square: 2. ship the thing"}},
	}
	for _, tt := range tests {
		contains(t, tt.text, h.say(t, tt.user, "/mentor", tt.text), tt.want...)
	}
	if p := h.participant(t, "UALICE"); p.Capacity != 3 {
		t.Errorf("capacity = %d, want 3 (refused values must not stick)", p.Capacity)
	}
	if p := h.participant(t, "UBERT"); p.ManagerID != "UADMIN" || p.Team != "Payments Core" || len(p.Goals) != 2 || !p.Goals[0].Done() {
		t.Errorf("bertram after commands: %+v", p)
	}
	// Status, with the next check-in in the person's zone: Monday 30 November, 10:00
	// New York time for Bertram.
	contains(t, "status", h.say(t, "UBERT", "/mentor", "status"),
		"*Role:* mentee", "*Topics:* go", "*Team:* Payments Core", "<@UADMIN>", "*Partners:* none yet",
		"Monday 30 November at 10:00 (America/New_York)", "2. ship the thing")
	contains(t, "mentor status", h.say(t, "UALICE", "/mentor", "status"), "up to 3 mentees", "(Europe/Berlin)")
}

func TestKudos(t *testing.T) {
	h := startMain(t, options{})
	h.srv.AddChannel("CSECRET", "secret", false)
	start := h.seq()
	// As Slack sends it: a typed <3 arrives as &lt;3, a typed @channel as <!channel>.
	contains(t, "kudos", h.say(t, "UALICE", "/kudos", "<@UBERT|bertram> great review &lt;3 <!channel>"), "posted in <#C0GENERAL>")
	post := h.record(t, start, "kudos post", func(r slacktest.Record) bool { return r.Kind == "message" && r.Channel == "C0GENERAL" })
	text := slacktest.RecordText(post)
	contains(t, "kudos post", text, "<@UBERT>", "<@UALICE>", "great review &lt;3 @\u2060channel")
	if m := slacktest.LiveMentions(text); !sameSet(m, []string{"<@UBERT>", "<@UALICE>"}) {
		t.Errorf("kudos post mentions %v, want only giver and receiver", m)
	}

	refusals := []struct{ text, want string }{
		{"<@UALICE|alice> me me me", "not yourself"},
		{"<@UROBOT|robot> beep", "is a bot"},
		{"<@UGONE|gone> miss you", "deactivated"},
		// The programme's messages are whole sentences now: "Add a message, e.g. …".
		{"<@UBERT|bertram>", "Add a message"},
		{"<@UBERT|bertram>    ", "Add a message"},
		{"thanks everyone", "@mention"},
		{"", "opened the kudos form"},
		{"<@UBERT|bertram> " + strings.Repeat("k", 1001), "at most 1000"},
	}
	for _, tt := range refusals {
		contains(t, tt.text, h.say(t, "UALICE", "/kudos", tt.text), tt.want)
	}
	// A channel the bot is not in: the giver learns how to fix it; nothing recorded.
	ctx, cancel := context.WithTimeout(context.Background(), slackDeadline)
	defer cancel()
	ack, err := h.srv.SlashCommandIn(ctx, "UALICE", "CSECRET", "/kudos", "<@UBERT|bertram> again")
	if err != nil {
		t.Fatal(err)
	}
	contains(t, "not in channel", replyText(replyOf(t, ack)), "not_in_channel", "/invite @mentorbot", "MENTORBOT_KUDOS_CHANNEL")
	var got []mentoring.Kudos
	h.view(t, func(tx mentoring.Tx) error {
		var err error
		got, err = tx.KudosFor("UBERT", 10)
		return err
	})
	if len(got) != 1 || got[0].Message != "great review <3 @channel" || got[0].FromID != "UALICE" {
		t.Errorf("recorded kudos = %+v; want only the first", got)
	}
}

func TestKudosGoToTheKudosChannel(t *testing.T) {
	h := startMain(t, options{env: map[string]string{"MENTORBOT_KUDOS_CHANNEL": "CKUDOS"}})
	h.srv.AddChannel("CKUDOS", "kudos", true)
	start := h.seq()
	contains(t, "kudos", h.say(t, "UALICE", "/kudos", "<@UBERT> thanks"), "<#CKUDOS>")
	h.record(t, start, "post in #kudos", func(r slacktest.Record) bool { return r.Kind == "message" && r.Channel == "CKUDOS" })
}

func TestKudosModalFromHome(t *testing.T) {
	h := startMain(t, options{})
	h.say(t, "UALICE", "/mentor", "join mentor go")
	start := h.seq()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := h.srv.AppHomeOpened(ctx, "UALICE"); err != nil {
		t.Fatal(err)
	}
	home := h.record(t, start, "home view", func(r slacktest.Record) bool { return r.Kind == "view_publish" && r.User == "UALICE" })
	start = h.seq()
	if _, err := h.srv.BlockAction(ctx, "UALICE", slacktest.BlockActionSpec{ActionID: actionKudosOpen, ViewID: home.ViewID}); err != nil {
		t.Fatal(err)
	}
	modal := h.record(t, start, "kudos modal", func(r slacktest.Record) bool {
		return r.Kind == "view_open" && strings.Contains(string(r.View), `"callback_id":"kudos"`)
	})
	submit := func(to, msg string) {
		t.Helper()
		values := map[string]map[string]any{
			blockKudosTo:      {blockKudosTo: map[string]any{"type": "users_select", "selected_user": to}},
			blockKudosMessage: {blockKudosMessage: map[string]any{"type": "plain_text_input", "value": msg}},
			blockKudosChannel: {blockKudosChannel: map[string]any{"type": "conversations_select", "selected_conversation": "C0GENERAL"}},
		}
		if _, err := h.srv.ViewSubmission(ctx, "UALICE", modal.ViewID, values); err != nil {
			t.Fatal(err)
		}
	}
	start = h.seq()
	submit("UALICE", "me")
	errs := h.record(t, start, "errors in the modal", func(r slacktest.Record) bool { return r.Kind == "view_errors" })
	if !strings.Contains(errs.Errors[blockKudosTo], "not yourself") {
		t.Errorf("modal errors = %v, want one under %s", errs.Errors, blockKudosTo)
	}
	start = h.seq()
	submit("UBERT", "thanks for the pairing session")
	h.record(t, start, "modal closed", func(r slacktest.Record) bool { return r.Kind == "view_close" })
	h.record(t, start, "kudos post", func(r slacktest.Record) bool {
		return r.Kind == "message" && r.Channel == "C0GENERAL" && strings.Contains(r.Text, "thanks for the pairing session")
	})
	h.record(t, start, "confirmation DM", func(r slacktest.Record) bool {
		return r.Kind == "message" && r.Channel == h.srv.DMChannelID("UALICE") && strings.Contains(r.Text, "posted in <#C0GENERAL>")
	})
}

func TestJoinModal(t *testing.T) {
	h := startMain(t, options{})
	start := h.seq()
	contains(t, "join reply", replyText(replyOf(t, h.command(t, "UALICE", "/mentor", "join"))), "opened the join form")
	modal := h.record(t, start, "join modal", func(r slacktest.Record) bool {
		return r.Kind == "view_open" && r.User == "UALICE" && strings.Contains(string(r.View), `"callback_id":"join"`)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	values := func(role, topics, goals, capacity, manager, team string) map[string]map[string]any {
		v := map[string]map[string]any{
			inputRole:   {inputRole: map[string]any{"type": "static_select", "selected_option": map[string]any{"value": role}}},
			inputTopics: {inputTopics: map[string]any{"type": "plain_text_input", "value": topics}},
			inputGoals:  {inputGoals: map[string]any{"type": "plain_text_input", "value": goals}},
			inputTeam:   {inputTeam: map[string]any{"type": "plain_text_input", "value": team}},
			inputCapacity: {inputCapacity: map[string]any{"type": "static_select",
				"selected_option": map[string]any{"value": capacity}}},
		}
		if manager != "" {
			v[inputManager] = map[string]any{inputManager: map[string]any{"type": "users_select", "selected_user": manager}}
		}
		return v
	}
	start = h.seq()
	if _, err := h.srv.ViewSubmission(ctx, "UALICE", modal.ViewID, values("mentor", " , ", "", "3", "UALICE", "")); err != nil {
		t.Fatal(err)
	}
	errs := h.record(t, start, "validation errors", func(r slacktest.Record) bool { return r.Kind == "view_errors" })
	if errs.Errors[inputTopics] == "" || !strings.Contains(errs.Errors[inputManager], "own manager") {
		t.Errorf("errors = %v, want topics and manager", errs.Errors)
	}
	if err := h.m.store.View(ctx, func(tx mentoring.Tx) error { _, err := tx.Participant("UALICE"); return err }); mentoring.ErrorCode(err) != mentoring.ENOTFOUND {
		t.Errorf("an invalid form stored the person: %v", err)
	}
	start = h.seq()
	if _, err := h.srv.ViewSubmission(ctx, "UALICE", modal.ViewID,
		values("both", "Go, Leadership", "speak at a meetup\n\n  mentor a new hire ", "3", "UBERT", "Platform")); err != nil {
		t.Fatal(err)
	}
	h.record(t, start, "modal closed", func(r slacktest.Record) bool { return r.Kind == "view_close" })
	dm := h.record(t, start, "welcome DM", func(r slacktest.Record) bool {
		return r.Kind == "message" && r.Channel == h.srv.DMChannelID("UALICE")
	})
	contains(t, "welcome DM", slacktest.RecordText(dm), "Welcome", "mentor and mentee", "go, leadership", "Platform")
	p := h.participant(t, "UALICE")
	if p.Role != mentoring.RoleBoth || p.Capacity != 3 || p.ManagerID != "UBERT" || p.Team != "Platform" ||
		len(p.Goals) != 2 || p.Goals[1].Text != "mentor a new hire" {
		t.Errorf("after the form: %+v", p)
	}
	// Reopening the form shows what was saved.
	start = h.seq()
	h.command(t, "UALICE", "/mentor", "join")
	again := h.record(t, start, "join modal again", func(r slacktest.Record) bool { return r.Kind == "view_open" })
	contains(t, "reopened form", string(again.View), `"initial_value":"go, leadership"`, `"initial_user":"UBERT"`, `"initial_value":"Platform"`)
}

func TestStatsIsForAdminsAndAggregate(t *testing.T) {
	h := startMain(t, options{})
	h.say(t, "UALICE", "/mentor", "join mentor go")
	h.say(t, "UBERT", "/mentor", "join mentee go")
	h.say(t, "UBERT", "/mentor", "goal add secret plan to take over")
	h.say(t, "UALICE", "/kudos", "<@UBERT> nice")
	contains(t, "non-admin", h.say(t, "UBERT", "/mentor", "stats"), "Only programme admins", "Nothing was changed")
	got := h.say(t, "UADMIN", "/mentor", "stats")
	contains(t, "stats", got, "1 mentor", "1 mentee", "0 active", "1 mentee waiting for a mentor", "hidden: fewer than 5",
		"1 set · 0 done", "*Kudos since the start:* 1 given")
	for _, secret := range []string{"secret plan", "UBERT", "UALICE", "nice"} {
		if strings.Contains(got, secret) {
			t.Errorf("stats show %q:\n%s", secret, got)
		}
	}
}

func TestAppHome(t *testing.T) {
	h := startMain(t, options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	open := func(user string) slacktest.Record {
		t.Helper()
		start := h.seq()
		if _, err := h.srv.AppHomeOpened(ctx, user); err != nil {
			t.Fatal(err)
		}
		return h.record(t, start, "home view for "+user, func(r slacktest.Record) bool { return r.Kind == "view_publish" && r.User == user })
	}
	// Not joined: an invitation with a join button that opens the join modal.
	home := open("UALICE")
	contains(t, "home before joining", slacktest.RecordText(home), "Join the programme")
	start := h.seq()
	if _, err := h.srv.BlockAction(ctx, "UALICE", slacktest.BlockActionSpec{ActionID: actionHomeJoin, ViewID: home.ViewID}); err != nil {
		t.Fatal(err)
	}
	h.record(t, start, "join modal from home", func(r slacktest.Record) bool {
		return r.Kind == "view_open" && strings.Contains(string(r.View), `"callback_id":"join"`)
	})

	// A change republishes the tab without the person reopening it.
	h.say(t, "UALICE", "/mentor", "join mentee go")
	h.say(t, "UBERT", "/kudos", "<@UALICE> you rock")
	start = h.seq()
	h.say(t, "UALICE", "/mentor", "goal add learn <!here> rust")
	republished := h.record(t, start, "republished home", func(r slacktest.Record) bool {
		return r.Kind == "view_publish" && r.User == "UALICE" && strings.Contains(slacktest.RecordText(r), "learn")
	})
	contains(t, "home", slacktest.RecordText(republished), "*Role:* mentee", "learn @\u2060here rust", "Kudos received", "you rock",
		"Add a goal", "Give kudos", "Leave the programme")

	// Add a goal through the Home tab's modal, then mark it done.
	start = h.seq()
	if _, err := h.srv.BlockAction(ctx, "UALICE", slacktest.BlockActionSpec{ActionID: actionHomeGoalAdd, ViewID: republished.ViewID}); err != nil {
		t.Fatal(err)
	}
	modal := h.record(t, start, "goal modal", func(r slacktest.Record) bool { return r.Kind == "view_open" })
	start = h.seq()
	if _, err := h.srv.ViewSubmission(ctx, "UALICE", modal.ViewID, map[string]map[string]any{
		inputGoal: {inputGoal: map[string]any{"type": "plain_text_input", "value": "write a blog post"}},
	}); err != nil {
		t.Fatal(err)
	}
	latest := h.record(t, start, "home with the new goal", func(r slacktest.Record) bool {
		return r.Kind == "view_publish" && strings.Contains(slacktest.RecordText(r), "write a blog post")
	})
	if _, err := h.srv.BlockAction(ctx, "UALICE", slacktest.BlockActionSpec{ActionID: actionHomeGoalDone, ViewID: latest.ViewID, Value: "2"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "goal 2 done", func() bool {
		p := h.participant(t, "UALICE")
		return len(p.Goals) == 2 && p.Goals[1].Done() && !p.Goals[0].Done()
	})

	// Leave, behind Slack's confirmation dialog.
	if !strings.Contains(string(latest.View), `"confirm"`) {
		t.Error("the leave button has no confirmation dialog")
	}
	start = h.seq()
	if _, err := h.srv.BlockAction(ctx, "UALICE", slacktest.BlockActionSpec{ActionID: actionHomeLeave, ViewID: latest.ViewID}); err != nil {
		t.Fatal(err)
	}
	h.record(t, start, "leave DM", func(r slacktest.Record) bool {
		return r.Kind == "message" && strings.Contains(r.Text, "left the mentoring programme")
	})
	if p := h.participant(t, "UALICE"); p.LeftAt == nil {
		t.Error("still a member after leaving from the Home tab")
	}

	// An admin's home also shows the programme figures.
	contains(t, "admin home", slacktest.RecordText(open("UADMIN")), "Programme figures", "hidden: fewer than 5")
}
