package mentoring

import (
	"slices"
	"time"
)

// idleStreak counts userID's check-in periods, newest first, that they left without
// any answer, up to the first they answered or limit. Only periods they were sent a
// check-in count: a week skipped because their status said away neither adds to the
// streak nor breaks it. It reads only the last limit check-ins of each pairing, so a
// year of history costs no more than a month's.
func idleStreak(tx Tx, userID string, about []About, limit int) (int, error) {
	answered := map[string]bool{}
	for _, a := range about {
		list, err := tx.LastCheckins(a.PairingID, userID, limit)
		if err != nil {
			return 0, err
		}
		for _, c := range list {
			answered[c.Period] = answered[c.Period] || c.AnsweredAt != nil
		}
	}
	periods := make([]string, 0, len(answered))
	for k := range answered {
		periods = append(periods, k)
	}
	// Period keys end in the local start time, written so that they sort in time.
	slices.Sort(periods)
	n := 0
	for i := len(periods) - 1; i >= 0 && !answered[periods[i]] && n < limit; i-- {
		n++
	}
	return n, nil
}

// pauseIdle pauses someone who left too many check-ins unanswered: until they resume
// (at most MaxPause), with one DM saying so and a kind word to each partner.
func (p *Programme) pauseIdle(tx Tx, pt *Participant, about []About, now time.Time) error {
	until := now.Add(MaxPause)
	pt.PausedUntil, pt.Idle = &until, true
	if err := tx.PutParticipant(pt); err != nil {
		return err
	}
	if err := tx.Enqueue(Notice{Kind: KindIdle, Step: StepPaused, To: []string{pt.ID}, Until: &until}); err != nil {
		return err
	}
	for _, a := range about {
		n := Notice{Kind: KindIdle, Step: StepPartnerPaused, To: []string{a.PartnerID},
			About: []About{{PairingID: a.PairingID, PartnerID: pt.ID, PartnerMentors: !a.PartnerMentors}}}
		if err := tx.Enqueue(n); err != nil {
			return err
		}
	}
	return nil
}
