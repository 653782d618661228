package slacktest

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestLiveMentions(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"", nil},
		{"plain text, @channel and @here are not links", nil},
		{"<!channel> meeting", []string{"<!channel>"}},
		{"hey <!here>", []string{"<!here>"}},
		{"<!everyone>", []string{"<!everyone>"}},
		{"<!channel|channel> labelled", []string{"<!channel|channel>"}},
		{"<!here|@here>", []string{"<!here|@here>"}},
		{"<!subteam^S0123ABC|@mentors> and <!subteam^S9>", []string{"<!subteam^S0123ABC|@mentors>", "<!subteam^S9>"}},
		{"kudos <@U123> from <@W456|bob>", []string{"<@U123>", "<@W456|bob>"}},
		{"escaped &lt;!channel&gt; and &lt;@U1&gt;", nil},
		{"channel link <#C123|general> and url <https://x.y|x>", nil},
		{"date <!date^1392734382^{date}|Feb 18>", nil},
		{"<!channels> is not a mention", nil},
		{"<@u123> lower-case ids are not ids", nil},
	} {
		if got := LiveMentions(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("LiveMentions(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestRecordText(t *testing.T) {
	r := Record{
		Text:   "fallback",
		Blocks: json.RawMessage(`[{"type":"section","text":{"type":"mrkdwn","text":"hi <!here>"}},{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"Go"},"value":"v"}]}]`),
		View:   json.RawMessage(`{"type":"modal","title":{"type":"plain_text","text":"Title"},"blocks":[{"type":"input","label":{"type":"plain_text","text":"Label"},"element":{"type":"plain_text_input","initial_value":"typed <@U1>"}}]}`),
		Errors: map[string]string{"b": "bad"},
	}
	want := "fallback\nhi <!here>\nGo\ntyped <@U1>\nLabel\nTitle\nbad"
	if got := RecordText(r); got != want {
		t.Fatalf("RecordText = %q, want %q", got, want)
	}
	if got := LiveMentions(RecordText(r)); !slices.Equal(got, []string{"<!here>", "<@U1>"}) {
		t.Fatalf("mentions = %q", got)
	}
}
