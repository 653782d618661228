package bot

import (
	"slices"
	"testing"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
)

func TestParseKudos(t *testing.T) {
	tests := []struct {
		name string
		// text is as Slack sends it (should_escape: true).
		text          string
		to            []string
		message, body string
	}{
		{"one person", "<@UBERT|bertram> thanks for the review", []string{"UBERT"}, "thanks for the review", "thanks for the review"},
		{"two people first", "<@UCHEN|chen> <@UDANA|dana> thanks both", []string{"UCHEN", "UDANA"}, "thanks both", "thanks both"},
		{"listed with commas and and", "<@UCHEN>, <@UDANA> and <@UEMEKA> &amp; <@UFAY> thanks all",
			[]string{"UCHEN", "UDANA", "UEMEKA", "UFAY"}, "thanks all", "thanks all"},
		{"named in the message", "thanks <@UEMEKA|emeka> for the help", []string{"UEMEKA"},
			"thanks @emeka for the help", "thanks <@UEMEKA> for the help"},
		{"first and in the message", "<@UANA|ana> great pairing with <@UBEN>!", []string{"UANA", "UBEN"},
			"great pairing with @UBEN!", "great pairing with <@UBEN>!"},
		{"named twice", "<@UANA> <@UANA|ana> thanks <@UANA>", []string{"UANA", "UANA", "UANA"}, "thanks @UANA", "thanks <@UANA>"},
		{"a comma after the people", "<@UCHEN|chen>, <@UDANA>, thanks for the help", []string{"UCHEN", "UDANA"}, "thanks for the help", "thanks for the help"},
		{"a colon after the person", "<@UCHEN>: great work — again", []string{"UCHEN"}, "great work — again", "great work — again"},
		{"and starts the message", "<@UANA> and thanks", []string{"UANA"}, "and thanks", "and thanks"},
		{"no message", "<@UANA> <@UBEN>", []string{"UANA", "UBEN"}, "", ""},
		{"nobody", "thanks everyone", nil, "thanks everyone", "thanks everyone"},
		{"broadcasts stay words", "<@UANA> &lt;3 <!channel> <!subteam^S1|@eng> <!here>", []string{"UANA"},
			"<3 @channel @eng @here", "&lt;3 @\u2060channel @eng @\u2060here"},
		{"a mention typed literally is text", "<@UANA> &lt;@UEVE&gt; too", []string{"UANA"}, "<@UEVE> too", "&lt;@UEVE&gt; too"},
		{"emoji and joiners kept", "<@UANA> 👩🏽‍💻 می‌خواهم\nline two", []string{"UANA"},
			"👩🏽‍💻 می‌خواهم\nline two", "👩🏽‍💻 می‌خواهم\nline two"},
	}
	for _, tt := range tests {
		got := parseKudos(tt.text)
		if !slices.Equal(got.to, tt.to) || got.message != tt.message || got.body != tt.body {
			t.Errorf("%s: parseKudos(%q) = to %v, message %q, body %q; want %v, %q, %q",
				tt.name, tt.text, got.to, got.message, got.body, tt.to, tt.message, tt.body)
		}
		// Only the people thanked may be live in the post.
		for _, m := range slacktest.LiveMentions(got.body) {
			if !slices.Contains(got.to, m[2:len(m)-1]) {
				t.Errorf("%s: body %q mentions %s, who is not thanked", tt.name, got.body, m)
			}
		}
	}
}

func TestKudosRefusedNamesWhoAsWritten(t *testing.T) {
	d := parseKudos("<@UCHEN|chen> <@UROBOT|robot> <@UGONE> thanks")
	tests := []struct {
		err  error
		want string
	}{
		{&mentoring.RecipientError{ID: "UROBOT", Why: "is a bot, not a person", Next: "Leave them out and try again."},
			"You named @robot, who is a bot, not a person, so nothing was posted. Leave them out and try again."},
		// Slack sent no name: the programme's words, which name nobody.
		{&mentoring.RecipientError{ID: "UGONE", Why: "has a deactivated Slack account", Next: "Leave them out and try again."},
			"One of the people you named has a deactivated Slack account, so nothing was posted. Leave them out and try again."},
		{mentoring.FieldErrorf("message", mentoring.EINVALID, "Add a message."), "Add a message."},
	}
	for _, tt := range tests {
		err := d.refused(tt.err)
		if got := words(err); got != tt.want || mentoring.ErrorField(err) != mentoring.ErrorField(tt.err) {
			t.Errorf("refused(%v) reads %q about %q, want %q about %q", tt.err, got, mentoring.ErrorField(err), tt.want, mentoring.ErrorField(tt.err))
		}
	}
}
