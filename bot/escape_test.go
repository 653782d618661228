package bot

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/slacktest"
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
		{"isolate \u2066x\u2069 embed \u202ay\u202c", "isolate x embed y"},
		{"coder 👩🏽\u200d💻", "coder 👩🏽\u200d💻"},
		{"persian می\u200cخواهم", "persian می\u200cخواهم"},
		{"marks \u200f\u200e soft\u00adhyphen", "marks \u200f\u200e soft\u00adhyphen"},
		{"flag 🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F", "flag 🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F"},
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

func TestFromSlack(t *testing.T) {
	tests := []struct{ in, want string }{
		{"thanks for the review &lt;3", "thanks for the review <3"},
		{"a &amp;&amp; b", "a && b"},
		{"&amp;lt; typed literally", "&lt; typed literally"},
		{"hi <@U123|alice> and <@U456>", "hi @alice and @U456"},
		{"in <#C1|general> or <#C2>", "in #general or #C2"},
		{"<!channel> <!here|here> <!everyone>", "@channel here @everyone"},
		{"<!subteam^S1|@eng> ping", "@eng ping"},
		{"see <https://example.com|the doc> or <https://x.example>", "see the doc (https://example.com) or https://x.example"},
		{"<!date^1392734382^{date}|Feb 18>", "Feb 18"},
	}
	for _, tt := range tests {
		if got := fromSlack(tt.in); got != tt.want {
			t.Errorf("fromSlack(%q) = %q, want %q", tt.in, got, tt.want)
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

// allowedToken is what the bot may put in a reply itself: a mention of a real person of
// the test workspace (ids it validated) or a link to a channel.
var allowedToken = regexp.MustCompile(`^(<@(UALICE|UBERT|UADMIN|UCHEN)>|<#C[A-Z0-9]+>)$`)

// checkReply fails t if r could notify anyone it should not, breaks Slack's limits,
// or is not valid UTF-8. It checks r as Slack reads it: encoded, then decoded.
func checkReply(t *testing.T, input string, r *reply) {
	t.Helper()
	if r == nil {
		t.Fatalf("input %q: no reply", input)
	}
	raw, err := json.Marshal(r)
	if err != nil {
		t.Fatalf("input %q: reply does not encode: %v", input, err)
	}
	var msg slack.Msg
	if err := json.Unmarshal(raw, &msg); err != nil {
		t.Fatalf("input %q: reply %s does not decode: %v", input, raw, err)
	}
	for _, p := range slacktest.ReplyProblems(&msg, allowedToken) {
		t.Errorf("input %q: %s", input, p)
	}
}

// FuzzMentorCommand drives /mentor and /kudos through parsing, routing, every
// subcommand's handler, escaping and reply rendering with arbitrary text, as an admin so
// admin paths are covered too. Handlers call the fake Slack's Web API for real.
func FuzzMentorCommand(f *testing.F) {
	seeds := []string{
		"", "help", "HELP me", "frobnicate", "<!channel>", "<!here> <@U123|alice>",
		"<!subteam^S1|@eng>", "@channel", "\x00\x01\x1b[31m", "\xff\xfe\xfd", strings.Repeat("x", 4000),
		"`code` *bold* _it_", "\u202eevil", "&amp;&lt;",
	}
	for _, sub := range []string{"join", "join mentor go, <!everyone>", "join both a,b,c", "capacity 3", "capacity -1",
		"manager <@UBERT|bertram>", "manager <!channel>", "team <!here>", "goal add <@UBERT> &", "goal done 1",
		"goal done 99999999999999999999", "goals", "status", "leave", "stats", "pause 2w", "pause 9999-99-99",
		"pause <!here>", "resume", "mydata", "rematch", "forget", "pair preview", "pair", "pair <!channel>", "run checkins",
		"run <@UBERT>"} {
		seeds = append(seeds, sub)
	}
	for _, s := range seeds {
		f.Add(cmdMentor, s)
	}
	for _, s := range []string{"<@UBERT|bertram> thanks <!channel>", "<@UADMIN> me", "<@UROBOT> hi", "hi", "<@UBERT>"} {
		f.Add(cmdKudos, s)
	}
	srv, err := slacktest.New(slacktest.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(srv.Close)
	srv.AddUser(slacktest.User{ID: "UADMIN", Name: "ada", TZ: "Europe/Berlin"})
	srv.AddUser(slacktest.User{ID: "UBERT", Name: "bertram"})
	srv.AddUser(slacktest.User{ID: "UROBOT", Name: "robot", IsBot: true})
	st, err := store.Open(filepath.Join(f.TempDir(), "fuzz.db"), store.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	client := NewClient(ClientConfig{BotToken: slacktest.DefaultBotToken, AppToken: slacktest.DefaultAppToken, APIURL: srv.APIURL(),
		Logger: slog.New(slog.DiscardHandler)})
	b := New(Config{Logger: slog.New(slog.DiscardHandler)}, client, newProgramme(f, st, client))
	f.Fuzz(func(t *testing.T, command, text string) {
		if command != cmdKudos {
			command = cmdMentor
		}
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
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		msg := b.slashCommand(ctx, slack.SlashCommand{Command: command, Text: text, UserID: "UADMIN", ChannelID: "C0GENERAL", TriggerID: "none"})
		if msg != nil { // nil: the join modal opened (here it cannot: the trigger is unknown)
			checkReply(t, text, msg)
		}
	})
	// Whatever was posted publicly mentions only real people, never a broadcast.
	for _, r := range srv.Records() {
		for _, m := range slacktest.LiveMentions(slacktest.RecordText(r)) {
			if m != "<@UADMIN>" && m != "<@UBERT>" {
				f.Errorf("record %d (%s in %s) mentions %s", r.Seq, r.Kind, r.Channel, m)
			}
		}
	}
}
