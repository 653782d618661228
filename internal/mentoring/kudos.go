package mentoring

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxKudosLen bounds a kudos message so the post stays one readable section.
const MaxKudosLen = 1000

// MaxKudosPeople bounds how many people one kudos post thanks: a post naming more reads
// as a broadcast, which kudos are not.
const MaxKudosPeople = 10

// kudosExample is how kudos are written, for messages that show it.
const kudosExample = "`/kudos @alice thanks for the review`"

// Kudos is public praise from one person to another, as recorded for the one who
// received it. A post that thanks several people is recorded once for each of them,
// so that erasing one of them erases their record alone.
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
		return Errorf(EINVALID, "Say who the kudos are for with an @mention, for example %s.", kudosExample)
	case k.FromID == k.ToID:
		return Errorf(EINVALID, "Kudos are for others, not yourself, so nothing was posted. Leave yourself out and try again, for example %s.", kudosExample)
	}
	return validKudosMessage(k.Message)
}

// validKudosMessage checks a kudos message: something to say, and not too much.
func validKudosMessage(msg string) error {
	switch n := utf8.RuneCountInString(msg); {
	case strings.TrimSpace(msg) == "":
		return Errorf(EINVALID, "Add a message that says what they did well, for example %s.", kudosExample)
	case n > MaxKudosLen:
		return Errorf(EINVALID, "A kudos message can be at most %d characters, and yours has %d. Shorten it and try again.", MaxKudosLen, n)
	}
	return nil
}

// KudosPost is public thanks from one person to one or more others: posted once, naming
// them all, and recorded as a Kudos for each.
type KudosPost struct {
	FromID string
	// ToIDs are the people thanked, in the order they were named, each once.
	ToIDs   []string
	Message string
	Channel string
	At      time.Time
}

// RecipientError refuses kudos because of one of the people they are for: ID is who,
// Why what is wrong with them (it completes "they …": "is a bot, not a person") and
// Next what to do. It unwraps to an EINVALID *Error about the field "to" whose message
// names nobody; an edge that knows how the giver wrote the person's name can say it.
type RecipientError struct {
	ID   string
	Why  string
	Next string
}

func (e *RecipientError) Error() string { return e.Unwrap().Error() }

func (e *RecipientError) Unwrap() error {
	return FieldErrorf("to", EINVALID, "One of the people you named %s, so nothing was posted. %s", e.Why, e.Next)
}

// PostKudos checks kudos from post.FromID to each of post.ToIDs (a person named twice
// counts once), has publish post them publicly once, and records a Kudos for each
// person once the post succeeded: nothing is posted when any of them is refused, and
// nothing is recorded when the post fails. publish gets the post as checked (message
// trimmed, people without duplicates, At set). It returns what was recorded, one
// Kudos per person in the order named.
//
// Errors: EINVALID with Field "to" (nobody, more than MaxKudosPeople, yourself) or
// "message" (empty, too long); a *RecipientError (a bot, a deactivated or unknown
// account); publish's own, as is; EINTERNAL.
func (p *Programme) PostKudos(ctx context.Context, post KudosPost, publish func(context.Context, KudosPost) error) ([]Kudos, error) {
	post.ToIDs = uniqueIDs(post.ToIDs)
	post.Message = strings.TrimSpace(post.Message)
	post.At = p.now()
	if err := post.validate(); err != nil {
		return nil, err
	}
	for _, id := range post.ToIDs {
		if err := p.kudosRecipient(ctx, id); err != nil {
			return nil, err
		}
	}
	if err := publish(ctx, post); err != nil {
		return nil, err
	}
	recorded := make([]Kudos, len(post.ToIDs))
	err := p.update(ctx, func(tx Tx) error {
		for i, to := range post.ToIDs {
			recorded[i] = Kudos{FromID: post.FromID, ToID: to, Message: post.Message, Channel: post.Channel, At: post.At}
			if err := tx.AddKudos(&recorded[i]); err != nil {
				return err
			}
		}
		return count(tx, post.At, func(w *Week) { w.KudosGiven += len(recorded) })
	})
	if err != nil {
		return nil, fmt.Errorf("record kudos: %w", err)
	}
	return recorded, nil
}

// GiveKudos is PostKudos for one person: it records k, checked and published, and
// returns it as recorded. Errors: those of PostKudos.
func (p *Programme) GiveKudos(ctx context.Context, k Kudos, publish func(context.Context, Kudos) error) (Kudos, error) {
	post := KudosPost{FromID: k.FromID, ToIDs: []string{k.ToID}, Message: k.Message, Channel: k.Channel}
	recorded, err := p.PostKudos(ctx, post, func(ctx context.Context, post KudosPost) error {
		return publish(ctx, Kudos{FromID: post.FromID, ToID: k.ToID, Message: post.Message, Channel: post.Channel, At: post.At})
	})
	if err != nil {
		return k, err
	}
	return recorded[0], nil
}

// validate checks what can be checked without asking the workspace, people first.
func (post *KudosPost) validate() error {
	switch {
	case len(post.ToIDs) == 0 || slices.ContainsFunc(post.ToIDs, func(id string) bool { return !ValidUserID(id) }):
		return FieldErrorf("to", EINVALID, "Say who the kudos are for with an @mention, for example %s.", kudosExample)
	case len(post.ToIDs) > MaxKudosPeople:
		return FieldErrorf("to", EINVALID,
			"Kudos can thank at most %d people at once, and you named %d, so nothing was posted. "+
				"Split them into smaller groups, for example `/kudos @alice @bert thanks for the launch`.",
			MaxKudosPeople, len(post.ToIDs))
	case slices.Contains(post.ToIDs, post.FromID):
		return FieldErrorf("to", EINVALID,
			"Kudos are for others, not yourself, so nothing was posted. Leave yourself out and try again, for example %s.", kudosExample)
	}
	if err := validKudosMessage(post.Message); err != nil {
		return FieldErrorf("message", EINVALID, "%s", ErrorMessage(err))
	}
	return nil
}

// kudosRecipient checks that the workspace knows id as a person with an active account.
func (p *Programme) kudosRecipient(ctx context.Context, id string) error {
	pr, err := p.dir.Person(ctx, id)
	switch {
	case ErrorCode(err) == EINTERNAL:
		return err
	case err != nil:
		return &RecipientError{ID: id, Why: "is not someone I can find in this workspace", Next: "Check the name and try again."}
	case pr.Bot:
		return &RecipientError{ID: id, Why: "is a bot, not a person", Next: "Leave them out and try again."}
	case pr.Deactivated:
		return &RecipientError{ID: id, Why: "has a deactivated Slack account", Next: "Leave them out and try again."}
	}
	return nil
}

// uniqueIDs returns ids without repeats, in the order of their first appearance.
func uniqueIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
