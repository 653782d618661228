package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
	"github.com/mentorbot/mentorbot/store"
)

// The fan-out at Slack's pace: every check-in of a large programme queued at once and
// delivered through the real wiring (Main: store file with fsync, delivery, the paced
// client) to the fake Slack, unmetered and metered the way Slack meters.

// fanMonday is Monday 30 November 2026, 10:30 UTC: half an hour into the check-in
// period (the default schedule, 0 10 * * MON) of everyone seeded in UTC.
var fanMonday = time.Date(2026, 11, 30, 10, 30, 0, 0, time.UTC)

// fanStart is where the harness clock starts, a minute before that period: Main's
// scheduler runs once as it starts, and must find nothing due then, or it would queue
// the fan-out itself before it is measured.
var fanStart = time.Date(2026, 11, 30, 9, 59, 0, 0, time.UTC)

// fanPairedAt is when the seeded pairings started: a week before fanMonday, before its
// check-in period (so the automatic schedule asks about them then) but after the start
// of the period before (so nothing is due for that one at fanStart).
var fanPairedAt = time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)

// fanSeed adds 2×pairs people to the fake Slack and stores them as participants (UTC)
// in active pairings started at pairedAt, in one transaction. It returns the mentors
// and the mentees, mentor i paired with mentee i.
func fanSeed(tb testing.TB, srv *slacktest.Server, st *store.Store, pairs int, pairedAt time.Time) (mentors, mentees []string) {
	tb.Helper()
	joined := pairedAt.Add(-7 * 24 * time.Hour)
	for i := range pairs {
		mentors = append(mentors, fmt.Sprintf("UFM%05d", i))
		mentees = append(mentees, fmt.Sprintf("UFE%05d", i))
	}
	for _, ids := range [][]string{mentors, mentees} {
		for _, id := range ids {
			srv.AddUser(slacktest.User{ID: id, Name: strings.ToLower(id), RealName: id, TZ: "UTC"})
		}
	}
	err := st.Update(context.Background(), func(tx mentoring.Tx) error {
		for i := range pairs {
			for _, p := range []*mentoring.Participant{
				{ID: mentors[i], Role: mentoring.RoleMentor, Capacity: 1, Topics: []string{"go"}, Team: "platform", TimeZone: "UTC", JoinedAt: joined},
				{ID: mentees[i], Role: mentoring.RoleMentee, Capacity: 1, Topics: []string{"go"}, Team: "product", TimeZone: "UTC", JoinedAt: joined},
			} {
				if err := tx.PutParticipant(p); err != nil {
					return err
				}
			}
			if err := tx.PutPairing(&mentoring.Pairing{MentorID: mentors[i], MenteeID: mentees[i], StartedAt: pairedAt}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return mentors, mentees
}

// fanSchedulerIdle waits until Main's scheduler has finished the pass it makes as it
// starts and waits for its next tick: only then may the clock move to a time when
// check-ins are due, or that pass (reading the clock as it goes) would queue them
// itself. Main offers no signal for it, so this reads the goroutines' stacks.
func fanSchedulerIdle(tb testing.TB) {
	tb.Helper()
	deadline := time.Now().Add(time.Minute)
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		for n == len(buf) {
			buf = make([]byte, 2*len(buf))
			n = runtime.Stack(buf, true)
		}
		idle := false
		for g := range strings.SplitSeq(string(buf[:n]), "\n\n") {
			if strings.Contains(g, "/scheduler.(*Scheduler).Run(") {
				idle = strings.Contains(strings.SplitN(g, "\n", 2)[0], "[select") && !strings.Contains(g, "RunOnce")
			}
		}
		if idle {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatal("Main's scheduler did not finish its first pass within a minute")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// fanLiveClock sets the harness clock to from and moves it forward in real time, a
// millisecond at a time, until the returned stop is called (at the latest when tb ends).
//
// The harness's fake Slack reads that clock (slacktest.Options.Now), and so does its
// Meter: on the harness's clock as it is, which only moves when a test moves it, a
// metered method refills no tokens and answers 429 for ever once its burst is spent.
func fanLiveClock(tb testing.TB, c *clock, from time.Time) (stop func()) {
	c.set(from)
	base, start := from, time.Now()
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				c.set(base.Add(time.Since(start)))
			}
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { close(quit); <-done }) }
	tb.Cleanup(stop)
	return stop
}

// fanTally counts the notices of one kind the fake Slack recorded as messages: by
// notice id (from the message metadata) and by channel.
type fanTally struct {
	kind      mentoring.Kind
	messages  int
	byID      map[string]int
	byChannel map[string]int
	first     time.Time // the fake's clock at the first and the last of them
	last      time.Time
}

func newFanTally(kind mentoring.Kind) *fanTally {
	return &fanTally{kind: kind, byID: map[string]int{}, byChannel: map[string]int{}}
}

// add counts r if it is a message carrying a notice of the tally's kind.
func (t *fanTally) add(r slacktest.Record) {
	if r.Kind != "message" || len(r.Metadata) == 0 {
		return
	}
	var meta slack.SlackMetadata
	if json.Unmarshal(r.Metadata, &meta) != nil || meta.EventType != string(t.kind) {
		return
	}
	if t.messages == 0 {
		t.first = r.At
	}
	t.messages++
	t.last = r.At
	t.byID[fmt.Sprint(meta.EventPayload[metadataID])]++
	t.byChannel[r.Channel]++
}

// twice lists the notice ids and the channels that got more than one message.
func (t *fanTally) twice() (ids, channels []string) {
	for id, n := range t.byID {
		if n > 1 {
			ids = append(ids, id)
		}
	}
	for ch, n := range t.byChannel {
		if n > 1 {
			channels = append(channels, ch)
		}
	}
	return ids, channels
}

// fanResult is what one fan-out did.
type fanResult struct {
	queued  int
	queue   time.Duration // QueueDue alone
	elapsed time.Duration // QueueDue to the last send recorded in the store
	tally   *fanTally
}

// fanCheckins moves the clock to fanMonday, queues the check-ins due then (want of
// them) and waits, until limit,
// for the fake Slack to record want check-in DMs and for the store to have recorded
// each as sent (the outbox holds nothing due). The tally counts every check-in DM
// recorded after the call began.
func fanCheckins(tb testing.TB, h *harness, want int, limit time.Duration) fanResult {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	start := h.seq()
	res := fanResult{tally: newFanTally(mentoring.KindCheckin)}
	fanSchedulerIdle(tb)
	if h.clock.now().Before(fanMonday) {
		h.clock.set(fanMonday)
	}
	t0 := time.Now()
	n, err := h.m.prog.QueueDue(ctx, mentoring.KindCheckin)
	res.queue = time.Since(t0)
	if err != nil || n != want {
		tb.Fatalf("QueueDue queued %d (%v), want %d", n, err, want)
	}
	res.queued = n
	if _, err := h.srv.WaitRecordAfter(ctx, start, func(r slacktest.Record) bool {
		res.tally.add(r)
		return res.tally.messages >= want
	}); err != nil {
		tb.Fatalf("after %v, %d of %d check-ins recorded by the fake Slack: %v", time.Since(t0), res.tally.messages, want, err)
	}
	for {
		done := fanSettled(h, mentoring.KindCheckin)
		if done >= want {
			if due, err := h.m.store.Due(ctx, 1); err == nil && len(due) == 0 {
				break
			}
		}
		if ctx.Err() != nil {
			tb.Fatalf("after %v, %d of %d check-ins recorded as sent in the store", time.Since(t0), done, want)
		}
		time.Sleep(time.Millisecond)
	}
	res.elapsed = time.Since(t0)
	return res
}

// fanSettled is how many notices of kind delivery has recorded as delivered (sent, or
// found already sent) in the store: it counts them once Sent has committed.
func fanSettled(h *harness, kind mentoring.Kind) int {
	n := 0
	for _, outcome := range []string{"sent", "already_sent"} {
		n += int(testutil.ToFloat64(h.m.metrics.Sends.WithLabelValues(string(kind), outcome)))
	}
	return n
}

// fanRefused counts method's calls the fake Slack received and those it answered 429.
func fanRefused(srv *slacktest.Server, method string) (calls, refused int) {
	for _, c := range srv.Calls(method) {
		calls++
		if c.Status == http.StatusTooManyRequests {
			refused++
		}
	}
	return calls, refused
}

// fanResetPeak collects garbage, returns freed memory to the OS and resets the
// process's peak resident set (VmHWM), so that the peak read later is the work's.
func fanResetPeak(tb testing.TB) {
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		tb.Logf("peak RSS not reset (%v): it includes what came before", err)
	}
}

// fanCPU is the CPU time the process has used so far (user and system).
func fanCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// fanProfileEnv names a file to write a CPU profile of the fan-out alone to (from
// QueueDue to the last send recorded; not the seeding and start-up that -cpuprofile
// includes). With several runs, the last one's is kept.
const fanProfileEnv = "MENTORBOT_FANOUT_CPUPROFILE"

// fanProfile starts a CPU profile of what follows when fanProfileEnv is set; stop
// ends it.
func fanProfile(tb testing.TB) (stop func()) {
	path := os.Getenv(fanProfileEnv)
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		tb.Logf("no fan-out profile (%v): is -cpuprofile set too?", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// fanDebugEnv, when set, has BenchmarkFanout log the check-in DMs the fake Slack
// recorded in each second of the run (on its clock) and where the memory is after it.
const fanDebugEnv = "MENTORBOT_FANOUT_DEBUG"

// fanDebug logs what fanDebugEnv asks for.
func fanDebug(tb testing.TB, h *harness) {
	var hist []int
	for _, r := range h.srv.Records() {
		if r.Kind == "message" && !r.At.Before(fanMonday) {
			sec := int(r.At.Sub(fanMonday) / time.Second)
			for len(hist) <= sec {
				hist = append(hist, 0)
			}
			hist[sec]++
		}
	}
	tb.Logf("DMs in each second: %v", hist)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	mib := func(n uint64) float64 { return float64(n) / (1 << 20) }
	tb.Logf("after the fan-out: VmRSS %.1f MiB (RssAnon %.1f, RssFile %.1f: the mapped database), HeapInuse %.1f MiB",
		fanStatusMiB(tb, "VmRSS"), fanStatusMiB(tb, "RssAnon"), fanStatusMiB(tb, "RssFile"), mib(ms.HeapInuse))
	runtime.GC()
	runtime.ReadMemStats(&ms)
	tb.Logf("live heap after a GC: %.1f MiB (most of it the fake Slack's record of every call)", mib(ms.HeapAlloc))
}

// fanStatusMiB reads a field of /proc/self/status (VmHWM, VmRSS) in MiB.
func fanStatusMiB(tb testing.TB, field string) float64 { return fanProcMiB(tb, "self", field) }

// fanProcMiB reads a field of /proc/PID/status in MiB.
func fanProcMiB(tb testing.TB, pid, field string) float64 {
	raw, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		tb.Fatal(err)
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == field+":" {
			kb, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				tb.Fatal(err)
			}
			return kb / 1024
		}
	}
	tb.Fatalf("no %s in /proc/%s/status", field, pid)
	return 0
}

// fanRuns counts the fan-outs this process has run: the testing package keeps each
// finished benchmark's cleanups (and so its harness and fake Slack, about 60 MiB after
// a 10,000 fan-out) reachable, so only a process's first run has a clean peak RSS.
var fanRuns int

// BenchmarkFanout measures a check-in fan-out of a large programme (members in 1:1
// pairings, all in UTC, all due: it is Monday 10:30) through the real Main, from
// QueueDue to the last send recorded in the store (with fsync, as the bot runs).
//
//   - unmetered: 10,000 members, the fake Slack takes everything. Reports checkins/s,
//     cpu-cores (CPU time over wall time, whole process) and peak-MiB, the test
//     process's peak resident memory (VmHWM) during the fan-out: bot and fake Slack
//     together (the fake keeps every call and message it was sent).
//   - metered, metered-2000: 10,000 (2,000) members, chat.postMessage metered like
//     Slack at 50/s with a burst of 10, on a fresh database (nothing learned).
//     Reports pct-of-limit (check-ins per second over the run as a % of 50/s) and
//     pct-429 (the % of chat.postMessage calls answered 429).
//   - binary: the unmetered 10,000 with the bot as its own process (the built
//     binary, its scheduler queuing the fan-out as it starts), so that peak-MiB is the
//     bot's alone; checkins/s there runs from the first check-in DM to the last.
//
// Each iteration starts a new Main on a new database: run with -benchtime 1x, and
// with -count 1 for peak-MiB (see fanRuns). A metered 10,000 takes over 200 s: give
// go test a -timeout above 10m. Every run fails if anyone got two check-ins.
func BenchmarkFanout(b *testing.B) {
	b.Run("unmetered", func(b *testing.B) { benchFanout(b, 5000, 0) })
	b.Run("metered", func(b *testing.B) { benchFanout(b, 5000, 50) })
	b.Run("metered-2000", func(b *testing.B) { benchFanout(b, 1000, 50) })
	b.Run("binary", func(b *testing.B) { benchFanoutBinary(b, 5000) })
}

// fanMeterBurst is the metered chat.postMessage's burst.
const fanMeterBurst = 10

func benchFanout(b *testing.B, pairs int, perSecond float64) {
	want := 2 * pairs
	limit := 2 * time.Minute
	if perSecond > 0 {
		limit = time.Duration(3*float64(want)/perSecond)*time.Second + time.Minute
	}
	var (
		elapsed, queue, cpu time.Duration
		peak                float64
		calls, refused      int
		runs                int
	)
	b.ReportAllocs()
	b.StopTimer()
	for range b.N {
		h := startMain(b, options{now: fanStart, prepare: func(tb testing.TB, h *harness, st *store.Store) {
			fanSeed(tb, h.srv, st, pairs, fanPairedAt)
		}})
		fanSchedulerIdle(b)
		stopClock := func() {}
		if perSecond > 0 {
			stopClock = fanLiveClock(b, h.clock, fanMonday)
			h.srv.Meter("chat.postMessage", perSecond, fanMeterBurst)
		}
		skip := len(h.srv.Calls("chat.postMessage"))
		if fanRuns > 0 {
			b.Logf("run %d of this process: peak-MiB includes earlier runs' retained state; use -count 1", fanRuns+1)
		}
		fanRuns++
		fanResetPeak(b)
		stopProfile := fanProfile(b)
		cpu0 := fanCPU()
		b.StartTimer()
		res := fanCheckins(b, h, want, limit)
		b.StopTimer()
		cpu += fanCPU() - cpu0
		stopProfile()
		peak = max(peak, fanStatusMiB(b, "VmHWM"))
		ids, channels := res.tally.twice()
		if len(ids) > 0 || len(channels) > 0 || res.tally.messages != want {
			b.Errorf("%d check-in DMs for %d queued; %d notice ids and %d people got two", res.tally.messages, want, len(ids), len(channels))
		}
		if os.Getenv(fanDebugEnv) != "" {
			fanDebug(b, h)
		}
		c, r := fanRefused(h.srv, "chat.postMessage")
		calls, refused = calls+c-skip, refused+r
		elapsed, queue, runs = elapsed+res.elapsed, queue+res.queue, runs+1
		b.Logf("%d check-ins in %v (QueueDue %v); chat.postMessage: %d calls, %d answered 429; peak RSS %.1f MiB",
			want, res.elapsed.Round(time.Millisecond), res.queue.Round(time.Millisecond), c-skip, r, peak)
		stopClock()
		h.stop(b)
		h.srv.Close()
	}
	rate := float64(want*runs) / elapsed.Seconds()
	b.ReportMetric(rate, "checkins/s")
	b.ReportMetric(queue.Seconds()/float64(runs), "queue-s")
	b.ReportMetric(cpu.Seconds()/elapsed.Seconds(), "cpu-cores")
	b.ReportMetric(peak, "peak-MiB")
	if perSecond > 0 {
		b.ReportMetric(100*rate/perSecond, "pct-of-limit")
		b.ReportMetric(100*float64(refused)/float64(max(calls, 1)), "pct-429")
	}
}

// benchFanoutBinary runs the unmetered fan-out with the bot as its own process: the
// built binary on a database seeded with 2×pairs members, every check-in due as it
// starts (a daily schedule at midnight UTC; pairings from the day before), so that
// its scheduler queues them all at once. It waits until the fake Slack has every
// check-in and /metrics counts each as sent, then reads the process's VmHWM.
func benchFanoutBinary(b *testing.B, pairs int) {
	want := 2 * pairs
	var (
		span time.Duration
		peak float64
		runs int
	)
	b.StopTimer()
	for range b.N {
		srv, err := slacktest.New(slacktest.Options{})
		if err != nil {
			b.Fatal(err)
		}
		db := filepath.Join(b.TempDir(), "mentorbot.db")
		midnight := time.Now().UTC().Truncate(24 * time.Hour)
		st, err := store.Open(db, store.Options{NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		fanSeed(b, srv, st, pairs, midnight.Add(-23*time.Hour))
		if err := st.Close(); err != nil {
			b.Fatal(err)
		}
		env := map[string]string{
			"SLACK_BOT_TOKEN": slacktest.DefaultBotToken, "SLACK_APP_TOKEN": slacktest.DefaultAppToken,
			"SLACK_API_URL": srv.APIURL(), "MENTORBOT_DB_PATH": db, "MENTORBOT_HTTP_ADDR": "127.0.0.1:0",
			"MENTORBOT_CHECKIN_SCHEDULE": "0 0 * * *",
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		tally := newFanTally(mentoring.KindCheckin)
		b.StartTimer()
		p := startProc(b, env)
		base := "http://" + p.addr(b)
		if _, err := srv.WaitRecord(ctx, func(r slacktest.Record) bool { tally.add(r); return tally.messages >= want }); err != nil {
			b.Fatalf("%d of %d check-ins recorded: %v", tally.messages, want, err)
		}
		sent := fmt.Sprintf(`mentorbot_messages_total{kind="%s",outcome="sent"} %d`, mentoring.KindCheckin, want)
		for {
			if _, page := get(b, base+"/metrics"); strings.Contains(page, sent+"\n") {
				break
			}
			if ctx.Err() != nil {
				b.Fatalf("/metrics never counted %d check-ins sent", want)
			}
			time.Sleep(5 * time.Millisecond)
		}
		b.StopTimer()
		cancel()
		peak = max(peak, fanProcMiB(b, strconv.Itoa(p.cmd.Process.Pid), "VmHWM"))
		ids, channels := tally.twice()
		if len(ids) > 0 || len(channels) > 0 {
			b.Errorf("%d notice ids and %d people got two check-ins", len(ids), len(channels))
		}
		span += tally.last.Sub(tally.first)
		runs++
		b.Logf("%d check-ins from %v to %v; bot's peak RSS %.1f MiB", want, tally.first.Format("15:04:05.000"), tally.last.Format("15:04:05.000"), peak)
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			b.Fatal(err)
		}
		if code := p.wait(b, 15*time.Second); code != exitOK {
			b.Errorf("exit %d after SIGTERM; stderr:\n%s", code, p.stderr)
		}
		srv.Close()
	}
	b.ReportMetric(float64((want-1)*runs)/span.Seconds(), "checkins/s")
	b.ReportMetric(peak, "peak-MiB")
}
