package mentoring

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// cycleDue reports whether pr has run a whole cycle since it began or last went on,
// and is not already waiting for answers.
func (p *Programme) cycleDue(pr *Pairing, now time.Time) bool {
	if p.cycle <= 0 || !pr.Active() || pr.CycleAskedAt != nil {
		return false
	}
	return !now.Before(pr.StartedAt.Add(time.Duration(pr.Cycles+1) * p.cycle))
}

// askCycle queues the end-of-cycle question to each member of pr.
func (p *Programme) askCycle(tx Tx, pr *Pairing, now time.Time) error {
	pr.CycleAskedAt = &now
	pr.Mentor.Cycle, pr.Mentee.Cycle = "", ""
	if err := tx.PutPairing(pr); err != nil {
		return err
	}
	until := now.Add(p.proposalTTL)
	for _, who := range []string{pr.MentorID, pr.MenteeID} {
		partner := pr.Partner(who)
		zone := p.zone.String()
		if pt, err := tx.Participant(who); err == nil {
			zone = p.Location(pt).String()
		}
		n := Notice{Kind: KindCycle, Step: StepAsk, To: []string{who}, Until: &until, Zone: zone,
			About: []About{{PairingID: pr.ID, PartnerID: partner, PartnerMentors: pr.Mentors(partner), Cycles: pr.Cycles + 1}}}
		if err := tx.Enqueue(n); err != nil {
			return err
		}
	}
	return nil
}

// AnswerCycle records userID's answer to the end-of-cycle question: keep going or
// wrap up. Wrapping up ends the pairing at once, warmly (both return to the pool and
// may be paired again later); when both choose to keep going it runs another cycle.
// The answer can change until the other has answered. Errors: ENOTFOUND (not their
// pairing), a *ClosedError (it has ended), ECONFLICT (no question is open: the cycle
// is not over, or it went on already), EINTERNAL.
func (p *Programme) AnswerCycle(ctx context.Context, userID string, pairingID uint64, keepGoing bool) (*Pairing, error) {
	var out *Pairing
	err := p.update(ctx, func(tx Tx) error {
		pr, side, err := memberSide(tx, userID, pairingID)
		out = pr
		if err != nil {
			return err
		}
		now := p.now()
		if pr.CycleAskedAt == nil {
			return Errorf(ECONFLICT, "There's no end-of-cycle question open for this pairing right now, so nothing changed.")
		}
		if !now.Before(pr.CycleAskedAt.Add(p.proposalTTL)) {
			return endTogether(tx, pr, EndCycle, KindCycle, now)
		}
		if !keepGoing {
			side.Cycle = CycleEnd
			return endTogether(tx, pr, EndCycle, KindCycle, now)
		}
		side.Cycle = CycleContinue
		if pr.Mentor.Cycle != CycleContinue || pr.Mentee.Cycle != CycleContinue {
			return tx.PutPairing(pr)
		}
		pr.Cycles++
		pr.CycleAskedAt = nil
		pr.Mentor.Cycle, pr.Mentee.Cycle = "", ""
		if err := tx.PutPairing(pr); err != nil {
			return err
		}
		if err := count(tx, now, func(w *Week) { w.CyclesContinued++ }); err != nil {
			return err
		}
		for _, who := range []string{pr.MentorID, pr.MenteeID} {
			partner := pr.Partner(who)
			n := Notice{Kind: KindCycle, Step: StepContinued, To: []string{who},
				About: []About{{PairingID: pr.ID, PartnerID: partner, PartnerMentors: pr.Mentors(partner), Cycles: pr.Cycles}}}
			if err := tx.Enqueue(n); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// SaveSurvey records userID's closing survey of a pairing: how valuable it was (1-5,
// 0 for not given) and what they learned, both optional. It may be given from the
// first end-of-cycle question on, also after the pairing ended, and changed later.
// Errors: ENOTFOUND (not their pairing), EINVALID (a field: "value", "learned"),
// ECONFLICT (no cycle has ended yet), EINTERNAL.
func (p *Programme) SaveSurvey(ctx context.Context, userID string, pairingID uint64, value int, learned string) error {
	learned = strings.TrimSpace(learned)
	var invalid Invalid
	if value != 0 && (value < MinSurveyValue || value > MaxSurveyValue) {
		invalid = append(invalid, FieldErrorf("value", EINVALID, "Pick how valuable it was, from %d (not much) to %d (very).", MinSurveyValue, MaxSurveyValue))
	}
	if n := utf8.RuneCountInString(learned); n > MaxLearnedLen {
		invalid = append(invalid, FieldErrorf("learned", EINVALID, "What you learned can be at most %d characters, and yours has %d. Shorten it and save again.", MaxLearnedLen, n))
	}
	if value == 0 && learned == "" {
		invalid = append(invalid, FieldErrorf("value", EINVALID, "Pick how valuable it was or write what you learned, then save."))
	}
	if len(invalid) > 0 {
		return invalid
	}
	return p.update(ctx, func(tx Tx) error {
		pr, err := tx.Pairing(pairingID)
		if ErrorCode(err) == ENOTFOUND || err == nil && pr.SideOf(userID) == nil {
			return Errorf(ENOTFOUND, "That pairing is not one of yours. `/mentor status` shows your partners.")
		}
		if err != nil {
			return err
		}
		if pr.CycleAskedAt == nil && pr.Cycles == 0 && pr.EndReason != EndCycle {
			return Errorf(ECONFLICT, "The closing survey opens when your cycle ends, so nothing was saved yet.")
		}
		pr.SideOf(userID).Survey = &Survey{Value: value, Learned: learned, At: p.now()}
		return tx.PutPairing(pr)
	})
}

// advanceCycles ends the pairings whose end-of-cycle question ran out of time without
// both choosing to keep going, and asks those whose cycle is over. Questions asked
// before cycles were turned off still run out (and end their pairings) as asked.
func (p *Programme) advanceCycles(tx Tx, now time.Time) (int, error) {
	pairings, err := tx.Pairings()
	if err != nil {
		return 0, err
	}
	n := 0
	for i := range pairings {
		pr := &pairings[i]
		switch {
		case !pr.Active() || pr.MentorID == "" || pr.MenteeID == "":
			continue
		case pr.CycleAskedAt != nil && !now.Before(pr.CycleAskedAt.Add(p.proposalTTL)):
			if err := endTogether(tx, pr, EndCycle, KindCycle, now); err != nil {
				return n, err
			}
			n++
		case p.cycleDue(pr, now):
			mentor, err1 := tx.Participant(pr.MentorID)
			mentee, err2 := tx.Participant(pr.MenteeID)
			if err1 != nil || err2 != nil || !mentor.Active(now) || !mentee.Active(now) {
				continue // asked once both are back from a pause
			}
			if err := p.askCycle(tx, pr, now); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}
