package bot

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// Home tabs are republished when something they show changes, but only for people who
// have opened theirs (nobody else would ever see it), at most one publish per person
// at a time, and each publish renders the state of the moment it runs: a burst of
// changes to one person costs at most two publishes, the last one current. A publish
// Slack refuses with a rate limit, or that fails on the way, is made again until it
// lands; one that can never land (no such user) is dropped.

// Memory remembers, across restarts, who has opened their Home tab. store.Store
// implements it; a nil Memory remembers in memory only, so a restart forgets.
type Memory interface {
	HomeViewers(ctx context.Context) ([]string, error)
	AddHomeViewer(ctx context.Context, userID string) error
}

const (
	// homeWorkers bounds the Home tabs published at once. views.publish is Tier 4
	// (100+ a minute): a few at a time keep a round of hundreds of pairs well paced.
	homeWorkers = 4
	// homeCallTimeout bounds one publish, its rendering included.
	homeCallTimeout = 30 * time.Second
	// homeBackoffMin and homeBackoffMax bound the wait before a publish that failed on
	// the way (not a rate limit: that waits for Retry-After) is made again.
	homeBackoffMin = time.Second
	homeBackoffMax = time.Minute
	// homeMemoryTimeout bounds reading or writing who has opened their Home tab.
	homeMemoryTimeout = 5 * time.Second
)

// homeState is where one person's Home tab is in the refresher.
type homeState uint8

const (
	homeQueued  homeState = iota // waiting for a worker
	homeRunning                  // being rendered and published
	homeWaiting                  // failed on the way; queued again after a backoff
)

type homeJob struct {
	state homeState
	// dirty: asked again while running, so the publish in flight may be out of date.
	dirty bool
	// urgent: the person is looking now (they just opened the tab): publish before
	// the fan-out, as foreground work.
	urgent   bool
	failures int // failures on the way in a row
}

// homes is the Home tab refresher.
type homes struct {
	publish func(ctx context.Context, userID string) error
	mem     Memory
	log     *slog.Logger
	// foreground marks the context of an urgent publish; nil leaves it.
	foreground             func(context.Context) context.Context
	workers                int
	backoffMin, backoffMax time.Duration
	// minHold is the least a rate limit holds publishes (Retry-After 0 or missing).
	minHold time.Duration

	ctx    context.Context // the workers' own: not any envelope's
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	wake    *sync.Cond // work was queued, or the refresher closed
	started bool
	closed  bool
	loaded  bool // viewers holds what mem remembers
	// loadFailed: reading mem failed (logged once); it is tried again on each refresh.
	loadFailed bool
	viewers    map[string]bool // who has opened their Home tab
	jobs       map[string]*homeJob
	urgent     []string // queued ids to publish first; may hold ids no longer queued
	queue      []string // queued ids, oldest first; may hold ids no longer queued
	// holdUntil: Slack refused a publish as too many; none is made before then.
	holdUntil time.Time
	idle      chan struct{} // closed while no job is left
}

// newHomes returns a refresher that publishes with publish, which must render the
// person's Home tab when it is called.
func newHomes(publish func(ctx context.Context, userID string) error, mem Memory, log *slog.Logger) *homes {
	ctx, cancel := context.WithCancel(context.Background())
	r := &homes{
		publish: publish, mem: mem, log: log,
		workers: homeWorkers, backoffMin: homeBackoffMin, backoffMax: homeBackoffMax, minHold: time.Second,
		ctx: ctx, cancel: cancel,
		loaded: mem == nil, viewers: map[string]bool{}, jobs: map[string]*homeJob{},
		idle: make(chan struct{}),
	}
	r.wake = sync.NewCond(&r.mu)
	close(r.idle)
	return r
}

// load reads who has opened their Home tab from memory, once it succeeds.
func (r *homes) load() {
	r.mu.Lock()
	done := r.loaded
	r.mu.Unlock()
	if done {
		return
	}
	ctx, cancel := context.WithTimeout(r.ctx, homeMemoryTimeout)
	defer cancel()
	ids, err := r.mem.HomeViewers(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		if !r.loadFailed {
			r.loadFailed = true
			r.log.Warn("who opened their Home tab is not known yet; refreshing Home tabs for anyone until it is", "err", err)
		}
		return
	}
	for _, id := range ids {
		r.viewers[id] = true
	}
	r.loaded = true
}

// refresh asks for userID's Home tab to be published again, with what it shows when
// the publish runs. It does nothing for someone who has never opened their Home tab
// and never blocks on Slack.
func (r *homes) refresh(userID string) {
	if userID == "" {
		return
	}
	r.load()
	r.mu.Lock()
	defer r.mu.Unlock()
	// While memory cannot be read, anyone may be a viewer: a publish too many beats a
	// Home tab left stale.
	if r.viewers[userID] || !r.loaded {
		r.requestLocked(userID, false)
	}
}

// opened records that userID has opened their Home tab, durably when it is new, and
// publishes it before any refresh waiting.
func (r *homes) opened(ctx context.Context, userID string) {
	if userID == "" {
		return
	}
	r.load()
	r.mu.Lock()
	known := r.viewers[userID]
	r.viewers[userID] = true
	r.requestLocked(userID, true)
	r.mu.Unlock()
	if known || r.mem == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), homeMemoryTimeout)
	defer cancel()
	if err := r.mem.AddHomeViewer(ctx, userID); err != nil {
		r.log.Warn("not remembered that this person opened their Home tab; after a restart it is refreshed once they open it again",
			"user", userID, "err", err)
	}
}

// forget stops refreshing userID's Home tab (after an erasure) until they open it
// again; a publish already asked for still runs, so it shows what is left.
func (r *homes) forget(userID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.viewers, userID)
}

// requestLocked queues a publish for userID, or marks the one running out of date;
// callers hold r.mu.
func (r *homes) requestLocked(userID string, urgent bool) {
	if r.closed {
		return
	}
	j := r.jobs[userID]
	if j == nil {
		if len(r.jobs) == 0 {
			r.idle = make(chan struct{})
		}
		r.jobs[userID] = &homeJob{state: homeQueued, urgent: urgent}
		r.pushLocked(userID, urgent)
		return
	}
	j.urgent = j.urgent || urgent
	switch j.state {
	case homeRunning:
		j.dirty = true
	case homeQueued:
		// It will render what is current when it runs. Someone looking goes first.
		if urgent {
			r.pushLocked(userID, true)
		}
	case homeWaiting:
		if urgent {
			j.state = homeQueued
			r.pushLocked(userID, true)
		}
	}
}

func (r *homes) pushLocked(userID string, urgent bool) {
	if urgent {
		r.urgent = append(r.urgent, userID)
	} else {
		r.queue = append(r.queue, userID)
	}
	if !r.started {
		r.started = true
		for range r.workers {
			r.wg.Go(r.work)
		}
	}
	r.wake.Signal()
}

// popLocked takes the next queued job, urgent ones first, skipping stale entries.
func (r *homes) popLocked() (string, *homeJob, bool) {
	for len(r.urgent)+len(r.queue) > 0 {
		var id string
		if len(r.urgent) > 0 {
			id, r.urgent = r.urgent[0], r.urgent[1:]
		} else {
			id, r.queue = r.queue[0], r.queue[1:]
		}
		if j := r.jobs[id]; j != nil && j.state == homeQueued {
			return id, j, true
		}
	}
	return "", nil, false
}

func (r *homes) work() {
	for {
		r.mu.Lock()
		for !r.closed && len(r.urgent)+len(r.queue) == 0 {
			r.wake.Wait()
		}
		if r.closed {
			r.mu.Unlock()
			return
		}
		if wait := time.Until(r.holdUntil); wait > 0 {
			r.mu.Unlock()
			if !sleepCtx(r.ctx, wait) {
				return
			}
			continue
		}
		id, j, ok := r.popLocked()
		if !ok {
			r.mu.Unlock()
			continue
		}
		urgent := j.urgent
		j.state, j.dirty, j.urgent = homeRunning, false, false
		r.mu.Unlock()
		r.finish(id, j, urgent, r.attempt(id, urgent))
	}
}

// attempt publishes once, on the refresher's own context.
func (r *homes) attempt(userID string, urgent bool) error {
	ctx, cancel := context.WithTimeout(r.ctx, homeCallTimeout)
	defer cancel()
	if urgent && r.foreground != nil {
		ctx = r.foreground(ctx)
	}
	return r.publish(ctx, userID)
}

func (r *homes) finish(userID string, j *homeJob, urgent bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		r.doneLocked(userID)
		return
	}
	wait, outcome := homeOutcome(err)
	switch outcome {
	case homePublished:
		j.failures = 0
		if !j.dirty {
			r.doneLocked(userID)
			return
		}
		j.state, j.dirty = homeQueued, false
		r.pushLocked(userID, j.urgent)
	case homeRateLimited:
		// Slack asked every publish to wait: hold them all, and this one goes first.
		wait = max(wait, r.minHold)
		r.holdUntil = laterOf(r.holdUntil, time.Now().Add(wait))
		j.state, j.dirty, j.urgent = homeQueued, false, j.urgent || urgent
		if j.urgent {
			r.urgent = append([]string{userID}, r.urgent...)
		} else {
			r.queue = append([]string{userID}, r.queue...)
		}
		r.wake.Signal()
		r.log.Debug("home tab publish rate limited; retrying after the wait", "user", userID, "retry_after", wait)
	case homeFailed:
		j.failures++
		j.state, j.dirty, j.urgent = homeWaiting, false, j.urgent || urgent
		backoff := min(r.backoffMin<<min(j.failures-1, 16), r.backoffMax)
		if j.failures == 1 || j.failures%10 == 0 {
			r.log.Warn("home tab not published; retrying", "user", userID, "failures", j.failures, "retry_in", backoff, "err", err)
		}
		time.AfterFunc(backoff, func() {
			r.mu.Lock()
			defer r.mu.Unlock()
			if !r.closed && r.jobs[userID] == j && j.state == homeWaiting {
				j.state = homeQueued
				r.pushLocked(userID, j.urgent)
			}
		})
	case homeDropped:
		r.log.Warn("home tab cannot be published; giving up", "user", userID, "err", err)
		if !j.dirty {
			r.doneLocked(userID)
			return
		}
		j.state, j.dirty = homeQueued, false
		r.pushLocked(userID, j.urgent)
	}
}

func (r *homes) doneLocked(userID string) {
	delete(r.jobs, userID)
	if len(r.jobs) == 0 {
		select {
		case <-r.idle:
		default:
			close(r.idle)
		}
	}
}

// wait waits until no publish is queued, running or waiting to be retried, or until
// timeout fires; it reports whether everything landed.
func (r *homes) wait(timeout <-chan time.Time) bool {
	r.mu.Lock()
	idle := r.idle
	r.mu.Unlock()
	select {
	case <-idle:
		return true
	case <-timeout:
		return false
	}
}

// close stops the refresher: publishes in flight are cancelled, queued ones dropped.
// It returns how many Home tabs were left unpublished.
func (r *homes) close() int {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return 0
	}
	r.closed = true
	left := len(r.jobs)
	r.mu.Unlock()
	r.cancel()
	r.wake.Broadcast()
	r.wg.Wait()
	return left
}

// homeOutcome says what to do after a publish.
type homeOutcomeKind uint8

const (
	homePublished   homeOutcomeKind = iota
	homeRateLimited                 // wait (Retry-After), then again
	homeFailed                      // failed on the way: again after a backoff
	homeDropped                     // can never land
)

// transientSlackErrors are Slack's answers after which the same publish may land.
var transientSlackErrors = map[string]bool{
	"internal_error": true, "fatal_error": true, "service_unavailable": true, "request_timeout": true,
	"ratelimited": true, "rate_limited": true, "team_added_to_org": true,
}

func homeOutcome(err error) (time.Duration, homeOutcomeKind) {
	if err == nil {
		return 0, homePublished
	}
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return rl.RetryAfter, homeRateLimited
	}
	var ra interface{ RetryAfter() time.Duration }
	if errors.As(err, &ra) {
		return ra.RetryAfter(), homeRateLimited
	}
	if errors.Is(err, errPanic) {
		return 0, homeDropped
	}
	var me *mentoring.Error
	if errors.As(err, &me) && me.Code != mentoring.EINTERNAL {
		return 0, homeDropped
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		if transientSlackErrors[se.Err] {
			return 0, homeFailed
		}
		return 0, homeDropped // user_not_found, invalid_blocks, not_authed…: the same call fails again
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) && !sc.Retryable() {
		return 0, homeDropped
	}
	return 0, homeFailed // the network, a 5xx, a timeout, the store
}

// sleepCtx waits d, or until ctx ends; it reports whether d passed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
