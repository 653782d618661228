package mentoring

import (
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

	// Each member's side of the fit check, the end-of-cycle question and the closing
	// survey: theirs alone, shown to nobody else but as aggregate counts.
	Mentor Side `json:"mentor_side,omitzero"`
	Mentee Side `json:"mentee_side,omitzero"`
	// FitAskedAt is when the fit check went out, after the first reported meeting.
	FitAskedAt *time.Time `json:"fit_asked_at,omitempty"`
	// CycleAskedAt is when the end-of-cycle question went out (nil between cycles);
	// answers are due within the proposal TTL of it.
	CycleAskedAt *time.Time `json:"cycle_asked_at,omitempty"`
	// Cycles is how many cycles the pair chose to continue.
	Cycles int `json:"cycles,omitempty"`
}

// Side is one member's private answers about a pairing.
type Side struct {
	Fit    Fit       `json:"fit,omitempty"`
	Cycle  CycleVote `json:"cycle,omitempty"`
	Survey *Survey   `json:"survey,omitempty"`
}

// Fit is an answer to "Is this a good fit?".
type Fit string

const (
	FitYes Fit = "yes"
	FitNo  Fit = "no"
)

// CycleVote is an answer to the end-of-cycle question.
type CycleVote string

const (
	CycleContinue CycleVote = "continue"
	CycleEnd      CycleVote = "end"
)

// Survey is a member's closing survey: both parts optional.
type Survey struct {
	Value   int       `json:"value,omitempty"` // 1-5; 0: not given
	Learned string    `json:"learned,omitempty"`
	At      time.Time `json:"at"`
}

// Limits on a closing survey.
const (
	MinSurveyValue = 1
	MaxSurveyValue = 5
	MaxLearnedLen  = 2000
)

// SideOf returns userID's side of the pairing, nil when they are not in it.
func (p *Pairing) SideOf(userID string) *Side {
	switch userID {
	case "":
		return nil
	case p.MentorID:
		return &p.Mentor
	case p.MenteeID:
		return &p.Mentee
	}
	return nil
}

// Anonymise takes userID out of the pairing for an erasure: their id, their side's
// answers and the reasons (which name shared topics) go; the partner keeps an
// anonymous count of having been paired.
func (p *Pairing) Anonymise(userID string) {
	if p.MentorID == userID {
		p.MentorID, p.Mentor = "", Side{}
	}
	if p.MenteeID == userID {
		p.MenteeID, p.Mentee = "", Side{}
	}
	p.Reasons = Reasons{}
}

// Why a pairing ended.
const (
	EndLeft      = "left"      // a member left the programme
	EndRematch   = "rematch"   // a member asked for a new match: never paired again
	EndForgotten = "forgotten" // a member was erased
	EndFit       = "fit"       // a member said it was not a good fit: never paired again
	EndCycle     = "cycle"     // a cycle ended without both choosing to go on
)

// Reasons explains a match to the two people it pairs: what the score rewarded.
type Reasons = match.Reasons

// Validate checks the pairing's invariants.
func (p *Pairing) Validate() error {
	switch {
	case !ValidUserID(p.MentorID) || !ValidUserID(p.MenteeID):
		return Errorf(EINVALID, "A pairing needs two Slack users.")
	case p.MentorID == p.MenteeID:
		return Errorf(EINVALID, "Nobody can mentor themselves.")
	case p.EndedAt != nil && p.EndedAt.Before(p.StartedAt):
		return Errorf(EINVALID, "A pairing cannot end before it starts.")
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
		return Errorf(EINVALID, "A check-in needs a pairing, a person and a period.")
	case c.Answer != AnswerNone && c.Answer != AnswerMet && c.Answer != AnswerNotMet:
		return Errorf(EINVALID, "%q is not a check-in answer.", c.Answer)
	case c.Progress != 0 && (c.Progress < MinProgress || c.Progress > MaxProgress):
		return Errorf(EINVALID, "Progress is a step from %d to %d.", MinProgress, MaxProgress)
	case utf8.RuneCountInString(c.Discussed) > MaxNoteLen || utf8.RuneCountInString(c.Needs) > MaxNoteLen:
		return Errorf(EINVALID, "Notes can be at most %d characters. Shorten them and save again.", MaxNoteLen)
	}
	return nil
}
