package mentoring

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Join is what a person tells the programme when they join or change their
// membership. Nil and zero fields keep what is stored.
type Join struct {
	Role Role
	// Topics replace the stored ones when not nil (NormalizeTopics is applied).
	Topics []string
	// Capacity, when not 0, sets how many mentees a mentor takes.
	Capacity int
	// ManagerID and Team, when not nil, replace the stored ones ("" clears).
	ManagerID *string
	Team      *string
	// Goals are added to the person's goals.
	Goals []string
}

// Join makes userID a participant, or changes their membership, and refreshes what
// the workspace owns (their time zone). before is the record as it was (nil for a new
// member or one coming back after leaving). Errors: EINVALID (a field: "role",
// "topics", "goals", "capacity", "manager", "team"; a bot or deactivated account),
// EINTERNAL.
func (p *Programme) Join(ctx context.Context, userID string, j Join) (before, after *Participant, err error) {
	var invalid Invalid
	role, err := ParseRole(string(j.Role))
	if err != nil {
		invalid = append(invalid, FieldErrorf("role", EINVALID, "Start with your role (mentor, mentee or both), for example `/mentor join mentee go, public speaking`, or type `/mentor join` for a form."))
	}
	j.Role = role
	if j.Topics != nil {
		topics, err := NormalizeTopics(j.Topics)
		switch {
		case err != nil:
			invalid = append(invalid, FieldErrorf("topics", EINVALID, "%s", ErrorMessage(err)))
		case len(topics) == 0:
			invalid = append(invalid, FieldErrorf("topics", EINVALID, "Give at least one topic, separated by commas, for example “go, public speaking”."))
		}
		j.Topics = topics
	}
	j.Goals = slices.Clone(j.Goals)
	for i, g := range j.Goals {
		j.Goals[i] = strings.TrimSpace(g)
		if utf8.RuneCountInString(j.Goals[i]) > MaxGoalLen {
			invalid = append(invalid, FieldErrorf("goals", EINVALID, "Each goal can be at most %d characters. Shorten it, for example \"Give a talk at the team meeting\".", MaxGoalLen))
			break
		}
	}
	j.Goals = slices.DeleteFunc(j.Goals, func(g string) bool { return g == "" })
	if j.Capacity != 0 && (j.Capacity < MinCapacity || j.Capacity > MaxCapacity) {
		invalid = append(invalid, FieldErrorf("capacity", EINVALID, "Capacity must be a number from %d to %d, for example 2.", MinCapacity, MaxCapacity))
	}
	if j.ManagerID != nil {
		if err := p.checkManager(ctx, userID, *j.ManagerID); ErrorCode(err) == EINTERNAL {
			return nil, nil, err
		} else if err != nil {
			invalid = append(invalid, err.(*Error))
		}
	}
	if j.Team != nil {
		team, err := normalizeTeam(*j.Team, true)
		if err != nil {
			invalid = append(invalid, err.(*Error))
		}
		j.Team = &team
	}
	if len(invalid) > 0 {
		return nil, nil, invalid
	}
	me, err := p.person(ctx, userID, "Your account")
	if err != nil {
		return nil, nil, err
	}
	now := p.now()
	err = p.update(ctx, func(tx Tx) error {
		before = nil
		pt, err := tx.Participant(userID)
		switch {
		case ErrorCode(err) == ENOTFOUND:
			pt = &Participant{ID: userID}
		case err != nil:
			return err
		case pt.LeftAt == nil:
			cp := *pt
			cp.Topics = slices.Clone(pt.Topics)
			before = &cp
		}
		if before == nil {
			pt.JoinedAt, pt.LeftAt = now, nil
		}
		if pt.Capacity == 0 {
			pt.Capacity = DefaultCapacity
		}
		pt.TimeZone = me.TimeZone
		pt.Role = j.Role
		if j.Topics != nil {
			pt.Topics = j.Topics
		}
		if j.Capacity != 0 {
			pt.Capacity = j.Capacity
		}
		if j.ManagerID != nil {
			pt.ManagerID = *j.ManagerID
		}
		if j.Team != nil {
			pt.Team = *j.Team
		}
		if len(pt.Goals)+len(j.Goals) > MaxGoals {
			return FieldErrorf("goals", EINVALID, "You can have at most %d goals. Keep the ones that matter most now.", MaxGoals)
		}
		for _, g := range j.Goals {
			pt.Goals = append(pt.Goals, Goal{Text: g, CreatedAt: now})
		}
		after = pt
		if len(j.Goals) > 0 {
			if err := count(tx, now, func(w *Week) { w.GoalsSet += len(j.Goals) }); err != nil {
				return err
			}
		}
		return tx.PutParticipant(pt)
	})
	if err != nil {
		return nil, nil, err
	}
	return before, after, nil
}

// checkManager checks that managerID can be userID's manager ("" clears it).
func (p *Programme) checkManager(ctx context.Context, userID, managerID string) error {
	switch {
	case managerID == "":
		return nil
	case managerID == userID:
		return FieldErrorf("manager", EINVALID, "You can't be your own manager. Name the person you report to: `/mentor manager @name`.")
	}
	if _, err := p.person(ctx, managerID, "That account"); err != nil {
		if e, ok := errors.AsType[*Error](err); ok && e.Code != EINTERNAL {
			return FieldErrorf("manager", e.Code, "%s", e.Message)
		}
		return err
	}
	return nil
}

// normalizeTeam collapses spaces; an empty name is an error unless allowEmpty.
func normalizeTeam(team string, allowEmpty bool) (string, error) {
	team = strings.Join(strings.Fields(team), " ")
	switch {
	case team == "" && !allowEmpty:
		return "", FieldErrorf("team", EINVALID, "Name your team after the command, for example `/mentor team Payments`.")
	case utf8.RuneCountInString(team) > MaxTeamLen:
		return "", FieldErrorf("team", EINVALID, "A team name can be at most %d characters, for example `/mentor team Payments`.", MaxTeamLen)
	}
	return team, nil
}

// change applies fn to a member (joined, not left) in one transaction and returns
// the saved record. Errors: fn's, ENOTFOUND (not joined, or left), EINVALID (the
// change breaks an invariant), EINTERNAL.
func (p *Programme) change(ctx context.Context, userID string, fn func(pt *Participant) error) (*Participant, error) {
	return p.changeTx(ctx, userID, func(_ Tx, pt *Participant) error { return fn(pt) })
}

// changeTx is change for rules that also write something else in the transaction.
func (p *Programme) changeTx(ctx context.Context, userID string, fn func(tx Tx, pt *Participant) error) (*Participant, error) {
	var pt *Participant
	err := p.update(ctx, func(tx Tx) error {
		var err error
		if pt, err = member(tx, userID); err != nil {
			return err
		}
		if err := fn(tx, pt); err != nil {
			return err
		}
		return tx.PutParticipant(pt)
	})
	return pt, err
}

// Member returns a person who has joined and not left. Errors: ENOTFOUND, EINTERNAL.
func (p *Programme) Member(ctx context.Context, userID string) (*Participant, error) {
	var pt *Participant
	err := p.store.View(ctx, func(tx Tx) error {
		var err error
		pt, err = member(tx, userID)
		return err
	})
	return pt, err
}

// SetCapacity sets how many mentees a mentor takes at once (n out of range, 0 for
// what is not a number, is EINVALID, as is a mentee asking). Errors: EINVALID,
// ENOTFOUND, EINTERNAL.
func (p *Programme) SetCapacity(ctx context.Context, userID string, n int) (*Participant, error) {
	if n < MinCapacity || n > MaxCapacity {
		return nil, Errorf(EINVALID, "Capacity must be a number from %d to %d, for example `/mentor capacity 2`.",
			MinCapacity, MaxCapacity)
	}
	return p.change(ctx, userID, func(pt *Participant) error {
		if !pt.Role.Mentors() {
			return Errorf(EINVALID, "Capacity is for mentors, and you joined as a mentee. To mentor too, type `/mentor join both`.")
		}
		pt.Capacity = n
		return nil
	})
}

// SetManager records userID's manager ("" clears it); they are never paired.
// Errors: EINVALID (themselves, a bot, an unknown account), ENOTFOUND, EINTERNAL.
func (p *Programme) SetManager(ctx context.Context, userID, managerID string) (*Participant, error) {
	if err := p.checkManager(ctx, userID, managerID); err != nil {
		return nil, err
	}
	return p.change(ctx, userID, func(pt *Participant) error { pt.ManagerID = managerID; return nil })
}

// SetTeam records userID's team. Errors: EINVALID (empty, too long), ENOTFOUND,
// EINTERNAL.
func (p *Programme) SetTeam(ctx context.Context, userID, team string) (*Participant, error) {
	team, err := normalizeTeam(team, false)
	if err != nil {
		return nil, err
	}
	return p.change(ctx, userID, func(pt *Participant) error { pt.Team = team; return nil })
}

// AddGoal adds a goal; it is goal number len(Goals). Errors: EINVALID (empty, too
// long, too many), ENOTFOUND, EINTERNAL.
func (p *Programme) AddGoal(ctx context.Context, userID, text string) (*Participant, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, FieldErrorf("goal", EINVALID, "Say what the goal is after the command, for example `/mentor goal add Give a talk at the team meeting`.")
	}
	if n := utf8.RuneCountInString(text); n > MaxGoalLen {
		return nil, FieldErrorf("goal", EINVALID, "A goal can be at most %d characters (yours has %d). Try a shorter one.", MaxGoalLen, n)
	}
	now := p.now()
	return p.changeTx(ctx, userID, func(tx Tx, pt *Participant) error {
		if len(pt.Goals) >= MaxGoals {
			return FieldErrorf("goal", EINVALID, "You already have %d goals, the most I keep. Mark one done with `/mentor goal done 1` to make room.", MaxGoals)
		}
		pt.Goals = append(pt.Goals, Goal{Text: text, CreatedAt: now})
		return count(tx, now, func(w *Week) { w.GoalsSet++ })
	})
}

// FinishGoal marks goal n (1-based) done. Errors: EINVALID (no such goal), ECONFLICT
// (already done), ENOTFOUND, EINTERNAL.
func (p *Programme) FinishGoal(ctx context.Context, userID string, n int) (*Participant, error) {
	now := p.now()
	return p.changeTx(ctx, userID, func(tx Tx, pt *Participant) error {
		switch {
		case len(pt.Goals) == 0:
			return Errorf(EINVALID, "You have no goals yet. Add one with `/mentor goal add <text>`.")
		case n < 1 || n > len(pt.Goals):
			return Errorf(EINVALID, "There is no goal %[2]d: your goals are numbered 1 to %[1]d. Type `/mentor goals` to see them, then for example `/mentor goal done 1`.", len(pt.Goals), n)
		case pt.Goals[n-1].Done():
			return Errorf(ECONFLICT, "Goal %d is already done, so nothing changed. :white_check_mark:", n)
		}
		pt.Goals[n-1].DoneAt = &now
		return count(tx, now, func(w *Week) { w.GoalsDone++ })
	})
}

// MaxPause is the longest pause: beyond a year, leaving is the honest choice.
const MaxPause = 366 * 24 * time.Hour

// PauseLength is how long a pause lasts: Days from now, or until midnight starting
// Date (YYYY-MM-DD) in the person's zone. The zero value is not a pause.
type PauseLength struct {
	Days int
	Date string
}

const pauseUsage = "Say how long to pause, for example `/mentor pause 2w` or `/mentor pause 10d`, or until a date, for example `/mentor pause 2026-12-31`."

// Pause stops check-ins, nudges, prompts and new pairings for userID until the end
// of the pause; pairings stay. Errors: EINVALID (the zero PauseLength, a date that has
// passed, longer than MaxPause), ENOTFOUND, EINTERNAL.
func (p *Programme) Pause(ctx context.Context, userID string, l PauseLength) (*Participant, error) {
	now := p.now()
	return p.change(ctx, userID, func(pt *Participant) error {
		var until time.Time
		switch {
		case l.Date != "":
			d, err := time.ParseInLocation(time.DateOnly, l.Date, p.Location(pt))
			if err != nil {
				return Errorf(EINVALID, "%s", pauseUsage)
			}
			until = d
		case l.Days > 0:
			until = now.Add(time.Duration(l.Days) * 24 * time.Hour)
		default:
			return Errorf(EINVALID, "%s", pauseUsage)
		}
		switch {
		case !until.After(now):
			return Errorf(EINVALID, "That date has passed. %s", pauseUsage)
		case until.Sub(now) > MaxPause:
			return Errorf(EINVALID, "A pause can last up to a year. For longer, type `/mentor leave` and join again when you are ready.")
		}
		pt.PausedUntil, pt.Idle = &until, false
		return nil
	})
}

// Resume ends userID's pause; wasPaused says whether there was one. Errors:
// ENOTFOUND, EINTERNAL.
func (p *Programme) Resume(ctx context.Context, userID string) (wasPaused bool, err error) {
	now := p.now()
	_, err = p.change(ctx, userID, func(pt *Participant) error {
		wasPaused = pt.PausedUntil != nil && now.Before(*pt.PausedUntil)
		pt.PausedUntil, pt.Idle = nil, false
		return nil
	})
	return wasPaused, err
}
