package mentoring

import (
	"context"
	"slices"
	"time"

	"github.com/mentorbot/mentorbot/internal/match"
)

// Leave ends userID's membership and their active pairings (EndLeft), telling each
// partner; their history is kept. It returns the pairings it ended. Errors: ENOTFOUND
// (never joined, or already left), EINTERNAL.
func (p *Programme) Leave(ctx context.Context, userID string) ([]Pairing, error) {
	var ended []Pairing
	err := p.update(ctx, func(tx Tx) error {
		pt, err := tx.Participant(userID)
		if err != nil {
			return err
		}
		if pt.LeftAt != nil {
			return Errorf(ENOTFOUND, "You already left the programme. Type `/mentor join` to join again.")
		}
		now := p.now()
		pt.LeftAt = &now
		if err := tx.PutParticipant(pt); err != nil {
			return err
		}
		active, err := activePairings(tx, userID)
		if err != nil {
			return err
		}
		if ended, err = endPairings(tx, userID, active, EndLeft, now); err != nil {
			return err
		}
		return p.withdrawProposals(tx, userID, now)
	})
	return ended, err
}

// withdrawProposals lapses the open proposals of someone who left: a mentee waiting
// on their mentor goes back to the pool; a mentor asked about them can no longer
// accept.
func (p *Programme) withdrawProposals(tx Tx, userID string, now time.Time) error {
	all, err := tx.Proposals()
	if err != nil {
		return err
	}
	for i := range all {
		pr := &all[i]
		if !pr.Open() || pr.MentorID != userID && pr.MenteeID != userID {
			continue
		}
		pr.State, pr.DecidedAt = ProposalLapsed, &now
		if err := tx.PutProposal(pr); err != nil {
			return err
		}
		if pr.MentorID == userID {
			if err := backInPool(tx, pr.MenteeID); err != nil {
				return err
			}
		}
	}
	return nil
}

// PartnerError asks someone in several pairings which partner they mean, or tells
// them that the person they named is not one of their partners. It unwraps to an
// EINVALID *Error whose message names nobody.
type PartnerError struct {
	Partners []string
	// Named is the person they named who is not their partner, or "".
	Named string
}

func (e *PartnerError) Error() string { return e.Unwrap().Error() }

func (e *PartnerError) Unwrap() error {
	if e.Named != "" {
		return Errorf(EINVALID, "That person is not your partner, so nothing ended. `/mentor status` shows your partners.")
	}
	return Errorf(EINVALID, "You have %d partners, so nothing ended. Name the one you mean, for example `/mentor rematch @name`.", len(e.Partners))
}

// Rematch ends userID's pairing with partnerID without blame (EndRematch): both
// return to the pool and are never paired again, and the partner is told. partnerID
// may be "" when userID has one pairing. Errors: EINVALID (no active pairing; a
// *PartnerError when several and none named, or the one named is not a partner),
// ENOTFOUND, EINTERNAL.
func (p *Programme) Rematch(ctx context.Context, userID, partnerID string) (Pairing, error) {
	var ended Pairing
	err := p.update(ctx, func(tx Tx) error {
		if _, err := member(tx, userID); err != nil {
			return err
		}
		active, err := activePairings(tx, userID)
		if err != nil {
			return err
		}
		if len(active) == 0 {
			return Errorf(EINVALID, "You have no active pairing to end. `/mentor status` shows your partners.")
		}
		partners := make([]string, len(active))
		for i, pr := range active {
			partners[i] = pr.Partner(userID)
		}
		i := slices.Index(partners, partnerID)
		switch {
		case partnerID == "" && len(active) == 1:
			i = 0
		case partnerID == "":
			return &PartnerError{Partners: partners}
		case i < 0:
			return &PartnerError{Partners: partners, Named: partnerID}
		}
		done, err := endPairings(tx, userID, active[i:i+1], EndRematch, p.now())
		if err != nil {
			return err
		}
		ended = done[0]
		return nil
	})
	return ended, err
}

// endPairings ends the given pairings of userID for reason and queues a notice to
// each partner. An erased person (EndForgotten) is not named in it.
func endPairings(tx Tx, userID string, pairings []Pairing, reason string, now time.Time) ([]Pairing, error) {
	for i := range pairings {
		pr := &pairings[i]
		pr.EndedAt, pr.EndReason = &now, reason
		if err := tx.PutPairing(pr); err != nil {
			return nil, err
		}
		about := About{PairingID: pr.ID, PartnerID: userID, PartnerMentors: pr.Mentors(userID), EndReason: reason}
		if reason == EndForgotten {
			about.PartnerID = ""
		}
		if err := tx.Enqueue(Notice{Kind: KindPairingEnded, To: []string{pr.Partner(userID)}, About: []About{about}}); err != nil {
			return nil, err
		}
	}
	if len(pairings) > 0 {
		if err := countActivePairs(tx, now); err != nil {
			return nil, err
		}
	}
	return pairings, nil
}

// Round is what a pairing round does: the pairs it makes and the mentees it leaves
// unmatched, with why.
type Round struct {
	Pairs     []match.Pair
	Unmatched []match.Unmatched
	Total     float64
	// Proposed says the pairs were proposed to their mentors (mentor approval), not
	// made: intros go out as the mentors accept.
	Proposed bool
}

// PlanRound works out a pairing round over everyone free to pair now and changes
// nothing. Errors: EFORBIDDEN (actor is not an admin), EINTERNAL.
func (p *Programme) PlanRound(ctx context.Context, actor string) (Round, error) {
	if err := p.admin(actor, "/mentor pair"); err != nil {
		return Round{}, err
	}
	var r Round
	err := p.store.View(ctx, func(tx Tx) error {
		pl, err := p.pool(tx)
		if err != nil {
			return err
		}
		res := match.Solve(pl.input(p))
		r = Round{Pairs: res.Pairs, Unmatched: res.Unmatched, Total: res.Total}
		return nil
	})
	return r, err
}

// ApplyRound makes a planned round's pairs, each with its intro, and tells its
// unmatched mentees why, in one transaction. A pair no longer possible (someone left,
// paused, was paired or filled up since the plan) is skipped, by the same rule that
// planned it. It returns what it did. Errors: EFORBIDDEN, EINTERNAL.
func (p *Programme) ApplyRound(ctx context.Context, actor string, plan Round) (Round, error) {
	if err := p.admin(actor, "/mentor pair"); err != nil {
		return Round{}, err
	}
	var done Round
	err := p.update(ctx, func(tx Tx) error {
		done = Round{Unmatched: plan.Unmatched, Proposed: p.approval}
		pl, err := p.pool(tx)
		if err != nil {
			return err
		}
		now := p.now()
		for _, mp := range plan.Pairs {
			if !pl.canPair(mp.MenteeID, mp.MentorID) {
				continue
			}
			if p.approval {
				if err := p.propose(tx, pl, mp, now); err != nil {
					return err
				}
			} else if _, err := p.makePair(tx, pl, mp.MenteeID, mp.MentorID, mp.Score, mp.Reasons, now); err != nil {
				return err
			}
			done.Pairs = append(done.Pairs, mp)
			done.Total += mp.Score
		}
		if len(done.Pairs) > 0 && !p.approval {
			if err := countActivePairs(tx, now); err != nil {
				return err
			}
		}
		for _, u := range plan.Unmatched {
			mentee, ok := pl.people[u.MenteeID]
			if !ok || !pl.mentees[u.MenteeID] {
				continue // no longer in the pool (paired, paused or gone since the plan)
			}
			if err := tx.Enqueue(Notice{Kind: KindUnmatched, To: []string{u.MenteeID},
				Unmatched: &Unmatched{Role: mentee.Role, Cause: string(u.Cause), Reason: u.Reason}}); err != nil {
				return err
			}
		}
		return nil
	})
	return done, err
}

// makePair stores a pairing of mentee and mentor and queues its intro, and takes
// both out of the pool.
func (p *Programme) makePair(tx Tx, pl *pool, menteeID, mentorID string, score float64, reasons Reasons, now time.Time) (*Pairing, error) {
	pr := Pairing{MentorID: mentorID, MenteeID: menteeID, StartedAt: now, Score: score, Reasons: reasons}
	if err := tx.PutPairing(&pr); err != nil {
		return nil, err
	}
	pl.take(menteeID, mentorID)
	mentee, mentor := pl.people[menteeID], pl.people[mentorID]
	menteeZone, mentorZone := p.Location(mentee), p.Location(mentor)
	intro := &Intro{PairingID: pr.ID, MentorID: mentorID, MenteeID: menteeID, Reasons: reasons,
		MentorTeam: mentor.Team, MenteeTeam: mentee.Team, Goals: openGoals(mentee),
		MentorZone: mentorZone.String(), MenteeZone: menteeZone.String(),
		Meet: MeetingWindows(p.workingHours, menteeZone, mentorZone, now, MaxMeetingWindows)}
	if err := tx.Enqueue(Notice{Kind: KindIntro, To: []string{menteeID, mentorID}, Intro: intro}); err != nil {
		return nil, err
	}
	return &pr, nil
}

// MaxMeetingWindows is how many shared stretches of working time an intro or a nudge
// suggests.
const MaxMeetingWindows = 3

// propose stores mp as a proposal to its mentor, holding the mentor's place and the
// mentee, and asks the mentor.
func (p *Programme) propose(tx Tx, pl *pool, mp match.Pair, now time.Time) error {
	pr := Proposal{MentorID: mp.MentorID, MenteeID: mp.MenteeID, ProposedAt: now, Until: now.Add(p.proposalTTL),
		State: ProposalOpen, Score: mp.Score, Reasons: mp.Reasons}
	if err := tx.PutProposal(&pr); err != nil {
		return err
	}
	pl.take(mp.MenteeID, mp.MentorID)
	ask := &ProposalAsk{ID: pr.ID, MenteeID: mp.MenteeID, Reasons: mp.Reasons, Goals: openGoals(pl.people[mp.MenteeID]), Until: pr.Until}
	return tx.Enqueue(Notice{Kind: KindProposal, Step: StepAsk, To: []string{mp.MentorID}, Proposal: ask,
		Zone: p.Location(pl.people[mp.MentorID]).String()})
}

// openGoals are the goals a person has not finished.
func openGoals(pt *Participant) []string {
	var out []string
	for _, g := range pt.Goals {
		if !g.Done() {
			out = append(out, g.Text)
		}
	}
	return out
}

// pool is who may be paired now. It is the one eligibility rule of a round: planning
// asks it who to offer the solver, and applying asks it again, in the transaction
// that stores the pairs, whether each planned pair is still possible.
type pool struct {
	people   map[string]*Participant // everyone in the programme and free to take part now
	mentees  map[string]bool         // unpaired mentees
	room     map[string]int          // mentors' free places
	previous map[match.Key]bool
	blocked  map[match.Key]bool
	// hidden are pairs a private choice rules out: an avoid list, a declined or lapsed
	// proposal, a "no" at the fit check.
	hidden map[match.Key]bool
	// proposed are the mentees with an open proposal, out of the pool while it waits.
	proposed map[string]bool
}

func (p *Programme) pool(tx Tx) (*pool, error) {
	people, pairings, err := roster(tx)
	if err != nil {
		return nil, err
	}
	now := p.now()
	pl := &pool{people: map[string]*Participant{}, mentees: map[string]bool{}, room: map[string]int{},
		previous: map[match.Key]bool{}, blocked: map[match.Key]bool{}, hidden: map[match.Key]bool{}, proposed: map[string]bool{}}
	paired, load := map[string]bool{}, map[string]int{}
	for _, pr := range pairings {
		if pr.MenteeID == "" || pr.MentorID == "" {
			continue // one side was erased
		}
		key := match.Key{Mentee: pr.MenteeID, Mentor: pr.MentorID}
		pl.previous[key] = true
		switch pr.EndReason {
		case EndRematch:
			pl.blocked[key] = true
		case EndFit:
			pl.hidden[key] = true
		}
		if pr.Active() {
			paired[pr.MenteeID] = true
			load[pr.MentorID]++
		}
	}
	proposals, err := tx.Proposals()
	if err != nil {
		return nil, err
	}
	for _, pr := range proposals {
		switch pr.State {
		case ProposalOpen:
			pl.proposed[pr.MenteeID] = true
			load[pr.MentorID]++
		case ProposalDeclined, ProposalLapsed:
			pl.hidden[match.Key{Mentee: pr.MenteeID, Mentor: pr.MentorID}] = true
		}
	}
	for i := range people {
		pt := &people[i]
		if !pt.Active(now) {
			continue
		}
		pl.people[pt.ID] = pt
		for _, other := range pt.Avoid {
			pl.hidden[match.Key{Mentee: pt.ID, Mentor: other}] = true
		}
		if pt.Role.Mentored() && !paired[pt.ID] && !pl.proposed[pt.ID] {
			pl.mentees[pt.ID] = true
		}
		if pt.Role.Mentors() {
			pl.room[pt.ID] = pt.Capacity - load[pt.ID]
		}
	}
	return pl, nil
}

// canPair reports whether the pool still allows mentee and mentor as a pair: both
// free to take part, the mentee unpaired, the mentor with a free place, and none of
// the solver's hard rules (the same person, a manager, a rematch) against it.
func (pl *pool) canPair(menteeID, mentorID string) bool {
	mentee, mentor := pl.people[menteeID], pl.people[mentorID]
	if mentee == nil || mentor == nil || !pl.mentees[menteeID] || pl.room[mentorID] <= 0 {
		return false
	}
	if pl.named(pl.blocked, menteeID, mentorID) || pl.named(pl.hidden, menteeID, mentorID) {
		return false
	}
	_, _, ok := match.Score(pl.menteeOf(mentee, 0), pl.mentorOf(mentor, 0), false)
	return ok
}

// named reports whether rule names the two, either way round.
func (pl *pool) named(rule map[match.Key]bool, a, b string) bool {
	return rule[match.Key{Mentee: a, Mentor: b}] || rule[match.Key{Mentee: b, Mentor: a}]
}

// release gives back what an open proposal holds: the mentee to the pool (when still
// free to take part and unpaired) and the mentor's place.
func (pl *pool) release(pr *Proposal) {
	if pt := pl.people[pr.MenteeID]; pt != nil && pt.Role.Mentored() && pl.proposed[pr.MenteeID] {
		delete(pl.proposed, pr.MenteeID)
		pl.mentees[pr.MenteeID] = true
	}
	if _, ok := pl.room[pr.MentorID]; ok {
		pl.room[pr.MentorID]++
	}
}

// take records that a pair was made.
func (pl *pool) take(menteeID, mentorID string) {
	delete(pl.mentees, menteeID)
	pl.room[mentorID]--
}

func (pl *pool) menteeOf(pt *Participant, offset int) match.Mentee {
	return match.Mentee{ID: pt.ID, Topics: pt.Topics, ManagerID: pt.ManagerID, Team: pt.Team, Offset: offset}
}

func (pl *pool) mentorOf(pt *Participant, offset int) match.Mentor {
	return match.Mentor{ID: pt.ID, Topics: pt.Topics, ManagerID: pt.ManagerID, Team: pt.Team, Offset: offset, Capacity: pl.room[pt.ID]}
}

// input is the solver's view of the pool, with each person's UTC offset now.
func (pl *pool) input(p *Programme) match.Input {
	in := match.Input{Previous: pl.previous, Blocked: pl.blocked, Hidden: pl.hidden}
	now := p.now()
	for _, pt := range pl.people {
		_, offset := now.In(p.Location(pt)).Zone()
		if pl.mentees[pt.ID] {
			in.Mentees = append(in.Mentees, pl.menteeOf(pt, offset/60))
		}
		if pt.Role.Mentors() {
			in.Mentors = append(in.Mentors, pl.mentorOf(pt, offset/60))
		}
	}
	return in
}
