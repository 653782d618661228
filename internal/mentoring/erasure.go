package mentoring

import (
	"context"
	"fmt"
	"time"
)

// Erasure is a person's request to be erased, kept until it is finished: their
// records erased and the file rewritten (Erased), and they were told (the erasure is
// then deleted, and the file rewritten again). A crash at any moment leaves either
// nothing done or a pending Erasure that FinishErasures completes.
type Erasure struct {
	Seq         uint64    `json:"seq"`
	UserID      string    `json:"user_id"`
	RequestedAt time.Time `json:"requested_at"`
	// Erased says the records are gone and the file was rewritten without them.
	Erased bool `json:"erased,omitempty"`
}

// RequestErasure records, durably, that userID asked to be erased: call it before
// the request is acknowledged, so that a crash cannot lose it. It returns the
// pending erasure. Errors: EINTERNAL.
func (p *Programme) RequestErasure(ctx context.Context, userID string) (Erasure, error) {
	var e Erasure
	err := p.store.Update(ctx, func(tx Tx) error {
		pending, err := tx.Erasures()
		if err != nil {
			return err
		}
		for _, old := range pending {
			if old.UserID == userID {
				e = old
				return nil
			}
		}
		e = Erasure{UserID: userID, RequestedAt: p.now()}
		return tx.PutErasure(&e)
	})
	return e, err
}

// Forget erases everything stored about userID: their pairings end (EndForgotten)
// and each partner is told without being told who; notices that name them are
// redacted; every record of them is erased, and the file is rewritten so that no
// byte of them stays on disk. It is idempotent, so a failed or interrupted erasure
// is finished by calling it again. The pending Erasure (RequestErasure; made here if
// missing) is marked Erased; the person is told by the caller, who then calls
// ErasureTold. Errors: EINTERNAL (the records may be gone while the rewrite failed:
// the erasure stays pending and is retried).
func (p *Programme) Forget(ctx context.Context, userID string) ([]Pairing, error) {
	var ended []Pairing
	err := p.update(ctx, func(tx Tx) error {
		e, err := pendingErasure(tx, userID, p.now())
		if err != nil {
			return err
		}
		active, err := activePairings(tx, userID)
		if err != nil {
			return err
		}
		if ended, err = endPairings(tx, userID, active, EndForgotten, p.now()); err != nil {
			return err
		}
		if err := tx.RedactNotices(func(n *Notice) bool { return n.Redact(userID) }); err != nil {
			return err
		}
		if err := tx.Erase(userID); err != nil {
			return err
		}
		e.Erased = true
		return tx.PutErasure(&e)
	})
	if err != nil {
		return nil, fmt.Errorf("forget: %w", err)
	}
	return ended, nil
}

// pendingErasure returns userID's pending erasure, or a new one.
func pendingErasure(tx Tx, userID string, now time.Time) (Erasure, error) {
	pending, err := tx.Erasures()
	if err != nil {
		return Erasure{}, err
	}
	for _, e := range pending {
		if e.UserID == userID {
			return e, nil
		}
	}
	e := Erasure{UserID: userID, RequestedAt: now}
	return e, tx.PutErasure(&e)
}

// ErasureTold finishes userID's erasure once they were told: the pending record goes,
// and the file is rewritten without it. Errors: EINTERNAL.
func (p *Programme) ErasureTold(ctx context.Context, userID string) error {
	return p.store.Update(ctx, func(tx Tx) error { return tx.DeleteErasure(userID) })
}

// PendingErasures returns the erasures not yet finished, oldest first. Errors:
// EINTERNAL.
func (p *Programme) PendingErasures(ctx context.Context) ([]Erasure, error) {
	var out []Erasure
	err := p.store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Erasures()
		return err
	})
	return out, err
}
