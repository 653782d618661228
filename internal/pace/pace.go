// Package pace paces calls to a remote API per method, at a rate it learns from the
// API's answers, the way TCP learns a path's capacity. Until the API answers "too many
// requests" there is no cap. Then the method pauses for everyone for the time the API
// asked (Retry-After), its rate drops to just under what the API was accepting, and
// it creeps back up while no refusal comes: fast while the limit is unknown, slowly
// near the rate of the last refusal, faster again well above it. It never paces below
// the method's floor (the rate the API publishes as always allowed).
//
// Calls made for a person who is waiting (foreground) never wait behind background
// calls: they wait out a pause but not the rate, whose budget they borrow.
package pace

import (
	"context"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

const (
	// backoff is the share of the accepted rate kept after a refusal.
	backoff = 0.95
	// growUnknown is the rate's growth per second while no limit is known: like TCP's
	// slow start, it doubles.
	growUnknown = 2.0
	// approach is the share of the distance to just above the last refusal's rate
	// closed per second while below it.
	approach = 0.3
	// settle is the share of the last refusal's rate the pace settles at, and
	// settleFor how long it holds there before probing above it.
	settle    = 0.99
	settleFor = 30 * time.Second
	// probe is the growth per second just above the last refusal's rate, and
	// probeFar the growth once well above it (the limit may have moved).
	probe, probeFar = 1.002, 1.05
	// minPause is the shortest pause after a refusal, whatever Retry-After says.
	minPause = 200 * time.Millisecond
	// acceptWindow is how far back successes are counted to estimate the rate the API
	// accepts.
	acceptWindow = time.Second
	// sharpBackoff is the share of the rate kept after a refusal that came too soon
	// after resuming to measure anything: the rate was well over the limit.
	sharpBackoff = 0.7
	// minAcceptSpan is the shortest span a rate is measured over.
	minAcceptSpan = 250 * time.Millisecond
	// idleGap is how long a method may go without a call asking to be made, beyond
	// the spacing of its rate, before the time counts as idle: a rate grows only while
	// calls want it, since a rate nobody tried says nothing about the limit (as TCP
	// does not grow a window it is not filling).
	idleGap = 100 * time.Millisecond
)

// Pacer paces calls by method. It is safe for concurrent use.
type Pacer struct {
	mu      sync.Mutex
	methods map[string]*method
	floors  map[string]float64
	def     float64
	now     func() time.Time
	learned func(method string, perSecond float64)
}

// method is one method's state.
type method struct {
	lim         *rate.Limiter
	pausedUntil time.Time
	// hint is the rate accepted at the last refusal; 0 while unknown.
	hint      float64
	grownAt   time.Time
	settledAt time.Time
	resumeAt  time.Time   // when the last pause ended: successes before it do not count
	oks       []time.Time // recent successes, oldest first
	lastAsk   time.Time   // when a call last asked to be made
}

// Config sets up a Pacer.
type Config struct {
	// Floors are the rates, in calls per second, the API always allows per method.
	Floors map[string]float64
	// DefaultFloor is the floor of a method not in Floors.
	DefaultFloor float64
	// Learned are rates learned before (kept across restarts), per method.
	Learned map[string]float64
	// OnLearn is called, outside the Pacer's lock, with each newly learned rate.
	OnLearn func(method string, perSecond float64)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// New returns a Pacer.
func New(cfg Config) *Pacer {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p := &Pacer{methods: map[string]*method{}, floors: cfg.Floors, def: cfg.DefaultFloor, now: cfg.Now, learned: cfg.OnLearn}
	for name, r := range cfg.Learned {
		if r > 0 {
			// A rate learned before is where to start, not a refusal seen now: it grows
			// from there until Slack answers 429 again, so a rate learned too low (on a
			// bad day) is left behind in seconds.
			m := p.method(name)
			m.lim.SetLimitAt(cfg.Now(), rate.Limit(max(r, p.floor(name))))
			m.lim.SetBurstAt(cfg.Now(), burst(r))
		}
	}
	return p
}

func (p *Pacer) floor(name string) float64 {
	if f, ok := p.floors[name]; ok {
		return f
	}
	return p.def
}

// method returns name's state; callers hold p.mu.
func (p *Pacer) method(name string) *method {
	m, ok := p.methods[name]
	if !ok {
		m = &method{lim: rate.NewLimiter(rate.Inf, 1), grownAt: p.now(), resumeAt: p.now()}
		p.methods[name] = m
	}
	return m
}

// burst lets a few calls go at once at higher rates, none at low ones.
func burst(r float64) int { return max(1, int(r/10)) }

type fgKey struct{}

// Foreground marks ctx as a call for a person who is waiting.
func Foreground(ctx context.Context) context.Context { return context.WithValue(ctx, fgKey{}, true) }

// Background clears the mark: calls made with ctx are background work again.
func Background(ctx context.Context) context.Context { return context.WithValue(ctx, fgKey{}, false) }

// IsForeground reports whether ctx is marked Foreground.
func IsForeground(ctx context.Context) bool { v, _ := ctx.Value(fgKey{}).(bool); return v }

// Wait blocks until a call of name may be made: after any pause and, for background
// calls, within the method's rate. It returns ctx's error if ctx ends first.
func (p *Pacer) Wait(ctx context.Context, name string) error {
	fg := IsForeground(ctx)
	for {
		wait, ready := p.next(name, fg)
		if ready {
			return nil
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// next says how long a call of name must wait. It books no future slot: a call that
// must wait is told how long, and asks again then, so that a pause or a rate that
// changed in the meantime counts (ready false). ready true: go now.
func (p *Pacer) next(name string, fg bool) (wait time.Duration, ready bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.method(name)
	now := p.now()
	if wait := m.pausedUntil.Sub(now); wait > 0 {
		return wait, false
	}
	p.grow(name, m)
	m.lastAsk = now
	if fg {
		m.lim.ReserveN(now, 1) // foreground borrows: background calls after it wait longer
		return 0, true
	}
	if m.lim.AllowN(now, 1) {
		return 0, true
	}
	deficit := 1 - m.lim.TokensAt(now)
	wait = time.Duration(deficit / float64(m.lim.Limit()) * float64(time.Second))
	return max(wait, time.Millisecond), false
}

// OK records a call the API accepted.
func (p *Pacer) OK(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.method(name)
	now := p.now()
	m.oks = append(m.oks, now)
	cut := 0
	for cut < len(m.oks) && now.Sub(m.oks[cut]) > acceptWindow {
		cut++
	}
	m.oks = m.oks[cut:]
}

// Refused records that the API refused a call of name as too many, asking to wait
// retryAfter: the method pauses for everyone and its rate drops.
func (p *Pacer) Refused(name string, retryAfter time.Duration) {
	p.mu.Lock()
	m := p.method(name)
	now := p.now()
	retryAfter = max(retryAfter, minPause)
	if now.Before(m.pausedUntil) {
		// Calls in flight when the first refusal came are refused too: one refusal
		// is one signal, so only the pause may grow.
		m.pausedUntil = maxTime(m.pausedUntil, now.Add(retryAfter))
		m.resumeAt, m.grownAt = m.pausedUntil, m.pausedUntil
		p.mu.Unlock()
		return
	}
	m.pausedUntil = now.Add(retryAfter)
	// What the API accepted: successes over the last window, counted from when calls
	// (re)started, so that neither a pause nor the time before the first call
	// passes for a slow rate.
	from := now.Add(-acceptWindow)
	if m.resumeAt.After(from) {
		from = m.resumeAt
	}
	n := 0
	for _, t := range m.oks {
		if !t.Before(from) {
			n++
		}
	}
	cur := float64(m.lim.Limit())
	unpaced := m.lim.Limit() == rate.Inf
	span := now.Sub(from)
	var r float64
	switch {
	case span < minAcceptSpan && !unpaced:
		// Refused right after resuming: the rate is well above the limit, and too
		// little was seen to measure it.
		r = sharpBackoff * cur
	case span < minAcceptSpan:
		// The first refusal after an unpaced start measures a burst, not a rate: start
		// from what the burst suggests (or the floor) and grow fast until a refusal
		// measures one.
		r = float64(n) / minAcceptSpan.Seconds()
		m.hint = 0
	default:
		accepted := float64(n) / span.Seconds()
		if !unpaced {
			accepted = min(accepted, cur)
		}
		m.hint = accepted
		r = backoff * accepted
	}
	r = max(r, p.floor(name))
	m.lim.SetLimitAt(now, rate.Limit(r))
	m.lim.SetBurstAt(now, burst(r))
	m.resumeAt, m.grownAt, m.oks = m.pausedUntil, m.pausedUntil, m.oks[:0]
	learned := p.learned
	p.mu.Unlock()
	if learned != nil {
		learned(name, r)
	}
}

// grow raises a paced method's rate for the time since it last grew; callers hold p.mu.
func (p *Pacer) grow(name string, m *method) {
	now := p.now()
	if m.lim.Limit() == rate.Inf || now.Before(m.pausedUntil) {
		return
	}
	spacing := time.Duration(float64(time.Second) / float64(m.lim.Limit()))
	if idle := now.Sub(m.lastAsk) > idleGap+spacing; idle {
		m.grownAt = now // no growth for the time nobody wanted the rate
		return
	}
	dt := now.Sub(m.grownAt).Seconds()
	if dt < 0.05 {
		return
	}
	m.grownAt = now
	r := float64(m.lim.Limit())
	switch {
	case m.hint == 0:
		r *= math.Pow(growUnknown, dt)
	case r < settle*m.hint:
		// Close in on just under the last refusal's rate, and stay there.
		target := settle * m.hint * 1.001
		r = min(target-(target-r)*math.Pow(1-approach, dt), settle*m.hint)
		if r >= settle*m.hint {
			m.settledAt = now
		}
	case now.Sub(m.settledAt) < settleFor:
		// Settled: hold, unless nothing is refused for a while.
	case r < 1.2*m.hint:
		r *= math.Pow(probe, dt)
	default:
		r *= math.Pow(probeFar, dt)
	}
	m.lim.SetLimitAt(now, rate.Limit(r))
	m.lim.SetBurstAt(now, burst(r))
}

// Limit is the rate name is paced at now, in calls per second; +Inf when unpaced.
func (p *Pacer) Limit(name string) float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.method(name)
	p.grow(name, m)
	if m.lim.Limit() == rate.Inf {
		return math.Inf(1)
	}
	return float64(m.lim.Limit())
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
