package slacktest

import (
	"math"

	"golang.org/x/time/rate"
)

// Meter makes the Server meter method the way Slack does: a token bucket of burst
// calls refilled at perSecond, a call beyond it answered 429 with a Retry-After of
// the whole seconds until the next token. It replaces an earlier Meter for the
// method; perSecond <= 0 removes it. The meter runs on the Server's clock
// (Options.Now).
func (s *Server) Meter(method string, perSecond float64, burst int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if perSecond <= 0 {
		delete(s.meters, method)
		return
	}
	s.meters[method] = rate.NewLimiter(rate.Limit(perSecond), max(burst, 1))
}

// meteredLocked takes a token for method, and reports how long the caller must wait
// when there is none; callers hold s.mu.
func (s *Server) meteredLocked(method string) (retryAfter int, refused bool) {
	lim, ok := s.meters[method]
	if !ok {
		return 0, false
	}
	now := s.opts.Now()
	r := lim.ReserveN(now, 1)
	delay := r.DelayFrom(now)
	if delay == 0 {
		return 0, false
	}
	r.CancelAt(now)
	return max(1, int(math.Ceil(delay.Seconds()))), true
}
