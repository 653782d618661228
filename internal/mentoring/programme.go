package mentoring

import (
	"context"
	"slices"
	"time"
)

// Programme applies every rule of the mentoring programme: who may join and how a
// profile changes, goals, pauses, leaving, rematching and erasure, pairing rounds,
// check-in answers, and what is due to whom in each period. It decides; the adapters
// around it translate (bot), keep (store), keep time (scheduler) and deliver (the
// outbox's delivery). It is safe for concurrent use.
type Programme struct {
	store  Store
	dir    Directory
	cal    Calendar
	outbox Outbox
	now    func() time.Time
	admins []string
	zone   *time.Location

	nudgeAfter    time.Duration
	respectStatus bool

	approval     bool
	proposalTTL  time.Duration
	cycle        time.Duration
	idleAfter    int
	workingHours WorkingHours
}

// Config is what a Programme needs: its adapters and the operator's settings.
type Config struct {
	Store     Store
	Directory Directory
	Calendar  Calendar
	// Outbox is woken when notices are queued; nil: delivery polls.
	Outbox Outbox
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Admins are the Slack ids who may run rounds, see figures and send now.
	Admins []string
	// DefaultZone is the zone of people whose profile has none; nil means UTC.
	DefaultZone *time.Location
	// NudgeAfter is how long a pair may go without a reported meeting before a nudge.
	NudgeAfter time.Duration
	// RespectStatus skips check-ins and nudges for people whose status says away.
	RespectStatus bool
	// MentorApproval makes a round propose each pair to the mentor first.
	MentorApproval bool
	// ProposalTTL is how long a proposal or an end-of-cycle question waits for an
	// answer before it counts as "no"; 0 means DefaultProposalTTL.
	ProposalTTL time.Duration
	// Cycle is how long a pairing runs before both are asked whether to go on; 0:
	// pairings run until ended.
	Cycle time.Duration
	// IdleAfter is how many check-ins in a row someone may leave unanswered before
	// they are paused; 0 turns it off.
	IdleAfter int
	// WorkingHours is everyone's working day in their own zone, Monday to Friday; the
	// zero value means DefaultWorkingHours.
	WorkingHours WorkingHours
}

// DefaultProposalTTL is how long a proposal waits when Config.ProposalTTL is 0.
const DefaultProposalTTL = 72 * time.Hour

// New returns the programme over cfg's adapters.
func New(cfg Config) *Programme {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DefaultZone == nil {
		cfg.DefaultZone = time.UTC
	}
	if cfg.ProposalTTL <= 0 {
		cfg.ProposalTTL = DefaultProposalTTL
	}
	if cfg.WorkingHours == (WorkingHours{}) {
		cfg.WorkingHours = DefaultWorkingHours
	}
	return &Programme{
		store: cfg.Store, dir: cfg.Directory, cal: cfg.Calendar, outbox: cfg.Outbox,
		now: cfg.Now, admins: slices.Clone(cfg.Admins), zone: cfg.DefaultZone,
		nudgeAfter: cfg.NudgeAfter, respectStatus: cfg.RespectStatus,
		approval: cfg.MentorApproval, proposalTTL: cfg.ProposalTTL, cycle: cfg.Cycle,
		idleAfter: cfg.IdleAfter, workingHours: cfg.WorkingHours,
	}
}

// IsAdmin reports whether userID runs the programme.
func (p *Programme) IsAdmin(userID string) bool { return slices.Contains(p.admins, userID) }

// Location is the person's time zone, or the programme's default.
func (p *Programme) Location(pt *Participant) *time.Location { return pt.Location(p.zone) }

// CheckAdmin returns an EFORBIDDEN error unless actor is an admin; what names the
// command in the refusal.
func (p *Programme) CheckAdmin(actor, what string) error { return p.admin(actor, what) }

func (p *Programme) admin(actor, what string) error {
	if p.IsAdmin(actor) {
		return nil
	}
	return Errorf(EFORBIDDEN, "Only programme admins can run `%s`. Nothing was changed.", what)
}

// update runs fn in one storage transaction and wakes the outbox if fn queued notices
// and the transaction committed.
func (p *Programme) update(ctx context.Context, fn func(tx Tx) error) error {
	queued := false
	err := p.store.Update(ctx, func(tx Tx) error {
		queued = false
		return fn(queueTx{Tx: tx, queued: &queued})
	})
	if err == nil && queued && p.outbox != nil {
		p.outbox.Wake()
	}
	return err
}

// queueTx notes whether a transaction queued notices.
type queueTx struct {
	Tx
	queued *bool
}

func (t queueTx) Enqueue(n Notice) error {
	*t.queued = true
	return t.Tx.Enqueue(n)
}

// person asks the directory about someone who is to take part: not a bot, not
// deactivated. who names them in an error ("Your account", "That account").
func (p *Programme) person(ctx context.Context, id, who string) (Person, error) {
	pr, err := p.dir.Person(ctx, id)
	switch {
	case err != nil:
		return pr, err
	case pr.Bot:
		return pr, Errorf(EINVALID, "%s is a bot, not a person.", who)
	case pr.Deactivated:
		return pr, Errorf(EINVALID, "%s has a deactivated Slack account.", who)
	}
	return pr, nil
}

// member returns someone who has joined and not left (ENOTFOUND otherwise).
func member(tx Tx, id string) (*Participant, error) {
	pt, err := tx.Participant(id)
	if err != nil {
		return nil, err
	}
	if pt.LeftAt != nil {
		return nil, Errorf(ENOTFOUND, "You left the programme. Type `/mentor join` to join again.")
	}
	return pt, nil
}

// activePairings returns userID's pairings that have not ended.
func activePairings(tx Tx, userID string) ([]Pairing, error) {
	all, err := tx.PairingsOf(userID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(pr Pairing) bool { return !pr.Active() }), nil
}

// roster reads everyone who has joined and every pairing, for the rules that look at
// the whole programme (rounds, what is due, figures).
func roster(tx Tx) ([]Participant, []Pairing, error) {
	people, err := tx.Participants()
	if err != nil {
		return nil, nil, err
	}
	pairings, err := tx.Pairings()
	return people, pairings, err
}
