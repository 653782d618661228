package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
	"github.com/mentorbot/mentorbot/store"
)

// The in-process end-to-end harness: the real Main (store file, programme, bot,
// delivery, scheduler, operator endpoints) against the fake Slack, on a clock the test
// moves. The scheduler only runs at start (its interval is far away); tests queue what
// is due by hand with h.m.prog.QueueDue or h.m.sched.RunOnce after moving the clock.

// slackDeadline is Slack's limit for acknowledging an envelope.
const slackDeadline = 3 * time.Second

// fixedNow is where the harness clock starts unless told otherwise: Tuesday 24
// November 2026, 12:00 UTC.
var fixedNow = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// Names fixed by SPEC.md (and bot's constants of the same name): action ids, callback
// ids, the inputs of modals, and the metadata key holding a notice's id.
const (
	actionKudosOpen     = "kudos_open"
	actionHomeJoin      = "home_join"
	actionHomeLeave     = "home_leave"
	actionHomeGoalAdd   = "home_goal_add"
	actionHomeGoalDone  = "home_goal_done"
	actionForgetConfirm = "forget_confirm"
	actionCheckinMet    = "checkin_met"
	actionCheckinNotMet = "checkin_not_met"
	actionCheckinNotes  = "checkin_notes"

	blockKudosTo      = "kudos_to"
	blockKudosMessage = "kudos_message"
	blockKudosChannel = "kudos_channel"

	inputRole      = "role"
	inputTopics    = "topics"
	inputGoals     = "goals"
	inputCapacity  = "capacity"
	inputManager   = "manager"
	inputTeam      = "team"
	inputGoal      = "goal"
	inputDiscussed = "discussed"
	inputProgress  = "progress"
	inputNeeds     = "needs"

	metadataID = "id"
)

// clock is a time tests move by hand; Main, its store and delivery, and the fake
// Slack's message timestamps all read it.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// options are what a test changes about the harness.
type options struct {
	// env are settings on top of the harness's (tokens, fake Slack URL, database,
	// MENTORBOT_ADMINS=UADMIN, MENTORBOT_HTTP_ADDR=127.0.0.1:0).
	env map[string]string
	// now is where the clock starts; zero means fixedNow.
	now time.Time
	// prepare, when set, runs on the database file (open, on the harness clock)
	// before Main opens it, with the fake Slack already up; the file is closed after.
	prepare func(t testing.TB, h *harness, st *store.Store)
}

// harness is Main running in-process against a fresh fake Slack until the test ends.
type harness struct {
	srv   *slacktest.Server
	clock *clock
	db    string
	env   map[string]string
	log   *syncBuffer

	// m is the running Main; its unexported fields hold the parts it wired.
	m      *Main
	cancel context.CancelFunc
	done   chan error
}

// workspace are the people of the fake Slack.
var workspace = []slacktest.User{
	{ID: "UALICE", Name: "alice", RealName: "Alice", TZ: "Europe/Berlin"},
	{ID: "UBERT", Name: "bertram", RealName: "Bertram", TZ: "America/New_York"},
	{ID: "UADMIN", Name: "ada", RealName: "Ada Admin", TZ: "UTC"},
	{ID: "UCHEN", Name: "chen", RealName: "Chen", TZ: ""},
	{ID: "UROBOT", Name: "robot", RealName: "Robot", IsBot: true},
	{ID: "UGONE", Name: "gone", RealName: "Gone", Deleted: true},
}

// startMain starts the fake Slack and Main on a fresh database file, and returns once
// Main is ready and connected (/readyz answers 200). It stops both when the test ends,
// failing the test unless Run returns nil.
func startMain(t testing.TB, o options) *harness {
	t.Helper()
	c := &clock{t: fixedNow}
	if !o.now.IsZero() {
		c.t = o.now
	}
	srv, err := slacktest.New(slacktest.Options{PingInterval: 200 * time.Millisecond, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	for _, u := range workspace {
		srv.AddUser(u)
	}
	h := &harness{srv: srv, clock: c, db: filepath.Join(t.TempDir(), "mentorbot.db"), log: &syncBuffer{}}
	h.env = map[string]string{
		"SLACK_BOT_TOKEN":     slacktest.DefaultBotToken,
		"SLACK_APP_TOKEN":     slacktest.DefaultAppToken,
		"SLACK_API_URL":       srv.APIURL(),
		"MENTORBOT_DB_PATH":   h.db,
		"MENTORBOT_ADMINS":    "UADMIN",
		"MENTORBOT_HTTP_ADDR": "127.0.0.1:0",
	}
	for k, v := range o.env {
		h.env[k] = v
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("mentorbot log:\n%s", h.log)
		}
	})
	// Every test's messages are checked against the voice rules a program can check.
	t.Cleanup(func() { checkVoice(t, srv.Records()) })
	t.Cleanup(func() { h.stop(t) })
	if o.prepare != nil {
		st, err := store.Open(h.db, store.Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		st.Now = c.now
		o.prepare(t, h, st)
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
	}
	h.start(t)
	return h
}

// start runs a new Main on the harness's database, fake Slack and clock.
func (h *harness) start(t testing.TB) {
	t.Helper()
	cfg, err := demoConfig(h.env)
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{
		Config:            cfg,
		Logger:            slog.New(slog.NewTextHandler(h.log, &slog.HandlerOptions{Level: slog.LevelInfo})),
		PingInterval:      2 * time.Second,
		Now:               h.clock.now,
		SchedulerInterval: 1000 * time.Hour,
		ready:             make(chan struct{}),
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	h.m, h.cancel, h.done = m, cancel, done
	select {
	case <-m.ready:
	case err := <-done:
		cancel()
		h.cancel = nil
		t.Fatalf("Main.Run returned before it was ready: %v", err)
	case <-time.After(15 * time.Second):
		t.Fatal("Main was not ready within 15 s")
	}
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := h.srv.WaitConnected(wctx); err != nil {
		t.Fatalf("mentorbot did not connect: %v", err)
	}
	waitFor(t, "/readyz to answer 200", func() bool { code, _ := h.readyz(t); return code == http.StatusOK })
}

// stop cancels Main and waits for Run to return nil, and for the fake Slack to see
// the connection go. It does nothing when Main is not running.
func (h *harness) stop(t testing.TB) {
	t.Helper()
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.cancel = nil
	select {
	case err := <-h.done:
		if err != nil {
			t.Errorf("Main.Run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Errorf("Main.Run did not return within 20 s of being cancelled")
		return
	}
	waitFor(t, "the fake Slack to see the connection close", func() bool { return !connectedNow(h.srv) })
}

// restart stops Main and starts a new one on the same database, fake Slack and clock,
// as a redeploy would.
func (h *harness) restart(t testing.TB) {
	t.Helper()
	h.stop(t)
	h.start(t)
}

// connectedNow reports whether the fake Slack has a Socket Mode connection now.
func connectedNow(srv *slacktest.Server) bool {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return srv.WaitConnected(ctx) == nil
}

// base is the operator endpoints' base URL.
func (h *harness) base(t testing.TB) string {
	t.Helper()
	addr := h.m.HTTPAddr()
	if addr == "" {
		t.Fatal("Main has no HTTP address")
	}
	return "http://" + addr
}

func (h *harness) readyz(t testing.TB) (int, string) { return get(t, h.base(t)+"/readyz") }

// metrics returns the /metrics page.
func (h *harness) metrics(t testing.TB) string {
	t.Helper()
	code, body := get(t, h.base(t)+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics = %d", code)
	}
	return body
}

// wantMetrics fails t unless /metrics has each line (a sample with its value).
func (h *harness) wantMetrics(t testing.TB, lines ...string) {
	t.Helper()
	// A count follows the event it counts (a send is counted after Slack answered and
	// the outbox let it go): poll, with a deadline, for the page to show them all.
	var have []string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		have = strings.Split(h.metrics(t), "\n")
		all := true
		for _, l := range lines {
			all = all && slices.Contains(have, l)
		}
		if all || time.Now().After(deadline) {
			break
		}
	}
	for _, l := range lines {
		if !slices.Contains(have, l) {
			name, _, _ := strings.Cut(l, "{")
			var got []string
			for _, h := range have {
				if strings.HasPrefix(h, name) {
					got = append(got, h)
				}
			}
			t.Errorf("/metrics lacks %s; it has:\n%s", l, strings.Join(got, "\n"))
		}
	}
}

// command sends a slash command and returns its ack, failing if Slack's deadline passes.
func (h *harness) command(t testing.TB, user, command, text string) slacktest.Ack {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), slackDeadline)
	defer cancel()
	ack, err := h.srv.SlashCommand(ctx, user, command, text)
	if err != nil {
		t.Fatalf("%s %q: no ack within %v: %v", command, text, slackDeadline, err)
	}
	return ack
}

// say sends a slash command and returns the text of its ephemeral reply.
func (h *harness) say(t testing.TB, user, command, text string) string {
	t.Helper()
	return replyText(replyOf(t, h.command(t, user, command, text)))
}

// seq is the number of records so far: pass it to record to see only what follows.
func (h *harness) seq() int { return len(h.srv.Records()) }

// record waits for a record after seq that matches.
func (h *harness) record(t testing.TB, after int, what string, match func(r slacktest.Record) bool) slacktest.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := h.srv.WaitRecordAfter(ctx, after, match)
	if err != nil {
		t.Fatalf("no %s: %v", what, err)
	}
	return r
}

// dmTo matches a DM to user whose text contains want.
func (h *harness) dmTo(user, want string) func(r slacktest.Record) bool {
	ch := h.srv.DMChannelID(user)
	return func(r slacktest.Record) bool {
		return r.Kind == "message" && r.Channel == ch && strings.Contains(r.Text, want)
	}
}

// noticeDM waits for the DM to user that carries a notice of kind (by its metadata:
// event_type is the kind, event_payload holds the notice's id) after seq.
func (h *harness) noticeDM(t testing.TB, after int, user string, kind mentoring.Kind) slacktest.Record {
	t.Helper()
	ch := h.srv.DMChannelID(user)
	return h.record(t, after, string(kind)+" DM to "+user, func(r slacktest.Record) bool {
		var meta slack.SlackMetadata
		_ = json.Unmarshal(r.Metadata, &meta)
		return r.Kind == "message" && r.Channel == ch && meta.EventType == string(kind) && meta.EventPayload[metadataID] != nil
	})
}

// view runs fn in a read transaction of the running Main's store.
func (h *harness) view(t testing.TB, fn func(tx mentoring.Tx) error) {
	t.Helper()
	if err := h.m.store.View(context.Background(), fn); err != nil {
		t.Fatalf("store: %v", err)
	}
}

// participant returns the stored record of id, left or not.
func (h *harness) participant(t testing.TB, id string) *mentoring.Participant {
	t.Helper()
	var p *mentoring.Participant
	h.view(t, func(tx mentoring.Tx) error {
		var err error
		p, err = tx.Participant(id)
		return err
	})
	return p
}

// activePairings returns the pairings of userID that have not ended.
func (h *harness) activePairings(t testing.TB, userID string) []mentoring.Pairing {
	t.Helper()
	var out []mentoring.Pairing
	h.view(t, func(tx mentoring.Tx) error {
		all, err := tx.PairingsOf(userID)
		for _, p := range all {
			if p.Active() {
				out = append(out, p)
			}
		}
		return err
	})
	return out
}

// queued returns the notices due now in the outbox.
func (h *harness) queued(t testing.TB) []mentoring.Notice {
	t.Helper()
	due, err := h.m.store.Due(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return due
}

// queueDue moves the clock to at and queues what is due of kind then, as the
// scheduler would on a tick; it returns how many notices were queued.
func (h *harness) queueDue(t testing.TB, at time.Time, kind mentoring.Kind) int {
	t.Helper()
	h.clock.set(at)
	n, err := h.m.prog.QueueDue(context.Background(), kind)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// waitFor polls cond until it holds, failing t after 10 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// replyOf decodes an ack's reply payload, failing when there is none.
func replyOf(t testing.TB, ack slacktest.Ack) *slack.Msg {
	t.Helper()
	msg, err := ack.Reply()
	switch {
	case msg == nil:
		t.Fatal(err)
	case err != nil:
		t.Error(err)
	}
	return msg
}

// replyText is every text a reply shows.
func replyText(msg *slack.Msg) string { return slacktest.MsgText(msg) }

func contains(t testing.TB, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

// sameSet reports whether a and b hold the same strings, ignoring order and repeats.
func sameSet(a, b []string) bool {
	set := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return slices.Compact(s) }
	return slices.Equal(set(a), set(b))
}

// allowedToken is what the bot may put in a reply itself: a mention of a real person of
// the test workspace (ids it validated) or a link to a channel.
var allowedToken = regexp.MustCompile(`^(<@(UALICE|UBERT|UADMIN|UCHEN)>|<#C[A-Z0-9]+>)$`)

// checkReply fails t if msg could notify anyone it should not, breaks Slack's limits,
// or is not valid UTF-8.
func checkReply(t testing.TB, input string, msg *slack.Msg) {
	t.Helper()
	if msg == nil {
		t.Fatalf("input %q: no reply", input)
	}
	for _, p := range slacktest.ReplyProblems(msg, allowedToken) {
		t.Errorf("input %q: %s", input, p)
	}
}
