package mentoring

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// QueueDue queues the notices of kind due now for the current period, one per person
// per period, skipping periods already handled: it is what the scheduler calls on each
// tick, and what came due while the bot was down goes out once. Pairs made during the
// current period are not asked about it: nobody gets "how did it go this week?"
// minutes after their intro. With RespectStatus, the people about to be messaged are
// looked up in one Directory.People call; those who are away, deactivated or unknown
// to the workspace get nothing this period. When that call fails, they are left for
// the next call (nothing is recorded for them), everyone else is handled, and the
// error is a *DeferredError. It returns how many notices it queued. Errors: EINTERNAL,
// *DeferredError.
func (p *Programme) QueueDue(ctx context.Context, kind Kind) (int, error) {
	return p.queueDue(ctx, kind, false)
}

// RunNow is QueueDue for an admin who asks to send now: it includes pairs made during
// the current period. Errors: EFORBIDDEN, EINTERNAL.
func (p *Programme) RunNow(ctx context.Context, actor string, kind Kind) (int, error) {
	if err := p.admin(actor, "/mentor run"); err != nil {
		return 0, err
	}
	return p.queueDue(ctx, kind, true)
}

// due is a notice due for one person and period; About empty means nothing is sent
// this period, which is recorded all the same.
type due struct {
	userID string
	period Period
	about  []About
	// skip: the workspace says the person is away, deactivated or unknown; the period
	// is recorded and nothing is sent.
	skip bool
}

// DeferredError is QueueDue's error when the workspace could not be asked who of
// those due is away: Deferred people were left for a later call, with nothing
// recorded for them, while everyone else was handled as usual.
type DeferredError struct {
	Kind     Kind
	Deferred int
	Err      error
}

func (e *DeferredError) Error() string {
	return fmt.Sprintf("%d %s %s deferred to a later tick: the directory could not say who is away: %v",
		e.Deferred, e.Kind, map[bool]string{true: "notice", false: "notices"}[e.Deferred == 1], e.Err)
}

func (e *DeferredError) Unwrap() error { return e.Err }

func (p *Programme) queueDue(ctx context.Context, kind Kind, includeNew bool) (int, error) {
	var list []due
	err := p.store.View(ctx, func(tx Tx) error {
		var err error
		list, err = p.findDue(tx, kind, includeNew)
		return err
	})
	if err != nil || len(list) == 0 {
		return 0, err
	}
	var deferred *DeferredError
	if p.respectStatus && kind != KindRecognition {
		if list, deferred = p.checkAway(ctx, kind, list); len(list) == 0 {
			return 0, deferred
		}
	}
	queued := 0
	err = p.update(ctx, func(tx Tx) error {
		queued = 0
		now := p.now()
		for _, d := range list {
			key := d.period.Key()
			if done, err := tx.Handled(d.userID, key); err != nil || done {
				if err != nil {
					return err
				}
				continue
			}
			// What was found due may have changed since: someone left, paused, ended a
			// pairing or was erased. Ask again, in the transaction that queues.
			pt, err := tx.Participant(d.userID)
			if ErrorCode(err) == ENOTFOUND || err == nil && !pt.Active(now) {
				continue
			}
			if err != nil {
				return err
			}
			if d.about, err = stillActive(tx, d.about); err != nil {
				return err
			}
			if kind == KindCheckin && len(d.about) == 0 {
				continue
			}
			if err := tx.MarkHandled(d.userID, key); err != nil {
				return err
			}
			if len(d.about) == 0 || d.skip {
				continue
			}
			if kind == KindCheckin && p.idleAfter > 0 {
				streak, err := idleStreak(tx, d.userID, d.about, p.idleAfter)
				if err != nil {
					return err
				}
				if streak >= p.idleAfter {
					if err := p.pauseIdle(tx, pt, d.about, now); err != nil {
						return err
					}
					queued++
					continue
				}
			}
			if kind == KindNudge {
				loc := p.Location(pt)
				for i, a := range d.about {
					if partner, err := tx.Participant(a.PartnerID); err == nil {
						d.about[i].Meet = MeetingWindows(p.workingHours, loc, p.Location(partner), now, MaxMeetingWindows)
					}
				}
			}
			if kind == KindCheckin {
				for _, a := range d.about {
					c := Checkin{PairingID: a.PairingID, UserID: d.userID, Period: key, SentAt: now}
					if err := tx.PutCheckin(&c); err != nil {
						return err
					}
				}
				sent := len(d.about)
				if err := count(tx, now, func(w *Week) { w.CheckinsSent += sent; w.CheckinPeople++ }); err != nil {
					return err
				}
			}
			n := Notice{Kind: kind, To: []string{d.userID}, Period: key, About: d.about}
			if kind == KindNudge {
				n.Zone = p.Location(pt).String()
			}
			if err := tx.Enqueue(n); err != nil {
				return err
			}
			queued++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if deferred != nil {
		return queued, deferred
	}
	return queued, nil
}

// checkAway asks the directory, in one call, about everyone in list who is to be
// messaged, and marks those to skip. When the directory cannot answer, they are taken
// out of list (so nothing is recorded for them and a later call asks again) and the
// error says how many; those with nothing to be sent stay.
func (p *Programme) checkAway(ctx context.Context, kind Kind, list []due) ([]due, *DeferredError) {
	var ids []string
	for _, d := range list {
		if len(d.about) > 0 {
			ids = append(ids, d.userID)
		}
	}
	if len(ids) == 0 {
		return list, nil
	}
	people, err := p.dir.People(ctx, ids)
	if err != nil {
		list = slices.DeleteFunc(list, func(d due) bool { return len(d.about) > 0 })
		return list, &DeferredError{Kind: kind, Deferred: len(ids), Err: err}
	}
	for i := range list {
		if len(list[i].about) > 0 {
			pr, known := people[list[i].userID]
			list[i].skip = !known || pr.Away || pr.Deactivated
		}
	}
	return list, nil
}

// stillActive keeps what is about pairings that are still active.
func stillActive(tx Tx, about []About) ([]About, error) {
	kept := about[:0]
	for _, a := range about {
		pr, err := tx.Pairing(a.PairingID)
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return nil, err
		}
		if err == nil && pr.Active() {
			kept = append(kept, a)
		}
	}
	return kept, nil
}

// findDue lists who is due a notice of kind now, in a period not handled yet, and
// what it is about: every active pairing for a check-in, the stale ones for a nudge,
// those whose mentee did something since the period before for recognition.
func (p *Programme) findDue(tx Tx, kind Kind, includeNew bool) ([]due, error) {
	people, pairings, err := roster(tx)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*Participant, len(people))
	for i := range people {
		byID[people[i].ID] = &people[i]
	}
	active := map[string][]Pairing{}
	for _, pr := range pairings {
		if pr.Active() {
			active[pr.MentorID] = append(active[pr.MentorID], pr)
			active[pr.MenteeID] = append(active[pr.MenteeID], pr)
		}
	}
	now := p.now()
	var list []due
	for _, pt := range people {
		if len(active[pt.ID]) == 0 || !pt.Active(now) {
			continue
		}
		period, prev, ok := p.cal.Current(kind, now, p.Location(&pt))
		if !ok {
			continue
		}
		if done, err := tx.Handled(pt.ID, period.Key()); err != nil || done {
			if err != nil {
				return nil, err
			}
			continue
		}
		d := due{userID: pt.ID, period: period}
		for _, pr := range active[pt.ID] {
			if pr.StartedAt.After(period.Start) && !includeNew {
				continue
			}
			about := About{PairingID: pr.ID, PartnerID: pr.Partner(pt.ID), PartnerMentors: pr.Mentors(pr.Partner(pt.ID))}
			switch kind {
			case KindCheckin:
				d.about = append(d.about, about)
			case KindNudge:
				last := pr.StartedAt
				if pr.LastMetAt != nil {
					last = *pr.LastMetAt
				}
				if period.Start.Sub(last) >= p.nudgeAfter {
					d.about = append(d.about, about)
				}
			case KindRecognition:
				if pr.MentorID != pt.ID {
					continue
				}
				did, err := achievements(tx, pr, byID[pr.MenteeID], prev, now)
				if err != nil {
					return nil, err
				}
				if did.Any() {
					about.Did = &did
					d.about = append(d.about, about)
				}
			}
		}
		if kind == KindCheckin && len(d.about) == 0 {
			continue // every pairing began this period: nothing to ask yet, and nothing to record
		}
		list = append(list, d)
	}
	return list, nil
}

// achievements is what a mentee did in [from, to]: meetings, progress, goals. The
// window runs from the period before to now, so a prompt sent later in its period (a
// catch-up, or an admin's run) sees what happened since it began too.
func achievements(tx Tx, pr Pairing, mentee *Participant, from, to time.Time) (Achievements, error) {
	in := func(t *time.Time) bool { return t != nil && !t.Before(from) && !t.After(to) }
	var did Achievements
	checkins, err := tx.CheckinsOf(pr.ID, pr.MenteeID)
	if err != nil {
		return did, err
	}
	for _, c := range checkins {
		if in(c.AnsweredAt) {
			did.Met = did.Met || c.Answer == AnswerMet
			did.Progress = max(did.Progress, c.Progress)
		}
	}
	if mentee != nil {
		for _, g := range mentee.Goals {
			if in(g.DoneAt) {
				did.GoalsDone = append(did.GoalsDone, g.Text)
			}
		}
	}
	return did, nil
}

// Notes are what a person writes about a week: seen only by the two of the pair.
type Notes struct {
	Discussed, Needs string
	Progress         int // 0: not given
}

// Answered reports whether the person answered their check-in: clicked "We met" or
// "Not this week", or saved notes.
func (c *Checkin) Answered() bool {
	return c.Answer != AnswerNone || c.Discussed != "" || c.Needs != "" || c.Progress != 0
}

// ClosedError is the answer to a click or form about a pairing that has ended (a
// member left, asked for a rematch or was erased; the pair parted): nothing was
// recorded. It unwraps to an ENOTFOUND *Error whose message names nobody.
type ClosedError struct {
	// PartnerID is the reader's partner in that pairing; "" once they were erased.
	PartnerID string
}

func (e *ClosedError) Error() string { return e.Unwrap().Error() }

func (e *ClosedError) Unwrap() error {
	return Errorf(ENOTFOUND, "This pairing has ended, so nothing was recorded.")
}

// OpenCheckin returns userID's check-in for that pairing and period, to be answered,
// and the partner it is about. Errors: ENOTFOUND (no such check-in for this person; a
// *ClosedError when the pairing has ended), EINTERNAL.
func (p *Programme) OpenCheckin(ctx context.Context, userID string, pairingID uint64, period string) (c *Checkin, partnerID string, err error) {
	err = p.store.View(ctx, func(tx Tx) error {
		var pr *Pairing
		c, pr, err = openCheckin(tx, userID, pairingID, period)
		if err == nil {
			partnerID = pr.Partner(userID)
		}
		return err
	})
	return c, partnerID, err
}

// AnswerCheckin records userID's answer to their check-in for that pairing and
// period; clicking again changes it. A "met" also records the meeting on the pairing.
// Errors: ENOTFOUND (no such check-in for this person; a *ClosedError when the
// pairing has ended, and nothing is recorded), EINVALID, EINTERNAL.
func (p *Programme) AnswerCheckin(ctx context.Context, userID string, pairingID uint64, period string, a Answer) (*Checkin, error) {
	return p.checkin(ctx, userID, pairingID, period, func(c *Checkin) { c.Answer = a })
}

// SaveNotes records userID's notes on their check-in, replacing any saved before.
// Notes that say nothing (no discussed, no needs, no progress) are refused. Errors:
// EINVALID (Field "discussed" when empty, "discussed" or "needs" when too long;
// progress out of range), and as AnswerCheckin.
func (p *Programme) SaveNotes(ctx context.Context, userID string, pairingID uint64, period string, n Notes) (*Checkin, error) {
	n.Discussed, n.Needs = strings.TrimSpace(n.Discussed), strings.TrimSpace(n.Needs)
	var invalid Invalid
	for _, f := range []struct{ field, text string }{{"discussed", n.Discussed}, {"needs", n.Needs}} {
		if l := utf8.RuneCountInString(f.text); l > MaxNoteLen {
			invalid = append(invalid, FieldErrorf(f.field, EINVALID, "Notes can be at most %d characters; these have %d. Try a shorter version.", MaxNoteLen, l))
		}
	}
	switch {
	case n.Progress != 0 && (n.Progress < MinProgress || n.Progress > MaxProgress):
		invalid = append(invalid, Errorf(EINVALID, "Progress is a step from %d to %d. Pick one from the list.", MinProgress, MaxProgress))
	case n.Discussed == "" && n.Needs == "" && n.Progress == 0:
		invalid = append(invalid, FieldErrorf("discussed", EINVALID, "Write what you discussed, what you need, or pick a progress step."))
	}
	if len(invalid) > 0 {
		return nil, invalid
	}
	return p.checkin(ctx, userID, pairingID, period, func(c *Checkin) {
		c.Discussed, c.Needs, c.Progress = n.Discussed, n.Needs, n.Progress
	})
}

func (p *Programme) checkin(ctx context.Context, userID string, pairingID uint64, period string, fn func(c *Checkin)) (*Checkin, error) {
	var c *Checkin
	err := p.update(ctx, func(tx Tx) error {
		var (
			pr  *Pairing
			err error
		)
		if c, pr, err = openCheckin(tx, userID, pairingID, period); err != nil {
			return err
		}
		wasAnswered, wasMet := c.Answered(), c.Answer == AnswerMet
		fn(c)
		now := p.now()
		c.AnsweredAt = &now
		if err := tx.PutCheckin(c); err != nil {
			return err
		}
		// Counted in the week the check-in was sent, so a week's answer rate compares
		// like with like.
		answered, met := boolDelta(wasAnswered, c.Answered()), boolDelta(wasMet, c.Answer == AnswerMet)
		if answered != 0 || met != 0 {
			if err := count(tx, c.SentAt, func(w *Week) { w.CheckinsAnswered += answered; w.MeetingsReported += met }); err != nil {
				return err
			}
		}
		if c.Answer != AnswerMet {
			return nil
		}
		if pr.LastMetAt == nil || pr.LastMetAt.Before(now) {
			pr.LastMetAt = &now
		}
		// The first reported meeting is when both can tell whether it fits.
		if err := askFit(tx, pr, now); err != nil {
			return err
		}
		return tx.PutPairing(pr)
	})
	return c, err
}

// openCheckin returns userID's check-in for that pairing and period, and the pairing,
// while the pairing is active: an ended one (a member left, asked for a rematch or
// was erased) takes no more answers.
func openCheckin(tx Tx, userID string, pairingID uint64, period string) (*Checkin, *Pairing, error) {
	c, err := tx.Checkin(pairingID, userID, period)
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil, Errorf(ENOTFOUND, "That check-in is no longer open. Your next one comes with the weekly check-in.")
	}
	if err != nil {
		return nil, nil, err
	}
	pr, err := tx.Pairing(pairingID)
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil, &ClosedError{}
	}
	if err != nil {
		return nil, nil, err
	}
	if !pr.Active() {
		return nil, nil, &ClosedError{PartnerID: pr.Partner(userID)}
	}
	return c, pr, nil
}
