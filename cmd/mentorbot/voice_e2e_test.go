package main

import (
	"strings"
	"testing"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// checkVoice fails t for each record whose text breaks the voice rules of SPEC.md
// (slacktest.VoiceProblems).
func checkVoice(t testing.TB, records []slacktest.Record) {
	t.Helper()
	for _, r := range records {
		for _, p := range slacktest.VoiceProblems(r) {
			t.Errorf("voice: %s", p)
		}
	}
}

// TestTextAsTyped: what people type comes back as typed, joiners and all, and a
// broadcast still cannot ping anyone.
func TestTextAsTyped(t *testing.T) {
	h := startMain(t, options{})
	h.say(t, "UALICE", "/mentor", "join mentee go")
	tests := []struct{ name, typed string }{
		{"emoji with zero-width joiners", "Pair with a 👩🏽\u200d💻 on the parser"},
		{"Persian with a non-joiner", "می\u200cخواهم سخنرانی کنم"},
		{"a subdivision flag", "Speak at 🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F meetup"},
		{"accents and marks", "Présenter à l\u2019équipe \u200fשלום\u200e"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			contains(t, "goal add", h.say(t, "UALICE", "/mentor", "goal add "+tt.typed), tt.typed)
			if got := h.participant(t, "UALICE").Goals[i].Text; got != tt.typed {
				t.Errorf("stored %q, want %q as typed", got, tt.typed)
			}
			contains(t, "goals", h.say(t, "UALICE", "/mentor", "goals"), tt.typed)
		})
	}
	// What could disguise text or ping is still defused.
	got := h.say(t, "UALICE", "/mentor", "goal add x\u202egnp.exe <!channel>")
	if strings.ContainsRune(got, '\u202e') || len(slacktest.LiveMentions(got)) > 0 {
		t.Errorf("reply kept a bidi override or a live mention: %q", got)
	}
}

// TestJoinNeedsARealTopic: topics given but empty are refused and nothing is stored;
// joining with no topics is allowed but the reply asks for one instead of promising
// an intro that cannot come (a pair must share a topic).
func TestJoinNeedsARealTopic(t *testing.T) {
	h := startMain(t, options{})
	for _, text := range []string{"join mentee , , ,", "join mentee ,", "join both  ,  "} {
		contains(t, text, h.say(t, "UALICE", "/mentor", text), "Give at least one topic", "for example")
		h.view(t, func(tx mentoring.Tx) error {
			if _, err := tx.Participant("UALICE"); mentoring.ErrorCode(err) != mentoring.ENOTFOUND {
				t.Errorf("%q stored a participant (err %v)", text, err)
			}
			return nil
		})
	}
	got := h.say(t, "UALICE", "/mentor", "join mentee")
	contains(t, "join without topics", got, "Add at least one topic so I can match you", "`/mentor join mentee go, public speaking`")
	if strings.Contains(got, "introduce") {
		t.Errorf("a member with no topics was promised an intro: %q", got)
	}
	contains(t, "join with topics", h.say(t, "UBERT", "/mentor", "join mentee go"), "I'll introduce you after the next pairing round.")
}

// TestIntroReasonsAreWhatTheScoreRewarded: time apart is information for planning,
// never a reason to match; close zones are a reason.
func TestIntroReasonsAreWhatTheScoreRewarded(t *testing.T) {
	tests := []struct {
		name, mentor, mentee string // users of the harness's workspace
		reasons, notReasons  []string
		zones                string
	}{
		// Berlin and New York are 6 hours apart: no zone reason.
		{"far", "UALICE", "UBERT", []string{"you share an interest in go"}, []string{"apart", "time zone"}, "you're 6 hours apart"},
		// Admin (UTC) and Chen (no zone: the default, UTC) share a zone.
		{"same zone", "UADMIN", "UCHEN", []string{"you share an interest in go and you work in the same time zone"}, []string{"apart"}, "you're in the same time zone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startMain(t, options{})
			h.say(t, tt.mentor, "/mentor", "join mentor go")
			h.say(t, tt.mentee, "/mentor", "join mentee go")
			start := h.seq()
			h.say(t, "UADMIN", "/mentor", "pair")
			intro := slacktest.RecordText(h.record(t, start, "intro", isIntro(tt.mentee, tt.mentor)))
			_, why, _ := strings.Cut(intro, "*Why you were matched:*")
			why, _, _ = strings.Cut(why, "\n")
			contains(t, "reasons", why, tt.reasons...)
			for _, not := range tt.notReasons {
				if strings.Contains(why, not) {
					t.Errorf("reasons %q name %q", why, not)
				}
			}
			contains(t, "intro", intro, "*Time zones:* "+tt.zones)
		})
	}
}

// TestFiguresSayWhatTheyCount: an admin's run counts this period's queue, stats count
// since the start, and each says so.
func TestFiguresSayWhatTheyCount(t *testing.T) {
	h := startMain(t, options{})
	h.say(t, "UALICE", "/mentor", "join mentor go")
	h.say(t, "UBERT", "/mentor", "join mentee go")
	h.say(t, "UADMIN", "/mentor", "pair")
	contains(t, "run", h.say(t, "UADMIN", "/mentor", "run checkins"), "Queued *2* check-ins for people due one this period",
		"counts every check-in sent since the programme began")
	contains(t, "run again", h.say(t, "UADMIN", "/mentor", "run checkins"), "Queued *0* check-ins")
	contains(t, "stats", h.say(t, "UADMIN", "/mentor", "stats"), "*Check-ins since the start:* 2 sent", "*Pairs now:* 1 active")
}
