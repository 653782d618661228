package mentoring

import "time"

// Kind is a kind of notice. Its value is also the Slack message metadata event_type of
// the message that carries it, so a DM's history tells which sends went out.
type Kind string

// Scheduled kinds: each person gets at most one of each per period.
const (
	KindCheckin     Kind = "mentorbot_checkin"
	KindNudge       Kind = "mentorbot_nudge"
	KindRecognition Kind = "mentorbot_recognition"
)

// Kinds that tell people about a change, sent once when it happens.
const (
	KindIntro        Kind = "mentorbot_intro"
	KindUnmatched    Kind = "mentorbot_unmatched"
	KindPairingEnded Kind = "mentorbot_pairing_ended"
	// KindErased tells someone their erasure is finished. It is never queued (the
	// outbox would keep their id); the bot sends it once the bytes are gone.
	KindErased Kind = "mentorbot_erased"
)

// Kinds of consent, fit and cycles: sent within a minute of coming due, whatever the
// schedules say. What each one says is in its notice's Step.
const (
	// KindProposal asks a mentor to accept a mentee (StepAsk), or tells a mentee they
	// are back in the pool after a proposal came to nothing (StepBackInPool).
	KindProposal Kind = "mentorbot_proposal"
	// KindFit asks each member whether the pairing fits (StepAsk) after their first
	// meeting, or tells them it ended after a "no" (StepEnded).
	KindFit Kind = "mentorbot_fit"
	// KindCycle asks each member, at the end of a cycle, whether to keep going
	// (StepAsk), and tells them it continues (StepContinued) or ended (StepEnded).
	KindCycle Kind = "mentorbot_cycle"
	// KindIdle tells someone they were paused after unanswered check-ins (StepPaused),
	// or a partner that they are taking a break (StepPartnerPaused).
	KindIdle Kind = "mentorbot_idle"
)

// Step is what a notice of a consent, fit, cycle or idle kind says.
type Step string

const (
	StepAsk           Step = "ask"
	StepBackInPool    Step = "back_in_pool"
	StepEnded         Step = "ended"
	StepContinued     Step = "continued"
	StepPaused        Step = "paused"
	StepPartnerPaused Step = "partner_paused"
)

// ScheduledKinds are the kinds a schedule sends, in the order they are looked at.
var ScheduledKinds = []Kind{KindCheckin, KindNudge, KindRecognition}

// Period is one occurrence of a schedule in a participant's own time zone: it starts
// when the schedule fires there and lasts until it next fires. Each participant gets
// at most one message of each kind per period.
type Period struct {
	Kind  Kind
	Start time.Time // in the participant's location
}

// Key identifies the period across restarts; two people whose zones make the schedule
// fire at the same local wall time share a key, which is what "this week" means to them.
func (p Period) Key() string {
	return string(p.Kind) + "/" + p.Start.Format("2006-01-02T15:04")
}
