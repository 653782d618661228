package bot

import (
	"sync"
	"time"

	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// Slack redelivers an envelope whose ack it did not get (retry_attempt > 0), typically
// within a few minutes. Remembering envelopes for longer than that, up to a bound on
// memory, is enough to do each one's work once.
const (
	seenTTL = 15 * time.Minute
	seenMax = 20000
)

// dedupeKey identifies the work an envelope asks for. An Events API event keeps its
// event_id across Slack's retries even when the envelope is new; everything else is
// identified by its envelope_id.
func dedupeKey(evt socketmode.Event) string {
	if ev, ok := evt.Data.(slackevents.EventsAPIEvent); ok {
		if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok && cb.EventID != "" {
			return "event:" + cb.EventID
		}
	}
	return "envelope:" + evt.Request.EnvelopeID
}

// seenEntry is one envelope's first delivery: done closes when its ack payload is known.
type seenEntry struct {
	key  string
	at   time.Time
	done chan struct{}
	once sync.Once
	ack  any
}

// finish records the ack payload of the first delivery; later calls do nothing.
func (e *seenEntry) finish(payload any) {
	e.once.Do(func() { e.ack = payload; close(e.done) })
}

// payload is the first delivery's ack payload, or nil while it is not known.
func (e *seenEntry) payload() any {
	select {
	case <-e.done:
		return e.ack
	default:
		return nil
	}
}

// seenEnvelopes remembers envelopes in arrival order, forgetting the oldest past the
// TTL or the bound.
type seenEnvelopes struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	byKey map[string]*seenEntry
	order []*seenEntry
	now   func() time.Time
}

func newSeenEnvelopes(ttl time.Duration, max int) *seenEnvelopes {
	return &seenEnvelopes{ttl: ttl, max: max, byKey: make(map[string]*seenEntry), now: time.Now}
}

// claim returns the entry for key and whether it had been seen before.
func (s *seenEnvelopes) claim(key string) (*seenEntry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for len(s.order) > 0 && (len(s.order) >= s.max || now.Sub(s.order[0].at) > s.ttl) {
		delete(s.byKey, s.order[0].key)
		s.order[0] = nil
		s.order = s.order[1:]
	}
	if e, ok := s.byKey[key]; ok {
		return e, true
	}
	e := &seenEntry{key: key, at: now, done: make(chan struct{})}
	s.byKey[key] = e
	s.order = append(s.order, e)
	return e, false
}
