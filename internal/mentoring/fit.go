package mentoring

import (
	"context"
	"time"
)

// askFit queues the fit check to each member of pr after its first reported meeting:
// once per pairing, privately to each.
func askFit(tx Tx, pr *Pairing, now time.Time) error {
	if pr.FitAskedAt != nil || !pr.Active() {
		return nil
	}
	pr.FitAskedAt = &now
	for _, who := range []string{pr.MentorID, pr.MenteeID} {
		partner := pr.Partner(who)
		n := Notice{Kind: KindFit, Step: StepAsk, To: []string{who},
			About: []About{{PairingID: pr.ID, PartnerID: partner, PartnerMentors: pr.Mentors(partner)}}}
		if err := tx.Enqueue(n); err != nil {
			return err
		}
	}
	return nil
}

// AnswerFit records userID's answer to the fit check of a pairing. A "no" ends the
// pairing as a rematch does (the two are never paired again) and tells both members
// the same thing, so neither learns who said it. It returns the pairing as it now
// stands. Errors: ENOTFOUND (not their pairing), a *ClosedError (it has ended),
// EINTERNAL.
func (p *Programme) AnswerFit(ctx context.Context, userID string, pairingID uint64, fits bool) (*Pairing, error) {
	var out *Pairing
	err := p.update(ctx, func(tx Tx) error {
		pr, side, err := memberSide(tx, userID, pairingID)
		if err != nil {
			return err
		}
		out = pr
		before := side.Fit
		side.Fit = FitYes
		if !fits {
			side.Fit = FitNo
		}
		now := p.now()
		if err := count(tx, now, func(w *Week) {
			w.FitYes += boolDelta(before == FitYes, side.Fit == FitYes)
			w.FitNo += boolDelta(before == FitNo, side.Fit == FitNo)
			if before == "" {
				w.FitPeople++
			}
		}); err != nil {
			return err
		}
		if fits {
			return tx.PutPairing(pr)
		}
		return endTogether(tx, pr, EndFit, KindFit, now)
	})
	return out, err
}

// memberSide returns userID's active pairing and their side of it.
func memberSide(tx Tx, userID string, pairingID uint64) (*Pairing, *Side, error) {
	pr, err := tx.Pairing(pairingID)
	if ErrorCode(err) == ENOTFOUND || err == nil && pr.SideOf(userID) == nil {
		return nil, nil, Errorf(ENOTFOUND, "That pairing is not one of yours. `/mentor status` shows your partners.")
	}
	if err != nil {
		return nil, nil, err
	}
	if !pr.Active() {
		return pr, nil, &ClosedError{PartnerID: pr.Partner(userID)}
	}
	return pr, pr.SideOf(userID), nil
}

// endTogether ends pr for reason and tells both members the same thing (kind,
// StepEnded), naming only their partner.
func endTogether(tx Tx, pr *Pairing, reason string, kind Kind, now time.Time) error {
	pr.EndedAt, pr.EndReason, pr.CycleAskedAt = &now, reason, nil
	if err := tx.PutPairing(pr); err != nil {
		return err
	}
	if err := countActivePairs(tx, now); err != nil {
		return err
	}
	if reason == EndCycle {
		if err := count(tx, now, func(w *Week) { w.CyclesFinished++ }); err != nil {
			return err
		}
	}
	for _, who := range []string{pr.MentorID, pr.MenteeID} {
		partner := pr.Partner(who)
		n := Notice{Kind: kind, Step: StepEnded, To: []string{who},
			About: []About{{PairingID: pr.ID, PartnerID: partner, PartnerMentors: pr.Mentors(partner), EndReason: reason, Cycles: pr.Cycles}}}
		if err := tx.Enqueue(n); err != nil {
			return err
		}
	}
	return nil
}
