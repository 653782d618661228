package mentoring

import (
	"context"
	"time"
)

// TrendWeeks is how many weeks the charts show.
const TrendWeeks = 12

// Week is one week's figures for the whole programme: counts only, never who. Weeks
// run Monday 00:00 to Monday 00:00 UTC. The store keeps them as they happen (see
// Tx.AddToWeek), so history survives erasure without holding anyone's data, and
// reading a year of them reads 52 small records, not every check-in.
type Week struct {
	// Start is the week's Monday, 00:00 UTC.
	Start time.Time `json:"start"`

	// Check-ins sent that week, and of those, how many were answered (a click or
	// notes) and how many reported a meeting. CheckinPeople is how many people were
	// sent one: the group the answer figures describe (the 5-person rule).
	CheckinsSent     int `json:"checkins_sent,omitempty"`
	CheckinsAnswered int `json:"checkins_answered,omitempty"`
	MeetingsReported int `json:"meetings_reported,omitempty"`
	CheckinPeople    int `json:"checkin_people,omitempty"`
	// ActivePairs is how many pairings were active at the end of the week (for the
	// current week: now).
	ActivePairs int `json:"active_pairs,omitempty"`
	// PairsChanged says ActivePairs was set this week; a week without changes carries
	// the week before's.
	PairsChanged bool `json:"pairs_changed,omitempty"`

	GoalsSet   int `json:"goals_set,omitempty"`
	GoalsDone  int `json:"goals_done,omitempty"`
	KudosGiven int `json:"kudos_given,omitempty"` // one per person thanked

	ProposalsAccepted int `json:"proposals_accepted,omitempty"`
	ProposalsDeclined int `json:"proposals_declined,omitempty"` // declined or lapsed
	// Fit answers, drawn from answers: FitPeople is how many people answered.
	FitYes    int `json:"fit_yes,omitempty"`
	FitNo     int `json:"fit_no,omitempty"`
	FitPeople int `json:"fit_people,omitempty"`
	// Cycles that ended (wrapped up or ran out) and that went on for another.
	CyclesFinished  int `json:"cycles_finished,omitempty"`
	CyclesContinued int `json:"cycles_continued,omitempty"`
}

// AnswersShown reports whether the week's figures drawn from check-in answers may be
// shown: at least MinGroup people were sent check-ins.
func (w Week) AnswersShown() bool { return w.CheckinPeople >= MinGroup }

// FitShown reports whether the week's fit answers may be shown.
func (w Week) FitShown() bool { return w.FitPeople >= MinGroup }

// WeekOf returns the start of the week t falls in: Monday 00:00 UTC.
func WeekOf(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	offset := (int(day.Weekday()) + 6) % 7 // days since Monday
	return day.AddDate(0, 0, -offset)
}

// WeekKey is how a week is named in the store: its Monday as 2006-01-02.
func WeekKey(t time.Time) string { return WeekOf(t).Format(time.DateOnly) }

// Trend is the programme's figures for its last weeks, oldest first, the current
// week last. Weeks with nothing recorded are there, with zero counts (and the active
// pairs of the week before).
type Trend struct {
	Weeks []Week
}

// Trend returns the last n weeks' figures, the current one included. Errors:
// EFORBIDDEN (not an admin), EINTERNAL.
func (p *Programme) Trend(ctx context.Context, actor string, n int) (Trend, error) {
	if err := p.admin(actor, "/mentor stats"); err != nil {
		return Trend{}, err
	}
	var tr Trend
	err := p.store.View(ctx, func(tx Tx) error {
		var err error
		tr, err = trend(tx, p.now(), n)
		return err
	})
	return tr, err
}

// trend reads the weeks from the one n-1 weeks before now's to now's, carrying the
// active pairs forward over weeks that did not change them.
func trend(tx Tx, now time.Time, n int) (Trend, error) {
	last := WeekOf(now)
	first := last.AddDate(0, 0, -7*(n-1))
	stored, err := tx.Weeks("", WeekKey(last))
	if err != nil {
		return Trend{}, err
	}
	byKey := map[string]Week{}
	pairs := 0
	for _, w := range stored {
		k := WeekKey(w.Start)
		byKey[k] = w
		if w.Start.Before(first) && w.PairsChanged {
			pairs = w.ActivePairs // the latest change before the window
		}
	}
	tr := Trend{Weeks: make([]Week, 0, n)}
	for d := first; !d.After(last); d = d.AddDate(0, 0, 7) {
		w, ok := byKey[WeekKey(d)]
		if !ok {
			w = Week{}
		}
		w.Start = d
		if w.PairsChanged {
			pairs = w.ActivePairs
		}
		w.ActivePairs = pairs
		tr.Weeks = append(tr.Weeks, w)
	}
	return tr, nil
}
