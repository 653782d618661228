package slacktest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The voice rules of SPEC.md ("How mentorbot speaks") that a program can check, applied
// to what a person reads in a record: every message, ephemeral reply, Home tab, modal
// and form error is made of sentences that start with a capital letter (or an emoji,
// a mention, a list or a quote) and end with punctuation (or a code span, an emoji, a
// list or a quote); no Go error text shows through; counts agree with their nouns; and
// dates are words, not ISO.

// goErrorText matches what Go's errors and fmt write when they leak into a message.
var goErrorText = regexp.MustCompile(`strconv\.|invalid syntax|runtime error|%!|<nil>|unexpected EOF|: EOF\b|context deadline exceeded|context canceled|\bbolt\b|\bbbolt\b|json: |\bpanic\b|goroutine |\berrno\b|no such file or directory`)

// GoErrorText returns the first piece of s that reads like Go's own error text
// (strconv.ParseBool: …, invalid syntax, %!d(…), <nil>, …), or "".
func GoErrorText(s string) string { return goErrorText.FindString(s) }

// countNoun matches a count and the noun it counts, for the nouns mentorbot counts.
var countNoun = regexp.MustCompile(`(?i)(?:^|[^\w.,/:-])(\d+) (meeting|check-in|pair|pairing|mentee|mentor|goal|week|day|hour|minute|person|people|participant|member|topic|notice|message|time|answer|proposal|cycle|prompt|nudge)(s?)\b`)

// isoDate matches a date written as 2026-12-07; people read dates as words.
var isoDate = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b`)

// VoiceProblems returns how the text r shows a person breaks the voice rules, one
// line per problem, each naming the text. Records of the app's failures ("error") and
// files (whose contents are data) are not sentences; their text is not checked.
func VoiceProblems(r Record) []string {
	if r.Kind == "error" || r.Kind == "delete" || r.Kind == "view_close" {
		return nil
	}
	var units []string
	blocks := r.Blocks
	if len(r.View) > 0 {
		var v struct {
			Blocks json.RawMessage `json:"blocks"`
		}
		if json.Unmarshal(r.View, &v) == nil {
			blocks = v.Blocks
		}
	}
	if len(blocks) == 0 && r.Text != "" {
		units = append(units, r.Text)
	}
	if len(blocks) > 0 {
		units = append(units, sentenceUnits(blocks)...)
	}
	for _, msg := range r.Errors {
		units = append(units, msg)
	}
	var problems []string
	for _, u := range units {
		for _, p := range unitProblems(u) {
			problems = append(problems, fmt.Sprintf("%s %q: %s", r.Kind, abbreviate(u), p))
		}
	}
	return problems
}

// sentenceUnits returns the texts of blocks that are prose: section texts and fields
// and context texts. Headers, buttons, options, inputs and charts are labels, not
// sentences.
func sentenceUnits(raw json.RawMessage) []string {
	var blocks []struct {
		Type     string                 `json:"type"`
		Text     *struct{ Text string } `json:"text"`
		Elements []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"elements"`
	}
	if json.Unmarshal(raw, &blocks) != nil {
		return nil
	}
	var units []string
	for _, b := range blocks {
		switch b.Type {
		case "section":
			if b.Text != nil && b.Text.Text != "" {
				units = append(units, b.Text.Text)
			}
		case "context":
			for _, e := range b.Elements {
				if e.Type == "mrkdwn" || e.Type == "plain_text" {
					units = append(units, e.Text)
				}
			}
		}
	}
	return units
}

// codeSpan is text in backticks: an example to type, shown as typed.
var codeSpan = regexp.MustCompile("`[^`]*`")

func unitProblems(u string) []string {
	var problems []string
	prose := codeSpan.ReplaceAllString(u, "`…`")
	if m := goErrorText.FindString(u); m != "" {
		problems = append(problems, fmt.Sprintf("Go error text %q", m))
	}
	for _, m := range countNoun.FindAllStringSubmatch(prose, -1) {
		n, noun, s := m[1], strings.ToLower(m[2]), m[3]
		switch {
		case noun == "people" && n == "1":
			problems = append(problems, "\"1 people\"")
		case noun == "person" && n != "1":
			problems = append(problems, fmt.Sprintf("%q", n+" person"))
		case noun != "people" && noun != "person" && (n == "1") != (s == ""):
			problems = append(problems, fmt.Sprintf("plural %q", strings.TrimSpace(m[0])))
		}
	}
	if m := isoDate.FindString(prose); m != "" {
		problems = append(problems, fmt.Sprintf("date %s not in words", m))
	}
	lines := strings.Split(strings.TrimSpace(u), "\n")
	if first := strings.TrimSpace(lines[0]); first != "" && !startsWell(first) {
		problems = append(problems, "does not start with a capital letter or an emoji")
	}
	if last := strings.TrimSpace(lines[len(lines)-1]); last != "" && !endsWell(last) {
		problems = append(problems, "does not end with punctuation or a code span")
	}
	return problems
}

// startsWell reports whether a line starts a sentence, a list item or a quote.
func startsWell(line string) bool {
	line = strings.TrimLeft(line, "*_~ ")
	switch {
	case line == "",
		strings.HasPrefix(line, ":"), // an emoji by name
		strings.HasPrefix(line, "<@"), strings.HasPrefix(line, "<#"), strings.HasPrefix(line, "<!date"),
		strings.HasPrefix(line, "&gt;"), strings.HasPrefix(line, ">"), // a quote
		strings.HasPrefix(line, "•"), strings.HasPrefix(line, "- "), strings.HasPrefix(line, "`"),
		listNumber.MatchString(line):
		return true
	}
	r, _ := utf8.DecodeRuneInString(line)
	return unicode.IsUpper(r) || unicode.IsDigit(r) || isEmoji(r) || !unicode.IsLetter(r) && !unicode.IsPunct(r)
}

var listNumber = regexp.MustCompile(`^\d+[.)] `)

// label is a line of figures or facts led by a bold label: "*Pairs:* 3 active".
var label = regexp.MustCompile(`^\*[^*]+:\* `)

// endsWell reports whether a line ends a sentence, or is a list item or a quote, which
// need no full stop.
func endsWell(line string) bool {
	if startsList(line) {
		return true
	}
	line = strings.TrimRight(line, "*_~ ")
	if line == "" {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(line)
	switch {
	case strings.ContainsRune(".!?:…)`”\"'", r):
		return true
	case strings.HasSuffix(line, ":") || strings.HasSuffix(line, ">"): // an emoji by name, a mention
		return true
	}
	return isEmoji(r)
}

// startsList reports whether line is a list item, a quote or a label ("Goals: …")
// rather than a sentence.
func startsList(line string) bool {
	t := strings.TrimLeft(line, "*_~ ")
	return strings.HasPrefix(t, "•") || strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "&gt;") ||
		strings.HasPrefix(t, ">") || strings.HasPrefix(t, ":") || strings.HasPrefix(t, "`") || listNumber.MatchString(t) || label.MatchString(line)
}

// isEmoji reports whether r is a pictograph or symbol (emoji, arrows, ticks).
func isEmoji(r rune) bool {
	return unicode.Is(unicode.So, r) || unicode.Is(unicode.Sk, r) || r >= 0x1F000
}

func abbreviate(s string) string {
	s = strings.ReplaceAll(s, "\n", " ⏎ ")
	if utf8.RuneCountInString(s) > 100 {
		return string([]rune(s)[:100]) + "…"
	}
	return s
}
