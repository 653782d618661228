package bot

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Slack's limits that replies must stay within; Slack answers invalid_blocks otherwise.
const (
	maxSectionText = 3000
	maxButtonText  = 75
	maxModalTitle  = 24
	// maxEcho bounds how much of a person's own input a reply quotes back.
	maxEcho = 200
)

// mrkdwnEscaper escapes the three characters Slack's mrkdwn treats as control
// sequences. With < and > escaped no <!channel>, <!here>, <!subteam^…> or <@U…> a person
// typed can be live in a message we post.
var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// broadcastWord matches the bare words Slack turns into broadcasts when a message is
// posted with link_names or parse=full. We never set those, but a word joiner after the
// @ keeps the text safe whatever a future change or client does with it.
var broadcastWord = regexp.MustCompile(`(?i)@(channel|here|everyone)\b`)

// Escape makes text a person typed safe to put in mrkdwn: valid UTF-8, no control
// characters but newline and tab, and nothing that can mention or notify anyone.
func Escape(s string) string {
	s = mrkdwnEscaper.Replace(clean(s))
	return broadcastWord.ReplaceAllString(s, "@\u2060$1")
}

// Quote prepares a person's input to be echoed inline: whitespace (newlines too)
// collapsed so it cannot break the reply's layout, cut to max characters, escaped.
// It cuts before escaping so that no entity Escape writes is split, and truncate never
// cuts an entity or a token the input itself holds (text as Slack sent it).
func Quote(s string, max int) string {
	return Escape(truncate(strings.Join(strings.Fields(clean(s)), " "), max))
}

// PlainText prepares text for a plain_text field (button, modal title), where Slack
// does not parse mentions: valid UTF-8, no control characters, at most max characters.
func PlainText(s string, max int) string {
	return truncate(strings.Join(strings.Fields(clean(s)), " "), max)
}

// slackToken is a control sequence in text Slack sends us: a mention, a channel, a
// broadcast, a date or a link. Literal <, > and & typed by a person arrive as entities,
// so a real angle bracket only ever opens or closes a token.
var slackToken = regexp.MustCompile(`<([^<>]*)>`)

// slackEntities decodes the only three entities Slack uses.
var slackEntities = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// fromSlack turns text as Slack sends it in a slash command into what the person
// meant to write, for storing: <@U123|alice> becomes @alice, <#C1|general> #general,
// <!channel> @channel, <https://x|label> "label (https://x)", and entities are decoded.
// Nothing in the result is live; Escape makes it safe to show again.
func fromSlack(s string) string {
	s = slackToken.ReplaceAllStringFunc(s, func(tok string) string {
		target, label, labelled := strings.Cut(tok[1:len(tok)-1], "|")
		switch {
		case strings.HasPrefix(target, "@") || strings.HasPrefix(target, "#"):
			if labelled {
				return target[:1] + strings.TrimPrefix(label, target[:1])
			}
			return target
		case strings.HasPrefix(target, "!"):
			if labelled {
				return label
			}
			name, _, _ := strings.Cut(target[1:], "^")
			return "@" + name
		case labelled && label != target:
			return label + " (" + target + ")"
		}
		return target
	})
	return slackEntities.Replace(s)
}

// clean replaces invalid UTF-8 with U+FFFD and drops what could corrupt or disguise a
// message: control characters (except newline and tab), the bidi embeddings,
// overrides and isolates that reorder the text around them, and the interlinear
// annotation marks. Every other format character stays, because scripts and emoji
// need them: zero-width joiners and non-joiners ("👩🏽‍💻", Persian "می‌خواهم"),
// left-to-right and right-to-left marks, soft hyphens, and the tag characters of
// subdivision flags.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) || disguises(r) {
			return -1
		}
		return r
	}, s)
}

// disguises reports whether r is a format character that changes how the text around
// it is shown: U+202A–U+202E (embeddings and overrides), U+2066–U+2069 (isolates) and
// U+FFF9–U+FFFB (interlinear annotations).
func disguises(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r >= 0xFFF9 && r <= 0xFFFB
}

// truncate cuts s to at most max characters, marking a cut with an ellipsis. The cut
// never falls inside an entity or a Slack token (see safeCut): it moves before it.
func truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:safeCut(r, max-1)]) + "…"
}

// mrkdwnEntities are the entities Slack's mrkdwn uses.
var mrkdwnEntities = []string{"&amp;", "&lt;", "&gt;"}

// safeCut returns where to cut r at or before c (r[:cut] is kept) so that the cut falls
// neither inside an entity (&amp; &lt; &gt;) nor inside a Slack token (<@U123>,
// <#C1|general>, <!here>, <https://…|label>, <mailto:…>) that closes on the same line.
// In mrkdwn the bot writes, a literal <, > or & is always escaped, so any other < and &
// are plain characters and do not move the cut.
func safeCut(r []rune, c int) int {
	if c <= 0 || c >= len(r) {
		return c
	}
	for i := c - 1; i >= 0 && i > c-len("&amp;"); i-- {
		if r[i] == ';' {
			break
		}
		if r[i] == '&' {
			for _, e := range mrkdwnEntities {
				if i+len(e) > c && i+len(e) <= len(r) && string(r[i:i+len(e)]) == e {
					c = i
				}
			}
			break
		}
	}
	for i := c - 1; i >= 0; i-- {
		if r[i] == '>' || r[i] == '\n' {
			break
		}
		if r[i] == '<' {
			if isTokenStart(r[i+1:]) && closesOnLine(r[c:]) {
				c = i
			}
			break
		}
	}
	return c
}

// isTokenStart reports whether r, just after a <, starts a Slack token.
func isTokenStart(r []rune) bool {
	if len(r) > 0 && (r[0] == '@' || r[0] == '#' || r[0] == '!') {
		return true
	}
	s := string(r[:min(len(r), len("https://"))])
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "mailto:")
}

// closesOnLine reports whether a > comes in r before a line break or another <.
func closesOnLine(r []rune) bool {
	for _, c := range r {
		switch c {
		case '>':
			return true
		case '<', '\n':
			return false
		}
	}
	return false
}
