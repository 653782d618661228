package slacktest

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestVoiceProblems(t *testing.T) {
	section := func(text string) json.RawMessage {
		b, _ := json.Marshal([]map[string]any{{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": text}}})
		return b
	}
	tests := []struct {
		name string
		r    Record
		want string // a piece of the one problem expected; "" for none
	}{
		{"a sentence", Record{Kind: "ephemeral", Text: "Done: you'll mentor at most *2* mentees at a time."}, ""},
		{"an emoji first", Record{Kind: "ephemeral", Text: ":wave: Welcome back!"}, ""},
		{"a code span last", Record{Kind: "ephemeral", Text: "Prefer typing? `/mentor join mentee go`"}, ""},
		{"a list last", Record{Kind: "ephemeral", Text: "*Your goals*\n:white_square: 1. ship it"}, ""},
		{"figures with labels", Record{Kind: "ephemeral", Text: "*Programme figures*\n*Pairs now:* 3 active"}, ""},
		{"lower case", Record{Kind: "ephemeral", Text: "kudos are for someone else, not yourself."}, "capital"},
		{"no full stop", Record{Kind: "ephemeral", Text: "Kudos are for someone else"}, "punctuation"},
		{"Go error", Record{Kind: "ephemeral", Text: "Could not read it: strconv.ParseBool: parsing \"maybe\": invalid syntax."}, "Go error"},
		{"one meetings", Record{Kind: "ephemeral", Text: "You reported 1 meetings."}, "plural"},
		{"two meeting", Record{Kind: "ephemeral", Text: "You reported 2 meeting this month."}, "plural"},
		{"ISO date", Record{Kind: "ephemeral", Text: "Paused since 2026-12-02."}, "date"},
		{"ISO date to type", Record{Kind: "ephemeral", Text: "Pause until a date, for example `/mentor pause 2026-12-31`."}, ""},
		{"a section", Record{Kind: "message", Text: "Fallback.", Blocks: section("notes saved.")}, "capital"},
		{"a form error", Record{Kind: "view_errors", Errors: map[string]string{"b": "Choose 1 to 10"}}, "punctuation"},
		{"a header is a label", Record{Kind: "view_publish", View: json.RawMessage(`{"blocks":[{"type":"header","text":{"type":"plain_text","text":"your goals"}}]}`)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := VoiceProblems(tt.r)
			switch {
			case tt.want == "" && len(got) > 0:
				t.Errorf("problems %q, want none", got)
			case tt.want != "" && (len(got) != 1 || !strings.Contains(got[0], tt.want)):
				t.Errorf("problems %q, want one about %q", got, tt.want)
			}
		})
	}
}
