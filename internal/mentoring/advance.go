package mentoring

import (
	"context"
	"time"
)

// Advance applies what the passing of time has decided, whatever the schedules say:
// open proposals past their TTL lapse, pairings whose cycle is over are asked whether
// to go on, and those whose question ran out of time end. The scheduler calls it
// every minute, so each comes out within a minute of coming due; a minute with
// nothing due writes nothing. It returns how many proposals and pairings it changed.
// Errors: EINTERNAL.
func (p *Programme) Advance(ctx context.Context) (int, error) {
	due := false
	if err := p.store.View(ctx, func(tx Tx) error {
		var err error
		due, err = p.anyDue(tx, p.now())
		return err
	}); err != nil || !due {
		return 0, err
	}
	n := 0
	err := p.update(ctx, func(tx Tx) error {
		now := p.now()
		lapsed, err := p.lapseProposals(tx, now)
		if err != nil {
			return err
		}
		cycles, err := p.advanceCycles(tx, now)
		n = lapsed + cycles
		return err
	})
	return n, err
}

// anyDue reports whether Advance has anything to do at now.
func (p *Programme) anyDue(tx Tx, now time.Time) (bool, error) {
	proposals, err := tx.Proposals()
	if err != nil {
		return false, err
	}
	for _, pr := range proposals {
		if pr.Open() && !now.Before(pr.Until) {
			return true, nil
		}
	}
	pairings, err := tx.Pairings()
	if err != nil {
		return false, err
	}
	for i := range pairings {
		pr := &pairings[i]
		if pr.CycleAskedAt != nil && pr.Active() && !now.Before(pr.CycleAskedAt.Add(p.proposalTTL)) || p.cycleDue(pr, now) {
			return true, nil
		}
	}
	return false, nil
}
