package demo

import (
	"slices"
	"strings"
	"testing"
)

func TestDemoParseLine(t *testing.T) {
	tests := []struct {
		line    string
		verb    string
		args    []string
		wantErr string
	}{
		{"", "", nil, ""},
		{"   ", "", nil, ""},
		{"help", "help", []string{}, ""},
		{"HOME Alice", "home", []string{"Alice"}, ""},
		{"alice: /mentor help", "slash", []string{"alice", "/mentor", "help"}, ""},
		{"alice:/mentor", "slash", []string{"alice", "/mentor", ""}, ""},
		{"  bertram :  /kudos @chen  thanks, <b> & all  ", "slash", []string{"bertram", "/kudos", "@chen  thanks, <b> & all"}, ""},
		{`alice: /mentor join mentor "go, testing"`, "slash", []string{"alice", "/mentor", `join mentor "go, testing"`}, ""},
		{"alice: hello", "", nil, `after "alice:" type a slash command or click`},
		{"dana: click We met", "press", []string{"dana", "We met"}, ""},
		{`dana:  CLICK  "We met" on chen `, "press", []string{"dana", `"We met" on chen`}, ""},
		{"dana: click", "press", []string{"dana", ""}, ""},
		{`dana: submit discussed="tests, mostly" progress=4`, "submit", []string{"dana", "discussed=tests, mostly", "progress=4"}, ""},
		{"dana: home", "home", []string{"dana"}, ""},
		{"dana: dms", "dms", []string{"dana"}, ""},
		{"dana: home now", "", nil, `after "dana:" type a slash command or click`},
		{"# a comment: alice: /mentor pair", "#", nil, ""},
		{"  #", "#", nil, ""},
		{"clock next nudge", "clock", []string{"next", "nudge"}, ""},
		{"clock +7d", "clock", []string{"+7d"}, ""},
		{"click alice checkin_met", "click", []string{"alice", "checkin_met"}, ""},
		{"click alice role_pick Mentor", "click", []string{"alice", "role_pick", "Mentor"}, ""},
		{`submit alice topics="go, public speaking" team=Platform`, "submit", []string{"alice", "topics=go, public speaking", "team=Platform"}, ""},
		{`submit alice goals="" x=1`, "submit", []string{"alice", "goals=", "x=1"}, ""},
		{`submit alice topics="go`, "", nil, "quote is not closed"},
	}
	for _, tt := range tests {
		got, err := parseLine(tt.line)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseLine(%q) error %v, want one containing %q", tt.line, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseLine(%q): %v", tt.line, err)
			continue
		}
		if got.verb != tt.verb || !slices.Equal(got.args, tt.args) {
			t.Errorf("parseLine(%q) = %q %q, want %q %q", tt.line, got.verb, got.args, tt.verb, tt.args)
		}
	}
}

func TestDemoEveryVerbIsFoundAndDescribed(t *testing.T) {
	for _, name := range []string{"slash", "press", "home", "dms", "click", "submit", "clock", "clock next", "who", "help", "quit", "exit"} {
		v, ok := lookupVerb(name)
		if !ok || v.usage == "" || v.about == "" || v.run == nil {
			t.Errorf("verb %q: found %v, usage %q, about %q", name, ok, v.usage, v.about)
		}
	}
	if _, ok := lookupVerb("frobnicate"); ok {
		t.Error("an unknown verb was found")
	}
}

func TestDemoSlackText(t *testing.T) {
	w := SampleWorkspace()
	tests := []struct{ typed, want string }{
		{"help", "help"},
		{"@bertram thanks!", "<@UBERTRAM|bertram> thanks!"},
		{"thanks @Chen, and @dana.", "thanks <@UCHEN|chen>, and <@UDANA|dana>."},
		{"manager @nobody", "manager @nobody"},
		{"mail me at bob@bertram.example", "mail me at bob@bertram.example"},
		{"see #kudos and #random", "see <#CKUDOS|kudos> and #random"},
		{"a <b> & <@UALICE> <!channel>", "a &lt;b&gt; &amp; &lt;@UALICE&gt; &lt;!channel&gt;"},
		{"(@alice)", "(<@UALICE|alice>)"},
	}
	for _, tt := range tests {
		if got := w.slackText(tt.typed); got != tt.want {
			t.Errorf("slackText(%q) = %q, want %q", tt.typed, got, tt.want)
		}
	}
}
