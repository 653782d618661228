package bot

import (
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
