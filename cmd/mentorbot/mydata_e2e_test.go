package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// TestPauseLengths is how `/mentor pause` reads a length, at fixedNow for someone in
// Berlin: a number of days or weeks from now, or until midnight starting a date in
// their zone; a date that has passed, over a year, no length or nonsense are refused.
func TestPauseLengths(t *testing.T) {
	h := startMain(t, options{})
	h.say(t, "UALICE", "/mentor", "join mentor go")
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in      string
		want    time.Time
		reply   string // what the reply says
		wantErr bool
	}{
		{in: "2w", want: fixedNow.Add(14 * 24 * time.Hour), reply: "Paused until Tuesday 8 December 2026"},
		{in: "10d", want: fixedNow.Add(10 * 24 * time.Hour), reply: "Paused until Friday 4 December 2026"},
		{in: "1 week", want: fixedNow.Add(7 * 24 * time.Hour), reply: "Paused until Tuesday 1 December 2026"},
		{in: "2026-12-31", want: time.Date(2026, 12, 31, 0, 0, 0, 0, berlin), reply: "Paused until Thursday 31 December 2026"},
		{in: "2026-11-01", wantErr: true, reply: "That date has passed"},
		{in: "2028-01-01", wantErr: true, reply: "up to a year"},
		{in: "0d", wantErr: true, reply: "/mentor pause 2w"},
		{in: "soon", wantErr: true, reply: "/mentor pause 2w"},
		{in: "", wantErr: true, reply: "/mentor pause 2w"},
	}
	for _, tt := range tests {
		// Each case starts unpaused, so a refusal can be seen to change nothing.
		h.say(t, "UALICE", "/mentor", "resume")
		contains(t, "pause "+tt.in, h.say(t, "UALICE", "/mentor", "pause "+tt.in), tt.reply)
		got := h.participant(t, "UALICE").PausedUntil
		switch {
		case tt.wantErr && got != nil:
			t.Errorf("pause %q: paused until %v, want refused", tt.in, got)
		case !tt.wantErr && (got == nil || !got.Equal(tt.want)):
			t.Errorf("pause %q: paused until %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestPauseResumeAndMyData(t *testing.T) {
	h := startMain(t, options{})
	h.say(t, "UALICE", "/mentor", "join mentor go")
	h.say(t, "UBERT", "/mentor", "join mentee go")
	h.say(t, "UBERT", "/mentor", "goal add ship it")
	h.say(t, "UALICE", "/kudos", "<@UBERT> well done")
	h.say(t, "UADMIN", "/mentor", "pair")

	contains(t, "pause", h.say(t, "UBERT", "/mentor", "pause 2w"), "Paused until Tuesday 8 December 2026", "pairings stay")
	contains(t, "bad pause", h.say(t, "UBERT", "/mentor", "pause forever"), "/mentor pause 2w")
	contains(t, "status while paused", h.say(t, "UBERT", "/mentor", "status"), "*Paused* until Tuesday 8 December")
	contains(t, "stats", h.say(t, "UADMIN", "/mentor", "stats"), "(1 paused)")
	contains(t, "resume", h.say(t, "UBERT", "/mentor", "resume"), "Welcome back")
	contains(t, "resume again", h.say(t, "UBERT", "/mentor", "resume"), "weren't paused")
	if p := h.participant(t, "UBERT"); p.PausedUntil != nil {
		t.Errorf("still paused until %v", p.PausedUntil)
	}

	start := h.seq()
	contains(t, "mydata", h.say(t, "UBERT", "/mentor", "mydata"), "sent you a DM")
	text := h.record(t, start, "mydata DM", h.dmTo("UBERT", "Everything mentorbot stores about you"))
	contains(t, "mydata text", slacktest.RecordText(text), "*Role:* mentee", "ship it", "With <@UALICE> since Tuesday 24 November 2026, still going", "*Kudos received:* 1")
	file := h.record(t, start, "mydata file", func(r slacktest.Record) bool { return r.Kind == "file" && r.File != nil })
	if file.Channel != h.srv.DMChannelID("UBERT") {
		t.Errorf("the file went to %s, not bertram's DM", file.Channel)
	}
	var got mentoring.PersonalData
	if err := json.Unmarshal(file.File.Content, &got); err != nil {
		t.Fatalf("mydata file is not JSON: %v\n%s", err, file.File.Content)
	}
	if got.Participant == nil || got.Participant.ID != "UBERT" || len(got.Pairings) != 1 || len(got.KudosReceived) != 1 ||
		got.KudosReceived[0].Message != "well done" || got.Participant.Goals[0].Text != "ship it" {
		t.Errorf("mydata JSON = %+v", got)
	}
	contains(t, "mydata of a stranger", h.say(t, "UCHEN", "/mentor", "mydata"), "Nothing is stored about you")
}
