package bot

import (
	"context"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/mentorbot/mentorbot/internal/pace"
)

// Slack's published floors, in calls per second: what each method always allows
// (https://docs.slack.dev/apis/web-api/rate-limits: Tier 1 1+/min, Tier 2 20+/min,
// Tier 3 50+/min, Tier 4 100+/min; chat.postMessage about one a second per
// conversation). The pace never drops below these, whatever a refusal suggests.
const (
	tier1 = 1.0 / 60
	tier2 = 20.0 / 60
	tier3 = 50.0 / 60
	tier4 = 100.0 / 60
)

var slackFloors = map[string]float64{
	"chat.postMessage":             1,
	"chat.postEphemeral":           tier4,
	"chat.update":                  tier3,
	"views.open":                   tier4,
	"views.push":                   tier4,
	"views.update":                 tier4,
	"views.publish":                tier4,
	"users.info":                   tier4,
	"users.list":                   tier2,
	"conversations.open":           tier3,
	"conversations.history":        tier3, // Tier 1 since May 2025 only for commercially distributed non-Marketplace apps; mentorbot is installed by its own company
	"files.getUploadURLExternal":   tier4,
	"files.completeUploadExternal": tier4,
	"auth.test":                    tier4,
	"apps.connections.open":        tier1,
}

// defaultFloor is the floor of a method not listed: Tier 2, most methods' tier.
const defaultFloor = tier2

// maxRefusedRetries bounds how often one call refused with 429 is made again; each
// time it waits out the method's pause. The caller sees the 429 after that.
const maxRefusedRetries = 8

// pacedTransport paces every Web API call through the Pacer: a call waits for its
// method's pause and rate (foreground calls only for the pause), a 429 pauses the
// method for everyone and the call is made again after Retry-After.
type pacedTransport struct {
	next   http.RoundTripper
	apiURL string
	pacer  *pace.Pacer
}

func (t *pacedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasPrefix(req.URL.String(), t.apiURL) {
		return t.next.RoundTrip(req)
	}
	method := path.Base(req.URL.Path)
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		if err := t.pacer.Wait(ctx, method); err != nil {
			return nil, err
		}
		r := req
		if attempt > 0 {
			if req.GetBody == nil {
				return nil, errNoReplay
			}
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r = req.Clone(ctx)
			r.Body = body
		}
		resp, err := t.next.RoundTrip(r)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusTooManyRequests {
			t.pacer.OK(method)
			return resp, nil
		}
		wait := retryAfter(resp.Header)
		t.pacer.Refused(method, wait)
		if attempt >= maxRefusedRetries {
			return resp, nil
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return resp, nil // the caller cannot wait that long: it gets the 429
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, maxPeek))
		resp.Body.Close()
	}
}

type replayError struct{}

func (replayError) Error() string { return "slack: a refused request cannot be replayed" }

var errNoReplay = replayError{}

// retryAfter reads a 429's Retry-After (whole seconds); 1 s when it is missing.
func retryAfter(h http.Header) time.Duration {
	if s, err := strconv.Atoi(h.Get("Retry-After")); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	return time.Second
}

// foreground marks ctx as work for a person who is waiting: its Slack calls never
// wait behind background sends.
func foreground(ctx context.Context) context.Context { return pace.Foreground(ctx) }
