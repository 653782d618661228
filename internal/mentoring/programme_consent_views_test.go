package mentoring_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// Where each state of consent, fit and cycles shows to the people it concerns: their
// own status and Home, and /mentor mydata; and what admins see of it, as counts.

func (e *env) home(id string) mentoring.Home {
	e.t.Helper()
	h, err := e.p.Home(e.ctx, id)
	if err != nil {
		e.t.Fatalf("Home(%s): %v", id, err)
	}
	return h
}

func (e *env) personalData(id string) (mentoring.PersonalData, string) {
	e.t.Helper()
	d, err := e.p.PersonalData(e.ctx, id)
	if err != nil {
		e.t.Fatalf("PersonalData(%s): %v", id, err)
	}
	raw, err := json.Marshal(d)
	if err != nil {
		e.t.Fatalf("marshal PersonalData(%s): %v", id, err)
	}
	return d, string(raw)
}

func (e *env) stats() mentoring.Stats {
	e.t.Helper()
	st, err := e.p.Stats(e.ctx, admin)
	if err != nil {
		e.t.Fatalf("Stats: %v", err)
	}
	return st
}

// onlyProposal returns the one proposal stored.
func (e *env) onlyProposal() mentoring.Proposal {
	e.t.Helper()
	var all []mentoring.Proposal
	if err := e.store.View(e.ctx, func(tx mentoring.Tx) error {
		var err error
		all, err = tx.Proposals()
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	if len(all) != 1 {
		e.t.Fatalf("%d proposals stored, want 1: %+v", len(all), all)
	}
	return all[0]
}

// A mentor sees the proposal that waits for them, with its deadline; the mentee sees
// only that a mentor is being found, and after a decline nothing at all: not in their
// status, their Home or their data.
func TestViewsOfAProposal(t *testing.T) {
	for _, decide := range []string{"decline", "lapse"} {
		t.Run(decide, func(t *testing.T) {
			e := newEnv(t, withApproval)
			e.join("UALICE", mentoring.RoleMentor, "go")
			e.join("UBERT", mentoring.RoleMentee, "go")
			e.round()
			pr := e.onlyProposal()

			alice := e.status("UALICE")
			if len(alice.Proposals) != 1 || alice.Proposals[0].MenteeID != "UBERT" || !alice.Proposals[0].Until.Equal(start.Add(72*time.Hour)) {
				t.Errorf("alice's open proposals = %+v, want bert's, due in 72h", alice.Proposals)
			}
			if alice.FindingMentor {
				t.Error("alice, a mentor, is told a mentor is being found for her")
			}
			for what, st := range map[string]mentoring.Status{"status": e.status("UBERT"), "Home": e.home("UBERT").Status} {
				if !st.FindingMentor || len(st.Proposals) != 0 {
					t.Errorf("bert's %s: finding %v, proposals %+v; want only that a mentor is being found", what, st.FindingMentor, st.Proposals)
				}
			}
			if d, raw := e.personalData("UBERT"); len(d.Proposals) != 0 || strings.Contains(raw, "UALICE") || strings.Contains(raw, "propos") {
				t.Errorf("bert's data shows the proposal: %s", raw)
			}
			if d, _ := e.personalData("UALICE"); len(d.Proposals) != 1 || d.Proposals[0].State != mentoring.ProposalOpen {
				t.Errorf("alice's data has proposals %+v, want the open one", d.Proposals)
			}

			want := mentoring.ProposalDeclined
			switch decide {
			case "decline":
				if _, err := e.p.AnswerProposal(e.ctx, "UALICE", pr.ID, false); err != nil {
					t.Fatal(err)
				}
			case "lapse":
				// Past its time it shows as decided at once, before Advance lapses it.
				e.at(pr.Until)
				if st := e.status("UALICE"); len(st.Proposals) != 0 {
					t.Errorf("a proposal past its time still waits for alice: %+v", st.Proposals)
				}
				if _, err := e.p.Advance(e.ctx); err != nil {
					t.Fatal(err)
				}
				want = mentoring.ProposalLapsed
			}
			if st := e.status("UALICE"); len(st.Proposals) != 0 {
				t.Errorf("after the %s alice still has %+v waiting", decide, st.Proposals)
			}
			if d, _ := e.personalData("UALICE"); len(d.Proposals) != 1 || d.Proposals[0].State != want {
				t.Errorf("alice's data has proposals %+v, want the %s one", d.Proposals, want)
			}
			for what, st := range map[string]mentoring.Status{"status": e.status("UBERT"), "Home": e.home("UBERT").Status} {
				if st.FindingMentor || len(st.Proposals) != 0 || len(st.Pairings) != 0 || len(st.Ended) != 0 {
					t.Errorf("bert's %s after the %s = %+v; want nothing of it", what, decide, st)
				}
			}
			if d, raw := e.personalData("UBERT"); len(d.Proposals) != 0 || strings.Contains(raw, "UALICE") ||
				strings.Contains(raw, "declined") || strings.Contains(raw, "lapsed") {
				t.Errorf("bert's data tells of the %s: %s", decide, raw)
			}
		})
	}
}

// A pause the programme made after unanswered check-ins shows as such until they
// resume; a pause of their own does not.
func TestStatusTellsAnIdlePauseFromAnOwnOne(t *testing.T) {
	e, pr := pairIdle(t)
	// Bert leaves three check-ins unanswered; alice answers hers.
	for _, day := range []time.Time{utc(time.November, 30, 16), utc(time.December, 7, 16), utc(time.December, 14, 16), utc(time.December, 21, 16)} {
		e.at(day)
		e.queueDue(mentoring.KindCheckin)
		if day.Day() != 21 {
			if _, err := e.p.AnswerCheckin(e.ctx, "UALICE", pr.ID, checkinKey(day.Month(), day.Day()), mentoring.AnswerMet); err != nil {
				t.Fatal(err)
			}
		}
		e.drain()
	}
	st := e.status("UBERT")
	if !st.Idle || st.PausedUntil == nil || !st.NextCheckin.IsZero() {
		t.Errorf("bert after three unanswered check-ins: idle %v, paused until %v, next check-in %v; want idle, no next check-in",
			st.Idle, st.PausedUntil, st.NextCheckin)
	}
	if h := e.home("UBERT"); !h.Status.Idle {
		t.Error("bert's Home does not say the pause is the programme's")
	}
	if st := e.status("UALICE"); st.Idle || st.PausedUntil != nil {
		t.Errorf("alice, who answered, shows as paused: %+v", st)
	}
	if _, err := e.p.Resume(e.ctx, "UBERT"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.Pause(e.ctx, "UBERT", mentoring.PauseLength{Days: 14}); err != nil {
		t.Fatal(err)
	}
	st = e.status("UBERT")
	if st.Idle || st.PausedUntil == nil || st.NextCheckin.IsZero() {
		t.Errorf("bert's own pause: idle %v, paused until %v, next check-in %v; want his own pause with a next check-in after it",
			st.Idle, st.PausedUntil, st.NextCheckin)
	}
}

// With cycles on, each active pairing shows when its cycle ends; while the question is
// open, by when to answer and the viewer's own answer, never their partner's.
func TestStatusShowsTheCycle(t *testing.T) {
	cycle := 12 * 7 * 24 * time.Hour
	e := newEnv(t, withCycle)
	e.join("UALICE", mentoring.RoleMentor, "go")
	e.join("UBERT", mentoring.RoleMentee, "go")
	e.round()
	pr := e.status("UALICE").Pairings[0]
	cs, ok := e.status("UALICE").Cycles[pr.ID]
	if !ok || !cs.Ends.Equal(start.Add(cycle)) || cs.AnswerBy != nil || cs.Answer != "" {
		t.Fatalf("alice's cycle = %+v, %v; want it to end a cycle after the start, no question open", cs, ok)
	}
	e.at(start.Add(cycle))
	if _, err := e.p.Advance(e.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.AnswerCycle(e.ctx, "UALICE", pr.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := e.p.SaveSurvey(e.ctx, "UALICE", pr.ID, 5, "alice learned to listen"); err != nil {
		t.Fatal(err)
	}
	due := start.Add(cycle + 72*time.Hour)
	tests := []struct {
		who      string
		answer   mentoring.CycleVote
		surveyed bool
	}{
		{"UALICE", mentoring.CycleContinue, true},
		{"UBERT", "", false}, // alice's answer and survey are hers alone
	}
	for _, tt := range tests {
		for what, st := range map[string]mentoring.Status{"status": e.status(tt.who), "Home": e.home(tt.who).Status} {
			cs := st.Cycles[pr.ID]
			if cs.AnswerBy == nil || !cs.AnswerBy.Equal(due) || cs.Answer != tt.answer || cs.Surveyed != tt.surveyed {
				t.Errorf("%s's %s: cycle %+v; want an answer due %v, their answer %q, surveyed %v", tt.who, what, cs, due, tt.answer, tt.surveyed)
			}
		}
	}
	if _, err := e.p.AnswerCycle(e.ctx, "UBERT", pr.ID, true); err != nil {
		t.Fatal(err)
	}
	if cs := e.status("UBERT").Cycles[pr.ID]; !cs.Ends.Equal(start.Add(2*cycle)) || cs.AnswerBy != nil || cs.Answer != "" {
		t.Errorf("after both kept going, bert's cycle = %+v; want the second to end two cycles after the start", cs)
	}

	off := newEnv(t)
	off.join("UALICE", mentoring.RoleMentor, "go")
	off.join("UBERT", mentoring.RoleMentee, "go")
	off.round()
	if st := off.status("UALICE"); st.Cycles != nil {
		t.Errorf("with cycles off, status has cycles %+v", st.Cycles)
	}
}

// Status counts the avoid list; mydata lists it.
func TestAvoidListCountedInStatusListedInMyData(t *testing.T) {
	e := newEnv(t)
	e.join("UALICE", mentoring.RoleMentee, "go")
	e.join("UBERT", mentoring.RoleMentor, "go")
	e.join("UCHEN", mentoring.RoleMentor, "go")
	if st := e.status("UALICE"); st.Avoiding != 0 {
		t.Errorf("Avoiding = %d before any avoid", st.Avoiding)
	}
	for _, id := range []string{"UBERT", "UCHEN"} {
		if _, err := e.p.Avoid(e.ctx, "UALICE", id); err != nil {
			t.Fatal(err)
		}
	}
	if st := e.status("UALICE"); st.Avoiding != 2 {
		t.Errorf("Avoiding = %d, want 2", st.Avoiding)
	}
	if st := e.status("UBERT"); st.Avoiding != 0 {
		t.Errorf("bert, avoided, sees an avoid count of %d", st.Avoiding)
	}
	if d, _ := e.personalData("UALICE"); len(d.Participant.Avoid) != 2 {
		t.Errorf("alice's data has avoid list %v, want both", d.Participant.Avoid)
	}
	if _, raw := e.personalData("UBERT"); strings.Contains(raw, "UALICE") {
		t.Errorf("bert's data names alice, who avoids him: %s", raw)
	}
}

// A partner's fit, cycle and survey answers never reach the other's status, Home or
// data, JSON included, while the pairing lasts or after it ends.
func TestPartnersAnswersStayTheirs(t *testing.T) {
	e := newEnv(t, withCycle)
	e.join("UALICE", mentoring.RoleMentor, "go")
	e.join("UBERT", mentoring.RoleMentee, "go")
	e.round()
	pr := e.status("UALICE").Pairings[0]
	for _, who := range []string{"UALICE", "UBERT"} {
		if _, err := e.p.AnswerFit(e.ctx, who, pr.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	e.at(start.Add(12 * 7 * 24 * time.Hour))
	if _, err := e.p.Advance(e.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.AnswerCycle(e.ctx, "UBERT", pr.ID, true); err != nil {
		t.Fatal(err)
	}
	surveys := map[string]string{"UALICE": "alice's secret lesson", "UBERT": "bert's secret lesson"}
	for who, text := range surveys {
		if err := e.p.SaveSurvey(e.ctx, who, pr.ID, 4, text); err != nil {
			t.Fatal(err)
		}
	}
	check := func(when string) {
		t.Helper()
		for who, partner := range map[string]string{"UALICE": "UBERT", "UBERT": "UALICE"} {
			st, h := e.status(who), e.home(who)
			d, raw := e.personalData(who)
			var seen []mentoring.Pairing
			seen = append(append(append(append(seen, st.Pairings...), st.Ended...), h.Status.Pairings...), h.Status.Ended...)
			seen = append(seen, d.Pairings...)
			for _, p := range seen {
				if *p.SideOf(partner) != (mentoring.Side{}) {
					t.Errorf("%s: %s sees %s's side %+v", when, who, partner, *p.SideOf(partner))
				}
				if mine := p.SideOf(who); mine.Fit != mentoring.FitYes || mine.Survey == nil || mine.Survey.Learned != surveys[who] {
					t.Errorf("%s: %s's own side = %+v, want their fit and survey", when, who, *mine)
				}
			}
			if len(d.Pairings) != 1 {
				t.Errorf("%s: %s's data has %d pairings, want 1", when, who, len(d.Pairings))
			}
			if strings.Contains(raw, surveys[partner]) || !strings.Contains(raw, surveys[who]) {
				t.Errorf("%s: %s's data JSON = %s; want their survey, not %s's", when, who, raw, partner)
			}
		}
	}
	check("during the question")
	if _, err := e.p.AnswerCycle(e.ctx, "UALICE", pr.ID, false); err != nil {
		t.Fatal(err)
	}
	check("after it wrapped up")
	// The store keeps both sides: only views leave the partner's out.
	var stored *mentoring.Pairing
	if err := e.store.View(e.ctx, func(tx mentoring.Tx) error {
		var err error
		stored, err = tx.Pairing(pr.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if stored.Mentor.Survey == nil || stored.Mentee.Survey == nil || stored.Mentor.Cycle != mentoring.CycleEnd {
		t.Errorf("stored pairing = %+v; want both sides kept", stored)
	}
}

// Stats count proposals, fit answers, cycles and surveys; what is drawn from answers
// shows only once 5 people gave them, head counts always.
func TestStatsOfConsentFitAndCycles(t *testing.T) {
	e := newEnv(t, withApproval, withCycle)
	if st := e.stats(); !st.ProposalsApply() || !st.CyclesApply() {
		t.Errorf("with approval and cycles on, stats = %+v; want both to apply", st)
	}
	if st := newEnv(t).stats(); st.ProposalsApply() || st.CyclesApply() {
		t.Errorf("with both off and nothing stored, stats = %+v; want neither to apply", st)
	}
	var mentors, mentees []string
	for i := 1; i <= 5; i++ {
		m, me, topic := fmt.Sprintf("UMENTOR%d", i), fmt.Sprintf("UMENTEE%d", i), fmt.Sprintf("topic%d", i)
		e.dir.put(mentoring.Person{ID: m, TimeZone: "UTC"})
		e.dir.put(mentoring.Person{ID: me, TimeZone: "UTC"})
		e.joinWith(m, mentoring.Join{Role: mentoring.RoleMentor, Topics: []string{topic}, Capacity: 1})
		e.join(me, mentoring.RoleMentee, topic)
		mentors, mentees = append(mentors, m), append(mentees, me)
	}
	e.round()
	st := e.stats()
	if st.ProposalsOpen != 5 || st.ProposalsShown() {
		t.Errorf("after the round: %d open, shown %v; want 5 open, answers hidden", st.ProposalsOpen, st.ProposalsShown())
	}
	var all []mentoring.Proposal
	e.store.View(e.ctx, func(tx mentoring.Tx) error { all, _ = tx.Proposals(); return nil })
	for i, pr := range all {
		if _, err := e.p.AnswerProposal(e.ctx, pr.MentorID, pr.ID, pr.MenteeID != mentees[4]); err != nil {
			t.Fatal(err)
		}
		if st := e.stats(); st.ProposalsShown() != (i == 4) {
			t.Errorf("after %d decisions, proposals shown %v", i+1, st.ProposalsShown())
		}
	}
	st = e.stats()
	if st.ProposalsAccepted != 4 || st.ProposalsDeclined != 1 || st.ProposalsOpen != 0 || st.ProposalMentors != 5 {
		t.Errorf("proposals = %d accepted, %d declined, %d open, %d mentors; want 4, 1, 0, 5",
			st.ProposalsAccepted, st.ProposalsDeclined, st.ProposalsOpen, st.ProposalMentors)
	}

	// Fit: four people's answers are hidden, five show.
	var pairings []mentoring.Pairing
	for i := range 4 {
		pairings = append(pairings, e.status(mentees[i]).Pairings[0])
	}
	answer := func(who string, id uint64, yes bool) {
		t.Helper()
		if _, err := e.p.AnswerFit(e.ctx, who, id, yes); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 2 {
		answer(mentors[i], pairings[i].ID, true)
		answer(mentees[i], pairings[i].ID, true)
	}
	if st := e.stats(); st.FitShown() || st.FitPeople != 4 {
		t.Errorf("4 fit answers: shown %v, people %d; want hidden", st.FitShown(), st.FitPeople)
	}
	answer(mentors[3], pairings[3].ID, false) // ends that pairing
	st = e.stats()
	if !st.FitShown() || st.FitYes != 4 || st.FitNo != 1 || st.FitPeople != 5 {
		t.Errorf("5 fit answers: shown %v, %d yes, %d no, %d people; want shown, 4 and 1", st.FitShown(), st.FitYes, st.FitNo, st.FitPeople)
	}

	// Cycles: three pairs are asked; one keeps going, one wraps up.
	e.at(start.Add(12 * 7 * 24 * time.Hour))
	if n, err := e.p.Advance(e.ctx); err != nil || n != 3 {
		t.Fatalf("Advance at the cycle's end = %d, %v; want 3 pairs asked", n, err)
	}
	for _, who := range []string{mentors[0], mentees[0]} {
		if _, err := e.p.AnswerCycle(e.ctx, who, pairings[0].ID, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.p.AnswerCycle(e.ctx, mentees[1], pairings[1].ID, false); err != nil {
		t.Fatal(err)
	}
	st = e.stats()
	if st.CyclesContinued != 1 || st.CyclesEnded != 1 || st.CyclesCompleted() != 2 {
		t.Errorf("cycles: %d continued, %d ended; want 1 and 1", st.CyclesContinued, st.CyclesEnded)
	}
	// Surveys: four people's values are hidden, five show their mean.
	surveyors := []struct {
		who   string
		id    uint64
		value int
	}{
		{mentors[0], pairings[0].ID, 5}, {mentees[0], pairings[0].ID, 4}, {mentors[1], pairings[1].ID, 3},
		{mentees[1], pairings[1].ID, 4}, {mentors[2], pairings[2].ID, 2},
	}
	for i, s := range surveyors {
		if err := e.p.SaveSurvey(e.ctx, s.who, s.id, s.value, ""); err != nil {
			t.Fatalf("SaveSurvey(%s): %v", s.who, err)
		}
		if st := e.stats(); st.SurveyShown() != (i == 4) || st.SurveyPeople != i+1 {
			t.Errorf("after %d surveys: shown %v, people %d", i+1, st.SurveyShown(), st.SurveyPeople)
		}
	}
	if st := e.stats(); st.SurveyValues != 5 || st.SurveyMean != 3.6 {
		t.Errorf("surveys: %d values, mean %v; want 5 with mean 3.6", st.SurveyValues, st.SurveyMean)
	}
}
