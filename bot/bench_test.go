package bot

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// inFlight is how many slash commands the benchmark keeps outstanding at once.
const inFlight = 32

// BenchmarkCommandRoundTrip measures a /mentor help envelope from the fake Slack to
// the ack that carries its reply, through the real socketmode client over loopback,
// with inFlight commands outstanding. It reports the median and p99 of the latency the
// fake observes (write of the envelope to read of the ack); allocations are those of the
// whole process, fake Slack included.
func BenchmarkCommandRoundTrip(b *testing.B) {
	h := startBot(b, nil)
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
			ack, err := h.srv.SlashCommand(ctx, "UALICE", "/mentor", "help")
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
