package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// The Home tab refresher on its own, with a fake publish that "renders" a per-person
// version number when it runs. The wiring (who is refreshed after what, views.publish
// against the fake Slack, restarts) is tested end to end in cmd/mentorbot.

// fakeHomes records publishes: who, the version each rendered, how many ran at once.
type fakeHomes struct {
	mu       sync.Mutex
	version  map[string]int   // the state a Home tab would show now
	rendered map[string][]int // the versions each publish rendered, in order
	running  map[string]int
	maxEach  int // most publishes running at once for one person
	now, max int // publishes running at once, overall
	// gate, when set, holds every publish until it is closed.
	gate chan struct{}
	// fail, when set, decides a publish's error from the person and their attempt (1, 2…).
	fail func(userID string, attempt int) error
}

func newFakeHomes() *fakeHomes {
	return &fakeHomes{version: map[string]int{}, rendered: map[string][]int{}, running: map[string]int{}}
}

func (f *fakeHomes) publish(ctx context.Context, userID string) error {
	f.mu.Lock()
	v := f.version[userID] // rendered now, when the publish runs
	f.running[userID]++
	f.maxEach = max(f.maxEach, f.running[userID])
	f.now++
	f.max = max(f.max, f.now)
	attempt := len(f.rendered[userID]) + 1
	f.rendered[userID] = append(f.rendered[userID], v)
	gate, fail := f.gate, f.fail
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.running[userID]--
		f.now--
		f.mu.Unlock()
	}()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	time.Sleep(time.Millisecond) // the call's latency: lets requests pile up
	if fail != nil {
		return fail(userID, attempt)
	}
	return nil
}

// change is a change to what userID's Home tab shows.
func (f *fakeHomes) change(userID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.version[userID]++
}

func (f *fakeHomes) calls(userID string) []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.rendered[userID])
}

func (f *fakeHomes) current(userID string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.version[userID]
}

// mapMemory is a Memory in a map, as the store keeps it.
type mapMemory struct {
	mu  sync.Mutex
	ids map[string]bool
}

func (m *mapMemory) HomeViewers(context.Context) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for id := range m.ids {
		out = append(out, id)
	}
	return out, nil
}

func (m *mapMemory) AddHomeViewer(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ids[id] = true
	return nil
}

func testHomes(t *testing.T, f *fakeHomes, mem Memory) *homes {
	t.Helper()
	r := newHomes(f.publish, mem, slog.New(slog.DiscardHandler))
	r.backoffMin, r.backoffMax, r.minHold = time.Millisecond, 5*time.Millisecond, time.Millisecond
	t.Cleanup(func() { r.close() })
	return r
}

// settle waits until the refresher has nothing left to do.
func settle(t *testing.T, r *homes) {
	t.Helper()
	if !r.wait(time.After(10 * time.Second)) {
		t.Fatal("Home tab publishes still pending after 10 s")
	}
}

func TestHomesCoalesceChangesDuringAPublish(t *testing.T) {
	f := newFakeHomes()
	f.gate = make(chan struct{})
	r := testHomes(t, f, nil)
	r.opened(t.Context(), "UALICE")
	waitFor(t, "the first publish to start", func() bool { return len(f.calls("UALICE")) == 1 })
	for range 50 {
		f.change("UALICE")
		r.refresh("UALICE")
	}
	close(f.gate)
	settle(t, r)
	got := f.calls("UALICE")
	if len(got) != 2 {
		t.Fatalf("50 changes during one publish made %d publishes in all (versions %v), want 2", len(got), got)
	}
	if last := got[len(got)-1]; last != f.current("UALICE") {
		t.Errorf("the last publish rendered version %d, want the current %d", last, f.current("UALICE"))
	}
	if f.maxEach > 1 {
		t.Errorf("%d publishes for one person ran at once, want at most 1", f.maxEach)
	}
}

func TestHomesRefreshOnlyThoseWhoOpenedTheirs(t *testing.T) {
	f := newFakeHomes()
	mem := &mapMemory{ids: map[string]bool{"UBERT": true}}
	r := testHomes(t, f, mem)
	r.refresh("UALICE") // never opened hers
	r.refresh("UBERT")  // opened his before a restart: remembered
	settle(t, r)
	if n := len(f.calls("UALICE")); n != 0 {
		t.Errorf("%d publishes for someone who never opened their Home tab, want 0", n)
	}
	if n := len(f.calls("UBERT")); n != 1 {
		t.Errorf("%d publishes for someone who opened theirs before a restart, want 1", n)
	}
	r.opened(t.Context(), "UALICE")
	settle(t, r)
	if !mem.ids["UALICE"] {
		t.Error("opening the Home tab was not remembered")
	}
	r.refresh("UALICE")
	settle(t, r)
	if n := len(f.calls("UALICE")); n != 2 {
		t.Errorf("%d publishes after opening and one change, want 2", n)
	}
	// After an erasure, no more refreshes until they open it again.
	r.forget("UALICE")
	r.refresh("UALICE")
	settle(t, r)
	if n := len(f.calls("UALICE")); n != 2 {
		t.Errorf("%d publishes after forget and a change, want still 2", n)
	}
}

// Many people, many changes each: a bounded number of publishes at once, one per
// person at a time, and everyone's last publish current.
func TestHomesManyPeople(t *testing.T) {
	f := newFakeHomes()
	r := testHomes(t, f, nil)
	var ids []string
	for i := range 40 {
		id := fmt.Sprintf("U%02d", i)
		ids = append(ids, id)
		r.opened(t.Context(), id)
	}
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			for range 5 {
				f.change(id)
				r.refresh(id)
			}
		})
	}
	wg.Wait()
	settle(t, r)
	for _, id := range ids {
		got := f.calls(id)
		if len(got) == 0 || got[len(got)-1] != f.current(id) {
			t.Errorf("%s: publishes rendered %v, want the last to be %d", id, got, f.current(id))
		}
		if len(got) > 6 {
			t.Errorf("%s: %d publishes for 1 opening and 5 changes, want at most 6", id, len(got))
		}
	}
	if f.maxEach > 1 || f.max > homeWorkers {
		t.Errorf("at most %d publishes at once for one person and %d overall; want 1 and %d", f.maxEach, f.max, homeWorkers)
	}
}

func TestHomesRetryUntilTheyLand(t *testing.T) {
	f := newFakeHomes()
	var limited atomic.Int32
	f.fail = func(userID string, attempt int) error {
		switch {
		case userID == "UGONE":
			return slack.SlackErrorResponse{Err: "user_not_found"}
		case userID == "UBUSY" && attempt <= 3:
			limited.Add(1)
			return &slack.RateLimitedError{RetryAfter: 0}
		case userID == "UFLAKY" && attempt <= 2:
			return fmt.Errorf("views.publish: %w", errors.New("connection reset by peer"))
		case userID == "UFLAKY" && attempt == 3:
			return slack.SlackErrorResponse{Err: "internal_error"}
		case userID == "U5XX" && attempt == 1:
			return slack.StatusCodeError{Code: 503, Status: "503 Service Unavailable"}
		}
		return nil
	}
	r := testHomes(t, f, nil)
	for _, id := range []string{"UGONE", "UBUSY", "UFLAKY", "U5XX"} {
		r.opened(t.Context(), id)
	}
	settle(t, r)
	for id, want := range map[string]int{"UGONE": 1, "UBUSY": 4, "UFLAKY": 4, "U5XX": 2} {
		if n := len(f.calls(id)); n != want {
			t.Errorf("%s: %d publishes, want %d", id, n, want)
		}
	}
	if limited.Load() != 3 {
		t.Errorf("%d rate-limited attempts, want 3", limited.Load())
	}
}

// A rate limit holds every publish, not only the refused one, until Retry-After.
func TestHomesRateLimitHoldsEveryone(t *testing.T) {
	f := newFakeHomes()
	var refusedAt atomic.Int64
	f.fail = func(userID string, attempt int) error {
		if userID == "UBUSY" && attempt == 1 {
			refusedAt.Store(time.Now().UnixNano())
			return &slack.RateLimitedError{RetryAfter: time.Second}
		}
		if at := refusedAt.Load(); at != 0 && time.Since(time.Unix(0, at)) < 900*time.Millisecond {
			return fmt.Errorf("%s published %v after a 429 asking to wait 1 s", userID, time.Since(time.Unix(0, at)))
		}
		return nil
	}
	r := testHomes(t, f, nil)
	r.workers = 1 // the refusal comes before the others are tried
	r.opened(t.Context(), "UBUSY")
	for i := range 3 {
		r.opened(t.Context(), fmt.Sprintf("U%d", i))
	}
	settle(t, r)
	for _, id := range []string{"UBUSY", "U0", "U1", "U2"} {
		if n := len(f.calls(id)); n != 1+map[bool]int{true: 1}[id == "UBUSY"] {
			t.Errorf("%s: %d publishes (%v)", id, n, f.calls(id))
		}
	}
}

func TestHomesCloseCancelsWhatIsLeft(t *testing.T) {
	f := newFakeHomes()
	f.gate = make(chan struct{}) // never opens: Slack hangs
	r := testHomes(t, f, nil)
	r.opened(t.Context(), "UALICE")
	r.opened(t.Context(), "UBERT")
	if r.wait(time.After(50 * time.Millisecond)) {
		t.Fatal("wait reported everything published while publishes hang")
	}
	done := make(chan int)
	go func() { done <- r.close() }()
	select {
	case left := <-done:
		if left != 2 {
			t.Errorf("close left %d unpublished, want 2", left)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("close did not cancel publishes in flight")
	}
	r.refresh("UALICE") // after close: nothing, and no panic
}
