package bot

import (
	"encoding/json"
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
	// seenPayloadBudget bounds the ack payloads kept for redeliveries, in bytes of the
	// JSON they are sent as. A reply can be up to 20 KB, so without it 20,000 entries
	// could hold hundreds of MiB; with it the cache stays under about 11 MiB (some 350
	// bytes an entry plus the budget). Past it, the oldest entries lose their payload
	// (a redelivery that old gets an empty ack) but are still remembered, so their
	// work is still not done twice. Redeliveries come within seconds of a lost ack, and
	// 4 MiB holds the answers of the last few thousand envelopes.
	seenPayloadBudget = 4 << 20
	// maxAckPayload is the size from which Slack drops an ack payload (socketmode
	// refuses to send one); such a payload is not worth keeping.
	maxAckPayload = 20 << 10
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
	seq  uint64 // arrival number: order[i].seq == order[0].seq+i
	at   time.Time
	done chan struct{}
	once sync.Once
	set  *seenEnvelopes
	ack  json.RawMessage // guarded by set.mu; nil once dropped for the budget
}

// finish records the ack payload of the first delivery, as the JSON it is sent as;
// later calls do nothing.
func (e *seenEntry) finish(payload any) {
	e.once.Do(func() {
		var raw json.RawMessage
		if !isNil(payload) {
			if j, err := json.Marshal(payload); err == nil && len(j) < maxAckPayload {
				raw = j
			}
		}
		e.set.keep(e, raw)
		close(e.done)
	})
}

// payload is the first delivery's ack payload, or nil while it is not known, when
// there was none, or once the budget has dropped it.
func (e *seenEntry) payload() json.RawMessage {
	select {
	case <-e.done:
	default:
		return nil
	}
	e.set.mu.Lock()
	defer e.set.mu.Unlock()
	return e.ack
}

// seenEnvelopes remembers envelopes in arrival order, forgetting the oldest past the
// TTL or the bound, and keeps their ack payloads within a byte budget.
type seenEnvelopes struct {
	mu     sync.Mutex
	ttl    time.Duration
	max    int
	budget int
	byKey  map[string]*seenEntry
	order  []*seenEntry
	now    func() time.Time
	next   uint64 // seq of the next entry
	// kept is how many payload bytes the entries hold; order[:trimmed] hold none.
	kept    int
	trimmed int
}

func newSeenEnvelopes(ttl time.Duration, max int) *seenEnvelopes {
	return &seenEnvelopes{ttl: ttl, max: max, budget: seenPayloadBudget, byKey: make(map[string]*seenEntry), now: time.Now}
}

// claim returns the entry for key and whether it had been seen before.
func (s *seenEnvelopes) claim(key string) (*seenEntry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for len(s.order) > 0 && (len(s.order) >= s.max || now.Sub(s.order[0].at) > s.ttl) {
		old := s.order[0]
		delete(s.byKey, old.key)
		s.kept -= len(old.ack)
		old.ack = nil
		s.order[0] = nil
		s.order = s.order[1:]
		s.trimmed = max(s.trimmed-1, 0)
	}
	if e, ok := s.byKey[key]; ok {
		return e, true
	}
	e := &seenEntry{key: key, seq: s.next, at: now, done: make(chan struct{}), set: s}
	s.next++
	s.byKey[key] = e
	s.order = append(s.order, e)
	return e, false
}

// keep stores e's payload, then drops the payloads of the oldest entries until the
// kept bytes fit the budget again.
func (s *seenEnvelopes) keep(e *seenEntry, raw json.RawMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byKey[e.key] != e || len(raw) == 0 || int(e.seq-s.order[0].seq) < s.trimmed {
		return // forgotten already, nothing to keep, or older than what the budget keeps
	}
	e.ack = raw
	s.kept += len(raw)
	for s.kept > s.budget && s.trimmed < len(s.order) {
		old := s.order[s.trimmed]
		s.kept -= len(old.ack)
		old.ack = nil
		s.trimmed++
	}
}
