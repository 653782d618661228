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
	// NextCheckin is when the next check-in comes due for them: after a pause ends, in
	// their zone; zero when the schedule never fires.
	NextCheckin time.Time
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
	st := Status{Participant: pt, Location: p.Location(pt)}
	for _, pr := range all {
		if pr.Active() {
			st.Pairings = append(st.Pairings, pr)
		} else {
			st.Ended = append(st.Ended, pr)
		}
	}
	slices.SortStableFunc(st.Ended, func(a, b Pairing) int { return b.EndedAt.Compare(*a.EndedAt) })
	from := p.now()
	if pt.PausedUntil != nil && from.Before(*pt.PausedUntil) {
		st.PausedUntil = pt.PausedUntil
		// The first check-in period that starts once the pause is over.
		from = pt.PausedUntil.Add(-time.Nanosecond)
	}
	st.NextCheckin = p.cal.Next(KindCheckin, from, st.Location)
	return st, nil
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
	// Stats are the programme's figures, for admins; nil for everyone else.
	Stats *Stats
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
			h.Stats = &st
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
	paired := map[string]bool{}
	for _, pr := range pairings {
		if pr.Active() {
			st.ActivePairs++
			paired[pr.MenteeID] = true
		}
	}
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
	if err := tx.ForEachKudos(func(Kudos) error { st.KudosGiven++; return nil }); err != nil {
		return st, err
	}
	asked := map[string]bool{}
	err = tx.ForEachCheckin(func(c Checkin) error {
		st.CheckinsSent++
		asked[c.UserID] = true
		if c.Answered() {
			st.CheckinsAnswered++
		}
		if c.Answer == AnswerMet {
			st.MeetingsReported++
		}
		return nil
	})
	st.CheckinPeople = len(asked)
	return st, err
}

// PersonalData is everything stored about one person, for /mentor mydata.
type PersonalData struct {
	Participant   *Participant `json:"participant"`
	Pairings      []Pairing    `json:"pairings"`
	KudosReceived []Kudos      `json:"kudos_received"`
	KudosGiven    []Kudos      `json:"kudos_given"`
	Checkins      []Checkin    `json:"checkins"`
}

// Empty reports whether nothing is stored about the person.
func (d PersonalData) Empty() bool {
	return d.Participant == nil && len(d.Pairings) == 0 && len(d.KudosReceived) == 0 &&
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
		if d.Pairings, err = tx.PairingsOf(userID); err != nil {
			return err
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
