package main

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/store"
)

// inFlight is how many slash commands the benchmark keeps outstanding at once.
const inFlight = 32

// BenchmarkCommandRoundTrip measures a slash command envelope from the fake Slack to
// the ack that carries its reply, through the real Main (socketmode client, bot,
// programme, store file) over loopback, with inFlight commands outstanding. It reports
// the median and p99 of the latency the fake observes (write of the envelope to read
// of the ack); allocations are those of the whole process, fake Slack included.
func BenchmarkCommandRoundTrip(b *testing.B) {
	b.Run("help", func(b *testing.B) { benchRoundTrip(b, 0, "help") })
	b.Run("status/participants=10000", func(b *testing.B) { benchRoundTrip(b, 10000, "status") })
}

// benchRoundTrip runs text as /mentor with participants people in the store (UALICE,
// who types the commands, among them).
func benchRoundTrip(b *testing.B, participants int, text string) {
	h := startMain(b, options{prepare: func(tb testing.TB, _ *harness, st *store.Store) { seedParticipants(tb, st, participants) }})
	var (
		mu  sync.Mutex
		lat = make([]time.Duration, 0, b.N)
	)
	b.SetParallelism((inFlight + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			ctx, cancel := context.WithTimeout(context.Background(), slackDeadline)
			ack, err := h.srv.SlashCommand(ctx, "UALICE", "/mentor", text)
			cancel()
			if err != nil || len(ack.Payload) == 0 {
				b.Errorf("no reply: %v", err)
				return
			}
			mu.Lock()
			lat = append(lat, ack.Latency)
			mu.Unlock()
		}
	})
	b.StopTimer()
	reportLatency(b, lat)
}

// reportLatency adds the median and p99 of lat, in milliseconds, to the benchmark.
func reportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// seedParticipants stores n participants with topics, teams and goals, in one
// transaction; UALICE is one.
func seedParticipants(tb testing.TB, st *store.Store, n int) {
	roles := []mentoring.Role{mentoring.RoleMentor, mentoring.RoleMentee, mentoring.RoleBoth}
	now := st.Now()
	err := st.Update(context.Background(), func(tx mentoring.Tx) error {
		for i := range n {
			id := fmt.Sprintf("U%07d", i)
			if i == 0 {
				id = "UALICE"
			}
			p := &mentoring.Participant{
				ID: id, Role: roles[i%len(roles)], Capacity: 1 + i%5,
				Topics:   []string{fmt.Sprint("topic", i%50), fmt.Sprint("topic", (i*7)%50)},
				Team:     fmt.Sprint("team", i%10),
				TimeZone: "Europe/Berlin",
				Goals:    []mentoring.Goal{{Text: "speak at a meetup", CreatedAt: now}, {Text: "ship the migration", CreatedAt: now}},
				JoinedAt: now,
			}
			if err := tx.PutParticipant(p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}
