package mentoring

import (
	"bytes"
	"encoding/json"
	"slices"
	"time"
)

// Notice is a message the programme queues for people: what happened and the facts
// the words need, not the words. It is rendered when it is sent, so a wording change
// reaches notices already queued and an erasure can redact the ones that name the
// person (see Redact). It is stored in the same transaction as the change it tells
// about, so a crash loses none.
type Notice struct {
	ID   uint64 `json:"id"`
	Kind Kind   `json:"kind"`
	// To are the recipients: one gets a DM, several a group DM.
	To []string `json:"to"`
	// Period is the period key of a scheduled notice.
	Period string `json:"period,omitempty"`
	// About are the pairings the notice is about, as its reader sees them: each
	// pairing of a check-in, the stale ones of a nudge, those whose mentee did
	// something this period for recognition, the one that ended.
	About []About `json:"about,omitempty"`
	// Intro is the new pair of a KindIntro notice.
	Intro *Intro `json:"intro,omitempty"`
	// Unmatched says why a KindUnmatched notice's reader was not paired.
	Unmatched *Unmatched `json:"unmatched,omitempty"`
	// Step is what a KindProposal, KindFit, KindCycle or KindIdle notice says.
	Step Step `json:"step,omitempty"`
	// Proposal is the proposal a KindProposal StepAsk notice asks a mentor about.
	Proposal *ProposalAsk `json:"proposal,omitempty"`
	// Zone is the reader's IANA time zone when Meet or a date is shown to one person.
	Zone string `json:"zone,omitempty"`
	// Until is when a pause or a question ends (KindIdle, KindCycle StepAsk).
	Until *time.Time `json:"until,omitempty"`

	// Payload is a message queued by a mentorbot from before notices, already rendered
	// for Slack: it is sent as it is, and dropped by an erasure that it mentions.
	Payload json.RawMessage `json:"payload,omitempty"`

	// Attempts counts sends started. A send started but not confirmed may have reached
	// Slack, so delivery looks for it in the conversation's history before trying again.
	Attempts  int       `json:"attempts,omitempty"`
	NotBefore time.Time `json:"not_before,omitzero"`
	CreatedAt time.Time `json:"created_at"`
}

// About is one pairing as the reader of a notice sees it.
type About struct {
	PairingID uint64 `json:"pairing_id,omitempty"`
	// PartnerID is the reader's partner; "" once they were erased.
	PartnerID string `json:"partner_id,omitempty"`
	// PartnerMentors says the partner is the reader's mentor.
	PartnerMentors bool `json:"partner_mentors,omitempty"`
	// EndReason says why the pairing ended (KindPairingEnded): EndLeft, EndRematch,
	// EndForgotten.
	EndReason string `json:"end_reason,omitempty"`
	// Did is what the mentee did this period (KindRecognition).
	Did *Achievements `json:"did,omitempty"`
	// Meet are stretches of the coming week inside both members' working hours
	// (KindNudge); none when their working days do not overlap.
	Meet []Window `json:"meet,omitempty"`
	// Cycles is how many cycles the pairing has run (KindCycle).
	Cycles int `json:"cycles,omitempty"`
}

// ProposalAsk is a proposal as the mentor it asks sees it.
type ProposalAsk struct {
	ID       uint64    `json:"id"`
	MenteeID string    `json:"mentee_id"`
	Reasons  Reasons   `json:"reasons"`
	Goals    []string  `json:"goals,omitempty"`
	Until    time.Time `json:"until"`
}

// Achievements are what a mentee did in a period, for a recognition prompt.
type Achievements struct {
	Met       bool     `json:"met,omitempty"`
	Progress  int      `json:"progress,omitempty"`
	GoalsDone []string `json:"goals_done,omitempty"`
}

// Any reports whether there is anything to recognise.
func (a Achievements) Any() bool { return a.Met || a.Progress > 0 || len(a.GoalsDone) > 0 }

// Intro is a new pair and what their introduction says about them.
type Intro struct {
	PairingID  uint64   `json:"pairing_id"`
	MentorID   string   `json:"mentor_id"`
	MenteeID   string   `json:"mentee_id"`
	Reasons    Reasons  `json:"reasons"`
	MentorTeam string   `json:"mentor_team,omitempty"`
	MenteeTeam string   `json:"mentee_team,omitempty"`
	Goals      []string `json:"goals,omitempty"` // the mentee's open goals
	// MentorZone and MenteeZone are the members' IANA zones, and Meet the stretches of
	// the coming week inside both their working hours: each member reads them in
	// their own zone. No Meet means their working days do not overlap.
	MentorZone string   `json:"mentor_zone,omitempty"`
	MenteeZone string   `json:"mentee_zone,omitempty"`
	Meet       []Window `json:"meet,omitempty"`
}

// Unmatched is why a mentee was not paired in a round.
type Unmatched struct {
	// Role is the reader's role, so advice keeps it ("join both", not "join mentee").
	Role   Role   `json:"role"`
	Cause  string `json:"cause"`
	Reason string `json:"reason"`
}

// Redact makes the notice fit for a world in which userID was erased, and reports
// whether it should still be sent. A notice to them, or introducing them, is dropped;
// the pairings with them are taken out of what it is about (and a notice left about
// nothing is dropped); a pairing-ended notice keeps its news but no longer names them.
func (n *Notice) Redact(userID string) (keep bool) {
	if slices.Contains(n.To, userID) {
		return false
	}
	if n.Intro != nil && (n.Intro.MentorID == userID || n.Intro.MenteeID == userID) {
		return false
	}
	if n.Proposal != nil && n.Proposal.MenteeID == userID {
		return false
	}
	if bytes.Contains(n.Payload, []byte(userID)) {
		return false
	}
	if len(n.About) == 0 {
		return true
	}
	if n.Kind == KindPairingEnded || n.Kind == KindFit && n.Step == StepEnded || n.Kind == KindCycle && n.Step == StepEnded {
		for i := range n.About {
			if n.About[i].PartnerID == userID {
				n.About[i].PartnerID = ""
				n.About[i].EndReason = EndForgotten
			}
		}
		return true
	}
	n.About = slices.DeleteFunc(n.About, func(a About) bool { return a.PartnerID == userID })
	return len(n.About) > 0
}
