package mentoring

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mentorbot/mentorbot/internal/match"
)

// Pairing is a mentor and a mentee matched by a round. It stays in the store after it
// ends, so that later rounds can avoid repeating it.
type Pairing struct {
	ID        uint64     `json:"id"`
	MentorID  string     `json:"mentor_id"`
	MenteeID  string     `json:"mentee_id"`
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
	// EndReason says why it ended: EndLeft, EndRematch or EndForgotten.
	EndReason string  `json:"end_reason,omitempty"`
	Score     float64 `json:"score"`
	Reasons   Reasons `json:"reasons"`
	// LastMetAt is when either member last reported a meeting; nudges key off it.
	LastMetAt *time.Time `json:"last_met_at,omitempty"`
}

// Why a pairing ended.
const (
	EndLeft      = "left"      // a member left the programme
	EndRematch   = "rematch"   // a member asked for a new match: never paired again
	EndForgotten = "forgotten" // a member was erased
)

// Reasons explains a match to the two people it pairs: what the score rewarded.
type Reasons = match.Reasons

// Validate checks the pairing's invariants.
func (p *Pairing) Validate() error {
	switch {
	case !ValidUserID(p.MentorID) || !ValidUserID(p.MenteeID):
		return Errorf(EINVALID, "a pairing needs two Slack users")
	case p.MentorID == p.MenteeID:
		return Errorf(EINVALID, "nobody can mentor themselves")
	case p.EndedAt != nil && p.EndedAt.Before(p.StartedAt):
		return Errorf(EINVALID, "a pairing cannot end before it starts")
	}
	return nil
}

// Active reports whether the pairing has not ended.
func (p *Pairing) Active() bool { return p.EndedAt == nil }

// Member reports whether userID is one of the pair.
func (p *Pairing) Member(userID string) bool {
	return p.MentorID == userID || p.MenteeID == userID
}

// Mentors reports whether userID is the pair's mentor.
func (p *Pairing) Mentors(userID string) bool { return p.MentorID == userID }

// Partner returns the other member of the pair.
func (p *Pairing) Partner(userID string) string {
	if p.MentorID == userID {
		return p.MenteeID
	}
	return p.MentorID
}

// Answer is what a person said about a week.
type Answer string

const (
	AnswerNone   Answer = ""
	AnswerMet    Answer = "met"
	AnswerNotMet Answer = "not_met"
)

// Limits on a check-in's notes, sized to fit a modal's plain_text_input.
const (
	MaxNoteLen  = 2000
	MinProgress = 1
	MaxProgress = 5
)

// Checkin is one person's weekly check-in for one pairing and period. Its answers are
// visible to the two members of the pair only.
type Checkin struct {
	PairingID  uint64     `json:"pairing_id"`
	UserID     string     `json:"user_id"`
	Period     string     `json:"period"`
	SentAt     time.Time  `json:"sent_at"`
	Answer     Answer     `json:"answer,omitempty"`
	Discussed  string     `json:"discussed,omitempty"`
	Needs      string     `json:"needs,omitempty"`
	Progress   int        `json:"progress,omitempty"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
}

// Validate checks the check-in's invariants.
func (c *Checkin) Validate() error {
	switch {
	case c.PairingID == 0 || !ValidUserID(c.UserID) || c.Period == "":
		return Errorf(EINVALID, "a check-in needs a pairing, a person and a period")
	case c.Answer != AnswerNone && c.Answer != AnswerMet && c.Answer != AnswerNotMet:
		return Errorf(EINVALID, "unknown check-in answer %q", c.Answer)
	case c.Progress != 0 && (c.Progress < MinProgress || c.Progress > MaxProgress):
		return Errorf(EINVALID, "progress is a number from %d to %d", MinProgress, MaxProgress)
	case utf8.RuneCountInString(c.Discussed) > MaxNoteLen || utf8.RuneCountInString(c.Needs) > MaxNoteLen:
		return Errorf(EINVALID, "notes can be at most %d characters", MaxNoteLen)
	}
	return nil
}

// MaxKudosLen bounds a kudos message so the post stays one readable section.
const MaxKudosLen = 1000

// Kudos is public praise from one person to a mentee.
type Kudos struct {
	ID      uint64    `json:"id"`
	FromID  string    `json:"from_id"`
	ToID    string    `json:"to_id"`
	Message string    `json:"message"`
	Channel string    `json:"channel,omitempty"`
	At      time.Time `json:"at"`
}

// Validate checks the kudos' invariants.
func (k *Kudos) Validate() error {
	switch {
	case !ValidUserID(k.ToID):
		return Errorf(EINVALID, "Say who the kudos are for, e.g. `/kudos @alice thanks for the review`.")
	case k.FromID == k.ToID:
		return Errorf(EINVALID, "Kudos are for someone else, not yourself.")
	case strings.TrimSpace(k.Message) == "":
		return Errorf(EINVALID, "Add a message, e.g. `/kudos @alice thanks for the review`.")
	case utf8.RuneCountInString(k.Message) > MaxKudosLen:
		return Errorf(EINVALID, "A kudos message can be at most %d characters.", MaxKudosLen)
	}
	return nil
}
