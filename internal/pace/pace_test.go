package pace

import (
	"context"
	"math"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// simulate runs one caller against an API metered at limit per second (bursts of
// burst), in virtual time: each call takes latency, a refused one asks for retryAfter.
// It returns the calls accepted and refused over d.
func simulate(p *Pacer, now *time.Time, limit float64, burst int, retryAfter, latency, d time.Duration) (accepted, refused int) {
	meter := rate.NewLimiter(rate.Limit(limit), burst)
	end := now.Add(d)
	for now.Before(end) {
		wait, reserved := p.next("chat.postMessage", false)
		*now = now.Add(wait)
		if !reserved {
			continue
		}
		*now = now.Add(latency)
		if meter.AllowN(*now, 1) {
			p.OK("chat.postMessage")
			accepted++
		} else {
			p.Refused("chat.postMessage", retryAfter)
			refused++
		}
	}
	return accepted, refused
}

func clock() (*time.Time, func() time.Time) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	return &now, func() time.Time { return now }
}

func TestLearnsTheLimit(t *testing.T) {
	tests := []struct {
		name    string
		limit   float64
		burst   int
		learned float64 // a rate learned before, 0: none
	}{
		{"50/s, bursts of 10, nothing known", 50, 10, 0},
		{"50/s, bursts of 10, learned before", 50, 10, 48},
		{"200/s, bursts of 20", 200, 20, 0},
		{"a learned rate that is now too high", 20, 5, 60},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now, clk := clock()
			p := New(Config{Now: clk, Floors: map[string]float64{"chat.postMessage": 1},
				Learned: map[string]float64{"chat.postMessage": tt.learned}})
			const run = 200 * time.Second
			ok, refused := simulate(p, now, tt.limit, tt.burst, time.Second, time.Millisecond, run)
			if got, want := float64(ok)/(tt.limit*run.Seconds()), 0.90; got < want {
				t.Errorf("achieved %.1f%% of the limit (%d calls), want at least %.0f%%", 100*got, ok, 100*want)
			}
			if got := float64(refused) / float64(ok+refused); got > 0.02 {
				t.Errorf("%.2f%% of calls refused (%d), want at most 2%%", 100*got, refused)
			}
		})
	}
}

func TestUnpacedUntilRefused(t *testing.T) {
	_, clk := clock()
	p := New(Config{Now: clk})
	if got := p.Limit("views.publish"); !math.IsInf(got, 1) {
		t.Errorf("limit before any refusal = %v, want none", got)
	}
	for range 1000 {
		if wait, _ := p.next("views.publish", false); wait != 0 {
			t.Fatalf("an unpaced method waited %v", wait)
		}
	}
}

func TestRefusalPausesEveryoneButOnlyOnce(t *testing.T) {
	now, clk := clock()
	var learned []float64
	p := New(Config{Now: clk, Floors: map[string]float64{"m": 2}, OnLearn: func(_ string, r float64) { learned = append(learned, r) }})
	for range 30 {
		p.next("m", false)
		p.OK("m")
		*now = now.Add(10 * time.Millisecond)
	}
	p.Refused("m", 2*time.Second)
	// Calls in flight come back refused too: still one signal.
	p.Refused("m", 2*time.Second)
	p.Refused("m", time.Second)
	if len(learned) != 1 {
		t.Fatalf("learned %v, want one rate", learned)
	}
	for _, fg := range []bool{false, true} {
		if wait, reserved := p.next("m", fg); wait != 2*time.Second || reserved {
			t.Errorf("foreground %v: wait %v reserved %v, want the whole pause", fg, wait, reserved)
		}
	}
	// 30 calls accepted over 0.3 s: 100/s; the pace drops to just under it.
	if got := p.Limit("m"); math.Abs(got-95) > 0.5 {
		t.Errorf("limit after the refusal = %v, want 95 (0.95 × the 100/s accepted)", got)
	}
}

func TestNeverBelowTheFloor(t *testing.T) {
	now, clk := clock()
	p := New(Config{Now: clk, DefaultFloor: 5})
	p.next("m", false)
	p.Refused("m", time.Second) // nothing accepted at all
	*now = now.Add(time.Second)
	if got := p.Limit("m"); got < 5 {
		t.Errorf("limit %v below the floor 5", got)
	}
}

func TestForegroundDoesNotWaitForTheRate(t *testing.T) {
	now, clk := clock()
	p := New(Config{Now: clk, Learned: map[string]float64{"chat.postEphemeral": 1}})
	p.next("chat.postEphemeral", false) // takes the only token
	if wait, _ := p.next("chat.postEphemeral", false); wait <= 0 {
		t.Fatalf("background call did not wait for the rate")
	}
	if wait, _ := p.next("chat.postEphemeral", true); wait != 0 {
		t.Errorf("foreground call waited %v behind background calls", wait)
	}
	_ = now
	ctx := Foreground(context.Background())
	if !IsForeground(ctx) || IsForeground(Background(ctx)) {
		t.Error("Foreground/Background marks do not read back")
	}
}

// TestIdleTimeDoesNotGrowTheRate: a rate grows only while calls use it. A bot that
// starts with a learned rate and sends its first call minutes later starts at that
// rate, not at a rate doubled for every idle second (which would go straight past the
// limit and be refused).
func TestIdleTimeDoesNotGrowTheRate(t *testing.T) {
	tests := []struct {
		name  string
		idle  time.Duration
		calls int
	}{
		{"idle a minute before the first call", time.Minute, 1},
		{"idle a minute between calls", time.Minute, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now, clk := clock()
			p := New(Config{Now: clk, Learned: map[string]float64{"chat.postMessage": 800}})
			for range tt.calls {
				p.next("chat.postMessage", false)
				*now = now.Add(time.Millisecond)
			}
			before := p.Limit("chat.postMessage")
			*now = now.Add(tt.idle)
			p.next("chat.postMessage", false)
			if got := p.Limit("chat.postMessage"); got > before*1.01 {
				t.Errorf("limit after %v idle = %.0f, was %.0f: it grew while unused", tt.idle, got, before)
			}
		})
	}
}
