package bot

import (
	"encoding/json"
	"testing"

	"github.com/slack-go/slack"
)

// A reply is sent as Slack defines it: only the fields that are set, never the empty
// metadata or zero flags slack.Msg marshals.
func TestReplyMarshalsOnlyWhatIsSet(t *testing.T) {
	replaced := ephemeral("Done")
	replaced.ReplaceOriginal = true
	withButton := ephemeral("Sure?")
	withButton.Blocks = append(withButton.Blocks, slack.NewActionBlock("a", button("ok", "OK", "", "")))
	tests := []struct {
		name string
		r    *reply
		want string
	}{
		{"ephemeral", ephemeral("hi &amp; bye"),
			`{"response_type":"ephemeral","text":"hi \u0026amp; bye","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"hi \u0026amp; bye"}}]}`},
		{"replace_original", replaced,
			`{"response_type":"ephemeral","text":"Done","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"Done"}}],"replace_original":true}`},
		{"with a button", withButton,
			`{"response_type":"ephemeral","text":"Sure?","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"Sure?"}},` +
				`{"type":"actions","block_id":"a","elements":[{"type":"button","text":{"type":"plain_text","text":"OK","emoji":false},"action_id":"ok"}]}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := json.Marshal(tt.r)
			if err != nil {
				t.Fatal(err)
			}
			if string(raw) != tt.want {
				t.Errorf("reply encodes as\n%s\nwant\n%s", raw, tt.want)
			}
			// Clients that read replies as slack.Msg (the tests, Slack's SDKs) still can.
			var msg slack.Msg
			if err := json.Unmarshal(raw, &msg); err != nil {
				t.Fatal(err)
			}
			if msg.ResponseType != slack.ResponseTypeEphemeral || msg.Text != tt.r.Text || len(msg.Blocks.BlockSet) != len(tt.r.Blocks) ||
				msg.ReplaceOriginal != tt.r.ReplaceOriginal {
				t.Errorf("decoded as slack.Msg: %+v", msg)
			}
		})
	}
}
