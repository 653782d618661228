package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// The Home tab and the weekly check-in as the members of a pair use them: goals shown
// once, notes counted as an answer and shown in the writer's words to the two of the
// pair only, weeks never dated before the pairing, partners after pairings ended, the
// profile form, and check-ins whose pairing has ended.

// hcCheckins starts the scheduled harness (alice in Berlin mentors bertram in New York
// since Tuesday 24 November, 12:00 UTC), has chen join unmatched, queues the check-ins
// of Monday 30 November and returns each member's check-in DM.
func hcCheckins(t *testing.T) (*harness, map[string]slacktest.Record) {
	t.Helper()
	s := startScheduled(t, nil)
	s.say(t, "UCHEN", "/mentor", "join mentee cooking")
	start := s.seq()
	if n := s.queueDue(t, utc(30, 16, 0), mentoring.KindCheckin); n != 2 {
		t.Fatalf("queued %d check-ins, want alice's and bertram's", n)
	}
	return s, map[string]slacktest.Record{
		"UALICE": s.noticeDM(t, start, "UALICE", mentoring.KindCheckin),
		"UBERT":  s.noticeDM(t, start, "UBERT", mentoring.KindCheckin),
	}
}

// hcClick clicks the element actionID of msg (a message) or of the view viewID as user.
func hcClick(t *testing.T, h *harness, user, actionID string, msg slacktest.Record, viewID string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	spec := slacktest.BlockActionSpec{ActionID: actionID, ViewID: viewID}
	if viewID == "" {
		spec.MessageTS, spec.ChannelID = msg.TS, msg.Channel
	}
	if _, err := h.srv.BlockAction(ctx, user, spec); err != nil {
		t.Fatal(err)
	}
}

// hcOpenNotes clicks Add notes on a check-in DM and returns the notes modal.
func hcOpenNotes(t *testing.T, h *harness, user string, msg slacktest.Record) slacktest.Record {
	t.Helper()
	start := h.seq()
	hcClick(t, h, user, actionCheckinNotes, msg, "")
	return h.record(t, start, "notes modal", func(r slacktest.Record) bool {
		return r.Kind == "view_open" && r.User == user && strings.Contains(string(r.View), `"callback_id":"checkin_notes"`)
	})
}

// hcSubmitNotes submits the notes modal; progress "" chooses no step.
func hcSubmitNotes(t *testing.T, h *harness, user, viewID, discussed, needs, progress string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var selected any
	if progress != "" {
		selected = map[string]any{"value": progress}
	}
	if _, err := h.srv.ViewSubmission(ctx, user, viewID, map[string]map[string]any{
		inputDiscussed: {inputDiscussed: map[string]any{"type": "plain_text_input", "value": discussed}},
		inputProgress:  {inputProgress: map[string]any{"type": "static_select", "selected_option": selected}},
		inputNeeds:     {inputNeeds: map[string]any{"type": "plain_text_input", "value": needs}},
	}); err != nil {
		t.Fatal(err)
	}
}

// hcHome opens user's Home tab and returns what it shows.
func hcHome(t *testing.T, h *harness, user string) string {
	t.Helper()
	h.openHome(t, user)
	return h.latestHome(user)
}

// hcCheckin returns user's stored check-in of Monday 30 November with the pairing it
// belongs to (the pair's only one).
func hcCheckin(t *testing.T, h *harness, pairingID uint64, user string) mentoring.Checkin {
	t.Helper()
	var list []mentoring.Checkin
	h.view(t, func(tx mentoring.Tx) error {
		var err error
		list, err = tx.CheckinsOf(pairingID, user)
		return err
	})
	if len(list) != 1 {
		t.Fatalf("%s has %d check-ins, want 1", user, len(list))
	}
	return list[0]
}

func TestHomeListsGoalsOnce(t *testing.T) {
	h := startMain(t, options{})
	h.say(t, "UALICE", "/mentor", "join mentee go")
	h.say(t, "UALICE", "/mentor", "goal add give a talk")
	h.say(t, "UALICE", "/mentor", "goal add write a blog post")
	h.say(t, "UALICE", "/mentor", "goal done 1")
	home := hcHome(t, h, "UALICE")
	tests := []struct{ goal, shown string }{
		{"give a talk", ":white_check_mark: 1. give a talk"},
		{"write a blog post", ":white_square: 2. write a blog post"},
	}
	for _, tt := range tests {
		if got := strings.Count(home, tt.goal); got != 1 {
			t.Errorf("the Home tab shows %q %d times, want once:\n%s", tt.goal, got, home)
		}
		contains(t, "home", home, tt.shown)
	}
	if got := strings.Count(home, "Mark done"); got != 1 {
		t.Errorf("%d Mark done buttons, want 1 (the open goal's)", got)
	}
}

// What a member wrote in a check-in shows on the Home tab of the two of the pair, in
// their words (escaped), and nowhere else: not to a third member, not to an admin.
// Notes saved without a click count as an answer.
func TestHomeShowsThePairsNotesToThePairOnly(t *testing.T) {
	s, dms := hcCheckins(t)
	modal := hcOpenNotes(t, s, "UBERT", dms["UBERT"])
	start := s.seq()
	hcSubmitNotes(t, s, "UBERT", modal.ViewID, "career plan <!channel> 👩🏽‍💻\nand my first talk", "an intro to the SRE team", "4")
	s.record(t, start, "notes saved", func(r slacktest.Record) bool {
		return r.Kind == "update" && r.TS == dms["UBERT"].TS && strings.Contains(slacktest.RecordText(r), "Notes saved")
	})
	start = s.seq()
	hcClick(t, s, "UALICE", actionCheckinMet, dms["UALICE"], "")
	s.record(t, start, "alice's answer", func(r slacktest.Record) bool { return r.Kind == "update" && r.TS == dms["UALICE"].TS })
	modal = hcOpenNotes(t, s, "UALICE", dms["UALICE"])
	start = s.seq()
	hcSubmitNotes(t, s, "UALICE", modal.ViewID, "", "a room for the workshop", "")
	s.record(t, start, "alice's notes", func(r slacktest.Record) bool {
		return r.Kind == "update" && r.TS == dms["UALICE"].TS && strings.Contains(slacktest.RecordText(r), "Notes saved")
	})
	s.say(t, "UADMIN", "/mentor", "join mentee cooking") // an admin who is a member too sees only their own pairs

	words := []string{
		"_Monday 30 November:_",
		">_Discussed:_ career plan &lt;!channel&gt; 👩🏽‍💻\n>and my first talk",
		">_Needs:_ an intro to the SRE team",
		">_Needs:_ a room for the workshop",
	}
	tests := []struct {
		user string
		sees []string // nil: sees none of the pair's words
	}{
		{"UALICE", append([]string{"*With <@UBERT>:*", "• You: met.", "• <@UBERT>: progress 4 of 5 (Nearly there)."}, words...)},
		{"UBERT", append([]string{"*With <@UALICE>:*", "• You: progress 4 of 5 (Nearly there).", "• <@UALICE>: met."}, words...)},
		{"UCHEN", nil},
		{"UADMIN", nil},
	}
	for _, tt := range tests {
		home := hcHome(t, s, tt.user)
		if tt.sees != nil {
			contains(t, tt.user+"'s Home", home, tt.sees...)
			if strings.Contains(home, "no answer yet") {
				t.Errorf("%s's Home says someone has not answered; both did:\n%s", tt.user, home)
			}
			continue
		}
		for _, secret := range []string{"career plan", "SRE team", "first talk", "workshop", "Nearly there", "Discussed", "Needs", "met."} {
			if strings.Contains(home, secret) {
				t.Errorf("%s, not of the pair, sees %q on their Home:\n%s", tt.user, secret, home)
			}
		}
	}
	contains(t, "admin's Home", s.latestHome("UADMIN"), "Programme figures")
}

// A pair made on Tuesday and asked at once by an admin's run is asked about the week
// that began on Monday: the Home tab dates it from the pairing, not before.
func TestHomeNeverDatesACheckinBeforeThePairing(t *testing.T) {
	tests := []struct {
		name  string
		send  func(t *testing.T, s *harness)
		want  string
		never string
	}{
		{"an admin's run the day the pair was made", func(t *testing.T, s *harness) {
			contains(t, "run", s.say(t, "UADMIN", "/mentor", "run checkins"), "Queued *2*")
		}, "_Tuesday 24 November:_", "Monday 23 November"},
		{"the next week's check-in", func(t *testing.T, s *harness) {
			s.queueDue(t, utc(30, 16, 0), mentoring.KindCheckin)
		}, "_Monday 30 November:_", "Monday 23 November"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startScheduled(t, nil)
			tt.send(t, s)
			for _, u := range []string{"UALICE", "UBERT"} {
				home := hcHome(t, s, u)
				contains(t, u+"'s Home", home, tt.want, "no answer yet.")
				if strings.Contains(home, tt.never) || strings.Contains(home, "2026-") {
					t.Errorf("%s's Home dates a check-in before the pairing began or not in words:\n%s", u, home)
				}
			}
		})
	}
}

// Someone whose pairings ended has no partner "yet": they had some, and are told who.
func TestHomePartnersNoneYetOrNoneRightNow(t *testing.T) {
	forget := func(t *testing.T, s *harness) {
		start := s.seq()
		s.say(t, "UBERT", "/mentor", "forget")
		ask := s.record(t, start, "confirmation", func(r slacktest.Record) bool {
			return r.Kind == "ephemeral" && r.User == "UBERT" && strings.Contains(string(r.Blocks), actionForgetConfirm)
		})
		start = s.seq()
		hcClick(t, s, "UBERT", actionForgetConfirm, ask, "")
		s.record(t, start, "partner notice", s.dmTo("UALICE", "Your mentoring partner has left"))
	}
	tests := []struct {
		name   string
		end    func(t *testing.T, s *harness) // nil: alice was never paired
		want   []string
		absent []string
	}{
		{"never paired", nil, []string{"*Partners:* none yet"}, []string{"past pairing", "none right now"}},
		{"after a rematch", func(t *testing.T, s *harness) { s.say(t, "UBERT", "/mentor", "rematch") },
			[]string{"*Partners:* none right now", "Your past pairing: <@UBERT> (Tuesday 24 November to Tuesday 1 December)."},
			[]string{"none yet"}},
		{"after the partner left", func(t *testing.T, s *harness) { s.say(t, "UBERT", "/mentor", "leave") },
			[]string{"*Partners:* none right now", "Your past pairing: <@UBERT> (Tuesday 24 November to Tuesday 1 December)."},
			[]string{"none yet"}},
		{"after the partner was erased", forget,
			[]string{"*Partners:* none right now", "Your past pairing: a partner who has since left the programme (Tuesday 24 November to Tuesday 1 December)."},
			[]string{"none yet", "UBERT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s *harness
			if tt.end == nil {
				s = startMain(t, options{now: utc(24, 12, 0)})
				s.say(t, "UALICE", "/mentor", "join mentor go")
			} else {
				s = startScheduled(t, nil)
				s.clock.set(dec(1, 12, 0))
				tt.end(t, s)
			}
			for what, text := range map[string]string{"Home": hcHome(t, s, "UALICE"), "status": s.say(t, "UALICE", "/mentor", "status")} {
				contains(t, "alice's "+what, text, tt.want...)
				for _, a := range tt.absent {
					if strings.Contains(text, a) {
						t.Errorf("alice's %s shows %q:\n%s", what, a, text)
					}
				}
			}
		})
	}
}

// "Edit my profile" opens the join form as a profile form for a member, and the reply
// to saving it names every change, the manager included.
func TestEditProfileModal(t *testing.T) {
	tests := []struct {
		name          string
		member        bool
		title, submit string
	}{
		{"not a member", false, "Join mentoring", "Join"},
		{"a member", true, "Edit your profile", "Save"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startMain(t, options{})
			if tt.member {
				h.say(t, "UALICE", "/mentor", "join mentor go, rust")
			}
			h.openHome(t, "UALICE")
			home := h.srv.Records()
			var viewID string
			for i := len(home) - 1; i >= 0 && viewID == ""; i-- {
				if home[i].Kind == "view_publish" && home[i].User == "UALICE" {
					viewID = home[i].ViewID
				}
			}
			start := h.seq()
			hcClick(t, h, "UALICE", actionHomeJoin, slacktest.Record{}, viewID)
			modal := h.record(t, start, "the profile form", func(r slacktest.Record) bool {
				return r.Kind == "view_open" && strings.Contains(string(r.View), `"callback_id":"join"`)
			})
			var v struct {
				Title, Submit struct{ Text string }
			}
			if err := json.Unmarshal(modal.View, &v); err != nil {
				t.Fatal(err)
			}
			if v.Title.Text != tt.title || v.Submit.Text != tt.submit {
				t.Errorf("form titled %q with %q, want %q with %q", v.Title.Text, v.Submit.Text, tt.title, tt.submit)
			}
			if !tt.member {
				return
			}
			contains(t, "profile form", string(modal.View), `"initial_value":"go, rust"`)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			values := map[string]map[string]any{
				inputRole:     {inputRole: map[string]any{"type": "static_select", "selected_option": map[string]any{"value": "mentor"}}},
				inputTopics:   {inputTopics: map[string]any{"type": "plain_text_input", "value": "go, rust"}},
				inputGoals:    {inputGoals: map[string]any{"type": "plain_text_input", "value": ""}},
				inputCapacity: {inputCapacity: map[string]any{"type": "static_select", "selected_option": map[string]any{"value": "3"}}},
				inputManager:  {inputManager: map[string]any{"type": "users_select", "selected_user": "UBERT"}},
				inputTeam:     {inputTeam: map[string]any{"type": "plain_text_input", "value": "Platform"}},
			}
			start = h.seq()
			if _, err := h.srv.ViewSubmission(ctx, "UALICE", modal.ViewID, values); err != nil {
				t.Fatal(err)
			}
			dm := h.record(t, start, "the saved reply", h.dmTo("UALICE", ""))
			contains(t, "saved reply", slacktest.RecordText(dm), "Your profile is saved. What changed:", "Manager: <@UBERT>. You'll never be paired with them.",
				"Team: *Platform*.", "You take up to 3 mentees at once.")
			if strings.Contains(dm.Text, "nothing changed") {
				t.Errorf("the reply says nothing changed:\n%s", dm.Text)
			}
			if p := h.participant(t, "UALICE"); p.ManagerID != "UBERT" || p.Team != "Platform" || p.Capacity != 3 {
				t.Errorf("after saving: %+v", p)
			}
		})
	}
}

// A check-in whose pairing has ended takes no answer: the click records nothing, opens
// nothing, and the message says the pairing has ended, without its buttons.
func TestCheckinOnEndedPairingRecordsNothing(t *testing.T) {
	ends := []struct {
		name string
		end  func(t *testing.T, s *harness)
		want string
	}{
		{"rematch", func(t *testing.T, s *harness) { s.say(t, "UBERT", "/mentor", "rematch") },
			"Your pairing with <@UBERT> has ended, so nothing was recorded. `/mentor status` shows your partners."},
		{"left", func(t *testing.T, s *harness) { s.say(t, "UBERT", "/mentor", "leave") },
			"Your pairing with <@UBERT> has ended, so nothing was recorded. `/mentor status` shows your partners."},
		{"erased", func(t *testing.T, s *harness) {
			start := s.seq()
			s.say(t, "UBERT", "/mentor", "forget")
			ask := s.record(t, start, "confirmation", func(r slacktest.Record) bool {
				return r.Kind == "ephemeral" && r.User == "UBERT" && strings.Contains(string(r.Blocks), actionForgetConfirm)
			})
			start = s.seq()
			hcClick(t, s, "UBERT", actionForgetConfirm, ask, "")
			s.record(t, start, "partner notice", s.dmTo("UALICE", "Your mentoring partner has left"))
		}, "Your partner has left the programme, so your pairing has ended and nothing was recorded."},
	}
	for _, end := range ends {
		for _, action := range []string{actionCheckinMet, actionCheckinNotMet, actionCheckinNotes} {
			t.Run(end.name+"/"+action, func(t *testing.T) {
				s, dms := hcCheckins(t)
				pairingID := s.activePairings(t, "UALICE")[0].ID
				end.end(t, s)
				msg := dms["UALICE"]
				start := s.seq()
				hcClick(t, s, "UALICE", action, msg, "")
				upd := s.record(t, start, "the closed check-in", func(r slacktest.Record) bool { return r.Kind == "update" && r.TS == msg.TS })
				contains(t, "closed check-in", slacktest.RecordText(upd), end.want)
				for _, id := range []string{actionCheckinMet, actionCheckinNotMet, actionCheckinNotes} {
					if strings.Contains(string(upd.Blocks), `"action_id":"`+id+`"`) {
						t.Errorf("the closed check-in still has its %s button", id)
					}
				}
				time.Sleep(100 * time.Millisecond) // a modal or a recorded answer would show by now
				if c := hcCheckin(t, s, pairingID, "UALICE"); c.Answered() || c.AnsweredAt != nil {
					t.Errorf("a click on an ended pairing recorded %+v", c)
				}
				s.view(t, func(tx mentoring.Tx) error {
					pr, err := tx.Pairing(pairingID)
					if err == nil && pr.LastMetAt != nil {
						t.Errorf("a click on an ended pairing recorded a meeting at %v", pr.LastMetAt)
					}
					return err
				})
				for _, r := range s.srv.Records()[start:] {
					if r.Kind == "view_open" {
						t.Errorf("a click on an ended pairing opened a modal: %s", r.View)
					}
				}
			})
		}
	}
}

// Notes sent while the pairing ends are refused in the form and recorded nowhere.
func TestCheckinNotesAfterThePairingEndedAreRefused(t *testing.T) {
	s, dms := hcCheckins(t)
	pairingID := s.activePairings(t, "UALICE")[0].ID
	modal := hcOpenNotes(t, s, "UALICE", dms["UALICE"])
	s.say(t, "UBERT", "/mentor", "rematch")
	start := s.seq()
	hcSubmitNotes(t, s, "UALICE", modal.ViewID, "we talked", "", "3")
	errs := s.record(t, start, "the refusal", func(r slacktest.Record) bool { return r.Kind == "view_errors" })
	contains(t, "refusal", errs.Errors[inputDiscussed], "This pairing has ended, so nothing was recorded.")
	s.record(t, start, "the closed check-in", func(r slacktest.Record) bool {
		return r.Kind == "update" && r.TS == dms["UALICE"].TS && strings.Contains(slacktest.RecordText(r), "has ended")
	})
	if c := hcCheckin(t, s, pairingID, "UALICE"); c.Answered() {
		t.Errorf("notes on an ended pairing were recorded: %+v", c)
	}
}

// The notes form names the partner and says what each progress step means; it refuses
// notes that say nothing under the first field, and the message tells what was saved.
func TestCheckinNotesModal(t *testing.T) {
	s, dms := hcCheckins(t)
	pairingID := s.activePairings(t, "UALICE")[0].ID
	msg := dms["UALICE"]
	modal := hcOpenNotes(t, s, "UALICE", msg)
	contains(t, "notes form", slacktest.RecordText(modal), "Your week with <@UBERT>", "Only you and <@UBERT> can see these notes.")
	var v struct {
		Blocks []struct {
			BlockID string `json:"block_id"`
			Element struct {
				Options []struct {
					Text  struct{ Text string }
					Value string
				}
			}
		}
	}
	if err := json.Unmarshal(modal.View, &v); err != nil {
		t.Fatal(err)
	}
	var options []string
	for _, b := range v.Blocks {
		if b.BlockID == inputProgress {
			for _, o := range b.Element.Options {
				options = append(options, o.Text.Text)
			}
		}
	}
	wantOptions := []string{"1 – Just getting started", "2 – Taking first steps", "3 – Making steady progress", "4 – Nearly there", "5 – Goal reached"}
	if strings.Join(options, "|") != strings.Join(wantOptions, "|") {
		t.Errorf("progress options = %q, want %q", options, wantOptions)
	}
	for _, o := range options {
		if utf8.RuneCountInString(o) > 75 {
			t.Errorf("option %q is longer than Slack's 75 characters", o)
		}
	}

	empty := []struct{ name, discussed, needs string }{
		{"nothing", "", ""},
		{"only spaces and line breaks", "  \n ", "\t"},
	}
	for _, tt := range empty {
		start := s.seq()
		hcSubmitNotes(t, s, "UALICE", modal.ViewID, tt.discussed, tt.needs, "")
		errs := s.record(t, start, "the answer to "+tt.name, func(r slacktest.Record) bool {
			return r.User == "UALICE" && (r.Kind == "view_errors" || r.Kind == "view_close")
		})
		if errs.Kind != "view_errors" {
			t.Fatalf("%s: the form closed, want it refused with an error", tt.name)
		}
		if got, want := errs.Errors[inputDiscussed], "Write what you discussed, what you need, or pick a progress step."; got != want {
			t.Errorf("%s: errors = %v, want %q under %s", tt.name, errs.Errors, want, inputDiscussed)
		}
	}
	if c := hcCheckin(t, s, pairingID, "UALICE"); c.Answered() {
		t.Errorf("empty notes were recorded: %+v", c)
	}

	saved := []struct {
		name, discussed, progress string
		click                     string // a button clicked after saving, or ""
		want                      string
	}{
		{"progress only", "", "4", "",
			"Notes saved, progress 4 of 5 (Nearly there). To change them, click *Add notes* again."},
		{"words only", "career plan", "", "",
			"Notes saved. To change them, click *Add notes* again."},
		{"with an answer", "career plan", "5", actionCheckinMet,
			"Your answer: *:white_check_mark: We met*. Notes saved, progress 5 of 5 (Goal reached). Click a button again to change your answer or your notes."},
	}
	for i, tt := range saved {
		if i > 0 {
			modal = hcOpenNotes(t, s, "UALICE", msg)
		}
		start := s.seq()
		hcSubmitNotes(t, s, "UALICE", modal.ViewID, tt.discussed, "", tt.progress)
		line := "Notes saved"
		if tt.click != "" {
			s.record(t, start, "notes saved", func(r slacktest.Record) bool { return r.Kind == "update" && r.TS == msg.TS })
			start = s.seq()
			hcClick(t, s, "UALICE", tt.click, msg, "")
			line = "Your answer"
		}
		upd := s.record(t, start, tt.name+" shown", func(r slacktest.Record) bool {
			return r.Kind == "update" && r.TS == msg.TS && strings.Contains(slacktest.RecordText(r), line)
		})
		contains(t, tt.name, slacktest.RecordText(upd), tt.want)
		c := hcCheckin(t, s, pairingID, "UALICE")
		if c.Discussed != tt.discussed || c.Progress != map[string]int{"": 0, "4": 4, "5": 5}[tt.progress] {
			t.Errorf("%s: stored %+v", tt.name, c)
		}
	}
	// Reopened, the form holds what was saved.
	again := hcOpenNotes(t, s, "UALICE", msg)
	contains(t, "reopened form", string(again.View), `"initial_value":"career plan"`)
	var form struct {
		Blocks []struct {
			BlockID string `json:"block_id"`
			Element struct {
				InitialOption *struct{ Value string } `json:"initial_option"`
			}
		}
	}
	if err := json.Unmarshal(again.View, &form); err != nil {
		t.Fatal(err)
	}
	for _, b := range form.Blocks {
		if b.BlockID == inputProgress && (b.Element.InitialOption == nil || b.Element.InitialOption.Value != "5") {
			t.Errorf("the reopened form's progress is %+v, want the saved 5", b.Element.InitialOption)
		}
	}
}
