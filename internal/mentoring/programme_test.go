package mentoring_test

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/scheduler"
	"github.com/mentorbot/mentorbot/store"
)

// The programme's tests run it over the real store (a bbolt file in t.TempDir()) and
// the real calendar; only Slack is faked: the directory of people and the outbox's
// wake-up call.

const admin = "UADMIN"

var (
	berlin  = mustLoad("Europe/Berlin")
	newYork = mustLoad("America/New_York")
	// start is when every test begins: Tuesday 24 November 2026, 12:00 UTC.
	start = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
)

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// clock is a settable clock, shared by the programme and the store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// directory stands in for Slack's profiles.
type directory struct {
	mu     sync.Mutex
	people map[string]mentoring.Person
	// onPerson, when set, is called (outside the lock) on each lookup: it lets a test
	// change the programme while a call is asking the workspace, as Slack's latency
	// lets other requests do.
	onPerson func(id string)
	// bulk are the People calls so far, each with the ids it asked about.
	bulk [][]string
	// down, when set, is the error every People call returns: Slack cannot be asked.
	down error
}

func (d *directory) People(_ context.Context, ids []string) (map[string]mentoring.Person, error) {
	d.mu.Lock()
	hook := d.onPerson
	d.bulk = append(d.bulk, slices.Clone(ids))
	d.mu.Unlock()
	if hook != nil {
		for _, id := range ids {
			hook(id)
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.down != nil {
		return nil, d.down
	}
	out := map[string]mentoring.Person{}
	for _, id := range ids {
		if p, ok := d.people[id]; ok {
			out[id] = p
		}
	}
	return out, nil
}

// bulkCalls returns the People calls so far.
func (d *directory) bulkCalls() [][]string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.bulk)
}

// fail makes People fail with err from now on; nil mends it.
func (d *directory) fail(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.down = err
}

func (d *directory) Person(_ context.Context, id string) (mentoring.Person, error) {
	d.mu.Lock()
	hook := d.onPerson
	d.mu.Unlock()
	if hook != nil {
		hook(id)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	p, ok := d.people[id]
	if !ok {
		return mentoring.Person{}, mentoring.Errorf(mentoring.EINVALID, "I can't find that person in this workspace.")
	}
	return p, nil
}

func (d *directory) put(p mentoring.Person) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.people[p.ID] = p
}

func (d *directory) hook(fn func(id string)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.onPerson = fn
}

func (d *directory) setAway(id string, away bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	p := d.people[id]
	p.Away = away
	d.people[id] = p
}

// outbox counts wake-up calls.
type outbox struct{ wakes atomic.Int64 }

func (o *outbox) Wake() { o.wakes.Add(1) }

// env is a programme over a real store, with its clock, directory and outbox.
type env struct {
	t      *testing.T
	ctx    context.Context
	p      *mentoring.Programme
	store  *store.Store
	clock  *clock
	dir    *directory
	outbox *outbox
}

// newEnv is a programme at start with the settings of a default deployment; opts
// change its Config before it is made.
func newEnv(t *testing.T, opts ...func(*mentoring.Config)) *env {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "mentorbot.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	clk := &clock{t: start}
	st.Now = clk.Now
	dir := &directory{people: map[string]mentoring.Person{
		"UALICE": {ID: "UALICE", TimeZone: "Europe/Berlin"},
		"UBERT":  {ID: "UBERT", TimeZone: "America/New_York"},
		"UCHEN":  {ID: "UCHEN", TimeZone: "Europe/Berlin"},
		"UDANA":  {ID: "UDANA", TimeZone: "UTC"},
		"UROBOT": {ID: "UROBOT", Bot: true},
		"UGONE":  {ID: "UGONE", TimeZone: "UTC", Deactivated: true},
		admin:    {ID: admin, TimeZone: "UTC"},
	}}
	cal := scheduler.NewCalendar(map[mentoring.Kind]cron.Schedule{
		mentoring.KindCheckin:     mustSchedule(t, "0 10 * * MON"),
		mentoring.KindNudge:       mustSchedule(t, "0 10 * * WED"),
		mentoring.KindRecognition: mustSchedule(t, "0 15 * * FRI"),
	})
	ob := &outbox{}
	cfg := mentoring.Config{
		Store:         st,
		Directory:     dir,
		Calendar:      cal,
		Outbox:        ob,
		Now:           clk.Now,
		Admins:        []string{admin},
		NudgeAfter:    336 * time.Hour,
		RespectStatus: true,
	}
	for _, o := range opts {
		o(&cfg)
	}
	p := mentoring.New(cfg)
	return &env{t: t, ctx: t.Context(), p: p, store: st, clock: clk, dir: dir, outbox: ob}
}

func mustSchedule(t *testing.T, spec string) cron.Schedule {
	t.Helper()
	s, err := cron.ParseStandard(spec)
	if err != nil {
		t.Fatalf("cron.ParseStandard(%q): %v", spec, err)
	}
	return s
}

func ptr[T any](v T) *T { return &v }

// at sets the clock.
func (e *env) at(t time.Time) { e.clock.Set(t) }

// join makes id a participant, failing the test on an error.
func (e *env) join(id string, role mentoring.Role, topics ...string) *mentoring.Participant {
	e.t.Helper()
	return e.joinWith(id, mentoring.Join{Role: role, Topics: topics})
}

func (e *env) joinWith(id string, j mentoring.Join) *mentoring.Participant {
	e.t.Helper()
	_, after, err := e.p.Join(e.ctx, id, j)
	if err != nil {
		e.t.Fatalf("Join(%s, %+v): %v", id, j, err)
	}
	return after
}

// round plans and applies a pairing round as the admin.
func (e *env) round() mentoring.Round {
	e.t.Helper()
	plan, err := e.p.PlanRound(e.ctx, admin)
	if err != nil {
		e.t.Fatalf("PlanRound: %v", err)
	}
	done, err := e.p.ApplyRound(e.ctx, admin, plan)
	if err != nil {
		e.t.Fatalf("ApplyRound: %v", err)
	}
	return done
}

// due returns every queued notice.
func (e *env) due() []mentoring.Notice {
	e.t.Helper()
	ns, err := e.store.Due(e.ctx, 10000)
	if err != nil {
		e.t.Fatalf("Due: %v", err)
	}
	return ns
}

// dueOf returns the queued notices of kind.
func (e *env) dueOf(kind mentoring.Kind) []mentoring.Notice {
	e.t.Helper()
	return slices.DeleteFunc(e.due(), func(n mentoring.Notice) bool { return n.Kind != kind })
}

// drain empties the outbox, as delivery would.
func (e *env) drain() {
	e.t.Helper()
	for _, n := range e.due() {
		if err := e.store.Sent(e.ctx, n.ID); err != nil {
			e.t.Fatalf("Sent(%d): %v", n.ID, err)
		}
	}
}

func (e *env) status(id string) mentoring.Status {
	e.t.Helper()
	st, err := e.p.Status(e.ctx, id)
	if err != nil {
		e.t.Fatalf("Status(%s): %v", id, err)
	}
	return st
}

func (e *env) member(id string) *mentoring.Participant {
	e.t.Helper()
	pt, err := e.p.Member(e.ctx, id)
	if err != nil {
		e.t.Fatalf("Member(%s): %v", id, err)
	}
	return pt
}

func (e *env) queueDue(kind mentoring.Kind) int {
	e.t.Helper()
	n, err := e.p.QueueDue(e.ctx, kind)
	if err != nil {
		e.t.Fatalf("QueueDue(%s): %v", kind, err)
	}
	return n
}

// pairAliceBert makes alice (mentor, Berlin) and bert (mentee, New York) a pair at
// start, empties the outbox, and returns the pairing.
func pairAliceBert(t *testing.T, bertGoals ...string) (*env, mentoring.Pairing) {
	t.Helper()
	e := newEnv(t)
	e.join("UALICE", mentoring.RoleMentor, "go")
	e.joinWith("UBERT", mentoring.Join{Role: mentoring.RoleMentee, Topics: []string{"go"}, Goals: bertGoals})
	if done := e.round(); len(done.Pairs) != 1 {
		t.Fatalf("round made %d pairs, want 1: %+v", len(done.Pairs), done)
	}
	e.drain()
	prs := e.status("UALICE").Pairings
	if len(prs) != 1 || prs[0].MenteeID != "UBERT" {
		t.Fatalf("alice's pairings = %+v, want one with bert", prs)
	}
	return e, prs[0]
}

// wantErr fails the test unless err has code and field.
func wantErr(t *testing.T, what string, err error, code, field string) {
	t.Helper()
	if got := mentoring.ErrorCode(err); got != code {
		t.Errorf("%s: error %v has code %q, want %q", what, err, got, code)
	}
	if got := mentoring.ErrorField(err); got != field {
		t.Errorf("%s: error %v has field %q, want %q", what, err, got, field)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// utc is a time of 2026 in UTC. 16:00 UTC on a Monday is past 10:00 in Berlin (09:00
// UTC) and New York (15:00 UTC), so the week's check-in period has begun for both.
func utc(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, time.UTC) }
