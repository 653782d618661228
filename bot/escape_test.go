package bot

import (
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/store"
)

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hello", "hello"},
		{"<!channel> look", "&lt;!channel&gt; look"},
		{"<!here|here>", "&lt;!here|here&gt;"},
		{"<!subteam^S123|@team>", "&lt;!subteam^S123|@team&gt;"},
		{"hi <@U123|alice>", "hi &lt;@U123|alice&gt;"},
		{"a & b", "a &amp; b"},
		{"&lt; stays literal", "&amp;lt; stays literal"},
		{"@channel and @Here and @everyone", "@\u2060channel and @\u2060Here and @\u2060everyone"},
		{"mail@channels.example", "mail@channels.example"},
		{"nul\x00bell\x07esc\x1b", "nulbellesc"},
		{"bad \xff\xfe utf8", "bad \uFFFD utf8"},
		{"rtl \u202eoverride", "rtl override"},
		{"keeps\nlines\tand tabs", "keeps\nlines\tand tabs"},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestQuote(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"two\n\nlines", 50, "two lines"},
		{"abcdef", 4, "abc…"},
		{"&&&&&&", 3, "&amp;&amp;…"},
		{"  <!here>  ", 50, "&lt;!here&gt;"},
	}
	for _, tt := range tests {
		if got := Quote(tt.in, tt.max); got != tt.want {
			t.Errorf("Quote(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func TestSplitCommand(t *testing.T) {
	tests := []struct{ in, sub, rest string }{
		{"", "", ""},
		{"   ", "", ""},
		{"help", "help", ""},
		{"HELP", "help", ""},
		{"  goal   add  learn Go ", "goal", "add  learn Go"},
		{"goal\nadd x", "goal", "add x"},
		{"join\u00a0mentor", "join", "mentor"},
		{"\x00help", "help", ""},
	}
	for _, tt := range tests {
		sub, rest := splitCommand(tt.in)
		if sub != tt.sub || rest != tt.rest {
			t.Errorf("splitCommand(%q) = %q, %q; want %q, %q", tt.in, sub, rest, tt.sub, tt.rest)
		}
	}
}

// liveMention matches anything in posted mrkdwn that Slack would turn into a mention
// or broadcast: <@U…>, <!channel>, <!here>, <!subteam^…>, <#C…>, and bare @channel-style
// words.
var liveMention = regexp.MustCompile(`<[@!#]|(?i)@(channel|here|everyone)\b`)

// checkReply fails t if msg could notify anyone, breaks Slack's limits, or is not
// valid UTF-8.
func checkReply(t *testing.T, input string, msg *slack.Msg) {
	t.Helper()
	if msg == nil {
		t.Fatalf("input %q: no reply", input)
	}
	raw, err := json.Marshal(msg)
	if err != nil {
		t.Fatalf("input %q: reply does not encode: %v", input, err)
	}
	if len(raw) >= 20*1024 {
		t.Errorf("input %q: reply is %d bytes; Socket Mode drops acks of 20 KB", input, len(raw))
	}
	texts := []string{msg.Text}
	for _, blk := range msg.Blocks.BlockSet {
		if s, ok := blk.(*slack.SectionBlock); ok && s.Text != nil {
			if n := utf8.RuneCountInString(s.Text.Text); n > maxSectionText {
				t.Errorf("input %q: section of %d characters", input, n)
			}
			texts = append(texts, s.Text.Text)
		}
	}
	for _, s := range texts {
		if !utf8.ValidString(s) {
			t.Errorf("input %q: reply is not valid UTF-8: %q", input, s)
		}
		if m := liveMention.FindString(s); m != "" {
			t.Errorf("input %q: reply has a live mention %q: %q", input, m, s)
		}
	}
}

// FuzzMentorCommand drives /mentor through parsing, routing, escaping and reply
// rendering with arbitrary text, as an admin so admin paths are covered too.
func FuzzMentorCommand(f *testing.F) {
	for _, seed := range []string{
		"", "help", "HELP me", "frobnicate", "<!channel>", "<!here> <@U123|alice>",
		"<!subteam^S1|@eng>", "@channel", "join mentor go, <!everyone>",
		"\x00\x01\x1b[31m", "\xff\xfe\xfd", strings.Repeat("x", 4000), "`code` *bold* _it_",
		"goal add <@U999>", "\u202eevil", "&amp;&lt;",
	} {
		f.Add(seed)
	}
	st, err := store.Open(filepath.Join(f.TempDir(), "fuzz.db"), store.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	b := New(Config{APIURL: "http://127.0.0.1:1/api/", Admins: []string{"UADMIN"}}, st)
	f.Fuzz(func(t *testing.T, text string) {
		sub, rest := splitCommand(text)
		for _, s := range []string{sub, rest} {
			if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) {
				t.Errorf("splitCommand(%q) part %q has invalid UTF-8 or control characters", text, s)
			}
		}
		if strings.ContainsFunc(sub, unicode.IsSpace) {
			t.Errorf("splitCommand(%q) subcommand %q has spaces", text, sub)
		}
		if e := Escape(text); strings.ContainsAny(e, "<>") || !utf8.ValidString(e) {
			t.Errorf("Escape(%q) = %q", text, e)
		}
		msg := b.slashCommand(context.Background(), slack.SlashCommand{
			Command: cmdMentor, Text: text, UserID: "UADMIN", ChannelID: "C1",
		})
		checkReply(t, text, msg)
	})
}
