package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
	"github.com/mentorbot/mentorbot/store"
)

// Delivery under hostile pacing: half of every call refused with 429, and the bot
// killed (SIGKILL) in the middle of a metered fan-out. Every notice goes out exactly
// once either way.

// halfRefuser stands in front of the fake Slack's Web API and answers every other
// call of the methods it refuses 429 (Retry-After: 1, as Slack words it), passing the
// rest on.
type halfRefuser struct {
	target  atomic.Pointer[url.URL] // the fake Slack; set once it exists
	methods map[string]bool
	on      atomic.Bool

	mu      sync.Mutex
	calls   map[string]int
	refused map[string]int
}

func newHalfRefuser(methods ...string) *halfRefuser {
	r := &halfRefuser{methods: map[string]bool{}, calls: map[string]int{}, refused: map[string]int{}}
	for _, m := range methods {
		r.methods[m] = true
	}
	return r
}

func (r *halfRefuser) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	method := path.Base(req.URL.Path)
	if r.on.Load() && r.methods[method] {
		r.mu.Lock()
		r.calls[method]++
		refuse := r.calls[method]%2 == 1
		if refuse {
			r.refused[method]++
		}
		r.mu.Unlock()
		if refuse {
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"ok":false,"error":"ratelimited"}`))
			return
		}
	}
	httputil.NewSingleHostReverseProxy(r.target.Load()).ServeHTTP(w, req)
}

// counts returns how many calls of method the refuser saw while on, and refused.
func (r *halfRefuser) counts(method string) (calls, refused int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[method], r.refused[method]
}

// paceNotice is a notice queued already rendered (text and one section), to a person
// or to a group.
func paceNotice(t testing.TB, kind mentoring.Kind, text string, to ...string) mentoring.Notice {
	t.Helper()
	payload, err := json.Marshal(map[string]any{
		"text":   text,
		"blocks": []any{map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": text}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return mentoring.Notice{Kind: kind, To: to, Payload: payload}
}

// TestHalfOfAllCallsRefusedDeliversEverythingOnce queues 30 DMs and 10 group intros
// while the Web API answers every other chat.postMessage, conversations.open and
// conversations.history call 429 (Retry-After: 1): every notice arrives exactly once,
// none is dropped, within halfLimit, and nothing is logged as an error. Each refusal
// pauses its method for a second, so the 40 accepted chat.postMessage calls need
// about 40 s at best.
func TestHalfOfAllCallsRefusedDeliversEverythingOnce(t *testing.T) {
	const dms, groups = 30, 10
	refuser := newHalfRefuser("chat.postMessage", "conversations.open", "conversations.history")
	proxy := httptest.NewServer(refuser)
	defer proxy.Close()
	var people []string
	h := startMain(t, options{
		env: map[string]string{"SLACK_API_URL": proxy.URL + "/api/"},
		prepare: func(tb testing.TB, h *harness, _ *store.Store) {
			u, err := url.Parse(strings.TrimSuffix(h.srv.APIURL(), "api/"))
			if err != nil {
				tb.Fatal(err)
			}
			refuser.target.Store(u)
			for i := range dms + 2*groups {
				id := fmt.Sprintf("UHALF%03d", i)
				h.srv.AddUser(slacktest.User{ID: id, Name: strings.ToLower(id), RealName: id, TZ: "UTC"})
				people = append(people, id)
			}
		},
	})
	fanLiveClock(t, h.clock, h.clock.now()) // deferrals fall due as time passes
	var notices []mentoring.Notice
	for i := range dms {
		notices = append(notices, paceNotice(t, mentoring.KindCheckin, fmt.Sprintf("Half-refused DM %d.", i), people[i]))
	}
	for i := range groups {
		a, b := people[dms+2*i], people[dms+2*i+1]
		notices = append(notices, paceNotice(t, mentoring.KindIntro, fmt.Sprintf("Half-refused intro %d.", i), a, b))
	}
	refuser.on.Store(true)
	start := h.seq()
	if err := h.m.store.Update(context.Background(), func(tx mentoring.Tx) error {
		for _, n := range notices {
			if err := tx.Enqueue(n); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	h.m.delivery.Wake()
	began := time.Now()

	byText := map[string]int{}
	ctx, cancel := context.WithTimeout(context.Background(), halfLimit)
	defer cancel()
	if _, err := h.srv.WaitRecordAfter(ctx, start, func(r slacktest.Record) bool {
		if r.Kind == "message" && strings.HasPrefix(r.Text, "Half-refused") {
			byText[r.Text]++
		}
		return len(byText) == len(notices)
	}); err != nil {
		t.Fatalf("after %v, %d of %d notices delivered: %v", time.Since(began), len(byText), len(notices), err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for fanSettledAll(h) < len(notices) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d notices recorded as delivered", fanSettledAll(h), len(notices))
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // a second copy in flight would land by now
	got := map[string]int{}
	for _, r := range h.srv.Records()[start:] {
		if r.Kind == "message" {
			got[r.Text]++
		}
	}
	for _, n := range notices {
		var m struct{ Text string }
		if err := json.Unmarshal(n.Payload, &m); err != nil {
			t.Fatal(err)
		}
		if got[m.Text] != 1 {
			t.Errorf("%q delivered %d times, want once", m.Text, got[m.Text])
		}
	}
	if due := h.queued(t); len(due) != 0 {
		t.Errorf("%d notices still queued", len(due))
	}
	if page := h.metrics(t); strings.Contains(page, `outcome="failed"`) {
		t.Errorf("notices dropped as undeliverable; /metrics:\n%s", page)
	}
	if strings.Contains(h.log.String(), "level=ERROR") {
		t.Errorf("errors logged on the way")
	}
	for _, m := range []string{"chat.postMessage", "conversations.open", "conversations.history"} {
		calls, refused := refuser.counts(m)
		t.Logf("%s: %d calls, %d answered 429", m, calls, refused)
	}
	t.Logf("%d notices delivered in %v", len(notices), time.Since(began).Round(time.Millisecond))
}

// halfLimit is how long TestHalfOfAllCallsRefusedDeliversEverythingOnce waits for
// every notice: three times what the refusals alone impose.
const halfLimit = 2 * time.Minute

// fanSettledAll counts the notices of every kind delivery has recorded as delivered.
func fanSettledAll(h *harness) int {
	return fanSettled(h, mentoring.KindCheckin) + fanSettled(h, mentoring.KindIntro)
}

// TestSIGKILLMidFanoutDeliversEveryCheckinOnce runs the binary on 200 due check-ins
// with chat.postMessage metered slowly, kills it (SIGKILL) once a third are out,
// restarts it, and checks that every check-in arrives exactly once and the outbox ends
// empty.
func TestSIGKILLMidFanoutDeliversEveryCheckinOnce(t *testing.T) {
	const pairs, want = 100, 200
	// The bot starts knowing a rate near the limit, as after an earlier fan-out.
	srv, db, env := dueCheckins(t, pairs, 20)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	tally := newFanTally(mentoring.KindCheckin)
	p := startProc(t, env)
	if _, err := srv.WaitRecord(ctx, func(r slacktest.Record) bool { tally.add(r); return tally.messages >= want/3 }); err != nil {
		t.Fatalf("%d check-ins before the kill: %v", tally.messages, err)
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.wait(t, 10*time.Second)
	killedAt := len(srv.Records())
	limits := paceLearned(t, db)
	t.Logf("killed after %d check-ins; learned limits kept: %v", tally.messages, limits)

	restartAndFinish(t, ctx, env, srv, tally, killedAt, want, "check-ins")
	ids, channels := tally.twice()
	if len(ids) > 0 || len(channels) > 0 || tally.messages != want {
		t.Errorf("%d check-in DMs for %d due: notice ids sent twice %v, people messaged twice %v", tally.messages, want, ids, channels)
	}
	// Sends the kill left in doubt were looked for in Slack before being made again.
	t.Logf("conversations.history calls after the restart: %d", len(srv.Calls("conversations.history")))
	st, err := store.Open(db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.Now = func() time.Time { return time.Now().Add(24 * time.Hour) } // deferred ones too
	if due, err := st.Due(context.Background(), 10); err != nil || len(due) != 0 {
		t.Errorf("outbox after the restart: %d notices (%v), want none", len(due), err)
	}
}

// paceLearned reads the rate limits kept in the database at db (no bot running).
func paceLearned(t *testing.T, db string) map[string]float64 {
	t.Helper()
	st, err := store.Open(db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	limits, err := st.Limits(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return limits
}

// TestRestartAfterLearningTheFloor starts the binary on a database that kept 1/s as
// chat.postMessage's learned rate (what a first refusal right after an unpaced burst
// often teaches: no success counted yet, so the floor), with Slack metering 25/s, and
// 200 check-ins due: they should go out near Slack's rate, within 30 s.
// A kept rate is where the pacer starts, not a refusal: it grows from there (doubling
// each second) until Slack refuses again.
func TestRestartAfterLearningTheFloor(t *testing.T) {
	const pairs, want = 100, 200
	srv, _, env := dueCheckins(t, pairs, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tally := newFanTally(mentoring.KindCheckin)
	began := time.Now()
	startProc(t, env)
	if _, err := srv.WaitRecord(ctx, func(r slacktest.Record) bool { tally.add(r); return tally.messages >= want }); err != nil {
		t.Fatalf("after %v, %d of %d check-ins delivered (Slack allows 25/s): %v", time.Since(began).Round(time.Second), tally.messages, want, err)
	}
}

// dueCheckins prepares a database with pairs pairs whose 2×pairs members are all due a
// check-in, chat.postMessage's learned rate set to learned, and Slack metering it at
// 25/s (bursts of 5): 200 check-ins take 8 s at best. It returns the fake Slack, the
// database and the bot's environment.
func dueCheckins(t *testing.T, pairs int, learned float64) (*slacktest.Server, string, map[string]string) {
	t.Helper()
	srv := newSlack(t, slacktest.Options{})
	db := filepath.Join(t.TempDir(), "mentorbot.db")
	// A yearly schedule: the period began on 1 January and lasts the test; the pairs
	// were made the day before it, so every member is due a check-in, and no nudge.
	year := time.Date(time.Now().UTC().Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	st, err := store.Open(db, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	fanSeed(t, srv, st, pairs, year.Add(-24*time.Hour))
	if err := st.SetLimit(context.Background(), "chat.postMessage", learned); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	env := botEnv(t, srv, db)
	env["MENTORBOT_CHECKIN_SCHEDULE"] = "0 0 1 1 *"
	env["MENTORBOT_NUDGE_SCHEDULE"] = "0 0 1 1 *"
	srv.Meter("chat.postMessage", 25, 5)
	return srv, db, env
}

// restartAndFinish starts the bot again after a kill, waits until every one of want
// notices has reached Slack (tally counts them, from the records after killedAt),
// then stops it with SIGTERM and checks it exits 0, having recorded the sends it had
// in flight. what names the notices in a failure.
func restartAndFinish(t *testing.T, ctx context.Context, env map[string]string, srv *slacktest.Server, tally *fanTally, killedAt, want int, what string) {
	t.Helper()
	p := startProc(t, env)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("restarted bot's log:\n%s", p.stderr)
		}
	})
	if _, err := srv.WaitRecordAfter(ctx, killedAt, func(r slacktest.Record) bool {
		tally.add(r)
		return len(tally.byID) >= want
	}); err != nil {
		t.Fatalf("after the restart, %d of %d %s delivered: %v", len(tally.byID), want, what, err)
	}
	// Stopped, the bot finishes and records the sends in flight: nothing may be left.
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 15*time.Second); code != exitOK {
		t.Fatalf("exit %d after SIGTERM; stderr:\n%s", code, p.stderr)
	}
}
