package bot

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/slacktest"
	"github.com/mentorbot/mentorbot/store"
)

func TestParsePause(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "2w", want: fixedNow.Add(14 * 24 * time.Hour)},
		{in: "10d", want: fixedNow.Add(10 * 24 * time.Hour)},
		{in: "1 week", want: fixedNow.Add(7 * 24 * time.Hour)},
		{in: "2026-12-31", want: time.Date(2026, 12, 31, 0, 0, 0, 0, berlin)},
		{in: "2026-11-01", wantErr: true}, // passed
		{in: "2028-01-01", wantErr: true}, // over a year
		{in: "0d", wantErr: true},
		{in: "soon", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parsePause(tt.in, fixedNow, berlin)
		if (err != nil) != tt.wantErr || (err == nil && !got.Equal(tt.want)) {
			t.Errorf("parsePause(%q) = %v, %v; want %v (error %v)", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestPauseResumeAndMyData(t *testing.T) {
	h := startMembers(t)
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
	contains(t, "mydata text", slacktest.RecordText(text), "*Role:* mentee", "ship it", "with <@UALICE>", "*Kudos received:* 1")
	file := h.record(t, start, "mydata file", func(r slacktest.Record) bool { return r.Kind == "file" && r.File != nil })
	if file.Channel != h.srv.DMChannelID("UBERT") {
		t.Errorf("the file went to %s, not bertram's DM", file.Channel)
	}
	var got store.PersonalData
	if err := json.Unmarshal(file.File.Content, &got); err != nil {
		t.Fatalf("mydata file is not JSON: %v\n%s", err, file.File.Content)
	}
	if got.Participant == nil || got.Participant.ID != "UBERT" || len(got.Pairings) != 1 || len(got.KudosReceived) != 1 ||
		got.KudosReceived[0].Message != "well done" || got.Participant.Goals[0].Text != "ship it" {
		t.Errorf("mydata JSON = %+v", got)
	}
	contains(t, "mydata of a stranger", h.say(t, "UCHEN", "/mentor", "mydata"), "Nothing is stored about you")
}
