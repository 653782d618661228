package slacktest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// Reply decodes the ephemeral reply an ack carries: an error when there is none, when
// it does not decode, or when it is not ephemeral.
func (a Ack) Reply() (*slack.Msg, error) {
	if len(a.Payload) == 0 {
		return nil, fmt.Errorf("ack carries no reply")
	}
	var msg slack.Msg
	if err := json.Unmarshal(a.Payload, &msg); err != nil {
		return nil, fmt.Errorf("reply %s: %w", a.Payload, err)
	}
	if msg.ResponseType != slack.ResponseTypeEphemeral {
		return &msg, fmt.Errorf("reply response_type = %q, want ephemeral", msg.ResponseType)
	}
	return &msg, nil
}

// MsgText is every text a message shows: its fallback text and its sections' text.
func MsgText(msg *slack.Msg) string {
	parts := []string{msg.Text}
	for _, blk := range msg.Blocks.BlockSet {
		if s, ok := blk.(*slack.SectionBlock); ok && s.Text != nil {
			parts = append(parts, s.Text.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// liveToken matches anything in posted mrkdwn that Slack would turn into a mention,
// a broadcast or a link: <@U…>, <!channel>, <!here>, <!subteam^…>, <#C…>, <http…>, and
// bare @channel-style words.
var liveToken = regexp.MustCompile(`<[^>]*>|(?i)@(channel|here|everyone)\b`)

// maxSectionText is Slack's limit on a section's text.
const maxSectionText = 3000

// ReplyProblems lists what is wrong with a reply Slack would show: a live token that
// allowed does not match (it could notify someone), an ack of 20 KB or more (Socket
// Mode drops it), a section over Slack's 3,000 characters, or text that is not UTF-8.
func ReplyProblems(msg *slack.Msg, allowed *regexp.Regexp) []string {
	var problems []string
	raw, err := json.Marshal(msg)
	if err != nil {
		return []string{fmt.Sprintf("reply does not encode: %v", err)}
	}
	if len(raw) >= 20*1024 {
		problems = append(problems, fmt.Sprintf("reply is %d bytes; Socket Mode drops acks of 20 KB", len(raw)))
	}
	texts := []string{msg.Text}
	for _, blk := range msg.Blocks.BlockSet {
		if s, ok := blk.(*slack.SectionBlock); ok && s.Text != nil {
			if n := utf8.RuneCountInString(s.Text.Text); n > maxSectionText {
				problems = append(problems, fmt.Sprintf("section of %d characters", n))
			}
			texts = append(texts, s.Text.Text)
		}
	}
	for _, s := range texts {
		if !utf8.ValidString(s) {
			problems = append(problems, fmt.Sprintf("reply is not valid UTF-8: %q", s))
		}
		for _, tok := range liveToken.FindAllString(s, -1) {
			if !allowed.MatchString(tok) {
				problems = append(problems, fmt.Sprintf("reply has a live token %q: %q", tok, s))
			}
		}
	}
	return problems
}
