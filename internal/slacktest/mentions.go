package slacktest

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
)

// liveMention matches the mrkdwn tokens that notify people: a user mention
// (<@U…>, <@W…>, optionally with |label), a special mention (<!channel>,
// <!here>, <!everyone>, optionally with |label) and a user-group mention
// (<!subteam^S…>, optionally with |label). Escaped text (&lt;!channel&gt;)
// and plain words such as "@channel" do not notify and do not match.
var liveMention = regexp.MustCompile(`<@[UW][A-Z0-9]+(?:\|[^>]*)?>|<!(?:channel|here|everyone)(?:\|[^>]*)?>|<!subteam\^[A-Z0-9]+(?:\|[^>]*)?>`)

// LiveMentions returns the mentions in mrkdwn text that would notify
// someone, in order of appearance. A bot that echoes what people type must
// escape it; a test can assert LiveMentions(RecordText(r)) is empty.
func LiveMentions(text string) []string {
	return liveMention.FindAllString(text, -1)
}

// RecordText returns all visible text of r, one piece per line: its Text,
// then every text (and initial_value) string in its Blocks and View, and
// the messages of view_errors. Tests use it to scan everything a person
// would read, for example with LiveMentions.
func RecordText(r Record) string {
	parts := []string{}
	if r.Text != "" {
		parts = append(parts, r.Text)
	}
	for _, raw := range []json.RawMessage{r.Blocks, r.View} {
		if len(raw) == 0 {
			continue
		}
		v, err := decodeJSON(raw)
		if err != nil {
			continue
		}
		collectText(v, &parts)
	}
	keys := make([]string, 0, len(r.Errors))
	for k := range r.Errors {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		parts = append(parts, r.Errors[k])
	}
	return strings.Join(parts, "\n")
}

// collectText appends every string under a "text" or "initial_value" key,
// walking objects in key order (so the result is deterministic) and arrays
// in order.
func collectText(v any, parts *[]string) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			collectText(e, parts)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if s, ok := x[k].(string); ok {
				if (k == "text" || k == "initial_value") && s != "" {
					*parts = append(*parts, s)
				}
				continue
			}
			collectText(x[k], parts)
		}
	}
}
