package mentoring

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on what a person may store. They keep every rendering of a profile within
// Slack's block limits (a section holds 3,000 characters) and the database small.
const (
	MinCapacity     = 1
	MaxCapacity     = 10
	DefaultCapacity = 2
	MaxTopics       = 10
	MaxTopicLen     = 40
	MaxTeamLen      = 80
	MaxGoals        = 20
	MaxGoalLen      = 300
)

// Role is what a person does in the programme.
type Role string

const (
	RoleMentor Role = "mentor"
	RoleMentee Role = "mentee"
	RoleBoth   Role = "both"
)

// ParseRole accepts a role as a person types it ("Mentor", " both ").
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case RoleMentor, RoleMentee, RoleBoth:
		return r, nil
	}
	return "", Errorf(EINVALID, "The role must be mentor, mentee or both.")
}

// Mentors reports whether the role takes mentees.
func (r Role) Mentors() bool { return r == RoleMentor || r == RoleBoth }

// Mentored reports whether the role looks for a mentor.
func (r Role) Mentored() bool { return r == RoleMentee || r == RoleBoth }

// userIDPattern matches Slack user ids: U… for users, W… for Enterprise Grid users.
var userIDPattern = regexp.MustCompile(`^[UW][A-Z0-9]{2,20}$`)

// ValidUserID reports whether s has the shape of a Slack user id.
func ValidUserID(s string) bool { return userIDPattern.MatchString(s) }

// Participant is a person in the programme. The profile fields Slack owns (time zone,
// name) are copies refreshed from users.info; the rest is what the person told us.
type Participant struct {
	ID        string    `json:"id"`
	Role      Role      `json:"role"`
	Topics    []string  `json:"topics,omitempty"`
	Capacity  int       `json:"capacity"`
	ManagerID string    `json:"manager_id,omitempty"`
	Team      string    `json:"team,omitempty"`
	TimeZone  string    `json:"time_zone,omitempty"`
	Goals     []Goal    `json:"goals,omitempty"`
	JoinedAt  time.Time `json:"joined_at"`
	// LeftAt is set when the person left; a person who left is never paired.
	LeftAt *time.Time `json:"left_at,omitempty"`
	// PausedUntil suppresses check-ins, nudges, prompts and new pairings until then.
	PausedUntil *time.Time `json:"paused_until,omitempty"`
	// Idle says the pause was the programme's, after unanswered check-ins (see
	// Config.IdleAfter), rather than the person's own.
	Idle bool `json:"idle,omitempty"`
	// Avoid are the people this person is never paired with, either way round. The
	// list is theirs alone: nobody else is shown it or told they are on it.
	Avoid []string `json:"avoid,omitempty"`
}

// Validate checks the participant's invariants.
func (p *Participant) Validate() error {
	switch {
	case !ValidUserID(p.ID):
		return Errorf(EINVALID, "%q is not a Slack user ID.", p.ID)
	case p.Role != RoleMentor && p.Role != RoleMentee && p.Role != RoleBoth:
		return Errorf(EINVALID, "The role must be mentor, mentee or both.")
	case p.Capacity < MinCapacity || p.Capacity > MaxCapacity:
		return Errorf(EINVALID, "Capacity must be a number from %d to %d, for example `/mentor capacity 2`.", MinCapacity, MaxCapacity)
	case p.ManagerID != "" && !ValidUserID(p.ManagerID):
		return Errorf(EINVALID, "The manager must be a Slack user, for example `/mentor manager @name`.")
	case p.ManagerID == p.ID:
		return Errorf(EINVALID, "You can't be your own manager. Name the person you report to, for example `/mentor manager @name`.")
	case utf8.RuneCountInString(p.Team) > MaxTeamLen:
		return Errorf(EINVALID, "A team name can be at most %d characters, for example `/mentor team Payments`.", MaxTeamLen)
	case len(p.Avoid) > MaxAvoid || slices.ContainsFunc(p.Avoid, func(id string) bool { return !ValidUserID(id) || id == p.ID }):
		return Errorf(EINVALID, "An avoid list holds up to %d other Slack users.", MaxAvoid)
	case len(p.Goals) > MaxGoals:
		return Errorf(EINVALID, "You can have at most %d goals. Mark one done with `/mentor goal done 1` to make room.", MaxGoals)
	}
	if _, err := NormalizeTopics(p.Topics); err != nil {
		return err
	}
	return nil
}

// Active reports whether the participant is in the programme and not paused at t.
func (p *Participant) Active(t time.Time) bool {
	return p.LeftAt == nil && (p.PausedUntil == nil || !t.Before(*p.PausedUntil))
}

// Location is the participant's time zone, or def when Slack gave none (or one this
// machine does not know).
func (p *Participant) Location(def *time.Location) *time.Location {
	if p.TimeZone != "" {
		if loc, err := time.LoadLocation(p.TimeZone); err == nil {
			return loc
		}
	}
	return def
}

// NormalizeTopics lower-cases, trims and collapses inner spaces, drops empties and
// duplicates (keeping first-seen order), and enforces MaxTopics and MaxTopicLen.
func NormalizeTopics(in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	for _, t := range in {
		t = strings.Join(strings.Fields(strings.ToLower(t)), " ")
		if t == "" || slices.Contains(out, t) {
			continue
		}
		if n := utf8.RuneCountInString(t); n > MaxTopicLen {
			return nil, Errorf(EINVALID, "Each topic can be at most %d characters, and one of yours has %d. Shorten it, for example “public speaking”.", MaxTopicLen, n)
		}
		out = append(out, t)
	}
	if len(out) > MaxTopics {
		return nil, Errorf(EINVALID, "You can list at most %d topics, and you gave %d. Keep the ones that matter most, separated by commas, for example “go, public speaking”.", MaxTopics, len(out))
	}
	return out, nil
}

// Goal is one of a person's goals. Its number is its position in the person's list,
// which only grows, so "goal done 2" means the same goal tomorrow.
type Goal struct {
	Text      string     `json:"text"`
	CreatedAt time.Time  `json:"created_at"`
	DoneAt    *time.Time `json:"done_at,omitempty"`
}

// Done reports whether the goal is finished.
func (g Goal) Done() bool { return g.DoneAt != nil }
