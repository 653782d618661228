package bot

import (
	"github.com/slack-go/slack"
)

// reply is what the bot answers a person with: the payload of a slash command's ack, or
// a body posted to a response_url. Slack defines it as a message plus response_type and
// replace_original (bolt's RespondArguments). It marshals only the fields that are set:
// slack.Msg would also send zero values Slack's types do not allow, such as
// "metadata":{"event_type":"","event_payload":null}.
type reply struct {
	ResponseType    string        `json:"response_type,omitempty"`
	Text            string        `json:"text,omitempty"`
	Blocks          []slack.Block `json:"blocks,omitempty"`
	ReplaceOriginal bool          `json:"replace_original,omitempty"`
}

// ephemeral is a reply only the person who asked sees. mrkdwn must already be escaped.
func ephemeral(mrkdwn string) *reply {
	return &reply{
		ResponseType: slack.ResponseTypeEphemeral,
		Text:         truncate(mrkdwn, maxSectionText),
		Blocks:       sections(mrkdwn),
	}
}

// sections splits mrkdwn into section blocks of at most maxSectionText characters, at
// line breaks where it can (see splitMrkdwn).
func sections(mrkdwn string) []slack.Block {
	var blocks []slack.Block
	for mrkdwn != "" {
		var part string
		part, mrkdwn = splitMrkdwn(mrkdwn, maxSectionText)
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, part, false, false), nil, nil))
	}
	return blocks
}

// splitMrkdwn returns the first part of mrkdwn, at most max characters, and the rest.
// It cuts at the last line break that fits; a line longer than max is cut at its last
// space in the second half of what fits, else where it must. No cut falls inside an
// entity or a Slack token (see safeCut), and the rest of a quoted line (">…") cut in two
// starts with ">" again, so it stays quoted.
func splitMrkdwn(mrkdwn string, max int) (part, rest string) {
	r := []rune(mrkdwn)
	if len(r) <= max {
		return mrkdwn, ""
	}
	if i := lastRune(r[:max+1], '\n'); i > 0 {
		return string(r[:i]), string(r[i+1:])
	}
	lineStart := lastRune(r[:max], '\n') + 1 // 0 or 1: a line break at 0 starts the line
	quoted := r[lineStart] == '>'
	minCut := lineStart + 1
	if quoted {
		minCut++ // the rest repeats the ">": cutting right after it would not progress
	}
	cut, skip := safeCut(r, max), 0
	if sp := lastRune(r[:cut], ' '); sp > lineStart+(cut-lineStart)/2 && safeCut(r, sp) == sp {
		cut, skip = sp, 1
	}
	if cut < minCut {
		// Only an entity or token longer than the whole section could get here.
		cut, skip = max, 0
	}
	rest = string(r[cut+skip:])
	if quoted {
		rest = ">" + rest
	}
	return string(r[:cut]), rest
}

func lastRune(r []rune, c rune) int {
	for i := len(r) - 1; i >= 0; i-- {
		if r[i] == c {
			return i
		}
	}
	return -1
}

func button(actionID, text, value string, style slack.Style) *slack.ButtonBlockElement {
	btn := slack.NewButtonBlockElement(actionID, value, plain(PlainText(text, maxButtonText)))
	btn.Style = style
	return btn
}

func mrkdwnSection(mrkdwn string) *slack.SectionBlock {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, truncate(mrkdwn, maxSectionText), false, false), nil, nil)
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}
