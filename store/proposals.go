package store

import (
	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// bucketProposals holds proposals: big-endian id -> JSON Proposal. There are few (one
// per pair a round proposes), so they are read whole rather than indexed by person.
var bucketProposals = []byte("proposals")

func (t *tx) Proposal(id uint64) (*mentoring.Proposal, error) {
	var p mentoring.Proposal
	found, err := get(t.Bucket(bucketProposals), u64(id), &p)
	switch {
	case err != nil:
		return nil, err
	case !found:
		return nil, mentoring.Errorf(mentoring.ENOTFOUND, "That proposal no longer exists.")
	}
	return &p, nil
}

func (t *tx) Proposals() ([]mentoring.Proposal, error) {
	var out []mentoring.Proposal
	err := each(t.Bucket(bucketProposals), nil, func(_ []byte, p mentoring.Proposal) error {
		out = append(out, p)
		return nil
	})
	return out, err
}

func (t *tx) PutProposal(p *mentoring.Proposal) error {
	if err := p.Validate(); err != nil {
		return err
	}
	b := t.Bucket(bucketProposals)
	if p.ID == 0 {
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		p.ID = id
	}
	return putJSON(b, u64(p.ID), p)
}

// deleteProposalsOf deletes every proposal naming userID, whatever became of it: what
// it held (a place, a "not again") goes with the person.
func (t *tx) deleteProposalsOf(userID string) error {
	b := t.Bucket(bucketProposals)
	var doomed [][]byte
	if err := each(b, nil, func(k []byte, p mentoring.Proposal) error {
		if p.MentorID == userID || p.MenteeID == userID {
			doomed = append(doomed, append([]byte(nil), k...))
		}
		return nil
	}); err != nil {
		return err
	}
	for _, k := range doomed {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
