package mentoring

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Status is a member's own view of their membership.
type Status struct {
	Participant *Participant
	Location    *time.Location
	// Pairings are the active ones, oldest first.
	Pairings []Pairing
	// Ended are the pairings that have ended, the latest to end first. A partner who
	// was erased has an empty id there.
	Ended []Pairing
	// PausedUntil is set while a pause lasts.
	PausedUntil *time.Time
	// Idle is set while the pause is the programme's, after check-ins went unanswered
	// (Participant.Idle), rather than their own: it lasts until they resume.
	Idle bool
	// NextCheckin is when the next check-in comes due for them: after a pause ends, in
	// their zone; zero when the schedule never fires, or while they are paused as idle
	// (check-ins start again when they resume).
	NextCheckin time.Time

	// Proposals are the open proposals that wait for their answer as a mentor, the
	// first due first. A proposal about them as a mentee is never here: a mentee
	// learns only that a mentor is being found (FindingMentor), never who was asked
	// or that someone said no.
	Proposals []Proposal
	// FindingMentor is set while a proposal of them as a mentee waits for a mentor.
	FindingMentor bool
	// Cycles says, by pairing id, where each active pairing's cycle stands, when
	// cycles are on (or a question is still open); nil otherwise.
	Cycles map[uint64]CycleStatus
	// Avoiding is how many people are on their avoid list (Participant.Avoid).
	Avoiding int
}

// CycleStatus is where one pairing's cycle stands, seen by one of its members: their
// own answers only, never their partner's.
type CycleStatus struct {
	// Ends is when the current cycle ends: the pairing's start plus one cycle for each
	// it has run (zero when cycles were turned off since the question went out).
	Ends time.Time
	// AnswerBy is set while the end-of-cycle question is open: answers are due then.
	AnswerBy *time.Time
	// Answer is the viewer's own answer to the open question so far ("" none yet).
	Answer CycleVote
	// Surveyed says the viewer has given their closing survey of the pairing.
	Surveyed bool
}

// Status returns userID's view of their membership. Errors: ENOTFOUND, EINTERNAL.
func (p *Programme) Status(ctx context.Context, userID string) (Status, error) {
	var st Status
	err := p.store.View(ctx, func(tx Tx) error {
		var err error
		st, err = p.status(tx, userID)
		return err
	})
	return st, err
}

func (p *Programme) status(tx Tx, userID string) (Status, error) {
	pt, err := member(tx, userID)
	if err != nil {
		return Status{}, err
	}
	all, err := tx.PairingsOf(userID)
	if err != nil {
		return Status{}, err
	}
	now := p.now()
	st := Status{Participant: pt, Location: p.Location(pt), Avoiding: len(pt.Avoid)}
	for _, pr := range all {
		// A partner's fit, cycle and survey answers are theirs alone.
		pr = ownSide(pr, userID)
		if pr.Active() {
			st.Pairings = append(st.Pairings, pr)
			if cs, ok := p.cycleStatus(pr, userID); ok {
				if st.Cycles == nil {
					st.Cycles = map[uint64]CycleStatus{}
				}
				st.Cycles[pr.ID] = cs
			}
		} else {
			st.Ended = append(st.Ended, pr)
		}
	}
	slices.SortStableFunc(st.Ended, func(a, b Pairing) int { return b.EndedAt.Compare(*a.EndedAt) })
	if st.Proposals, st.FindingMentor, err = openProposals(tx, userID, now); err != nil {
		return Status{}, err
	}
	from := now
	if pt.PausedUntil != nil && from.Before(*pt.PausedUntil) {
		st.PausedUntil, st.Idle = pt.PausedUntil, pt.Idle
		// The first check-in period that starts once the pause is over.
		from = pt.PausedUntil.Add(-time.Nanosecond)
	}
	if !st.Idle {
		st.NextCheckin = p.cal.Next(KindCheckin, from, st.Location)
	}
	return st, nil
}

// ownSide returns pr as userID may see it: their own side of the private answers
// (fit, end of cycle, closing survey) and none of their partner's.
func ownSide(pr Pairing, userID string) Pairing {
	switch userID {
	case pr.MentorID:
		pr.Mentee = Side{}
	case pr.MenteeID:
		pr.Mentor = Side{}
	default:
		pr.Mentor, pr.Mentee = Side{}, Side{}
	}
	return pr
}

// cycleStatus says where an active pairing's cycle stands for userID, and false when
// cycles are off and no question is open.
func (p *Programme) cycleStatus(pr Pairing, userID string) (CycleStatus, bool) {
	if p.cycle <= 0 && pr.CycleAskedAt == nil {
		return CycleStatus{}, false
	}
	var cs CycleStatus
	if p.cycle > 0 {
		cs.Ends = pr.StartedAt.Add(time.Duration(pr.Cycles+1) * p.cycle)
	}
	if pr.CycleAskedAt != nil {
		by := pr.CycleAskedAt.Add(p.proposalTTL)
		cs.AnswerBy = &by
	}
	if side := pr.SideOf(userID); side != nil {
		cs.Answer, cs.Surveyed = side.Cycle, side.Survey != nil
	}
	return cs, true
}

// openProposals returns the open proposals that wait for userID's answer as a mentor,
// the first due first, and whether one of them as a mentee waits for a mentor. A
// proposal whose time has run out counts as lapsed, as it will be within a minute.
func openProposals(tx Tx, userID string, now time.Time) ([]Proposal, bool, error) {
	all, err := tx.Proposals()
	if err != nil {
		return nil, false, err
	}
	var mine []Proposal
	finding := false
	for _, pr := range all {
		if !pr.Open() || !now.Before(pr.Until) {
			continue
		}
		switch userID {
		case pr.MentorID:
			mine = append(mine, pr)
		case pr.MenteeID:
			finding = true
		}
	}
	slices.SortStableFunc(mine, func(a, b Proposal) int { return a.Until.Compare(b.Until) })
	return mine, finding, nil
}

// HomeCheckins is how many recent periods of check-ins Home shows per pairing.
const HomeCheckins = 3

// HomeKudos is how many received kudos Home shows.
const HomeKudos = 5

// Home is what a person's Home tab shows. A check-in is shown only to the two members
// of its pair; the programme's figures only to admins.
type Home struct {
	// Joined is false for someone not in the programme; then only Stats may be set.
	Joined   bool
	Status   Status
	Checkins []PairCheckins
	Kudos    []Kudos
	// Stats are the programme's figures, and Trend its last TrendWeeks weeks, for
	// admins; nil for everyone else.
	Stats *Stats
	Trend *Trend
}

// PairCheckins are the recent check-ins of one of the viewer's pairings.
type PairCheckins struct {
	PartnerID string
	// Weeks are newest first, at most HomeCheckins.
	Weeks []WeekCheckins
}

// WeekCheckins are both members' check-ins for one period; nil where one was not asked.
// What they hold (answers and notes) is for the two members of the pair only.
type WeekCheckins struct {
	Period string
	// Start is when the week began for the pair, in the viewer's zone: the start of
	// the period, or when the pairing began if that was later (an admin's run asks a
	// pair made mid-week about the week it was made in).
	Start        time.Time
	Mine, Theirs *Checkin
}

// Home returns what userID's Home tab shows: their own membership, and the recent
// check-ins of their active pairings, both members' answers and notes (which only the
// two of a pair may see); an admin's Home adds the programme's aggregate figures and
// nobody else's check-ins. Errors: EINTERNAL.
func (p *Programme) Home(ctx context.Context, userID string) (Home, error) {
	var h Home
	err := p.store.View(ctx, func(tx Tx) error {
		h = Home{}
		if p.IsAdmin(userID) {
			st, err := p.stats(tx)
			if err != nil {
				return err
			}
			tr, err := trend(tx, p.now(), TrendWeeks)
			if err != nil {
				return err
			}
			h.Stats, h.Trend = &st, &tr
		}
		st, err := p.status(tx, userID)
		if ErrorCode(err) == ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		h.Joined, h.Status = true, st
		for _, pr := range st.Pairings {
			pc, err := pairCheckins(tx, pr, userID, st.Location)
			if err != nil {
				return err
			}
			h.Checkins = append(h.Checkins, pc)
		}
		h.Kudos, err = tx.KudosFor(userID, HomeKudos)
		return err
	})
	return h, err
}

// pairCheckins gathers the recent check-ins of pr, a pairing of userID, by period.
func pairCheckins(tx Tx, pr Pairing, userID string, loc *time.Location) (PairCheckins, error) {
	partner := pr.Partner(userID)
	pc := PairCheckins{PartnerID: partner}
	byPeriod := map[string]*WeekCheckins{}
	for i, who := range []string{userID, partner} {
		list, err := tx.CheckinsOf(pr.ID, who)
		if err != nil {
			return pc, err
		}
		for _, c := range list {
			w := byPeriod[c.Period]
			if w == nil {
				w = &WeekCheckins{Period: c.Period, Start: weekStart(c.Period, pr.StartedAt, loc)}
				byPeriod[c.Period] = w
			}
			if i == 0 {
				w.Mine = &c
			} else {
				w.Theirs = &c
			}
		}
	}
	for _, w := range byPeriod {
		pc.Weeks = append(pc.Weeks, *w)
	}
	slices.SortFunc(pc.Weeks, func(a, b WeekCheckins) int { return strings.Compare(b.Period, a.Period) })
	if len(pc.Weeks) > HomeCheckins {
		pc.Weeks = pc.Weeks[:HomeCheckins]
	}
	return pc, nil
}

// periodKeyLayout is how Period.Key writes a period's start.
const periodKeyLayout = "2006-01-02T15:04"

// weekStart reads the start of a period from its key (Period.Key: the local wall time
// the schedule fired at, which members of a pair share) in loc, and moves it to when
// the pairing began if that came later.
func weekStart(key string, pairedAt time.Time, loc *time.Location) time.Time {
	_, wall, _ := strings.Cut(key, "/")
	t, err := time.ParseInLocation(periodKeyLayout, wall, loc)
	if err != nil || t.Before(pairedAt) {
		return pairedAt.In(loc)
	}
	return t
}

// Stats returns the programme's aggregate figures. Errors: EFORBIDDEN (not an
// admin), EINTERNAL.
func (p *Programme) Stats(ctx context.Context, actor string) (Stats, error) {
	if err := p.admin(actor, "/mentor stats"); err != nil {
		return Stats{}, err
	}
	var st Stats
	err := p.store.View(ctx, func(tx Tx) error {
		var err error
		st, err = p.stats(tx)
		return err
	})
	return st, err
}

func (p *Programme) stats(tx Tx) (Stats, error) {
	var st Stats
	people, pairings, err := roster(tx)
	if err != nil {
		return st, err
	}
	st.Approval, st.CyclesOn = p.approval, p.cycle > 0
	paired := map[string]bool{}
	fitPeople, surveyPeople := map[string]bool{}, map[string]bool{}
	surveySum := 0
	for _, pr := range pairings {
		if pr.Active() {
			st.ActivePairs++
			paired[pr.MenteeID] = true
		}
		if pr.EndReason == EndCycle {
			st.CyclesEnded++
		}
		st.CyclesContinued += pr.Cycles
		for _, s := range []struct {
			who  string
			side Side
		}{{pr.MentorID, pr.Mentor}, {pr.MenteeID, pr.Mentee}} {
			switch s.side.Fit {
			case FitYes:
				st.FitYes++
				fitPeople[s.who] = true
			case FitNo:
				st.FitNo++
				fitPeople[s.who] = true
			}
			if sv := s.side.Survey; sv != nil && sv.Value != 0 {
				st.SurveyValues++
				surveySum += sv.Value
				surveyPeople[s.who] = true
			}
		}
	}
	st.FitPeople, st.SurveyPeople = len(fitPeople), len(surveyPeople)
	if st.SurveyValues > 0 {
		st.SurveyMean = float64(surveySum) / float64(st.SurveyValues)
	}
	proposals, err := tx.Proposals()
	if err != nil {
		return st, err
	}
	deciders := map[string]bool{}
	for _, pr := range proposals {
		switch pr.State {
		case ProposalOpen:
			st.ProposalsOpen++
			continue
		case ProposalAccepted:
			st.ProposalsAccepted++
		default:
			st.ProposalsDeclined++
		}
		deciders[pr.MentorID] = true
	}
	st.ProposalMentors = len(deciders)
	now := p.now()
	for _, pt := range people {
		st.GoalsSet += len(pt.Goals)
		for _, g := range pt.Goals {
			if g.Done() {
				st.GoalsDone++
			}
		}
		if pt.LeftAt != nil {
			continue
		}
		switch pt.Role {
		case RoleMentor:
			st.Mentors++
		case RoleMentee:
			st.Mentees++
		case RoleBoth:
			st.Both++
		}
		if !pt.Active(now) {
			st.Paused++
		} else if pt.Role.Mentored() && !paired[pt.ID] {
			st.UnmatchedMentees++
		}
	}
	// What happened over time comes from the weekly figures, a few hundred small
	// records, not from every check-in and kudos ever stored. The group an answer
	// figure describes is the largest asked in one week: at least that many distinct
	// people were asked, so the 5-person rule holds (it may hide a little more).
	weeks, err := tx.Weeks("", "")
	if err != nil {
		return st, err
	}
	for _, w := range weeks {
		st.CheckinsSent += w.CheckinsSent
		st.CheckinsAnswered += w.CheckinsAnswered
		st.MeetingsReported += w.MeetingsReported
		st.KudosGiven += w.KudosGiven
		st.CheckinPeople = max(st.CheckinPeople, w.CheckinPeople)
	}
	return st, nil
}

// PersonalData is everything stored about one person, for /mentor mydata. What is
// someone else's stays out: a pairing carries only the person's own side of the fit,
// cycle and survey answers, and proposals are only those made to them as a mentor
// (whose decision they were); a mentee is never shown a proposal of them, so never
// learns who was asked or that someone said no.
type PersonalData struct {
	Participant   *Participant `json:"participant"`
	Pairings      []Pairing    `json:"pairings"`
	Proposals     []Proposal   `json:"proposals_as_mentor,omitempty"`
	KudosReceived []Kudos      `json:"kudos_received"`
	KudosGiven    []Kudos      `json:"kudos_given"`
	Checkins      []Checkin    `json:"checkins"`
}

// Empty reports whether nothing is stored about the person.
func (d PersonalData) Empty() bool {
	return d.Participant == nil && len(d.Pairings) == 0 && len(d.Proposals) == 0 && len(d.KudosReceived) == 0 &&
		len(d.KudosGiven) == 0 && len(d.Checkins) == 0
}

// PersonalData gathers everything stored about userID (someone who never joined may
// still have kudos). Errors: EINTERNAL.
func (p *Programme) PersonalData(ctx context.Context, userID string) (PersonalData, error) {
	var d PersonalData
	err := p.store.View(ctx, func(tx Tx) error {
		d = PersonalData{}
		pt, err := tx.Participant(userID)
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return err
		}
		d.Participant = pt
		pairings, err := tx.PairingsOf(userID)
		if err != nil {
			return err
		}
		for _, pr := range pairings {
			d.Pairings = append(d.Pairings, ownSide(pr, userID))
		}
		proposals, err := tx.Proposals()
		if err != nil {
			return err
		}
		for _, pr := range proposals {
			if pr.MentorID == userID {
				d.Proposals = append(d.Proposals, pr)
			}
		}
		if err := tx.ForEachCheckin(func(c Checkin) error {
			if c.UserID == userID {
				d.Checkins = append(d.Checkins, c)
			}
			return nil
		}); err != nil {
			return err
		}
		return tx.ForEachKudos(func(k Kudos) error {
			if k.ToID == userID {
				d.KudosReceived = append(d.KudosReceived, k)
			}
			if k.FromID == userID {
				d.KudosGiven = append(d.KudosGiven, k)
			}
			return nil
		})
	})
	return d, err
}
