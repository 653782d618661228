package bot

import (
	"strings"

	"github.com/slack-go/slack"
)

// ephemeral is a reply only the person who asked sees. mrkdwn must already be escaped.
func ephemeral(mrkdwn string) *slack.Msg {
	return &slack.Msg{
		ResponseType: slack.ResponseTypeEphemeral,
		Text:         truncate(mrkdwn, maxSectionText),
		Blocks:       slack.Blocks{BlockSet: sections(mrkdwn)},
	}
}

// sections splits mrkdwn into section blocks of at most maxSectionText characters,
// at line breaks where it can.
func sections(mrkdwn string) []slack.Block {
	var blocks []slack.Block
	for mrkdwn != "" {
		part := mrkdwn
		if len([]rune(part)) > maxSectionText {
			part = string([]rune(part)[:maxSectionText])
			if i := strings.LastIndexByte(part, '\n'); i > 0 {
				part = part[:i]
			}
		}
		mrkdwn = strings.TrimPrefix(mrkdwn[len(part):], "\n")
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, part, false, false), nil, nil))
	}
	return blocks
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
