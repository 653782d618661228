package mentoring

import (
	"context"
	"time"
)

// Store is the programme's storage. Each call is one transaction: Update commits when
// fn returns nil and rolls everything back otherwise, so a change and the notices that
// tell people about it are stored together or not at all. fn must not block on
// anything but the transaction (no Slack calls), since Update holds the file's only
// writer lock. Errors are fn's own, or wrap the storage's (EINTERNAL).
type Store interface {
	View(ctx context.Context, fn func(tx Tx) error) error
	Update(ctx context.Context, fn func(tx Tx) error) error
}

// Tx is one transaction's view of the programme's records. Every value it returns is
// a copy the caller owns. Methods that look a record up return an ENOTFOUND error when
// it does not exist; any other error is EINTERNAL.
type Tx interface {
	// Participant returns the person with that Slack id (ENOTFOUND: never joined, or
	// erased).
	Participant(id string) (*Participant, error)
	// Participants returns everyone who has joined, left ones included, by id.
	Participants() ([]Participant, error)
	// PutParticipant validates and saves p (EINVALID when it breaks an invariant).
	PutParticipant(p *Participant) error

	// Pairing returns the pairing with that id (ENOTFOUND).
	Pairing(id uint64) (*Pairing, error)
	// Pairings returns every pairing, ended ones included, oldest first.
	Pairings() ([]Pairing, error)
	// PairingsOf returns the pairings userID was part of, oldest first.
	PairingsOf(userID string) ([]Pairing, error)
	// PutPairing validates and saves p, assigning its ID when it is 0.
	PutPairing(p *Pairing) error

	// Proposal returns the proposal with that id (ENOTFOUND).
	Proposal(id uint64) (*Proposal, error)
	// Proposals returns every proposal, decided ones included, oldest first.
	Proposals() ([]Proposal, error)
	// PutProposal validates and saves p, assigning its ID when it is 0.
	PutProposal(p *Proposal) error

	// Weeks returns the weekly figures recorded for the weeks keyed from to to (WeekKey;
	// "" from the first), oldest first.
	Weeks(from, to string) ([]Week, error)
	// AddToWeek changes the figures of the week keyed key (WeekKey) with fn, creating
	// the week when it has none yet.
	AddToWeek(key string, fn func(w *Week)) error

	// Checkin returns userID's check-in for that pairing and period (ENOTFOUND).
	Checkin(pairingID uint64, userID, period string) (*Checkin, error)
	// LastCheckins returns userID's last n check-ins for one pairing, newest first.
	LastCheckins(pairingID uint64, userID string, n int) ([]Checkin, error)
	// CheckinsOf returns userID's check-ins for one pairing, oldest period first.
	CheckinsOf(pairingID uint64, userID string) ([]Checkin, error)
	// ForEachCheckin calls fn with every check-in, stopping at its first error.
	ForEachCheckin(fn func(c Checkin) error) error
	// PutCheckin validates and saves c.
	PutCheckin(c *Checkin) error

	// Handled reports whether userID's period (its key) was handled already.
	Handled(userID, period string) (bool, error)
	// MarkHandled records userID's period as handled, for good.
	MarkHandled(userID, period string) error

	// AddKudos validates and records k, assigning its ID.
	AddKudos(k *Kudos) error
	// KudosFor returns up to limit kudos received by userID, newest first.
	KudosFor(userID string, limit int) ([]Kudos, error)
	// ForEachKudos calls fn with every kudos, oldest first.
	ForEachKudos(fn func(k Kudos) error) error

	// Enqueue adds n to the outbox, assigning its ID and CreatedAt.
	Enqueue(n Notice) error
	// RedactNotices calls fn with each queued notice; fn may change it, and returning
	// false drops it.
	RedactNotices(fn func(n *Notice) (keep bool)) error

	// Erasures returns the erasures asked for and not yet finished, oldest first.
	Erasures() ([]Erasure, error)
	// PutErasure records or updates the erasure of e.UserID, assigning its Seq when 0.
	PutErasure(e *Erasure) error
	// DeleteErasure forgets the erasure of userID; like Erase, once the transaction
	// commits no byte of it stays in the file.
	DeleteErasure(userID string) error

	// Erase deletes every record of userID: their participant record, goals,
	// check-ins and marks, the kudos they received or wrote, the proposals naming
	// them, their id in other people's records (manager, avoid lists) and their side
	// of every pairing (Pairing.Anonymise, so partners keep an anonymous count). Queued notices are the caller's to redact (RedactNotices).
	// Once the transaction commits, no byte of what was erased stays in the file.
	Erase(userID string) error
}

// Directory is what the workspace knows about people (Slack's profiles).
type Directory interface {
	// Person returns what the workspace says about id: EINVALID when there is no such
	// person, EINTERNAL when the workspace cannot be asked.
	Person(ctx context.Context, id string) (Person, error)
	// People is Person for many at once, for a fan-out (who of those due a message is
	// away): one call, whatever the number of ids, so that it costs the workspace a few
	// list pages rather than a lookup per person. The map holds every id the workspace
	// knows; an id it does not know is missing from it, which is not an error. The
	// answers may be as old as Person's (a cache). An error (EINTERNAL) means the
	// workspace could not be asked: the map is then nil and nothing may be assumed
	// about anyone in ids. No ids is an empty map.
	People(ctx context.Context, ids []string) (map[string]Person, error)
}

// Person is what the workspace says about someone.
type Person struct {
	ID string
	// TimeZone is an IANA zone name, "" when the profile has none.
	TimeZone    string
	Bot         bool
	Deactivated bool
	// Away says the person's status says they are away (holiday, leave, sick).
	Away bool
}

// Calendar says when scheduled messages come due, in each person's own zone. A local
// time that occurs twice (clocks going back) counts once, the first time; one that
// does not exist (clocks going forward) falls on the first minute after the change.
type Calendar interface {
	// Current returns the period of kind that contains t read in loc (it started at
	// the last firing at or before t) and the start of the period before it. ok is
	// false when the schedule has not fired twice in living memory.
	Current(kind Kind, t time.Time, loc *time.Location) (p Period, prev time.Time, ok bool)
	// Next returns the first firing of kind's schedule after t read in loc, in loc;
	// zero when it never fires.
	Next(kind Kind, t time.Time, loc *time.Location) time.Time
}

// Outbox delivers queued notices. Wake is called after a transaction that queued
// notices commits, so they go out now rather than at the next poll; it must not block.
type Outbox interface {
	Wake()
}
