package store

import (
	"cmp"
	"slices"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// Erasures returns the erasures asked for and not yet finished, oldest first
// (mentoring.Tx).
func (t *tx) Erasures() ([]mentoring.Erasure, error) {
	var out []mentoring.Erasure
	err := each(t.Bucket(bucketErasures), nil, func(_ []byte, e mentoring.Erasure) error {
		out = append(out, e)
		return nil
	})
	slices.SortFunc(out, func(a, b mentoring.Erasure) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, err
}

// PutErasure records the erasure of e.UserID (mentoring.Tx).
func (t *tx) PutErasure(e *mentoring.Erasure) error {
	b := t.Bucket(bucketErasures)
	if e.Seq == 0 {
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		e.Seq = seq
	}
	return putJSON(b, []byte(e.UserID), e)
}

// DeleteErasure forgets the erasure of userID; the file is rewritten after the commit
// (mentoring.Tx).
func (t *tx) DeleteErasure(userID string) error {
	t.erased = true
	return t.Bucket(bucketErasures).Delete([]byte(userID))
}
