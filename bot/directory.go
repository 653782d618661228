package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// The programme's Directory: what Slack says about people. One person (joining,
// naming a manager, kudos) is read with users.info; a fan-out (the scheduler's away
// check) with users.list pages. Both fill one cache, trusted for profileTTL.

const (
	// usersListPage is how many people one users.list call asks for: Slack recommends
	// no more than 200 a page (the maximum is 1000), and pages are Tier 2 (20+ a
	// minute), so a workspace of 2,000 costs 10 calls, not 2,000 users.info calls.
	usersListPage = 200
	// usersListRefusals is how many 429s one listing waits out before it fails (and
	// the fan-out that needed it is deferred to the scheduler's next tick).
	usersListRefusals = 3
)

// profile is what Slack owns about a person, as read at fetched.
type profile struct {
	mentoring.Person
	// statusAway says the status text or emoji says away; statusExpires is when that
	// status ends (unix seconds, 0 never), so that a cached status expires on time.
	statusAway    bool
	statusExpires int64
	fetched       time.Time
}

// at is what the profile says at now.
func (p profile) at(now time.Time) mentoring.Person {
	out := p.Person
	out.Away = p.statusAway && (p.statusExpires == 0 || p.statusExpires > now.Unix())
	return out
}

// awayStatus matches a Slack status that says the person is away.
var awayStatus = regexp.MustCompile(`(?i)vacation|holiday|out of (the )?office|\booo\b|on leave|parental leave|\bpto\b|sick|away|:palm_tree:|:desert_island:|:beach_with_umbrella:|:airplane:|:face_with_thermometer:|:mask:`)

// profileOf reads what Slack said about u at fetched.
func profileOf(u *slack.User, fetched time.Time) profile {
	status := strings.TrimSpace(u.Profile.StatusEmoji + " " + u.Profile.StatusText)
	return profile{
		Person: mentoring.Person{
			ID: u.ID, TimeZone: u.TZ, Bot: u.IsBot || u.ID == "USLACKBOT", Deactivated: u.Deleted,
		},
		statusAway:    status != "" && awayStatus.MatchString(status),
		statusExpires: int64(u.Profile.StatusExpiration),
		fetched:       fetched,
	}
}

// cached returns id's profile when it is fresh at now.
func (c *Client) cached(id string, now time.Time) (mentoring.Person, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.profiles[id]
	if !ok || now.Sub(p.fetched) >= profileTTL {
		return mentoring.Person{}, false
	}
	return p.at(now), true
}

// Person implements mentoring.Directory: from the cache when it is fresh (a
// users.list page may have filled it), else from users.info. An unknown user is
// EINVALID, so a typo in a mention gets a clear reply.
func (c *Client) Person(ctx context.Context, id string) (mentoring.Person, error) {
	if p, ok := c.cached(id, c.now()); ok {
		return p, nil
	}
	u, err := c.api.GetUserInfoContext(ctx, id)
	if err != nil {
		if err.Error() == "user_not_found" {
			return mentoring.Person{}, mentoring.Errorf(mentoring.EINVALID, "I can't find that person in this workspace.")
		}
		c.m.DirectoryFailures.Inc()
		return mentoring.Person{}, fmt.Errorf("users.info %s: %w", id, err)
	}
	now := c.now()
	p := profileOf(u, now)
	c.mu.Lock()
	c.profiles[p.ID] = p
	c.mu.Unlock()
	return p.at(now), nil
}

// People implements mentoring.Directory for a fan-out: those not fresh in the cache
// are read from users.list, page by page (usersListPage people each), until all of
// them are found or the list ends. Every person on a page read refreshes the cache, so
// the next fan-out and single lookups are answered without a call. A listing that
// fails is counted (mentorbot_directory_failures_total) and returned: the caller
// knows nothing about anyone asked.
func (c *Client) People(ctx context.Context, ids []string) (map[string]mentoring.Person, error) {
	now := c.now()
	out := make(map[string]mentoring.Person, len(ids))
	missing := map[string]bool{}
	for _, id := range ids {
		if p, ok := c.cached(id, now); ok {
			out[id] = p
		} else {
			missing[id] = true
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	err := c.listUsers(ctx, func(page []profile) bool {
		for _, p := range page {
			if missing[p.ID] {
				out[p.ID] = p.at(now)
				delete(missing, p.ID)
			}
		}
		return len(missing) > 0
	})
	if err != nil {
		c.m.DirectoryFailures.Inc()
		return nil, fmt.Errorf("users.list (for %d people): %w", len(missing), err)
	}
	return out, nil
}

// listUsers reads users.list page by page into the cache, handing each page to more
// until it returns false or the list ends. A 429 that the transport hands back is
// waited out (at most usersListRefusals times) and the same page asked again.
func (c *Client) listUsers(ctx context.Context, more func(page []profile) bool) error {
	pages := c.api.GetUsersPaginated(slack.GetUsersOptionLimit(usersListPage), slack.GetUsersOptionIncludeLocale(false))
	refused := 0
	for {
		next, err := pages.Next(ctx)
		if pages.Done(err) {
			return nil
		}
		var rl *slack.RateLimitedError
		if errors.As(err, &rl) && refused < usersListRefusals {
			refused++
			t := time.NewTimer(max(rl.RetryAfter, time.Second))
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
			continue
		}
		if err != nil {
			return err
		}
		pages = next
		fetched := c.now()
		page := make([]profile, len(pages.Users))
		c.mu.Lock()
		for i := range pages.Users {
			page[i] = profileOf(&pages.Users[i], fetched)
			c.profiles[page[i].ID] = page[i]
		}
		c.mu.Unlock()
		if !more(page) {
			return nil
		}
	}
}
