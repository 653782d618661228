package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// Where each state of consent, fit and cycles shows to the people it concerns (their
// own /mentor status, Home tab and /mentor mydata, text and JSON file), and what admins
// see of it in /mentor stats.

// cvMyData runs /mentor mydata for user and returns the DM's text and the JSON file,
// raw and decoded.
func cvMyData(t *testing.T, h *harness, user string) (string, string, mentoring.PersonalData) {
	t.Helper()
	start := h.seq()
	contains(t, user+"'s mydata", h.say(t, user, "/mentor", "mydata"), "sent you a DM")
	text := slacktest.RecordText(h.record(t, start, "mydata DM", h.dmTo(user, "Everything mentorbot stores about you")))
	ch := h.srv.DMChannelID(user)
	file := h.record(t, start, "mydata file", func(r slacktest.Record) bool { return r.Kind == "file" && r.File != nil && r.Channel == ch })
	var d mentoring.PersonalData
	if err := json.Unmarshal(file.File.Content, &d); err != nil {
		t.Fatalf("mydata file is not JSON: %v\n%s", err, file.File.Content)
	}
	return text, string(file.File.Content), d
}

// cvHome opens user's Home tab and returns what it shows.
func cvHome(t *testing.T, h *harness, user string) string {
	t.Helper()
	h.openHome(t, user)
	return h.latestHome(user)
}

// cvLacks fails t if got has any of the unwanted texts.
func cvLacks(t *testing.T, what, got string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(got, u) {
			t.Errorf("%s shows %q:\n%s", what, u, got)
		}
	}
}

// cvProposals returns the proposals stored.
func cvProposals(t *testing.T, h *harness) []mentoring.Proposal {
	t.Helper()
	var all []mentoring.Proposal
	h.view(t, func(tx mentoring.Tx) error {
		var err error
		all, err = tx.Proposals()
		return err
	})
	return all
}

// The mentor asked sees the proposal with its deadline in their own zone; the mentee
// only that a mentor is being found, and after a decline nothing of it anywhere.
func TestConsentViewsOfAProposal(t *testing.T) {
	h := startMain(t, options{env: map[string]string{"MENTORBOT_MENTOR_APPROVAL": "true"}})
	h.say(t, "UALICE", "/mentor", "join mentor go")
	h.say(t, "UBERT", "/mentor", "join mentee go")
	h.say(t, "UADMIN", "/mentor", "pair")
	props := cvProposals(t, h)
	if len(props) != 1 {
		t.Fatalf("proposals = %+v, want one", props)
	}
	// 12:00 UTC plus 72 hours is Friday 13:00 in Berlin.
	wait := "*Waiting for your answer:* would you mentor <@UBERT>? Answer in the DM I sent, by Friday 27 November, 13:00."
	contains(t, "alice's status", h.say(t, "UALICE", "/mentor", "status"), wait)
	contains(t, "alice's Home", cvHome(t, h, "UALICE"), wait)
	text, _, _ := cvMyData(t, h, "UALICE")
	contains(t, "alice's mydata", text, "*Proposals to mentor someone:* 1", "<@UBERT>, proposed Tuesday 24 November 2026: waiting for your answer, by Friday 27 November, 13:00.")

	finding := "We're finding you a mentor; you'll hear soon."
	secret := []string{"<@UALICE>", "UALICE", "Waiting for your answer", "propos", "declin", "not now"}
	for what, got := range map[string]string{"status": h.say(t, "UBERT", "/mentor", "status"), "Home": cvHome(t, h, "UBERT")} {
		contains(t, "bert's "+what, got, "*Partners:* none yet. "+finding)
		cvLacks(t, "bert's "+what, got, secret...)
	}
	text, raw, d := cvMyData(t, h, "UBERT")
	cvLacks(t, "bert's mydata", text, secret...)
	cvLacks(t, "bert's mydata file", raw, secret...)
	if len(d.Proposals) != 0 {
		t.Errorf("bert's mydata file has proposals %+v", d.Proposals)
	}

	if _, err := h.m.prog.AnswerProposal(context.Background(), "UALICE", props[0].ID, false); err != nil {
		t.Fatal(err)
	}
	for what, got := range map[string]string{"status": h.say(t, "UBERT", "/mentor", "status"), "Home": cvHome(t, h, "UBERT")} {
		contains(t, "bert's "+what+" after the decline", got, "*Partners:* none yet: you'll be introduced after the next pairing round.")
		cvLacks(t, "bert's "+what+" after the decline", got, append(secret, finding)...)
	}
	text, raw, _ = cvMyData(t, h, "UBERT")
	cvLacks(t, "bert's mydata after the decline", text, append(secret, finding)...)
	cvLacks(t, "bert's mydata file after the decline", raw, secret...)

	cvLacks(t, "alice's status after the decline", h.say(t, "UALICE", "/mentor", "status"), "Waiting for your answer")
	text, _, d = cvMyData(t, h, "UALICE")
	contains(t, "alice's mydata after the decline", text, "<@UBERT>, proposed Tuesday 24 November 2026: you chose not now.")
	if len(d.Proposals) != 1 || d.Proposals[0].State != mentoring.ProposalDeclined {
		t.Errorf("alice's mydata file has proposals %+v, want the declined one", d.Proposals)
	}
}

// A pause the programme made after unanswered check-ins reads differently from one's
// own, and says how to resume.
func TestConsentViewsIdlePause(t *testing.T) {
	h := startMain(t, options{})
	h.say(t, "UALICE", "/mentor", "join mentor go")
	h.say(t, "UBERT", "/mentor", "join mentee go")
	h.say(t, "UADMIN", "/mentor", "pair")
	pr := h.activePairings(t, "UALICE")[0]
	for _, day := range []int{30, 37, 44, 51} { // Mondays from 30 November, 16:00 UTC
		at := time.Date(2026, 11, day, 16, 0, 0, 0, time.UTC)
		h.queueDue(t, at, mentoring.KindCheckin)
		if day == 51 {
			break
		}
		key := mentoring.Period{Kind: mentoring.KindCheckin, Start: time.Date(at.Year(), at.Month(), at.Day(), 10, 0, 0, 0, time.UTC)}.Key()
		if _, err := h.m.prog.AnswerCheckin(context.Background(), "UALICE", pr.ID, key, mentoring.AnswerMet); err != nil {
			t.Fatal(err)
		}
	}
	if p := h.participant(t, "UBERT"); !p.Idle {
		t.Fatalf("bert is not paused as idle: %+v", p)
	}
	idle := "*Paused by mentorbot* after your last few check-ins went unanswered"
	for what, got := range map[string]string{"status": h.say(t, "UBERT", "/mentor", "status"), "Home": cvHome(t, h, "UBERT")} {
		contains(t, "bert's "+what, got, idle, "`/mentor resume`")
		cvLacks(t, "bert's "+what, got, "*Next check-in:*", "as you asked")
	}
	cvLacks(t, "alice's status", h.say(t, "UALICE", "/mentor", "status"), "Paused")
	text, _, _ := cvMyData(t, h, "UBERT")
	contains(t, "bert's mydata", text, "paused by mentorbot after check-ins went unanswered")

	// The Home tab offers to resume, and its button does.
	start := h.seq()
	actx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := h.srv.AppHomeOpened(actx, "UBERT"); err != nil {
		t.Fatal(err)
	}
	home := h.record(t, start, "bert's Home", func(r slacktest.Record) bool { return r.Kind == "view_publish" && r.User == "UBERT" })
	contains(t, "bert's Home", slacktest.RecordText(home), "Resume check-ins")
	if _, err := h.srv.BlockAction(actx, "UBERT", slacktest.BlockActionSpec{ActionID: "resume", ViewID: home.ViewID}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "bert to be resumed", func() bool { return h.participant(t, "UBERT").PausedUntil == nil })
	waitFor(t, "bert's Home to drop the pause", func() bool { return !strings.Contains(h.latestHome("UBERT"), "Paused") })
	cvLacks(t, "bert's Home after resuming", h.latestHome("UBERT"), "Resume check-ins")
	// A click on the Home tab is answered there, not by a DM as well.
	for _, r := range h.srv.Records()[start:] {
		if r.Kind == "message" && r.Channel == h.srv.DMChannelID("UBERT") && strings.Contains(r.Text, "Welcome back") {
			t.Errorf("resuming from the Home tab also sent a DM: %s", r.Text)
		}
	}

	h.say(t, "UBERT", "/mentor", "pause 2w")
	got := h.say(t, "UBERT", "/mentor", "status")
	contains(t, "bert's status in his own pause", got, "*Paused* until", "as you asked", "*Next check-in:*")
	cvLacks(t, "bert's status in his own pause", got, "Paused by mentorbot")
}

// With cycles on, status and Home say when each pairing's cycle ends and, while the
// question is open, by when to answer and what the reader answered; never the partner's
// answer.
func TestConsentViewsCycle(t *testing.T) {
	h := startMain(t, options{env: map[string]string{"MENTORBOT_CYCLE": "12w"}})
	h.say(t, "UALICE", "/mentor", "join mentor go")
	h.say(t, "UBERT", "/mentor", "join mentee go")
	h.say(t, "UADMIN", "/mentor", "pair")
	pr := h.activePairings(t, "UALICE")[0]
	// 84 days after Tuesday 24 November, 12:00 UTC: 13:00 in Berlin, 07:00 in New York.
	contains(t, "alice's status", h.say(t, "UALICE", "/mentor", "status"),
		"*Cycle with <@UBERT>:* this cycle ends Tuesday 16 February, 13:00; then I'll ask you both whether to keep going.")
	contains(t, "bert's Home", cvHome(t, h, "UBERT"), "*Cycle with <@UALICE>:* this cycle ends Tuesday 16 February, 07:00")

	h.clock.set(fixedNow.Add(12 * 7 * 24 * time.Hour))
	if _, err := h.m.prog.Advance(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := h.m.prog.AnswerCycle(context.Background(), "UALICE", pr.ID, true); err != nil {
		t.Fatal(err)
	}
	for what, got := range map[string]string{"status": h.say(t, "UALICE", "/mentor", "status"), "Home": cvHome(t, h, "UALICE")} {
		contains(t, "alice's "+what, got, "you chose *Keep going*. Another cycle starts if you both choose it by Friday 19 February, 13:00.")
	}
	for what, got := range map[string]string{"status": h.say(t, "UBERT", "/mentor", "status"), "Home": cvHome(t, h, "UBERT")} {
		contains(t, "bert's "+what, got, "Choose *Keep going* or *Wrap up* in the DM I sent, by Friday 19 February, 07:00; you haven't answered yet.")
		cvLacks(t, "bert's "+what, got, "you chose")
	}
	text, _, _ := cvMyData(t, h, "UALICE")
	contains(t, "alice's mydata", text, "At the end of the cycle you chose to keep going.")
	text, _, _ = cvMyData(t, h, "UBERT")
	cvLacks(t, "bert's mydata", text, "keep going")
}

// Status counts the avoid list; mydata lists it; the avoided person sees nothing.
func TestConsentViewsAvoidList(t *testing.T) {
	h := startMain(t, options{})
	h.say(t, "UALICE", "/mentor", "join mentee go")
	h.say(t, "UCHEN", "/mentor", "join mentor go")
	cvLacks(t, "alice's status", h.say(t, "UALICE", "/mentor", "status"), "Avoiding")
	h.say(t, "UALICE", "/mentor", "avoid <@UCHEN>")
	contains(t, "alice's status", h.say(t, "UALICE", "/mentor", "status"), "*Avoiding:* 1 person (only you see this; `/mentor avoid` lists them)")
	h.say(t, "UALICE", "/mentor", "avoid <@UBERT>")
	got := h.say(t, "UALICE", "/mentor", "status")
	contains(t, "alice's status", got, "*Avoiding:* 2 people")
	cvLacks(t, "alice's status", got, "<@UCHEN>", "<@UBERT>")
	contains(t, "alice's Home", cvHome(t, h, "UALICE"), "*Avoiding:* 2 people")

	text, _, d := cvMyData(t, h, "UALICE")
	contains(t, "alice's mydata", text, "*Your avoid list* (only you see it): <@UCHEN>, <@UBERT>")
	if d.Participant == nil || !sameSet(d.Participant.Avoid, []string{"UCHEN", "UBERT"}) {
		t.Errorf("alice's mydata file has avoid list %+v", d.Participant)
	}
	cvLacks(t, "chen's status", h.say(t, "UCHEN", "/mentor", "status"), "Avoiding", "UALICE")
	text, raw, _ := cvMyData(t, h, "UCHEN")
	cvLacks(t, "chen's mydata", text, "UALICE", "avoid")
	cvLacks(t, "chen's mydata file", raw, "UALICE", "avoid")
}

// A partner's fit, cycle and survey answers reach neither the other's status and Home
// nor their mydata, text or JSON file; their own do.
func TestConsentViewsPartnersAnswersStayTheirs(t *testing.T) {
	h := startMain(t, options{env: map[string]string{"MENTORBOT_CYCLE": "12w"}})
	h.say(t, "UALICE", "/mentor", "join mentor go")
	h.say(t, "UBERT", "/mentor", "join mentee go")
	h.say(t, "UADMIN", "/mentor", "pair")
	ctx := context.Background()
	pr := h.activePairings(t, "UALICE")[0]
	if _, err := h.m.prog.AnswerFit(ctx, "UALICE", pr.ID, true); err != nil {
		t.Fatal(err)
	}
	h.clock.set(fixedNow.Add(12 * 7 * 24 * time.Hour))
	if _, err := h.m.prog.Advance(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := h.m.prog.AnswerCycle(ctx, "UBERT", pr.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := h.m.prog.SaveSurvey(ctx, "UBERT", pr.ID, 2, "Bertram's private lesson"); err != nil {
		t.Fatal(err)
	}
	if err := h.m.prog.SaveSurvey(ctx, "UALICE", pr.ID, 5, "Alice's private lesson"); err != nil {
		t.Fatal(err)
	}

	for what, got := range map[string]string{"status": h.say(t, "UALICE", "/mentor", "status"), "Home": cvHome(t, h, "UALICE")} {
		contains(t, "alice's "+what, got, "you haven't answered yet.", "Your closing survey is saved.")
		cvLacks(t, "alice's "+what, got, "Bertram's private lesson", "you chose")
	}
	for what, got := range map[string]string{"status": h.say(t, "UBERT", "/mentor", "status"), "Home": cvHome(t, h, "UBERT")} {
		contains(t, "bert's "+what, got, "you chose *Keep going*", "Your closing survey is saved.")
		cvLacks(t, "bert's "+what, got, "Alice's private lesson", "good fit")
	}

	text, raw, d := cvMyData(t, h, "UALICE")
	contains(t, "alice's mydata", text, "Your fit check: a good fit.", "you valued it 5 out of 5", "Alice's private lesson")
	cvLacks(t, "alice's mydata", text, "Bertram", "keep going", "valued it 2")
	cvLacks(t, "alice's mydata file", raw, "Bertram's private lesson", `"mentee_side"`, `"continue"`)
	if len(d.Pairings) != 1 || d.Pairings[0].Mentee != (mentoring.Side{}) || d.Pairings[0].Mentor.Fit != mentoring.FitYes {
		t.Errorf("alice's mydata file pairings = %+v; want her side only", d.Pairings)
	}
	text, raw, d = cvMyData(t, h, "UBERT")
	contains(t, "bert's mydata", text, "At the end of the cycle you chose to keep going.", "you valued it 2 out of 5", "Bertram's private lesson")
	cvLacks(t, "bert's mydata", text, "Alice's", "good fit", "valued it 5")
	cvLacks(t, "bert's mydata file", raw, "Alice's private lesson", `"mentor_side"`, `"yes"`)
	if len(d.Pairings) != 1 || d.Pairings[0].Mentor != (mentoring.Side{}) || d.Pairings[0].Mentee.Cycle != mentoring.CycleContinue {
		t.Errorf("bert's mydata file pairings = %+v; want his side only", d.Pairings)
	}
}

// /mentor stats counts proposals, fit answers, cycles and surveys: the figures drawn from
// answers only once 5 people gave them, open proposals and cycles always.
func TestConsentViewsStats(t *testing.T) {
	h := startMain(t, options{env: map[string]string{"MENTORBOT_MENTOR_APPROVAL": "true", "MENTORBOT_CYCLE": "12w"}})
	ctx := context.Background()
	var mentors, mentees []string
	for i := 1; i <= 5; i++ {
		m, me := fmt.Sprintf("UMENTOR%d", i), fmt.Sprintf("UMENTEE%d", i)
		h.srv.AddUser(slacktest.User{ID: m, Name: strings.ToLower(m), RealName: m, TZ: "UTC"})
		h.srv.AddUser(slacktest.User{ID: me, Name: strings.ToLower(me), RealName: me, TZ: "UTC"})
		h.say(t, m, "/mentor", fmt.Sprintf("join mentor topic%d", i))
		h.say(t, me, "/mentor", fmt.Sprintf("join mentee topic%d", i))
		mentors, mentees = append(mentors, m), append(mentees, me)
	}
	h.say(t, "UADMIN", "/mentor", "pair")
	stats := func() string { return h.say(t, "UADMIN", "/mentor", "stats") }
	hidden := "hidden: fewer than 5"
	contains(t, "stats after the round", stats(),
		"*Proposals to mentors since the start:* accepted "+hidden+" · declined or lapsed "+hidden+" · 5 still open now",
		"*Fit checks since the start:* answers "+hidden,
		"*Cycles since the start:* 0 completed · 0 ended with the pair wrapping up · 0 went on for another cycle · closing surveys' mean value "+hidden)

	props := cvProposals(t, h)
	for i, pr := range props {
		if _, err := h.m.prog.AnswerProposal(ctx, pr.MentorID, pr.ID, pr.MenteeID != mentees[4]); err != nil {
			t.Fatal(err)
		}
		if i == 3 {
			contains(t, "stats after 4 answers", stats(), "accepted "+hidden+" · declined or lapsed "+hidden+" · 1 still open now")
		}
	}
	contains(t, "stats after 5 answers", stats(), "*Proposals to mentors since the start:* 4 accepted · 1 declined or lapsed · 0 still open now")

	var pairings []mentoring.Pairing
	for i := range 4 {
		pairings = append(pairings, h.activePairings(t, mentees[i])[0])
	}
	fit := func(who string, id uint64, yes bool) {
		t.Helper()
		if _, err := h.m.prog.AnswerFit(ctx, who, id, yes); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 2 {
		fit(mentors[i], pairings[i].ID, true)
		fit(mentees[i], pairings[i].ID, true)
	}
	contains(t, "stats after 4 fit answers", stats(), "*Fit checks since the start:* answers "+hidden)
	fit(mentors[3], pairings[3].ID, false)
	contains(t, "stats after 5 fit answers", stats(), "*Fit checks since the start:* 4 said yes, a good fit · 1 said no")

	h.clock.set(fixedNow.Add(12 * 7 * 24 * time.Hour))
	if _, err := h.m.prog.Advance(ctx); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{mentors[0], mentees[0]} {
		if _, err := h.m.prog.AnswerCycle(ctx, who, pairings[0].ID, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.m.prog.AnswerCycle(ctx, mentees[1], pairings[1].ID, false); err != nil {
		t.Fatal(err)
	}
	surveys := []struct {
		who   string
		id    uint64
		value int
	}{
		{mentors[0], pairings[0].ID, 5}, {mentees[0], pairings[0].ID, 4}, {mentors[1], pairings[1].ID, 3},
		{mentees[1], pairings[1].ID, 4}, {mentors[2], pairings[2].ID, 2},
	}
	for i, s := range surveys {
		if i == 4 {
			contains(t, "stats after 4 surveys", stats(), "*Cycles since the start:* 2 completed · 1 ended with the pair wrapping up · 1 went on for another cycle · closing surveys' mean value "+hidden)
		}
		if err := h.m.prog.SaveSurvey(ctx, s.who, s.id, s.value, ""); err != nil {
			t.Fatal(err)
		}
	}
	got := stats()
	contains(t, "stats after 5 surveys", got, "*Cycles since the start:* 2 completed · 1 ended with the pair wrapping up · 1 went on for another cycle · closing surveys' mean value 3.6 out of 5")
	for _, id := range append(mentors, mentees...) {
		cvLacks(t, "stats", got, id)
	}
	contains(t, "admin's Home", cvHome(t, h, "UADMIN"), "*Fit checks since the start:* 4 said yes, a good fit · 1 said no", "closing surveys' mean value 3.6 out of 5")

	// Without approval or cycles, and nothing of them stored, those lines do not show.
	plain := startMain(t, options{})
	got = plain.say(t, "UADMIN", "/mentor", "stats")
	contains(t, "stats with both off", got, "*Fit checks since the start:* answers "+hidden)
	cvLacks(t, "stats with both off", got, "Proposals", "Cycles")
}
