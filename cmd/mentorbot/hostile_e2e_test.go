package main

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// hostile are fragments people might type, by accident or not.
var hostile = []string{
	"<!channel>", "<!here>", "<!everyone>", "<!subteam^S0123|@eng>", "<@UBERT|bertram>", "<@UNOBODY>",
	"<#C0GENERAL|general>", "<https://evil.example|click me>", "@channel", "@here",
	strings.Repeat("x", 4000), strings.Repeat("<!here>", 300), "\x00\x07\x1b[2J", "\xff\xfe\xc3\x28",
	"`", "```", "*", "_", "~", "&amp;", "&", ">", "\n> quoted\n", "\u202e\u200b", "🎉", "", "  ", "3", "-1", "999999999999",
}

var templates = []struct{ command, text string }{
	{"/mentor", "%s"}, {"/mentor", "help %s"}, {"/mentor", "join %s"}, {"/mentor", "join mentor %s"},
	{"/mentor", "join mentee go, %s"}, {"/mentor", "join both %s, %s"}, {"/mentor", "capacity %s"},
	{"/mentor", "manager %s"}, {"/mentor", "team %s"}, {"/mentor", "goal add %s"}, {"/mentor", "goal done %s"},
	{"/mentor", "goal %s"}, {"/mentor", "goals %s"}, {"/mentor", "status %s"}, {"/mentor", "stats %s"},
	{"/mentor", "leave %s"}, {"/mentor", "pause %s"}, {"/mentor", "resume %s"}, {"/mentor", "mydata %s"},
	{"/mentor", "rematch %s"}, {"/mentor", "pair %s"}, {"/mentor", "run %s"}, {"/mentor", "forget %s"}, {"/kudos", "%s"}, {"/kudos", "<@UBERT|bertram> %s"}, {"/kudos", "<@UALICE> %s %s"},
	{"/kudos", "%s <@UCHEN>"},
}

// knownMention is a mention the bot may make: a real person of the test workspace.
var knownMention = regexp.MustCompile(`^<@(UALICE|UBERT|UADMIN|UCHEN)>$`)

// TestRandomHostileCommands sends a few hundred random commands built from hostile
// fragments: every one is acknowledged within Slack's 3 s, the bot keeps serving, and
// nothing it shows anyone can broadcast or mention anybody but real people.
func TestRandomHostileCommands(t *testing.T) {
	h := startMain(t, options{})
	rng := rand.New(rand.NewPCG(1, 2)) // fixed: a failure is reproducible
	users := []string{"UALICE", "UBERT", "UADMIN", "UCHEN"}
	const n = 300
	for i := range n {
		tpl := templates[rng.IntN(len(templates))]
		args := make([]any, strings.Count(tpl.text, "%s"))
		for j := range args {
			args[j] = hostile[rng.IntN(len(hostile))]
		}
		text := fmt.Sprintf(tpl.text, args...)
		ack := h.command(t, users[rng.IntN(len(users))], tpl.command, text)
		if ack.Latency >= slackDeadline {
			t.Errorf("command %d %s %q acked after %v", i, tpl.command, text, ack.Latency)
		}
	}
	h.wantMetrics(t, `mentorbot_handler_panics_total 0`)
	records := h.srv.Records()
	if len(records) < n/2 {
		t.Fatalf("only %d records for %d commands", len(records), n)
	}
	for _, r := range records {
		if r.Kind == "error" {
			t.Errorf("Slack showed an error for record %d: %s", r.Seq, slacktest.RecordText(r))
		}
		for _, m := range slacktest.LiveMentions(slacktest.RecordText(r)) {
			if !knownMention.MatchString(m) {
				t.Errorf("record %d (%s in %s to %s) has live mention %s", r.Seq, r.Kind, r.Channel, r.User, m)
			}
		}
	}
	// Nothing the bot sent broke Slack's limits.
	for _, c := range h.srv.Calls("") {
		if c.Error == "invalid_blocks" || c.Error == "invalid_arguments" || c.Error == "msg_too_long" {
			t.Errorf("%s answered %s", c.Method, c.Error)
		}
	}
	// Still serving.
	contains(t, "help after the storm", h.say(t, "UALICE", "/mentor", "help"), "/mentor join")
}
