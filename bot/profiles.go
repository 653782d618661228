package bot

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// profileTTL is how long what users.info said is trusted. Time zones and names change
// rarely; an hour keeps users.info calls (Tier 4) far below Slack's limits.
const profileTTL = time.Hour

// profile is what Slack owns about a person.
type profile struct {
	ID      string
	TZ      string
	IsBot   bool
	Deleted bool
	// Status is the status emoji and text, e.g. ":palm_tree: On holiday".
	Status           string
	StatusExpiration int64 // Unix seconds; 0: does not expire
	fetched          time.Time
}

// profiles caches users.info answers.
type profiles struct {
	api *slack.Client
	now func() time.Time
	mu  sync.Mutex
	m   map[string]profile
}

func newProfiles(api *slack.Client) *profiles {
	return &profiles{api: api, now: time.Now, m: make(map[string]profile)}
}

// get returns the person's profile, from the cache while it is fresh. An unknown user
// is an EINVALID error, so a typo in a mention gets a clear reply.
func (ps *profiles) get(ctx context.Context, id string) (profile, error) {
	ps.mu.Lock()
	p, ok := ps.m[id]
	ps.mu.Unlock()
	if ok && ps.now().Sub(p.fetched) < profileTTL {
		return p, nil
	}
	u, err := ps.api.GetUserInfoContext(ctx, id)
	if err != nil {
		if err.Error() == "user_not_found" {
			return profile{}, mentoring.Errorf(mentoring.EINVALID, "I can't find that person in this workspace.")
		}
		return profile{}, fmt.Errorf("users.info %s: %w", id, err)
	}
	p = profile{ID: u.ID, TZ: u.TZ, IsBot: u.IsBot || u.ID == "USLACKBOT", Deleted: u.Deleted,
		Status: strings.TrimSpace(u.Profile.StatusEmoji + " " + u.Profile.StatusText), StatusExpiration: int64(u.Profile.StatusExpiration),
		fetched: ps.now()}
	ps.mu.Lock()
	ps.m[id] = p
	ps.mu.Unlock()
	return p, nil
}

// person returns the profile of someone who may take part: not a bot, not deactivated.
// who names them in the error ("you", "your manager", …).
func (ps *profiles) person(ctx context.Context, id, who string) (profile, error) {
	p, err := ps.get(ctx, id)
	switch {
	case err != nil:
		return p, err
	case p.IsBot:
		return p, mentoring.Errorf(mentoring.EINVALID, "%s is a bot, not a person.", who)
	case p.Deleted:
		return p, mentoring.Errorf(mentoring.EINVALID, "%s has a deactivated Slack account.", who)
	}
	return p, nil
}
