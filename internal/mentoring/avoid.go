package mentoring

import (
	"context"
	"slices"
)

// MaxAvoid bounds a person's avoid list.
const MaxAvoid = 50

// Avoid adds otherID to userID's avoid list: the two are never paired, either way
// round, and otherID is never told. A pairing the two already have goes on (a
// rematch ends it). added is false when otherID was on the list already. Errors:
// EINVALID (yourself, a bot, a deactivated account, a full list), ENOTFOUND (not a
// member), EINTERNAL.
func (p *Programme) Avoid(ctx context.Context, userID, otherID string) (added bool, err error) {
	if otherID == userID {
		return false, FieldErrorf("avoid", EINVALID, "You can't avoid yourself. Name someone else, for example `/mentor avoid @name`.")
	}
	if _, err := p.person(ctx, otherID, "That account"); err != nil {
		return false, err
	}
	_, err = p.change(ctx, userID, func(pt *Participant) error {
		if slices.Contains(pt.Avoid, otherID) {
			return nil
		}
		if len(pt.Avoid) >= MaxAvoid {
			return Errorf(EINVALID, "Your avoid list is full (%d people). Take someone off with `/mentor unavoid @name` first.", MaxAvoid)
		}
		pt.Avoid, added = append(pt.Avoid, otherID), true
		return nil
	})
	return added, err
}

// Unavoid takes otherID off userID's avoid list; removed is false when they were not
// on it. Errors: ENOTFOUND (not a member), EINTERNAL.
func (p *Programme) Unavoid(ctx context.Context, userID, otherID string) (removed bool, err error) {
	_, err = p.change(ctx, userID, func(pt *Participant) error {
		n := len(pt.Avoid)
		pt.Avoid = slices.DeleteFunc(pt.Avoid, func(id string) bool { return id == otherID })
		removed = len(pt.Avoid) < n
		return nil
	})
	return removed, err
}

// AvoidList returns userID's avoid list. Errors: ENOTFOUND (not a member), EINTERNAL.
func (p *Programme) AvoidList(ctx context.Context, userID string) ([]string, error) {
	pt, err := p.Member(ctx, userID)
	if err != nil {
		return nil, err
	}
	return slices.Clone(pt.Avoid), nil
}
