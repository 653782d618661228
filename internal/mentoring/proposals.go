package mentoring

import (
	"context"
	"time"
)

// Proposal is a pair a round offered to the mentor first (Config.MentorApproval): only
// an accepted proposal becomes a pairing. An open proposal holds one of the mentor's
// places; a declined or lapsed one keeps the two from being proposed again. What
// became of it is the mentor's to know: the mentee learns only that they are back in
// the pool.
type Proposal struct {
	ID         uint64        `json:"id"`
	MentorID   string        `json:"mentor_id"`
	MenteeID   string        `json:"mentee_id"`
	ProposedAt time.Time     `json:"proposed_at"`
	Until      time.Time     `json:"until"` // an unanswered proposal lapses then
	State      ProposalState `json:"state"`
	DecidedAt  *time.Time    `json:"decided_at,omitempty"`
	Score      float64       `json:"score"`
	Reasons    Reasons       `json:"reasons"`
	// PairingID is the pairing an accepted proposal became.
	PairingID uint64 `json:"pairing_id,omitempty"`
}

// ProposalState is where a proposal stands.
type ProposalState string

const (
	ProposalOpen     ProposalState = "open"
	ProposalAccepted ProposalState = "accepted"
	ProposalDeclined ProposalState = "declined"
	ProposalLapsed   ProposalState = "lapsed"
)

// Open reports whether the proposal still waits for the mentor.
func (p *Proposal) Open() bool { return p.State == ProposalOpen }

// Validate checks the proposal's invariants.
func (p *Proposal) Validate() error {
	switch {
	case !ValidUserID(p.MentorID) || !ValidUserID(p.MenteeID) || p.MentorID == p.MenteeID:
		return Errorf(EINVALID, "A proposal needs two different Slack users.")
	case p.State != ProposalOpen && p.State != ProposalAccepted && p.State != ProposalDeclined && p.State != ProposalLapsed:
		return Errorf(EINVALID, "%q is not a proposal state.", p.State)
	}
	return nil
}

// AnswerProposal records a mentor's answer to a proposal. An accept makes the pairing
// and queues its intro (if the two can still be paired: neither left, paused or was
// paired since, and the mentor has room); a decline tells the mentee only that they
// are back in the pool. Answering again, or after the proposal lapsed, changes
// nothing and says what became of it. Errors: ENOTFOUND (no such proposal for this
// mentor), ECONFLICT (already decided: the error's message says how), EINTERNAL.
func (p *Programme) AnswerProposal(ctx context.Context, mentorID string, id uint64, accept bool) (*Proposal, error) {
	var out *Proposal
	err := p.update(ctx, func(tx Tx) error {
		pr, err := tx.Proposal(id)
		if ErrorCode(err) == ENOTFOUND || err == nil && pr.MentorID != mentorID {
			return Errorf(ENOTFOUND, "That proposal is no longer open. The next pairing round may suggest someone new.")
		}
		if err != nil {
			return err
		}
		now := p.now()
		if pr.Open() && !now.Before(pr.Until) {
			if err := p.lapse(tx, pr, now); err != nil {
				return err
			}
		}
		if !pr.Open() {
			out = pr
			return decidedError(pr)
		}
		pr.DecidedAt = &now
		if !accept {
			pr.State = ProposalDeclined
			out = pr
			if err := tx.PutProposal(pr); err != nil {
				return err
			}
			if err := count(tx, now, func(w *Week) { w.ProposalsDeclined++ }); err != nil {
				return err
			}
			return backInPool(tx, pr.MenteeID)
		}
		pl, err := p.pool(tx)
		if err != nil {
			return err
		}
		// The proposal holds the mentor's place and keeps the mentee out of the pool:
		// give both back to ask the one rule of a round whether the pair may be made.
		pl.release(pr)
		if !pl.canPair(pr.MenteeID, pr.MentorID) {
			pr.State = ProposalLapsed
			out = pr
			if err := tx.PutProposal(pr); err != nil {
				return err
			}
			if err := backInPool(tx, pr.MenteeID); err != nil {
				return err
			}
			return Errorf(ECONFLICT, "Thank you! That pairing can't be made any more (one of you has left, paused or been paired since), so nothing changed. The next round will suggest someone new.")
		}
		pairing, err := p.makePair(tx, pl, pr.MenteeID, pr.MentorID, pr.Score, pr.Reasons, now)
		if err != nil {
			return err
		}
		pr.State, pr.PairingID = ProposalAccepted, pairing.ID
		out = pr
		if err := tx.PutProposal(pr); err != nil {
			return err
		}
		if err := countActivePairs(tx, now); err != nil {
			return err
		}
		return count(tx, now, func(w *Week) { w.ProposalsAccepted++ })
	})
	return out, err
}

// decidedError says what became of a proposal answered already.
func decidedError(pr *Proposal) error {
	switch pr.State {
	case ProposalAccepted:
		return Errorf(ECONFLICT, "You already accepted this one: the intro is in your DMs.")
	case ProposalDeclined:
		return Errorf(ECONFLICT, "You already said not now to this one, so nothing changed.")
	}
	return Errorf(ECONFLICT, "This proposal lapsed because it wasn't answered in time, so nothing changed. The next pairing round may suggest someone new.")
}

// backInPool tells a mentee, and nothing more, that they wait for the next round.
func backInPool(tx Tx, menteeID string) error {
	return tx.Enqueue(Notice{Kind: KindProposal, Step: StepBackInPool, To: []string{menteeID}})
}

// lapse ends an open proposal that was not answered in time: the mentee goes back to
// the pool, and the two are not proposed again.
func (p *Programme) lapse(tx Tx, pr *Proposal, now time.Time) error {
	pr.State, pr.DecidedAt = ProposalLapsed, &now
	if err := tx.PutProposal(pr); err != nil {
		return err
	}
	if err := count(tx, now, func(w *Week) { w.ProposalsDeclined++ }); err != nil {
		return err
	}
	return backInPool(tx, pr.MenteeID)
}

// lapseProposals lapses every open proposal whose time has run out.
func (p *Programme) lapseProposals(tx Tx, now time.Time) (int, error) {
	all, err := tx.Proposals()
	if err != nil {
		return 0, err
	}
	n := 0
	for i := range all {
		if pr := &all[i]; pr.Open() && !now.Before(pr.Until) {
			if err := p.lapse(tx, pr, now); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}
