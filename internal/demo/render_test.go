package demo

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mentorbot/mentorbot/internal/slacktest"
)

func testNames() Names {
	n := SampleWorkspace().Names()
	n.Groups["G00000042"] = []string{"UALICE", "UBERTRAM"}
	return n
}

func TestDemoMrkdwn(t *testing.T) {
	const (
		b, B = ansiBold, ansiBoldOff
		i, I = ansiItalic, ansiItalicOff
		x, X = ansiStrike, ansiStrikeOff
	)
	tests := []struct{ in, plain, ansi string }{
		{"plain", "plain", "plain"},
		{"hi <@UALICE|alice> and <@UCHEN>", "hi @alice and @chen", ""},
		{"<@UNEW|newbie> <@UNEW2>", "@newbie @UNEW2", ""},
		{"see <#CKUDOS|kudos>, <#CKUDOS> or <#COTHER|other>", "see #kudos, #kudos or #other", ""},
		{"<!here> <!channel|@channel> <!subteam^S1|@devs>", "@here @channel @devs", ""},
		{"<!date^1700000000^{date}|Nov 14>", "Nov 14", ""},
		{"<https://example.com|docs> <https://x.test> <mailto:a@b.c|mail> <mailto:a@b.c>", "docs https://x.test mail a@b.c", ""},
		{"a &lt;b&gt; &amp; &amp;lt; &lt;!channel&gt;", "a <b> & &lt; <!channel>", ""},
		// Emphasis: marks left out when plain, ANSI on a terminal; code as written.
		{"*bold* _it_ ~gone~ `*code* :wave:`", "bold it ~gone~ `*code* :wave:`", b + "bold" + B + " " + i + "it" + I + " " + x + "gone" + X + " `*code* :wave:`"},
		{"*Role:* mentor, _(2 max)_", "Role: mentor, (2 max)", b + "Role:" + B + " mentor, " + i + "(2 max)" + I},
		{"*_both_*", "both", b + i + "both" + I + B},
		{"_*both*_", "both", i + b + "both" + B + I},
		{"snake_case_name, 2*3*4, * not bold *, *open", "snake_case_name, 2*3*4, * not bold *, *open", ""},
		{"am_x_ m*y*", "am_x_ m*y*", ""},
		{"<@UALICE|alice> mentors *<@UDANA|dana>*", "@alice mentors @dana", "@alice mentors " + b + "@dana" + B},
		{"*one\ntwo*", "*one\ntwo*", ""},
		// Emoji the bot uses, with a skin tone; unknown names stay.
		{":wave: hi :wave::skin-tone-3: :calendar: :white_check_mark: :no_such_emoji: 10:00:30", "👋 hi 👋 📆 ✅ :no_such_emoji: 10:00:30", ""},
		// Quotes: a bar, indented.
		{"&gt; quoted\n>also quoted\nnot > quoted", " │ quoted\n │ also quoted\nnot > quoted", ""},
		{"&gt; *Discussed:* tests", " │ Discussed: tests", " │ " + b + "Discussed:" + B + " tests"},
	}
	n := testNames()
	for _, tt := range tests {
		if got := mrkdwn(tt.in, n, style{}); got != tt.plain {
			t.Errorf("mrkdwn(%q) = %q, want %q", tt.in, got, tt.plain)
		}
		want := tt.ansi
		if want == "" {
			want = tt.plain
		}
		if got := mrkdwn(tt.in, n, style{ansi: true}); got != want {
			t.Errorf("mrkdwn(%q) on a terminal = %q, want %q", tt.in, got, want)
		}
	}
}

const (
	sectionBlocks = `[
		{"type":"header","block_id":"h","text":{"type":"plain_text","text":"Mentoring"}},
		{"type":"section","block_id":"s","text":{"type":"mrkdwn","text":"Hi <@UALICE|alice>,\nyou have *2* goals"},
		 "fields":[{"type":"mrkdwn","text":"*Role:* mentee"},{"type":"plain_text","text":"Team: <b>"}],
		 "accessory":{"type":"button","action_id":"open","text":{"type":"plain_text","text":"Open"},"value":"v"}},
		{"type":"divider","block_id":"d"},
		{"type":"context","block_id":"c","elements":[{"type":"mrkdwn","text":"from <@UBERTRAM>"},{"type":"image","image_url":"https://x/y.png","alt_text":"logo"}]},
		{"type":"actions","block_id":"a","elements":[
			{"type":"button","action_id":"checkin_met","text":{"type":"plain_text","text":"We met"},"value":"w1"},
			{"type":"button","action_id":"done","text":{"type":"plain_text","text":"Done"},"value":"1"},
			{"type":"button","action_id":"done","text":{"type":"plain_text","text":"Done"},"value":"2"},
			{"type":"button","action_id":"site","text":{"type":"plain_text","text":"Site"},"url":"https://example.com"},
			{"type":"static_select","action_id":"size","placeholder":{"type":"plain_text","text":"Size"},
			 "options":[{"text":{"type":"plain_text","text":"Small"},"value":"s"},{"text":{"type":"plain_text","text":"Large"},"value":"l"}],
			 "initial_option":{"text":{"type":"plain_text","text":"Small"},"value":"s"}},
			{"type":"users_select","action_id":"buddy","placeholder":{"type":"plain_text","text":"Pick someone"},"initial_user":"UCHEN"},
			{"type":"datepicker","action_id":"when"}]},
		{"type":"rich_text","block_id":"r","elements":[{"type":"rich_text_section","elements":[{"type":"text","text":"hello "},{"type":"user","user_id":"UDANA"}]}]},
		{"type":"image","block_id":"i","image_url":"https://x/z.png","alt_text":"a chart"},
		{"type":"video","block_id":"v"}]`

	modalView = `{"id":"V1","type":"modal","callback_id":"join","title":{"type":"plain_text","text":"Join mentoring"},
		"submit":{"type":"plain_text","text":"Join"},"close":{"type":"plain_text","text":"Cancel"},
		"blocks":[
		{"type":"section","block_id":"intro","text":{"type":"mrkdwn","text":"Tell us about you."}},
		{"type":"input","block_id":"role","label":{"type":"plain_text","text":"Role"},
		 "element":{"type":"static_select","action_id":"role","options":[
			{"text":{"type":"plain_text","text":"Mentee: I'd like a mentor"},"value":"mentee"},
			{"text":{"type":"plain_text","text":"Mentor"},"value":"mentor"}],
		 "initial_option":{"text":{"type":"plain_text","text":"Mentor"},"value":"mentor"}}},
		{"type":"input","block_id":"topics","label":{"type":"plain_text","text":"Topics"},"hint":{"type":"plain_text","text":"Comma-separated."},
		 "element":{"type":"plain_text_input","action_id":"topics","initial_value":"go"}},
		{"type":"input","block_id":"goals","optional":true,"label":{"type":"plain_text","text":"Goals"},
		 "element":{"type":"plain_text_input","action_id":"goals","multiline":true}},
		{"type":"input","block_id":"manager","optional":true,"label":{"type":"plain_text","text":"Manager"},
		 "element":{"type":"users_select","action_id":"manager","initial_user":"UDANA"}},
		{"type":"input","block_id":"days","optional":true,"label":{"type":"plain_text","text":"Days"},
		 "element":{"type":"checkboxes","action_id":"days","options":[
			{"text":{"type":"plain_text","text":"mon"},"value":"mon"},{"text":{"type":"plain_text","text":"tue"},"value":"tue"}]}}]}`
)

func TestDemoRender(t *testing.T) {
	tests := []struct {
		name string
		r    slacktest.Record
		want string
	}{
		{
			name: "ephemeral text",
			r:    slacktest.Record{Kind: "ephemeral", Channel: "C0GENERAL", User: "UALICE", Text: "I don't know `/mentor x`. Try &lt;help&gt;"},
			want: "── alice sees (only you, in #general) ──\n  I don't know `/mentor x`. Try <help>\n",
		},
		{
			name: "ephemeral in the person's DM",
			r:    slacktest.Record{Kind: "ephemeral", Channel: "DUALICE", User: "UALICE", Text: "ok"},
			want: "── alice sees (only you, in your DM with mentorbot) ──\n  ok\n",
		},
		{
			name: "channel message with blocks of every kind",
			r:    slacktest.Record{Kind: "message", Channel: "CKUDOS", Text: "fallback is not shown", Blocks: json.RawMessage(sectionBlocks)},
			want: `── #kudos ──
  == Mentoring ==
  Hi @alice,
  you have 2 goals
  • Role: mentee
  • Team: <b>
  [Open]  ← <name>: click Open
  ────────────────────────
  from @bertram · [image: logo]
  [We met] [Done] [Done] [Site ↗ https://example.com]  ← <name>: click <label>
  [Size ▾] (click <name> size <s|l>) now: s
  [Pick someone ▾] (click <name> buddy @<name>) now: @chen
  [datepicker] (click <name> when YYYY-MM-DD)
  hello @dana
  [image: a chart]
  [video block]
`,
		},
		{
			name: "DM names its person in click lines",
			r: slacktest.Record{Kind: "message", Channel: "DUBERTRAM", Text: "Did you meet?", Blocks: json.RawMessage(`[
				{"type":"section","text":{"type":"mrkdwn","text":"Did you meet?"}},
				{"type":"actions","elements":[{"type":"button","action_id":"checkin_met","text":{"type":"plain_text","text":"We met"}}]}]`)},
			want: "── DM to bertram ──\n  Did you meet?\n  [We met]  ← bertram: click We met\n",
		},
		{
			name: "buttons of the same label told apart by whom the text above names",
			r: slacktest.Record{Kind: "message", Channel: "DUALICE", Metadata: json.RawMessage(`{"event_type":"mentorbot_checkin","event_payload":{"id":"7"}}`), Blocks: json.RawMessage(`[
				{"type":"section","text":{"type":"mrkdwn","text":":calendar: *Weekly check-in.*"}},
				{"type":"section","text":{"type":"mrkdwn","text":"How did it go with <@UDANA>?"}},
				{"type":"actions","elements":[{"type":"button","action_id":"checkin_met","value":"1","text":{"type":"plain_text","text":"We met"}},
					{"type":"button","action_id":"checkin_notes","value":"1","text":{"type":"plain_text","text":"Add notes"}}]},
				{"type":"section","text":{"type":"mrkdwn","text":"How did it go with <@UEMEKA>?"}},
				{"type":"actions","elements":[{"type":"button","action_id":"checkin_met","value":"2","text":{"type":"plain_text","text":"We met"}}]},
				{"type":"actions","elements":[{"type":"button","action_id":"help","text":{"type":"plain_text","text":":wave: Help on it"}}]}]`)},
			want: "── DM to alice · mentorbot_checkin ──\n  📆 Weekly check-in.\n  How did it go with @dana?\n  [We met] [Add notes]  ← alice: click <label> on dana\n" +
				"  How did it go with @emeka?\n  [We met]  ← alice: click We met on emeka\n  [👋 Help on it]  ← alice: click 👋 Help on it\n",
		},
		{
			name: "group DM",
			r:    slacktest.Record{Kind: "message", Channel: "G00000042", Text: "Meet your partner"},
			want: "── group DM with alice, bertram ──\n  Meet your partner\n",
		},
		{
			name: "unknown group DM and thread",
			r:    slacktest.Record{Kind: "message", Channel: "G99", TS: "2.0", ThreadTS: "1.0", Text: "reply"},
			want: "── channel G99, in a thread ──\n  reply\n",
		},
		{
			name: "edited message",
			r:    slacktest.Record{Kind: "update", Channel: "DUCHEN", Text: "You answered: *We met*"},
			want: "── DM to chen (a message was edited) ──\n  You answered: We met\n",
		},
		{
			name: "replaced ephemeral",
			r:    slacktest.Record{Kind: "update", Via: "response_url", Channel: "C0GENERAL", User: "UDANA", Text: "Erased."},
			want: "── dana sees (only you, in #general; replaces the earlier message) ──\n  Erased.\n",
		},
		{
			name: "deleted",
			r:    slacktest.Record{Kind: "delete", Channel: "C0GENERAL", User: "UDANA"},
			want: "── dana's message in #general was removed ──\n",
		},
		{
			name: "modal with inputs",
			r:    slacktest.Record{Kind: "view_open", User: "UALICE", ViewID: "V1", View: json.RawMessage(modalView)},
			want: `── modal "Join mentoring" open for alice ──
  Tell us about you.
  Role:  role=mentee|mentor
    mentee = Mentee: I'd like a mentor; mentor = Mentor
    now: mentor
  Topics:  topics="…"
    now: go
    Comma-separated.
  Goals (optional):  goals="…" (\n starts a new line)
  Manager (optional):  manager=@name
    now: @dana
  Days (optional):  days=mon|tue (several: comma-separated)
  [Join] [Cancel]
  to send it: submit alice role=… topics=… goals=… manager=… days=…
  (inputs you leave out keep what they show)
`,
		},
		{
			name: "Home tab",
			r: slacktest.Record{Kind: "view_publish", User: "UCHEN", View: json.RawMessage(`{"type":"home","blocks":[
				{"type":"section","text":{"type":"mrkdwn","text":"*Role:* mentor"}}]}`)},
			want: "── chen's Home tab ──\n  Role: mentor\n",
		},
		{
			name: "refused submission",
			r: slacktest.Record{Kind: "view_errors", User: "UALICE", View: json.RawMessage(modalView),
				Errors: map[string]string{"topics": "Give at least one topic.", "zzz": "odd"}},
			want: "── alice's modal \"Join mentoring\" was not accepted ──\n  ! Topics (topics): Give at least one topic.\n  ! zzz: odd\n",
		},
		{
			name: "closed modal",
			r:    slacktest.Record{Kind: "view_close", User: "UALICE", ViewID: "V1"},
			want: "── alice's modal closed ──\n",
		},
		{
			name: "error",
			r:    slacktest.Record{Kind: "error", Channel: "C0GENERAL", User: "UEMEKA", Text: `/mentor failed with the error "operation_timeout"`},
			want: "── error shown to emeka in #general ──\n  ! /mentor failed with the error \"operation_timeout\"\n",
		},
		{
			name: "file",
			r: slacktest.Record{Kind: "file", Channel: "DUFARAH", Text: "Everything stored about you",
				File: &slacktest.File{Name: "mydata.json", Content: []byte("{\n  \"id\": \"UFARAH\"\n}\n")}},
			want: "── file \"mydata.json\" shared in DM to farah ──\n  Everything stored about you\n  │ {\n  │   \"id\": \"UFARAH\"\n  │ }\n",
		},
	}
	n := testNames()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Render(tt.r, n); got != tt.want {
				t.Errorf("Render =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestDemoRenderCutsLongFiles(t *testing.T) {
	content := strings.Repeat("line\n", maxFileLines+5)
	got := Render(slacktest.Record{Kind: "file", Channel: "DUALICE", File: &slacktest.File{Name: "big.txt", Content: []byte(content)}}, testNames())
	if n := strings.Count(got, "│ line"); n != maxFileLines {
		t.Errorf("printed %d lines of the file, want %d", n, maxFileLines)
	}
	if !strings.Contains(got, "… 5 more lines") {
		t.Errorf("no note of the lines left out:\n%s", got)
	}
}
