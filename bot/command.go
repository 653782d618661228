package bot

import (
	"regexp"
	"strings"
	"unicode"
)

// splitCommand splits a slash command's text into its subcommand (lower-cased first
// word, "" when there is none) and the rest, trimmed. Text is cleaned first, so neither
// part holds invalid UTF-8 or control characters.
func splitCommand(text string) (sub, rest string) {
	text = strings.TrimSpace(clean(text))
	i := strings.IndexFunc(text, unicode.IsSpace)
	if i < 0 {
		return strings.ToLower(text), ""
	}
	return strings.ToLower(text[:i]), strings.TrimSpace(text[i:])
}

// userRef matches a mention as Slack escapes it in a slash command's text
// (should_escape: true): <@U123|alice> or <@U123>.
var userRef = regexp.MustCompile(`^<@([UW][A-Z0-9]{2,20})(?:\|[^>]*)?>`)

// parseUserRef splits a leading mention off s. ok is false when s does not start with one.
func parseUserRef(s string) (id, rest string, ok bool) {
	s = strings.TrimSpace(s)
	m := userRef.FindStringSubmatch(s)
	if m == nil {
		return "", s, false
	}
	return m[1], strings.TrimSpace(s[len(m[0]):]), true
}
