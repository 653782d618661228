package demo

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// checkinBlocks is a check-in like the bot's: per partner, a question naming them and
// its buttons, whose values end in tag.
func checkinBlocks(tag string, partners ...string) json.RawMessage {
	blocks := []any{map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": ":calendar: *Weekly check-in.*"}}}
	for _, p := range partners {
		button := func(id, label string) map[string]any {
			return map[string]any{"type": "button", "action_id": id, "value": tag + "-" + p, "text": map[string]any{"type": "plain_text", "text": label}}
		}
		blocks = append(blocks,
			map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": fmt.Sprintf("How did it go with <@%s> this week?", p)}},
			map[string]any{"type": "actions", "block_id": "checkin_" + p, "elements": []any{
				button("checkin_met", "We met"), button("checkin_not_met", "Not this week"), button("checkin_notes", ":memo: Add notes")}})
	}
	b, _ := json.Marshal(blocks)
	return b
}

func TestDemoPickButton(t *testing.T) {
	n := testNames()
	n.Groups["G00000043"] = []string{"UDANA", "UALICE"}
	records := []slacktest.Record{
		{Seq: 1, Kind: "message", Channel: "DUDANA", TS: "1.1", Blocks: checkinBlocks("week1", "UALICE")},
		{Seq: 2, Kind: "message", Channel: "G00000043", TS: "1.2", Blocks: json.RawMessage(`[
			{"type":"section","text":{"type":"mrkdwn","text":"Is this a good fit?"}},
			{"type":"actions","elements":[{"type":"button","action_id":"keep","value":"k","text":{"type":"plain_text","text":"Keep going"}},
				{"type":"button","action_id":"notes","value":"n","text":{"type":"plain_text","text":"Keep notes"}},
				{"type":"button","action_id":"site","url":"https://example.com","text":{"type":"plain_text","text":"Site"}}]}]`)},
		{Seq: 3, Kind: "message", Channel: "DUDANA", TS: "1.3", Blocks: checkinBlocks("week2", "UALICE")},
		{Seq: 4, Kind: "message", Channel: "DUALICE", TS: "1.4", Blocks: checkinBlocks("week2", "UDANA", "UEMEKA")},
		{Seq: 5, Kind: "message", Channel: "DUDANA", TS: "1.5", Text: "no buttons here"},
	}
	screens := fold(records)
	tests := []struct {
		who, text string
		want      string // the chosen button's action_id=value
		wantErr   []string
	}{
		{"dana", "We met", "checkin_met=week2-UALICE", nil},
		{"dana", "we  MET!", "checkin_met=week2-UALICE", nil},
		{"dana", `"We met"`, "checkin_met=week2-UALICE", nil},
		{"dana", "Add notes", "checkin_notes=week2-UALICE", nil}, // the emoji aside
		{"dana", "notes", "", []string{`"notes" could be any of "📝 Add notes", "Keep notes"`}},
		{"dana", "not", "checkin_not_met=week2-UALICE", nil}, // a part of one label only
		{"dana", `"We met" on 2`, "checkin_met=week1-UALICE", nil},
		{"dana", "We met on 1", "checkin_met=week2-UALICE", nil},
		{"dana", "We met on alice", "checkin_met=week2-UALICE", nil},
		{"dana", "We met on @Alice", "checkin_met=week2-UALICE", nil},
		{"dana", "We met on 3", "", []string{`dana sees 2 buttons "We met", so on takes a number from 1 to 2:
  on 1: DM to dana: How did it go with @alice this week?
  on 2: DM to dana: How did it go with @alice this week?`}},
		{"dana", "We met on bertram", "", []string{`none of the "We met" buttons dana sees is on "bertram"`}},
		{"dana", "Keep going on group", "keep=k", nil},
		{"dana", "Keep going on alice", "keep=k", nil}, // where it is: the group DM with alice
		{"dana", "Keep going on fit", "keep=k", nil},   // the text above it
		{"dana", "Site", "", []string{`dana sees no button "Site"`}},
		{"dana", "Hello", "", []string{`dana sees no button "Hello"; what dana can click: "We met", "Not this week", "📝 Add notes", "Keep going", "Keep notes"`}},
		{"dana", `"We met`, "", []string{"a quote is not closed"}},
		{"dana", `"We met" for alice`, "", []string{`after the label write on and whose or which, for example click "We met" on chen`}},
		{"alice", "We met", "", []string{`alice sees 2 "We met" buttons on one message; say which, for example  alice: click We met on dana`,
			"on 1: DM to alice: How did it go with @dana this week?", "on 2: DM to alice: How did it go with @emeka this week?"}},
		{"alice", "We met on emeka", "checkin_met=week2-UEMEKA", nil},
		{"alice", `"Not this week" on emeka`, "checkin_not_met=week2-UEMEKA", nil},
		{"alice", "We met on 2", "checkin_met=week2-UEMEKA", nil},
		{"chen", "We met", "", []string{"chen sees no button to click"}},
	}
	for _, tt := range tests {
		p, _ := SampleWorkspace().person(tt.who)
		all := screens.buttons(p.ID, n)
		b, err := pickButton(p.Name, tt.text, all)
		if tt.wantErr != nil {
			if err == nil {
				t.Errorf("%s: click %s chose %s=%s, want an error", tt.who, tt.text, str(b.elem, "action_id"), str(b.elem, "value"))
				continue
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: click %s: error\n%s\nlacks %q", tt.who, tt.text, err, w)
				}
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: click %s: %v", tt.who, tt.text, err)
			continue
		}
		if got := str(b.elem, "action_id") + "=" + str(b.elem, "value"); got != tt.want {
			t.Errorf("%s: click %s chose %s, want %s", tt.who, tt.text, got, tt.want)
		}
	}
}

func TestDemoClickLine(t *testing.T) {
	tests := []struct{ viewer, label, qual, want string }{
		{"dana", "We met", "", "dana: click We met"},
		{"alice", "We met", "emeka", "alice: click We met on emeka"},
		{"alice", "Turn on reminders", "emeka", `alice: click "Turn on reminders" on emeka`},
		{"<name>", ":wave: Wave", "", "<name>: click 👋 Wave"},
	}
	for _, tt := range tests {
		if got := clickLine(tt.viewer, tt.label, tt.qual); got != tt.want {
			t.Errorf("clickLine(%q, %q, %q) = %q, want %q", tt.viewer, tt.label, tt.qual, got, tt.want)
		}
	}
}
