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
