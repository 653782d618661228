package mentoring_test

import (
	"errors"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// A week's label on the Home tab never comes before the pairing: a pair made on
// Tuesday and asked at once (an admin's run) is asked about the week that began on
// Monday, and Home dates it from the Tuesday, in each viewer's zone.
func TestHomeWeekStartsNoEarlierThanThePairing(t *testing.T) {
	tests := []struct {
		name string
		send func(e *env)
		want map[string]time.Time // viewer -> the week's Start
	}{
		{"an admin's run the day the pair was made", func(e *env) {
			if n, err := e.p.RunNow(e.ctx, admin, mentoring.KindCheckin); err != nil || n != 2 {
				e.t.Fatalf("RunNow = %d, %v; want 2", n, err)
			}
		}, map[string]time.Time{"UALICE": start.In(berlin), "UBERT": start.In(newYork)}},
		{"the next week's check-in", func(e *env) {
			e.at(utc(time.November, 30, 16))
			if n := e.queueDue(mentoring.KindCheckin); n != 2 {
				e.t.Fatalf("QueueDue = %d, want 2", n)
			}
		}, map[string]time.Time{
			"UALICE": time.Date(2026, 11, 30, 10, 0, 0, 0, berlin),
			"UBERT":  time.Date(2026, 11, 30, 10, 0, 0, 0, newYork),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, pr := pairAliceBert(t)
			tt.send(e)
			for viewer, want := range tt.want {
				h := homeOf(t, e, viewer)
				if len(h.Checkins) != 1 || len(h.Checkins[0].Weeks) != 1 {
					t.Fatalf("Home(%s).Checkins = %+v, want one week", viewer, h.Checkins)
				}
				w := h.Checkins[0].Weeks[0]
				if got := w.Start; !got.Equal(want) || got.Location().String() != want.Location().String() || got.Before(pr.StartedAt) {
					t.Errorf("Home(%s) week starts %v, want %v (the pair began %v)", viewer, got, want, pr.StartedAt)
				}
			}
		})
	}
}

// Notes count as an answer: on Home, in the figures.
func TestNotesCountAsAnAnswer(t *testing.T) {
	e, pr := pairAliceBert(t)
	e.at(utc(time.November, 30, 16))
	e.queueDue(mentoring.KindCheckin)
	key := checkinKey(time.November, 30)
	if _, err := e.p.SaveNotes(e.ctx, "UBERT", pr.ID, key, mentoring.Notes{Needs: "  an intro  "}); err != nil {
		t.Fatalf("SaveNotes: %v", err)
	}
	w := homeOf(t, e, "UALICE").Checkins[0].Weeks[0]
	if w.Theirs == nil || !w.Theirs.Answered() || w.Theirs.Needs != "an intro" || w.Mine == nil || w.Mine.Answered() {
		t.Errorf("alice's Home week = mine %+v, theirs %+v; want bert's notes as an answer, hers none", w.Mine, w.Theirs)
	}
	st, err := e.p.Stats(e.ctx, admin)
	if err != nil || st.CheckinsAnswered != 1 || st.MeetingsReported != 0 {
		t.Errorf("Stats = %+v, %v; want 1 answered, 0 meetings", st, err)
	}
}

func TestSaveNotesRefusesEmptyNotes(t *testing.T) {
	e, pr := pairAliceBert(t)
	e.at(utc(time.November, 30, 16))
	e.queueDue(mentoring.KindCheckin)
	key := checkinKey(time.November, 30)
	for _, n := range []mentoring.Notes{{}, {Discussed: " \n\t", Needs: "  "}} {
		_, err := e.p.SaveNotes(e.ctx, "UALICE", pr.ID, key, n)
		wantErr(t, "SaveNotes with nothing in them", err, mentoring.EINVALID, "discussed")
	}
	if w := homeOf(t, e, "UALICE").Checkins[0].Weeks[0]; w.Mine.Answered() || w.Mine.AnsweredAt != nil {
		t.Errorf("empty notes recorded %+v", w.Mine)
	}
}

// A check-in whose pairing has ended takes no answer and no notes, and opens for
// neither; the error says which partner it was, "" once they were erased.
func TestCheckinOfAnEndedPairingIsClosed(t *testing.T) {
	tests := []struct {
		name        string
		end         func(e *env)
		wantPartner string
	}{
		{"rematch", func(e *env) { _, err := e.p.Rematch(e.ctx, "UBERT", ""); e.must(err) }, "UBERT"},
		{"left", func(e *env) { _, err := e.p.Leave(e.ctx, "UBERT"); e.must(err) }, "UBERT"},
		{"erased", func(e *env) { _, err := e.p.Forget(e.ctx, "UBERT"); e.must(err) }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, pr := pairAliceBert(t)
			e.at(utc(time.November, 30, 16))
			e.queueDue(mentoring.KindCheckin)
			key := checkinKey(time.November, 30)
			if _, partner, err := e.p.OpenCheckin(e.ctx, "UALICE", pr.ID, key); err != nil || partner != "UBERT" {
				t.Fatalf("OpenCheckin before the end = %q, %v; want bert", partner, err)
			}
			tt.end(e)
			attempts := map[string]func() error{
				"met": func() error {
					_, err := e.p.AnswerCheckin(e.ctx, "UALICE", pr.ID, key, mentoring.AnswerMet)
					return err
				},
				"notes": func() error {
					_, err := e.p.SaveNotes(e.ctx, "UALICE", pr.ID, key, mentoring.Notes{Progress: 3})
					return err
				},
				"open": func() error { _, _, err := e.p.OpenCheckin(e.ctx, "UALICE", pr.ID, key); return err },
			}
			for what, try := range attempts {
				err := try()
				wantErr(t, what, err, mentoring.ENOTFOUND, "")
				if ce, ok := errors.AsType[*mentoring.ClosedError](err); !ok || ce.PartnerID != tt.wantPartner {
					t.Errorf("%s: error %v, want a *ClosedError naming %q", what, err, tt.wantPartner)
				}
			}
			d, err := e.p.PersonalData(e.ctx, "UALICE")
			if err != nil || len(d.Checkins) != 1 || d.Checkins[0].Answered() || d.Checkins[0].AnsweredAt != nil {
				t.Errorf("alice's check-ins = %+v, %v; want one, unanswered", d.Checkins, err)
			}
			if len(d.Pairings) != 1 || d.Pairings[0].LastMetAt != nil {
				t.Errorf("alice's pairings = %+v; want the ended one with no meeting", d.Pairings)
			}
		})
	}
}

// Status tells pairings that ended from active ones, the latest to end first.
func TestStatusEndedPairings(t *testing.T) {
	e, first := pairAliceBert(t)
	if st := e.status("UALICE"); len(st.Pairings) != 1 || len(st.Ended) != 0 {
		t.Fatalf("Status = %d active, %d ended; want 1 and 0", len(st.Pairings), len(st.Ended))
	}
	e.at(utc(time.December, 1, 12))
	if _, err := e.p.Rematch(e.ctx, "UBERT", ""); err != nil {
		t.Fatalf("Rematch: %v", err)
	}
	e.join("UCHEN", mentoring.RoleMentee, "go")
	e.at(utc(time.December, 2, 12))
	if done := e.round(); len(done.Pairs) != 1 {
		t.Fatalf("round = %+v, want alice with chen", done)
	}
	e.at(utc(time.December, 3, 12))
	if _, err := e.p.Leave(e.ctx, "UCHEN"); err != nil {
		t.Fatalf("Leave: %v", err)
	}
	st := e.status("UALICE")
	if len(st.Pairings) != 0 || len(st.Ended) != 2 || st.Ended[0].Partner("UALICE") != "UCHEN" || st.Ended[1].ID != first.ID {
		t.Errorf("Status = active %+v, ended %+v; want none active, chen's then bert's ended", st.Pairings, st.Ended)
	}
}

// must fails the test on err.
func (e *env) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}
